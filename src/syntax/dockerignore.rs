//! `.dockerignore` files, read and matched with Docker's own semantics (moby's `ignorefile` and
//! `patternmatcher`), which are not gitignore's:
//!
//! - a line starting with `#` is a comment (only in the first column); other lines are trimmed,
//!   cleaned like a Go path (`./a//b/` → `a/b`) and lose a leading `/`: every pattern is
//!   relative to the context root, and `foo` matches only `foo` at the root, not `a/foo`;
//! - `*` and `?` never match `/`; `**` matches any number of directories, none included;
//!   `[…]` is a character class and `\` escapes the next character;
//! - a path is excluded when a pattern matches it **or one of its parent directories**, so
//!   `node_modules` excludes everything below it;
//! - `!pattern` re-includes; the last pattern that matches decides.
//!
//! No crate implements these rules (the `ignore` crate is gitignore's), so they are written here,
//! translating each pattern into a regular expression exactly as moby's `patternmatcher` does,
//! and tested against Docker's documented examples.

use regex::Regex;

/// One cleaned pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The cleaned pattern, without its `!`.
    pub text: String,
    /// `!pattern`: re-includes what earlier patterns excluded.
    pub exclusion: bool,
    matcher: Matcher,
}

#[derive(Clone, Debug)]
enum Matcher {
    Exact,
    /// `prefix**`: the text before the `**`.
    Prefix(String),
    /// `**suffix` (`**/name`): the text after the `**`.
    Suffix(String),
    Regex(Regex),
}

/// The patterns of one `.dockerignore`.
#[derive(Clone, Debug, Default)]
pub struct DockerIgnore {
    pub patterns: Vec<Pattern>,
    /// Why Docker refuses the file (a lone `!`, an unterminated `[`, a trailing `\\`); such a
    /// file fails every build, and nothing is taken as excluded.
    pub refused: Option<String>,
}

impl DockerIgnore {
    /// Reads a `.dockerignore` file's text (moby's `ignorefile.ReadAll`, then
    /// `patternmatcher.New`).
    pub fn parse(text: &str) -> DockerIgnore {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        let mut refused = None;
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut p = line.trim();
            if p.is_empty() {
                continue;
            }
            let exclusion = p.starts_with('!');
            if exclusion {
                p = p.get(1..).unwrap_or("").trim();
                if p.is_empty() {
                    refused.get_or_insert_with(|| "illegal exclusion pattern `!`".to_string());
                    continue;
                }
            }
            let mut cleaned = clean(p);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            match compile(&cleaned) {
                Some(matcher) => patterns.push(Pattern {
                    matcher,
                    text: cleaned,
                    exclusion,
                }),
                None => {
                    refused.get_or_insert_with(|| format!("invalid pattern `{cleaned}`"));
                }
            }
        }
        DockerIgnore { patterns, refused }
    }

    /// Whether some pattern re-includes (`!pattern`).
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// Whether `path` (relative to the context root, `/`-separated, cleaned) is excluded: a
    /// pattern matches it or one of its parent directories, and no later `!pattern` re-includes
    /// it (moby's `MatchesOrParentMatches`).
    pub fn excludes(&self, path: &str) -> bool {
        if self.refused.is_some() {
            return false;
        }
        let parent = match path.rfind('/') {
            Some(0) => "/",
            Some(i) => path.get(..i).unwrap_or(""),
            None => ".",
        };
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(path);
            if !hit && parent != "." {
                // Each ancestor: `a`, `a/b`, … (as Go's strings.Split of the parent).
                let mut end = 0;
                let bytes = parent.as_bytes();
                loop {
                    let next = bytes
                        .get(end..)
                        .and_then(|rest| rest.iter().position(|&b| b == b'/'))
                        .map(|i| end + i);
                    let prefix = parent.get(..next.unwrap_or(parent.len())).unwrap_or("");
                    if pattern.matches(prefix) {
                        hit = true;
                        break;
                    }
                    match next {
                        Some(i) => end = i + 1,
                        None => break,
                    }
                }
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// Whether the patterns exclude every entry of the context root (`*`, `**` or `**/*`), the
    /// only case in which BuildKit warns about copying the root itself.
    pub fn excludes_root_entries(&self) -> bool {
        self.patterns
            .iter()
            .any(|p| !p.exclusion && matches!(p.text.as_str(), "*" | "**" | "**/*"))
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.matcher {
            Matcher::Exact => path == self.text,
            Matcher::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Matcher::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Matcher::Regex(re) => re.is_match(path),
        }
    }
}

/// Translates a cleaned pattern as `patternmatcher`'s `compile` does: plain text is an exact
/// match, `x**` a prefix, `**x` (without other wildcards) a suffix, anything else a regex.
/// `None` for a pattern Docker refuses.
fn compile(pattern: &str) -> Option<Matcher> {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    if !well_formed(pattern) {
        return None;
    }
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut index = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if index == 0 {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => match chars.get(i) {
                Some(&next) => {
                    i += 1;
                    re.push('\\');
                    re.push(next);
                    kind = Kind::Regex;
                }
                // A trailing `\\` stays (as in Go: it then escapes the closing `$`).
                None => re.push('\\'),
            },
            '[' | ']' => {
                re.push(ch);
                kind = Kind::Regex;
            }
            _ => re.push(ch),
        }
        index += 1;
    }
    Some(match kind {
        Kind::Exact => Matcher::Exact,
        Kind::Prefix => Matcher::Prefix(
            pattern
                .get(..pattern.len().saturating_sub(2))
                .unwrap_or("")
                .to_string(),
        ),
        Kind::Suffix => Matcher::Suffix(pattern.get(2..).unwrap_or("").to_string()),
        Kind::Regex => {
            re.push('$');
            Matcher::Regex(Regex::new(&re).ok()?)
        }
    })
}

/// Docker checks each pattern with Go's `filepath.Match`, which refuses an unterminated `[`
/// class and a trailing `\\`.
fn well_formed(pattern: &str) -> bool {
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_none() => return false,
            '[' if !in_class => {
                in_class = true;
                // A `]` right after `[` or `[^` is a member, not the end.
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                }
            }
            ']' if in_class => in_class = false,
            _ => {}
        }
    }
    !in_class
}

/// Go's `path.Clean`: the shortest equivalent path (`a/./b/../c/` → `a/c`, `` → `.`).
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(patterns: &str, path: &str) -> bool {
        DockerIgnore::parse(patterns).excludes(path)
    }

    #[test]
    fn cleans_like_go() {
        assert_eq!(clean("a/./b/../c/"), "a/c");
        assert_eq!(clean("./Dockerfile"), "Dockerfile");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean(""), ".");
        assert_eq!(clean("../x"), "../x");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("a//b"), "a/b");
    }

    /// The examples of Docker's `.dockerignore` documentation.
    #[test]
    fn docker_documented_examples() {
        let file = "# comment\n*/temp*\n*/*/temp*\ntemp?\n";
        assert!(ignored(file, "somedir/temporary.txt"));
        assert!(ignored(file, "somedir/temp"));
        assert!(!ignored(file, "temporary.txt"), "*/temp* needs a directory");
        assert!(ignored(file, "somedir/subdir/temporary.txt"));
        assert!(ignored(file, "tempa"));
        assert!(ignored(file, "tempb"));
        assert!(!ignored(file, "temp"), "temp? needs one more character");
        // `**` matches any number of directories, none included.
        assert!(ignored("**/*.go", "main.go"));
        assert!(ignored("**/*.go", "a/b/c/main.go"));
        assert!(!ignored("**/*.go", "main.go.txt"));
        // Exceptions: the last matching line wins.
        let md = "*.md\n!README.md\n";
        assert!(ignored(md, "CHANGES.md"));
        assert!(!ignored(md, "README.md"));
        let md = "*.md\n!README*.md\nREADME-secret.md\n";
        assert!(ignored(md, "README-secret.md"));
        assert!(!ignored(md, "README-public.md"));
        let md = "*.md\nREADME-secret.md\n!README*.md\n";
        assert!(!ignored(md, "README-secret.md"));
        // A leading `/` and `./` change nothing; a pattern is anchored at the root.
        assert!(ignored("/foo/bar", "foo/bar"));
        assert!(ignored("./foo/bar", "foo/bar"));
        assert!(!ignored("foo", "a/foo"));
        // `#` only starts a comment in the first column.
        assert!(ignored("  # x", "# x"));
    }

    #[test]
    fn a_parent_match_excludes_everything_below() {
        assert!(ignored("node_modules", "node_modules/a/b.js"));
        assert!(ignored("build/", "build/out.o"));
        assert!(ignored("*", "a/b/c"));
        assert!(!ignored("a/b", "a/c"));
        assert!(ignored("**", "anything/at/all"));
        assert!(ignored("dist**", "dist-old/x"));
        assert!(ignored("**/cache", "cache"));
        assert!(ignored("**/cache", "a/cache/x"));
        assert!(ignored("[a-c]at", "bat"));
        assert!(!ignored("[a-c]at", "rat"));
        assert!(ignored("a\\*b", "a*b"));
        assert!(!ignored("a\\*b", "axb"));
        let refused = DockerIgnore::parse("[unterminated\n*\n");
        assert!(refused.refused.is_some());
        assert!(
            !refused.excludes("x"),
            "a file Docker refuses excludes nothing"
        );
        assert!(DockerIgnore::parse("!\n").refused.is_some());
    }

    #[test]
    fn root_and_exclusion_queries() {
        let d = DockerIgnore::parse("**\n!Dockerfile\n");
        assert!(d.has_exclusions());
        assert!(d.excludes_root_entries());
        assert!(!DockerIgnore::parse(".*\n").excludes_root_entries());
        assert!(DockerIgnore::parse("\u{feff}*\n").excludes_root_entries());
    }
}

//! Inline suppressions.
//!
//! - `# plimsoll ignore=CODE[,CODE] -- reason` on the line(s) above a Dockerfile instruction or
//!   a compose key: covers that instruction's lines or that key's block.
//! - `# plimsoll ignore-file=CODE[,CODE]` anywhere: covers the whole file.
//! - hadolint's `# hadolint ignore=DL3007,DL3008` (next instruction) and
//!   `# hadolint global ignore=…` (whole file).
//! - BuildKit's `# check=skip=Name1,Name2` (or `skip=all`) parser directive at the top of a
//!   Dockerfile: whole file. `skip=all` suppresses every rule.
//!
//! Codes are rule codes, names or aliases, mapped to rule codes by the caller's resolver (the
//! catalog); a token the resolver does not know still matches a finding's code or name exactly.
//! Suppressions that suppress nothing can be reported as findings ([`Suppressions::unused`]).

use crate::finding::{Finding, Severity};
use crate::source::{FileKind, SourceFile, Span};

/// Code and name of the finding for a suppression that suppresses nothing.
pub const UNUSED_CODE: &str = crate::rules::RuleId::UnusedSuppression.code();
pub const UNUSED_NAME: &str = crate::rules::RuleId::UnusedSuppression.name();

/// Where a suppression comes from (decides whether an unknown code is reported as unused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Plimsoll,
    Hadolint,
    BuildKit,
}

#[derive(Clone, Debug)]
struct Token {
    text: String,
    /// Where the token is written, for unused-suppression reports.
    span: Span,
    /// Rule codes the token resolves to; empty when the resolver does not know it.
    codes: Vec<&'static str>,
    /// Matches every finding (`check=skip=all`).
    all: bool,
    used: bool,
}

impl Token {
    fn matches(&self, f: &Finding) -> bool {
        self.all
            || self.codes.contains(&f.code)
            || self.text.eq_ignore_ascii_case(f.code)
            || self.text.eq_ignore_ascii_case(f.name)
    }
}

#[derive(Clone, Debug)]
struct Entry {
    origin: Origin,
    /// 1-based inclusive line range covered; `None` covers the whole file.
    lines: Option<(u32, u32)>,
    tokens: Vec<Token>,
}

/// The suppressions found in one file.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    entries: Vec<Entry>,
}

impl Suppressions {
    /// Reads the suppression comments of `file`. `statements` are the file's statement line
    /// ranges (1-based, inclusive; from the engine): a comment applies to the first statement
    /// starting after it. When `statements` is empty (no parse available), a scope is worked out
    /// from the text: continuation lines for Dockerfiles, indentation for compose.
    pub fn parse(
        file: &SourceFile,
        statements: &[(u32, u32)],
        resolve: &dyn Fn(&str) -> Vec<&'static str>,
    ) -> Suppressions {
        let text: &str = &file.text;
        let idx = &file.line_index;
        let mut entries = Vec::new();
        // BuildKit directives only count before the first non-comment line.
        let mut in_header = file.kind == FileKind::Dockerfile;
        // Quick exit: most files have no comment that could suppress anything.
        if memchr::memmem::find(text.as_bytes(), b"ignore").is_none()
            && memchr::memmem::find(text.as_bytes(), b"check").is_none()
        {
            return Suppressions::default();
        }
        for line in 0..idx.line_count() {
            let Some(range) = idx.line_range(line, text) else {
                break;
            };
            let raw = &text[range.clone()];
            let trimmed = raw.trim_start();
            let Some(body) = trimmed.strip_prefix('#') else {
                if !trimmed.is_empty() {
                    in_header = false;
                }
                continue;
            };
            let body_start = range.start + (raw.len() - body.len());
            let line_no = line as u32 + 1;
            let parsed = parse_comment(body, body_start, in_header);
            let Some((origin, whole_file, tokens)) = parsed else {
                continue;
            };
            let lines = if whole_file {
                None
            } else {
                match scope_after(file, line_no, statements) {
                    Some(r) => Some(r),
                    None => continue,
                }
            };
            let tokens = tokens
                .into_iter()
                .map(|(t, span)| {
                    let all = origin == Origin::BuildKit && t.eq_ignore_ascii_case("all");
                    Token {
                        codes: if all { Vec::new() } else { resolve(&t) },
                        text: t,
                        span,
                        all,
                        used: false,
                    }
                })
                .collect();
            entries.push(Entry {
                origin,
                lines,
                tokens,
            });
        }
        Suppressions { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes suppressed findings, marking the suppressions that were used.
    pub fn filter(&mut self, file: &SourceFile, findings: Vec<Finding>) -> Vec<Finding> {
        if self.entries.is_empty() {
            return findings;
        }
        findings
            .into_iter()
            .filter(|f| {
                let line = file.line_col(f.span.start as usize).line;
                let mut suppressed = false;
                for e in &mut self.entries {
                    if e.lines.is_some_and(|(s, end)| line < s || line > end) {
                        continue;
                    }
                    for t in &mut e.tokens {
                        if t.matches(f) {
                            t.used = true;
                            suppressed = true;
                        }
                    }
                }
                !suppressed
            })
            .collect()
    }

    /// A finding for each suppression code that suppressed nothing. Codes from hadolint and
    /// BuildKit comments that name no plimsoll rule are not reported: they are for those tools.
    pub fn unused(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for e in &self.entries {
            for t in &e.tokens {
                let foreign = e.origin != Origin::Plimsoll && (t.codes.is_empty() || t.all);
                if t.used || foreign {
                    continue;
                }
                let what = if t.codes.is_empty() {
                    format!("`{}` names no rule", t.text)
                } else {
                    format!("`{}` suppresses nothing here", t.text)
                };
                out.push(Finding::new(
                    UNUSED_CODE,
                    UNUSED_NAME,
                    Severity::Warning,
                    t.span,
                    format!("unused suppression: {what}"),
                ));
            }
        }
        out
    }
}

type Tokens = Vec<(String, Span)>;

/// Recognises a suppression in a comment body (the text after `#`, starting at byte `start`).
/// Returns its origin, whether it covers the whole file, and its code tokens with spans.
fn parse_comment(body: &str, start: usize, in_header: bool) -> Option<(Origin, bool, Tokens)> {
    let trimmed = body.trim_start();
    let at = start + (body.len() - trimmed.len());
    if let Some(rest) = word(trimmed, "plimsoll") {
        let rest_at = at + (trimmed.len() - rest.len());
        if let Some(v) = rest.strip_prefix("ignore-file=") {
            return Some((Origin::Plimsoll, true, codes(v, rest_at + 12)));
        }
        if let Some(v) = rest.strip_prefix("ignore=") {
            return Some((Origin::Plimsoll, false, codes(v, rest_at + 7)));
        }
        return None;
    }
    if let Some(rest) = word(trimmed, "hadolint") {
        let rest_at = at + (trimmed.len() - rest.len());
        if let Some(after) = word(rest, "global") {
            let after_at = rest_at + (rest.len() - after.len());
            let v = after.strip_prefix("ignore=")?;
            return Some((Origin::Hadolint, true, codes(v, after_at + 7)));
        }
        let v = rest.strip_prefix("ignore=")?;
        return Some((Origin::Hadolint, false, codes(v, rest_at + 7)));
    }
    if in_header {
        // BuildKit parser directive: `check = skip=A,B;error=true`.
        let (key, value) = trimmed.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("check") {
            return None;
        }
        let value_at = at + key.len() + 1;
        let mut offset = 0;
        for part in value.split(';') {
            let lead = part.len() - part.trim_start().len();
            if let Some(list) = part.trim_start().strip_prefix("skip=") {
                let list_at = value_at + offset + lead + 5;
                let toks = list
                    .split(',')
                    .scan(list_at, |pos, t| {
                        let here = *pos;
                        *pos += t.len() + 1;
                        let lead = t.len() - t.trim_start().len();
                        let tt = t.trim();
                        Some((
                            tt.to_string(),
                            Span::new(here + lead, here + lead + tt.len()),
                        ))
                    })
                    .filter(|(t, _)| !t.is_empty())
                    .collect();
                return Some((Origin::BuildKit, true, toks));
            }
            offset += part.len() + 1;
        }
    }
    None
}

/// `s` after the word `w` and at least one blank, if `s` starts with that word.
fn word<'a>(s: &'a str, w: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(w)?;
    let after = rest.trim_start_matches([' ', '\t']);
    (after.len() < rest.len()).then_some(after)
}

/// Comma-separated codes up to the first blank (a reason may follow: `-- why`).
fn codes(v: &str, at: usize) -> Tokens {
    let list = v.split([' ', '\t']).next().unwrap_or("");
    let mut pos = at;
    let mut out = Vec::new();
    for t in list.split(',') {
        if !t.is_empty() {
            out.push((t.to_string(), Span::new(pos, pos + t.len())));
        }
        pos += t.len() + 1;
    }
    out
}

/// The line range a comment on 1-based line `line` applies to.
fn scope_after(file: &SourceFile, line: u32, statements: &[(u32, u32)]) -> Option<(u32, u32)> {
    let text: &str = &file.text;
    let idx = &file.line_index;
    // The next line that is neither blank nor a comment.
    let mut next = line + 1;
    loop {
        let range = idx.line_range(next as usize - 1, text)?;
        let t = text[range].trim_start();
        if !t.is_empty() && !t.starts_with('#') {
            break;
        }
        next += 1;
    }
    if !statements.is_empty() {
        // The outermost statement starting on that line (a compose key with its block).
        return statements
            .iter()
            .filter(|(s, _)| *s == next)
            .max_by_key(|(s, e)| e - s)
            .copied()
            .or(Some((next, next)));
    }
    Some(match file.kind {
        FileKind::Dockerfile => (next, continuation_end(file, next)),
        FileKind::Compose => (next, block_end(file, next)),
    })
}

/// Last line of the Dockerfile instruction starting on `line`: lines ending in `\` continue it.
fn continuation_end(file: &SourceFile, line: u32) -> u32 {
    let text: &str = &file.text;
    let mut l = line;
    while let Some(r) = file.line_index.line_range(l as usize - 1, text) {
        let content = text[r].trim_end();
        if !content.ends_with('\\') || l as usize >= file.line_index.line_count() {
            break;
        }
        l += 1;
    }
    l
}

/// Last line of the YAML block whose key is on `line`: following lines indented deeper (or a
/// `- ` sequence at the key's own indent, when the key has no inline value).
fn block_end(file: &SourceFile, line: u32) -> u32 {
    let text: &str = &file.text;
    let idx = &file.line_index;
    let indent = |s: &str| s.len() - s.trim_start_matches(' ').len();
    let Some(first) = idx.line_range(line as usize - 1, text).map(|r| &text[r]) else {
        return line;
    };
    let key_indent = indent(first);
    let opens_block = first.trim_end().ends_with(':');
    let mut end = line;
    let mut l = line + 1;
    while let Some(r) = idx.line_range(l as usize - 1, text) {
        let s = &text[r];
        let t = s.trim_start();
        if t.is_empty() || t.starts_with('#') {
            l += 1;
            continue;
        }
        let i = indent(s);
        if i > key_indent || (opens_block && i == key_indent && t.starts_with("- ")) {
            end = l;
            l += 1;
        } else {
            break;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(s: &str) -> Vec<&'static str> {
        match s.to_ascii_lowercase().as_str() {
            "pl101" | "latest-tag" | "dl3007" => vec!["PL101"],
            "pl201" | "root-user" | "dl3002" => vec!["PL201"],
            "pl301" | "split-run" | "dl3059" => vec!["PL301"],
            "jsonargsrecommended" => vec!["PL302"],
            _ => vec![],
        }
    }

    fn f(file: &SourceFile, code: &'static str, needle: &str) -> Finding {
        let at = file.text.find(needle).unwrap();
        let name = match code {
            "PL101" => "latest-tag",
            "PL201" => "root-user",
            _ => "other",
        };
        Finding::new(
            code,
            name,
            Severity::Warning,
            Span::new(at, at + needle.len()),
            "m",
        )
    }

    fn run(
        kind: FileKind,
        text: &str,
        statements: &[(u32, u32)],
        findings: &[(&'static str, &str)],
    ) -> (Vec<String>, Vec<String>) {
        let file = SourceFile::new("x", text, kind);
        let fs: Vec<Finding> = findings.iter().map(|(c, n)| f(&file, c, n)).collect();
        let mut s = Suppressions::parse(&file, statements, &resolver);
        let kept = s.filter(&file, fs);
        let kept = kept
            .iter()
            .map(|f| format!("{}@{}", f.code, file.line_col(f.span.start as usize).line))
            .collect();
        let unused = s
            .unused()
            .iter()
            .map(|f| format!("{}:{}", file.slice(f.span), f.message))
            .collect();
        (kept, unused)
    }

    #[test]
    fn plimsoll_ignore_covers_the_next_instruction_only() {
        let text =
            "# plimsoll ignore=latest-tag -- vendor image\nFROM a:latest AS x\nFROM b:latest\n";
        let (kept, unused) = run(
            FileKind::Dockerfile,
            text,
            &[],
            &[("PL101", "a:latest"), ("PL101", "b:latest")],
        );
        assert_eq!(kept, vec!["PL101@3"]);
        assert!(unused.is_empty());
    }

    #[test]
    fn continuation_lines_and_statement_ranges() {
        let text = "FROM a\n# plimsoll ignore=PL201\nRUN x && \\\n  USER root\nUSER root\n";
        let (kept, _) = run(FileKind::Dockerfile, text, &[], &[("PL201", "USER root\n")]);
        assert!(kept.is_empty(), "{kept:?}");
        // With the engine's ranges, the statement on line 3 ends on line 3.
        let (kept, _) = run(
            FileKind::Dockerfile,
            text,
            &[(1, 1), (3, 3), (4, 4), (5, 5)],
            &[("PL201", "USER root\n")],
        );
        assert_eq!(kept, vec!["PL201@4"]);
    }

    #[test]
    fn hadolint_and_buildkit_forms() {
        let text = "# check=skip=JSONArgsRecommended;error=true\n# hadolint global ignore=DL3002\nFROM a\n# hadolint ignore=DL3007,DL9999\nFROM b:latest\nUSER root\n";
        let (kept, unused) = run(
            FileKind::Dockerfile,
            text,
            &[],
            &[
                ("PL101", "b:latest"),
                ("PL201", "root"),
                ("PL302", "FROM a"),
            ],
        );
        assert!(kept.is_empty(), "{kept:?}");
        assert!(
            unused.is_empty(),
            "foreign codes are not reported: {unused:?}"
        );
        let (kept, _) = run(
            FileKind::Dockerfile,
            "# check=skip=all\nFROM b:latest\n",
            &[],
            &[("PL101", "b:latest")],
        );
        assert!(kept.is_empty());
        // Not a directive after the first instruction.
        let (kept, _) = run(
            FileKind::Dockerfile,
            "FROM a\n# check=skip=all\nFROM b:latest\n",
            &[],
            &[("PL101", "b:latest")],
        );
        assert_eq!(kept, vec!["PL101@3"]);
    }

    #[test]
    fn compose_key_block_and_file_ignores() {
        let text = "services:\n  # plimsoll ignore=latest-tag\n  web:\n    image: a:latest\n    ports:\n    - 80\n  db:\n    image: b:latest\n";
        let (kept, _) = run(
            FileKind::Compose,
            text,
            &[],
            &[("PL101", "a:latest"), ("PL101", "b:latest")],
        );
        assert_eq!(kept, vec!["PL101@8"]);
        let text =
            "# plimsoll ignore-file=PL101,root-user\nservices:\n  db:\n    image: b:latest\n";
        let (kept, unused) = run(FileKind::Compose, text, &[], &[("PL101", "b:latest")]);
        assert!(kept.is_empty());
        assert_eq!(
            unused,
            vec!["root-user:unused suppression: `root-user` suppresses nothing here"]
        );
    }

    #[test]
    fn unused_and_unknown_codes_are_reported() {
        let text = "# plimsoll ignore=PL101,bogus -- why\nFROM a\n";
        let (_, unused) = run(FileKind::Dockerfile, text, &[], &[]);
        assert_eq!(
            unused,
            vec![
                "PL101:unused suppression: `PL101` suppresses nothing here",
                "bogus:unused suppression: `bogus` names no rule"
            ]
        );
    }
}

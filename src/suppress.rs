//! Inline suppressions.
//!
//! - `# plimsoll ignore=CODE[,CODE] -- reason` on the line(s) above a Dockerfile instruction or
//!   a compose key: covers that instruction's lines or that key's block.
//! - `# plimsoll ignore-file=CODE[,CODE]` anywhere: covers the whole file.
//! - hadolint's `# hadolint ignore=DL3007,DL3008` (next instruction),
//!   `# hadolint global ignore=…` (whole file) and `# hadolint stage ignore=…` (from the next
//!   instruction to the end of its stage: placed above a `FROM`, the whole of that stage).
//!   hadolint 2.15 starts a stage ignore one line late (the instruction right below the comment
//!   is not covered, and the next stage's `FROM` is): plimsoll covers what the comment says.
//! - dclint's, in compose files, as dclint reads them: `# dclint disable-file` as the first
//!   line that is not blank (or `---`) covers the whole file; `# dclint disable [rule …]` as that
//!   line covers the whole file for the rules named; `# dclint disable-line [rule …]` on a line
//!   covers that line, or the next line when the comment stands alone on its line (and, as
//!   plimsoll reports at the offending item where dclint reports at its key, the block that line
//!   opens). Rules are dclint's names; naming none stands for every rule dclint has (the
//!   plimsoll rules its names are aliases of), never for plimsoll's other rules.
//!
//! BuildKit's `# check=` directive and comments are not suppressions: they configure which of
//! BuildKit's checks run, and the engine reads them as BuildKit does (`rules::buildkit`).
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
    Dclint,
}

#[derive(Clone, Debug)]
struct Token {
    text: String,
    /// Where the token is written, for unused-suppression reports.
    span: Span,
    /// Rule codes the token resolves to; empty when the resolver does not know it.
    codes: Vec<&'static str>,
    used: bool,
}

impl Token {
    fn matches(&self, f: &Finding) -> bool {
        self.codes.contains(&f.code)
            || self.text.eq_ignore_ascii_case(f.code)
            || self.text.eq_ignore_ascii_case(f.name)
            // A foreign code (`SC2086`) is suppressed by naming its rule (`PL350`, `shell`) too.
            || crate::rules::catalog::foreign_code(f.code)
                .is_some_and(|(_, rule)| self.codes.contains(&rule.code()))
    }
}

/// What a suppression comment covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// The next statement (instruction or compose key with its block).
    Next,
    /// The whole file.
    File,
    /// From the next instruction to the end of its stage (hadolint's `stage ignore=`).
    Stage,
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
        if file.kind == FileKind::Compose
            && memchr::memmem::find(text.as_bytes(), b"dclint").is_some()
        {
            dclint_comments(file, resolve, &mut entries);
        }
        // Quick exit: most files have no comment that could suppress anything.
        if memchr::memmem::find(text.as_bytes(), b"ignore").is_none() {
            return Suppressions { entries };
        }
        for line in 0..idx.line_count() {
            let Some(range) = idx.line_range(line, text) else {
                break;
            };
            let raw = &text[range.clone()];
            let trimmed = raw.trim_start();
            let Some(body) = trimmed.strip_prefix('#') else {
                continue;
            };
            let body_start = range.start + (raw.len() - body.len());
            let line_no = line as u32 + 1;
            let parsed = parse_comment(body, body_start);
            let Some((origin, scope, tokens)) = parsed else {
                continue;
            };
            let lines = match scope {
                Scope::File => None,
                Scope::Next => match scope_after(file, line_no, statements) {
                    Some(r) => Some(r),
                    None => continue,
                },
                Scope::Stage => match stage_after(file, line_no, statements) {
                    Some(r) => Some(r),
                    None => continue,
                },
            };
            let tokens = tokens
                .into_iter()
                .map(|(t, span)| Token {
                    codes: resolve(&t),
                    text: t,
                    span,
                    used: false,
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

    /// A finding for each suppression code that suppressed nothing. Codes from hadolint
    /// comments that name no plimsoll rule are not reported: they are for hadolint. dclint
    /// comments are never reported: they are written for dclint, which may still run, and may
    /// name rules plimsoll leaves off by default.
    pub fn unused(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for e in &self.entries {
            for t in &e.tokens {
                let foreign = e.origin != Origin::Plimsoll && t.codes.is_empty();
                if t.used || foreign || e.origin == Origin::Dclint {
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

/// Reads dclint's comments (see the module documentation) into `entries`.
fn dclint_comments(
    file: &SourceFile,
    resolve: &dyn Fn(&str) -> Vec<&'static str>,
    entries: &mut Vec<Entry>,
) {
    let text: &str = &file.text;
    let idx = &file.line_index;
    // A name stands for the rules it is an alias of; no name, for all of dclint's.
    let token = |name: &str, span: Span| -> Token {
        let codes = if name.is_empty() {
            crate::rules::dclint::RULE_NAMES
                .iter()
                .flat_map(|n| resolve(n))
                .collect()
        } else if crate::rules::dclint::RULE_NAMES.contains(&name) {
            resolve(name)
        } else {
            Vec::new()
        };
        Token {
            text: if name.is_empty() {
                "*".into()
            } else {
                name.into()
            },
            span,
            codes,
            used: false,
        }
    };
    let tokens_of = |rest: &str, at: usize| -> Vec<Token> {
        let mut out = Vec::new();
        let mut pos = at;
        for word in rest.split([' ', '\t']) {
            if !word.is_empty() && !word.starts_with('#') {
                out.push(token(word, Span::new(pos, pos + word.len())));
            }
            pos += word.len() + 1;
        }
        if out.is_empty() {
            out.push(token("", Span::new(at, at)));
        }
        out
    };
    let mut first_seen = false;
    for line in 0..idx.line_count() {
        let Some(range) = idx.line_range(line, text) else {
            break;
        };
        let raw = &text[range.clone()];
        let trimmed = raw.trim();
        let first = !first_seen && !trimmed.is_empty() && trimmed != "---";
        if first {
            first_seen = true;
        }
        let Some(hash) = raw.find('#') else { continue };
        let Some((directive, rest, rest_at)) = dclint_directive(&raw[hash + 1..]) else {
            continue;
        };
        let rest_at = range.start + hash + 1 + rest_at;
        match directive {
            "disable-file" if first && trimmed.starts_with('#') => entries.push(Entry {
                origin: Origin::Dclint,
                lines: None,
                tokens: vec![token("", Span::new(rest_at, rest_at))],
            }),
            "disable" if first && trimmed.starts_with('#') => entries.push(Entry {
                origin: Origin::Dclint,
                lines: None,
                tokens: tokens_of(rest, rest_at),
            }),
            "disable-line" => {
                let own_line = trimmed.starts_with('#');
                let target = line as u32 + 1 + u32::from(own_line);
                if target as usize > idx.line_count() {
                    continue;
                }
                entries.push(Entry {
                    origin: Origin::Dclint,
                    lines: Some((target, block_end(file, target))),
                    tokens: tokens_of(rest, rest_at),
                });
            }
            _ => {}
        }
    }
}

/// `dclint <directive> <rest>` in a comment body: the directive, the rest and where it starts
/// in `body`.
fn dclint_directive(body: &str) -> Option<(&str, &str, usize)> {
    let after = word(body.trim_start(), "dclint")?;
    let end = after.find([' ', '\t']).unwrap_or(after.len());
    let directive = &after[..end];
    let rest = after[end..].trim_start_matches([' ', '\t']);
    let rest = rest.trim_end();
    Some((
        directive,
        rest,
        body.len() - after[end..].trim_start_matches([' ', '\t']).len(),
    ))
}

/// Recognises a suppression in a comment body (the text after `#`, starting at byte `start`).
/// Returns its origin, what it covers, and its code tokens with spans.
fn parse_comment(body: &str, start: usize) -> Option<(Origin, Scope, Tokens)> {
    let trimmed = body.trim_start();
    let at = start + (body.len() - trimmed.len());
    if let Some(rest) = word(trimmed, "plimsoll") {
        let rest_at = at + (trimmed.len() - rest.len());
        if let Some(v) = rest.strip_prefix("ignore-file=") {
            return Some((Origin::Plimsoll, Scope::File, codes(v, rest_at + 12)));
        }
        if let Some(v) = rest.strip_prefix("ignore=") {
            return Some((Origin::Plimsoll, Scope::Next, codes(v, rest_at + 7)));
        }
        return None;
    }
    if let Some(rest) = word(trimmed, "hadolint") {
        let rest_at = at + (trimmed.len() - rest.len());
        for (prefix, scope) in [("global", Scope::File), ("stage", Scope::Stage)] {
            if let Some(after) = word(rest, prefix) {
                let after_at = rest_at + (rest.len() - after.len());
                let v = after.strip_prefix("ignore=")?;
                return Some((Origin::Hadolint, scope, codes(v, after_at + 7)));
            }
        }
        let v = rest.strip_prefix("ignore=")?;
        return Some((Origin::Hadolint, Scope::Next, codes(v, rest_at + 7)));
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
        FileKind::Env => (next, next),
    })
}

/// The line range a `stage ignore=` comment on 1-based line `line` applies to: from the next
/// instruction to the line before the next `FROM` after it (or the end of the file). Below a
/// `FROM`'s line, that is the rest of the stage; above a `FROM`, the whole of its stage.
fn stage_after(file: &SourceFile, line: u32, statements: &[(u32, u32)]) -> Option<(u32, u32)> {
    if file.kind != FileKind::Dockerfile {
        return None;
    }
    let (start, first_end) = scope_after(file, line, statements)?;
    let last_line = file.line_index.line_count() as u32;
    let is_from = |l: u32| {
        file.line_index
            .line_range(l as usize - 1, &file.text)
            .map(|r| file.text[r].trim_start())
            .and_then(|t| t.get(..4).map(|kw| (kw, &t[4..])))
            .is_some_and(|(kw, rest)| {
                kw.eq_ignore_ascii_case("FROM") && rest.starts_with([' ', '\t'])
            })
    };
    let next_from = if statements.is_empty() {
        // No parse: walk the instructions by their continuation lines.
        let mut end = first_end;
        loop {
            let Some(next) = next_code_line(file, end + 1) else {
                break None;
            };
            if is_from(next) {
                break Some(next);
            }
            end = continuation_end(file, next);
        }
    } else {
        statements
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| *s > start)
            .filter(|s| is_from(*s))
            .min()
    };
    Some((start, next_from.map_or(last_line.max(start), |f| f - 1)))
}

/// The first line from 1-based `line` on that is neither blank nor a comment.
fn next_code_line(file: &SourceFile, mut line: u32) -> Option<u32> {
    loop {
        let range = file.line_index.line_range(line as usize - 1, &file.text)?;
        let t = file.text[range].trim_start();
        if !t.is_empty() && !t.starts_with('#') {
            return Some(line);
        }
        line += 1;
    }
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
    use crate::rules::RuleId;

    fn resolver(s: &str) -> Vec<&'static str> {
        match s.to_ascii_lowercase().as_str() {
            "pl101" | "latest-tag" | "dl3007" => vec![RuleId::LatestTag.code()],
            "pl201" | "root-user" | "dl3002" => vec![RuleId::RootUser.code()],
            "pl301" | "split-run" | "dl3059" => vec![RuleId::SplitRun.code()],
            "jsonargsrecommended" => vec![RuleId::JsonArgsRecommended.code()],
            "services-alphabetical-order" => vec![RuleId::ServicesOrder.code()],
            "no-version-field" => vec![RuleId::ComposeVersionObsolete.code()],
            _ => vec![],
        }
    }

    fn f(file: &SourceFile, code: &'static str, needle: &str) -> Finding {
        let at = file.text.find(needle).unwrap();
        let name = RuleId::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .map_or("other", RuleId::name);
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
            &[
                (RuleId::LatestTag.code(), "a:latest"),
                (RuleId::LatestTag.code(), "b:latest"),
            ],
        );
        assert_eq!(kept, vec![format!("{}@3", RuleId::LatestTag.code())]);
        assert!(unused.is_empty());
    }

    #[test]
    fn continuation_lines_and_statement_ranges() {
        let text = "FROM a\n# plimsoll ignore=PL201\nRUN x && \\\n  USER root\nUSER root\n";
        let (kept, _) = run(
            FileKind::Dockerfile,
            text,
            &[],
            &[(RuleId::RootUser.code(), "USER root\n")],
        );
        assert!(kept.is_empty(), "{kept:?}");
        // With the engine's ranges, the statement on line 3 ends on line 3.
        let (kept, _) = run(
            FileKind::Dockerfile,
            text,
            &[(1, 1), (3, 3), (4, 4), (5, 5)],
            &[(RuleId::RootUser.code(), "USER root\n")],
        );
        assert_eq!(kept, vec![format!("{}@4", RuleId::RootUser.code())]);
    }

    #[test]
    fn hadolint_forms() {
        let text = "# hadolint global ignore=DL3002\nFROM a\n# hadolint ignore=DL3007,DL9999\nFROM b:latest\nUSER root\n";
        let (kept, unused) = run(
            FileKind::Dockerfile,
            text,
            &[],
            &[
                (RuleId::LatestTag.code(), "b:latest"),
                (RuleId::RootUser.code(), "root"),
            ],
        );
        assert!(kept.is_empty(), "{kept:?}");
        assert!(
            unused.is_empty(),
            "foreign codes are not reported: {unused:?}"
        );
        // BuildKit's `# check=` is read by the engine, not as a suppression.
        let (kept, _) = run(
            FileKind::Dockerfile,
            "# check=skip=all\nFROM b:latest\n",
            &[],
            &[(RuleId::LatestTag.code(), "b:latest")],
        );
        assert_eq!(kept, vec![format!("{}@2", RuleId::LatestTag.code())]);
    }

    #[test]
    fn hadolint_stage_ignore_covers_the_rest_of_the_stage() {
        // Line 3 covers lines 4-6 (the continuation line 6 does not start a stage); line 8,
        // above a `FROM`, covers that stage (lines 9-10).
        let text = "FROM debian:12\nRUN a\n# hadolint stage ignore=DL3007,DL3002\nRUN b\nRUN c \\\n  from here\nFROM b:latest\n# hadolint stage ignore=latest-tag\nFROM c:latest AS x\nRUN d\nFROM e:latest\n";
        let latest = RuleId::LatestTag.code();
        let found = [
            (latest, "RUN a"),
            (latest, "RUN b"),
            (latest, "RUN c"),
            (latest, "from here"),
            (latest, "b:latest"),
            (latest, "c:latest"),
            (latest, "RUN d"),
            (latest, "e:latest"),
        ];
        let want = vec![
            format!("{latest}@2"),
            format!("{latest}@7"),
            format!("{latest}@11"),
        ];
        let (kept, unused) = run(FileKind::Dockerfile, text, &[], &found);
        assert_eq!(kept, want, "from the text");
        assert_eq!(
            unused,
            vec!["DL3002:unused suppression: `DL3002` suppresses nothing here"]
        );
        let statements = [
            (1, 1),
            (2, 2),
            (4, 4),
            (5, 6),
            (7, 7),
            (9, 9),
            (10, 10),
            (11, 11),
        ];
        let (kept, _) = run(FileKind::Dockerfile, text, &statements, &found);
        assert_eq!(kept, want, "from the statements");
        // Not a stage ignore: a misspelt scope, and compose files (which have no stages).
        let text = "# hadolint stages ignore=DL3007\nFROM b:latest\n";
        let (kept, _) = run(FileKind::Dockerfile, text, &[], &[(latest, "b:latest")]);
        assert_eq!(kept, vec![format!("{latest}@2")]);
        let text = "# hadolint stage ignore=DL3007\nservices:\n  a:\n    image: b:latest\n";
        let (kept, _) = run(FileKind::Compose, text, &[], &[(latest, "b:latest")]);
        assert_eq!(kept, vec![format!("{latest}@4")]);
        // At the end of the file, it covers nothing and does not fail.
        let (kept, _) = run(
            FileKind::Dockerfile,
            "FROM b:latest\n# hadolint stage ignore=DL3007\n",
            &[],
            &[(latest, "b:latest")],
        );
        assert_eq!(kept, vec![format!("{latest}@1")]);
    }

    #[test]
    fn compose_key_block_and_file_ignores() {
        let text = "services:\n  # plimsoll ignore=latest-tag\n  web:\n    image: a:latest\n    ports:\n    - 80\n  db:\n    image: b:latest\n";
        let (kept, _) = run(
            FileKind::Compose,
            text,
            &[],
            &[
                (RuleId::LatestTag.code(), "a:latest"),
                (RuleId::LatestTag.code(), "b:latest"),
            ],
        );
        assert_eq!(kept, vec![format!("{}@8", RuleId::LatestTag.code())]);
        let text =
            "# plimsoll ignore-file=PL101,root-user\nservices:\n  db:\n    image: b:latest\n";
        let (kept, unused) = run(
            FileKind::Compose,
            text,
            &[],
            &[(RuleId::LatestTag.code(), "b:latest")],
        );
        assert!(kept.is_empty());
        assert_eq!(
            unused,
            vec!["root-user:unused suppression: `root-user` suppresses nothing here"]
        );
    }

    #[test]
    fn dclint_comments_as_dclint_reads_them() {
        let version = RuleId::ComposeVersionObsolete.code();
        let order = RuleId::ServicesOrder.code();
        let latest = RuleId::LatestTag.code();
        // disable-file on the first line: dclint's rules only, in the whole file.
        let text = "\n---\n# dclint disable-file\nversion: '3'\nservices:\n  b:\n    image: x:latest\n  a: {}\n";
        let found = [(version, "version"), (order, "a: {}"), (latest, "x:latest")];
        let (kept, unused) = run(FileKind::Compose, text, &[], &found);
        assert_eq!(kept, vec![format!("{latest}@7")]);
        assert!(unused.is_empty(), "{unused:?}");
        // Not on the first line: nothing.
        let text = "version: '3'\n# dclint disable-file\nservices: {}\n";
        let (kept, _) = run(FileKind::Compose, text, &[], &[(version, "version")]);
        assert_eq!(kept, vec![format!("{version}@1")]);
        // disable <rules> on the first line.
        let text = "# dclint disable no-version-field\nversion: '3'\nservices:\n  b: {}\n  a: {}\n";
        let found = [(version, "version"), (order, "a: {}")];
        let (kept, _) = run(FileKind::Compose, text, &[], &found);
        assert_eq!(kept, vec![format!("{order}@5")]);
        // disable-line: the same line, or the next when the comment stands alone.
        let text = "version: '3' # dclint disable-line no-version-field\nservices:\n  b: {}\n  # dclint disable-line services-alphabetical-order\n  a: {}\n  0: {}\n";
        let found = [(version, "version"), (order, "a: {}"), (order, "0: {}")];
        let (kept, unused) = run(FileKind::Compose, text, &[], &found);
        assert_eq!(kept, vec![format!("{order}@6")]);
        assert!(unused.is_empty());
        // Not read in Dockerfiles.
        let text = "# dclint disable-file\nFROM b:latest\n";
        let (kept, _) = run(FileKind::Dockerfile, text, &[], &[(latest, "b:latest")]);
        assert_eq!(kept, vec![format!("{latest}@2")]);
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

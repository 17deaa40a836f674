//! BuildKit's build-check configuration, as written in the `# check=` parser directive, in a
//! `# check=` comment above one instruction, or in the `BUILDKIT_DOCKERFILE_CHECK` build
//! argument: `skip=<rules>|all`, `error=<bool>` and `experimental=<rules>|all`, separated by `;`.
//!
//! The grammar and its quirks are BuildKit's (`linter.ParseLintOptions`,
//! `parser.ParseDirective`): the directive's value ends at its first space (so a comment may
//! follow), at most three `;`-separated options are read (a fourth stays in the third's value),
//! and `error` takes Go's boolean spellings.

use crate::source::Span;

/// Parsed check options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `skip=all`.
    pub skip_all: bool,
    /// `skip=A,B`: check names, as written (BuildKit compares them exactly).
    pub skip: Vec<String>,
    /// `experimental=all`.
    pub experimental_all: bool,
    /// `experimental=A,B`.
    pub experimental: Vec<String>,
    /// `error=true`: check findings fail the build.
    pub error: bool,
}

impl CheckOptions {
    /// Parses an option string (BuildKit's `ParseLintOptions`). The error is BuildKit's reason.
    pub fn parse(value: &str) -> Result<CheckOptions, String> {
        let value = value.trim();
        let mut out = CheckOptions::default();
        if value.is_empty() {
            return Ok(out);
        }
        for part in value.splitn(3, ';') {
            let Some((key, v)) = part.split_once('=') else {
                return Err(format!("invalid check option {part:?}"));
            };
            match key.trim() {
                "skip" => {
                    let v = v.trim();
                    if v == "all" {
                        out.skip_all = true;
                    } else {
                        out.skip = v.split(',').map(|r| r.trim().to_string()).collect();
                    }
                }
                "experimental" => {
                    let v = v.trim();
                    if v == "all" {
                        out.experimental_all = true;
                    } else {
                        out.experimental = v.split(',').map(|r| r.trim().to_string()).collect();
                    }
                }
                "error" => {
                    out.error = parse_go_bool(v.trim()).ok_or_else(|| {
                        format!(
                            "failed to parse check option {part:?}: {:?} is not a boolean",
                            v.trim()
                        )
                    })?;
                }
                other => return Err(format!("invalid check option {other:?}")),
            }
        }
        Ok(out)
    }

    /// Whether the options skip check `name` (experimental checks are never skipped: they run
    /// only when named in `experimental`).
    pub fn skips(&self, name: &str) -> bool {
        self.skip_all || self.skip.iter().any(|s| s == name)
    }

    /// Whether the options enable experimental check `name`.
    pub fn enables(&self, name: &str) -> bool {
        self.experimental_all || self.experimental.iter().any(|s| s == name)
    }

    /// These options with `other`'s skips and experimental checks added (BuildKit's
    /// `WithMergedConfig`, for a `# check=` comment above one instruction; `error` is not
    /// merged).
    pub fn merged(&self, other: &CheckOptions) -> CheckOptions {
        let mut out = self.clone();
        out.skip_all |= other.skip_all;
        out.experimental_all |= other.experimental_all;
        out.skip.extend(other.skip.iter().cloned());
        out.experimental.extend(other.experimental.iter().cloned());
        out
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The file's `# check=` parser directive as BuildKit finds it (`parser.ParseDirective`): among
/// the directive lines at the top of the file (after a byte-order mark and a `#!` line), the
/// first `check` one. Returns the value up to its first space, and the value's span.
pub fn file_directive(text: &str) -> Option<(&str, Span)> {
    let mut offset = 0;
    let mut rest = text;
    if let Some(r) = rest.strip_prefix('\u{feff}') {
        offset += 3;
        rest = r;
    }
    if rest.starts_with("#!") {
        let skip = rest.find('\n').map_or(rest.len(), |i| i + 1);
        offset += skip;
        rest = rest.get(skip..).unwrap_or("");
    }
    for line in rest.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let body = content.strip_prefix('#')?;
        let body_at = start + 1;
        let trimmed = body.trim_start_matches(char::is_whitespace);
        let (name, value, value_at) = directive_parts(trimmed)?;
        if !matches!(
            name.to_ascii_lowercase().as_str(),
            "syntax" | "escape" | "check"
        ) {
            return None;
        }
        if name.eq_ignore_ascii_case("check") {
            let at = body_at + (body.len() - trimmed.len()) + value_at;
            let value = value.split(' ').next().unwrap_or("");
            return Some((value, Span::new(at, at + value.len())));
        }
    }
    None
}

/// The check options of a `# check=…` comment above an instruction (BuildKit reads the
/// comment's text with its directive pattern and keeps the value up to its first space, so a
/// note may follow: `# check=skip=X // why`). `comment` is the text after `#`, trimmed.
pub fn comment_directive(comment: &str) -> Option<&str> {
    let (name, value, _) = directive_parts(comment.trim_start())?;
    name.eq_ignore_ascii_case("check")
        .then(|| value.split(' ').next().unwrap_or(""))
}

/// `name = value` as BuildKit's directive pattern `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
/// reads it, with the value's offset in `s`.
fn directive_parts(s: &str) -> Option<(&str, &str, usize)> {
    let is_s = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let first = s.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let name_end = s
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    let name = s.get(..name_end)?;
    let after = s.get(name_end..)?.trim_start_matches(is_s);
    let value = after.strip_prefix('=')?.trim_start_matches(is_s);
    let at = s.len() - value.len();
    let value = value.trim_end_matches(is_s);
    (!value.is_empty()).then_some((name, value, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options_like_buildkit() {
        let o = CheckOptions::parse("skip=A, B ;error=true").unwrap();
        assert_eq!(o.skip, ["A", "B"]);
        assert!(o.error && !o.skip_all);
        let o = CheckOptions::parse("skip=all;experimental=all;error=0").unwrap();
        assert!(o.skip_all && o.experimental_all && !o.error);
        assert_eq!(CheckOptions::parse("").unwrap(), CheckOptions::default());
        assert!(CheckOptions::parse("skip").is_err());
        assert!(CheckOptions::parse("bogus=1").is_err());
        assert!(CheckOptions::parse("error=yes").is_err());
        assert!(
            CheckOptions::parse("skip=A;").is_err(),
            "an empty option is invalid"
        );
        // A fourth option stays in the third one's value.
        let o = CheckOptions::parse("skip=A;error=true;experimental=B;skip=C").unwrap();
        assert_eq!(o.experimental, ["B;skip=C"]);
        // Experimental checks are not skipped by skip=all.
        assert!(o.skips("A") && !o.skips("C"));
        let m = CheckOptions::default().merged(&CheckOptions::parse("skip=all").unwrap());
        assert!(m.skip_all);
    }

    #[test]
    fn finds_the_directive_as_buildkit_does() {
        let text = "# syntax=docker/dockerfile:1\n#check=skip=all  // note\nFROM a\n";
        let (v, span) = file_directive(text).unwrap();
        assert_eq!(v, "skip=all");
        assert_eq!(span.text(text), "skip=all");
        assert_eq!(
            file_directive("#!/usr/bin/env x\n# check=error=true\nFROM a\n")
                .unwrap()
                .0,
            "error=true"
        );
        assert!(file_directive("FROM a\n# check=skip=all\n").is_none());
        assert!(file_directive("# hello\n# check=skip=all\n").is_none());
        assert_eq!(file_directive("# CHECK = skip=A\n").unwrap().0, "skip=A");
    }

    #[test]
    fn reads_comment_directives() {
        assert_eq!(comment_directive("check=skip=X // why"), Some("skip=X"));
        assert_eq!(comment_directive("Check = skip=all"), Some("skip=all"));
        assert_eq!(comment_directive("checks are fun"), None);
        assert_eq!(comment_directive("syntax=x"), None);
    }
}

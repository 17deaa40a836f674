//! Commands that set or strip setuid/setgid bits: `chmod u+s f`, `chmod -R 4755 d`,
//! `install -m 4755 …`, `find … -exec chmod g+s {} +`, `xargs chmod +s`, and the
//! `find / -perm /6000 -type f -exec chmod a-s {} +` idiom that strips them.

use super::mode::{SpecialBits, clears, grants};
use crate::analysis::command::{Word, basename, effective_start};
use crate::source::Span;

/// The words from the command that runs on (`sudo`, `xargs -0`, `env A=b` seen through).
fn unwrap<'c, 'w>(words: &'c [Word<'w>]) -> &'c [Word<'w>] {
    words.get(effective_start(words)..).unwrap_or(&[])
}

/// A mode word that grants special bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The mode token.
    pub span: Span,
    pub bits: SpecialBits,
    /// The command, for messages: `chmod`, `install -m`.
    pub via: &'static str,
}

/// Every grant of setuid/setgid bits in one simple command (including commands it runs through
/// `find -exec` and `xargs`).
pub fn grants_in(words: &[Word<'_>]) -> Vec<Grant> {
    let mut out = Vec::new();
    collect(words, &mut out, 0);
    out
}

fn collect(words: &[Word<'_>], out: &mut Vec<Grant>, depth: u8) {
    let words = unwrap(words);
    let Some(cmd) = words.first() else {
        return;
    };
    if depth > 4 {
        return;
    }
    let rest = words.get(1..).unwrap_or(&[]);
    match basename(cmd.as_str()) {
        "chmod" => {
            if let Some(mode) = chmod_mode(rest)
                && let Some(bits) = grants(mode.as_str()).filter(|b| b.any())
            {
                out.push(Grant {
                    span: mode.span,
                    bits,
                    via: "chmod",
                });
            }
        }
        "install" => {
            let mut i = 0;
            while let Some(w) = rest.get(i) {
                let v = w.as_str();
                let (mode, span) = if v == "-m" || v == "--mode" {
                    i += 1;
                    match rest.get(i) {
                        Some(m) => (m.as_str(), m.span),
                        None => break,
                    }
                } else if let Some(m) = v.strip_prefix("--mode=") {
                    (m, w.span_from(7))
                } else if v.starts_with("-m") && v.len() > 2 {
                    (v.get(2..).unwrap_or(""), w.span_from(2))
                } else {
                    i += 1;
                    continue;
                };
                if let Some(bits) = grants(mode).filter(|b| b.any()) {
                    out.push(Grant {
                        span,
                        bits,
                        via: "install -m",
                    });
                }
                i += 1;
            }
        }
        "find" => {
            for sub in find_exec_commands(rest) {
                collect(sub, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// The mode operand of `chmod` (after its options; `-s`-style modes are taken as modes).
fn chmod_mode<'c, 'w>(rest: &'c [Word<'w>]) -> Option<&'c Word<'w>> {
    let mut operands_only = false;
    for w in rest {
        let v = w.as_str();
        if operands_only {
            return Some(w);
        }
        if v == "--" {
            operands_only = true;
            continue;
        }
        if v.starts_with("--") {
            if v.starts_with("--reference") {
                return None;
            }
            continue;
        }
        if let Some(flags) = v.strip_prefix('-')
            && !flags.is_empty()
            && flags
                .bytes()
                .all(|b| matches!(b, b'R' | b'v' | b'c' | b'f' | b'H' | b'L' | b'P'))
        {
            continue;
        }
        return Some(w);
    }
    None
}

/// The commands of a `find`'s `-exec`/`-execdir`/`-ok` actions (up to `;` or `+`).
fn find_exec_commands<'c, 'w>(rest: &'c [Word<'w>]) -> Vec<&'c [Word<'w>]> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = rest.get(i) {
        if matches!(w.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") {
            let start = i + 1;
            let mut end = start;
            while rest
                .get(end)
                .is_some_and(|w| !matches!(w.as_str(), ";" | "\\;" | "+"))
            {
                end += 1;
            }
            if let Some(sub) = rest.get(start..end) {
                out.push(sub);
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a command is a `find` selecting setuid/setgid files (`-perm /6000`, `-perm -4000`,
/// `-perm +u=s`) that strips the bits (`-exec chmod a-s`, or deletes the files). With
/// `xargs_strips`, a `find … -perm … -print` piped to `xargs chmod a-s` counts too.
pub fn strips_setuid(words: &[Word<'_>], xargs_strips: bool) -> bool {
    let words = unwrap(words);
    if words.first().map(|w| basename(w.as_str())) != Some("find") {
        return false;
    }
    let rest = words.get(1..).unwrap_or(&[]);
    let selects = rest.windows(2).any(|p| match p {
        [flag, mode] if flag.as_str() == "-perm" => {
            let m = mode.as_str().trim_start_matches(['/', '-', '+']);
            grants(m).is_some_and(|b| b.any())
        }
        _ => false,
    });
    if !selects {
        return false;
    }
    let exec_strips = find_exec_commands(rest)
        .into_iter()
        .any(|sub| chmod_clears(sub) || sub.first().is_some_and(|w| basename(w.as_str()) == "rm"));
    exec_strips || xargs_strips || rest.iter().any(|w| w.as_str() == "-delete")
}

/// `xargs chmod a-s` (or a bare `chmod a-s` run on a list): clears both special bits.
pub fn chmod_clears(words: &[Word<'_>]) -> bool {
    let words = unwrap(words);
    if words.first().map(|w| basename(w.as_str())) != Some("chmod") {
        return false;
    }
    chmod_mode(words.get(1..).unwrap_or(&[]))
        .and_then(|m| clears(m.as_str()))
        .is_some_and(|b| b.setuid && b.setgid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of the first command of `line`, wrappers included.
    fn words(line: &str) -> Vec<Word<'_>> {
        crate::analysis::command::shell_commands(line, 0)
            .into_iter()
            .next()
            .map(|c| c.words)
            .unwrap_or_default()
    }

    fn granted(line: &str) -> Vec<(String, &'static str)> {
        grants_in(&words(line))
            .into_iter()
            .map(|g| (g.span.text(line).to_string(), g.bits.describe()))
            .collect()
    }

    #[test]
    fn grants_special_bits() {
        let f = |m: &str, b: &'static str| (m.to_string(), b);
        assert_eq!(granted("chmod u+s /usr/bin/ping"), [f("u+s", "setuid")]);
        assert_eq!(granted("chmod -R 2775 /srv"), [f("2775", "setgid")]);
        assert_eq!(granted("/bin/chmod +s x"), [f("+s", "setuid and setgid")]);
        assert_eq!(granted("sudo chmod -v g+s x"), [f("g+s", "setgid")]);
        assert_eq!(granted("chmod -- 4755 x"), [f("4755", "setuid")]);
        assert_eq!(
            granted("install -m 4755 a /usr/bin/a"),
            [f("4755", "setuid")]
        );
        assert_eq!(granted("install -m4755 a b"), [f("4755", "setuid")]);
        assert_eq!(
            granted("install --mode=6755 a b"),
            [f("6755", "setuid and setgid")]
        );
        assert_eq!(
            granted("find /opt -name tool -exec chmod u+s {} ;"),
            [f("u+s", "setuid")]
        );
        assert_eq!(granted("xargs -0 chmod 4711"), [f("4711", "setuid")]);
    }

    #[test]
    fn no_special_bits() {
        for line in [
            "chmod 755 x",
            "chmod -R a-s /",
            "chmod +x run.sh",
            "chmod --reference=a b",
            "install -m 0755 a b",
            "echo chmod u+s",
            "find / -perm /6000 -type f -exec chmod a-s {} +",
            "chmod",
            "",
        ] {
            assert_eq!(granted(line), [], "{line}");
        }
    }

    #[test]
    fn strip_idioms() {
        assert!(strips_setuid(
            &words("find / -perm /6000 -type f -exec chmod a-s {} +"),
            false
        ));
        assert!(strips_setuid(
            &words("find / -xdev -perm -4000 -exec chmod u-s,g-s {} ;"),
            false
        ));
        assert!(strips_setuid(
            &words("find / -perm +6000 -type f -delete"),
            false
        ));
        assert!(strips_setuid(
            &words("find / -perm /6000 -type f -print0"),
            true
        ));
        assert!(!strips_setuid(
            &words("find / -perm /6000 -type f -print0"),
            false
        ));
        assert!(!strips_setuid(
            &words("find / -perm 0755 -exec chmod a-s {} +"),
            false
        ));
        assert!(!strips_setuid(
            &words("find / -perm /6000 -exec chmod u-s {} +"),
            false
        ));
        assert!(chmod_clears(&words("xargs -0 chmod a-s")));
        assert!(!chmod_clears(&words("xargs chmod u-s")));
    }
}

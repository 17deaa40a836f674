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
    /// The paths the mode is applied to, as written (empty when they come from standard input,
    /// as with `xargs chmod`, or from `find`).
    pub targets: Vec<String>,
    /// `chmod -R`: everything below the targets too.
    pub recursive: bool,
    /// Only directories receive the mode: `install -d`, `mkdir -m`, or a `find -type d`
    /// running the chmod. Special bits on a directory grant no privilege (setgid only makes new
    /// files inherit the directory's group).
    pub dirs_only: bool,
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
            if let Some((at, mode)) = chmod_mode(rest)
                && let Some(bits) = grants(mode.as_str()).filter(|b| b.any())
            {
                let recursive = rest.get(..at).unwrap_or(&[]).iter().any(|w| {
                    w.is("--recursive")
                        || w.as_str()
                            .strip_prefix('-')
                            .is_some_and(|f| !f.starts_with('-') && f.contains('R'))
                });
                out.push(Grant {
                    span: mode.span,
                    bits,
                    via: "chmod",
                    targets: operands_after(rest, at),
                    recursive,
                    dirs_only: false,
                });
            }
        }
        "install" => {
            // `install -d` (also `-dm 2775`) creates the directories it is given.
            let creates_dirs = rest.iter().any(|w| {
                let v = w.as_str();
                v == "--directory"
                    || v.strip_prefix('-').is_some_and(|f| {
                        !f.starts_with('-') && f.split('m').next().is_some_and(|b| b.contains('d'))
                    })
            });
            let via = "install -m";
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
                } else if let Some(at) = short_value_at(v, 'm') {
                    // `-m4755`, `-dm2775`; `-dm 2775` takes the next word.
                    if at == v.len() {
                        i += 1;
                        match rest.get(i) {
                            Some(m) => (m.as_str(), m.span),
                            None => break,
                        }
                    } else {
                        (v.get(at..).unwrap_or(""), w.span_from(at))
                    }
                } else {
                    i += 1;
                    continue;
                };
                if let Some(bits) = grants(mode).filter(|b| b.any()) {
                    let files = install_operands(rest);
                    // `install -d` gives the mode to every directory; a file install to the
                    // last operand, where the file lands.
                    let targets = if creates_dirs {
                        files
                    } else {
                        files.last().cloned().into_iter().collect()
                    };
                    out.push(Grant {
                        span,
                        bits,
                        via,
                        targets,
                        recursive: false,
                        dirs_only: creates_dirs,
                    });
                }
                i += 1;
            }
        }
        "find" => {
            let dirs_only = selects_only_directories(rest);
            for sub in find_exec_commands(rest) {
                let before = out.len();
                collect(sub, out, depth + 1);
                for g in out.iter_mut().skip(before) {
                    g.dirs_only |= dirs_only;
                    // `{}` stands for what find selects.
                    g.targets.retain(|t| t != "{}");
                }
            }
        }
        _ => {}
    }
}

/// The operands of `install`: its words without options and their values.
fn install_operands(rest: &[Word<'_>]) -> Vec<String> {
    const VALUED: &[&str] = &[
        "-m",
        "-o",
        "-g",
        "-t",
        "-S",
        "--mode",
        "--owner",
        "--group",
        "--target-directory",
        "--suffix",
    ];
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = rest.get(i) {
        i += 1;
        let v = w.as_str();
        if VALUED.contains(&v) {
            i += 1;
        } else if v.len() > 1 && v.starts_with('-') {
            // `-m4755`, `-dm2775` and `--mode=…` carry their value.
            if short_value_at(v, 'm').is_some_and(|at| at == v.len()) {
                i += 1;
            }
        } else {
            out.push(v.to_string());
        }
    }
    out
}

/// In a short-option cluster (`-dm2775`), the offset just after the option letter `opt` (where
/// its value starts), when the letters before it are all options.
fn short_value_at(word: &str, opt: char) -> Option<usize> {
    let cluster = word.strip_prefix('-').filter(|c| !c.starts_with('-'))?;
    let k = cluster.find(opt)?;
    cluster
        .get(..k)?
        .bytes()
        .all(|b| b.is_ascii_alphabetic())
        .then_some(1 + k + opt.len_utf8())
}

/// The words after position `at` that are not options (`--` ends options).
fn operands_after(rest: &[Word<'_>], at: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut operands_only = false;
    for w in rest.get(at + 1..).unwrap_or(&[]) {
        let v = w.as_str();
        if !operands_only && v == "--" {
            operands_only = true;
            continue;
        }
        if !operands_only && v.len() > 1 && v.starts_with('-') {
            continue;
        }
        out.push(v.to_string());
    }
    out
}

/// Whether a `find` selects only directories: `-type d` and no other `-type`.
pub fn selects_only_directories(find_args: &[Word<'_>]) -> bool {
    let types: Vec<&str> = find_args
        .windows(2)
        .filter(|p| p[0].is("-type") || p[0].is("-xtype"))
        .map(|p| p[1].as_str())
        .collect();
    !types.is_empty() && types.iter().all(|t| *t == "d")
}

/// The mode operand of `chmod` and its index in `rest` (after its options; `-s`-style modes
/// are taken as modes).
fn chmod_mode<'c, 'w>(rest: &'c [Word<'w>]) -> Option<(usize, &'c Word<'w>)> {
    let mut operands_only = false;
    for (i, w) in rest.iter().enumerate() {
        let v = w.as_str();
        if operands_only {
            return Some((i, w));
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
        return Some((i, w));
    }
    None
}

/// The paths a command makes writable by every user: `chmod 777 DIR`, `chmod -R a+w DIR`,
/// `chmod o+w DIR`, `mkdir -m 1777 DIR`, `install -d -m 777 DIR` (wrappers seen through).
pub fn made_world_writable(words: &[Word<'_>]) -> Vec<String> {
    let words = unwrap(words);
    let Some(cmd) = words.first() else {
        return Vec::new();
    };
    let rest = words.get(1..).unwrap_or(&[]);
    match basename(cmd.as_str()) {
        "chmod" => match chmod_mode(rest) {
            Some((at, mode)) if super::mode::world_writable(mode.as_str()) => {
                operands_after(rest, at)
            }
            _ => Vec::new(),
        },
        "mkdir" | "install" => {
            let mode = rest
                .windows(2)
                .find_map(|p| (p[0].is("-m") || p[0].is("--mode")).then(|| p[1].as_str()));
            if !mode.is_some_and(super::mode::world_writable) {
                return Vec::new();
            }
            let mut out = Vec::new();
            let mut skip = false;
            for w in rest {
                let v = w.as_str();
                if skip {
                    skip = false;
                } else if matches!(v, "-m" | "--mode" | "-o" | "-g" | "--owner" | "--group") {
                    skip = true;
                } else if !v.starts_with('-') {
                    out.push(v.to_string());
                }
            }
            out
        }
        _ => Vec::new(),
    }
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
        .and_then(|(_, m)| clears(m.as_str()))
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
    fn world_writable_paths() {
        let w = |line: &str| made_world_writable(&words(line));
        assert_eq!(w("chmod -R 777 /opt/plugins"), ["/opt/plugins"]);
        assert_eq!(w("sudo chmod a+w /srv/a /srv/b"), ["/srv/a", "/srv/b"]);
        assert_eq!(w("mkdir -p -m 1777 /scratch"), ["/scratch"]);
        assert_eq!(w("chmod 755 /opt/plugins"), Vec::<String>::new());
        assert_eq!(w("mkdir -p /opt/x"), Vec::<String>::new());
    }

    #[test]
    fn grant_targets_and_directories() {
        let g = |line: &str| {
            grants_in(&words(line))
                .into_iter()
                .map(|g| (g.targets, g.recursive, g.dirs_only))
                .collect::<Vec<_>>()
        };
        let t = |v: &[&str], r: bool, d: bool| {
            (v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), r, d)
        };
        assert_eq!(
            g("chmod 2777 /var/run/postgresql"),
            [t(&["/var/run/postgresql"], false, false)]
        );
        assert_eq!(g("chmod -R g+s /srv"), [t(&["/srv"], true, false)]);
        assert_eq!(
            g("install -d -m 2775 /srv/shared"),
            [t(&["/srv/shared"], false, true)]
        );
        assert_eq!(
            g("install -dm2775 /srv/shared"),
            [t(&["/srv/shared"], false, true)]
        );
        assert_eq!(
            g("install -m 4755 -o root build/a /usr/bin/a"),
            [t(&["/usr/bin/a"], false, false)]
        );
        assert_eq!(
            g("find /srv -type d -exec chmod g+s {} +"),
            [t(&[], false, true)]
        );
        assert_eq!(
            g("find /opt -type f -perm -u+x -exec chmod u+s {} ;"),
            [t(&[], false, false)]
        );
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

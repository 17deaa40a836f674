//! What rules ask of a command: its name through wrappers, arguments, flags; and the commands
//! hidden inside others (`sh -c '…'`, `find -exec … ;`).

use super::{Command, Context, MAX_DEPTH, Word};
use crate::source::Span;

/// A command that runs another command given as its arguments.
#[derive(Debug)]
pub struct Wrapper {
    pub name: &'static str,
    /// Options that take the following word as their value.
    pub value_flags: &'static [&'static str],
    /// Positional arguments before the wrapped command (`timeout 10 cmd`, `gosu user cmd`).
    pub positionals: usize,
    /// Whether `NAME=value` words may precede the wrapped command (`env A=b cmd`).
    pub assignments: bool,
    /// Options with which the wrapper only looks the command up and does not run it
    /// (`command -v apt-get`).
    pub query_flags: &'static [&'static str],
}

const fn w(
    name: &'static str,
    value_flags: &'static [&'static str],
    positionals: usize,
    assignments: bool,
) -> Wrapper {
    Wrapper {
        name,
        value_flags,
        positionals,
        assignments,
        query_flags: &[],
    }
}

/// The wrappers seen through by [`Command::name`].
pub const WRAPPERS: &[Wrapper] = &[
    w(
        "sudo",
        &[
            "-u",
            "-g",
            "-C",
            "-D",
            "-h",
            "-p",
            "-r",
            "-t",
            "-T",
            "-U",
            "--user",
            "--group",
            "--chdir",
            "--host",
            "--prompt",
            "--role",
            "--type",
            "--other-user",
            "--close-from",
            "--command-timeout",
        ],
        0,
        true,
    ),
    w("doas", &["-u", "-C"], 0, false),
    // `busybox wget …` runs the applet named by its first argument.
    w("busybox", &[], 0, false),
    Wrapper {
        query_flags: &["-v", "-V"],
        ..w("command", &[], 0, false)
    },
    w("env", &["-u", "-C", "--unset", "--chdir"], 0, true),
    w("nice", &["-n", "--adjustment"], 0, false),
    w("ionice", &["-c", "-n", "--class", "--classdata"], 0, false),
    w("nohup", &[], 0, false),
    w("time", &["-f", "-o", "--format", "--output"], 0, false),
    w("exec", &["-a"], 0, false),
    w("builtin", &[], 0, false),
    w(
        "stdbuf",
        &["-i", "-o", "-e", "--input", "--output", "--error"],
        0,
        false,
    ),
    w(
        "timeout",
        &["-s", "-k", "--signal", "--kill-after"],
        1,
        false,
    ),
    w("chroot", &["--userspec", "--groups"], 1, false),
    w(
        "flock",
        &["-w", "-E", "--timeout", "--conflict-exit-code"],
        1,
        false,
    ),
    w("gosu", &[], 1, false),
    w("su-exec", &[], 1, false),
    w("setsid", &[], 0, false),
    w("eatmydata", &[], 0, false),
    w(
        "fakeroot",
        &["-l", "-s", "-i", "--lib", "--faked"],
        0,
        false,
    ),
    w("unbuffer", &[], 0, false),
    w("tini", &["-s", "-e", "-p"], 0, false),
    w("dumb-init", &["-r", "--rewrite"], 0, false),
    w(
        "xargs",
        &[
            "-n",
            "-L",
            "-I",
            "-P",
            "-s",
            "-d",
            "-a",
            "-E",
            "--max-args",
            "--max-lines",
            "--max-procs",
            "--max-chars",
            "--delimiter",
            "--arg-file",
            "--eof",
        ],
        0,
        false,
    ),
];

/// POSIX-family shells: their `-c` argument is a script to parse again, and a RUN whose
/// command line is one of them reads its heredoc bodies as scripts.
pub const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];

/// Whether a command word (`/bin/bash`, `sh`) names a POSIX-family shell.
pub fn is_shell(word: &str) -> bool {
    SHELLS.contains(&basename(word))
}

/// The command word without its directory: `/usr/bin/curl` -> `curl`. The one basename every
/// rule and analysis uses for command words.
pub fn basename(word: &str) -> &str {
    // A byte scan: words are short, and this runs on every word of every RUN.
    match word.bytes().rposition(|b| b == b'/') {
        Some(i) => word.get(i + 1..).unwrap_or(word),
        None => word,
    }
}

fn is_assignment_word(s: &str) -> bool {
    match s.split_once('=') {
        Some((name, _)) => {
            let mut b = name.bytes();
            b.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
        None => false,
    }
}

/// Index of the effective command in `words` after skipping wrappers (`sudo -E`, `env A=b`,
/// `xargs -n1`, `timeout 10`, `gosu user`, …). Generic over the word type so that every list of
/// command words (shell words, exec-form arrays, compose commands) is read by this one table.
pub fn effective_start<W: AsRef<str>>(words: &[W]) -> usize {
    let mut k = 0usize;
    // Each round consumes at least the wrapper's own word, so this ends.
    while let Some(word) = words.get(k) {
        let name = basename(word.as_ref());
        let Some(wr) = WRAPPERS.iter().find(|w| w.name == name) else {
            return k;
        };
        let mut j = k + 1;
        while let Some(a) = words.get(j) {
            let v: &str = a.as_ref();
            if v == "--" {
                j += 1;
                break;
            }
            if v.len() > 1 && v.starts_with('-') {
                if wr.query_flags.contains(&v) {
                    return k; // `command -v x` runs `command`, not `x`
                }
                j += if wr.value_flags.contains(&v) { 2 } else { 1 };
                continue;
            }
            break;
        }
        if wr.assignments {
            while words.get(j).is_some_and(|a| is_assignment_word(a.as_ref())) {
                j += 1;
            }
        }
        j += wr.positionals;
        if j >= words.len() {
            return k; // nothing wrapped: the wrapper itself is the command (`env`, `xargs`).
        }
        k = j;
    }
    k.min(words.len().saturating_sub(1))
}

/// A flag's value and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagValue<'w> {
    pub value: &'w str,
    /// File span of the value (the whole word when it was quoted or escaped and its parts
    /// cannot be located exactly).
    pub span: Span,
}

impl<'a> Command<'a> {
    /// The word naming the command that runs (after wrappers such as `sudo`).
    pub fn name_word(&self) -> Option<&Word<'a>> {
        self.words.get(self.start)
    }

    /// The command that runs, without its directory: `apt-get` for `sudo /usr/bin/apt-get …`.
    pub fn name(&self) -> Option<&str> {
        self.name_word().map(|w| basename(&w.value))
    }

    /// Whether the command that runs is `name` (and its name is not an expansion).
    pub fn is(&self, name: &str) -> bool {
        self.name_word()
            .is_some_and(|w| !w.has_expansion && basename(&w.value) == name)
    }

    /// The arguments of the command that runs.
    pub fn args(&self) -> &[Word<'a>] {
        self.words.get(self.start + 1..).unwrap_or(&[])
    }

    pub fn arg_values(&self) -> impl Iterator<Item = &str> {
        self.args().iter().map(|w| w.as_str())
    }

    /// The wrapper words before the command that runs (`sudo`, `-E`, `env`, `A=b`, …).
    pub fn wrappers(&self) -> &[Word<'a>] {
        self.words.get(..self.start).unwrap_or(&[])
    }

    /// Whether the command runs through the wrapper `name` (`sudo`, `xargs`, …).
    pub fn is_wrapped_by(&self, name: &str) -> bool {
        self.wrappers().iter().any(|w| basename(&w.value) == name)
    }

    /// Arguments before a `--` that ends options.
    fn option_args(&self) -> &[Word<'a>] {
        let args = self.args();
        let end = args.iter().position(|w| w.is("--")).unwrap_or(args.len());
        args.get(..end).unwrap_or(&[])
    }

    /// Whether `flag` is given: `-y` matches `-y` and clusters like `-qy`; `--yes` matches
    /// `--yes` and `--yes=…`. Options after `--` are not flags.
    pub fn has_flag(&self, flag: &str) -> bool {
        let short = short_flag(flag);
        self.option_args().iter().any(|w| {
            let v: &str = &w.value;
            v == flag
                || (flag.starts_with("--")
                    && v.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
                || short.is_some_and(|c| is_cluster(v) && v[1..].contains(c))
        })
    }

    pub fn has_any_flag(&self, flags: &[&str]) -> bool {
        flags.iter().any(|f| self.has_flag(f))
    }

    /// The value of `flag` (which the caller knows takes one): `-u v`, `-uv`, `-su v`, `-qO-`,
    /// `--user v`, `--user=v`. The first occurrence wins.
    pub fn flag_value(&self, flag: &str) -> Option<FlagValue<'_>> {
        let args = self.option_args();
        let short = short_flag(flag);
        for (i, w) in args.iter().enumerate() {
            let v: &str = &w.value;
            let next = || {
                self.args().get(i + 1).map(|n| FlagValue {
                    value: n.as_str(),
                    span: n.span,
                })
            };
            if v == flag {
                return next();
            }
            if flag.starts_with("--") {
                if let Some(rest) = v.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                    return Some(attached(w, rest));
                }
                continue;
            }
            // getopt reading: in `-abc…`, the flag takes the rest of the word as its value, or the
            // next word when it is last (`-uuser`, `-qO-`, `-sSLu user`).
            if let Some(c) = short
                && let Some(cluster) = v.strip_prefix('-').filter(|r| !r.starts_with('-'))
                && let Some(k) = cluster.find(c)
                && cluster[..k].bytes().all(|b| b.is_ascii_alphabetic())
            {
                let rest = &cluster[k + c.len_utf8()..];
                return if rest.is_empty() {
                    next()
                } else {
                    Some(attached(w, rest))
                };
            }
        }
        None
    }

    /// Arguments that are not options (everything after `--`; words not starting with `-`
    /// before it). Option values are not told apart from operands.
    pub fn operands(&self) -> impl Iterator<Item = &Word<'a>> {
        let mut after_dd = false;
        self.args().iter().filter(move |w| {
            if after_dd {
                return true;
            }
            if w.is("--") {
                after_dd = true;
                return false;
            }
            !(w.value.len() > 1 && w.value.starts_with('-'))
        })
    }

    /// The first operand: `install` in `apt-get -y install curl`.
    pub fn subcommand(&self) -> Option<&str> {
        self.operands().next().map(|w| w.as_str())
    }

    /// Whether the command runs in a nested context (substitution, subshell, `sh -c`, `-exec`).
    pub fn is_nested(&self) -> bool {
        self.context != Context::TopLevel
    }
}

/// `-y` -> `y` for single-letter short flags.
fn short_flag(flag: &str) -> Option<char> {
    let mut c = flag.strip_prefix('-')?.chars();
    let f = c.next()?;
    (c.next().is_none() && f != '-').then_some(f)
}

/// `-abc`: a cluster of single-letter flags.
fn is_cluster(v: &str) -> bool {
    v.len() > 1
        && v.starts_with('-')
        && !v.starts_with("--")
        && v[1..].bytes().all(|b| b.is_ascii_alphabetic())
}

fn attached<'w>(w: &'w Word<'_>, rest: &'w str) -> FlagValue<'w> {
    let v: &str = &w.value;
    // Exact sub-span only when the word was written without quotes or escapes.
    let span = if !w.quoted && w.span.len() == v.len() {
        let start = w.span.end as usize - rest.len();
        Span::new(start, w.span.end as usize)
    } else {
        w.span
    };
    FlagValue { value: rest, span }
}

/// Add the commands hidden in others: the script of `sh -c '…'` / `su -c '…'` (parsed again)
/// and the command of `find … -exec … ;`.
pub(super) fn expand_nested<'a>(text: &'a str, base: usize, commands: &mut Vec<Command<'a>>) {
    // Scripts parsed again come back already expanded; `-exec` commands are visited in turn
    // (`find … -exec sh -c '…' \;`).
    let mut reparsed: Vec<Command<'a>> = Vec::new();
    let mut i = 0;
    while i < commands.len() {
        let mut exec: Vec<Command<'a>> = Vec::new();
        if let Some(cmd) = commands.get(i)
            && cmd.depth + 1 < MAX_DEPTH
        {
            if let Some(script) = shell_c_script(cmd) {
                reparsed.extend(parse_inner(text, base, script, cmd.depth + 1));
            }
            if cmd.is("find") {
                exec = find_exec(cmd);
            }
        }
        commands.extend(exec);
        i += 1;
    }
    commands.extend(reparsed);
}

/// The script word of `sh -c SCRIPT`, `bash -euxc SCRIPT`, `su -c SCRIPT user`.
fn shell_c_script<'c, 'a>(cmd: &'c Command<'a>) -> Option<&'c Word<'a>> {
    let name = cmd.name()?;
    let args = cmd.args();
    if name == "su" || name == "runuser" {
        for (i, a) in args.iter().enumerate() {
            if a.is("-c") || a.is("--command") {
                return args.get(i + 1);
            }
        }
        return None;
    }
    if !SHELLS.contains(&name) {
        return None;
    }
    let mut saw_c = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let v: &str = &a.value;
        if v == "-o" || v == "+o" {
            i += 2;
            continue;
        }
        if v == "--" {
            i += 1;
            continue;
        }
        if v.starts_with("--") {
            i += 1;
            continue;
        }
        if (v.starts_with('-') || v.starts_with('+')) && v.len() > 1 {
            if v[1..].bytes().all(|b| b.is_ascii_alphabetic()) && v[1..].contains('c') {
                saw_c = true;
            }
            i += 1;
            continue;
        }
        return saw_c.then_some(a);
    }
    None
}

/// Parse the script word, mapping spans into the file when the word's text is the script
/// verbatim (unquoted, or wholly inside one pair of quotes with nothing escaped).
fn parse_inner<'a>(text: &'a str, base: usize, word: &Word<'a>, depth: u16) -> Vec<Command<'a>> {
    let (s, e) = (word.span.start as usize, word.span.end as usize);
    let raw = text
        .get(s.saturating_sub(base)..e.saturating_sub(base))
        .unwrap_or("");
    let value: &str = &word.value;
    let inner = if raw == value {
        Some((raw, s))
    } else {
        let b = raw.as_bytes();
        let quoted_whole = raw.len() >= 2
            && matches!(b.first(), Some(b'\'' | b'"'))
            && b.first() == b.last()
            && raw.get(1..raw.len() - 1) == Some(value);
        quoted_whole.then(|| (raw.get(1..raw.len() - 1).unwrap_or(""), s + 1))
    };
    let mut out = match inner {
        Some((slice, at)) => super::parse::parse_nested(slice, at, depth),
        None => {
            // Escapes inside: offsets no longer map, so every inner span is the word's span.
            let owned = value.to_owned();
            super::parse::parse_nested(&owned, s, depth)
                .into_iter()
                .map(|c| relocate(c, word.span))
                .collect()
        }
    };
    for c in &mut out {
        if c.context == Context::TopLevel {
            c.context = Context::ShellC;
        }
    }
    out
}

fn relocate(c: Command<'_>, span: Span) -> Command<'static> {
    let fix = |w: Word<'_>| Word {
        span,
        ..w.into_owned()
    };
    Command {
        span,
        assignments: c.assignments.into_iter().map(fix).collect(),
        words: c.words.into_iter().map(fix).collect(),
        redirects: c
            .redirects
            .into_iter()
            .map(|r| super::Redirect {
                span,
                op: r.op,
                target: r.target.map(fix),
                heredoc_body: r.heredoc_body.map(|_| span),
            })
            .collect(),
        op_before: c.op_before,
        op_after: c.op_after,
        context: c.context,
        depth: c.depth,
        start: c.start,
    }
}

/// The commands run by `find … -exec CMD … ;` (also `+`, `-execdir`, `-ok`, `-okdir`).
fn find_exec<'a>(cmd: &Command<'a>) -> Vec<Command<'a>> {
    let mut out = Vec::new();
    let args = cmd.args();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        if !matches!(a.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") {
            continue;
        }
        let from = i;
        while let Some(b) = args.get(i) {
            let end =
                b.is(";") || (b.is("+") && i > from && args.get(i - 1).is_some_and(|p| p.is("{}")));
            if end {
                break;
            }
            i += 1;
        }
        let words: Vec<Word<'a>> = args.get(from..i).unwrap_or(&[]).to_vec();
        i += 1;
        if let (Some(first), Some(last)) = (words.first(), words.last()) {
            let span = first.span.cover(last.span);
            let start = effective_start(&words);
            out.push(Command {
                span,
                assignments: Vec::new(),
                words,
                redirects: Vec::new(),
                op_before: None,
                op_after: None,
                context: Context::FindExec,
                depth: cmd.depth + 1,
                start,
            });
        }
    }
    out
}

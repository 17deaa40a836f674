//! Joining two RUNs into one without changing what the build does.
//!
//! `RUN a` then `RUN b` run two shells: `a`'s exit status decides whether the build goes on, then
//! `b` starts in a fresh shell. Writing `a && b` in one shell is the same only when
//!
//! - `b` binds to `&&` as a whole: `a && make test || true` is `(a && make test) || true`, so a
//!   failing `a` would now pass; `a && x; y` runs `y` whatever `a` did. A second script with
//!   `||`, `;`, `&` or newlines at its top level is grouped: `a && { make test || true; }`.
//! - nothing `a` does to its shell reaches `b`: `cd`, `export`, `set -e`, a variable, `exit`,
//!   `exec`, a trap. A first script that changes its shell runs in a subshell: `( cd src && make )
//!   && …`, which keeps its exit status and keeps its changes to itself.
//! - nothing `a` leaves running outlives it: a background job (`a &`) is killed when a RUN ends,
//!   but would run on beside `b`. No join is offered then.
//!
//! This module decides, from the text each shell would be given (continuations joined, comment
//! lines removed, as BuildKit passes it), whether a join keeps the build's behaviour and what it
//! must wrap. Only POSIX-family shells are judged; the caller checks the shell.

use crate::syntax::shell::{self, Command, Context, Op};

/// How to join two shell scripts so that `first && second` behaves as the two RUNs did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JoinPlan {
    /// Run the first script in a subshell, `( … )`: it changes its shell's state.
    pub isolate_first: bool,
    /// Group the second script, `{ …; }`: its top level is more than an `&&` chain.
    pub group_second: bool,
    /// The second script already ends with `;` or `&`, so the group needs no `;` before `}`.
    pub second_terminated: bool,
}

/// Why two scripts cannot be joined with a fix that keeps the build's behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinRefusal {
    /// The tokenizer could not read a script to its end (an open quote or substitution).
    Unreadable,
    /// A script holds a `#` comment, which would swallow what follows it on the joined line.
    Comment,
    /// The first script ends with an operator (`;`, `&`, `|`, `&&`) that `&&` cannot follow.
    OpenEnd,
    /// The first script leaves a job running in the background.
    BackgroundJob,
    /// A script is empty.
    Empty,
}

impl JoinRefusal {
    /// Why, in words, for a rule's page and messages.
    pub fn describe(self) -> &'static str {
        match self {
            JoinRefusal::Unreadable => "a command is not complete (an open quote or substitution)",
            JoinRefusal::Comment => "a `#` comment would swallow the joined command",
            JoinRefusal::OpenEnd => "the first command ends with an operator",
            JoinRefusal::BackgroundJob => {
                "the first command starts a background job, which a separate RUN ends"
            }
            JoinRefusal::Empty => "a RUN has no command",
        }
    }
}

/// Builtins that change the state of the shell that runs them, which a later command in the
/// same shell would inherit.
const STATEFUL_BUILTINS: &[&str] = &[
    "cd",
    "pushd",
    "popd",
    "export",
    "unset",
    "set",
    "shopt",
    "source",
    ".",
    "alias",
    "unalias",
    "umask",
    "ulimit",
    "trap",
    "exec",
    "exit",
    "return",
    "readonly",
    "declare",
    "typeset",
    "local",
    "eval",
    "hash",
    "enable",
    "read",
    "readarray",
    "mapfile",
    "getopts",
    "let",
    "shift",
];

/// Plans `first && second` for two scripts as the shell receives them.
pub fn plan_join(first: &str, second: &str) -> Result<JoinPlan, JoinRefusal> {
    if first.trim().is_empty() || second.trim().is_empty() {
        return Err(JoinRefusal::Empty);
    }
    let a = shell::parse(first, 0);
    let b = shell::parse(second, 0);
    if !a.errors.is_empty() || !b.errors.is_empty() {
        return Err(JoinRefusal::Unreadable);
    }
    if has_comment(first) {
        return Err(JoinRefusal::Comment);
    }
    if ends_open(first) {
        return Err(JoinRefusal::OpenEnd);
    }
    let top_a: Vec<&Command<'_>> = top_level(&a.commands).collect();
    if a.commands.is_empty() || b.commands.is_empty() {
        return Err(JoinRefusal::Empty);
    }
    if top_a
        .iter()
        .any(|c| c.op_after == Some(Op::Background) || c.op_before == Some(Op::Background))
    {
        return Err(JoinRefusal::BackgroundJob);
    }
    let isolate_first = top_a.iter().any(|c| changes_shell_state(c)) || defines_function(first);
    let group_second = top_level(&b.commands).any(|c| {
        [c.op_before, c.op_after]
            .into_iter()
            .flatten()
            .any(|op| !matches!(op, Op::And | Op::Pipe | Op::PipeAll))
    }) || starts_compound(second);
    if group_second && has_comment(second) {
        return Err(JoinRefusal::Comment);
    }
    let tail = second.trim_end();
    let second_terminated = (tail.ends_with(';') && !tail.ends_with(";;"))
        || (tail.ends_with('&') && !tail.ends_with("&&"));
    Ok(JoinPlan {
        isolate_first,
        group_second,
        second_terminated,
    })
}

/// The commands the script itself runs (not those inside subshells, substitutions or `sh -c`).
fn top_level<'s, 'a>(commands: &'s [Command<'a>]) -> impl Iterator<Item = &'s Command<'a>> {
    commands
        .iter()
        .filter(|c| c.depth == 0 && c.context == Context::TopLevel)
}

/// Whether a command changes its shell: a stateful builtin, or an assignment with no command.
fn changes_shell_state(c: &Command<'_>) -> bool {
    let mut words = c.words.iter().map(|w| w.as_str());
    match words.next() {
        None => !c.assignments.is_empty() || !c.redirects.is_empty(),
        // `builtin cd`, `command export`: the builtin named next.
        Some("builtin" | "command") => words.next().is_some_and(|w| STATEFUL_BUILTINS.contains(&w)),
        Some(w) => STATEFUL_BUILTINS.contains(&w),
    }
}

/// Whether the script defines a shell function (`name() { …; }`), which the tokenizer does not
/// report as a command: a later script in the same shell could call it.
fn defines_function(text: &str) -> bool {
    let bytes = text.as_bytes();
    let named = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b' ');
    bytes
        .windows(2)
        .enumerate()
        .any(|(i, w)| w == b"()" && i > 0 && bytes.get(i - 1).is_some_and(named))
        || text.split_whitespace().any(|w| w == "function")
}

/// Whether a script starts with a compound command's reserved word: grouping it keeps the
/// joined text obviously right whatever its body holds.
fn starts_compound(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "if" | "while" | "until" | "for" | "case" | "select" | "{" | "!" | "[[" | "(("
    ) || first.starts_with('(')
}

/// Whether the script ends with an operator that `&&` cannot follow.
fn ends_open(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with(';') || t.ends_with('&') || t.ends_with('|') || t.ends_with('\\')
}

/// Whether a shell command line holds a `#` comment (a `#` starting a word, outside quotes).
pub fn has_comment(cmd: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut escaped = false;
    for c in cmd.chars() {
        if escaped {
            escaped = false;
            prev = c;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if prev.is_whitespace() || matches!(prev, ';' | '&' | '|' | '(') => {
                return true;
            }
            _ => {}
        }
        prev = c;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(a: &str, b: &str) -> Result<(bool, bool, bool), JoinRefusal> {
        plan_join(a, b).map(|p| (p.isolate_first, p.group_second, p.second_terminated))
    }

    #[test]
    fn a_plain_and_chain_joins_as_is() {
        assert_eq!(
            plan("apt-get update", "make && make install"),
            Ok((false, false, false))
        );
        assert_eq!(plan("a || b", "c | d"), Ok((false, false, false)));
        assert_eq!(
            plan("[ ! -e /x ] && touch /x", "echo $(a; b)"),
            Ok((false, false, false))
        );
    }

    #[test]
    fn a_second_script_with_or_or_sequence_is_grouped() {
        assert_eq!(plan("make", "make test || true"), Ok((false, true, false)));
        assert_eq!(plan("a", "echo a; echo b"), Ok((false, true, false)));
        assert_eq!(plan("a", "echo a; echo b;"), Ok((false, true, true)));
        assert_eq!(plan("a", "sleep 1 &"), Ok((false, true, true)));
        assert_eq!(plan("a", "if x; then y; fi"), Ok((false, true, false)));
        assert_eq!(plan("a", "{ echo a; } > f"), Ok((false, true, false)));
    }

    #[test]
    fn a_first_script_that_changes_its_shell_is_isolated() {
        for a in [
            "cd /src && make",
            "set -eux; apt-get update",
            "export PATH=/x:$PATH",
            "X=1",
            "exec 3>/tmp/log",
            "test -f x || exit 0",
            ". /etc/profile",
            "f() { echo; }",
            "umask 077",
        ] {
            assert_eq!(plan(a, "make"), Ok((true, false, false)), "{a}");
        }
        // A subshell or `sh -c` keeps its changes.
        assert_eq!(plan("(cd /src && make)", "make"), Ok((false, false, false)));
        assert_eq!(plan("sh -c 'cd /x'", "make"), Ok((false, false, false)));
        assert_eq!(plan("X=1 make", "make"), Ok((false, false, false)));
    }

    #[test]
    fn refusals() {
        assert_eq!(plan("make # build", "x"), Err(JoinRefusal::Comment));
        assert_eq!(plan("a", "b; c # note"), Err(JoinRefusal::Comment));
        assert_eq!(plan("a", "b # note"), Ok((false, false, false)));
        assert_eq!(plan("a;", "b"), Err(JoinRefusal::OpenEnd));
        assert_eq!(plan("a &", "b"), Err(JoinRefusal::OpenEnd));
        assert_eq!(plan("a & b", "c"), Err(JoinRefusal::BackgroundJob));
        assert_eq!(plan("echo 'open", "b"), Err(JoinRefusal::Unreadable));
        assert_eq!(plan(" ", "b"), Err(JoinRefusal::Empty));
        assert!(has_comment("make # build"));
        assert!(!has_comment("echo '#' \"a #b\" c#d"));
        assert!(!has_comment("echo \\# x"));
    }
}

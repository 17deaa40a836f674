//! `split-run`: consecutive `RUN`s in one stage that could be one layer, where keeping them
//! apart buys nothing (see [`worth_joining`]). The fix joins the second onto the first with
//! `&&` and the file's escape character, wrapping either script where the join would otherwise
//! change what the build does ([`crate::analysis::shell_join`]).

use crate::analysis::command::{Command, parse_shell};
use crate::analysis::platform::ShellFamily;
use crate::analysis::shell_join::{JoinPlan, plan_join};
use crate::rules::prelude::*;


pub struct SplitRun;

impl Rule for SplitRun {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let text = cx.text();
        let platform = cx.analysis().platform();
        for stage in &df.stages {
            for first in stage.instrs.clone() {
                let second = first + 1;
                if second >= stage.instrs.end {
                    break;
                }
                let (Some(a), Some(b)) = (df.instrs.get(first), df.instrs.get(second)) else {
                    continue;
                };
                // The advice and the fix are about POSIX shells; a PowerShell or cmd stage
                // joins commands with other operators and other failure rules.
                if platform.shell_at(second) != ShellFamily::Posix
                    || !mergeable(a)
                    || !mergeable(b)
                    || !same_flags(a, b)
                {
                    continue;
                }
                let commented = comment_between(a, b, text);
                // The scripts as the shell receives them (continuations joined), for their
                // structure; spans are not needed here.
                let (sa, sb) = (parse_shell(&a.rest.text, 0), parse_shell(&b.rest.text, 0));
                let Some(reason) = worth_joining(&sa.commands, &sb.commands, commented) else {
                    continue;
                };
                let finding = cx.report(b.keyword_span, reason.message());
                finding.fix = join_fix(a, b, text, df.escape);
            }
        }
    }
}

/// Why two consecutive RUNs are better joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    /// Each runs a single command.
    SingleCommands,
    /// The second only adjusts files, users or settings: cheap to re-run, and a separate
    /// layer for it copies (`chmod`, `chown`) or cannot remove (`rm`) the earlier layer's files.
    FileTweak,
}

impl Reason {
    fn message(self) -> &'static str {
        match self {
            Reason::SingleCommands => {
                "this RUN and the RUN before it each run a single command: join them into one \
                 RUN, one layer instead of two"
            }
            Reason::FileTweak => {
                "this RUN only adjusts files or settings after a small RUN: join it to that RUN, \
                 so that the change needs no layer of its own (a separate layer keeps every file \
                 it removes, re-owns or re-modes)"
            }
        }
    }
}

/// Commands that only adjust files, users and settings: cheap to run again, so nothing is
/// saved by caching them in a layer of their own.
const FILE_TWEAKS: &[&str] = &[
    "mkdir", "rmdir", "ln", "chmod", "chown", "chgrp", "touch", "rm", "cp", "mv", "echo",
    "printf", "sed", "tee", "true", "install", "mkfifo", "useradd", "groupadd", "adduser",
    "addgroup", "usermod", "groupmod", "userdel", "deluser", "passwd", "chpasswd", "ldconfig",
    "a2enmod", "a2dismod", "a2enconf", "a2disconf", "a2ensite", "a2dissite", "update-alternatives",
    "setcap", "unlink", "truncate", "cat",
];

/// Commands that say nothing about the work: shell options, `cd`, tests.
fn is_scaffolding(c: &Command<'_>) -> bool {
    matches!(c.name(), Some("set" | "cd" | "true" | ":"))
}

/// The commands a RUN's script runs itself (not inside substitutions or `sh -c`), without
/// scaffolding.
fn work<'c, 'a>(commands: &'c [Command<'a>]) -> Vec<&'c Command<'a>> {
    commands
        .iter()
        .filter(|c| c.depth == 0 && !is_scaffolding(c))
        .collect()
}

/// When two joinable RUNs are worth joining. RUNs kept apart on purpose are left alone: a step
/// documented by a comment of its own, a long script after an expensive step (kept apart so
/// that editing one does not re-run the other), or two unrelated multi-command steps.
///
/// Measured on the 454 Dockerfiles of the shared corpus: of the 318 joinable pairs of RUNs
/// (same stage, same flags, shell form, POSIX shell) in 186 files, these conditions keep 128 in
/// 85 files. hadolint's DL3059 (both RUNs a single command) flags 106 in 76 files: 104 of them
/// are the single-command pairs here; the other 2 are exec-form RUNs, which `&&` cannot join.
/// The 24 pairs flagged beyond DL3059 are file tweaks after a small step (`apt-key add` then
/// `echo deb … > list`, `mkdir` then `chown -R`), each read by hand.
fn worth_joining(a: &[Command<'_>], b: &[Command<'_>], commented: bool) -> Option<Reason> {
    let top = |cmds: &'_ [Command<'_>]| cmds.iter().filter(|c| c.depth == 0).count();
    if top(a) == 1 && top(b) == 1 {
        return Some(Reason::SingleCommands);
    }
    if commented {
        return None;
    }
    let (wa, wb) = (work(a), work(b));
    if wa.len() <= SMALL
        && !wb.is_empty()
        && wb
            .iter()
            .all(|c| c.name().is_some_and(|n| FILE_TWEAKS.contains(&n)))
    {
        return Some(Reason::FileTweak);
    }
    None
}

/// A first RUN with at most this many commands is a small step, not an expensive one whose
/// cache a file tweak should stay out of.
const SMALL: usize = 3;

/// A shell-form RUN without heredocs (a heredoc RUN is already one layer and has no simple
/// join).
fn mergeable(i: &Instr) -> bool {
    i.kind == InstructionKind::Run
        && !i.is_exec_form()
        && i.heredocs.is_empty()
        && !i.rest.text.trim().is_empty()
}

/// Flags (`--mount`, `--network`, `--security`) apply to the whole RUN, so only RUNs with the
/// same flags can be joined without changing what each command sees.
fn same_flags(a: &Instr, b: &Instr) -> bool {
    a.flags.len() == b.flags.len()
        && a.flags.iter().zip(&b.flags).all(|(x, y)| {
            x.name.eq_ignore_ascii_case(&y.name)
                && x.value.as_ref().map(|v| &v.text) == y.value.as_ref().map(|v| &v.text)
        })
}

/// Appends ` && <escape>` to the first command and turns the second RUN keyword into
/// indentation, wrapping the first script in `( … )` and the second in `{ …; }` where the plan
/// says so. Comment lines between them stay (BuildKit drops comment lines inside a
/// continuation); blank lines alone between them are removed with the keyword (an empty
/// continuation line is deprecated). No fix when comments and blank lines are mixed, when a
/// comment between them is a suppression (it would stop applying to the second RUN), or when
/// the plan refuses the join.
fn join_fix(first: &Instr, second: &Instr, text: &str, escape: char) -> Option<Fix> {
    let plan = plan_join(&first.rest.text, &second.rest.text).ok()?;
    let first_start = first.rest.span.start as usize;
    let first_end = first_start + text.get(first.rest.span.range())?.trim_end().len();
    let second_start = second.rest.span.start as usize;
    let second_end = second_start + text.get(second.rest.span.range())?.trim_end().len();
    let keyword = second.keyword_span.start as usize;
    let gap = text.get(first_end..keyword)?;
    let lines: Vec<&str> = gap.split('\n').collect();
    let middle = lines.get(1..lines.len().saturating_sub(1)).unwrap_or(&[]);
    let blank = |l: &&str| l.trim().is_empty();
    let only_blanks = middle.iter().all(blank);
    if !only_blanks && middle.iter().any(|l| blank(l) || is_suppression(l)) {
        return None;
    }
    let JoinPlan {
        isolate_first,
        group_second,
        second_terminated,
    } = plan;
    let close_first = if isolate_first { " )" } else { "" };
    let indent = if group_second { "    { " } else { "    " };
    let mut edits = Vec::new();
    if isolate_first {
        edits.push(Edit::insert(first_start, "( "));
    }
    if only_blanks {
        let newline = if gap.contains("\r\n") { "\r\n" } else { "\n" };
        edits.push(Edit::replace(
            Span::new(first_end, second_start),
            format!("{close_first} && {escape}{newline}{indent}"),
        ));
    } else {
        edits.push(Edit::insert(first_end, format!("{close_first} && {escape}")));
        edits.push(Edit::replace(Span::new(keyword, second_start), indent));
    }
    if group_second {
        edits.push(Edit::insert(
            second_end,
            if second_terminated { " }" } else { "; }" },
        ));
    }
    let how = match (isolate_first, group_second) {
        (false, false) => "",
        (true, false) => {
            " (the first in a subshell, so that its `cd`, variables and options stay its own)"
        }
        (false, true) => {
            " (the second grouped in `{ …; }`, so that a failing first command still fails the build)"
        }
        (true, true) => {
            " (the first in a subshell and the second grouped in `{ …; }`, so that each behaves as it did alone)"
        }
    };
    Some(Fix {
        description: format!("join the two RUN instructions with `&& {escape}`{how}"),
        applicability: Applicability::Safe,
        edits,
    })
}

/// Whether a comment line stands between two instructions: the second is a step documented on
/// its own.
fn comment_between(a: &Instr, b: &Instr, text: &str) -> bool {
    text.get(a.rest.span.end as usize..b.keyword_span.start as usize)
        .is_some_and(|between| between.lines().any(|l| l.trim_start().starts_with('#')))
}

/// Whether a comment line is a suppression (`# plimsoll ignore=…`, `# hadolint ignore=…`).
fn is_suppression(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') && t.contains("ignore")
}

//! `setuid-bit`: a Dockerfile sets the setuid or setgid bit on a file: `chmod u+s`/`g+s`/`+s`
//! or a numeric mode with 4000/2000 (also `-R`, through `find -exec` or `xargs`),
//! `install -m 4755`, `COPY`/`ADD --chmod=4755`. Not on a directory, where the bits grant no
//! privilege (setgid only makes new files inherit the directory's group): a path the build
//! created as a directory (`mkdir`, `install -d`, `WORKDIR`) or writes with a trailing `/`, and
//! what `find -type d` selects.

use crate::analysis::command::{Command, CommandContext, basename, effective_words, piped_from};
use crate::analysis::mode::{SpecialBits, grants};
use crate::analysis::permissions::{Grant, grants_in, selects_only_directories};
use crate::rules::prelude::*;
use std::collections::BTreeSet;

pub struct SetuidBit;

impl Rule for SetuidBit {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run, InstructionKind::Copy, InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        let mut found = Vec::new();
        if ins.kind == InstructionKind::Run {
            let cmds = cx.commands(at);
            // The directories the build made before this RUN, read only when a mode needs them.
            let mut earlier: Option<BTreeSet<String>> = None;
            for (k, c) in cmds.iter().enumerate() {
                // What `find -exec` runs is judged with the `find` (which knows `-type d`).
                if c.context == CommandContext::FindExec {
                    continue;
                }
                let grants = grants_in(effective_words(c));
                if grants.is_empty() {
                    continue;
                }
                let from_dirs_only = c.is_wrapped_by("xargs")
                    && piped_from(cmds, k).is_some_and(|p| {
                        p.is("find") && selects_only_directories(p.args())
                    });
                for g in grants {
                    let on_dirs = g.dirs_only
                        || from_dirs_only
                        || (!g.recursive && !g.targets.is_empty() && {
                            let made_here: BTreeSet<String> = cmds
                                .get(..k)
                                .unwrap_or(&[])
                                .iter()
                                .flat_map(created_directories)
                                .collect();
                            let earlier = earlier.get_or_insert_with(|| match cx.dockerfile() {
                                Some(df) if !at.onbuild => directories_before(cx, df, at.index),
                                _ => BTreeSet::new(),
                            });
                            g.targets
                                .iter()
                                .all(|t| is_directory(t, &made_here) || is_directory(t, earlier))
                        });
                    if !on_dirs {
                        found.push(g);
                    }
                }
            }
        } else if let Some(value) = ins.flag("chmod").and_then(|f| f.value.as_ref())
            && let Some(bits) = grants(&value.text).filter(|b| b.any())
        {
            let via = if ins.kind == InstructionKind::Copy {
                "COPY --chmod"
            } else {
                "ADD --chmod"
            };
            found.push(Grant {
                span: value.span,
                bits,
                via,
                targets: ins
                    .args
                    .last()
                    .map(|d| d.text.clone())
                    .into_iter()
                    .collect(),
                recursive: false,
                dirs_only: false,
            });
        }
        // A `find … -exec chmod` is read both as `find` and as the command it runs.
        found.sort_by_key(|g| (g.span.start, g.span.end));
        found.dedup_by_key(|g| g.span);
        for g in found {
            let on = match g.targets.as_slice() {
                [] => "every file it is given".to_string(),
                [one] if g.recursive => format!("`{one}` and everything below it"),
                [one] => format!("`{one}`"),
                [first, ..] => format!("`{first}` and {} more", g.targets.len() - 1),
            };
            cx.report(
                g.span,
                format!(
                    "`{}` sets the {} bit on {on}: {}; a bug in such a program, or a way to make \
                     it run something else, is a standing privilege escalation; grant the one \
                     capability it needs (`setcap`) or drop the bit",
                    g.via,
                    g.bits.describe(),
                    what_it_grants(g.bits)
                ),
            );
        }
    }
}

/// What the bits let a program do, for the message.
fn what_it_grants(bits: SpecialBits) -> &'static str {
    match (bits.setuid, bits.setgid) {
        (true, true) => {
            "the program runs with its owner's and its group's privileges (root's, for a \
             root-owned file) whoever starts it"
        }
        (true, false) => {
            "the program runs with its owner's privileges (root's, for a root-owned file) \
             whoever starts it"
        }
        _ => "the program runs with its group's privileges whoever starts it",
    }
}

/// Whether `path` is known to be a directory: written with a trailing `/`, `.`/`..`, or
/// created as one earlier.
fn is_directory(path: &str, dirs: &BTreeSet<String>) -> bool {
    path.ends_with('/')
        || matches!(path, "." | "..")
        || dirs.contains(&normalize(path))
}

/// `/a//b/` -> `/a/b`.
fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if path.starts_with('/') {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

/// The directories a command creates: `mkdir DIR…`, `install -d DIR…`.
fn created_directories(c: &Command<'_>) -> Vec<String> {
    let Some(name) = c.name() else {
        return Vec::new();
    };
    let makes_dirs = match basename(name) {
        "mkdir" => true,
        "install" => c.has_any_flag(&["-d", "--directory"]),
        _ => false,
    };
    if !makes_dirs {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut skip_value = false;
    for w in c.args() {
        let v = w.as_str();
        if skip_value {
            skip_value = false;
            continue;
        }
        // `-m MODE`, `-o OWNER`, `-g GROUP` take a value.
        if matches!(v, "-m" | "-o" | "-g" | "--mode" | "--owner" | "--group") {
            skip_value = true;
            continue;
        }
        if v.starts_with('-') || w.has_expansion {
            continue;
        }
        out.push(normalize(v));
    }
    out
}

/// Directories the stage (and the stages it builds on) created before instruction `index`:
/// `WORKDIR`s and the `mkdir`/`install -d` of earlier RUNs.
fn directories_before(cx: &Context<'_>, df: &Dockerfile, index: usize) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    let Some(stage) = df.stage_of(index) else {
        return dirs;
    };
    let chain = crate::analysis::stages::stage_chain(df, stage.index);
    for s in chain.iter().filter_map(|s| df.stages.get(*s)) {
        for i in s.instrs.clone().filter(|i| *i < index) {
            let Some(ins) = df.instrs.get(i) else { continue };
            match ins.kind {
                InstructionKind::Workdir => {
                    if let Some(w) = ins.args.first() {
                        dirs.insert(normalize(&w.text));
                    }
                }
                InstructionKind::Run => {
                    for c in cx.analysis().run_commands(i, false) {
                        dirs.extend(created_directories(c));
                    }
                }
                _ => {}
            }
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize() {
        assert_eq!(normalize("/var/run/postgresql/"), "/var/run/postgresql");
        assert_eq!(normalize("/a//b"), "/a/b");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("rel/dir"), "rel/dir");
    }
}

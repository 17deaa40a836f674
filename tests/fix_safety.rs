//! Fixes never change what the build does: every safe fix, applied to every Dockerfile of the
//! shared corpus and to every rule's examples, leaves a file that parses and whose `RUN`s keep
//! their exit behaviour; and `--fix` run twice changes nothing the second time.
//!
//! Exit behaviour is checked with a real shell as the oracle. Each `RUN` of a stage becomes a
//! skeleton: every simple command is replaced by a stub `c N` (N names the command by its text,
//! so the same command keeps its number after a join) that fails when N is in the set `F` and
//! records that it ran. A stage runs its skeletons as the build does, each in its own shell and
//! stopping at the first failure: `( run1 ) && ( run2 ) && …`. For the stage before and after
//! the fixes, and for every `F` tried (none failing, each command failing alone, and pairs
//! drawn with a fixed seed), the commands that ran and the final status must be the same. The
//! skeleton keeps the shell's structure (`&&`, `||`, `;`, `&`, groups, subshells, `if`, loops),
//! `set` and `exit`, and nothing that could touch the machine: other commands are stubs,
//! redirections are dropped, and it runs with an empty `PATH` in a temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::analysis::platform::{ShellFamily, platform};
use plimsoll::finding::Applicability;
use plimsoll::fix::{FixMode, MAX_PASSES, apply_edits, apply_fixes, fix_until_stable, fixes_of};
use plimsoll::model::dockerfile::{Dockerfile, InstructionKind, from_tree};
use plimsoll::rules::catalog;
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Every rule, so that every fix is applied.
fn all_rules() -> LintSettings {
    LintSettings {
        select: vec!["ALL".into()],
        ..LintSettings::default()
    }
}

fn safe_fixes(text: &str, kind: FileKind, settings: &LintSettings) -> Vec<plimsoll::finding::Fix> {
    let file = SourceFile::new(name_of(kind), text, kind);
    fixes_of(&lint_source(&file, settings).findings)
        .into_iter()
        .filter(|f| f.applicability == Applicability::Safe)
        .collect()
}

fn name_of(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Dockerfile => "Dockerfile",
        FileKind::Compose => "compose.yaml",
        FileKind::Env => ".env",
    }
}

fn model(text: &str) -> (plimsoll::syntax::dockerfile::Dockerfile, Dockerfile) {
    let tree = plimsoll::syntax::dockerfile::parse(text);
    let df = from_tree(&tree, text);
    (tree, df)
}

/// The parse errors of a Dockerfile, as messages.
fn parse_errors(text: &str) -> Vec<String> {
    let tree = plimsoll::syntax::dockerfile::parse(text);
    tree.errors.iter().map(|e| e.message.clone()).collect()
}

/// Numbers for commands, by their text and how many times that text came before in the stage.
#[derive(Default)]
struct Ids {
    ids: HashMap<(String, usize), usize>,
}

impl Ids {
    fn id(&mut self, key: (String, usize)) -> usize {
        let next = self.ids.len() + 1;
        *self.ids.entry(key).or_insert(next)
    }
}

/// Builtins kept as they are: they shape exit behaviour and cannot touch anything.
const KEPT: &[&str] = &["set", "exit", "true", "false", ":"];

/// The skeleton of one RUN's script, or why it cannot be made.
fn skeleton(
    script: &str,
    ids: &mut Ids,
    seen: &mut HashMap<String, usize>,
) -> Result<String, String> {
    let parsed = plimsoll::syntax::shell::parse(script, 0);
    if let Some(e) = parsed.errors.first() {
        return Err(format!("shell error: {}", e.message));
    }
    let mut commands: Vec<_> = parsed.commands.iter().collect();
    commands.sort_by_key(|c| (c.span.start, std::cmp::Reverse(c.span.end)));
    let mut out = String::new();
    let mut pos = 0usize;
    for c in commands {
        let (s, e) = (c.span.start as usize, c.span.end as usize);
        if s < pos {
            continue; // inside a command already replaced (a substitution, `sh -c`)
        }
        if c.redirects.iter().any(|r| r.heredoc_body.is_some()) {
            return Err("a shell heredoc".into());
        }
        out.push_str(script.get(pos..s).ok_or("span")?);
        let text = script.get(s..e).ok_or("span")?;
        if c.words.is_empty() && c.assignments.is_empty() {
            // A redirection after `)`, `}` or `done`: dropped, never run.
        } else if c.assignments.is_empty()
            && c.redirects.is_empty()
            && c.words.first().is_some_and(|w| KEPT.contains(&w.as_str()))
        {
            out.push_str(text);
        } else {
            let n = seen.entry(text.to_string()).or_insert(0);
            *n += 1;
            let id = ids.id((text.to_string(), *n));
            out.push_str(&format!("c {id}"));
        }
        pos = e;
    }
    out.push_str(script.get(pos..).unwrap_or(""));
    Ok(out)
}

/// One stage's RUN scripts as the shell receives them, or why the stage cannot be modelled.
fn stage_runs(df: &Dockerfile, stage: usize) -> Result<Vec<String>, String> {
    let p = platform(df);
    let s = df.stages.get(stage).ok_or("stage")?;
    let mut out = Vec::new();
    for i in s.instrs.clone() {
        let ins = &df.instrs[i];
        if ins.kind != InstructionKind::Run {
            continue;
        }
        if p.shell_at(i) != ShellFamily::Posix {
            return Err("not a POSIX shell".into());
        }
        if !ins.heredocs.is_empty() {
            return Err("a heredoc RUN".into());
        }
        if ins.is_exec_form() {
            // Runs without a shell: one command.
            out.push(format!(
                "exec-form {}",
                ins.rest.text.replace(['\n', ';', '&', '|'], " ")
            ));
            continue;
        }
        out.push(ins.rest.text.clone());
    }
    Ok(out)
}

/// The stage program: each RUN's skeleton in its own shell, the build stopping at a failure.
fn program(runs: &[String], ids: &mut Ids) -> Result<String, String> {
    let mut seen = HashMap::new();
    let mut parts = Vec::new();
    for r in runs {
        let skel = if let Some(opaque) = r.strip_prefix("exec-form ") {
            let n = seen.entry(opaque.to_string()).or_insert(0);
            *n += 1;
            format!("c {}", ids.id((opaque.to_string(), *n)))
        } else {
            skeleton(r, ids, &mut seen)?
        };
        parts.push(format!("(\n{skel}\n)"));
    }
    Ok(parts.join(" && "))
}

/// The absolute path of `bash` (the oracle runs with an empty `PATH`).
fn bash() -> std::path::PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("bash"))
                .find(|p| p.is_file())
        })
        .expect("bash on PATH")
}

/// Runs `programs` under every failure set and returns, per program, what each run did.
fn observe(programs: &[&str], ids: usize) -> Vec<String> {
    let mut sets: Vec<String> = vec![String::new()];
    sets.extend((1..=ids).map(|i| i.to_string()));
    // Pairs, from a fixed linear congruential sequence.
    let mut x: u64 = 0x5eed;
    for _ in 0..ids.min(24) {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = (x >> 33) as usize % ids.max(1) + 1;
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let b = (x >> 33) as usize % ids.max(1) + 1;
        sets.push(format!("{a},{b}"));
    }
    let dir = tempfile::tempdir().unwrap();
    programs
        .iter()
        .map(|prog| {
            let mut script = String::from(
                "c() { printf '@%s;' \"$1\" >&2; n=$((n+1)); if [ \"$n\" -gt 400 ]; then exit 97; fi; case \",$F,\" in *\",$1,\"*) return 1;; esac; return 0; }\n",
            );
            for f in &sets {
                script.push_str(&format!(
                    "F='{f}'; n=0; (\n{prog}\n); printf '|%s\\n' \"$?\" >&2\n"
                ));
            }
            let out = Command::new(bash())
                .args(["--norc", "--noprofile", "-c", &script])
                .current_dir(dir.path())
                .env_clear()
                .env("PATH", "/nonexistent")
                .env("HOME", dir.path())
                .output()
                .expect("run bash");
            // Only the stubs' marks and the statuses: `set -x` traces and errors say nothing.
            let err = String::from_utf8_lossy(&out.stderr);
            let mut seen = String::new();
            for (i, ch) in err.char_indices() {
                if ch == '@' || ch == '|' {
                    let rest = &err[i + 1..];
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let after = rest[digits.len()..].chars().next();
                    let well_formed = !digits.is_empty()
                        && ((ch == '@' && after == Some(';')) || (ch == '|' && after == Some('\n')));
                    if well_formed {
                        seen.push(ch);
                        seen.push_str(&digits);
                        seen.push(if ch == '|' { '\n' } else { ';' });
                    }
                }
            }
            // Pipelines and background jobs run side by side, so the marks of one run are
            // compared as a set: which commands ran, and how the run ended.
            seen.lines()
                .map(|line| {
                    let (marks, status) = line.split_once('|').unwrap_or((line, ""));
                    let mut ran: Vec<u32> = marks
                        .split(';')
                        .filter_map(|m| m.strip_prefix('@')?.parse().ok())
                        .collect();
                    ran.sort_unstable();
                    format!("{ran:?}|{status}\n")
                })
                .collect()
        })
        .collect()
}

/// Whether the fixed Dockerfile's stages run the same commands with the same exit behaviour as
/// the original's. `Err` lists what differs; `Ok(n)` is the number of stages compared.
fn same_behaviour(before: &str, after: &str) -> Result<usize, String> {
    let (_, a) = model(before);
    let (_, b) = model(after);
    if a.stages.len() != b.stages.len() {
        return Err(format!(
            "{} stages became {}",
            a.stages.len(),
            b.stages.len()
        ));
    }
    let mut compared = 0;
    for stage in 0..a.stages.len() {
        let (ra, rb) = (stage_runs(&a, stage), stage_runs(&b, stage));
        if ra == rb {
            continue;
        }
        let (ra, rb) = match (ra, rb) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(e), _) | (_, Err(e)) => {
                return Err(format!("stage {stage} changed but cannot be modelled: {e}"));
            }
        };
        let mut ids = Ids::default();
        let pa = program(&ra, &mut ids).map_err(|e| format!("stage {stage}: {e}"))?;
        let known = ids.ids.len();
        let pb = program(&rb, &mut ids).map_err(|e| format!("stage {stage}: {e}"))?;
        if ids.ids.len() != known {
            return Err(format!("stage {stage}: a fix changed a command's text"));
        }
        let seen = observe(&[&pa, &pb], known);
        if seen[0] != seen[1] {
            return Err(format!(
                "stage {stage} behaves differently:\nbefore: {ra:?}\nafter: {rb:?}\n{}\n---\n{}",
                seen[0], seen[1]
            ));
        }
        compared += 1;
    }
    Ok(compared)
}

#[test]
fn the_oracle_tells_a_join_that_changes_behaviour() {
    if !support::have_tool("bash") {
        return;
    }
    let before = "FROM a:1\nRUN make test\nRUN rm -rf /tmp/* || true\n";
    let wrong = "FROM a:1\nRUN make test && \\\n    rm -rf /tmp/* || true\n";
    let right = "FROM a:1\nRUN make test && \\\n    { rm -rf /tmp/* || true; }\n";
    assert!(same_behaviour(before, wrong).is_err());
    assert_eq!(same_behaviour(before, right), Ok(1));
    let before = "FROM a:1\nRUN a\nRUN echo a; echo b\n";
    assert!(same_behaviour(before, "FROM a:1\nRUN a && echo a; echo b\n").is_err());
    assert_eq!(
        same_behaviour(before, "FROM a:1\nRUN a && { echo a; echo b; }\n"),
        Ok(1)
    );
    // `exit` in the first script ends the joined shell unless it runs in a subshell.
    let before = "FROM a:1\nRUN test -f x || exit 0\nRUN make\n";
    assert!(same_behaviour(before, "FROM a:1\nRUN test -f x || exit 0 && make\n").is_err());
    assert_eq!(
        same_behaviour(before, "FROM a:1\nRUN ( test -f x || exit 0 ) && make\n"),
        Ok(1)
    );
}

/// Applies every safe fix of every rule, to a fixed point, and checks the result.
fn check_file(text: &str) -> Result<(String, usize), String> {
    let settings = all_rules();
    let fixes = safe_fixes(text, FileKind::Dockerfile, &settings);
    let outcome = fix_until_stable(text, fixes, FixMode::Safe, MAX_PASSES, |t| {
        safe_fixes(t, FileKind::Dockerfile, &settings)
    });
    let fixed = outcome.text;
    if fixed == text {
        return Ok((fixed, 0));
    }
    let (old, new) = (parse_errors(text), parse_errors(&fixed));
    if new.iter().any(|e| !old.contains(e)) || new.len() > old.len() {
        return Err(format!("the fixed file no longer parses: {new:?}\n{fixed}"));
    }
    let compared = same_behaviour(text, &fixed)?;
    // A second pass finds nothing to change.
    let again = safe_fixes(&fixed, FileKind::Dockerfile, &settings);
    let second = apply_fixes(&fixed, &again).text;
    if second != fixed {
        return Err(format!(
            "a second --fix changes the file again:\n{fixed}\n---\n{second}"
        ));
    }
    Ok((fixed, compared))
}

#[test]
fn every_safe_fix_on_the_corpus_keeps_the_build() {
    if !support::have_tool("bash") {
        return;
    }
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let dir = shared.join("corpus/dockerfiles");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let (mut changed, mut stages, mut failures) = (0, 0, Vec::new());
    for path in &names {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match check_file(&text) {
            Ok((fixed, compared)) => {
                if fixed != text {
                    changed += 1;
                }
                stages += compared;
            }
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    eprintln!(
        "fix safety: {} Dockerfiles, {changed} changed by safe fixes, {stages} stages compared with the shell oracle",
        names.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        changed > 20 && stages > 20,
        "the corpus should exercise the fixes"
    );
}

#[test]
fn every_fix_of_every_rule_keeps_its_example_building_the_same() {
    if !support::have_tool("bash") {
        return;
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for rule in catalog::all().iter().filter(|r| r.fixable) {
        for ex in rule.examples() {
            let mut settings = LintSettings {
                select: vec![rule.code.to_string()],
                preview: true,
                ..LintSettings::default()
            };
            if let Some(lock) = &ex.lock {
                let lock = plimsoll::registry::LockFile::parse(lock).unwrap();
                settings.options.pinned_digests = std::sync::Arc::new(
                    lock.entries()
                        .map(|e| (e.reference.clone(), e.digest.clone()))
                        .collect(),
                );
            }
            let file = SourceFile::new(name_of(ex.kind), ex.text.as_str(), ex.kind);
            for f in lint_source(&file, &settings).findings {
                let Some(fix) = &f.fix else { continue };
                let fixed = apply_edits(&ex.text, &fix.edits);
                checked += 1;
                let result = match ex.kind {
                    FileKind::Dockerfile => {
                        let (old, new) = (parse_errors(&ex.text), parse_errors(&fixed));
                        if new.len() > old.len() {
                            Err(format!("no longer parses: {new:?}"))
                        } else if fix.applicability == Applicability::Safe {
                            same_behaviour(&ex.text, &fixed).map(|_| ())
                        } else {
                            // An unsafe fix may change what a command does (adding `-y` to
                            // apt-get, say): that is what marks it unsafe. It must still parse.
                            Ok(())
                        }
                    }
                    FileKind::Compose => {
                        let syntax = |t: &str| {
                            lint_source(
                                &SourceFile::new("compose.yaml", t, FileKind::Compose),
                                &LintSettings::default(),
                            )
                            .findings
                            .iter()
                            .filter(|f| f.code.starts_with("PL00"))
                            .count()
                        };
                        if syntax(&fixed) > syntax(&ex.text) {
                            Err("the fixed compose file no longer loads".to_string())
                        } else {
                            Ok(())
                        }
                    }
                    // No rule fixes a dotenv file: a fix here is a mistake.
                    FileKind::Env => Err("a fix on a dotenv file".to_string()),
                };
                if let Err(e) = result {
                    failures.push(format!(
                        "{} page line {}: {e}\n{fixed}",
                        rule.name, ex.page_line
                    ));
                }
            }
        }
    }
    assert!(
        checked > 5,
        "the fixable rules' examples should produce fixes"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Reads every regular file of a directory (names and bytes).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fix_twice_changes_nothing_the_second_time() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let src = shared.join("corpus/dockerfiles");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        // Named so that discovery finds each one as a Dockerfile.
        let name = format!("{}.Dockerfile", e.file_name().to_string_lossy());
        let to = work.path().join(name);
        std::fs::copy(e.path(), &to).unwrap();
        // shared/ is read-only; the copy must be writable for --fix.
        let mut perm = std::fs::metadata(&to).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perm.set_readonly(false);
        std::fs::set_permissions(&to, perm).unwrap();
    }
    let original = snapshot(work.path());
    let args = [
        "check",
        "--isolated",
        "--select",
        "ALL",
        "--fix",
        "--format",
        "concise",
        ".",
    ];
    let first = support::run_plimsoll(work.path(), &args, None);
    assert!(matches!(first.code, 0 | 1), "{}", first.stderr);
    let once = snapshot(work.path());
    assert_ne!(once, original, "the first --fix should change some files");
    let second = support::run_plimsoll(work.path(), &args, None);
    assert!(matches!(second.code, 0 | 1), "{}", second.stderr);
    let twice = snapshot(work.path());
    let changed: Vec<&str> = once
        .iter()
        .zip(&twice)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert!(changed.is_empty(), "the second --fix changed {changed:?}");
}

//! Conformance with BuildKit's Dockerfile parser, from the data in
//! `../shared/conformance/buildkit-parser` (skipped, saying so, when absent).
//!
//! Required: every `testfiles` dump byte-identical, every `negative` case rejected, the line
//! ranges of `line/Dockerfile`, the dump block of every `edge/*.out` (or rejection where it
//! starts with `ERROR:`), every `realworld/*.result`. Also checked: the per-instruction lines of
//! the extended dumps (`edge/*.out`, `realworld/*.full`): line range, name, flags, JSON
//! attribute, attached comments, original text, heredocs and warnings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::syntax::dockerfile::{self, Args, Dockerfile, Instruction, dump};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn parse_file(path: &Path) -> (Dockerfile, String) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let text = dump::decode_lossless(&bytes);
    (dockerfile::parse(&text), text)
}

fn dump_of(df: &Dockerfile) -> Vec<u8> {
    dump::dump_bytes(&dump::dump(df))
}

fn sorted(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// Go's `%q` of a string slice.
fn q_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `strconv.Quote`, independently of the parser's own, for the characters these files
/// contain.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (0x10_ff00..=0x10_ffff).contains(&(c as u32)) => {
                let _ = write!(out, "\\x{:02x}", c as u32 - 0x10_ff00);
            }
            c if c.is_whitespace() && c != ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The dump's flag strings for an instruction (BuildKit's `Node.Flags`).
/// Rebuilt from the tree's flag names and values, so those are checked too.
fn flag_strings(instr: &Instruction) -> Vec<String> {
    instr
        .flags
        .iter()
        .map(|f| match &f.value {
            Some(v) => format!("--{}={v}", f.name),
            None => format!("--{}", f.name),
        })
        .collect()
}

/// BuildKit's extended per-instruction lines (the `-- ` block of `edge/*.out`, `*.full`).
fn full_lines(df: &Dockerfile, source: &str) -> Vec<String> {
    let mut out = vec![format!(
        "-- escape={}",
        if df.escape == '`' { "'`'" } else { "'\\\\'" }
    )];
    for instr in &df.instructions {
        let json = match &instr.args {
            Args::Healthcheck { cmd, .. } => matches!(cmd.as_ref(), Args::Exec(_)),
            Args::Onbuild(_) => false,
            a => matches!(a, Args::Exec(_)),
        };
        let comments: Vec<String> = instr
            .comments
            .iter()
            .map(|c| c.buildkit_text(source))
            .collect();
        out.push(format!(
            "-- [{}-{}] {} flags={} attrs=map[{}] prevComment={} original={}",
            instr.start_line,
            instr.end_line,
            go_quote(instr.name()),
            q_list(&flag_strings(instr)),
            if json { "json:true" } else { "" },
            q_list(&comments),
            go_quote(&instr.logical.text),
        ));
        let docs = instr
            .onbuild()
            .map_or(&instr.heredocs, |inner| &inner.heredocs);
        for h in docs {
            out.push(format!(
                "     heredoc {{Name:{} FileDescriptor:{} Expand:{} Chomp:{} Content:{}}}",
                h.name, h.fd, h.expand, h.chomp, h.content
            ));
        }
    }
    for w in &df.warnings {
        out.push(format!("-- warning: {}", w.message));
    }
    out
}

/// The expected `-- ` block, with warning locations removed (plimsoll points a warning at the
/// first empty line; BuildKit at the instruction's last line).
fn expected_full(text: &str) -> Vec<String> {
    let start = text.find("\n-- ").map_or(0, |i| i + 1);
    let block = text.get(start..).unwrap_or("");
    // Heredoc contents span lines: join everything into records starting with "-- " or
    // "     heredoc ".
    let mut records: Vec<String> = Vec::new();
    for line in block.split_inclusive('\n') {
        if line.starts_with("-- ") || line.starts_with("     heredoc ") {
            records.push(line.to_string());
        } else if let Some(last) = records.last_mut() {
            last.push_str(line);
        }
    }
    records
        .into_iter()
        .map(|r| {
            let r = r.strip_suffix('\n').unwrap_or(&r).to_string();
            if r.starts_with("-- warning: ") {
                r.rsplit_once(" @{{")
                    .map_or(r.clone(), |(m, _)| m.to_string())
            } else {
                r
            }
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(what());
        }
    }
}

#[test]
fn buildkit_parser_conformance() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let root = shared.join("conformance/buildkit-parser");
    let mut tallies: Vec<(&str, Tally)> = Vec::new();

    // testfiles: byte-identical dumps.
    let mut t = Tally::default();
    for dir in sorted(&root.join("testfiles"), "") {
        let (df, _) = parse_file(&dir.join("Dockerfile"));
        let want = std::fs::read(dir.join("result")).unwrap_or_default();
        let got = dump_of(&df);
        t.check(df.is_ok() && got == want, || {
            format!(
                "testfiles/{}: errors {:?}\n--- want\n{}--- got\n{}",
                dir.file_name().unwrap_or_default().to_string_lossy(),
                df.errors,
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            )
        });
    }
    assert_eq!(t.passed + t.failures.len(), 33, "expected 33 testfiles");
    tallies.push(("testfiles", t));

    // negative: rejected.
    let mut t = Tally::default();
    for dir in sorted(&root.join("negative"), "") {
        let (df, _) = parse_file(&dir.join("Dockerfile"));
        t.check(!df.is_ok(), || {
            format!("negative/{} accepted", dir.display())
        });
    }
    assert_eq!(t.passed + t.failures.len(), 4, "expected 4 negative cases");
    tallies.push(("negative", t));

    // line: instruction line ranges.
    let mut t = Tally::default();
    let (df, _) = parse_file(&root.join("line/Dockerfile"));
    let ranges: Vec<(u32, u32)> = df
        .instructions
        .iter()
        .map(|i| (i.start_line, i.end_line))
        .collect();
    t.check(ranges == [(5, 5), (11, 12), (17, 31)], || {
        format!("line/Dockerfile ranges {ranges:?}")
    });
    tallies.push(("line", t));

    // edge: dump block or rejection; and the extended block.
    let mut t = Tally::default();
    let mut full = Tally::default();
    for path in sorted(&root.join("edge"), ".Dockerfile") {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let out_path = path.with_extension("out");
        let out =
            String::from_utf8_lossy(&std::fs::read(&out_path).unwrap_or_default()).into_owned();
        let (df, src) = parse_file(&path);
        if out.starts_with("ERROR:") {
            t.check(!df.is_ok(), || format!("edge/{name}: not rejected ({out})"));
            continue;
        }
        let want_len = out.find("\n-- ").map_or(0, |i| i + 1);
        let want = out.get(..want_len).unwrap_or("");
        let got = dump_of(&df);
        t.check(df.is_ok() && got == want.as_bytes(), || {
            format!(
                "edge/{name}: errors {:?}\n--- want\n{want}--- got\n{}",
                df.errors,
                String::from_utf8_lossy(&got)
            )
        });
        let want_full = expected_full(&out);
        let got_full = full_lines(&df, &src);
        full.check(want_full.len() > 1 && want_full == got_full, || {
            format!("edge/{name} extended:\n  want {want_full:#?}\n  got {got_full:#?}")
        });
    }
    tallies.push(("edge", t));

    // realworld: dumps and extended dumps.
    let mut t = Tally::default();
    for path in sorted(&root.join("realworld"), ".Dockerfile") {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let (df, src) = parse_file(&path);
        let want = std::fs::read(path.with_extension("result")).unwrap_or_default();
        let got = dump_of(&df);
        t.check(df.is_ok() && got == want, || {
            format!(
                "realworld/{name}: errors {:?}\n--- want\n{}--- got\n{}",
                df.errors,
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            )
        });
        let full_text = String::from_utf8_lossy(
            &std::fs::read(path.with_extension("full")).unwrap_or_default(),
        )
        .into_owned();
        let want_full = expected_full(&full_text);
        let got_full = full_lines(&df, &src);
        full.check(want_full.len() > 1 && want_full == got_full, || {
            let diff: Vec<String> = want_full
                .iter()
                .zip(&got_full)
                .filter(|(a, b)| a != b)
                .take(3)
                .map(|(a, b)| format!("  want {a}\n  got  {b}"))
                .collect();
            format!(
                "realworld/{name} extended ({} vs {} lines):\n{}",
                want_full.len(),
                got_full.len(),
                diff.join("\n")
            )
        });
    }
    assert!(t.passed + t.failures.len() > 0, "no realworld cases found");
    tallies.push(("realworld", t));
    tallies.push(("extended (line ranges, comments, heredocs)", full));

    let mut failed = Vec::new();
    for (name, t) in &tallies {
        eprintln!(
            "buildkit-parser {name}: {}/{} passed",
            t.passed,
            t.passed + t.failures.len()
        );
        failed.extend(t.failures.iter().cloned());
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn rejected_files_exit_non_zero_from_the_cli() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let root = shared.join("conformance/buildkit-parser");
    for case in [
        "negative/env_no_value/Dockerfile",
        "edge/jsonerr.Dockerfile",
    ] {
        let out = std::process::Command::new(support::plimsoll_bin())
            .args(["debug", "ast", "--format", "buildkit"])
            .arg(root.join(case))
            .output()
            .expect("run plimsoll");
        assert_eq!(out.status.code(), Some(2), "{case}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("plimsoll: error:"));
    }
    let ok = root.join("testfiles/env/Dockerfile");
    let out = std::process::Command::new(support::plimsoll_bin())
        .args(["debug", "ast", "--format", "buildkit"])
        .arg(&ok)
        .output()
        .expect("run plimsoll");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        std::fs::read(root.join("testfiles/env/result")).unwrap_or_default()
    );
}

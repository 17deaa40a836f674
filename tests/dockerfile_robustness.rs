//! Hostile inputs: each parses quickly (the parser is linear) and never panics.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::syntax::dockerfile::{self, Args, Dockerfile};
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// Generous: a quadratic parser takes minutes on these inputs, a linear one milliseconds.
const LIMIT: Duration = Duration::from_secs(10);

fn timed(text: &str) -> Dockerfile {
    let t = Instant::now();
    let df = dockerfile::parse(text);
    let _ = dockerfile::dump::dump(&df);
    let _ = dockerfile::debug_tree::render(&df, text);
    assert!(t.elapsed() < LIMIT, "took {:?}", t.elapsed());
    spans_in_bounds(&df, text);
    df
}

fn spans_in_bounds(df: &Dockerfile, text: &str) {
    let len = text.len() as u32;
    for i in &df.instructions {
        assert!(i.span.start <= i.span.end && i.span.end <= len);
        assert!(i.keyword.end <= len);
        // The logical line is exactly the source bytes its segments name.
        let pieces = i.logical.source_pieces(0, i.logical.text.len());
        let joined: String = pieces.iter().map(|s| s.text(text)).collect();
        assert_eq!(joined, i.logical.text);
        assert_eq!(
            df.instruction_at(i.span.start as usize).map(|x| x.span),
            Some(i.span)
        );
        for h in &i.heredocs {
            assert!(h.body.end <= len);
        }
    }
    for e in &df.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= len);
    }
}

#[test]
fn nul_bytes() {
    let df = timed("FROM a\0b\nRUN \0\0 echo\0\n\0\nENV a=\0 b\0=c\n");
    assert_eq!(df.instructions.len(), 4);
    assert_eq!(df.instructions[1].shell_text(), Some("\0\0 echo\0"));
}

#[test]
fn five_megabyte_line() {
    let text = format!("FROM a\nRUN {}\nRUN b\n", "x".repeat(5 << 20));
    let df = timed(&text);
    // BuildKit's scanner refuses lines over 64 KiB; plimsoll reports it and reads on.
    assert_eq!(df.errors.len(), 1, "{:?}", df.errors);
    assert!(df.errors[0].message.contains("max allowed size of 65535"));
    assert_eq!(df.instructions.len(), 3);
}

#[test]
fn line_limit_is_exact() {
    // 65535 bytes plus the newline is the largest line BuildKit's scanner accepts.
    let ok = format!("RUN {}\n", "x".repeat(65535 - 4));
    assert!(dockerfile::parse(&ok).is_ok());
    let long = format!("RUN {}\n", "x".repeat(65536 - 4));
    assert!(!dockerfile::parse(&long).is_ok());
    // Without a final newline the limit is one byte lower.
    let ok = "RUN ".to_string() + &"x".repeat(65535 - 4);
    assert!(dockerfile::parse(&ok).is_ok());
    let long = "RUN ".to_string() + &"x".repeat(65536 - 4);
    assert!(!dockerfile::parse(&long).is_ok());
}

#[test]
fn many_continuation_lines() {
    let mut text = String::from("FROM a\nRUN echo \\\n");
    for i in 0..200_000 {
        text.push_str(&format!("  {i} \\\n"));
    }
    text.push_str("  end\n");
    let df = timed(&text);
    assert!(df.is_ok());
    let run = &df.instructions[1];
    assert_eq!((run.start_line, run.end_line), (2, 200_003));
    assert_eq!(run.logical.segments.len(), 200_002);
    assert!(
        run.shell_text()
            .is_some_and(|t| t.ends_with("199999   end"))
    );
    // A logical offset late in the line maps back to its physical line.
    let at = run.logical.text.len() - 3;
    let off = run.logical.source_offset(at);
    assert_eq!(text.get(off..off + 3), Some("end"));
}

#[test]
fn empty_continuation_lines_warn_once() {
    let mut text = String::from("FROM a\nRUN a \\\n");
    for _ in 0..200_000 {
        text.push('\n');
    }
    text.push_str("b\n");
    let df = timed(&text);
    assert_eq!(df.warnings.len(), 1);
    assert_eq!(df.instructions[1].shell_text(), Some("a b"));
}

#[test]
fn unterminated_heredoc() {
    let mut text = String::from("FROM a\nRUN <<EOF\n");
    for i in 0..100_000 {
        text.push_str(&format!("line {i}\n"));
    }
    let df = timed(&text);
    assert_eq!(df.errors.len(), 1);
    assert_eq!(df.errors[0].message, "unterminated heredoc");
    let h = &df.instructions[1].heredocs[0];
    assert!(h.terminator.is_none());
    assert_eq!(h.lines().count(), 100_000);
    assert_eq!(df.instructions[1].end_line, 100_002);
}

#[test]
fn bom_crlf_backtick() {
    let text =
        "\u{feff}# escape=`\r\nFROM a\r\nRUN echo `\r\n  b `\r\n  c\r\nCOPY --chown=a`\"b x y\r\n";
    let df = timed(text);
    assert!(df.is_ok(), "{:?}", df.errors);
    assert_eq!(df.escape, '`');
    assert_eq!(df.instructions[1].shell_text(), Some("echo   b   c"));
    assert_eq!(df.instructions[1].end_line, 5);
    assert_eq!(
        df.instructions[2]
            .flag("chown")
            .and_then(|f| f.value.as_deref()),
        Some("a\"b")
    );
    assert_eq!(
        dockerfile::dump::dump(&df),
        "(from \"a\")\n(run \"echo   b   c\")\n(copy [\"--chown=a\\\"b\"] \"x\" \"y\")\n"
    );
}

#[test]
fn huge_json_array() {
    let items: Vec<String> = (0..100_000).map(|i| format!("\"a{i}\"")).collect();
    let text = format!("FROM a\nCMD [{}]\n", items.join(", "));
    let df = timed(&text);
    let args = df.instructions[1].exec_args().expect("exec form");
    assert_eq!(args.len(), 100_000);
    assert_eq!(args[99_999].value, "a99999");
    assert_eq!(args[99_999].span.text(&text), "\"a99999\"");
}

#[test]
fn deeply_nested_json_is_refused_or_shell() {
    let text = format!("CMD [{}{}]\n", "[".repeat(100_000), "]".repeat(100_000));
    let df = timed(&text);
    // Too deep for Go's decoder: not JSON, so shell form.
    assert!(matches!(df.instructions[0].args, Args::Text(_)));
}

#[test]
fn many_heredocs_and_flags() {
    let mut text = String::from("FROM a\nRUN");
    for i in 0..2_000 {
        text.push_str(&format!(" --f{i}=\"v {i}\""));
    }
    for i in 0..2_000 {
        text.push_str(&format!(" <<E{i}"));
    }
    text.push('\n');
    for i in 0..2_000 {
        text.push_str(&format!("body\nE{i}\n"));
    }
    let df = timed(&text);
    assert!(df.is_ok());
    assert_eq!(df.instructions[1].flags.len(), 2_000);
    assert_eq!(df.instructions[1].heredocs.len(), 2_000);
}

#[test]
fn deeply_nested_onbuild() {
    let text = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(200_000));
    let df = timed(&text);
    // The line is also over BuildKit's 64 KiB limit.
    assert_eq!(df.errors.len(), 2, "{:?}", df.errors);
    assert!(df.errors[1].message.contains("nested too deeply"));
    let mut depth = 0;
    let mut cur = &df.instructions[1];
    while let Some(inner) = cur.onbuild() {
        depth += 1;
        cur = inner;
    }
    assert_eq!(depth, 8);
    // Shallow nesting parses as BuildKit's parser does.
    let df = dockerfile::parse("ONBUILD ONBUILD RUN x\n");
    assert!(df.is_ok());
    assert_eq!(
        dockerfile::dump::dump(&df),
        "(onbuild (onbuild (run \"x\")))\n"
    );
}

#[test]
fn lone_continuation_at_end_is_an_empty_instruction() {
    // BuildKit keeps an instruction with an empty name; its node prints as `("")`.
    let text = "FROM a\n  \\\n";
    let df = dockerfile::parse(text);
    assert_eq!(dockerfile::dump::dump(&df), "(from \"a\")\n(\"\")\n");
    assert_eq!(df.instructions[1].span.start, 9);
    assert_eq!(df.instructions[1].name(), "");
}

proptest! {
    // PROPTEST_CASES raises the number of cases for a longer local run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_dockerfile_like_text(
        parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "FROM ", "RUN ", "COPY ", "ENV ", "ONBUILD ",
                "HEALTHCHECK ", "ARG ", "LABEL ", "CMD ", "ADD ",
                "# escape=`\n", "# syntax=x\n", "#", "\n", "\r\n",
                "\\", "`", "\\\n", "<<", "<<-", "EOF",
                "\"", "'", "[", "]", ",", "=", "--",
                "--from=x", " ", "\t", "\u{a0}", "é", "\0",
                "\u{feff}", "{", "}", "1", "$", "${a:-b}",
            ]),
            0..60,
        )
    ) {
        let text: String = parts.concat();
        let df = dockerfile::parse(&text);
        spans_in_bounds(&df, &text);
        let _ = dockerfile::dump::dump(&df);
        let _ = dockerfile::debug_tree::render(&df, &text);
        for i in &df.instructions {
            let _ = (i.from(), i.copy(), i.arg_decls(), i.shell_text(), i.args_span());
            for h in &i.heredocs {
                for (span, line) in h.lines() {
                    prop_assert_eq!(span.text(&text), line);
                }
            }
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in ".{0,300}") {
        let df = dockerfile::parse(&text);
        spans_in_bounds(&df, &text);
        let _ = dockerfile::dump::dump(&df);
    }
}

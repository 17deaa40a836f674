//! Properties over generated inputs:
//! - Dockerfile parse → print → parse keeps the tree: printing each instruction's logical line
//!   (continuations joined, comments and blank lines dropped) and the directives gives a file
//!   whose BuildKit dump is identical to the original's.
//! - LineIndex: byte offset → line/column → byte offset is the identity (characters and UTF-16).
//! - Fixes the real rules offer are valid edits, and applying them keeps every byte outside the
//!   accepted edits (src/fix/tests.rs checks the same with synthetic fixes).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::finding::Edit;
use plimsoll::fix::{apply_fixes, fixes_of};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, LineIndex, SourceFile};
use plimsoll::syntax::dockerfile::{self, dump::dump};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Dockerfile-like text: instructions with flags, quotes, JSON, continuations with comments
/// and blank lines between their pieces, CRLF, and either escape character.
fn dockerfile_text() -> impl Strategy<Value = String> {
    let piece = proptest::sample::select(vec![
        "FROM alpine:3.20",
        "FROM --platform=linux/amd64 debian AS build",
        "RUN apt-get update && apt-get install curl",
        "RUN echo \"a b\" 'c d'",
        "RUN [\"sh\", \"-c\", \"echo hi\"]",
        "CMD [\"a\",\"b\" ]",
        "CMD not json [",
        "ENV A=1 B=\"x y\"",
        "ENV OLD style",
        "LABEL a=b c=\"d e\"",
        "MAINTAINER me@example.com",
        "COPY --from=build --chown=1:1 /a /b",
        "ADD https://example.com/x.tar.gz /x",
        "ARG V=1",
        "USER root",
        "WORKDIR app",
        "EXPOSE 80/tcp 443",
        "HEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1",
        "ONBUILD RUN make",
        "SHELL [\"bash\", \"-c\"]",
        "STOPSIGNAL SIGTERM",
        "run lower case",
        "  RUN indented é ünï",
    ]);
    let joiner = proptest::sample::select(vec![
        " ",
        " \\\n  ",
        " \\\n# comment\n  ",
        " \\\n\n  ",
        " \\\r\n  ",
    ]);
    let line_end = proptest::sample::select(vec!["\n", "\r\n", "\n\n", "\n# note\n"]);
    let instr = (
        piece,
        proptest::collection::vec((joiner, "[a-z0-9=./-]{1,6}"), 0..3),
        line_end,
    )
        .prop_map(|(p, more, end)| {
            let mut s = p.to_string();
            for (j, w) in more {
                s.push_str(j);
                s.push_str(&w);
            }
            s.push_str(end);
            s
        });
    (proptest::bool::ANY, proptest::collection::vec(instr, 0..12)).prop_map(|(backtick, lines)| {
        let body: String = lines.concat();
        if backtick {
            format!("# escape=`\n{}", body.replace('\\', "`"))
        } else {
            body
        }
    })
}

/// Prints a parsed Dockerfile back as text: directives, then one line per instruction.
fn print(df: &dockerfile::Dockerfile) -> String {
    let mut out = String::new();
    for d in &df.directives {
        out.push_str(&format!("# {}={}\n", d.name, d.value));
    }
    for i in &df.instructions {
        out.push_str(&i.logical.text);
        out.push('\n');
    }
    out
}

/// Arbitrary text with line endings and characters of 1 to 4 bytes (and 2 UTF-16 units).
fn mixed_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z \\t\\r\\néß€😀\u{feff}]{0,80}").expect("regex")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn dockerfile_parse_print_parse_keeps_the_tree(text in dockerfile_text()) {
        let first = dockerfile::parse(&text);
        let printed = print(&first);
        let second = dockerfile::parse(&printed);
        prop_assert_eq!(dump(&first), dump(&second), "printed:\n{}", printed);
        prop_assert_eq!(first.escape, second.escape);
        let kinds = |df: &dockerfile::Dockerfile| -> Vec<String> {
            df.instructions.iter().map(|i| i.kind.to_string()).collect()
        };
        prop_assert_eq!(kinds(&first), kinds(&second));
        prop_assert_eq!(first.errors.len(), second.errors.len());
        // The printed form is already canonical.
        prop_assert_eq!(print(&second), printed);
    }

    #[test]
    fn line_col_and_offsets_round_trip(text in mixed_text()) {
        let index = LineIndex::new(&text);
        let mut last = None;
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = index.line_of(offset);
            let range = index.line_range(line, &text).expect("line of an offset exists");
            let lc = index.line_col(offset, &text);
            prop_assert_eq!(lc.line as usize, line + 1);
            // Positions only increase with the offset.
            if let Some(prev) = last {
                prop_assert!(lc > prev, "{:?} after {:?} at {}", lc, prev, offset);
            }
            last = Some(lc);
            // Offsets inside a line terminator have no position of their own.
            if offset > range.end {
                continue;
            }
            prop_assert_eq!(index.offset_of(lc, &text), offset, "{:?}", lc);
            let col16 = index.utf16_column(offset, &text);
            prop_assert_eq!(index.offset_of_utf16(line, col16, &text), offset);
        }
    }

    #[test]
    fn rule_fixes_keep_bytes_outside_their_edits(text in dockerfile_text(), compose in proptest::bool::ANY) {
        let (kind, name, text) = if compose {
            // The same pieces as compose values: images, commands, environment.
            let images: Vec<String> = text
                .lines()
                .filter_map(|l| l.split_whitespace().nth(1))
                .map(|w| w.replace(['"', '\'', '[', ']', ':'], ""))
                .collect();
            let mut y = String::from("services:\n");
            for (i, image) in images.iter().enumerate() {
                y.push_str(&format!("  s{i}:\n    image: {image}\n    privileged: true\n"));
            }
            (FileKind::Compose, "compose.yaml", y)
        } else {
            (FileKind::Dockerfile, "Dockerfile", text)
        };
        let settings = LintSettings { select: vec!["ALL".to_string()], ..LintSettings::default() };
        let file = SourceFile::new(name, text.clone(), kind);
        let fixes = fixes_of(&lint_source(&file, &settings).findings);
        let applied = apply_fixes(&text, &fixes);
        prop_assert!(applied.invalid.is_empty(), "rules offered invalid fixes: {:?}",
            applied.invalid.iter().map(|&i| &fixes[i]).collect::<Vec<_>>());
        // Rebuild the expected text independently: splice the accepted edits in from the end.
        let mut edits: Vec<&Edit> = applied.applied.iter().flat_map(|&i| &fixes[i].edits).collect();
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut expected = text.clone();
        for e in edits.iter().rev() {
            expected.replace_range(e.span.range(), &e.replacement);
        }
        prop_assert_eq!(&applied.text, &expected);
        // And each gap between edits is in the output, in order.
        let mut pos = 0;
        let mut at = 0;
        for e in &edits {
            let gap = &text[pos..e.span.start as usize];
            prop_assert!(applied.text[at..].starts_with(gap));
            at += gap.len() + e.replacement.len();
            pos = e.span.end as usize;
        }
        prop_assert_eq!(&applied.text[at..], &text[pos..]);
    }
}

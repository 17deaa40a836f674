//! Random text made of shell metacharacters: the tokenizer, the expander and the image reference
//! parser never panic, and every span stays inside its input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::syntax::expand::{Expander, NoVars};
use plimsoll::syntax::image_ref::ImageRef;
use plimsoll::syntax::shell;
use proptest::prelude::*;

fn shellish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "'",
            "\"",
            "$",
            "(",
            ")",
            "{",
            "}",
            "`",
            "\\",
            "|",
            "&",
            ";",
            "<",
            ">",
            "#",
            "\n",
            " ",
            "=",
            "-",
            "a",
            "*",
            "?",
            "@",
            "!",
            ":",
            "/",
            "%",
            "<<EOF\n",
            "EOF\n",
            "sh -c ",
            "é",
            "find . -exec ",
            "sudo ",
            "[[",
            "]]",
            "case ",
            " in ",
            "esac",
            "$'",
            "\\\n",
            "\t",
        ]),
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn shell_never_panics(text in shellish(), base in 0usize..1000) {
        let s = shell::parse(&text, base);
        for c in &s.commands {
            prop_assert!(c.span.start as usize >= base && c.span.end as usize <= base + text.len());
            for w in c.assignments.iter().chain(&c.words) {
                prop_assert!(w.span.start as usize >= base);
                prop_assert!(w.span.end as usize <= base + text.len());
                prop_assert!(w.span.start <= w.span.end);
            }
            let _ = (c.name(), c.has_flag("-y"), c.flag_value("-u"), c.subcommand());
        }
    }

    #[test]
    fn expander_never_panics(text in shellish()) {
        let ex = Expander::new(&NoVars);
        if let Err(e) = ex.expand_word(&text) {
            prop_assert!(e.offset <= text.len());
        }
        let _ = ex.with_escape('`').expand_words(&text);
    }

    #[test]
    fn image_ref_never_panics(text in "[a-zA-Z0-9:/@._\\-$\\{\\}\\[\\]é]{0,40}") {
        if let Ok(r) = ImageRef::parse(&text) {
            let _ = (r.normalized(), r.familiar(), r.is_scratch());
            prop_assert!(r.repository.end as usize <= text.len());
        }
    }
}

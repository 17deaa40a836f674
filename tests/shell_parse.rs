//! The RUN shell tokenizer: commands, operators, words, spans, wrappers, nested scripts.

mod support;

use plimsoll::syntax::shell::{Context, Op, Script, parse};

/// `name arg arg` per command, in source order.
fn summary(s: &Script<'_>) -> Vec<String> {
    s.commands
        .iter()
        .map(|c| {
            let mut v: Vec<&str> = c.words.iter().map(|w| w.as_str()).collect();
            if v.is_empty() {
                v.push("<no words>");
            }
            v.join(" ")
        })
        .collect()
}

#[test]
fn dbg() {
    let s = parse(
        "apt-get update && apt-get install -y curl || true; echo \"a b\" | tee x &",
        0,
    );
    println!("{:#?}", s);
}

//! Every Dockerfile of the shared corpus parses without a panic, and the tree's spans are
//! consistent with the source.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::syntax::dockerfile::{self, Args, Instruction};

fn check_spans(instr: &Instruction, text: &str, name: &str) {
    let len = text.len() as u32;
    assert!(
        instr.span.start <= instr.span.end && instr.span.end <= len,
        "{name}"
    );
    assert!(
        instr.start_line >= 1 && instr.start_line <= instr.end_line,
        "{name}"
    );
    // The keyword's source bytes spell the instruction name.
    assert_eq!(instr.keyword.text(text), instr.name(), "{name}: keyword");
    for f in &instr.flags {
        assert!(f.span.end <= len, "{name}: flag span");
    }
    // Words without continuations inside them map back to their own text.
    let words: Vec<_> = match &instr.args {
        Args::Words(w) => w.iter().collect(),
        Args::Pairs(p) => p.iter().flat_map(|p| [&p.key, &p.value]).collect(),
        _ => Vec::new(),
    };
    for w in words {
        let src = w.span.text(text);
        if !src.contains('\n') {
            assert_eq!(src, instr.logical.slice(w.logical), "{name}: word span");
        }
    }
    if let Some(inner) = instr.onbuild() {
        check_spans(inner, text, name);
    }
    for h in &instr.heredocs {
        assert_eq!(h.body.text(text), h.content, "{name}: heredoc body");
    }
}

#[test]
fn corpus_parses_without_panic() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let dir = shared.join("corpus/dockerfiles");
    let mut files = 0;
    let mut instructions = 0;
    let mut rejected = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus dir") {
        let path = entry.expect("entry").path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "tsv") {
            continue;
        }
        let (text, _) = plimsoll::source::decode(std::fs::read(&path).expect("read"));
        let name = path.display().to_string();
        let df = dockerfile::parse(&text);
        files += 1;
        instructions += df.instructions.len();
        if !df.is_ok() {
            rejected.push(format!("{name}: {}", df.errors[0].message));
        }
        for instr in &df.instructions {
            check_spans(instr, &text, &name);
        }
        // The dump renders without trouble for every file.
        assert!(!dockerfile::dump::dump(&df).is_empty() || df.instructions.is_empty());
    }
    eprintln!(
        "corpus: {files} files, {instructions} instructions, {} rejected as BuildKit would",
        rejected.len()
    );
    for r in &rejected {
        eprintln!("  {r}");
    }
    assert!(
        files > 100,
        "expected the shared corpus, found {files} files"
    );
}

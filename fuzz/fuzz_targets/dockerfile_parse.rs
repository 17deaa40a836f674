//! The Dockerfile parser on arbitrary text: never panics, and its spans stay inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let tree = plimsoll::syntax::dockerfile::parse(&text);
    for instr in &tree.instructions {
        assert!(instr.span.end as usize <= text.len(), "instruction span past the end");
        assert!(text.get(instr.span.range()).is_some(), "instruction span off a char boundary");
    }
    for e in &tree.errors {
        assert!(text.get(e.span.range()).is_some(), "error span outside the text");
    }
    // The BuildKit dump walks every node: it must not panic either.
    let _ = plimsoll::syntax::dockerfile::dump::dump(&tree);
});

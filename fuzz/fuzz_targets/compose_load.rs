//! The compose loader (YAML, schema, interpolation, model) on arbitrary text: never panics, and
//! every diagnostic span stays inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::model::compose::load;
use plimsoll::syntax::compose::interpolate::Env;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A path with no `.env` beside it: results depend on the input only.
    let env = Env::new().with_var("FUZZ", "x");
    let file = load(&text, Path::new("/nonexistent-plimsoll-fuzz/compose.yaml"), &env);
    for d in &file.diagnostics {
        assert!(text.get(d.span.range()).is_some(), "diagnostic span outside the text: {d:?}");
    }
    let _ = file.services().count();
});

//! Lint, apply fixes to a fixed point, re-parse. The fixed text must not gain syntax errors, and
//! a second fix pass over it must change nothing. First byte: bit 0 picks the kind (Dockerfile or
//! compose), bit 1 unsafe fixes too. Only valid UTF-8 is fixed (as in the CLI).
#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::fix::{FixMode, MAX_PASSES, apply_fixes, fix_until_stable, fixes_of};
use plimsoll::model::compose::{DiagnosticKind, load};
use plimsoll::rules::engine::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use plimsoll::syntax::compose::interpolate::Env;
use std::path::Path;

const DOCKERFILE: &str = "/nonexistent-plimsoll-fuzz/Dockerfile";
const COMPOSE: &str = "/nonexistent-plimsoll-fuzz/compose.yaml";

fn syntax_errors(kind: FileKind, text: &str) -> usize {
    match kind {
        FileKind::Dockerfile => plimsoll::syntax::dockerfile::parse(text).errors.len(),
        FileKind::Compose => load(text, Path::new(COMPOSE), &Env::new())
            .diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.kind,
                    DiagnosticKind::Syntax | DiagnosticKind::Depth | DiagnosticKind::AliasBudget
                )
            })
            .count(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (kind, path) = if head & 1 == 0 {
        (FileKind::Dockerfile, DOCKERFILE)
    } else {
        (FileKind::Compose, COMPOSE)
    };
    let mode = if head & 2 == 0 { FixMode::Safe } else { FixMode::Unsafe };
    let settings = LintSettings {
        select: vec!["ALL".to_string()],
        ..LintSettings::default()
    };
    let lint = |t: &str| {
        let file = SourceFile::new(path, t.to_string(), kind);
        fixes_of(&lint_source(&file, &settings).findings)
    };
    let first = lint(text);
    if first.is_empty() {
        return;
    }
    let outcome = fix_until_stable(text, first, mode, MAX_PASSES, lint);
    if outcome.text == text {
        return;
    }
    let before = syntax_errors(kind, text);
    let after = syntax_errors(kind, &outcome.text);
    assert!(
        after <= before,
        "fixes added syntax errors ({before} -> {after}):\n--- before\n{text}\n--- after\n{}",
        outcome.text
    );
    assert!(outcome.converged, "fixes did not converge in {MAX_PASSES} passes");
    // A second pass over the fixed text finds nothing more to change.
    let again: Vec<_> = lint(&outcome.text)
        .into_iter()
        .filter(|f| mode.allows(f.applicability))
        .collect();
    let second = apply_fixes(&outcome.text, &again);
    assert_eq!(
        second.text, outcome.text,
        "a second fix pass changed the text:\n--- first\n{}\n",
        outcome.text
    );
});

//! The fuzz targets' checks, one function each, shared by the cargo-fuzz binaries in
//! fuzz_targets/ and by tests/fuzz_regressions.rs (which replays every saved crashing input).
//! Each panics when the property it checks fails; plimsoll itself must never panic.

#![allow(dead_code)] // each fuzz binary uses one of these

use plimsoll::fix::{FixMode, MAX_PASSES, apply_fixes, fix_until_stable, fixes_of};
use plimsoll::model::compose::{DiagnosticKind, load};
use plimsoll::rules::engine::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
use plimsoll::syntax::compose::interpolate::Env;
use std::path::Path;

const DOCKERFILE: &str = "/nonexistent-plimsoll-fuzz/Dockerfile";
// A path with no `.env` beside it: results depend on the input only.
const COMPOSE: &str = "/nonexistent-plimsoll-fuzz/compose.yaml";

/// The Dockerfile parser on arbitrary text: never panics, and its spans stay inside the text.
pub fn dockerfile_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let tree = plimsoll::syntax::dockerfile::parse(&text);
    for instr in &tree.instructions {
        assert!(
            instr.span.end as usize <= text.len(),
            "instruction span past the end"
        );
        assert!(
            text.get(instr.span.range()).is_some(),
            "instruction span off a char boundary"
        );
    }
    for e in &tree.errors {
        assert!(
            text.get(e.span.range()).is_some(),
            "error span outside the text"
        );
    }
    // The BuildKit dump walks every node: it must not panic either.
    let _ = plimsoll::syntax::dockerfile::dump::dump(&tree);
}

/// The compose loader (YAML, schema, interpolation, model) on arbitrary text: never panics, and
/// every diagnostic span stays inside the text.
pub fn compose_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // A path with no `.env` beside it: results depend on the input only.
    let env = Env::new().with_var("FUZZ", "x");
    let file = load(&text, Path::new(COMPOSE), &env);
    for d in &file.diagnostics {
        assert!(
            text.get(d.span.range()).is_some(),
            "diagnostic span outside the text: {d:?}"
        );
    }
    let _ = file.services().count();
    compose_yaml_diff(data);
}

/// The fast YAML reader against saphyr-parser: where the fast path answers, its tree must be
/// exactly the reference tree.
pub fn compose_yaml_diff(data: &[u8]) {
    use plimsoll::syntax::compose::{subset_reader, yaml};
    let text = String::from_utf8_lossy(data);
    if let Some(tree) = subset_reader::parse(&text) {
        assert_eq!(
            tree,
            yaml::parse_reference(&text),
            "fast and reference YAML trees differ"
        );
    }
}

/// The whole lint of one file. The first byte picks the kind (even: Dockerfile, odd: compose)
/// and whether every rule runs; the rest is the file, decoded as the CLI decodes it.
pub fn lint_file(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let (kind, path) = if head & 1 == 0 {
        (FileKind::Dockerfile, DOCKERFILE)
    } else {
        (FileKind::Compose, COMPOSE)
    };
    let mut settings = LintSettings::default();
    if head & 2 != 0 {
        settings.select = vec!["ALL".to_string()];
    }
    let (text, _) = decode(rest.to_vec());
    let file = SourceFile::new(path, text, kind);
    let report = lint_source(&file, &settings);
    for f in &report.findings {
        assert!(
            file.text.get(f.span.range()).is_some(),
            "finding span outside the text: {f:?}"
        );
        // Positions must be computable for every report format.
        let _ = file.line_col(f.span.start as usize);
        let _ = file.line_col(f.span.end as usize);
        assert!(
            !f.message.contains("internal error"),
            "a rule panicked: {}",
            f.message
        );
    }
}

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

/// Lint, apply fixes to a fixed point, re-parse. The fixed text must not gain syntax errors, and
/// a second fix pass over it must change nothing. First byte: bit 0 picks the kind (Dockerfile or
/// compose), bit 1 unsafe fixes too. Only valid UTF-8 is fixed (as in the CLI).
pub fn fix_apply(data: &[u8]) {
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
    let mode = if head & 2 == 0 {
        FixMode::Safe
    } else {
        FixMode::Unsafe
    };
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
    assert!(
        outcome.converged,
        "fixes did not converge in {MAX_PASSES} passes"
    );
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
}

//! The fuzz targets' checks, one function each, shared by the cargo-fuzz binaries in
//! fuzz_targets/ and by tests/fuzz_regressions.rs (which replays every saved crashing input).
//! Each panics when the property it checks fails; plimsoll itself must never panic.

#![allow(dead_code)] // each fuzz binary uses one of these

use plimsoll::fix::{FixMode, MAX_PASSES, apply_fixes, fix_until_stable, fixes_of};
use plimsoll::model::compose::{DiagnosticKind, Env, MemFiles, load};
use plimsoll::rules::engine::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile, decode};
use std::path::Path;
use std::sync::Arc;

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
    // No file but the input: results depend on it only.
    let env = Env::new()
        .with_var("FUZZ", "x")
        .with_files(Arc::new(MemFiles::new()));
    let file = load(&text, Path::new(COMPOSE), &env);
    for d in &file.diagnostics {
        assert!(
            text.get(d.span.range()).is_some(),
            "diagnostic span outside the text: {d:?}"
        );
    }
    let _ = file.services().count();
    compose_yaml_diff(data);
    compose_include(&text);
}

/// The input as the top file of a project and as what it includes (itself, through a cycle,
/// when it includes its own name): walking the includes ends, and loading the file as an
/// included one keeps every diagnostic span inside the text.
fn compose_include(text: &str) {
    use plimsoll::model::compose::include;
    let files = Arc::new(
        MemFiles::new()
            .with(COMPOSE, text)
            .with("/nonexistent-plimsoll-fuzz/x.yaml", text),
    );
    let included = include::resolve(&[std::path::PathBuf::from(COMPOSE)], &*files);
    let mut env = Env::new().with_files(files);
    env.includes = Some(Arc::new(included));
    for path in [COMPOSE, "/nonexistent-plimsoll-fuzz/x.yaml"] {
        let file = load(text, Path::new(path), &env);
        for d in &file.diagnostics {
            assert!(
                text.get(d.span.range()).is_some(),
                "diagnostic span outside the text: {d:?}"
            );
        }
    }
}

/// The git index reader on arbitrary bytes: an error or paths, never a panic.
pub fn git_index(data: &[u8]) {
    for hash_len in [20, 32] {
        let _ =
            plimsoll::git_index::for_each_path(data, hash_len, |p| assert!(p.len() <= data.len()));
    }
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
        FileKind::Compose => load(
            text,
            Path::new(COMPOSE),
            &Env::new().with_files(Arc::new(MemFiles::new())),
        )
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                d.kind,
                DiagnosticKind::Syntax | DiagnosticKind::Depth | DiagnosticKind::AliasBudget
            )
        })
        .count(),
        // A dotenv file has no syntax errors: a line that is no assignment is skipped.
        FileKind::Env => 0,
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

/// Variable expansion on chains that multiply values: the first byte picks the kind (even:
/// Dockerfile ARG or ENV lines, odd: compose with a `.env`) and the number of lines (up to 63),
/// the rest is the first value and then raw lines appended to the file (`.env` for compose).
/// Each line's value uses the one before twice, so the values double per line unless the
/// budget stops them: the check is that the work stays bounded (the values the model holds
/// stay within the budget) and that a stop is reported as a limit.
pub fn expansion(data: &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (seed, tail) = text.split_once('\n').unwrap_or((&text, ""));
    let seed: String = seed.chars().filter(|c| !c.is_control()).take(64).collect();
    let lines = usize::from(head >> 2);
    if head & 1 == 0 {
        let keyword = if head & 2 == 0 { "ARG" } else { "ENV" };
        let mut df = String::from("FROM alpine:3.20 AS base\n");
        if keyword == "ARG" {
            df.clear();
        }
        df.push_str(&format!("{keyword} V0=\"{seed}\"\n"));
        for i in 1..=lines {
            df.push_str(&format!("{keyword} V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
        }
        df.push_str(&format!("FROM alpine:${{V{lines}}}\n{tail}\n"));
        let tree = plimsoll::syntax::dockerfile::parse(&df);
        let model = plimsoll::model::dockerfile::from_tree(&tree, &df);
        let budget = plimsoll::syntax::expand::Budget::for_text(df.len()).bytes;
        let held: usize = model
            .global_args
            .values()
            .flatten()
            .map(String::len)
            .chain(
                model
                    .stages
                    .iter()
                    .flat_map(|s| s.env.values().map(String::len)),
            )
            .chain(model.images.iter().map(|u| u.resolved.len()))
            .sum();
        assert!(
            held <= 2 * budget + df.len(),
            "the model holds {held} bytes of values, budget {budget}"
        );
        // What the first line holds after parsing (the seed may quote, escape or expand to
        // less than its own bytes: `$x`, a lone `\`), not the seed's length.
        let first = if keyword == "ARG" {
            model.global_args.get("V0").and_then(|v| v.as_ref())
        } else {
            model.stages.first().and_then(|s| s.env.get("V0"))
        };
        let first_len = first.map_or(0, String::len);
        let doubled_past = first_len.checked_shl(lines as u32).unwrap_or(usize::MAX);
        if first_len > 0 && doubled_past > 2 * budget {
            assert!(
                !model.limits.is_empty(),
                "no limit reported for {lines} doublings"
            );
        }
        lint_file(&[&[2u8][..], df.as_bytes()].concat());
    } else {
        let mut dotenv = format!("V0=\"{seed}\"\n");
        for i in 1..=lines {
            dotenv.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
        }
        dotenv.push_str(tail);
        let compose = format!(
            "services:\n  web:\n    image: nginx:${{V{lines}}}\n    environment:\n      A: ${{V{lines}}}${{V{lines}}}\n"
        );
        let files = MemFiles::new().with("/nonexistent-plimsoll-fuzz/.env", dotenv.clone());
        let env = Env::new().with_files(Arc::new(files));
        let file = load(&compose, Path::new(COMPOSE), &env);
        let held: usize = file
            .services()
            .flat_map(|s| {
                s.image.iter().map(|t| t.value.len()).chain(
                    s.environment
                        .iter()
                        .filter_map(|kv| kv.value.as_ref())
                        .map(|t| t.value.len()),
                )
            })
            .sum();
        let budget = (1usize << 20) + 4 * dotenv.len();
        assert!(
            held <= 4 * budget,
            "the model holds {held} bytes of values, budget {budget}"
        );
        // What `V0` holds once the `.env` is read (its quoting and expansion apply), measured
        // through an image reference that uses it alone.
        let probe = load(
            "services:\n  probe:\n    image: x${V0}\n",
            Path::new(COMPOSE),
            &env,
        );
        let first_len = probe
            .services()
            .filter_map(|s| s.image.as_ref())
            .map(|t| t.value.len().saturating_sub(1))
            .sum::<usize>();
        let doubled_past = first_len.checked_shl(lines as u32).unwrap_or(usize::MAX);
        if first_len > 0 && doubled_past > 2 * budget {
            assert!(
                file.diagnostics
                    .iter()
                    .any(|d| d.kind == DiagnosticKind::AliasBudget),
                "no limit reported for {lines} doublings: {:?}",
                file.diagnostics
            );
        }
    }
}

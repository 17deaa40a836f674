//! `unpinned-digest`'s lock-file fix, applied with the fixer (kept out of the rules layer).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use plimsoll::fix::{FixMode, fix_until_stable, fixes_of};
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};
use std::sync::Arc;

const D: &str = "sha256:abababababababababababababababababababababababababababababababab";

fn settings() -> LintSettings {
    let mut s = LintSettings {
        select: vec!["unpinned-digest".into()],
        ..LintSettings::default()
    };
    s.options.pinned_digests = Arc::new(
        [("docker.io/library/alpine:latest".to_string(), D.to_string())]
            .into_iter()
            .collect(),
    );
    s
}

#[test]
fn the_lock_digest_pins_untagged_references_as_latest() {
    let s = settings();
    let text = "FROM alpine AS a\nFROM alpine:3.20\n";
    let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
    let found = lint_source(&file, &s).findings;
    assert_eq!(found.len(), 2);
    assert!(
        found[0].fix.is_some() && found[1].fix.is_none(),
        "{found:?}"
    );
    let relint = |t: &str| {
        let f = SourceFile::new("Dockerfile", t.to_string(), FileKind::Dockerfile);
        fixes_of(&lint_source(&f, &s).findings)
    };
    let out = fix_until_stable(text, fixes_of(&found), FixMode::Safe, 10, relint);
    assert!(out.converged);
    assert_eq!(
        out.text,
        format!("FROM alpine:latest@{D} AS a\nFROM alpine:3.20\n")
    );
    // Without lock digests there is no fix.
    let plain = LintSettings {
        select: s.select.clone(),
        ..LintSettings::default()
    };
    assert!(
        lint_source(&file, &plain)
            .findings
            .iter()
            .all(|f| f.fix.is_none())
    );
}

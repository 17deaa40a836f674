//! Every compose file of the shared corpus loads without an internal error, and the model knows
//! every key the Compose Specification's schema names.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::path::Path;

use plimsoll::model::compose::{DiagnosticKind, Env, load, schema};

#[test]
fn corpus_loads_without_internal_error() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let dir = shared.join("corpus/compose");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() > 50, "corpus looks empty: {}", files.len());
    let env = Env::new();
    let mut services = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("utf-8 corpus file");
        let file = load(&text, path, &env);
        for d in &file.diagnostics {
            assert!(
                !d.message.contains("internal error"),
                "{}: {}",
                path.display(),
                d.message
            );
            if std::env::var_os("SHOW_DIAGS").is_some() && d.kind != DiagnosticKind::UnsetVariable {
                eprintln!(
                    "{}: {:?} {} ({:?})",
                    path.display(),
                    d.kind,
                    d.message,
                    d.span
                );
            }
            assert!(d.span.end as usize <= text.len());
            assert!(text.is_char_boundary(d.span.start as usize));
        }
        services += file.services().count();
        for s in file.services() {
            // Spans are byte ranges of this file: the service key reads as its name.
            if s.name.origin.is_none() {
                assert_eq!(&text[s.name.span.range()], s.name.raw, "{}", path.display());
            }
            if let Some(img) = &s.image
                && let Some(off) = img.raw_offset
            {
                let at = off as usize;
                assert_eq!(&text[at..at + img.raw.len()], img.raw);
            }
        }
    }
    assert!(services > 200, "only {services} services in the corpus");
}

#[test]
fn model_knows_every_key_of_the_reference_schema() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let text = std::fs::read_to_string(shared.join("reference/compose-spec.json"))
        .expect("compose-spec.json");
    let spec: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let top = keys(&spec["properties"]);
    let service = keys(&spec["definitions"]["service"]["properties"]);
    assert!(top.len() > 5 && service.len() > 50, "schema shape changed");
    let known_top: Vec<_> = schema::top_level_keys().collect();
    let known_service: Vec<_> = schema::service_keys().collect();
    let missing_top: Vec<_> = top
        .iter()
        .filter(|k| !known_top.contains(&k.as_str()))
        .collect();
    let missing_service: Vec<_> = service
        .iter()
        .filter(|k| !known_service.contains(&k.as_str()))
        .collect();
    assert!(
        missing_top.is_empty() && missing_service.is_empty(),
        "model lacks top-level keys {missing_top:?} and service keys {missing_service:?}"
    );
    let _ = Path::new("");
}

//! The layout is the registry: `build.rs` pairs pages with rule files. These tests run the same
//! code on made-up trees and check what it generates and how it refuses an inconsistent tree.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
#![allow(dead_code)] // the build-time modules have parts only build.rs uses

#[path = "../src/rules/front_matter.rs"]
mod front_matter;
#[path = "../src/rules/layout.rs"]
mod layout;

use std::path::Path;

const FAMILIES: &str = r#"
[[family]]
name = "engine"
module = "engine"
codes = ["PL001", "PL099"]
category = "correctness"
security = false
engine = true
summary = "engine"

[[family]]
name = "image"
module = "image"
codes = ["PL100", "PL199"]
category = "reproducibility"
security = false
summary = "images"
"#;

fn page(code: &str, name: &str) -> String {
    format!(
        "+++\ncode = \"{code}\"\nname = \"{name}\"\nseverity = \"warning\"\nfile_kinds = [\"dockerfile\"]\nsummary = \"s\"\n+++\n\n# {name}\n"
    )
}

const RULE: &str = "pub struct FooBar;\n\nimpl Rule for FooBar {}\n";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [("rules/families.toml", FAMILIES)].iter().chain(files) {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn problems(dir: &Path) -> String {
    match layout::registry(dir) {
        Ok(_) => String::new(),
        Err(p) => p.join("\n"),
    }
}

#[test]
fn a_page_and_its_rule_file_make_a_rule() {
    let dir = tree(&[
        ("rules/image/foo-bar.md", &page("PL101", "foo-bar")),
        ("src/rules/image/foo_bar.rs", RULE),
        ("rules/engine/parse-error.md", &page("PL001", "parse-error")),
    ]);
    let (modules, registry) = layout::registry(dir.path()).unwrap();
    assert!(modules.contains("pub mod image {"), "{modules}");
    assert!(modules.contains("pub mod foo_bar;"), "{modules}");
    assert!(
        !modules.contains("engine"),
        "engine rules have no module: {modules}"
    );
    assert!(registry.contains("pub enum RuleId {"));
    assert!(registry.contains("    FooBar,") && registry.contains("    ParseError,"));
    assert!(registry.contains("RuleId::FooBar => \"PL101\""));
    assert!(registry.contains("implementation: Some(&super::image::foo_bar::FooBar)"));
    // Sorted by code: the engine rule first.
    assert!(registry.find("ParseError,").unwrap() < registry.find("FooBar,").unwrap());
}

#[test]
fn a_page_without_a_rule_file_is_refused() {
    let dir = tree(&[("rules/image/foo-bar.md", &page("PL101", "foo-bar"))]);
    let p = problems(dir.path());
    assert!(
        p.contains("rules/image/foo-bar.md: a page without a rule file"),
        "{p}"
    );
    assert!(p.contains("src/rules/image/foo_bar.rs"), "{p}");
}

#[test]
fn a_rule_file_without_a_page_is_refused() {
    let dir = tree(&[
        ("rules/image/foo-bar.md", &page("PL101", "foo-bar")),
        ("src/rules/image/foo_bar.rs", RULE),
        ("src/rules/image/stray.rs", "pub struct Stray;\n"),
    ]);
    let p = problems(dir.path());
    assert!(
        p.contains(
            "src/rules/image/stray.rs: a rule file without a page (expected rules/image/stray.md)"
        ),
        "{p}"
    );
}

#[test]
fn codes_names_and_definitions_are_checked() {
    let out_of_range = tree(&[
        ("rules/image/foo-bar.md", &page("PL201", "foo-bar")),
        ("src/rules/image/foo_bar.rs", RULE),
    ]);
    assert!(problems(out_of_range.path()).contains("outside the image family's range"));

    let twice = tree(&[
        ("rules/image/foo-bar.md", &page("PL101", "foo-bar")),
        ("src/rules/image/foo_bar.rs", RULE),
        ("rules/image/baz.md", &page("PL101", "baz")),
        (
            "src/rules/image/baz.rs",
            "pub struct Baz;\nimpl Rule for Baz {}\n",
        ),
    ]);
    assert!(problems(twice.path()).contains("share the code PL101"));

    let misnamed = tree(&[("rules/image/other.md", &page("PL101", "foo-bar"))]);
    assert!(problems(misnamed.path()).contains("must be named foo-bar.md"));

    let undefined = tree(&[
        ("rules/image/foo-bar.md", &page("PL101", "foo-bar")),
        ("src/rules/image/foo_bar.rs", "pub struct Other;\n"),
    ]);
    assert!(problems(undefined.path()).contains("must define `pub struct FooBar;`"));

    let unknown_family = tree(&[("rules/nope/foo-bar.md", &page("PL101", "foo-bar"))]);
    assert!(problems(unknown_family.path()).contains("not a family of rules/families.toml"));

    let engine_code = tree(&[
        ("rules/engine/parse-error.md", &page("PL001", "parse-error")),
        (
            "src/rules/engine/parse_error.rs",
            "pub struct ParseError;\n",
        ),
    ]);
    assert!(problems(engine_code.path()).contains("engine rules have no rule file"));
}

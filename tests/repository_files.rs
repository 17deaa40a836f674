//! What a user installing plimsoll reads: the licence files Cargo.toml declares, and install
//! instructions that point at nothing that does not exist.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

fn read(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_declared_licences_are_shipped() {
    let manifest = read("Cargo.toml");
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    let mit = read("LICENSE-MIT");
    assert!(mit.starts_with("MIT License"));
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = read("LICENSE-APACHE");
    assert!(apache.contains("Apache License"));
    assert!(apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    let readme = read("README.md");
    assert!(readme.contains("(LICENSE-APACHE)") && readme.contains("(LICENSE-MIT)"));
}

#[test]
fn install_instructions_use_paths_that_exist() {
    // The project has no public repository: installing from one would fail.
    for name in ["README.md", ".pre-commit-hooks.yaml"] {
        let text = read(name);
        assert!(
            !text.contains("cargo install --git") && !text.contains("repo: https://"),
            "{name} points at a repository that does not exist"
        );
    }
    let readme = read("README.md");
    assert!(readme.contains("cargo install --locked --path ."));
}

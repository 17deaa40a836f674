//! Parses the front matter of every rule page (`rules/*.md`) at compile time into a table the
//! catalog reads (`$OUT_DIR/catalog_pages.rs`): the binary starts without parsing TOML, and a
//! malformed page stops the build with its file name.

#[path = "src/rules/front_matter.rs"]
mod front_matter;

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules/front_matter.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(manifest.join("rules"))
        .unwrap_or_else(|e| panic!("rules/: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    pages.sort();
    let mut out = String::from("pub(super) static PAGES: &[Page] = &[\n");
    for path in &pages {
        let shown = path.display();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let (front, _) = front_matter::split(&text).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let fm = front_matter::parse(front).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let _ = writeln!(
            out,
            "    Page {{ doc: include_str!({:?}), code: {:?}, name: {:?}, severity: {:?}, \
             file_kinds: &{:?}, fixable: {:?}, default_enabled: {:?}, aliases: &{:?}, \
             summary: {:?} }},",
            path.display().to_string(),
            fm.code,
            fm.name,
            fm.severity,
            fm.file_kinds,
            fm.fixable,
            fm.default,
            fm.aliases,
            fm.summary,
        );
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("catalog_pages.rs"), out)
        .unwrap_or_else(|e| panic!("catalog_pages.rs: {e}"));
}

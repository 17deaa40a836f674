//! The layout is the registry: this script pairs every rule page `rules/<family>/<name>.md` with
//! its rule file `src/rules/<module>/<name_in_snake_case>.rs` and generates, in `$OUT_DIR`:
//!
//! - `rule_modules.rs`: the `pub mod` declarations of every rule file, by family;
//! - `registry.rs`: the families table, the typed rule id [`RuleId`] (one variant per page, in
//!   code order) and the static catalog `RULES`, each entry holding the page's metadata, its
//!   text and the rule's implementation.
//!
//! A page without a rule file, a rule file without a page, a code outside its family's range, a
//! duplicate code or name, or a malformed page stops the build with a message naming the file.
//! Pages of the `engine` family have no rule file (the engine reports them), nor do pages of
//! removed rules.

#[path = "src/rules/front_matter.rs"]
mod front_matter;
#[path = "src/rules/layout.rs"]
mod layout;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    link_position_dependent();
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    match layout::registry(&manifest) {
        Ok((modules, registry)) => {
            write(&out_dir.join("rule_modules.rs"), &modules);
            write(&out_dir.join("registry.rs"), &registry);
        }
        Err(problems) => {
            // Every problem at once, so that a moved family is fixed in one round.
            let mut message = String::from("the rule catalog is inconsistent:\n");
            for p in problems {
                let _ = writeln!(message, "  - {p}");
            }
            message.push_str("(see CONTRIBUTING.md: a rule is a page in rules/<family>/ and a file in src/rules/<module>/)");
            panic!("{message}");
        }
    }
}

/// Links the `plimsoll` binary as a position-dependent executable on Linux with glibc.
///
/// Why: a position-independent executable has every pointer in its read-only tables (the rule
/// catalog, vtables, Unicode and time-zone tables of the dependencies, panic locations)
/// relocated by the dynamic loader at every start: 58,000 relocations over 391 pages, each page
/// copied on write. On the 2-core VMs we measure on, that was 1.4 ms of a 4.3 ms one-file check
/// (`perf stat`: 708 page faults against 336 without, `--version` 2.9 ms against 1.5 ms), and a
/// pre-commit hook pays it once per batch of files. A position-dependent link resolves them all
/// when linking. The cost is that the executable's own code and data load at a fixed address
/// (the heap, stack and shared libraries keep their random addresses); plimsoll is safe Rust
/// on every input-driven path, which is the protection that matters here. Only the binary is
/// linked this way: the library, tests and fuzz targets are unchanged. Set
/// `PLIMSOLL_PIE=1` at build time to keep the default position-independent link.
fn link_position_dependent() {
    println!("cargo:rerun-if-env-changed=PLIMSOLL_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && std::env::var_os("PLIMSOLL_PIE").is_none()
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

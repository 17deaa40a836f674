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

fn write(path: &Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

//! The layout is the registry: pairs every rule page `rules/<family>/<name>.md` with its rule
//! file `src/rules/<module>/<name_in_snake_case>.rs` and writes the generated code (see
//! `build.rs`, which runs this at compile time; `tests/layout.rs` tests it on made-up trees).
//! Build-time only: the library does not compile this module.

use crate::front_matter::{self, FamilyEntry, FrontMatter};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One page, as the generated code needs it.
struct Page {
    family: usize,
    path: PathBuf,
    /// `image/latest-tag.md`.
    relative: String,
    fm: FrontMatter,
    body_start: usize,
    /// `Some(path)` when the rule has an implementation.
    source: Option<PathBuf>,
}

/// The generated module declarations and catalog for the crate at `manifest`, or every problem
/// found (each naming its file).
pub fn registry(manifest: &Path) -> Result<(String, String), Vec<String>> {
    let rules_dir = manifest.join("rules");
    let src_dir = manifest.join("src/rules");
    let families_path = rules_dir.join("families.toml");
    let families_text = std::fs::read_to_string(&families_path)
        .map_err(|e| vec![format!("{}: {e}", families_path.display())])?;
    let families = front_matter::parse_families(&families_text)
        .map_err(|e| vec![format!("{}: {e}", families_path.display())])?
        .family;

    let mut problems = Vec::new();
    let mut pages = Vec::new();
    for dir in sorted_entries(&rules_dir) {
        if !dir.is_dir() {
            continue;
        }
        let dir_name = file_name(&dir);
        let Some(family) = families.iter().position(|f| f.name == dir_name) else {
            problems.push(format!(
                "{}: not a family of rules/families.toml",
                dir.display()
            ));
            continue;
        };
        for path in sorted_entries(&dir) {
            if path.extension().is_none_or(|e| e != "md") {
                problems.push(format!("{}: not a rule page (.md)", path.display()));
                continue;
            }
            match read_page(&path, family, &families, &src_dir) {
                Ok(page) => pages.push(page),
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
    }
    // Rule files without a page, and family folders of src/rules without a family.
    for dir in sorted_entries(&src_dir) {
        if !dir.is_dir() {
            continue;
        }
        let module = file_name(&dir);
        let Some(family) = families.iter().find(|f| f.module == module) else {
            problems.push(format!(
                "{}: no family in rules/families.toml has this module",
                dir.display()
            ));
            continue;
        };
        for file in sorted_entries(&dir) {
            let claimed = pages.iter().any(|p| p.source.as_deref() == Some(&file));
            if !claimed {
                let stem = file_name(&file).trim_end_matches(".rs").replace('_', "-");
                problems.push(format!(
                    "{}: a rule file without a page (expected rules/{}/{stem}.md){}",
                    file.display(),
                    family.name,
                    if family.engine {
                        "; the engine family has no rule files"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    pages.sort_by(|a, b| a.fm.code.cmp(&b.fm.code));
    for pair in pages.windows(2) {
        if let [a, b] = pair
            && a.fm.code == b.fm.code
        {
            problems.push(format!(
                "{} and {} share the code {}",
                a.relative, b.relative, a.fm.code
            ));
        }
    }
    let mut names = BTreeMap::new();
    for p in &pages {
        if let Some(other) = names.insert(p.fm.name.as_str(), p.relative.as_str()) {
            problems.push(format!(
                "{} and {} share the name {}",
                other, p.relative, p.fm.name
            ));
        }
    }
    for p in &pages {
        if let Some(r) = &p.fm.replaced_by
            && !names.contains_key(r.as_str())
        {
            problems.push(format!("{}: replaced_by names no rule: {r}", p.relative));
        }
        for c in &p.fm.covers {
            if !names.contains_key(c.as_str()) || *c == p.fm.name {
                problems.push(format!("{}: covers names no other rule: {c}", p.relative));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((modules(&families, &pages), catalog(&families, &pages)))
}

fn read_page(
    path: &Path,
    family: usize,
    families: &[FamilyEntry],
    src_dir: &Path,
) -> Result<Page, String> {
    let fam = &families[family];
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (front, _, body_start) = front_matter::split(&text)?;
    let fm = front_matter::parse(front)?;
    let stem = file_name(path).trim_end_matches(".md").to_string();
    if stem != fm.name {
        return Err(format!(
            "the page of rule {:?} must be named {}.md",
            fm.name, fm.name
        ));
    }
    let code = front_matter::code_number(&fm.code).unwrap_or(0);
    let (lo, hi) = (
        front_matter::code_number(&fam.codes[0]).unwrap_or(0),
        front_matter::code_number(&fam.codes[1]).unwrap_or(0),
    );
    if !(lo..=hi).contains(&code) {
        return Err(format!(
            "code {} is outside the {} family's range {}–{}",
            fm.code, fam.name, fam.codes[0], fam.codes[1]
        ));
    }
    let source = src_dir
        .join(&fam.module)
        .join(format!("{}.rs", fm.name.replace('-', "_")));
    let wants_source = !fam.engine && fm.lifecycle != "removed";
    let source = match (wants_source, source.exists()) {
        (true, true) => {
            let code_text = std::fs::read_to_string(&source).map_err(|e| e.to_string())?;
            let ty = type_name(&fm.name);
            if !code_text.contains(&format!("pub struct {ty};"))
                || !code_text.contains(&format!("impl Rule for {ty} "))
            {
                return Err(format!(
                    "{} must define `pub struct {ty};` and `impl Rule for {ty}`",
                    source.display()
                ));
            }
            Some(source)
        }
        (true, false) => {
            return Err(format!(
                "a page without a rule file (expected {})",
                source.display()
            ));
        }
        (false, true) => {
            return Err(format!(
                "{} exists, but {} rules have no rule file",
                source.display(),
                if fam.engine { "engine" } else { "removed" }
            ));
        }
        (false, false) => None,
    };
    Ok(Page {
        family,
        relative: format!("{}/{}.md", fam.name, fm.name),
        path: path.to_path_buf(),
        fm,
        body_start,
        source,
    })
}

/// `latest-tag` -> `LatestTag`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn modules(families: &[FamilyEntry], pages: &[Page]) -> String {
    let mut out =
        String::from("// @generated by build.rs from the layout of rules/ and src/rules/.\n");
    for (i, fam) in families.iter().enumerate() {
        let mut members: Vec<&Page> = pages
            .iter()
            .filter(|p| p.family == i && p.source.is_some())
            .collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|a, b| a.fm.name.cmp(&b.fm.name));
        let _ = writeln!(out, "\n/// The {} family: {}", fam.name, fam.summary);
        let _ = writeln!(out, "pub mod {} {{", fam.module);
        for p in members {
            if let Some(source) = &p.source {
                let _ = writeln!(out, "    #[path = {:?}]", source.display().to_string());
                let _ = writeln!(out, "    pub mod {};", p.fm.name.replace('-', "_"));
            }
        }
        out.push_str("}\n");
    }
    out
}

fn catalog(families: &[FamilyEntry], pages: &[Page]) -> String {
    let mut out =
        String::from("// @generated by build.rs from rules/families.toml and the rule pages.\n\n");
    let _ = writeln!(out, "/// Every family, in code order.");
    let _ = writeln!(out, "pub static FAMILIES: [Family; {}] = [", families.len());
    for f in families {
        let _ = writeln!(
            out,
            "    Family {{ name: {:?}, module: {:?}, first_code: {:?}, last_code: {:?}, category: Category::{}, security: {}, engine: {}, summary: {:?} }},",
            f.name,
            f.module,
            f.codes[0],
            f.codes[1],
            type_name(&f.category),
            f.security,
            f.engine,
            f.summary
        );
    }
    out.push_str("];\n\n");

    out.push_str("/// A rule, by its page: one variant per page of `rules/`, in code order.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n");
    out.push_str("pub enum RuleId {\n");
    for p in pages {
        let _ = writeln!(
            out,
            "    /// `{}` ({}): {}",
            p.fm.name,
            p.fm.code,
            p.fm.summary.replace('`', "")
        );
        let _ = writeln!(out, "    {},", type_name(&p.fm.name));
    }
    out.push_str("}\n\n");
    out.push_str("impl RuleId {\n    /// Every rule, in code order.\n");
    let _ = writeln!(out, "    pub const ALL: [RuleId; {}] = [", pages.len());
    for p in pages {
        let _ = writeln!(out, "        RuleId::{},", type_name(&p.fm.name));
    }
    out.push_str("    ];\n\n");
    out.push_str("    /// The rule's code (`PL101`), usable in constants.\n");
    out.push_str("    pub const fn code(self) -> &'static str {\n        match self {\n");
    for p in pages {
        let _ = writeln!(
            out,
            "            RuleId::{} => {:?},",
            type_name(&p.fm.name),
            p.fm.code
        );
    }
    out.push_str("        }\n    }\n\n");
    out.push_str("    /// The rule's name (`latest-tag`), usable in constants.\n");
    out.push_str("    pub const fn name(self) -> &'static str {\n        match self {\n");
    for p in pages {
        let _ = writeln!(
            out,
            "            RuleId::{} => {:?},",
            type_name(&p.fm.name),
            p.fm.name
        );
    }
    out.push_str("        }\n    }\n}\n\n");

    let _ = writeln!(out, "/// The catalog, indexed by `RuleId as usize`.");
    let _ = writeln!(out, "pub static RULES: [RuleMeta; {}] = [", pages.len());
    for p in pages {
        let fm = &p.fm;
        let fam = &families[p.family];
        let ty = type_name(&fm.name);
        let kinds: Vec<String> = fm
            .file_kinds
            .iter()
            .map(|k| format!("FileKind::{}", type_name(k)))
            .collect();
        let implementation = match &p.source {
            Some(_) => format!(
                "Some(&super::{}::{}::{ty})",
                fam.module,
                fm.name.replace('-', "_")
            ),
            None => "None".into(),
        };
        let category = fm.category.as_deref().unwrap_or(&fam.category);
        let _ = writeln!(
            out,
            "    RuleMeta {{ id: RuleId::{ty}, code: {:?}, name: {:?}, family: &FAMILIES[{}], \
             category: Category::{}, lifecycle: Lifecycle::{}, severity: Severity::{}, \
             file_kinds: &[{}], fixable: {}, default_enabled: {}, aliases: &{:?}, summary: {:?}, \
             replaced_by: {:?}, covers: &{:?}, page: {:?}, doc: include_str!({:?}), \
             body_start: {}, implementation: {implementation} }},",
            fm.code,
            fm.name,
            p.family,
            type_name(category),
            type_name(&fm.lifecycle),
            type_name(&fm.severity),
            kinds.join(", "),
            fm.fixable,
            fm.default,
            fm.aliases,
            fm.summary,
            fm.replaced_by,
            fm.covers,
            p.relative,
            p.path.display().to_string(),
            p.body_start,
        );
    }
    out.push_str("];\n");
    out
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.retain(|p| {
        let name = file_name(p);
        !name.starts_with('.') && name != "README.md" && name != "families.toml"
    });
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

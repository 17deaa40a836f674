//! The one place the server reaches into the rest of plimsoll: linting a document, resolving its
//! settings, the rule catalog, image references and digests. Everything else in `lsp/` works on
//! [`FileReport`]s and plain data, so a change in the engine, configuration or registry APIs is a
//! change here only.

use crate::finding::FileReport;
use crate::rules::settings::LintSettings;
use crate::source::SourceFile;
use std::path::Path;

/// Lints one document exactly as `plimsoll check` lints a file.
pub fn lint_document(file: &SourceFile, _settings: &LintSettings) -> FileReport {
    // Swapped for `crate::rules::engine::lint_source(file, settings)` when the engine lands.
    FileReport {
        file: file.clone(),
        findings: Vec::new(),
    }
}

/// The settings `plimsoll check` would use for the file at `path` (nearest configuration file).
/// An unreadable or invalid configuration is an error message; the caller falls back to defaults.
pub fn settings_for(_path: &Path) -> Result<LintSettings, String> {
    Ok(LintSettings::default())
}

/// Files whose change means every open document's settings may have changed.
pub const CONFIG_FILE_NAMES: &[&str] = &["plimsoll.toml", ".plimsoll.toml", ".hadolint.yaml"];

/// The lock file `plimsoll pin --lock` writes; its change invalidates resolved digests.
pub const LOCK_FILE_NAME: &str = "plimsoll.lock";

pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONFIG_FILE_NAMES.contains(&n))
}

pub fn is_lock_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()) == Some(LOCK_FILE_NAME)
}

/// What the editor shows about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub summary: String,
}

/// Where a rule's documentation lives (the `rules/<name>.md` page the catalog is built from).
pub fn rule_doc_url(code: &str, name: &str) -> String {
    let _ = code;
    format!("{DOCS_BASE}/{name}.md")
}

const DOCS_BASE: &str = "https://github.com/plimsoll-lint/plimsoll/blob/main/rules";

/// The catalog entry for a code, name or alias (hadolint DL code, BuildKit check name).
pub fn rule_doc(_code_or_alias: &str) -> Option<RuleDoc> {
    None
}

/// Line ranges (0-based, inclusive) of the statements of a Dockerfile or the top-level entries
/// of a compose file, so "ignore this rule" goes above a statement rather than inside a
/// continuation. `None` when the engine does not know them; callers then fall back to a scan.
pub fn statement_lines(_file: &SourceFile) -> Option<Vec<(u32, u32)>> {
    None
}

/// The parts of an image reference, as `docker pull` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageParts {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Parses an image reference (`[registry/]repository[:tag][@digest]`) with Docker Hub
/// normalisation (`debian` is `docker.io/library/debian`). `None` for text that is not one.
pub fn parse_image(reference: &str) -> Option<ImageParts> {
    let (name_tag, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d.to_string())),
        None => (reference, None),
    };
    if name_tag.is_empty()
        || name_tag
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\'')
    {
        return None;
    }
    let slash = name_tag.rfind('/');
    let (name, tag) = match name_tag.rfind(':') {
        Some(c) if slash.is_none_or(|s| c > s) => {
            (&name_tag[..c], Some(name_tag[c + 1..].to_string()))
        }
        _ => (name_tag, None),
    };
    if name.is_empty() || tag.as_deref() == Some("") {
        return None;
    }
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string())
        }
        _ => ("docker.io".to_string(), name.to_string()),
    };
    let repository = if registry == "docker.io" && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository
    };
    Some(ImageParts {
        registry,
        repository,
        tag,
        digest,
    })
}

/// Resolves `reference` to a `sha256:…` digest for the document at `doc_path`: from the lock
/// file when one covers it, else from the registry. Runs on a worker thread (it may block on the
/// network), never on the message loop.
pub fn resolve_digest(reference: &str, _doc_path: &Path) -> Result<String, String> {
    Err(format!(
        "cannot resolve {reference}: this build has no registry client"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_image_references() {
        let p = parse_image("debian:latest").unwrap();
        assert_eq!(p.registry, "docker.io");
        assert_eq!(p.repository, "library/debian");
        assert_eq!(p.tag.as_deref(), Some("latest"));
        assert_eq!(p.digest, None);
        let p = parse_image("localhost:5000/team/app:1.2@sha256:abc").unwrap();
        assert_eq!(p.registry, "localhost:5000");
        assert_eq!(p.repository, "team/app");
        assert_eq!(p.tag.as_deref(), Some("1.2"));
        assert_eq!(p.digest.as_deref(), Some("sha256:abc"));
        let p = parse_image("ghcr.io/o/r").unwrap();
        assert_eq!((p.registry.as_str(), p.tag), ("ghcr.io", None));
        assert_eq!(parse_image("user/app").unwrap().repository, "user/app");
        assert_eq!(parse_image(""), None);
        assert_eq!(parse_image("a:"), None);
        assert_eq!(parse_image("a b"), None);
    }

    #[test]
    fn recognises_config_and_lock_files() {
        assert!(is_config_file(Path::new("/x/plimsoll.toml")));
        assert!(!is_config_file(Path::new("/x/Cargo.toml")));
        assert!(is_lock_file(Path::new("a/plimsoll.lock")));
    }
}

//! The platforms an image is published for, read from what the registry serves: an index lists
//! its images with their platforms; a single image's config names its own. For
//! invalid-base-image-platform, through `plimsoll.lock` (`pin --lock` records them) or
//! `check --online`.

use serde_json::Value;

/// The platforms of an index's entries (`os/arch[/variant]`), without the attestation entries
/// BuildKit adds (`unknown/unknown`); `None` when `manifest` is not an index.
pub fn index_platforms(manifest: &Value) -> Option<Vec<String>> {
    let entries = manifest.get("manifests")?.as_array()?;
    let mut out: Vec<String> = entries
        .iter()
        .filter_map(|m| platform_of(m.get("platform")?))
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// The digest of a single image's config blob.
pub fn config_digest(manifest: &Value) -> Option<&str> {
    manifest.get("config")?.get("digest")?.as_str()
}

/// A config's (or an index entry's platform object's) `os/architecture[/variant]`.
pub fn platform_of(v: &Value) -> Option<String> {
    let os = v.get("os")?.as_str()?;
    let arch = v.get("architecture")?.as_str()?;
    if os.is_empty() || arch.is_empty() || os == "unknown" || arch == "unknown" {
        return None;
    }
    Some(match v.get("variant").and_then(Value::as_str) {
        Some(variant) if !variant.is_empty() => format!("{os}/{arch}/{variant}"),
        _ => format!("{os}/{arch}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_indexes_and_configs() {
        let index: Value = serde_json::from_str(
            r#"{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                {"digest":"sha256:a","platform":{"os":"linux","architecture":"amd64"}},
                {"digest":"sha256:b","platform":{"os":"linux","architecture":"arm","variant":"v7"}},
                {"digest":"sha256:c","platform":{"os":"unknown","architecture":"unknown"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            index_platforms(&index).unwrap(),
            ["linux/amd64", "linux/arm/v7"]
        );
        let manifest: Value =
            serde_json::from_str(r#"{"config":{"digest":"sha256:cfg"},"layers":[]}"#).unwrap();
        assert!(index_platforms(&manifest).is_none());
        assert_eq!(config_digest(&manifest), Some("sha256:cfg"));
        let config: Value =
            serde_json::from_str(r#"{"os":"linux","architecture":"arm64","variant":"v8"}"#)
                .unwrap();
        assert_eq!(platform_of(&config).as_deref(), Some("linux/arm64/v8"));
    }
}

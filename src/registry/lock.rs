//! `plimsoll.lock`: digests resolved earlier, so `pin --offline` and `pin --check` need no network.
//!
//! ```toml
//! [[image]]
//! reference = "docker.io/library/alpine:3.19"
//! digest = "sha256:…"
//! resolved-at = "2026-01-02T03:04:05Z"
//! kind = "index"
//! ```
//! Entries are sorted by reference, so the file diffs cleanly.

use super::{ManifestKind, Resolved};
use crate::syntax::image_ref::is_valid_digest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Default file name.
pub const LOCK_FILE_NAME: &str = "plimsoll.lock";

/// The largest lock file read (a lock of 100,000 images is about 20 MiB).
const MAX_LOCK_SIZE: usize = 64 << 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LockEntry {
    /// Canonical reference: `registry/repository:tag` (see [`super::Target`]'s `Display`).
    pub reference: String,
    pub digest: String,
    /// RFC 3339, UTC.
    pub resolved_at: String,
    pub kind: ManifestKind,
    /// The platforms the image is published for (`linux/amd64`, `linux/arm/v7`): an index's
    /// entries, or a single image's own. Empty when not recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct LockDoc {
    #[serde(default)]
    image: Vec<LockEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a valid lock file: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{source}")]
    Write {
        path: PathBuf,
        source: crate::fsio::WriteError,
    },
}

/// The lock file's entries, keyed by canonical reference.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockFile {
    entries: BTreeMap<String, LockEntry>,
}

impl LockFile {
    pub fn new() -> LockFile {
        LockFile::default()
    }

    /// Parses lock-file text. Entries with an invalid digest are refused (a corrupt lock must not
    /// pin garbage); for a repeated reference the last entry wins.
    pub fn parse(text: &str) -> Result<LockFile, String> {
        let doc: LockDoc = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let mut entries = BTreeMap::new();
        for e in doc.image {
            if !is_valid_digest(&e.digest) {
                return Err(format!("`{}` has an invalid digest", e.reference));
            }
            entries.insert(e.reference.clone(), e);
        }
        Ok(LockFile { entries })
    }

    /// Reads `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<LockFile, LockError> {
        LockFile::read_with_bytes(path).map(|(lock, _)| lock)
    }

    /// [`LockFile::read`], also returning the bytes read (for [`LockFile::write`]'s check that
    /// nobody changed the file meanwhile). A missing file, or a device or FIFO named as the lock
    /// file (written in place, never read), is an empty lock with no bytes.
    pub fn read_with_bytes(path: &Path) -> Result<(LockFile, Option<Vec<u8>>), LockError> {
        use crate::fsio::ReadError;
        let io = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        match crate::fsio::read_regular(path, MAX_LOCK_SIZE) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes.clone()).map_err(|_| LockError::Parse {
                    path: path.to_path_buf(),
                    message: "not valid UTF-8".to_string(),
                })?;
                let lock = LockFile::parse(&text).map_err(|message| LockError::Parse {
                    path: path.to_path_buf(),
                    message,
                })?;
                Ok((lock, Some(bytes)))
            }
            Err(e) if e.is_not_found() => Ok((LockFile::new(), None)),
            Err(ReadError::NotRegular(_) | ReadError::WouldBlock) => Ok((LockFile::new(), None)),
            Err(e) => Err(io(e.into())),
        }
    }

    /// The TOML text: a header comment, then entries sorted by reference.
    pub fn to_toml(&self) -> String {
        let doc = LockDoc {
            image: self.entries.values().cloned().collect(),
        };
        let body = toml::to_string(&doc).unwrap_or_default();
        format!(
            "# Image digests resolved by `plimsoll pin --lock`. Edit with care.\n\n{}",
            body
        )
    }

    /// Writes the file (creating it when absent) with [`crate::fsio`]'s rules: through a symbolic
    /// link, in place for a device or FIFO, keeping an existing file's mode and owner. When the
    /// file existed it must still hold `previous` bytes (what was read), else nothing is written;
    /// when it did not, a lock someone created meanwhile is not replaced.
    pub fn write(&self, path: &Path, previous: Option<&[u8]>) -> Result<(), LockError> {
        use crate::fsio;
        let text = self.to_toml();
        let io = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        match previous {
            Some(bytes) => {
                let snap = fsio::FileSnapshot {
                    path: path.to_path_buf(),
                    bytes: bytes.to_vec(),
                };
                // The lock file is named by the user (or beside the first path): no root applies.
                fsio::rewrite(&snap, text.as_bytes(), &fsio::Roots::anywhere()).map_err(|source| {
                    LockError::Write {
                        path: path.to_path_buf(),
                        source,
                    }
                })
            }
            None => {
                let target = fsio::resolve_links(path).map_err(io)?;
                match std::fs::metadata(&target) {
                    Ok(m) if !m.is_file() => fsio::write_output(&target, text.as_bytes()),
                    _ => fsio::create(&target, text.as_bytes(), true),
                }
                .map_err(io)
            }
        }
    }

    pub fn get(&self, reference: &str) -> Option<&LockEntry> {
        self.entries.get(reference)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> impl Iterator<Item = &LockEntry> {
        self.entries.values()
    }

    /// Records a resolution. Returns true when the entry is new or its digest changed (an
    /// unchanged digest keeps its original timestamp, so re-locking does not churn the file).
    pub fn insert(&mut self, reference: &str, resolved: &Resolved, at: SystemTime) -> bool {
        if let Some(e) = self.entries.get(reference)
            && e.digest == resolved.digest
            && e.kind == resolved.kind
        {
            return false;
        }
        self.entries.insert(
            reference.to_string(),
            LockEntry {
                reference: reference.to_string(),
                digest: resolved.digest.clone(),
                resolved_at: format_rfc3339(at),
                kind: resolved.kind,
                platforms: Vec::new(),
            },
        );
        true
    }

    /// Records the platforms an entry's image is published for. Returns true when they
    /// changed.
    pub fn set_platforms(&mut self, reference: &str, platforms: Vec<String>) -> bool {
        match self.entries.get_mut(reference) {
            Some(e) if e.platforms != platforms => {
                e.platforms = platforms;
                true
            }
            _ => false,
        }
    }

    /// The recorded platforms by reference, each entry under its `registry/repository:tag`
    /// and its `registry/repository@digest` (for references pinned by digest).
    pub fn platforms(&self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        for e in self.entries.values().filter(|e| !e.platforms.is_empty()) {
            out.insert(e.reference.clone(), e.platforms.clone());
            // The tag follows the last `:` (a registry's port comes before a `/`).
            if let Some((name, tag)) = e.reference.rsplit_once(':')
                && !tag.contains('/')
            {
                out.insert(format!("{name}@{}", e.digest), e.platforms.clone());
            }
        }
        out
    }

    /// Adds every entry of `other`; on a conflict the one resolved later wins (RFC 3339 UTC
    /// timestamps in this format compare as strings).
    pub fn merge(&mut self, other: &LockFile) {
        for (k, e) in &other.entries {
            match self.entries.get(k) {
                Some(mine) if mine.resolved_at > e.resolved_at => {}
                _ => {
                    self.entries.insert(k.clone(), e.clone());
                }
            }
        }
    }

    /// Drops entries whose reference is not in `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.entries.retain(|k, _| keep(k));
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a time (UTC); times before 1970 print as the epoch.
pub fn format_rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn resolved(hex: char, kind: ManifestKind) -> Resolved {
        Resolved {
            digest: format!("sha256:{}", hex.to_string().repeat(64)),
            kind,
            media_type: None,
        }
    }

    #[test]
    fn formats_rfc3339_utc() {
        assert_eq!(format_rfc3339(at(0)), "1970-01-01T00:00:00Z");
        // 2000-02-29 (leap day) 12:34:56 UTC
        assert_eq!(format_rfc3339(at(951_827_696)), "2000-02-29T12:34:56Z");
        // 2024-12-31 23:59:59 UTC
        assert_eq!(format_rfc3339(at(1_735_689_599)), "2024-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(at(1_735_689_600)), "2025-01-01T00:00:00Z");
    }

    #[test]
    fn round_trips_sorted() {
        let mut lock = LockFile::new();
        lock.insert(
            "docker.io/library/nginx:1",
            &resolved('b', ManifestKind::Index),
            at(10),
        );
        lock.insert(
            "docker.io/library/alpine:3",
            &resolved('a', ManifestKind::Manifest),
            at(20),
        );
        let text = lock.to_toml();
        let alpine = text.find("alpine").unwrap();
        let nginx = text.find("nginx").unwrap();
        assert!(alpine < nginx, "{text}");
        assert!(
            text.contains("resolved-at = \"1970-01-01T00:00:20Z\""),
            "{text}"
        );
        assert!(text.contains("kind = \"index\""), "{text}");
        assert_eq!(LockFile::parse(&text).unwrap(), lock);
    }

    #[test]
    fn insert_keeps_timestamp_of_unchanged_digest() {
        let mut lock = LockFile::new();
        assert!(lock.insert("r:1", &resolved('a', ManifestKind::Index), at(1)));
        assert!(!lock.insert("r:1", &resolved('a', ManifestKind::Index), at(2)));
        assert_eq!(lock.get("r:1").unwrap().resolved_at, format_rfc3339(at(1)));
        assert!(lock.insert("r:1", &resolved('b', ManifestKind::Index), at(3)));
        assert_eq!(lock.get("r:1").unwrap().resolved_at, format_rfc3339(at(3)));
    }

    #[test]
    fn merge_prefers_later_resolutions() {
        let mut a = LockFile::new();
        a.insert("x:1", &resolved('a', ManifestKind::Index), at(100));
        a.insert("y:1", &resolved('a', ManifestKind::Index), at(100));
        let mut b = LockFile::new();
        b.insert("x:1", &resolved('b', ManifestKind::Index), at(50));
        b.insert("y:1", &resolved('c', ManifestKind::Index), at(200));
        b.insert("z:1", &resolved('d', ManifestKind::Manifest), at(1));
        a.merge(&b);
        assert_eq!(a.len(), 3);
        assert!(a.get("x:1").unwrap().digest.ends_with('a'));
        assert!(a.get("y:1").unwrap().digest.ends_with('c'));
        assert!(a.get("z:1").unwrap().digest.ends_with('d'));
    }

    #[test]
    fn refuses_invalid_digests_and_bad_toml() {
        let bad = "[[image]]\nreference = \"a:1\"\ndigest = \"sha256:zz\"\nresolved-at = \"x\"\nkind = \"index\"\n";
        assert!(LockFile::parse(bad).unwrap_err().contains("invalid digest"));
        assert!(LockFile::parse("[[image]\n").is_err());
        assert!(LockFile::parse("").unwrap().is_empty());
    }

    #[test]
    fn write_creates_then_refuses_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(LOCK_FILE_NAME);
        let mut lock = LockFile::new();
        lock.insert("r:1", &resolved('a', ManifestKind::Index), at(1));
        lock.write(&p, None).unwrap();
        let read = LockFile::read(&p).unwrap();
        assert_eq!(read, lock);
        // Creating again over an existing file is refused.
        assert!(lock.write(&p, None).is_err());
        let before = std::fs::read(&p).unwrap();
        lock.insert("r:2", &resolved('b', ManifestKind::Index), at(2));
        lock.write(&p, Some(&before)).unwrap();
        assert_eq!(LockFile::read(&p).unwrap().len(), 2);
        // The bytes read earlier are stale now.
        assert!(lock.write(&p, Some(&before)).is_err());
        assert!(
            LockFile::read(&dir.path().join("absent.lock"))
                .unwrap()
                .is_empty()
        );
    }
}

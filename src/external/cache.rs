//! A content-addressed cache on disk for the answers of external programs: the key is a SHA-256
//! of everything the answer depends on (the program's identity, its input), so an entry is never
//! stale and never needs invalidating, and the command line and the language server share it.
//!
//! Entries are small files `<dir>/<2 hex>/<62 hex>` written atomically (a temporary file renamed
//! into place), so concurrent runs never read half an entry. The cache is best effort: a
//! directory that cannot be created, an entry that cannot be read or written, is a miss.
//!
//! Where: `$PLIMSOLL_CACHE_DIR` when set (empty turns the cache off), else `plimsoll` under the
//! user cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
//! `%LOCALAPPDATA%` on Windows).

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A cache key: the SHA-256 of an entry's inputs.
pub type Key = [u8; 32];

/// The key of `parts`, each length-prefixed so that no two lists of parts share a key.
pub fn key(parts: &[&[u8]]) -> Key {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// Entries larger than this are not read back (a cache file is never this big; something else
/// put it there).
const MAX_ENTRY: u64 = 16 << 20;

/// One cache directory (or none: every lookup misses, nothing is written).
#[derive(Clone, Debug)]
pub struct DiskCache {
    dir: Option<PathBuf>,
}

impl DiskCache {
    /// A cache in `dir`, created on first write.
    pub fn at(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache {
            dir: Some(dir.into()),
        }
    }

    /// No cache.
    pub fn disabled() -> DiskCache {
        DiskCache { dir: None }
    }

    /// The user's cache for `tool` (see the module documentation for where it lives).
    pub fn user(tool: &str) -> DiskCache {
        static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
        let root = ROOT.get_or_init(|| match std::env::var_os("PLIMSOLL_CACHE_DIR") {
            Some(dir) if dir.is_empty() => None,
            Some(dir) => Some(PathBuf::from(dir)),
            None => dirs::cache_dir().map(|d| d.join("plimsoll")),
        });
        DiskCache {
            dir: root.as_ref().map(|r| r.join(tool)),
        }
    }

    /// The directory, when the cache is on.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn path(&self, key: &Key) -> Option<PathBuf> {
        let hex = hex(key);
        let (shard, rest) = hex.split_at(2);
        Some(self.dir.as_ref()?.join(shard).join(rest))
    }

    /// The entry stored under `key`.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let path = self.path(key)?;
        let file = std::fs::File::open(path).ok()?;
        let mut out = Vec::new();
        file.take(MAX_ENTRY + 1).read_to_end(&mut out).ok()?;
        (out.len() as u64 <= MAX_ENTRY).then_some(out)
    }

    /// Stores `value` under `key` (silently does nothing when that fails).
    pub fn put(&self, key: &Key, value: &[u8]) {
        let Some(path) = self.path(key) else { return };
        let Some(shard) = path.parent() else { return };
        if std::fs::create_dir_all(shard).is_err() {
            return;
        }
        self.tag_root();
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(shard) else {
            return;
        };
        if tmp.write_all(value).is_ok() {
            let _ = tmp.persist(&path);
        }
    }

    /// Marks the cache root with a `CACHEDIR.TAG`, so backup tools skip it.
    fn tag_root(&self) {
        let Some(root) = self.dir.as_ref().and_then(|d| d.parent()) else {
            return;
        };
        let tag = root.join("CACHEDIR.TAG");
        if !tag.exists() {
            let _ = std::fs::write(
                tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n# plimsoll's cache of external tools' results; safe to delete.\n",
            );
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_reads_back_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::at(dir.path().join("tool"));
        let k = key(&[b"a", b"bc"]);
        assert_eq!(cache.get(&k), None);
        cache.put(&k, b"value");
        assert_eq!(cache.get(&k).as_deref(), Some(&b"value"[..]));
        cache.put(&k, b"other");
        assert_eq!(cache.get(&k).as_deref(), Some(&b"other"[..]));
        assert!(dir.path().join("CACHEDIR.TAG").is_file());
    }

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key(&[b"ab", b"c"]), key(&[b"a", b"bc"]));
        assert_eq!(key(&[b"x"]), key(&[b"x"]));
        assert_eq!(hex(&[0x0f, 0xa0]), "0fa0");
    }

    #[test]
    fn a_disabled_cache_misses_and_writes_nothing() {
        let cache = DiskCache::disabled();
        let k = key(&[b"a"]);
        cache.put(&k, b"v");
        assert_eq!(cache.get(&k), None);
        assert!(cache.dir().is_none());
    }

    #[test]
    fn an_unwritable_directory_is_a_miss_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        // A directory under a regular file cannot be created.
        let cache = DiskCache::at(file.join("tool"));
        let k = key(&[b"a"]);
        cache.put(&k, b"v");
        assert_eq!(cache.get(&k), None);
    }
}

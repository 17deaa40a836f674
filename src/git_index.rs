//! Which files git tracks: the paths of a repository's index (`.git/index`), read directly.
//!
//! "Committed" is what decides whether a `.env` holding a secret is a finding: a `.env` the
//! index tracks is in the repository whatever `.gitignore` says (ignoring a tracked file does not
//! untrack it), and one that is neither tracked nor ignored is one `git add .` away from it.
//! Only an ignored, untracked `.env` is left out.
//!
//! Reading the index ourselves rather than running `git ls-files`: it is one file in a public
//! format (git's `Documentation/gitformat-index.txt`, versions 2 to 4), read once per repository
//! per run, with no process to start, no dependency on git being installed, and no hook or
//! configuration of the repository run. The reader only takes what it needs (the paths) and
//! bounds everything by the file's size: a malformed index is "unknown", never a panic, and then
//! only the ignore rules decide.
//!
//! It is read only for a dotenv file the project reads that the ignore rules leave out, once per
//! repository per run. Measured (release build): the compose corpus committed in a repository
//! (243 entries) costs nothing measurable; a 200,000-entry index (17.6 MB) about 40 ms and its
//! bytes in memory.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Largest index read (the Linux kernel's is about 10 MB).
const MAX_INDEX: usize = 256 << 20;

/// The path of `path` relative to the work tree at `root` (canonical), `/`-separated as the
/// index stores it. The directory is made canonical, not the file: a tracked symbolic link is
/// tracked as the link.
fn index_key(root: &Path, path: &Path) -> Option<Vec<u8>> {
    let (dir, name) = (path.parent()?, path.file_name()?);
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = std::fs::canonicalize(dir).ok()?;
    let full = dir.join(name);
    let rel = full.strip_prefix(root).ok()?;
    let mut key = Vec::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            key.push(b'/');
        }
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
    }
    Some(key)
}

/// Those of `paths` (files) that the index of the repository holding them tracks. Each
/// repository's index is read once, and only the paths asked about are kept while it is read,
/// so a large index costs one pass over its bytes and no memory beyond them. A path outside
/// any repository, or in one whose index cannot be read, is not tracked.
pub fn tracked_among(paths: &[PathBuf]) -> HashSet<PathBuf> {
    // Per repository (by git directory): its root and the paths asked about, by index key.
    let mut repos: HashMap<PathBuf, (PathBuf, HashMap<Vec<u8>, PathBuf>)> = HashMap::new();
    let mut roots: HashMap<PathBuf, Option<(PathBuf, PathBuf)>> = HashMap::new();
    for p in paths {
        let dir = p.parent().unwrap_or(Path::new("")).to_path_buf();
        let repo = roots
            .entry(dir.clone())
            .or_insert_with(|| repository_of(&dir))
            .clone();
        let Some((root, gitdir)) = repo else { continue };
        let Some(key) = index_key(&root, p) else {
            continue;
        };
        repos
            .entry(gitdir)
            .or_insert_with(|| (root, HashMap::new()))
            .1
            .insert(key, p.clone());
    }
    let mut out = HashSet::new();
    for (gitdir, (_, wanted)) in repos {
        let Ok(bytes) = crate::fsio::read_regular(&gitdir.join("index"), MAX_INDEX) else {
            continue;
        };
        let hash_len = if uses_sha256(&gitdir) { 32 } else { 20 };
        // A malformed index tells nothing more: the paths found before the damage stand.
        let _ = for_each_path(&bytes, hash_len, |path| {
            if let Some(p) = wanted.get(path) {
                out.insert(p.clone());
            }
        });
    }
    out
}

/// The work tree root and git directory of the repository holding `dir`, if any: the nearest
/// ancestor with a `.git` directory, or a `.git` file naming one (`gitdir: …`, as a linked
/// work tree or a submodule has).
pub fn repository_of(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let start = std::fs::canonicalize(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .ok()?;
    for d in start.ancestors() {
        let dot = d.join(".git");
        let Ok(meta) = std::fs::metadata(&dot) else {
            continue;
        };
        if meta.is_dir() {
            return Some((d.to_path_buf(), dot));
        }
        let text = crate::fsio::read_regular(&dot, 64 << 10).ok()?;
        let text = String::from_utf8_lossy(&text);
        let gitdir = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
        return Some((d.to_path_buf(), d.join(gitdir)));
    }
    None
}

/// Whether the repository's objects are named by SHA-256 (`extensions.objectformat`), which
/// makes each index entry's object id 32 bytes instead of 20. A linked work tree's git
/// directory has no `config`: its `commondir` names the directory that has.
fn uses_sha256(gitdir: &Path) -> bool {
    let read = |p: &Path| {
        crate::fsio::read_regular(p, 1 << 20)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let config = read(&gitdir.join("config")).or_else(|| {
        let common = read(&gitdir.join("commondir"))?;
        read(&gitdir.join(common.trim()).join("config"))
    });
    config.is_some_and(|c| {
        c.lines().any(|l| {
            let l = l.trim().to_ascii_lowercase();
            l.starts_with("objectformat") && l.ends_with("sha256")
        })
    })
}

/// Why an index could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(&'static str);

/// The paths of the entries of an index file (`hash_len`: 20 for SHA-1, 32 for SHA-256).
pub fn parse(bytes: &[u8], hash_len: usize) -> Result<Vec<Vec<u8>>, Malformed> {
    let mut out = Vec::new();
    for_each_path(bytes, hash_len, |p| out.push(p.to_vec()))?;
    Ok(out)
}

/// Calls `f` with the path of each entry of an index file, in order.
pub fn for_each_path(
    bytes: &[u8],
    hash_len: usize,
    mut f: impl FnMut(&[u8]),
) -> Result<(), Malformed> {
    let header = bytes
        .get(..12)
        .ok_or(Malformed("shorter than its header"))?;
    if &header[..4] != b"DIRC" {
        return Err(Malformed("no DIRC signature"));
    }
    let word = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let version = word(4).ok_or(Malformed("no version"))?;
    if !(2..=4).contains(&version) {
        return Err(Malformed("unknown version"));
    }
    let count = word(8).ok_or(Malformed("no entry count"))? as usize;
    // Stat data (40 bytes), the object id, the flags (2): the least an entry takes, which
    // bounds the count by the file's size before anything is allocated for it.
    let fixed = 40 + hash_len + 2;
    if count > bytes.len() / fixed {
        return Err(Malformed("more entries than the file can hold"));
    }
    let mut at = 12usize;
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let flags_at = start + 40 + hash_len;
        let flags = bytes
            .get(flags_at..flags_at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or(Malformed("entry cut short"))?;
        at = flags_at + 2;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err(Malformed("extended flags in a version 2 index"));
            }
            at += 2;
        }
        let rest = bytes.get(at..).ok_or(Malformed("entry cut short"))?;
        if version == 4 {
            // The path is the previous one less its last N bytes, plus a NUL-terminated
            // suffix; no padding.
            let (strip, used) = varint(rest).ok_or(Malformed("bad path prefix length"))?;
            let rest = &rest[used..];
            let nul = memchr::memchr(0, rest).ok_or(Malformed("path without its NUL"))?;
            let keep = previous
                .len()
                .checked_sub(strip)
                .ok_or(Malformed("prefix longer than the previous path"))?;
            previous.truncate(keep);
            previous.extend_from_slice(&rest[..nul]);
            at += used + nul + 1;
            f(&previous);
        } else {
            let nul = memchr::memchr(0, rest).ok_or(Malformed("path without its NUL"))?;
            f(&rest[..nul]);
            // 1 to 8 NULs pad the entry to a multiple of 8 bytes.
            let len = at - start + nul;
            at = start + (len + 8) / 8 * 8;
        }
        if at > bytes.len() {
            return Err(Malformed("entry past the end of the file"));
        }
    }
    Ok(())
}

/// git's offset varint (`varint.c`): 7 bits a byte, high bit set on all but the last, each
/// continuation adding one so that every value has a single encoding.
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut iter = bytes.iter().enumerate();
    let (_, &c) = iter.next()?;
    let mut value = usize::from(c & 0x7f);
    let mut more = c & 0x80 != 0;
    while more {
        let (i, &c) = iter.next()?;
        if i > 8 {
            return None;
        }
        value = value.checked_add(1)?.checked_mul(128)? | usize::from(c & 0x7f);
        more = c & 0x80 != 0;
        if !more {
            return Some((value, i + 1));
        }
    }
    Some((value, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of `paths` in `version` (2 or 4), built as git writes it.
    fn index(version: u32, paths: &[&str]) -> Vec<u8> {
        let mut b = b"DIRC".to_vec();
        b.extend_from_slice(&version.to_be_bytes());
        b.extend_from_slice(&(paths.len() as u32).to_be_bytes());
        let mut previous: &[u8] = b"";
        for p in paths {
            let start = b.len();
            b.extend_from_slice(&[0u8; 40]);
            b.extend_from_slice(&[0xab; 20]);
            b.extend_from_slice(&(p.len().min(0xfff) as u16).to_be_bytes());
            if version == 4 {
                let common = previous
                    .iter()
                    .zip(p.as_bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let strip = previous.len() - common;
                assert!(strip < 128, "one-byte varints only in this helper");
                b.push(strip as u8);
                b.extend_from_slice(&p.as_bytes()[common..]);
                b.push(0);
            } else {
                b.extend_from_slice(p.as_bytes());
                let len = b.len() - start;
                b.resize(start + (len + 8) / 8 * 8, 0);
            }
            previous = p.as_bytes();
        }
        b.extend_from_slice(&[0u8; 20]);
        b
    }

    #[test]
    fn versions_2_and_4_give_the_paths() {
        let paths = ["a/.env", "a/compose.yaml", "b.env", "deploy/prod/.env"];
        for v in [2, 4] {
            let got = parse(&index(v, &paths), 20).unwrap();
            let got: Vec<&[u8]> = got.iter().map(Vec::as_slice).collect();
            let want: Vec<&[u8]> = paths.iter().map(|p| p.as_bytes()).collect();
            assert_eq!(got, want, "version {v}");
        }
    }

    #[test]
    fn a_varint_adds_one_per_continuation() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x7f]), Some((383, 2)));
        assert_eq!(varint(&[0x80]), None);
        assert_eq!(varint(&[0xff; 20]), None);
    }

    #[test]
    fn malformed_indexes_are_errors_never_panics() {
        let good = index(2, &["x/.env", "y"]);
        for cut in 0..good.len() - 20 {
            let _ = parse(&good[..cut], 20);
        }
        let mut huge = good.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(parse(&huge, 20).is_err());
        let good4 = index(4, &["a/b", "a/c"]);
        for cut in 0..good4.len() {
            let _ = parse(&good4[..cut], 20);
        }
        // A prefix to strip longer than the previous path.
        let mut bad = good4.clone();
        bad[12 + 62] = 9;
        assert!(parse(&bad, 20).is_err());
        // Every byte flipped in turn: an error or some paths, never a panic.
        for i in 0..good4.len() {
            let mut b = good4.clone();
            b[i] ^= 0xff;
            let _ = parse(&b, 20);
        }
    }
}

//! Source files, byte spans and line/column lookups.
//!
//! Every syntax node keeps a [`Span`] (a byte range into the original text). Line and column are
//! computed only when something is reported, through the file's [`LineIndex`] (one binary search).
//! Columns are 1-based and count characters; LSP's UTF-16 columns are computed at the LSP edge with
//! [`LineIndex::utf16_column`].

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest file plimsoll reads. Spans are `u32` (as in ruff and rust-analyzer), which keeps
/// trees small; a file past this size is reported, not parsed.
pub const MAX_FILE_SIZE: usize = 256 * 1024 * 1024;

/// A half-open byte range `start..end` into a source text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Panics only on a programming error (start after end, or offsets past `MAX_FILE_SIZE`,
    /// which readers refuse before parsing).
    #[inline]
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    #[inline]
    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }

    #[inline]
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    #[inline]
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    #[inline]
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Shift a span that was computed relative to a slice starting at `base`.
    #[inline]
    pub fn offset(self, base: usize) -> Span {
        Span::new(self.start as usize + base, self.end as usize + base)
    }

    #[inline]
    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset < self.end as usize
    }

    /// The text this span covers. Returns "" for a span that does not fit `text` rather than
    /// panicking, so a stale span can never crash a reporter.
    #[inline]
    pub fn text(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Byte offsets of line starts, for offset -> line/column lookups in O(log lines).
///
/// A line ends at `\n`; a `\r` before it belongs to the line's terminator, not its content.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// True when the text is all ASCII: then a column is a byte difference and no character
    /// counting is needed.
    ascii: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
        LineIndex {
            line_starts,
            ascii: text.is_ascii(),
        }
    }

    /// Updates the index for an edit that replaced bytes `range` of the text with `inserted`,
    /// in time proportional to the lines after the edit (no rescan of the text): what an editor's
    /// keystroke costs a language server.
    pub fn edit(&mut self, range: Range<usize>, inserted: &str) {
        let (start, end) = (range.start as u32, range.end.max(range.start) as u32);
        // Line starts inside the replaced text (just after one of its `\n`) go.
        let from = self.line_starts.partition_point(|&s| s <= start);
        let to = self.line_starts.partition_point(|&s| s <= end);
        let delta = inserted.len() as i64 - i64::from(end - start);
        let added = memchr::memchr_iter(b'\n', inserted.as_bytes())
            .map(|i| start + i as u32 + 1)
            .collect::<Vec<_>>();
        self.line_starts.splice(from..to, added);
        let shifted = from + memchr::memchr_iter(b'\n', inserted.as_bytes()).count();
        for s in self.line_starts.iter_mut().skip(shifted) {
            *s = (i64::from(*s) + delta) as u32;
        }
        // A removed non-ASCII character may leave the text ASCII: `false` stays correct (it
        // only forgoes the fast path).
        self.ascii &= inserted.is_ascii();
    }

    /// Number of lines (a text ending in `\n` has an empty last line, as editors count).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based index of the line holding `offset`.
    #[inline]
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based line `line` starts, if it exists.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).map(|&s| s as usize)
    }

    /// Byte range of 0-based line `line` without its terminator (`\n` or `\r\n`).
    pub fn line_range(&self, line: usize, text: &str) -> Option<Range<usize>> {
        let start = self.line_start(line)?;
        let mut end = self.line_start(line + 1).unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        Some(start..end)
    }

    /// 1-based line and character column of `offset`. An offset inside a multi-byte character
    /// counts as that character.
    pub fn line_col(&self, offset: usize, text: &str) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let column = if self.ascii {
            offset - start
        } else {
            let mut end = offset;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[start..end].chars().count()
        };
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// 0-based UTF-16 column of `offset` within its line, as the Language Server Protocol counts.
    pub fn utf16_column(&self, offset: usize, text: &str) -> u32 {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        if self.ascii {
            return (offset - start) as u32;
        }
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text[start..end].chars().map(char::len_utf16).sum::<usize>() as u32
    }

    /// Byte offset of a 0-based line and 0-based UTF-16 column (LSP positions). Positions past
    /// the end of a line clamp to the line's end; past the last line, to the end of the text.
    pub fn offset_of_utf16(&self, line: usize, utf16_col: u32, text: &str) -> usize {
        let Some(range) = self.line_range(line, text) else {
            return text.len();
        };
        let mut units = 0u32;
        for (i, c) in text[range.clone()].char_indices() {
            if units >= utf16_col {
                return range.start + i;
            }
            units += c.len_utf16() as u32;
        }
        range.end
    }

    /// Byte offset of a 1-based line and 1-based character column.
    pub fn offset_of(&self, lc: LineCol, text: &str) -> usize {
        let Some(range) = self.line_range(lc.line.saturating_sub(1) as usize, text) else {
            return text.len();
        };
        let want = lc.column.saturating_sub(1) as usize;
        text[range.clone()]
            .char_indices()
            .nth(want)
            .map_or(range.end, |(i, _)| range.start + i)
    }
}

/// What kind of file a source is, which decides its parser and the rules that apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Dockerfile,
    Compose,
    /// A dotenv file (`.env`, an `env_file:`): `NAME=value` lines compose reads. Only the
    /// secret rules apply.
    Env,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
            FileKind::Env => "env",
        }
    }

    pub fn parse(s: &str) -> Option<FileKind> {
        match s.to_ascii_lowercase().as_str() {
            "dockerfile" | "containerfile" => Some(FileKind::Dockerfile),
            "compose" | "docker-compose" | "dockercompose" => Some(FileKind::Compose),
            "env" | "dotenv" => Some(FileKind::Env),
            _ => None,
        }
    }

    /// The kind a file name is recognised as, if any.
    ///
    /// Dockerfiles: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Dockerfile-*`, `Dockerfile_*`
    /// (and the same for `Containerfile`), `*.Dockerfile`, `*.dockerfile`, and names ending in
    /// `Dockerfile` after a separator (`api-Dockerfile`, `api_Dockerfile`).
    /// Compose: YAML files whose stem is `compose` or `docker-compose`, starts with either followed
    /// by a separator (`compose.override.yaml`, `docker-compose.prod.yml`, `compose-dev.yaml`), or
    /// ends with `compose` after a separator (`dev.compose.yaml`, `app-compose.yml`).
    ///
    /// Backup, swap and merge leftovers of such names (`Dockerfile.orig`, `Dockerfile~`,
    /// `Dockerfile.dpkg-old`; see [`is_backup_name`]) are not recognised: a directory walk
    /// skips them, and `--fix` or `pin` never rewrite them unless they are named.
    pub fn detect(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        // Most names a walk meets are neither kind: the backup check runs only for the rest.
        Self::detect_name(name).filter(|_| !is_backup_name(name))
    }

    fn detect_name(name: &str) -> Option<FileKind> {
        let separated = |rest: &str| rest.is_empty() || rest.starts_with(['.', '-', '_']);
        let ends_after_separator = |s: &str, suffix: &str| {
            s.strip_suffix(suffix)
                .is_some_and(|head| head.is_empty() || head.ends_with(['.', '-', '_']))
        };
        for base in ["Dockerfile", "Containerfile"] {
            if name.strip_prefix(base).is_some_and(separated) || ends_after_separator(name, base) {
                return Some(FileKind::Dockerfile);
            }
        }
        if name.ends_with(".dockerfile") {
            return Some(FileKind::Dockerfile);
        }
        let lower = name.to_ascii_lowercase();
        if is_env_name(&lower) {
            return Some(FileKind::Env);
        }
        let stem = lower
            .strip_suffix(".yaml")
            .or_else(|| lower.strip_suffix(".yml"))?;
        let compose = ["compose", "docker-compose"]
            .iter()
            .any(|base| stem.strip_prefix(base).is_some_and(separated))
            || ends_after_separator(stem, "compose");
        compose.then_some(FileKind::Compose)
    }
}

/// A dotenv file's name (lower case): `.env`, `.env.<stage>` (`.env.production`) and
/// `<name>.env` (`db.env`). Templates (`.env.example`, `.env.sample`, `.env.template`,
/// `.env.dist`, `*.env.example`) hold placeholders meant to be committed, and are not.
fn is_env_name(lower: &str) -> bool {
    const TEMPLATES: [&str; 6] = ["example", "sample", "template", "dist", "tmpl", "defaults"];
    if lower == ".env" {
        return true;
    }
    if let Some(stage) = lower.strip_prefix(".env.") {
        return !stage.is_empty() && !TEMPLATES.iter().any(|t| stage.contains(t));
    }
    lower
        .strip_suffix(".env")
        .is_some_and(|stem| !stem.is_empty() && !stem.ends_with('.'))
}

impl FileKind {
    /// The kind a text without a telling name reads as (standard input without
    /// `--stdin-filename`), from its first line that is not blank or a comment: a Dockerfile
    /// instruction makes it a Dockerfile; a YAML mapping key, list item or document marker
    /// makes it a compose file; anything else, a Dockerfile (whose parser then says what is
    /// wrong with it).
    pub fn sniff(text: &str) -> FileKind {
        const INSTRUCTIONS: [&str; 18] = [
            "FROM",
            "RUN",
            "CMD",
            "LABEL",
            "MAINTAINER",
            "EXPOSE",
            "ENV",
            "ADD",
            "COPY",
            "ENTRYPOINT",
            "VOLUME",
            "USER",
            "WORKDIR",
            "ARG",
            "ONBUILD",
            "STOPSIGNAL",
            "HEALTHCHECK",
            "SHELL",
        ];
        let Some(line) = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        else {
            return FileKind::Dockerfile;
        };
        let word: String = line
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let after = line.trim_start().get(word.len()..).unwrap_or("");
        if INSTRUCTIONS.iter().any(|i| i.eq_ignore_ascii_case(&word))
            && (after.is_empty() || after.starts_with([' ', '\t']))
        {
            return FileKind::Dockerfile;
        }
        let yaml_key = line.split_once(':').is_some_and(|(key, rest)| {
            !key.is_empty()
                && !key.starts_with([' ', '\t'])
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.\"'".contains(c))
                && (rest.is_empty() || rest.starts_with([' ', '\t']))
        });
        if yaml_key || line == "---" || line.starts_with("--- ") || line.starts_with("- ") {
            FileKind::Compose
        } else {
            FileKind::Dockerfile
        }
    }
}

/// Whether a file name is that of a copy an editor, a package manager, `patch` or a merge
/// tool leaves beside a file: `~` at the end, or a last extension such as `.orig`, `.bak`,
/// `.swp`, `.rej`, `.dpkg-old` or `.rpmnew`, or git mergetool's `_BASE_`/`.LOCAL.` copies.
pub fn is_backup_name(name: &str) -> bool {
    const EXTENSIONS: [&str; 22] = [
        "orig",
        "bak",
        "backup",
        "old",
        "save",
        "tmp",
        "temp",
        "swp",
        "swo",
        "swn",
        "rej",
        "kate-swp",
        "dpkg-old",
        "dpkg-new",
        "dpkg-dist",
        "dpkg-bak",
        "dpkg-tmp",
        "ucf-old",
        "ucf-new",
        "ucf-dist",
        "rpmnew",
        "rpmsave",
    ];
    if name.ends_with('~') {
        return true;
    }
    if let Some((_, ext)) = name.rsplit_once('.')
        && (EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)) || ext == "rpmorig")
    {
        return true;
    }
    const MERGE_COPIES: [&str; 8] = [
        "_BASE_", "_LOCAL_", "_REMOTE_", "_BACKUP_", ".BASE.", ".LOCAL.", ".REMOTE.", ".BACKUP.",
    ];
    MERGE_COPIES.iter().any(|m| name.contains(m))
}

/// One file's text and everything needed to report positions in it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user named it (or `--stdin-filename`), used in every report.
    pub path: Arc<Path>,
    pub text: Arc<str>,
    pub kind: FileKind,
    pub line_index: Arc<LineIndex>,
    /// Byte ranges of the text that hold a secret, as the secret scanner found them whatever
    /// rules were selected (set by [`crate::lint::lint_file`]). Every output that quotes the
    /// text masks them, except a diff (which is the user's own file).
    pub secrets: Arc<[Span]>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>, kind: FileKind) -> SourceFile {
        let text = text.into();
        let line_index = Arc::new(LineIndex::new(&text));
        SourceFile {
            path: Arc::from(path.into().into_boxed_path()),
            text,
            kind,
            line_index,
            secrets: Arc::from([]),
        }
    }

    /// A source file whose line index is already known (the language server keeps one per
    /// open document, updated edit by edit).
    pub fn with_index(
        path: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
        kind: FileKind,
        line_index: Arc<LineIndex>,
    ) -> SourceFile {
        SourceFile {
            path: Arc::from(path.into().into_boxed_path()),
            text: text.into(),
            kind,
            line_index,
            secrets: Arc::from([]),
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.line_index.line_col(offset, &self.text)
    }

    pub fn slice(&self, span: Span) -> &str {
        span.text(&self.text)
    }
}

/// Decodes file bytes as UTF-8. On invalid UTF-8 returns the lossy text (each bad sequence
/// replaced by U+FFFD) with the byte offset of the first bad byte, so the caller can report it
/// and still lint the rest. Fixes must not be applied to a lossily decoded file.
pub fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

/// Replace the bytes of `span` with `replacement`: the one kind of change a fix or `plimsoll pin`
/// makes to a source, so that every other byte is kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn replace(span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), text)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, String::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_update_the_index_as_a_rebuild_would() {
        let mut text = String::from("FROM a\nRUN b\r\n\nX\néé\n");
        let mut idx = LineIndex::new(&text);
        for (range, inserted) in [
            (5..6, "debian\nRUN c"),
            (0..0, "\n\n"),
            (3..12, ""),
            (8..8, "é"),
            (0..4, "x\ny\nz"),
        ] {
            text.replace_range(range.clone(), inserted);
            idx.edit(range, inserted);
            let fresh = LineIndex::new(&text);
            assert_eq!(idx.line_starts, fresh.line_starts, "{text:?}");
            assert!(!idx.ascii || fresh.ascii);
        }
    }

    #[test]
    fn line_col_ascii_and_crlf() {
        let text = "FROM a\r\nRUN b\n\nX";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col(0, text), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(8, text), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(12, text), LineCol { line: 2, column: 5 });
        assert_eq!(idx.line_col(15, text), LineCol { line: 4, column: 1 });
        assert_eq!(idx.line_range(0, text), Some(0..6));
        assert_eq!(idx.line_range(2, text), Some(14..14));
        assert_eq!(idx.line_col(999, text), LineCol { line: 4, column: 2 });
    }

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let text = "ENV K=한국어 x\n😀y";
        let idx = LineIndex::new(text);
        let x = text.find(" x").unwrap() + 1;
        assert_eq!(idx.line_col(x, text).column, 11);
        let y = text.find('y').unwrap();
        assert_eq!(idx.line_col(y, text), LineCol { line: 2, column: 2 });
        assert_eq!(idx.utf16_column(y, text), 2);
        assert_eq!(idx.offset_of_utf16(1, 2, text), y);
        assert_eq!(idx.offset_of(LineCol { line: 2, column: 2 }, text), y);
    }

    #[test]
    fn offset_round_trips() {
        let text = "a\nbé c\r\n\td";
        let idx = LineIndex::new(text);
        for (off, _) in text.char_indices() {
            let lc = idx.line_col(off, text);
            if text.as_bytes()[off] != b'\n' && text.as_bytes()[off] != b'\r' {
                assert_eq!(idx.offset_of(lc, text), off, "offset {off}");
            }
        }
    }

    #[test]
    fn detects_file_kinds() {
        let k = |s: &str| FileKind::detect(Path::new(s));
        assert_eq!(k("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("a/Dockerfile.dev"), Some(FileKind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("x.dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("compose.yaml"), Some(FileKind::Compose));
        assert_eq!(k("docker-compose.prod.yml"), Some(FileKind::Compose));
        assert_eq!(k("compose.override.yaml"), Some(FileKind::Compose));
        assert_eq!(k("Dockerfile-dev"), Some(FileKind::Dockerfile));
        assert_eq!(k("repo_app_Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("docker-compose-dev.yml"), Some(FileKind::Compose));
        assert_eq!(k("repo_app_compose.yaml"), Some(FileKind::Compose));
        assert_eq!(k("compose-without-ssh.yaml"), Some(FileKind::Compose));
        assert_eq!(k("MyDockerfile"), None);
        assert_eq!(k("composer.yaml"), None);
        assert_eq!(k("decompose.yml"), None);
        assert_eq!(k("compose.json"), None);
        assert_eq!(k("values.yaml"), None);
        assert_eq!(k(".env"), Some(FileKind::Env));
        assert_eq!(k(".env.production"), Some(FileKind::Env));
        assert_eq!(k("db.env"), Some(FileKind::Env));
        assert_eq!(k(".env.example"), None, "a template");
        assert_eq!(k(".env.sample"), None, "a template");
        assert_eq!(k(".env."), None);
        assert_eq!(k("environment"), None);
        assert_eq!(k("dockerfile"), None);
        assert_eq!(k("README.md"), None);
        // Leftovers of editors, patch, package managers and merge tools are not recognised.
        for backup in [
            "Dockerfile.orig",
            "Dockerfile.bak",
            "Dockerfile~",
            "Dockerfile.swp",
            "Dockerfile.rej",
            "Dockerfile.dpkg-old",
            "Dockerfile.rpmnew",
            "Dockerfile_BASE_1234",
            "Dockerfile.LOCAL.1234",
            "api.Dockerfile.old",
            "compose.yaml~",
        ] {
            assert_eq!(k(backup), None, "{backup}");
        }
        // A real variant whose name merely looks related is still a Dockerfile.
        assert_eq!(k("Dockerfile.test"), Some(FileKind::Dockerfile));
        assert_eq!(k("Dockerfile.base"), Some(FileKind::Dockerfile));
    }

    #[test]
    fn sniffs_the_kind_of_a_nameless_text() {
        let k = FileKind::sniff;
        assert_eq!(
            k("services:\n  web:\n    image: nginx\n"),
            FileKind::Compose
        );
        assert_eq!(
            k("# a stack\n\nversion: \"3\"\nservices: {}\n"),
            FileKind::Compose
        );
        assert_eq!(k("---\nservices: {}\n"), FileKind::Compose);
        assert_eq!(k("x-common: &c\n  restart: always\n"), FileKind::Compose);
        assert_eq!(
            k("# syntax=docker/dockerfile:1\nFROM alpine\n"),
            FileKind::Dockerfile
        );
        assert_eq!(k("from alpine\nrun echo\n"), FileKind::Dockerfile);
        assert_eq!(k("ARG BASE=alpine\nFROM $BASE\n"), FileKind::Dockerfile);
        // An instruction-looking YAML key is still YAML; a broken text is a Dockerfile.
        assert_eq!(k("user: root\n"), FileKind::Compose);
        assert_eq!(k("USER root\n"), FileKind::Dockerfile);
        assert_eq!(k(""), FileKind::Dockerfile);
        assert_eq!(k("whatever this is\n"), FileKind::Dockerfile);
    }

    #[test]
    fn decode_reports_first_bad_byte() {
        let (text, bad) = decode(b"FROM a\n\xffRUN".to_vec());
        assert_eq!(bad, Some(7));
        assert!(text.contains('\u{fffd}'));
        assert_eq!(decode(b"ok".to_vec()), ("ok".to_string(), None));
    }
}

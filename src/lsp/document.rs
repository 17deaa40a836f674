//! Open documents: which ones plimsoll lints, their text kept in step with the editor through
//! incremental edits (UTF-16 positions), and file URI <-> path conversion.
//!
//! An edit costs what it touches, not the document's size: the line index is updated in place
//! ([`LineIndex::edit`]) rather than rebuilt, and the shared copy workers lint from is made once
//! per version, when first asked for.

use crate::source::{FileKind, LineIndex, SourceFile};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One open document plimsoll lints.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: Uri,
    pub path: PathBuf,
    pub kind: FileKind,
    pub version: i32,
    pub text: String,
    /// Line starts of `text`, kept in step with it.
    index: Arc<LineIndex>,
    /// The text as workers read it, made on first use after each change.
    shared: Option<Arc<str>>,
}

impl Document {
    /// A document if plimsoll lints it: by file name (as the CLI recognises files), else by the
    /// configuration's `[file-kinds]` (`configured`), else by the editor's language id
    /// (`dockerfile`, `dockercompose`).
    pub fn open(
        uri: Uri,
        language_id: &str,
        version: i32,
        text: String,
        configured: impl FnOnce(&Path) -> Option<FileKind>,
    ) -> Option<Document> {
        let path = uri_to_path(&uri);
        let by_language = match language_id {
            "dockerfile" | "containerfile" => Some(FileKind::Dockerfile),
            "dockercompose" | "docker-compose" | "compose" => Some(FileKind::Compose),
            _ => None,
        };
        let kind = FileKind::detect(&path)
            .or_else(|| configured(&path))
            .or(by_language)?;
        Some(Document {
            uri,
            path,
            kind,
            version,
            index: Arc::new(LineIndex::new(&text)),
            text,
            shared: None,
        })
    }

    /// Applies the editor's changes in order. Ranged changes are positioned in UTF-16 code units
    /// on the text as it is after the previous change; a change without a range replaces all.
    pub fn apply_changes(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        self.shared = None;
        for change in changes {
            match change.range {
                None => {
                    self.text = change.text;
                    self.index = Arc::new(LineIndex::new(&self.text));
                }
                Some(range) => {
                    let at = |p: lsp_types::Position| {
                        self.index
                            .offset_of_utf16(p.line as usize, p.character, &self.text)
                    };
                    let start = at(range.start);
                    let end = at(range.end).max(start);
                    self.text.replace_range(start..end, &change.text);
                    Arc::make_mut(&mut self.index).edit(start..end, &change.text);
                }
            }
        }
        self.version = version;
    }

    /// The document as workers lint it. The text is copied once per version (not once per
    /// request) and the line index is shared, not rebuilt.
    pub fn source(&mut self) -> SourceFile {
        let text = self
            .shared
            .get_or_insert_with(|| Arc::from(self.text.as_str()))
            .clone();
        SourceFile::with_index(self.path.clone(), text, self.kind, self.index.clone())
    }
}

/// The file-system path of a `file:` URI; other schemes (`untitled:`) give their path part, which
/// is enough for name detection and has no configuration beside it.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    let s = uri.as_str();
    let rest = match s.split_once(':') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("file") => rest,
        Some((_, rest)) => return PathBuf::from(percent_decode(rest)),
        None => s,
    };
    // file://host/path or file:///path; the host (usually empty) is dropped.
    let path = match rest.strip_prefix("//") {
        Some(after) => after.find('/').map_or("", |i| &after[i..]),
        None => rest,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path);
    // Windows drive paths arrive as /c:/x.
    let bytes = decoded.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'/' && bytes[2] == b':' && bytes[1].is_ascii_alphabetic() {
        return PathBuf::from(&decoded[1..]);
    }
    PathBuf::from(decoded)
}

/// A `file:` URI for an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    let text = path.to_str()?;
    if !text.starts_with('/') {
        s.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.parse().ok()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn detects_documents_by_name_then_language() {
        let d = |u: &str, lang: &str| {
            Document::open(uri(u), lang, 1, String::new(), |_| None).map(|d| d.kind)
        };
        assert_eq!(
            d("file:///a/Dockerfile", "plaintext"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(d("file:///a/compose.yaml", "yaml"), Some(FileKind::Compose));
        assert_eq!(
            d("file:///a/build.txt", "dockerfile"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(
            d("untitled:Untitled-1", "dockercompose"),
            Some(FileKind::Compose)
        );
        assert_eq!(d("file:///a/values.yaml", "yaml"), None);
        assert_eq!(d("file:///a/README.md", "markdown"), None);
        let configured = Document::open(
            uri("file:///a/build.txt"),
            "plaintext",
            1,
            String::new(),
            |p| (p == Path::new("/a/build.txt")).then_some(FileKind::Dockerfile),
        );
        assert_eq!(configured.map(|d| d.kind), Some(FileKind::Dockerfile));
    }

    #[test]
    fn applies_incremental_utf16_edits() {
        let mut doc = Document::open(
            uri("file:///w/Dockerfile"),
            "dockerfile",
            1,
            "FROM a\nENV X=😀b\r\nRUN c\n".to_string(),
            |_| None,
        )
        .unwrap();
        // After the emoji (2 UTF-16 units): replace "b" with "bee".
        doc.apply_changes(2, vec![change(1, 8, 1, 9, "bee")]);
        assert_eq!(doc.text, "FROM a\nENV X=😀bee\r\nRUN c\n");
        // Two changes in one notification, the second relative to the first's result.
        doc.apply_changes(
            3,
            vec![change(0, 5, 0, 6, "debian:latest"), change(2, 4, 2, 5, "d")],
        );
        assert_eq!(doc.text, "FROM debian:latest\nENV X=😀bee\r\nRUN d\n");
        // Past the end clamps; a reversed range inserts.
        doc.apply_changes(4, vec![change(9, 0, 9, 0, "# end\n")]);
        assert!(doc.text.ends_with("RUN d\n# end\n"));
        doc.apply_changes(5, vec![change(0, 4, 0, 2, "!")]);
        assert!(doc.text.starts_with("FROM! debian"));
        doc.apply_changes(
            6,
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "FROM z\n".into(),
            }],
        );
        assert_eq!((doc.text.as_str(), doc.version), ("FROM z\n", 6));
    }

    #[test]
    fn converts_uris_and_paths() {
        assert_eq!(
            uri_to_path(&uri("file:///home/me/a%20b/Dockerfile")),
            PathBuf::from("/home/me/a b/Dockerfile")
        );
        assert_eq!(
            uri_to_path(&uri("file:///c%3A/x/Dockerfile")),
            PathBuf::from("c:/x/Dockerfile")
        );
        let u = path_to_uri(Path::new("/tmp/a b/compose.yaml")).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/a%20b/compose.yaml");
        assert_eq!(uri_to_path(&u), PathBuf::from("/tmp/a b/compose.yaml"));
    }
}

//! What an `ADD` source is, as BuildKit decides it: a Git repository (`git@host:path`,
//! `ssh://`, `git://`, or an `http(s)://` URL whose path ends in `.git`, with an optional
//! `#ref:subdir` fragment and `?ref=…&checksum=…` query), an HTTP(S) file, or a path in the
//! build context.

use crate::model::dockerfile::{Dockerfile, Instr};
use crate::source::Span;

/// One source argument of an `ADD`, as written and as BuildKit expands it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceArg<'i> {
    /// The source as written, without surrounding quotes.
    pub written: &'i str,
    /// After expanding the variables the file defines at the instruction; `None` when it uses
    /// one the file leaves unset (a build argument without a default).
    pub expanded: Option<String>,
    /// The source's span, inside its quotes.
    pub span: Span,
}

/// The sources of an `ADD` (every argument but the last, the destination). `index` is the
/// instruction's index in `df` (of the `ONBUILD` holding it, for a wrapped one).
pub fn source_args<'i>(
    df: Option<&Dockerfile>,
    ins: &'i Instr,
    index: usize,
) -> Vec<SourceArg<'i>> {
    let Some((_, sources)) = ins.args.split_last() else {
        return Vec::new();
    };
    sources
        .iter()
        .map(|src| {
            let written = src.text.trim_matches('"');
            let quoted = src.text.len() >= 2
                && src.text.starts_with('"')
                && src.text.ends_with('"')
                && src.span.len() == src.text.len();
            SourceArg {
                written,
                expanded: match df {
                    Some(df) => crate::analysis::variables::expand_at(df, index, &src.text),
                    None => Some(written.to_string()),
                },
                span: if quoted {
                    Span::new(src.span.start as usize + 1, src.span.end as usize - 1)
                } else {
                    src.span
                },
            }
        })
        .collect()
}

/// A source of `ADD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddSource<'s> {
    /// A file downloaded over HTTP(S).
    Http { url: &'s str },
    /// A Git repository.
    Git(GitSource<'s>),
    /// A path in the build context (or anything else).
    Local,
}

/// A Git source and what it pins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitSource<'s> {
    /// The repository address, without fragment and query.
    pub remote: &'s str,
    /// The ref of the fragment or of `?ref=` / `?tag=` / `?branch=`: a branch, a tag or a
    /// commit; `None` for the default branch.
    pub git_ref: Option<&'s str>,
    /// A commit given by `?checksum=` or `?commit=`.
    pub checksum: Option<&'s str>,
}

impl GitSource<'_> {
    /// Whether the source names an exact commit: a checksum in the URL, or a ref that is a full
    /// commit id (40 hex digits, or 64 for SHA-256 repositories).
    pub fn pins_commit(&self) -> bool {
        self.checksum.is_some() || self.git_ref.is_some_and(is_commit_id)
    }
}

/// A full commit id: 40 or 64 hex digits.
pub fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads an `ADD` source (after variable expansion) as BuildKit does.
pub fn add_source(src: &str) -> AddSource<'_> {
    let (scheme, rest) = match src.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
        None => (None, src),
    };
    let scp_like = scheme.is_none() && {
        // `user@host:path` (no `/` before the `:`).
        let before_colon = src.split(':').next().unwrap_or("");
        src.contains(':') && before_colon.contains('@') && !before_colon.contains('/')
    };
    let (address, fragment) = match src.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (src, None),
    };
    let (remote, query) = match address.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (address, None),
    };
    let git = match scheme.as_deref() {
        Some("git" | "ssh") => true,
        Some("http" | "https") => remote
            .split_once("://")
            .map(|(_, r)| r)
            .and_then(|r| r.split_once('/'))
            .is_some_and(|(_, path)| path.ends_with(".git")),
        None => scp_like,
        _ => false,
    };
    if !git {
        return match scheme.as_deref() {
            Some("http" | "https") if !rest.is_empty() => AddSource::Http { url: src },
            _ => AddSource::Local,
        };
    }
    let mut git_ref = fragment
        .map(|f| f.split(':').next().unwrap_or(""))
        .filter(|r| !r.is_empty());
    let mut checksum = None;
    for pair in query.unwrap_or("").split('&') {
        match pair.split_once('=') {
            Some(("ref" | "tag" | "branch", v)) if !v.is_empty() => git_ref = Some(v),
            Some(("checksum" | "commit", v)) if !v.is_empty() => checksum = Some(v),
            _ => {}
        }
    }
    AddSource::Git(GitSource {
        remote,
        git_ref,
        checksum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_as_buildkit_reads_them() {
        assert_eq!(
            add_source("https://example.com/tool.tar.gz"),
            AddSource::Http {
                url: "https://example.com/tool.tar.gz"
            }
        );
        assert_eq!(add_source("app/"), AddSource::Local);
        assert_eq!(add_source("https://"), AddSource::Local);
        let git = |s| match add_source(s) {
            AddSource::Git(g) => Some((g.remote, g.git_ref, g.checksum, g.pins_commit())),
            _ => None,
        };
        assert_eq!(
            git("https://github.com/moby/buildkit.git#v0.14.1:docs"),
            Some((
                "https://github.com/moby/buildkit.git",
                Some("v0.14.1"),
                None,
                false
            ))
        );
        assert_eq!(
            git("git@github.com:moby/buildkit.git"),
            Some(("git@github.com:moby/buildkit.git", None, None, false))
        );
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let pinned = format!("https://github.com/moby/buildkit.git#{sha}");
        assert_eq!(git(&pinned).map(|g| g.3), Some(true));
        assert_eq!(
            git("https://github.com/moby/buildkit.git?tag=v0.14.1&checksum=be1f38e"),
            Some((
                "https://github.com/moby/buildkit.git",
                Some("v0.14.1"),
                Some("be1f38e"),
                true
            ))
        );
        assert_eq!(
            git("git://git.example.com/r").map(|g| g.0),
            Some("git://git.example.com/r")
        );
        // An HTTP URL is a repository only when its path ends in `.git`.
        assert_eq!(git("https://example.com/r.git.tar.gz"), None);
        assert_eq!(git("https://example.com/x?y=.git"), None);
    }
}

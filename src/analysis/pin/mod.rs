//! Digest pinning as edits: which image references to pin, and the edits that pin them. Pure text
//! work below the rules layer (the `unpinned-digest` fix and `plimsoll pin` share it); resolving
//! digests is the registry's business, in `fix::pin` and `cli::pin`.
//!
//! A [`PinSite`] is the exact bytes of one reference in a file (a `FROM` image, an `ARG` default a
//! `FROM` takes its image from, `COPY --from=`, `RUN --mount=from=`, the `# syntax=` image, a
//! compose `image:`). [`classify`] decides whether it is pinned, what to resolve, or why it is
//! skipped; [`pin_edits`] turns a resolved digest into edits that change only that reference (and,
//! with `--digest-only`, add a `# name:tag` comment line above it).

pub mod extract;

pub use extract::{extract_sites, image_use_site, syntax_directive};

use crate::source::Edit;
use crate::source::Span;
use crate::syntax::image_ref::{DEFAULT_DOMAIN, ImageRef, canonical_domain};
use std::fmt;

/// Where a reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    From,
    /// The default of an `ARG` that a `FROM` (or `--from`) takes its whole image from.
    ArgDefault,
    CopyFrom,
    MountFrom,
    Onbuild,
    /// The `# syntax=` parser directive.
    Syntax,
    ComposeImage,
}

impl SiteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::From => "FROM",
            SiteKind::ArgDefault => "ARG default",
            SiteKind::CopyFrom => "COPY --from",
            SiteKind::MountFrom => "RUN --mount from",
            SiteKind::Onbuild => "ONBUILD",
            SiteKind::Syntax => "# syntax",
            SiteKind::ComposeImage => "image",
        }
    }
}

/// One image reference in a file: `span` holds exactly `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinSite {
    pub span: Span,
    pub text: String,
    pub kind: SiteKind,
}

/// A site that is not pinned, with the reason (reported to the user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub span: Span,
    pub text: String,
    pub reason: String,
}

/// A tagged image by identity: registry and repository normalised as Docker names them
/// (`docker.io/library/alpine`), and the tag (`latest` when none is written).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagRef {
    pub registry: String,
    pub repository: String,
    pub tag: String,
}

impl TagRef {
    /// The tag `r` names, if it names one: not for references with variables or a digest.
    pub fn of(r: &ImageRef<'_>) -> Option<TagRef> {
        if r.has_variables || r.digest.is_some() {
            return None;
        }
        let registry = canonical_domain(r.domain());
        let repo = r.repository_str();
        let repository = if registry == DEFAULT_DOMAIN && !repo.contains('/') {
            format!("library/{repo}")
        } else {
            repo.to_string()
        };
        Some(TagRef {
            registry,
            repository,
            tag: r.effective_tag().unwrap_or("latest").to_string(),
        })
    }
}

/// `registry/repository:tag`: the key of a lock-file entry.
impl fmt::Display for TagRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}", self.registry, self.repository, self.tag)
    }
}

/// What to do with a site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Unpinned: resolve `target` and pin.
    Pin { target: TagRef },
    /// Already pinned to `digest`. `target` is the tag it was pinned from, when the text or a
    /// `# name:tag` comment above it says (needed for `--update` and lock comparisons).
    Pinned {
        digest: String,
        target: Option<TagRef>,
    },
}

/// Options of `plimsoll pin` that change the edits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinOptions {
    /// Write `name@digest` with a `# name:tag` comment line above, instead of `name:tag@digest`.
    pub digest_only: bool,
}

/// The written reference split into its parts (byte offsets relative to the site text).
struct Parts<'a> {
    /// `name` or `name:tag` (everything before `@`).
    name_tag: &'a str,
    /// Offset of the `:tag` separator in `name_tag`, if a tag is written.
    tag_colon: Option<usize>,
    digest: Option<&'a str>,
}

fn split(text: &str) -> Parts<'_> {
    let (name_tag, digest) = match text.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (text, None),
    };
    // A colon after the last slash separates the tag (one before it is a registry port).
    let last_slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
    let tag_colon = name_tag
        .get(last_slash..)
        .and_then(|tail| tail.find(':'))
        .map(|i| last_slash + i);
    Parts {
        name_tag,
        tag_colon,
        digest,
    }
}

/// The `name:tag` a `# name:tag` comment on the line above `span` records, if any (left by
/// `--digest-only`).
fn comment_above(text: &str, span: Span) -> Option<&str> {
    let start = span.start as usize;
    let line_start = text.get(..start)?.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let before = text.get(..line_start.checked_sub(1)?)?;
    let prev_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let prev = before.get(prev_start..)?.trim_end_matches('\r').trim();
    let c = prev.strip_prefix('#')?.trim();
    (!c.is_empty() && !c.contains(char::is_whitespace)).then_some(c)
}

/// Decides what to do with a site. `text` is the whole file (for a `# name:tag` comment above a
/// digest-only reference).
pub fn classify(text: &str, site: &PinSite) -> Result<Plan, Skip> {
    let skip = |reason: &str| Skip {
        span: site.span,
        text: site.text.clone(),
        reason: reason.to_string(),
    };
    let t = site.text.as_str();
    if t.is_empty() {
        return Err(skip("empty image reference"));
    }
    if t.contains('$') {
        return Err(skip(
            "depends on a variable; pin its ARG default or set a literal image",
        ));
    }
    if t.eq_ignore_ascii_case("scratch") {
        return Err(skip("`scratch` is not an image in a registry"));
    }
    let parts = split(t);
    let Ok(r) = ImageRef::parse(t) else {
        return Err(skip(&format!("`{t}` is not a valid image reference")));
    };
    match r.digest_str() {
        Some(d) => {
            let tagged = if parts.tag_colon.is_some() {
                ImageRef::parse(parts.name_tag)
                    .ok()
                    .and_then(|n| TagRef::of(&n))
            } else {
                // `name@digest`: a `# name:tag` comment above (from --digest-only) names the tag.
                let name = ImageRef::parse(parts.name_tag)
                    .ok()
                    .and_then(|n| TagRef::of(&n));
                comment_above(text, site.span)
                    .and_then(|c| ImageRef::parse(c).ok())
                    .and_then(|c| TagRef::of(&c))
                    .filter(|c| {
                        name.as_ref().is_some_and(|n| {
                            c.registry == n.registry && c.repository == n.repository
                        })
                    })
            };
            Ok(Plan::Pinned {
                digest: d.to_string(),
                target: tagged,
            })
        }
        None => TagRef::of(&r)
            .map(|target| Plan::Pin { target })
            .ok_or_else(|| skip(&format!("`{t}` is not a valid image reference"))),
    }
}

/// Edits pinning `site` to `digest`. For an already pinned site (`--update`) only the digest is
/// replaced. Returns no edits when the site already holds `digest`.
pub fn pin_edits(text: &str, site: &PinSite, digest: &str, opts: PinOptions) -> Vec<Edit> {
    let parts = split(&site.text);
    let start = site.span.start as usize;
    if let Some(old) = parts.digest {
        if old == digest {
            return Vec::new();
        }
        let at = start + parts.name_tag.len() + 1;
        return vec![Edit::replace(Span::new(at, at + old.len()), digest)];
    }
    // `# syntax=` must stay among the parser directives: a comment line would end them.
    if opts.digest_only && site.kind != SiteKind::Syntax {
        let name = parts
            .tag_colon
            .and_then(|c| parts.name_tag.get(..c))
            .unwrap_or(parts.name_tag);
        let tagged = if parts.tag_colon.is_some() {
            parts.name_tag.to_string()
        } else {
            format!("{}:latest", parts.name_tag)
        };
        let line_start = text
            .get(..start)
            .and_then(|b| b.rfind('\n'))
            .map(|i| i + 1)
            .unwrap_or(0);
        let indent: String = text
            .get(line_start..start)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let eol = line_ending(text, start);
        return vec![
            Edit::insert(line_start, format!("{indent}# {tagged}{eol}")),
            Edit::replace(site.span, format!("{name}@{digest}")),
        ];
    }
    let suffix = if parts.tag_colon.is_some() {
        format!("@{digest}")
    } else {
        format!(":latest@{digest}")
    };
    vec![Edit::insert(site.span.end as usize, suffix)]
}

/// `\r\n` when the line holding `at` ends with one, else `\n`.
fn line_ending(text: &str, at: usize) -> &'static str {
    let rest = text.get(at..).unwrap_or("");
    match rest.find('\n') {
        Some(i) if i > 0 && rest.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_refs_are_keyed_as_the_lock_file_keys_them() {
        let key = |s: &str| {
            ImageRef::parse(s)
                .ok()
                .and_then(|r| TagRef::of(&r))
                .map(|t| t.to_string())
        };
        assert_eq!(
            key("alpine").as_deref(),
            Some("docker.io/library/alpine:latest")
        );
        assert_eq!(
            key("registry-1.docker.io/nginx:1").as_deref(),
            Some("docker.io/library/nginx:1")
        );
        assert_eq!(key("Ghcr.IO/o/r:2").as_deref(), Some("ghcr.io/o/r:2"));
        assert_eq!(
            key("localhost:5000/app:v1").as_deref(),
            Some("localhost:5000/app:v1")
        );
        // A digest or a variable names no tag.
        let d = format!("a@sha256:{}", "0".repeat(64));
        assert_eq!(key(&d), None);
        assert_eq!(key("a:${T}"), None);
    }
}

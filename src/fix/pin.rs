//! Digest pinning as edits: which image references to pin, and the edits that pin them.
//!
//! A [`PinSite`] is the exact bytes of one reference in a file (a `FROM` image, an `ARG` default a
//! `FROM` takes its image from, `COPY --from=`, `RUN --mount=from=`, the `# syntax=` image, a
//! compose `image:`). [`classify`] decides whether it is pinned, what to resolve, or why it is
//! skipped; [`pin_edits`] turns a resolved digest into edits that change only that reference (and,
//! with `--digest-only`, add a `# name:tag` comment line above it).

use crate::finding::Edit;
use crate::registry::{Reference, Target};
use crate::source::Span;
use crate::syntax::image_ref::is_valid_digest;

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

/// What to do with a site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Unpinned: resolve `target` (a tag) and pin.
    Pin { target: Target },
    /// Already pinned to `digest`. `target` is the tag it was pinned from, when the text or a
    /// `# name:tag` comment above it says (needed for `--update` and lock comparisons).
    Pinned {
        digest: String,
        target: Option<Target>,
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
    let target = Target::parse(t).map_err(|e| skip(&e.to_string()))?;
    match parts.digest {
        Some(d) if is_valid_digest(d) => {
            let tagged = if parts.tag_colon.is_some() {
                Target::parse(parts.name_tag).ok()
            } else {
                // `name@digest`: a `# name:tag` comment above (from --digest-only) names the tag.
                comment_above(text, site.span)
                    .and_then(|c| Target::parse(c).ok())
                    .filter(|c| c.registry == target.registry && c.repository == target.repository)
                    .filter(|c| matches!(c.reference, Reference::Tag(_)))
            };
            Ok(Plan::Pinned {
                digest: d.to_string(),
                target: tagged,
            })
        }
        Some(_) => Err(skip("invalid digest")),
        None => Ok(Plan::Pin { target }),
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
    use crate::fix::apply_edits;

    fn site(text: &str, needle: &str, kind: SiteKind) -> PinSite {
        let at = text.find(needle).unwrap();
        PinSite {
            span: Span::new(at, at + needle.len()),
            text: needle.to_string(),
            kind,
        }
    }

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn classifies_sites() {
        let text = "FROM alpine:3.19\n";
        let s = site(text, "alpine:3.19", SiteKind::From);
        assert_eq!(
            classify(text, &s),
            Ok(Plan::Pin {
                target: Target::parse("alpine:3.19").unwrap()
            })
        );
        for (t, why) in [
            ("scratch", "scratch"),
            ("${BASE}", "variable"),
            ("Not/Valid", "not a valid"),
            ("a@sha256:12", "not a valid"),
        ] {
            let text = format!("FROM {t}\n");
            let err = classify(&text, &site(&text, t, SiteKind::From)).unwrap_err();
            assert!(err.reason.contains(why), "{t}: {}", err.reason);
        }
        let text = format!("FROM localhost:5000/app:1@{D1}\n");
        let s = site(&text, &format!("localhost:5000/app:1@{D1}"), SiteKind::From);
        assert_eq!(
            classify(&text, &s),
            Ok(Plan::Pinned {
                digest: D1.into(),
                target: Some(Target::parse("localhost:5000/app:1").unwrap())
            })
        );
    }

    #[test]
    fn pins_by_appending_the_digest_and_keeps_everything_else() {
        let text = "# syntax=docker/dockerfile:1\r\nFROM\tlocalhost:5000/app:1 AS b # x\r\n";
        let s = site(text, "localhost:5000/app:1", SiteKind::From);
        let out = apply_edits(text, &pin_edits(text, &s, D1, PinOptions::default()));
        assert_eq!(
            out,
            format!("# syntax=docker/dockerfile:1\r\nFROM\tlocalhost:5000/app:1@{D1} AS b # x\r\n")
        );
        // Pinning again changes nothing.
        let again = site(&out, &format!("localhost:5000/app:1@{D1}"), SiteKind::From);
        assert!(pin_edits(&out, &again, D1, PinOptions::default()).is_empty());
        // --update replaces only the digest.
        let upd = apply_edits(&out, &pin_edits(&out, &again, D2, PinOptions::default()));
        assert_eq!(upd, out.replace(D1, D2));
    }

    #[test]
    fn untagged_references_pin_latest() {
        let text = "FROM localhost:5000/app\n";
        let s = site(text, "localhost:5000/app", SiteKind::From);
        let out = apply_edits(text, &pin_edits(text, &s, D1, PinOptions::default()));
        assert_eq!(out, format!("FROM localhost:5000/app:latest@{D1}\n"));
    }

    #[test]
    fn digest_only_adds_a_comment_line_that_update_reads_back() {
        let text = "services:\r\n  web:\r\n    image: \"nginx:1.25\"\r\n";
        let s = site(text, "nginx:1.25", SiteKind::ComposeImage);
        let opts = PinOptions { digest_only: true };
        let out = apply_edits(text, &pin_edits(text, &s, D1, opts));
        assert_eq!(
            out,
            format!("services:\r\n  web:\r\n    # nginx:1.25\r\n    image: \"nginx@{D1}\"\r\n")
        );
        let pinned = site(&out, &format!("nginx@{D1}"), SiteKind::ComposeImage);
        assert_eq!(
            classify(&out, &pinned),
            Ok(Plan::Pinned {
                digest: D1.into(),
                target: Some(Target::parse("nginx:1.25").unwrap())
            })
        );
        let upd = apply_edits(&out, &pin_edits(&out, &pinned, D2, opts));
        assert_eq!(upd, out.replace(D1, D2));
    }

    #[test]
    fn digest_only_keeps_the_syntax_directive_a_directive() {
        let text = "# syntax=docker/dockerfile:1\nFROM a\n";
        let s = site(text, "docker/dockerfile:1", SiteKind::Syntax);
        let out = apply_edits(
            text,
            &pin_edits(text, &s, D1, PinOptions { digest_only: true }),
        );
        assert_eq!(out, format!("# syntax=docker/dockerfile:1@{D1}\nFROM a\n"));
    }

    proptest::proptest! {
        /// Pinning changes only the reference (and, digest-only, adds one whole comment line
        /// before its line): the text before that line and after the reference is untouched.
        #[test]
        fn pin_edits_touch_only_the_reference(
            before in "[ a-z#=\\t\\r\\n]{0,30}",
            after in "[ a-z#=\\t\\r\\n]{0,30}",
            name in "(localhost:5000/)?[a-z]{1,8}(:[a-z0-9]{1,5})?",
            digest_only in proptest::bool::ANY,
        ) {
            let text = format!("{before}FROM {name}{after}");
            let at = before.len() + 5;
            let s = PinSite {
                span: Span::new(at, at + name.len()),
                text: name.clone(),
                kind: SiteKind::From,
            };
            let out = apply_edits(&text, &pin_edits(&text, &s, D1, PinOptions { digest_only }));
            let tail = format!("{D1}{after}");
            proptest::prop_assert!(out.ends_with(&tail));
            let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
            let head = &before[..line_start];
            proptest::prop_assert!(out.starts_with(head));
            let line = format!("{}FROM ", &before[line_start..]);
            proptest::prop_assert!(out.contains(&line));
        }
    }
}

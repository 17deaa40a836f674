//! Digest pinning against a registry: the pure site and edit work lives in [`crate::analysis::pin`];
//! here its plans name registry [`Target`]s to resolve.

use crate::analysis::pin::TagRef;
pub use crate::analysis::pin::{PinOptions, PinSite, SiteKind, Skip, pin_edits};
use crate::registry::{Reference, Target};

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

fn target(t: TagRef) -> Target {
    Target::new(&t.registry, &t.repository, Reference::Tag(t.tag))
}

/// [`crate::analysis::pin::classify`], naming registry targets.
pub fn classify(text: &str, site: &PinSite) -> Result<Plan, Skip> {
    Ok(match crate::analysis::pin::classify(text, site)? {
        crate::analysis::pin::Plan::Pin { target: t } => Plan::Pin { target: target(t) },
        crate::analysis::pin::Plan::Pinned { digest, target: t } => Plan::Pinned {
            digest,
            target: t.map(target),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::source::Span;

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

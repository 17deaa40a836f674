//! `unpinned-digest-malformed`: a digest that is not `sha256:` and 64 lower-case hex
//! digits, so the reference pins nothing (or the build fails).

use crate::model::dockerfile::ImageTarget;
use crate::rules::prelude::*;
use crate::syntax::image_ref::ImageRef;

pub struct UnpinnedDigestMalformed;

impl Rule for UnpinnedDigestMalformed {
    fn check_file(&self, cx: &mut Context<'_>) {
        check(cx);
    }
}

fn check(cx: &mut Context<'_>) {
    for u in cx.image_uses() {
        if matches!(u.target, ImageTarget::Unresolved | ImageTarget::Scratch) {
            continue;
        }
        let Some(at) = u.resolved.find('@') else {
            continue;
        };
        let digest = u.resolved.get(at + 1..).unwrap_or("");
        if crate::syntax::expand::has_expansion(digest, '\\') || is_sha256_digest(digest) {
            continue;
        }
        let why = match ImageRef::parse(&u.resolved) {
            Err(e) => e.message,
            Ok(_) => "plimsoll expects `sha256:` followed by 64 lower-case hex digits".into(),
        };
        // Point at the digest itself when the reference is written literally.
        let span = if u.raw == u.resolved {
            Span::new(u.span.start as usize + at + 1, u.span.end as usize)
        } else {
            u.span
        };
        let span = if span.len() == digest.len() {
            span
        } else {
            u.span
        };
        cx.report(span, format!("malformed digest `{digest}`: {why}"));
    }
}

/// `sha256:` followed by exactly 64 lower-case hex digits.
fn is_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

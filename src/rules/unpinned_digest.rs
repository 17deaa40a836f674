//! `unpinned-digest` (PL110): an external image reference without `@sha256:<digest>`.

use super::images::image_uses;
use super::latest_tag::resolved_note;
use super::{Context, Rule};
use crate::model::dockerfile::ImageTarget;
use crate::syntax::image_ref::ImageRef;

pub struct UnpinnedDigest;

impl Rule for UnpinnedDigest {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/unpinned-digest.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let uses = image_uses(cx);
        for u in uses.iter() {
            if u.target != ImageTarget::External {
                continue;
            }
            let Ok(r) = ImageRef::parse(&u.resolved) else {
                continue;
            };
            if r.has_variables || r.is_pinned() {
                continue;
            }
            let msg = format!(
                "`{}` is not pinned by digest: the registry can serve different content under it tomorrow; pin it with `@sha256:…` (`plimsoll pin`){}",
                u.resolved,
                resolved_note(u)
            );
            cx.report(u.span, msg);
        }
    }
}

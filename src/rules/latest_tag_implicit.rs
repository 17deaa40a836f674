//! `latest-tag-implicit` (PL102): an image reference with neither tag nor digest, which Docker
//! reads as `:latest`.

use super::images::{external_refs, image_uses};
use super::latest_tag::resolved_note;
use super::{Context, Rule};

pub struct LatestTagImplicit;

impl Rule for LatestTagImplicit {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/latest-tag-implicit.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let uses = image_uses(cx);
        for (u, r) in external_refs(&uses) {
            if r.has_variables || r.is_pinned() || r.tag.is_some() {
                continue;
            }
            let msg = format!(
                "`{}` has no tag, so it means `{}:latest`: name a version{}",
                u.resolved,
                u.resolved,
                resolved_note(u)
            );
            let f = cx.report(u.span, msg);
            for span in &u.via {
                f.related.push(crate::finding::Related {
                    span: *span,
                    label: "the value comes from this ARG default".into(),
                });
            }
        }
    }
}

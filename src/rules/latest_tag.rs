//! `latest-tag` (PL101): an image reference with `:latest` or another moving tag.

use super::images::{external_refs, image_uses};
use super::{Context, Rule};
use crate::model::dockerfile::ImageUse;

pub struct LatestTag;

impl Rule for LatestTag {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/latest-tag.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let uses = image_uses(cx);
        for (u, r) in external_refs(&uses) {
            if r.has_variables || r.is_pinned() {
                continue;
            }
            let Some(tag) = r.tag_str() else { continue };
            if !cx.options.moving_tags.iter().any(|t| t == tag) {
                continue;
            }
            let msg = format!(
                "`{}` uses the moving tag `{tag}`: name a version (or pin a digest) so that builds are repeatable{}",
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

/// " (from `$BASE`)" when the reference was written with variables.
pub(crate) fn resolved_note(u: &ImageUse) -> String {
    if u.raw == u.resolved {
        String::new()
    } else {
        format!(" (`{}` resolves to it)", u.raw)
    }
}

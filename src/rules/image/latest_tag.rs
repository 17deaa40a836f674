//! `latest-tag`: an image reference with `:latest` or another moving tag.

use crate::analysis::images::{ARG_DEFAULT_LABEL, resolved_note, service_prefix, unpinned_refs};
use crate::rules::prelude::*;

pub struct LatestTag;

impl Rule for LatestTag {
    fn check_file(&self, cx: &mut Context<'_>) {
        check(cx);
    }
}

fn check(cx: &mut Context<'_>) {
    for (u, r) in unpinned_refs(cx.image_uses()) {
        let Some(tag) = r.tag_str() else { continue };
        if !cx.options.moving_tags.iter().any(|t| t == tag) {
            continue;
        }
        let msg = format!(
            "{}`{}` uses the moving tag `{tag}`: name a version (or pin a digest) so that builds are repeatable{}",
            service_prefix(u),
            u.resolved,
            resolved_note(u)
        );
        let related = u.via.iter().map(|s| Related::new(*s, ARG_DEFAULT_LABEL));
        cx.report(u.span, msg).related.extend(related);
    }
}

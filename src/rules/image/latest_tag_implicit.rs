//! `latest-tag-implicit`: an image reference with neither tag nor digest, which Docker reads as
//! `:latest`.

use crate::analysis::images::{ARG_DEFAULT_LABEL, resolved_note, service_prefix, unpinned_refs};
use crate::rules::prelude::*;

pub struct LatestTagImplicit;

impl Rule for LatestTagImplicit {
    fn check_file(&self, cx: &mut Context<'_>) {
        check(cx);
    }
}

fn check(cx: &mut Context<'_>) {
    for (u, _) in unpinned_refs(cx.image_uses()).filter(|(_, r)| r.tag.is_none()) {
        let msg = format!(
            "{}`{}` has no tag, so it means `{}:latest`: name a version{}",
            service_prefix(u),
            u.resolved,
            u.resolved,
            resolved_note(u)
        );
        let related = u.via.iter().map(|s| Related::new(*s, ARG_DEFAULT_LABEL));
        cx.report(u.span, msg).related.extend(related);
    }
}

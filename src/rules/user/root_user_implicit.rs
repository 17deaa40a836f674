//! `root-user-implicit`: the final stage never sets `USER`, so the image runs as its
//! base image's user, root for most images.

use crate::analysis::images::matches_image_globs;
use crate::model::dockerfile::{ImageTarget, Stage};
use crate::rules::prelude::*;

pub struct RootUserImplicit;

impl Rule for RootUserImplicit {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(last) = df.final_stage() else { return };
        if last.user.is_some() {
            return;
        }
        let Some(root) = base_of_chain(df, last) else {
            return;
        };
        let Some(base) = df.images.get(root.base) else {
            return;
        };
        match base.target {
            ImageTarget::Scratch => {}
            ImageTarget::External => {
                if matches_image_globs(&base.resolved, &cx.options.nonroot_base_images) {
                    return;
                }
            }
            // Unknown base: it may well set a user; do not guess.
            _ => return,
        }
        let Some(from) = df.images.get(last.base) else {
            return;
        };
        let msg = if root.index == last.index {
            format!(
                "the final stage sets no USER, so the image runs as `{}`'s default user (root for most images): add `USER <non-root user>`",
                base.resolved
            )
        } else {
            format!(
                "the final stage (built on stage {}) never sets USER, so the image runs as `{}`'s default user (root for most images): add `USER <non-root user>`",
                root.name
                    .as_deref()
                    .map_or_else(|| root.index.to_string(), str::to_string),
                base.resolved
            )
        };
        cx.report(from.span, msg);
    }
}

/// The stage at the start of `stage`'s chain of `FROM <earlier stage>` (where the external or
/// scratch base is named). `None` on a cycle, which the model does not produce.
fn base_of_chain<'a>(df: &'a Dockerfile, stage: &'a Stage) -> Option<&'a Stage> {
    let mut current = stage;
    for _ in 0..=df.stages.len() {
        match df.images.get(current.base).map(|u| &u.target) {
            Some(ImageTarget::Stage(i)) if *i < current.index => current = df.stages.get(*i)?,
            _ => return Some(current),
        }
    }
    None
}

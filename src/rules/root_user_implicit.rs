//! `root-user-implicit` (PL202): the final stage never sets `USER`, so the image runs as its
//! base image's user, root for most images.

use super::{Context, Rule};
use crate::model::dockerfile::{Dockerfile, ImageTarget, Stage};
use crate::syntax::image_ref::ImageRef;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::cell::RefCell;

pub struct RootUserImplicit;

impl Rule for RootUserImplicit {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/root-user-implicit.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
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
                if is_nonroot_base(&base.resolved, &cx.options.nonroot_base_images) {
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

/// Whether `reference` matches one of the configured non-root base image globs, compared with
/// the written, the normalised (`docker.io/library/x:tag`) and the familiar form.
pub fn is_nonroot_base(reference: &str, globs: &[String]) -> bool {
    thread_local! {
        // Compiling globs costs far more than matching: keep the last set per thread.
        static CACHE: RefCell<Option<(Vec<String>, GlobSet)>> = const { RefCell::new(None) };
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.as_ref().is_none_or(|(g, _)| g.as_slice() != globs) {
            *cache = Some((globs.to_vec(), compile(globs)));
        }
        cache
            .as_ref()
            .is_some_and(|(_, set)| matches_nonroot(set, reference))
    })
}

fn compile(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        if let Ok(glob) = Glob::new(g) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn matches_nonroot(set: &GlobSet, reference: &str) -> bool {
    if set.is_match(reference) {
        return true;
    }
    let Ok(r) = ImageRef::parse(reference) else {
        return false;
    };
    if set.is_match(r.normalized()) || set.is_match(r.familiar()) {
        return true;
    }
    // A digest-pinned reference still names its tag: match the globs without the digest.
    let tag = r.tag_str().map(|t| format!(":{t}")).unwrap_or_default();
    let full = format!("{}{tag}", r.name());
    let written = reference.split('@').next().unwrap_or(reference);
    set.is_match(&full) || set.is_match(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonroot_globs_match_normalised_forms() {
        let globs = crate::rules::settings::RuleOptions::default().nonroot_base_images;
        assert!(is_nonroot_base("gcr.io/distroless/static:nonroot", &globs));
        assert!(is_nonroot_base(
            "gcr.io/distroless/base-debian12:debug-nonroot",
            &globs
        ));
        assert!(is_nonroot_base("cgr.dev/chainguard/node:latest", &globs));
        assert!(!is_nonroot_base("gcr.io/distroless/static:latest", &globs));
        assert!(!is_nonroot_base("node:22", &globs));
        let pinned = format!("gcr.io/distroless/static:nonroot@sha256:{}", "a".repeat(64));
        assert!(is_nonroot_base(&pinned, &globs));
        assert!(is_nonroot_base(
            "node:22",
            &["docker.io/library/node:*".to_string()]
        ));
    }
}

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
        static CACHE: RefCell<Option<(Vec<String>, NonrootGlobs)>> = const { RefCell::new(None) };
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.as_ref().is_none_or(|(g, _)| g.as_slice() != globs) {
            *cache = Some((globs.to_vec(), NonrootGlobs::compile(globs)));
        }
        cache
            .as_ref()
            .is_some_and(|(_, set)| matches_nonroot(set, reference))
    })
}

/// The configured globs, compiled. A glob whose only wildcard is `*` (the defaults, and nearly
/// every configuration) is matched directly: building globset's regexes for them costs ~0.4M
/// instructions, a quarter of a one-file run. Any other glob goes to globset.
struct NonrootGlobs {
    star_only: Vec<String>,
    others: Option<GlobSet>,
}

impl NonrootGlobs {
    fn compile(globs: &[String]) -> Self {
        let (star_only, others): (Vec<&String>, Vec<&String>) = globs
            .iter()
            .partition(|g| !g.contains("**") && !g.contains(['?', '[', ']', '{', '}', '\\']));
        let others = (!others.is_empty()).then(|| {
            let mut builder = GlobSetBuilder::new();
            for g in others {
                if let Ok(glob) = Glob::new(g) {
                    builder.add(glob);
                }
            }
            builder.build().unwrap_or_else(|_| GlobSet::empty())
        });
        NonrootGlobs {
            star_only: star_only.into_iter().cloned().collect(),
            others,
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.star_only.iter().any(|g| star_match(g, text))
            || self.others.as_ref().is_some_and(|set| set.is_match(text))
    }
}

/// Whether `text` matches `glob`, in which `*` stands for any run of characters (`/` included,
/// as in globset's default) and every other character for itself.
fn star_match(glob: &str, text: &str) -> bool {
    let mut parts = glob.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let middle: Vec<&str> = parts.collect();
    let Some((last, middle)) = middle.split_last() else {
        // No `*` at all: the glob is a literal.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn matches_nonroot(set: &NonrootGlobs, reference: &str) -> bool {
    if set.is_match(reference) {
        return true;
    }
    let Ok(r) = ImageRef::parse(reference) else {
        return false;
    };
    if set.is_match(&r.normalized()) || set.is_match(&r.familiar()) {
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
    fn star_globs_match_as_globset_does() {
        let globs = [
            "gcr.io/distroless/*:nonroot",
            "gcr.io/distroless/*:*-nonroot",
            "cgr.dev/chainguard/*",
            "*",
            "**",
            "exact/name:1",
            "a*b*c",
            "*nonroot",
            "x/*/y*",
        ];
        let texts = [
            "gcr.io/distroless/static:nonroot",
            "gcr.io/distroless/base/x:debug-nonroot",
            "gcr.io/distroless/static:latest",
            "cgr.dev/chainguard/",
            "cgr.dev/chainguard/node:1@sha256:00",
            "exact/name:1",
            "exact/name:12",
            "abc",
            "ab",
            "aXbYc",
            "acb",
            "",
            "x//y",
            "x/a/b/yz",
        ];
        for g in globs {
            let reference = Glob::new(g).map(|g| g.compile_matcher());
            let Ok(reference) = reference else { continue };
            for t in texts {
                assert_eq!(star_match(g, t), reference.is_match(t), "{g} vs {t}");
            }
        }
    }

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

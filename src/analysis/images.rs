//! Every place a file names an image, for the latest-tag and unpinned-digest families (and any
//! rule about image references): Dockerfile `FROM`, `COPY --from`, `RUN --mount=from`, `ONBUILD`,
//! and compose `image:`.

use crate::model::dockerfile::{ImageSite, ImageTarget, ImageUse};
use crate::syntax::compose::interpolate;
use crate::syntax::image_ref::ImageRef;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::borrow::Cow;
use std::cell::RefCell;

/// The file's image uses. Compose `image:` values are interpolated with defaults only (the
/// environment of the machine that will run compose is unknown); one that needs a variable with
/// no default is unresolved. A service that also has `build:` names the image it builds, so its
/// `image:` targets a stage-like build result, not a registry.
pub fn image_uses<'a>(
    dockerfile: Option<&'a crate::model::dockerfile::Dockerfile>,
    compose: Option<&'a crate::model::compose::ComposeFile>,
) -> Cow<'a, [ImageUse]> {
    if let Some(df) = dockerfile {
        return Cow::Borrowed(&df.images);
    }
    let Some(compose) = compose else {
        return Cow::Borrowed(&[]);
    };
    let built = built_names(compose.services());
    let mut out = Vec::new();
    for service in compose.services() {
        let Some(image) = &service.image else {
            continue;
        };
        let resolved = interpolate::interpolate(&image.raw, &|_| None);
        // Any problem (a variable with no default, a malformed `${`) leaves the value unknown.
        let unset = !resolved.problems.is_empty();
        let target = if service.build.is_some()
            || (!unset && tag_key(&resolved.value).is_some_and(|k| built.contains(&k)))
        {
            // Its own build's result, or the image another service of the file builds and
            // tags with this name: compose uses that image and pulls nothing.
            ImageTarget::Built
        } else if unset || resolved.value.is_empty() {
            ImageTarget::Unresolved
        } else {
            ImageTarget::External
        };
        out.push(ImageUse {
            // The value without its quotes when it is written verbatim.
            span: image.span_of(0..image.raw.len()),
            raw: image.raw.clone(),
            resolved: resolved.value.into_owned(),
            site: ImageSite::ComposeImage,
            target,
            stage: None,
            via: Vec::new(),
            service: Some(service.name.value.clone()),
        });
    }
    Cow::Owned(out)
}

/// The image a reference names, tag included (`docker.io/library/app:latest` for `app`), so two
/// spellings of one name compare equal; `None` for a reference pinned by digest (a build
/// result has no digest to name it by) or one that does not parse.
pub fn tag_key(reference: &str) -> Option<String> {
    let r = ImageRef::parse(reference).ok()?;
    if r.has_variables || r.digest_str().is_some() {
        return None;
    }
    Some(format!("{}:{}", r.name(), r.effective_tag()?))
}

/// The names ([`tag_key`]) the services that build give their result (`build:` with
/// `image:`): another service naming one uses that build, not a registry's image.
pub fn built_names<'s>(
    services: impl Iterator<Item = &'s crate::model::compose::Service>,
) -> std::collections::HashSet<String> {
    services
        .filter(|s| s.build.is_some())
        .filter_map(|s| s.image.as_ref())
        .filter_map(|i| {
            let resolved = interpolate::interpolate(&i.raw, &|_| None);
            if !resolved.problems.is_empty() {
                return None;
            }
            tag_key(&resolved.value)
        })
        .collect()
}

/// The external image uses (registry images, not stages or `scratch`-like build results) with
/// their parsed references. Uses whose text is not a valid reference are skipped here: they are
/// `unpinned-digest-malformed`'s to report.
pub fn external_refs(uses: &[ImageUse]) -> impl Iterator<Item = (&ImageUse, ImageRef<'_>)> {
    uses.iter()
        .filter(|u| u.target == ImageTarget::External)
        .filter_map(|u| ImageRef::parse(&u.resolved).ok().map(|r| (u, r)))
}

/// The external references that name an image by tag rather than by digest, and whose text
/// is known (no variable left unresolved): what the tag and digest rules judge.
pub fn unpinned_refs(uses: &[ImageUse]) -> impl Iterator<Item = (&ImageUse, ImageRef<'_>)> {
    external_refs(uses).filter(|(_, r)| !r.has_variables && !r.is_pinned())
}

/// The label of a related span pointing at the `ARG` default an image reference came from.
pub const ARG_DEFAULT_LABEL: &str = "the value comes from this ARG default";

/// "service `web`: " for a compose service's `image:` (services sharing an anchored value point
/// at the same bytes, so the message says which one), "" in a Dockerfile.
pub fn service_prefix(u: &ImageUse) -> String {
    u.service
        .as_deref()
        .map_or_else(String::new, |s| format!("service `{s}`: "))
}

/// " (`$BASE` resolves to it)" when the reference was written with variables, for messages.
pub fn resolved_note(u: &ImageUse) -> String {
    if u.raw == u.resolved {
        String::new()
    } else {
        format!(" (`{}` resolves to it)", u.raw)
    }
}

/// Whether an image `reference` matches one of `globs` (e.g. the configured non-root base
/// images, `gcr.io/distroless/*:nonroot`), compared with the written, the normalised
/// (`docker.io/library/x:tag`) and the familiar form.
pub fn matches_image_globs(reference: &str, globs: &[String]) -> bool {
    thread_local! {
        // Compiling globs costs far more than matching: keep the last set per thread.
        static CACHE: RefCell<Option<(Vec<String>, ImageGlobs)>> = const { RefCell::new(None) };
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.as_ref().is_none_or(|(g, _)| g.as_slice() != globs) {
            *cache = Some((globs.to_vec(), ImageGlobs::compile(globs)));
        }
        cache
            .as_ref()
            .is_some_and(|(_, set)| matches_globs(set, reference))
    })
}

/// The configured globs, compiled. A glob whose only wildcard is `*` (the defaults, and nearly
/// every configuration) is matched directly: building globset's regexes for them costs ~0.4M
/// instructions, a quarter of a one-file run. Any other glob goes to globset.
struct ImageGlobs {
    star_only: Vec<String>,
    others: Option<GlobSet>,
}

impl ImageGlobs {
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
        ImageGlobs {
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

fn matches_globs(set: &ImageGlobs, reference: &str) -> bool {
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
    use globset::Glob;

    #[test]
    fn an_image_another_service_builds_is_a_build_result() {
        let text = "services:\n  app:\n    build: .\n    image: myorg/app\n  worker:\n    image: myorg/app:latest\n  other:\n    image: myorg/app:v2\n  digest:\n    image: myorg/app@sha256:5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e\n";
        let file = crate::model::compose::load(
            text,
            std::path::Path::new("compose.yaml"),
            &crate::model::compose::Env::new(),
        );
        let uses = image_uses(None, Some(&file));
        let target = |s: &str| {
            uses.iter()
                .find(|u| u.service.as_deref() == Some(s))
                .map(|u| u.target.clone())
        };
        assert_eq!(target("app"), Some(ImageTarget::Built));
        // `myorg/app` is `myorg/app:latest`: the same name.
        assert_eq!(target("worker"), Some(ImageTarget::Built));
        // Another tag, or a digest, names no build result: a pull.
        assert_eq!(target("other"), Some(ImageTarget::External));
        assert_eq!(target("digest"), Some(ImageTarget::External));
        assert_eq!(
            tag_key("app"),
            Some("docker.io/library/app:latest".to_string())
        );
        assert_eq!(tag_key("${X}"), None);
    }

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
        let globs = [
            "gcr.io/distroless/*:nonroot",
            "gcr.io/distroless/*:*-nonroot",
            "cgr.dev/chainguard/*",
        ]
        .map(String::from);
        assert!(matches_image_globs(
            "gcr.io/distroless/static:nonroot",
            &globs
        ));
        assert!(matches_image_globs(
            "gcr.io/distroless/base-debian12:debug-nonroot",
            &globs
        ));
        assert!(matches_image_globs(
            "cgr.dev/chainguard/node:latest",
            &globs
        ));
        assert!(!matches_image_globs(
            "gcr.io/distroless/static:latest",
            &globs
        ));
        assert!(!matches_image_globs("node:22", &globs));
        let pinned = format!("gcr.io/distroless/static:nonroot@sha256:{}", "a".repeat(64));
        assert!(matches_image_globs(&pinned, &globs));
        assert!(matches_image_globs(
            "node:22",
            &["docker.io/library/node:*".to_string()]
        ));
    }
}

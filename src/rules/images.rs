//! Every place a file names an image, for the latest-tag and unpinned-digest families (and any
//! rule about image references): Dockerfile `FROM`, `COPY --from`, `RUN --mount=from`, `ONBUILD`,
//! and compose `image:`.

use super::Context;
use crate::model::dockerfile::{ImageSite, ImageTarget, ImageUse};
use crate::syntax::compose::interpolate;
use crate::syntax::image_ref::ImageRef;
use std::borrow::Cow;

/// The file's image uses. Compose `image:` values are interpolated with defaults only (the
/// environment of the machine that will run compose is unknown); one that needs a variable with
/// no default is unresolved. A service that also has `build:` names the image it builds, so its
/// `image:` targets a stage-like build result, not a registry.
pub fn image_uses<'a>(cx: &Context<'a>) -> Cow<'a, [ImageUse]> {
    if let Some(df) = cx.dockerfile() {
        return Cow::Borrowed(&df.images);
    }
    let Some(compose) = cx.compose() else {
        return Cow::Borrowed(&[]);
    };
    let mut out = Vec::new();
    for service in compose.services() {
        let Some(image) = &service.image else {
            continue;
        };
        let resolved = interpolate::interpolate(&image.raw, &|_| None);
        // Any problem (a variable with no default, a malformed `${`) leaves the value unknown.
        let unset = !resolved.problems.is_empty();
        let target = if service.build.is_some() {
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
        });
    }
    Cow::Owned(out)
}

/// The external image uses (registry images, not stages or `scratch`-like build results) with
/// their parsed references. Uses whose text is not a valid reference are skipped here: they are
/// `unpinned-digest-malformed`'s to report.
pub fn external_refs(uses: &[ImageUse]) -> impl Iterator<Item = (&ImageUse, ImageRef<'_>)> {
    uses.iter()
        .filter(|u| u.target == ImageTarget::External)
        .filter_map(|u| ImageRef::parse(&u.resolved).ok().map(|r| (u, r)))
}

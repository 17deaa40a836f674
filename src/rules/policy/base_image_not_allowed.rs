//! `base-image-not-allowed`: a `FROM` naming an image outside `allowed-base-images` (set per
//! path with `[[overrides]]`).

use crate::analysis::image_match::first_match;
use crate::analysis::images::{external_refs, resolved_note};
use crate::model::dockerfile::ImageSite;
use crate::rules::prelude::*;

pub struct BaseImageNotAllowed;

impl Rule for BaseImageNotAllowed {
    fn check_file(&self, cx: &mut Context<'_>) {
        let policy = cx.options.policy.clone();
        let allowed = &policy.allowed_base_images;
        if allowed.is_empty() {
            return;
        }
        let found: Vec<_> = external_refs(cx.image_uses())
            .filter(|(image, r)| {
                image.site == ImageSite::From
                    && !r.has_variables
                    && first_match(r, allowed.iter().map(String::as_str)).is_none()
            })
            .map(|(image, _)| image)
            .collect();
        let list = allowed.join(", ");
        for image in found {
            let message = format!(
                "base image `{}`{} is not among the allowed base images ({list}): build on one of them, or ask for this image to be added to `allowed-base-images`",
                image.resolved,
                resolved_note(image),
            );
            cx.report_image(image, message);
        }
    }
}

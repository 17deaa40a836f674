//! `banned-image`: an image or tag the configuration bans, with the reason it gives.

use crate::analysis::image_match::first_match;
use crate::analysis::images::{external_refs, resolved_note, service_prefix};
use crate::rules::prelude::*;

pub struct BannedImage;

impl Rule for BannedImage {
    fn check_file(&self, cx: &mut Context<'_>) {
        let policy = cx.options.policy.clone();
        let banned = &policy.banned_images;
        if banned.is_empty() {
            return;
        }
        let found: Vec<_> = external_refs(cx.image_uses())
            .filter(|(_, r)| !r.has_variables)
            .filter_map(|(image, r)| {
                let pattern = first_match(&r, banned.iter().map(|(p, _)| p.as_str()))?;
                let reason = banned.iter().find(|(p, _)| p == pattern).map(|(_, r)| r)?;
                Some((image, pattern.to_string(), reason.clone()))
            })
            .collect();
        for (image, pattern, reason) in found {
            let reason = reason.trim();
            let message = format!(
                "{}`{}`{} is banned (`{pattern}` in `banned-images`){}",
                service_prefix(image),
                image.resolved,
                resolved_note(image),
                if reason.is_empty() {
                    ": use an approved image instead".to_string()
                } else {
                    format!(": {reason}")
                },
            );
            cx.report_image(image, message);
        }
    }
}

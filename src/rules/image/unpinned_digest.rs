//! `unpinned-digest`: an external image reference without `@sha256:<digest>`. When the nearest
//! `plimsoll.lock` knows the reference's digest ([`RuleOptions::pinned_digests`]), the finding
//! carries a safe fix making the edit `plimsoll pin --offline` would make.
//!
//! [`RuleOptions::pinned_digests`]: crate::rules::settings::RuleOptions::pinned_digests

use crate::analysis::images::{resolved_note, service_prefix, unpinned_refs};
use crate::analysis::pin::{PinOptions, Plan, classify, image_use_site, pin_edits};
use crate::model::dockerfile::ImageUse;
use crate::rules::prelude::*;
use std::collections::BTreeMap;

pub struct UnpinnedDigest;

impl Rule for UnpinnedDigest {
    fn check_file(&self, cx: &mut Context<'_>) {
        check(cx);
    }
}

fn check(cx: &mut Context<'_>) {
    let text = cx.text();
    let digests = cx.options.pinned_digests.clone();
    for (u, _) in unpinned_refs(cx.image_uses()) {
        // Say `plimsoll pin` only where it can pin: a reference written with variables (other
        // than one ARG default holding it whole) is left alone by `pin`.
        let pinnable = image_use_site(text, u)
            .is_some_and(|site| matches!(classify(text, &site), Ok(Plan::Pin { .. })));
        let how = if pinnable {
            format!("pin it with `@sha256:…` (`plimsoll pin` writes it){}", resolved_note(u))
        } else {
            format!(
                "it is written with variables (`{}`), which `plimsoll pin` leaves alone: pin the digest where the value is set (`{}@sha256:…`)",
                u.raw, u.resolved
            )
        };
        let msg = format!(
            "{}`{}` is not pinned by digest: the registry can serve different content under it tomorrow; {how}",
            service_prefix(u),
            u.resolved,
        );
        let fix = locked_fix(text, u, &digests);
        cx.report(u.span, msg).fix = fix;
    }
}

fn locked_fix(text: &str, u: &ImageUse, digests: &BTreeMap<String, String>) -> Option<Fix> {
    if digests.is_empty() {
        return None;
    }
    let site = image_use_site(text, u)?;
    let Ok(Plan::Pin { target }) = classify(text, &site) else {
        return None;
    };
    let digest = digests.get(&target.to_string())?;
    let edits = pin_edits(text, &site, digest, PinOptions::default());
    (!edits.is_empty()).then(|| Fix {
        description: format!("pin `{}` to {digest} (from plimsoll.lock)", site.text),
        applicability: Applicability::Safe,
        edits,
    })
}

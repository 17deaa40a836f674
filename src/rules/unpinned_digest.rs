//! `unpinned-digest` (PL110): an external image reference without `@sha256:<digest>`. When the
//! nearest `plimsoll.lock` knows the reference's digest ([`RuleOptions::pinned_digests`]), the
//! finding carries a safe fix making the edit `plimsoll pin --offline` would make.
//!
//! [`RuleOptions::pinned_digests`]: super::settings::RuleOptions::pinned_digests

use super::images::{external_refs, image_uses};
use super::latest_tag::resolved_note;
use super::{Context, Rule};
use crate::finding::{Applicability, Fix};
use crate::model::dockerfile::ImageUse;
use crate::model::pin::{PinOptions, Plan, classify, image_use_site, pin_edits};
use std::collections::BTreeMap;

pub struct UnpinnedDigest;

impl Rule for UnpinnedDigest {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/unpinned-digest.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let uses = image_uses(cx);
        let text = cx.text();
        let digests = cx.options.pinned_digests.clone();
        for (u, r) in external_refs(&uses) {
            if r.has_variables || r.is_pinned() {
                continue;
            }
            let msg = format!(
                "`{}` is not pinned by digest: the registry can serve different content under it tomorrow; pin it with `@sha256:…` (`plimsoll pin`){}",
                u.resolved,
                resolved_note(u)
            );
            let fix = locked_fix(text, u, &digests);
            cx.report(u.span, msg).fix = fix;
        }
    }
}

/// The pin edit for `u` when `digests` (the lock file's) has its reference.
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

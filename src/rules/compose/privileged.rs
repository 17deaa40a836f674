//! `privileged`: a service that runs privileged (`privileged: true`).

use crate::analysis::compose::{per_value, raw_span};
use crate::rules::prelude::*;

pub struct Privileged;

impl Rule for Privileged {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            if let Some(p) = s.privileged.as_ref().filter(|p| p.is_true()) {
                hit(raw_span(&p.text), ());
            }
        });
        for hit in hits {
            let message = format!(
                "{} runs privileged: every capability, every host device, no seccomp or AppArmor \
                 profile; root in it is root on the host. Remove `privileged` and add only the \
                 capability or device it needs (`cap_add`, `devices`)",
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}

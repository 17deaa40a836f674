//! `cgroup-parent`: a policy: a service placed under a cgroup of its own choosing
//! (`cgroup_parent`), outside the one the daemon manages.

use crate::analysis::compose::{per_value, raw_span};
use crate::rules::prelude::*;

pub struct CgroupParent;

impl Rule for CgroupParent {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            if let Some(t) = s.cgroup_parent.as_ref().filter(|t| !t.value.trim().is_empty()) {
                hit(raw_span(t), t.value.clone());
            }
        });
        for hit in hits {
            let message = format!(
                "`cgroup_parent: {}` puts {} under a cgroup the daemon does not manage, whose \
                 limits (memory, CPU, PIDs) are whatever that cgroup has: remove it unless the \
                 host is set up for it",
                hit.item,
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}

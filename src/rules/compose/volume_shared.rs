//! `volume-shared`: a policy: a named volume that two services both mount writable.

use crate::analysis::compose::{per_value, raw_span};
use crate::model::compose::MountKind;
use crate::rules::prelude::*;

pub struct VolumeShared;

impl Rule for VolumeShared {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        // Each writable named-volume mount, once per written value, with its services.
        let mounts = per_value(compose, |s, hit| {
            for m in &s.volumes {
                if m.kind == MountKind::Volume
                    && !m.read_only
                    && let Some(source) = m.source.as_ref().filter(|t| !t.value.is_empty())
                {
                    hit(raw_span(source), source.value.clone());
                }
            }
        });
        for mount in &mounts {
            let mut others: Vec<String> = mounts
                .iter()
                .filter(|o| o.item == mount.item)
                .flat_map(|o| o.services.iter())
                .filter(|s| !mount.services.iter().any(|m| std::ptr::eq(*m, **s)))
                .map(|s| format!("`{}`", s.name.value))
                .collect();
            // Services sharing the one written mount (an anchor, `extends`) share it too.
            if mount.services.len() > 1 {
                others.extend(mount.services.iter().skip(1).map(|s| format!("`{}`", s.name.value)));
            }
            others.dedup();
            if others.is_empty() {
                continue;
            }
            let message = format!(
                "volume `{}` is written by {} and by {}: each can change what the other reads \
                 and runs, so one compromised service reaches the other; mount it read-only \
                 (`:ro`) where the service only reads, or give each its own volume",
                mount.item,
                mount.services_phrase(),
                others.join(", ")
            );
            cx.report(mount.span, message);
        }
    }
}

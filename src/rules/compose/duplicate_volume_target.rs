//! `duplicate-volume-target`: two mounts onto the same path of one service.

use crate::analysis::compose::{normalize_host_path, per_value, raw_span};
use crate::rules::prelude::*;

pub struct DuplicateVolumeTarget;

impl Rule for DuplicateVolumeTarget {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            let targets: Vec<_> = s
                .volumes
                .iter()
                .filter_map(|m| m.target.as_ref())
                .filter(|t| !t.value.is_empty())
                .map(|t| (t, normalize_host_path(&t.value)))
                .collect();
            for (i, (t, path)) in targets.iter().enumerate() {
                if let Some((first, _)) = targets[..i].iter().find(|(_, p)| p == path) {
                    hit(raw_span(t), (path.clone(), raw_span(first)));
                }
            }
        });
        for hit in hits {
            let (path, first) = &hit.item;
            let message = format!(
                "`{path}` is mounted twice in {}: the engine refuses the container (duplicate \
                 mount point); keep one mount",
                hit.services_phrase()
            );
            cx.report(hit.span, message)
                .related
                .push(Related::new(*first, "first mounted here"));
        }
    }
}

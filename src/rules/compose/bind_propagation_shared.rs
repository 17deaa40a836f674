//! `bind-propagation-shared`: a bind mount with `shared` or `rshared` propagation, through
//! which mounts made in the container appear on the host.

use crate::analysis::compose::{per_value, raw_span};
use crate::rules::prelude::*;

pub struct BindPropagationShared;

impl Rule for BindPropagationShared {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for m in &s.volumes {
                if let Some(p) = &m.propagation
                    && matches!(p.value.trim(), "shared" | "rshared")
                {
                    hit(raw_span(p), p.value.trim().to_string());
                }
            }
        });
        for hit in hits {
            let message = format!(
                "`{}` propagation makes the mounts {} creates under this path appear on the host \
                 (and in every container sharing it): use the default `rprivate`, or `rslave` to \
                 see the host's mounts without sending any back",
                hit.item,
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}

//! `privileged-port`: a policy: a port published on a host port below 1024.

use crate::analysis::compose::{per_value, published};
use crate::rules::prelude::*;

pub struct PrivilegedPort;

impl Rule for PrivilegedPort {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for port in &s.ports {
                if let Some((low, _)) = published(port).and_then(|p| p.ports)
                    && low < 1024
                {
                    let at = port.published.as_ref().map_or(port.span, |t| t.span);
                    hit(at, low);
                }
            }
        });
        for hit in hits {
            let message = format!(
                "{} publishes host port {}, one of the privileged ports (below 1024) the host \
                 reserves for its own services: publish a port above 1023 and put a proxy in \
                 front if it must answer there",
                hit.services_phrase(),
                hit.item
            );
            cx.report(hit.span, message);
        }
    }
}

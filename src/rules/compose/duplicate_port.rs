//! `duplicate-port`: a service that publishes the same host port twice.

use crate::analysis::compose::{Published, per_value, published};
use crate::rules::prelude::*;

pub struct DuplicatePort;

/// Whether two entries ask the engine to bind the same host port: same protocol, overlapping
/// ports, and the same address (or one of them every address).
fn clash(a: &Published, b: &Published) -> Option<u32> {
    let ((a_low, a_high), (b_low, b_high)) = (a.ports?, b.ports?);
    if a.protocol != b.protocol || a_high < b_low || b_high < a_low {
        return None;
    }
    match (&a.host_ip, &b.host_ip) {
        (Some(x), Some(y)) if x != y => None,
        _ => Some(a_low.max(b_low)),
    }
}

impl Rule for DuplicatePort {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            let ports: Vec<_> = s
                .ports
                .iter()
                .filter_map(|p| Some((p, published(p)?)))
                .collect();
            for (i, (port, p)) in ports.iter().enumerate() {
                if let Some((first, number)) = ports[..i]
                    .iter()
                    .find_map(|(f, q)| Some((f, clash(q, p)?)))
                {
                    hit(port.span, (number, p.protocol.clone(), first.span));
                }
            }
        });
        for hit in hits {
            let (number, protocol, first) = &hit.item;
            let message = format!(
                "host port {number}/{protocol} is published twice by {}: the second bind fails \
                 and the container does not start; publish it once",
                hit.services_phrase()
            );
            cx.report(hit.span, message)
                .related
                .push(Related::new(*first, "first published here"));
        }
    }
}

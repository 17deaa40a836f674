//! `port-all-interfaces`: a policy: a published port bound to every interface of the host
//! (no host address, or `0.0.0.0`).

use crate::analysis::compose::{per_value, published};
use crate::rules::prelude::*;

pub struct PortAllInterfaces;

impl Rule for PortAllInterfaces {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for port in &s.ports {
                if published(port).is_some_and(|p| p.host_ip.is_none()) {
                    hit(port.span, ());
                }
            }
        });
        for hit in hits {
            let message = format!(
                "this port of {} is published on every interface of the host, reachable from \
                 any network it is on (Docker's rules go around the host's firewall): bind it \
                 to an address, e.g. `127.0.0.1:8080:80`",
                hit.services_phrase()
            );
            cx.report(hit.span, message);
        }
    }
}

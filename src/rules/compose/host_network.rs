//! `host-network`: a service that shares the host's network stack (`network_mode: host`).

use crate::analysis::compose::host_mode;
use crate::rules::prelude::*;

pub struct HostNetwork;

impl Rule for HostNetwork {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in host_mode(compose, |s| s.network_mode.as_ref()) {
            let message = format!("`network_mode: host` ({}) puts the container on the host's network stack: it can bind any host port, reach services listening on the host's loopback, and sniff host traffic with `NET_RAW`; publish the ports it needs instead", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

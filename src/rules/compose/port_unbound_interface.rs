//! `port-unbound-interface`: a published port without a host address, open on every interface.

use crate::analysis::compose_layout::key_site;
use crate::rules::prelude::*;

pub struct PortUnboundInterface;

impl Rule for PortUnboundInterface {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let Some(compose) = cx.compose() else { return };
        let yaml = &compose.yaml;
        for port in &service.ports {
            // An explicit address, `0.0.0.0` included, is a decision this rule leaves alone.
            if port.host_ip.as_ref().is_some_and(|ip| !ip.raw.is_empty()) {
                continue;
            }
            let written = port.short.as_ref().or(port.target.as_ref());
            let inherited = written.is_some_and(|t| t.origin.is_some());
            let site = if inherited {
                key_site(yaml, service, "ports").unwrap_or(port.span)
            } else {
                port.span
            };
            let shown = written.map_or("", |t| t.raw.as_str());
            let host = match &port.published {
                Some(p) => format!("host port {}", p.value),
                None => "a host port Docker picks".to_string(),
            };
            cx.report(
                site,
                format!(
                    "Port `{shown}` of service `{}` is published on {host} of every interface \
                     of the host (and Docker's rules bypass a host firewall such as ufw): bind \
                     it to the address it is meant for, e.g. `127.0.0.1:{}`",
                    service.name.value,
                    shown.trim_start_matches(':')
                ),
            );
        }
    }
}

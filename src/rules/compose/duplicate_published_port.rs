//! `duplicate-published-port`: one host port published twice in a file.

use crate::analysis::compose_layout::key_site;
use crate::model::compose::Port;
use crate::rules::prelude::*;

pub struct DuplicatePublishedPort;

/// Most host ports one entry's range may stand for (a port range is at most 65535 wide; the cap
/// bounds the work on a hostile `1-65535` in every service).
const MAX_RANGE: u32 = 65_536;

/// The host ports an entry publishes: `8080`, or each of `8000-8010`.
fn host_ports(port: &Port) -> Option<(u32, u32)> {
    let published = port.published.as_ref()?;
    let v = published.value.trim();
    let (lo, hi) = match v.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let p: u32 = v.parse().ok()?;
            (p, p)
        }
    };
    (lo > 0 && lo <= hi && hi - lo < MAX_RANGE).then_some((lo, hi))
}

/// The interface an entry binds: `None` for every interface.
fn interface(port: &Port) -> Option<&str> {
    let ip = port.host_ip.as_ref()?.value.trim();
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    (!matches!(ip, "" | "0.0.0.0" | "::")).then_some(ip)
}

fn protocol(port: &Port) -> String {
    port.protocol
        .as_ref()
        .map_or("tcp".into(), |p| p.value.to_ascii_lowercase())
}

struct Published<'a> {
    service: &'a Service,
    port: &'a Port,
    range: (u32, u32),
    site: Span,
}

impl Rule for DuplicatePublishedPort {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let mut seen: Vec<Published<'_>> = Vec::new();
            for service in &doc.services {
                for port in &service.ports {
                    let Some(range) = host_ports(port) else {
                        continue;
                    };
                    let inherited = port.published.as_ref().is_some_and(|p| p.origin.is_some());
                    let site = if inherited {
                        key_site(yaml, service, "ports").unwrap_or(port.span)
                    } else {
                        port.span
                    };
                    let clash = seen.iter().find(|o| {
                        o.range.0 <= range.1
                            && range.0 <= o.range.1
                            && protocol(o.port) == protocol(port)
                            && match (interface(o.port), interface(port)) {
                                (Some(a), Some(b)) => a == b,
                                _ => true,
                            }
                    });
                    if let Some(o) = clash {
                        let p = port.published.as_ref().map_or("", |t| t.value.as_str());
                        let message = format!(
                            "Host port `{p}` of service `{}` is already published by service `{}`: \
                             only one container can listen on a host port, so the second fails \
                             to start; publish another host port (or let Docker pick one by \
                             leaving it out)",
                            service.name.value, o.service.name.value
                        );
                        cx.report(site, message)
                            .related
                            .push(Related::new(o.site, "first published here"));
                    } else {
                        seen.push(Published {
                            service,
                            port,
                            range,
                            site,
                        });
                    }
                }
            }
        }
    }
}

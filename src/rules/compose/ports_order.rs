//! `ports-order`: a service's `ports` not in order of their host port.

use crate::analysis::compose_layout::{
    collate, key_text, sorted_positions, written_entries, written_pair, written_services,
};
use crate::rules::prelude::*;
use crate::syntax::compose::yaml::{NodeId, NodeKind, Yaml};

pub struct PortsOrder;

/// What an entry is sorted by, as dclint reads it: the host port of `[IP:]HOST:CONTAINER[/proto]`
/// (the container port when there is no host port), or `published` of the long syntax; an
/// alias is read as what it names.
fn sort_key(yaml: &Yaml, item: NodeId) -> String {
    match yaml.get(item).map(|n| &n.kind) {
        Some(NodeKind::Scalar { value, .. }) => {
            let text = yaml.str(*value);
            let spec = text.split('/').next().unwrap_or_default();
            let parts = split_outside_brackets(spec);
            let host_ip = parts.first().is_some_and(|p| looks_like_ip(p));
            let pick = if host_ip { parts.get(1) } else { parts.first() };
            pick.map(|s| s.to_string()).unwrap_or_default()
        }
        Some(NodeKind::Mapping(_)) => yaml
            .lookup(item, "published")
            .and_then(|e| yaml.scalar(e.value))
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// `a:b:c` split on colons, an IPv6 address in brackets kept whole (brackets removed).
fn split_outside_brackets(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
        .into_iter()
        .map(|p| p.trim_start_matches('[').trim_end_matches(']'))
        .collect()
}

fn looks_like_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

impl Rule for PortsOrder {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            for service in written_services(yaml, root) {
                let Some(ports) = written_pair(yaml, service.value, "ports") else {
                    continue;
                };
                let entries = written_entries(yaml, ports.value);
                if entries.iter().any(|e| e.key.is_some()) {
                    continue;
                }
                let keys: Vec<String> = entries.iter().map(|e| sort_key(yaml, e.value)).collect();
                let order = sorted_positions(keys.len(), |a, b| collate(&keys[a], &keys[b], true));
                if order.iter().enumerate().all(|(i, &o)| i == o) {
                    continue;
                }
                let Some(key) = ports.key.and_then(|k| yaml.node(k)) else {
                    continue;
                };
                let name = key_text(yaml, &service).unwrap_or_default();
                cx.report_out_of_order(
                    key.span,
                    format!(
                        "`ports` of service `{name}` are not in order of their host port: sort \
                         them, so a reader sees at a glance what the service publishes"
                    ),
                    ports.value,
                    &order,
                    "sort `ports`",
                );
            }
        }
    }
}

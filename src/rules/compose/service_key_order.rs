//! `service-key-order`: a service's keys not in the configured order.

use crate::analysis::compose_layout::{
    WrittenEntry, collate, key_text, sorted_in_place, written_entries, written_services,
};
use crate::rules::prelude::*;
use std::cmp::Ordering;

pub struct ServiceKeyOrder;

/// Where a key goes: its place in the configured order, else after every named key,
/// alphabetically; merge keys (`<<`) stay where they are written.
fn compare(order: &[String], a: &str, b: &str) -> Ordering {
    let place = |k: &str| order.iter().position(|o| o == k).unwrap_or(order.len());
    place(a)
        .cmp(&place(b))
        .then_with(|| collate(a, b, false))
}

impl Rule for ServiceKeyOrder {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        let wanted = cx.options.service_key_order.clone();
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            for service in written_services(yaml, root) {
                let entries: Vec<WrittenEntry> = written_entries(yaml, service.value);
                let keys: Vec<&str> = entries
                    .iter()
                    .map(|e| key_text(yaml, e).unwrap_or_default())
                    .collect();
                // Ordinary keys sorted among themselves; `<<` keeps its place.
                let slots: Vec<usize> = (0..keys.len()).filter(|&i| keys[i] != "<<").collect();
                let order = sorted_in_place(
                    keys.len(),
                    |i| keys[i] != "<<",
                    |a, b| compare(&wanted, keys[a], keys[b]),
                );
                let name = key_text(yaml, &service).unwrap_or_default();
                let mut fix_given = false;
                for pair in slots.windows(2) {
                    let (prev, this) = (keys[pair[0]], keys[pair[1]]);
                    if compare(&wanted, this, prev) != Ordering::Less {
                        continue;
                    }
                    let Some(key) = entries[pair[1]].key.and_then(|k| yaml.node(k)) else {
                        continue;
                    };
                    let message = format!(
                        "Key `{this}` of service `{name}` should come before `{prev}`: write a \
                         service's keys in one order (what runs, what it needs, its data, \
                         environment, network, how it runs, metadata, user), so a reader finds \
                         each where it is expected"
                    );
                    if fix_given {
                        cx.report(key.span, message);
                    } else {
                        fix_given = true;
                        cx.report_out_of_order(
                            key.span,
                            message,
                            service.value,
                            &order,
                            "put the service's keys in order",
                        );
                    }
                }
            }
        }
    }
}

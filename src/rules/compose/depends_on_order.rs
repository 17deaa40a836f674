//! `depends-on-order`: a service's `depends_on` not in alphabetical order.

use crate::analysis::compose_layout::{
    collate, key_text, sorted_positions, written_entries, written_pair, written_services,
};
use crate::rules::prelude::*;

pub struct DependsOnOrder;

impl Rule for DependsOnOrder {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            for service in written_services(yaml, root) {
                let Some(deps) = written_pair(yaml, service.value, "depends_on") else {
                    continue;
                };
                let entries = written_entries(yaml, deps.value);
                // A list names services; a mapping's keys do.
                let names: Vec<&str> = entries
                    .iter()
                    .map(|e| match e.key {
                        Some(_) => key_text(yaml, e).unwrap_or_default(),
                        None => yaml.scalar(e.value).unwrap_or_default(),
                    })
                    .collect();
                let order = sorted_positions(names.len(), |a, b| collate(names[a], names[b], false));
                if order.iter().enumerate().all(|(i, &o)| i == o) {
                    continue;
                }
                let Some(key) = deps.key.and_then(|k| yaml.node(k)) else {
                    continue;
                };
                let sorted: Vec<&str> = order.iter().map(|&i| names[i]).collect();
                let name = key_text(yaml, &service).unwrap_or_default();
                cx.report_out_of_order(
                    key.span,
                    format!(
                        "`depends_on` of service `{name}` is not in alphabetical order: write \
                         {}, so a reader finds a dependency at a glance",
                        sorted.join(", ")
                    ),
                    deps.value,
                    &order,
                    "sort `depends_on`",
                );
            }
        }
    }
}

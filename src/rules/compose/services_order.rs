//! `services-order`: services not in alphabetical order.

use crate::analysis::compose_layout::{
    collate, key_text, sorted_positions, written_pair, written_services,
};
use crate::rules::prelude::*;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;

pub struct ServicesOrder;

/// A name ordered as [`collate`] orders names (a total order: ties fall back to the bytes), so
/// the names written so far can be kept in a set and the next one after a name found in
/// O(log n): a file of ten thousand services is not ten thousand scans.
#[derive(PartialEq, Eq)]
struct Collated<'a>(&'a str);

impl Ord for Collated<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        collate(self.0, other.0, false)
    }
}

impl PartialOrd for Collated<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Rule for ServicesOrder {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            let Some(services) = written_pair(yaml, root, "services") else {
                continue;
            };
            let entries = written_services(yaml, root);
            let names: Vec<&str> = entries
                .iter()
                .map(|e| key_text(yaml, e).unwrap_or_default())
                .collect();
            let order = sorted_positions(names.len(), |a, b| collate(names[a], names[b], false));
            let mut fix_given = false;
            let mut earlier: BTreeSet<Collated<'_>> = BTreeSet::new();
            for (i, entry) in entries.iter().enumerate() {
                // The first service written earlier that should come after this one.
                let after = earlier
                    .range((Bound::Excluded(Collated(names[i])), Bound::Unbounded))
                    .next()
                    .map(|c| c.0);
                earlier.insert(Collated(names[i]));
                let Some(after) = after else {
                    continue;
                };
                let Some(key) = entry.key.and_then(|k| yaml.node(k)) else {
                    continue;
                };
                let message = format!(
                    "Service `{}` should come before `{after}`: keep services in alphabetical \
                     order, so a reader finds one at a glance",
                    names[i]
                );
                if fix_given {
                    cx.report(key.span, message);
                } else {
                    // One fix sorts them all: it goes with the first finding.
                    fix_given = true;
                    cx.report_out_of_order(key.span, message, services.value, &order, "sort the services");
                }
            }
        }
    }
}

//! `top-level-order`: the top-level keys not in the configured order.

use crate::analysis::compose_layout::{collate, key_text, sorted_in_place, written_entries};
use crate::rules::prelude::*;
use std::cmp::Ordering;

pub struct TopLevelOrder;

/// A key's place in `order` (`x-*` standing for every extension key); `None` for a key the
/// order does not name, which stays where it is written.
fn place(order: &[String], key: &str) -> Option<usize> {
    if key.starts_with("x-") {
        return order.iter().position(|o| o == "x-*" || o == key);
    }
    order.iter().position(|o| o == key)
}

fn compare(order: &[String], a: &str, b: &str) -> Ordering {
    place(order, a)
        .cmp(&place(order, b))
        .then_with(|| collate(a, b, false))
}

impl Rule for TopLevelOrder {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        let wanted = cx.options.top_level_order.clone();
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            let entries = written_entries(yaml, root);
            let keys: Vec<&str> = entries
                .iter()
                .map(|e| key_text(yaml, e).unwrap_or_default())
                .collect();
            let slots: Vec<usize> = (0..keys.len())
                .filter(|&i| place(&wanted, keys[i]).is_some())
                .collect();
            let order = sorted_in_place(
                keys.len(),
                |i| place(&wanted, keys[i]).is_some(),
                |a, b| compare(&wanted, keys[a], keys[b]),
            );
            let mut fix_given = false;
            let mut latest: Option<&str> = None;
            for &i in &slots {
                let this = keys[i];
                match latest {
                    Some(prev) if compare(&wanted, this, prev) == Ordering::Less => {
                        let Some(key) = entries[i].key.and_then(|k| yaml.node(k)) else {
                            continue;
                        };
                        let message = format!(
                            "Top-level key `{this}` should come before `{prev}`: write the \
                             top-level keys in the order {}, so every file of a project reads \
                             the same way",
                            wanted.join(", ")
                        );
                        if fix_given {
                            cx.report(key.span, message);
                        } else {
                            fix_given = true;
                            cx.report_out_of_order(
                                key.span,
                                message,
                                root,
                                &order,
                                "put the top-level keys in order",
                            );
                        }
                    }
                    _ => latest = Some(this),
                }
            }
        }
    }
}

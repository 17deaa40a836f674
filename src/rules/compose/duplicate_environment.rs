//! `duplicate-environment`: a variable set twice in one `environment:` list.

use crate::analysis::compose::{per_value, raw_span};
use crate::rules::prelude::*;

pub struct DuplicateEnvironment;

impl Rule for DuplicateEnvironment {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            // Mapping keys written twice are `duplicate-key`'s; list items are not keys.
            let list: Vec<_> = s.environment.iter().filter(|kv| kv.list_form).collect();
            for (i, kv) in list.iter().enumerate() {
                if let Some(first) = list[..i].iter().find(|f| f.key.value == kv.key.value) {
                    hit(raw_span(&kv.key), (kv.key.value.clone(), raw_span(&first.key)));
                }
            }
        });
        for hit in hits {
            let (name, first) = &hit.item;
            let message = format!(
                "`{name}` is set a second time in the environment of {}: only one value reaches \
                 the container, and which one is easy to misread (identical entries are \
                 refused); keep one",
                hit.services_phrase()
            );
            cx.report(hit.span, message)
                .related
                .push(Related::new(*first, "first set here"));
        }
    }
}

//! `label-not-rfc3339`: a label the schema declares `rfc3339` whose value is not an RFC 3339 date-time.

use crate::analysis::labels::{LabelFormat, labels, misformatted};
use crate::rules::prelude::*;

pub struct LabelNotRfc3339;

impl Rule for LabelNotRfc3339 {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if !schema.values().any(|f| *f == LabelFormat::Rfc3339) {
            return;
        }
        let all = labels(df);
        for (label, value) in misformatted(&all, schema, LabelFormat::Rfc3339) {
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is `{value}`, but the label schema wants a full RFC 3339 date-time with its zone (`2024-05-01T12:00:00Z`): tools \
                     reading it cannot sort and compare it",
                    label.key
                ),
            );
        }
    }
}

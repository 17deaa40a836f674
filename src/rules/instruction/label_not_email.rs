//! `label-not-email`: a label the schema declares `email` whose value is not an email address.

use crate::analysis::labels::{LabelFormat, labels, misformatted};
use crate::rules::prelude::*;

pub struct LabelNotEmail;

impl Rule for LabelNotEmail {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if !schema.values().any(|f| *f == LabelFormat::Email) {
            return;
        }
        let all = labels(df);
        for (label, value) in misformatted(&all, schema, LabelFormat::Email) {
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is `{value}`, but the label schema wants an email address (`team@example.com`): tools \
                     reading it cannot reach its owner",
                    label.key
                ),
            );
        }
    }
}

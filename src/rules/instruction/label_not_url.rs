//! `label-not-url`: a label the schema declares `url` whose value is not a URL.

use crate::analysis::labels::{LabelFormat, labels, misformatted};
use crate::rules::prelude::*;

pub struct LabelNotUrl;

impl Rule for LabelNotUrl {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if !schema.values().any(|f| *f == LabelFormat::Url) {
            return;
        }
        let all = labels(df);
        for (label, value) in misformatted(&all, schema, LabelFormat::Url) {
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is `{value}`, but the label schema wants an absolute URL with its scheme (`https://…`): tools \
                     reading it cannot link to it",
                    label.key
                ),
            );
        }
    }
}

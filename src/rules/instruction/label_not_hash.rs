//! `label-not-hash`: a label the schema declares `hash` whose value is not a Git commit hash.

use crate::analysis::labels::{LabelFormat, labels, misformatted};
use crate::rules::prelude::*;

pub struct LabelNotHash;

impl Rule for LabelNotHash {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if !schema.values().any(|f| *f == LabelFormat::Hash) {
            return;
        }
        let all = labels(df);
        for (label, value) in misformatted(&all, schema, LabelFormat::Hash) {
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is `{value}`, but the label schema wants a Git commit hash (7 to 40 hexadecimal digits): tools \
                     reading it cannot trace the image to its source",
                    label.key
                ),
            );
        }
    }
}

//! `label-empty`: a label the schema requires set to an empty value.

use crate::analysis::labels::labels;
use crate::rules::prelude::*;

pub struct LabelEmpty;

impl Rule for LabelEmpty {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        if cx.options.required_labels.is_empty() {
            return;
        }
        for label in labels(df) {
            if label.value.as_deref() != Some("")
                || !cx.options.required_labels.contains_key(&label.key)
            {
                continue;
            }
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is empty: the label schema requires it, and an empty value \
                     tells its readers nothing. Give it a value (or pass the build argument \
                     meant to fill it)",
                    label.key
                ),
            );
        }
    }
}

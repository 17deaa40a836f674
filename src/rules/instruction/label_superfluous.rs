//! `label-superfluous`: with strict labels, a label the schema does not list.

use crate::analysis::labels::labels;
use crate::rules::prelude::*;

pub struct LabelSuperfluous;

impl Rule for LabelSuperfluous {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        if !cx.options.strict_labels {
            return;
        }
        for label in labels(df) {
            if cx.options.required_labels.contains_key(&label.key) {
                continue;
            }
            cx.report(
                label.key_span,
                format!(
                    "Label `{}` is not in the label schema, and strict labels allow no other: \
                     remove it, fix its name, or add it to `required-labels`",
                    label.key
                ),
            );
        }
    }
}

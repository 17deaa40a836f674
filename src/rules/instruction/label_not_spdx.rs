//! `label-not-spdx`: a label the schema declares `spdx` whose value is not an SPDX license expression.

use crate::analysis::labels::{LabelFormat, labels, misformatted};
use crate::rules::prelude::*;

pub struct LabelNotSpdx;

impl Rule for LabelNotSpdx {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if !schema.values().any(|f| *f == LabelFormat::Spdx) {
            return;
        }
        let all = labels(df);
        for (label, value) in misformatted(&all, schema, LabelFormat::Spdx) {
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is `{value}`, but the label schema wants an SPDX license identifier or expression (`Apache-2.0`, `MIT OR Apache-2.0`): tools \
                     reading it cannot match it against a license policy",
                    label.key
                ),
            );
        }
    }
}

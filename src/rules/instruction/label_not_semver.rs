//! `label-not-semver`: a label the schema declares `semver` whose value is not a semantic version.

use crate::analysis::labels::{LabelFormat, labels, misformatted};
use crate::rules::prelude::*;

pub struct LabelNotSemver;

impl Rule for LabelNotSemver {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if !schema.values().any(|f| *f == LabelFormat::Semver) {
            return;
        }
        let all = labels(df);
        for (label, value) in misformatted(&all, schema, LabelFormat::Semver) {
            cx.report(
                label.value_span,
                format!(
                    "Label `{}` is `{value}`, but the label schema wants a semantic version (`1.4.2`, `2.0.0-rc.1`), without a leading `v`: tools \
                     reading it cannot order and compare it",
                    label.key
                ),
            );
        }
    }
}

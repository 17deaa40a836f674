//! `label-missing`: the final image lacks a label the schema requires.

use crate::analysis::labels::{labels, stage_keys};
use crate::rules::prelude::*;

pub struct LabelMissing;

impl Rule for LabelMissing {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let schema = &cx.options.required_labels;
        if schema.is_empty() {
            return;
        }
        let Some(stage) = df.final_stage() else { return };
        let Some(from) = df.instrs.get(stage.from) else { return };
        let all = labels(df);
        let present = stage_keys(df, stage, &all);
        for (key, format) in schema {
            if present.contains(&key.as_str()) {
                continue;
            }
            cx.report(
                from.keyword_span,
                format!(
                    "The image this stage builds has no label `{key}`, which the label schema \
                     requires ({}): add `LABEL {key}=…`",
                    format.as_str()
                ),
            );
        }
    }
}

//! `too-many-layers`: the final image gets more layers from this file (`RUN`, `COPY`, `ADD`)
//! than `max-layers` allows.

use crate::analysis::stages::final_image_stages;
use crate::model::dockerfile::{Dockerfile, InstructionKind};
use crate::rules::prelude::*;

pub struct TooManyLayers;

impl Rule for TooManyLayers {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let Some(max) = cx.options.policy.max_layers else {
            return;
        };
        // The stages the final image is made of, base first, so layers count in build order.
        let mut stages = final_image_stages(df);
        stages.reverse();
        let layers: Vec<Span> = stages
            .iter()
            .filter_map(|i| df.stages.get(*i))
            .flat_map(|s| df.instrs.get(s.instrs.clone()).unwrap_or_default())
            .filter(|i| {
                matches!(
                    i.kind,
                    InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
                )
            })
            .map(|i| i.keyword_span)
            .collect();
        if let Some(span) = layers.get(max) {
            cx.report(
                *span,
                format!(
                    "the final image gets {} layers from this file and `max-layers` allows {max}: this is layer {}; join RUN instructions with `&&`, or copy in one COPY",
                    layers.len(),
                    max + 1
                ),
            );
        }
    }
}

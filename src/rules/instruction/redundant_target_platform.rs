//! `redundant-target-platform`: `FROM --platform=$TARGETPLATFORM` (BuildKit's
//! RedundantTargetPlatform).

use crate::rules::prelude::*;

pub struct RedundantTargetPlatform;

impl Rule for RedundantTargetPlatform {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(flag) = cx.from_parts(at).and_then(|f| f.platform) else {
            return;
        };
        let Some(value) = flag.value.as_deref() else {
            return;
        };
        if !value.contains('$') {
            return;
        }
        let globals = cx.analysis().global_args();
        let (Ok(result), uses) = globals.expand(value) else {
            return;
        };
        // As BuildKit judges it: TARGETPLATFORM is the only variable, and the value is exactly
        // its value.
        let target = globals.env.get("TARGETPLATFORM");
        if uses.referenced != ["TARGETPLATFORM"] || !uses.unset.is_empty() || target != Some(&result)
        {
            return;
        }
        let text = cx.text();
        // The flag and the blanks after it.
        let after = text
            .get(flag.span.end as usize..)
            .map_or(0, |r| r.len() - r.trim_start_matches([' ', '\t']).len());
        let finding = cx.report(
            flag.span,
            format!(
                "`--platform={value}` is redundant: a stage is built for the target platform unless told otherwise; remove it (or use `$BUILDPLATFORM` for a stage that cross-compiles)"
            ),
        );
        finding.fix = Some(Fix {
            description: "remove `--platform`".to_string(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::delete(Span::new(
                flag.span.start as usize,
                flag.span.end as usize + after,
            ))],
        });
    }
}

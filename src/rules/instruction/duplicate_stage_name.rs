//! `duplicate-stage-name`: a stage name used twice (BuildKit's DuplicateStageName, hadolint's
//! DL3024).

use crate::rules::prelude::*;

pub struct DuplicateStageName;

impl Rule for DuplicateStageName {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        let mut seen: Vec<(String, Span)> = Vec::new();
        for ins in &tree.instructions {
            let Some(name) = ins.from().and_then(|f| f.stage_name) else {
                continue;
            };
            let lower = name.value.to_lowercase();
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == lower) {
                let line = cx.file.line_col(first.start as usize).line;
                let first = *first;
                cx.report(
                    name.span,
                    format!(
                        "`{lower}` already names the stage on line {line}: of two stages with one name, `COPY --from={lower}` takes the last and a `FROM {lower}` the one before it; give each stage its own name"
                    ),
                )
                .related
                .push(Related::new(first, "first named here"));
            } else {
                seen.push((lower, name.span));
            }
        }
    }
}

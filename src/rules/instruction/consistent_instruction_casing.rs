//! `consistent-instruction-casing`: an instruction whose name is not in the case of the file's
//! majority (BuildKit's ConsistentInstructionCasing).

use crate::rules::prelude::*;

pub struct ConsistentInstructionCasing;

impl Rule for ConsistentInstructionCasing {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        let text = cx.text();
        // BuildKit counts the instructions of the stages: from the first FROM on, ONBUILD's
        // inner instruction and unknown instructions (a parse error) aside.
        let Some(first_from) = tree
            .instructions
            .iter()
            .position(|i| i.kind == InstructionKind::From)
        else {
            return;
        };
        let counted = || {
            tree.instructions
                .iter()
                .skip(first_from)
                .filter(|i| i.kind != InstructionKind::Unknown)
        };
        let (mut lower, mut upper) = (0usize, 0usize);
        for ins in counted() {
            let name = ins.keyword.text(text);
            if !name.chars().any(char::is_uppercase) {
                lower += 1;
            } else if !name.chars().any(char::is_lowercase) {
                upper += 1;
            }
        }
        let majority_lower = lower > upper;
        for ins in counted() {
            let name = ins.keyword.text(text);
            let consistent = if majority_lower {
                !name.chars().any(char::is_uppercase)
            } else {
                !name.chars().any(char::is_lowercase)
            };
            if consistent {
                continue;
            }
            let wanted = if majority_lower {
                name.to_lowercase()
            } else {
                name.to_uppercase()
            };
            let case = if majority_lower { "lower" } else { "upper" };
            let finding = cx.report(
                ins.keyword,
                format!("`{name}` is not in the case of the file's other instructions ({case} case): write `{wanted}`"),
            );
            finding.fix = Some(Fix {
                description: format!("write `{wanted}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit::replace(ins.keyword, wanted)],
            });
        }
    }
}

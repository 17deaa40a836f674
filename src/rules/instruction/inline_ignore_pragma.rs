//! `inline-ignore-pragma`: comments that suppress checks for the next instruction.

use crate::rules::prelude::*;

pub struct InlineIgnorePragma;

impl Rule for InlineIgnorePragma {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        for comment in &tree.comments {
            let Some(tool) = ["hadolint", "plimsoll"]
                .into_iter()
                .find(|tool| is_instruction_pragma(&comment.text, tool))
            else {
                continue;
            };
            cx.report(
                comment.span,
                format!(
                    "An inline `# {tool} ignore=` hides a finding where no review of the \
                     configuration sees it: list the exception in the configuration's `ignore` \
                     or `[[overrides]]` instead"
                ),
            );
        }
    }
}

/// `<tool> ignore=…` (not `<tool> global ignore=` or `<tool> ignore-file=`).
fn is_instruction_pragma(text: &str, tool: &str) -> bool {
    text.strip_prefix(tool)
        .filter(|rest| rest.starts_with([' ', '\t']))
        .is_some_and(|rest| rest.trim_start().starts_with("ignore="))
}

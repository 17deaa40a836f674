//! `platform-not-allowed`: a `FROM --platform` value outside `allowed-platforms`.

use crate::rules::prelude::*;

pub struct PlatformNotAllowed;

impl Rule for PlatformNotAllowed {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let allowed = &cx.options.policy.allowed_platforms;
        if allowed.is_empty() {
            return;
        }
        let Some(value) = at
            .instr
            .flags
            .iter()
            .find(|f| f.name == "platform")
            .and_then(|f| f.value.as_ref())
        else {
            return;
        };
        // Compared as written: `$BUILDPLATFORM` and `linux/amd64` are different choices.
        if allowed.iter().any(|a| a == &value.text) {
            return;
        }
        let message = format!(
            "`--platform={}` is not among the allowed platforms ({}): use one of them",
            value.text,
            allowed.join(", ")
        );
        cx.report(value.span, message);
    }
}

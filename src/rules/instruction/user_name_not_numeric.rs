//! `user-name-not-numeric`: `USER` given a name instead of a numeric UID.

use crate::analysis::variables::expand_at;
use crate::rules::prelude::*;

pub struct UserNameNotNumeric;

impl Rule for UserNameNotNumeric {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::User]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        let Some(arg) = at.instr.args.first() else { return };
        // Inside ONBUILD the variables are the downstream build's: only a literal counts.
        let value = if at.onbuild {
            (!arg.text.contains('$')).then(|| arg.text.clone())
        } else {
            expand_at(df, at.index, &arg.text)
        };
        let Some(value) = value else { return };
        let user = value.split(':').next().unwrap_or("").trim();
        if user.is_empty() || user.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        cx.report(
            arg.span,
            format!(
                "`USER {value}` names a user the host and Kubernetes cannot look up: they see no \
                 UID, so `runAsNonRoot` refuses the image and nobody outside can tell it is not \
                 root. Write the numeric UID (`USER 10001`)"
            ),
        );
    }
}

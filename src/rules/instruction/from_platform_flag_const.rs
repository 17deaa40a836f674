//! `from-platform-flag-const`: `FROM --platform=<constant>` (BuildKit's
//! FromPlatformFlagConstDisallowed).

use crate::rules::prelude::*;
use crate::syntax::platform::Platform;

pub struct FromPlatformFlagConst;

impl Rule for FromPlatformFlagConst {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(from) = cx.from_parts(at) else { return };
        let Some((value, span)) = from.platform_value() else {
            return;
        };
        if cx.analysis().global_args().has_expansion(value) {
            return;
        }
        // A value BuildKit cannot read fails the build later; that is not this rule's finding.
        let Ok(platform) = Platform::parse(value) else {
            return;
        };
        let stage = from
            .stage_name
            .map(|n| n.value.to_lowercase())
            .unwrap_or_default();
        if stage.contains(&platform.os) || stage.contains(&platform.architecture) {
            return;
        }
        cx.report(
            span,
            format!(
                "`--platform={value}` fixes this stage's platform whatever the build targets: use `$BUILDPLATFORM` (build tools) or `$TARGETPLATFORM` (the default), or name the stage after the platform"
            ),
        );
    }
}

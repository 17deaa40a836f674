//! `expose-invalid-format`: `EXPOSE` with a host address or port (BuildKit's
//! ExposeInvalidFormat).

use crate::rules::prelude::*;

pub struct ExposeInvalidFormat;

impl Rule for ExposeInvalidFormat {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Expose]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild {
            return;
        }
        for word in cx.analysis().dispatch().words_of(at.index) {
            let Some(port) = word.value.as_deref() else {
                continue;
            };
            // BuildKit splits on `:`: one part is the container port, more name a host port and
            // address.
            let Some(last) = port.rfind(':') else {
                continue;
            };
            let container = port.get(last + 1..).unwrap_or("");
            cx.report(
                word.span,
                format!(
                    "`EXPOSE {port}` names a host address or port, which EXPOSE ignores (it does not publish ports): write `EXPOSE {container}` and publish with `docker run -p` or compose `ports:`"
                ),
            );
        }
    }
}

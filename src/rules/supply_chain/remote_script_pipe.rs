//! `remote-script-pipe`: a script downloaded and run in one go (`curl … | sh`,
//! `wget -O- … | bash`, `sh -c "$(curl …)"`, `bash <(curl …)`), so nothing checks what runs.
//! The pipelines are read by [`crate::analysis::download::remote_scripts`].

use crate::analysis::download::remote_scripts;
use crate::rules::prelude::*;

pub struct RemoteScriptPipe;

impl Rule for RemoteScriptPipe {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for r in remote_scripts(cx.commands(at)) {
            let runner = r.runner.name().unwrap_or("a shell");
            let from = r
                .url
                .as_deref()
                .map_or(String::new(), |u| format!(" from `{u}`"));
            let how = match r.how {
                "|" => format!("is piped into `{runner}`"),
                other => format!("is run by `{runner}` through `{other}`"),
            };
            let runner_span = r
                .runner
                .name_word()
                .map_or(r.runner.span, |w| w.span);
            cx.report(
                r.span,
                format!(
                    "what `{}` downloads{from} {how}: the script runs as the server sends it, \
                     unchecked, so whoever controls that server (or the URL tomorrow) decides what \
                     runs in the build; download it to a file, verify it (`sha256sum -c`, a \
                     signature), then run the file",
                    r.download.tool.as_str()
                ),
            )
            .related
            .push(Related::new(runner_span, "runs the downloaded script"));
        }
    }
}

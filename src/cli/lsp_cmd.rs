//! `plimsoll lsp`: the language server over stdio.

use super::{ExitStatus, LspArgs};
use crate::file_settings::SettingsOptions;

/// Exit code 0 after `shutdown` then `exit`; 1 when the client exits or disconnects without
/// shutting down first, as the protocol specifies.
pub fn run(args: LspArgs) -> ExitStatus {
    let settings = SettingsOptions {
        config: args.config,
        isolated: args.isolated,
        policies: args.policies,
        ..SettingsOptions::default()
    };
    if crate::lsp::run_stdio(settings) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

//! `plimsoll lsp`: the language server over stdio.

use super::ExitStatus;

/// Exit code 0 after `shutdown` then `exit`; 1 when the client exits or disconnects without
/// shutting down first, as the protocol specifies.
pub fn run() -> ExitStatus {
    if crate::lsp::run_stdio() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

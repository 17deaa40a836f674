//! `plimsoll` subcommand (under construction).

use super::ExitStatus;

pub fn ast(_args: super::DebugAstArgs) -> ExitStatus {
    super::fail("this command is not built yet")
}

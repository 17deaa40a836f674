//! `plimsoll` subcommand (under construction).

use super::ExitStatus;

pub fn run(_args: super::CheckArgs) -> ExitStatus {
    super::fail("this command is not built yet")
}

pub fn init(_args: super::InitArgs) -> ExitStatus {
    super::fail("this command is not built yet")
}

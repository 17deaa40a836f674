//! `plimsoll` subcommand (under construction).

use super::ExitStatus;

pub fn run(_args: super::PinArgs) -> ExitStatus {
    super::fail("this command is not built yet")
}

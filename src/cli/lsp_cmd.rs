//! `plimsoll` subcommand (under construction).

use super::ExitStatus;

pub fn run() -> ExitStatus {
    super::fail("this command is not built yet")
}

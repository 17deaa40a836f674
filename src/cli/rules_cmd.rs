//! `plimsoll` subcommand (under construction).

use super::ExitStatus;

pub fn rules(_args: super::RulesArgs) -> ExitStatus {
    super::fail("this command is not built yet")
}

pub fn explain(_args: super::ExplainArgs) -> ExitStatus {
    super::fail("this command is not built yet")
}

//! `plimsoll init`: writes a commented `plimsoll.toml` in the current directory.

use super::{ExitStatus, InitArgs};
use crate::config;
use std::path::Path;

pub fn run(args: InitArgs) -> ExitStatus {
    let path = Path::new(config::CONFIG_NAMES[0]);
    if !args.force
        && let Some(existing) = config::CONFIG_NAMES
            .iter()
            .map(Path::new)
            .find(|p| p.exists())
    {
        return super::fail(format!(
            "{} already exists (use --force to overwrite it)",
            existing.display()
        ));
    }
    match crate::fsio::write_output(path, config::INIT_TEMPLATE.as_bytes()) {
        Ok(()) => {
            eprintln!("plimsoll: wrote {}", path.display());
            ExitStatus::Success
        }
        Err(e) => super::fail(format!("{}: {e}", path.display())),
    }
}

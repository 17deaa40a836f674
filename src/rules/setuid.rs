//! The setuid family (PL4xx). Owned by the secrets branch: list each rule in `RULES`.

use super::Rule;

pub mod bit;
pub mod command;
pub mod mode;
pub mod strip;

/// The family's rules, registered by [`super::builtin`].
pub static RULES: &[&dyn Rule] = &[&bit::SetuidBit, &strip::SetuidStrip];

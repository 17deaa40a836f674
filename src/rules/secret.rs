//! The secret family (PL5xx): credentials baked into Dockerfiles and compose files.
//!
//! Detection (names, values, token formats, the allow-list) lives in the submodules and knows
//! nothing of syntax trees; the rules feed it the text they find.

use super::Rule;

pub mod allowlist;
pub mod build_arg;
pub mod command;
pub mod detect;
pub mod file_copy;
pub mod files;
pub mod in_command;
pub mod names;
pub mod token;
pub mod url;
pub mod variable;

/// The family's rules, registered by [`super::builtin`].
pub static RULES: &[&dyn Rule] = &[
    &variable::SecretInVariable,
    &build_arg::SecretBuildArg,
    &token::SecretToken,
    &file_copy::SecretFileCopy,
    &url::SecretInUrl,
    &in_command::SecretInCommand,
];

//! plimsoll: a linter and policy engine for Dockerfiles and Docker Compose files.
//!
//! Data flows one way: bytes -> [`syntax`] -> [`model`] -> [`rules`] -> [`finding`]s ->
//! [`report`] | [`fix`] | [`lsp`]. A lower layer never imports a higher one. [`lint::lint_file`]
//! lints one file (rules, then suppressions) for the CLI and the language server alike.

pub mod cli;
pub mod config;
pub mod discover;
pub mod finding;
pub mod fix;
pub mod lint;
pub mod lsp;
pub mod model;
pub mod registry;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod syntax;

#[cfg(test)]
pub(crate) mod test_support;

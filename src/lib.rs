//! plimsoll: a linter and policy engine for Dockerfiles and Docker Compose files.
//!
//! Data flows one way: bytes -> [`syntax`] -> [`model`] -> [`analysis`] -> [`rules`] ->
//! [`finding`]s -> [`report`] | [`fix`] | [`lsp`]. A lower layer never imports a higher one. [`lint::lint_file`]
//! lints one file (rules, then suppressions) for the CLI and the language server alike.

/// Linting allocates many small, short-lived values (words, keys, findings) across threads;
/// mimalloc serves them markedly faster than the system allocator (measured in `benches/`).
/// Declared here so the binary, the benches and the tests all run on the allocator users get.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: allocator::Mimalloc = allocator::Mimalloc;

#[cfg(feature = "mimalloc")]
mod allocator;

pub mod analysis;
pub mod cli;
pub mod config;
pub mod discover;
pub mod external;
pub mod fetch;
pub mod file_settings;
pub mod finding;
pub mod fix;
pub mod fsio;
pub mod git_index;
pub mod lint;
pub mod lsp;
pub mod model;
pub mod output_format;
pub mod policy;
pub mod registry;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod syntax;

#[cfg(test)]
pub(crate) mod test_support;

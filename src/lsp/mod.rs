//! The language server (`plimsoll lsp`): diagnostics, quick fixes and hovers for Dockerfiles and
//! compose files, over stdio.
//!
//! Built on `lsp-server` (rust-analyzer's crate, also what ruff's server uses) rather than
//! `tower-lsp-server`: the work here is CPU-bound linting of one file at a time, which needs no
//! async runtime. A synchronous message loop on the main thread owns all state; linting, hovers
//! and digest lookups run on a small worker pool and report back over a channel, so ordering,
//! debouncing, cancellation and dropping stale results are explicit code in one place
//! ([`server`]) rather than properties of an executor.
//!
//! Layout: [`transport`] frames JSON-RPC on stdio and survives garbage; [`server`] is the loop;
//! [`document`] keeps open texts in step with incremental edits; [`convert`] turns byte spans into
//! UTF-16 positions (only here); [`actions`] and [`hover`] build code actions and hovers;
//! [`backend`] is the single point of contact with the engine, configuration and registry.

pub mod actions;
pub mod backend;
pub mod convert;
pub mod document;
pub mod hover;
pub mod server;
pub mod transport;

pub use server::{Options, run, run_with_settings};

/// Serves over stdin/stdout until `exit`, with the settings `plimsoll lsp` was given. True when
/// the client shut down cleanly first.
pub fn run_stdio(settings: crate::file_settings::SettingsOptions) -> bool {
    let (conn, io) = transport::stdio();
    let clean = run_with_settings(&conn, Options::default(), settings);
    drop(conn);
    io.join();
    clean
}

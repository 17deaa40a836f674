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
//! [`seam`] is the single point of contact with the engine, configuration and registry.

pub mod actions;
pub mod convert;
pub mod document;
pub mod hover;
pub mod seam;
pub mod server;
pub mod transport;

pub use server::{Options, run};

/// Serves over stdin/stdout until `exit`. True when the client shut down cleanly first.
pub fn run_stdio() -> bool {
    let (conn, io) = transport::stdio();
    let clean = run(&conn, Options::default());
    drop(conn);
    io.join();
    clean
}

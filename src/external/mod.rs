//! External programs plimsoll runs for some rules (ShellCheck), and what running them safely
//! takes: a deadline and an output cap for each process ([`process`]), and a content-addressed
//! cache of their answers shared by every run on the machine ([`cache`]).
//!
//! Below the rules in the one-way flow, beside the analyses: this module knows programs,
//! scripts and their answers, nothing of rules, findings or Dockerfiles.

pub mod cache;
pub mod process;
pub mod shellcheck;

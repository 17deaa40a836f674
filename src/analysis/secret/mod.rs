//! Secrets: credentials in text (known token formats, URL credentials, random-looking values
//! assigned to secret-looking names), the vocabulary of names that hold secrets and values that
//! are placeholders, credential files, passwords on command lines, and the user's allow-list.
//!
//! Knows nothing of syntax trees: callers feed it the text and words they find.

pub mod allowlist;
pub mod command_line;
pub mod detect;
pub mod files;
pub mod names;

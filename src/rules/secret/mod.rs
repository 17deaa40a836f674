//! The `secret` family: credentials baked into Dockerfiles and compose files.
//!
//! Detection (names, values, token formats, the allow-list) lives here and knows nothing of
//! syntax trees; the rules feed it the text they find.

pub mod allowlist;
pub mod detect;
pub mod names;

//! Syntax: bytes to trees that keep exact source spans. Knows nothing of rules or output.

pub mod compose;
pub mod dockerfile;
pub mod dockerignore;
pub mod expand;
pub mod image_ref;
pub mod platform;
pub mod shell;
pub mod suggest;

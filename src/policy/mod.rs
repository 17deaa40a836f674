//! Rego policies: an organisation's own rules, evaluated in-process by `regorus` after the
//! built-in rules (their input carries the built-in findings).
//!
//! - [`load`]: reading `.rego` files and compiling them once per run ([`Policies`]).
//! - [`input`] and [`conftest`]: the two input documents (plimsoll's own, and exactly the one
//!   conftest builds).
//! - [`evaluate`]: one file against every loaded policy set, results turned into findings that
//!   point at the token a result names.
//! - [`testing`]: `plimsoll policy test`, the `test_*` rules of the policies.

mod check;
pub mod conftest;
mod eval;
pub mod input;
pub mod load;
pub mod testing;

pub use eval::{evaluate, input_document};
pub use load::{InputFormat, Policies, PolicyError, PolicySpec};

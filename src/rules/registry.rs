//! The generated part of the catalog: the families table, [`RuleId`] and the static `RULES`,
//! written by `build.rs` from `rules/families.toml` and the rule pages (see
//! [`super::catalog`]).

use super::catalog::{Category, Family, Lifecycle, RuleMeta};
use crate::finding::Severity;
use crate::source::FileKind;

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

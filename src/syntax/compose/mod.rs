//! Compose syntax: YAML events (saphyr-parser) to a spanned YAML tree ([`yaml`]), `.env` files
//! ([`dotenv`]) and `${VAR}` interpolation ([`interpolate`]). The typed service model built on
//! these lives in [`crate::model::compose`].

pub mod dotenv;
pub mod interpolate;
mod lenient;
pub mod subset_reader;
pub mod yaml;

pub use yaml::{
    Entry, MergeSource, Node, NodeId, NodeKind, ScalarStyle, Yaml, YamlError, YamlErrorKind,
};

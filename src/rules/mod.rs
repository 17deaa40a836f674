//! Rules: the catalog, the engine that runs them, and the rules themselves.
//!
//! The layout is the registry. A rule is a page `rules/<family>/<name>.md` (its metadata and
//! documentation, with examples that are its tests) and a file
//! `src/rules/<module>/<name_in_snake_case>.rs` holding `pub struct <NameInCamelCase>;` and its
//! [`Rule`] implementation. `build.rs` pairs them and generates the module declarations, the
//! typed id [`RuleId`] and the catalog; there is no list to edit. Families and their code ranges
//! are the table `rules/families.toml`. `CONTRIBUTING.md` walks through adding a rule.
//!
//! Rules are thin queries: what they need to know about a file (image uses, the commands each
//! RUN runs, package-manager operations, secrets) is computed once per file, on first use, by
//! [`crate::analysis`], and reached through the [`Context`].

pub mod buildkit;
pub mod catalog;
pub mod context;
pub mod dclint;
pub mod dynamic;
pub mod engine;
mod registry;
pub mod settings;

// The rule files, by family (generated: `pub mod <family> { pub mod <rule>; … }`).
include!(concat!(env!("OUT_DIR"), "/rule_modules.rs"));

pub use catalog::{Category, Family, Lifecycle, RuleId, RuleMeta, all, by_code, lookup, resolve};
pub use context::{Context, InstructionAt};
pub use engine::{StatementRanges, lint_files, lint_source};

use crate::model::compose::{ComposeFile, Service};
use crate::model::dockerfile::Dockerfile;
use crate::syntax::dockerfile::InstructionKind;

/// A lint rule: a stateless unit struct shared by every thread.
///
/// The engine walks each file once and calls the entry points below, each wrapped so that a
/// panicking rule becomes an `internal-error` finding for that file alone. Only the entry points
/// of the file kinds the rule's page lists are called, and only when the rule is enabled. Every
/// method has an empty default: a rule implements the ones it needs.
pub trait Rule: Send + Sync + 'static {
    /// The instruction kinds [`Rule::check_instruction`] is called for.
    fn instructions(&self) -> &'static [InstructionKind] {
        &[]
    }

    /// Called for every instruction of a kind in [`Rule::instructions`], in file order,
    /// including the instruction an `ONBUILD` wraps (see [`InstructionAt::onbuild`]).
    fn check_instruction(&self, _cx: &mut Context<'_>, _at: &InstructionAt<'_>) {}

    /// Called once per Dockerfile after its instructions, for judgements about the whole file
    /// (the final stage's user, pairs of RUN instructions).
    fn check_dockerfile(&self, _cx: &mut Context<'_>, _df: &Dockerfile) {}

    /// The keys of a compose service (`privileged`, `ports`, …) or of the top level
    /// (`version`, `services`, …) [`Rule::check_compose_key`] is called for.
    fn compose_keys(&self) -> &'static [ComposeKey] {
        &[]
    }

    /// Called for every key of [`Rule::compose_keys`] as it is written in the file (before
    /// merge keys and `extends` are applied), with the service it belongs to.
    fn check_compose_key(&self, _cx: &mut Context<'_>, _at: &context::ComposeKeyAt<'_>) {}

    /// Called for every service of a compose file, as compose sees it (anchors, merge keys,
    /// `extends` and interpolation applied).
    fn check_service(&self, _cx: &mut Context<'_>, _service: &Service) {}

    /// Called once per compose file after its services.
    fn check_compose(&self, _cx: &mut Context<'_>, _compose: &ComposeFile) {}

    /// Called once per file of either kind (after the entry points above), for rules that judge
    /// Dockerfiles and compose files alike through an analysis (image uses, secrets in text).
    fn check_file(&self, _cx: &mut Context<'_>) {}
}

/// A compose key a rule subscribes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComposeKey {
    /// A key of the document's top-level mapping (`version`, `name`, `services`, …).
    TopLevel(&'static str),
    /// A key of a service's mapping (`image`, `privileged`, `ports`, …).
    Service(&'static str),
}

/// What a rule file needs, in one import: `use crate::rules::prelude::*;`.
pub mod prelude {
    pub use super::context::{ComposeKeyAt, Context, InstructionAt};
    pub use super::{ComposeKey, Rule};
    pub use crate::finding::{Applicability, Edit, Fix, Related, Severity};
    pub use crate::model::compose::{ComposeFile, Service};
    pub use crate::model::dockerfile::{Dockerfile, Instr};
    pub use crate::source::Span;
    pub use crate::syntax::dockerfile::InstructionKind;
}

//! Rules: the catalog, the engine that runs every rule over every parsed file, and the rules.
//!
//! A rule is a unit struct implementing [`Rule`] in a file of its own. Its metadata (code, name,
//! severity, file kinds, aliases, whether it is on by default) and its documentation live in its
//! catalog page `rules/<name>.md`, which the rule embeds with `include_str!` through
//! [`Rule::doc`]; see `rules/README.md` for the page format.
//!
//! Adding a rule: write `src/rules/<name>.rs` and `rules/<name>.md`, then list it in [`builtin`]
//! (or, for the setuid and secret families, in `setuid::RULES` / `secret::RULES`).
//!
//! Code ranges: PL0xx syntax and internal, PL1xx image references, PL2xx user, PL3xx layers,
//! PL4xx setuid, PL5xx secrets.

pub mod catalog;
pub mod context;
pub mod engine;
pub mod front_matter;
pub mod images;
pub mod settings;

pub mod latest_tag;
pub mod latest_tag_implicit;
pub mod maintainer_deprecated;
pub mod packages;
pub mod root_user;
pub mod root_user_implicit;
pub mod secret;
pub mod setuid;
pub mod split_run;
pub mod split_run_cleanup;
pub mod split_run_update;
pub mod syntax_errors;
pub mod unpinned_digest;
pub mod unpinned_digest_malformed;

pub use catalog::{RuleMeta, all, by_code, lookup, resolve};
pub use context::Context;
pub use engine::{FileKindSet, StatementRanges, lint_files, lint_source};

/// A lint rule. Implementations are stateless unit structs shared by every thread.
pub trait Rule: Send + Sync + 'static {
    /// The rule's catalog page: `include_str!("../../rules/<name>.md")`. Its front matter is the
    /// single source of the rule's metadata.
    fn doc(&self) -> &'static str;

    /// Inspects one parsed file and reports findings through [`Context::report`]. Called only for
    /// files of the kinds the rule's page lists, and only when the rule is enabled.
    fn check(&self, cx: &mut Context<'_>);
}

/// Every rule plimsoll knows, in no particular order (the catalog sorts them by code).
pub fn builtin() -> Vec<&'static dyn Rule> {
    let mut rules: Vec<&'static dyn Rule> = vec![
        &syntax_errors::DockerfileSyntax,
        &syntax_errors::YamlSyntax,
        &syntax_errors::ComposeSchema,
        &syntax_errors::DuplicateKey,
        &syntax_errors::ComposeInterpolation,
        &syntax_errors::ComposeUnsetVariable,
        &syntax_errors::ComposeExtends,
        &syntax_errors::InputLimit,
        &syntax_errors::InternalError,
        &maintainer_deprecated::MaintainerDeprecated,
        &latest_tag::LatestTag,
        &latest_tag_implicit::LatestTagImplicit,
        &unpinned_digest::UnpinnedDigest,
        &unpinned_digest_malformed::UnpinnedDigestMalformed,
        &root_user::RootUser,
        &root_user_implicit::RootUserImplicit,
        &split_run::SplitRun,
        &split_run_update::SplitRunUpdate,
        &split_run_cleanup::SplitRunCleanup,
    ];
    rules.extend_from_slice(setuid::RULES);
    rules.extend_from_slice(secret::RULES);
    rules
}

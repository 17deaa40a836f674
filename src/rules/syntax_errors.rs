//! Rules the engine itself reports: parse errors, compose diagnostics and internal errors. They
//! have catalog pages (so they can be selected, ignored and explained) but no check of their
//! own: the parsers produce them once per file.

use super::{Context, Rule};

macro_rules! engine_rule {
    ($ty:ident, $page:literal) => {
        pub struct $ty;

        impl Rule for $ty {
            fn doc(&self) -> &'static str {
                include_str!(concat!("../../rules/", $page, ".md"))
            }

            fn check(&self, _cx: &mut Context<'_>) {}
        }
    };
}

engine_rule!(DockerfileSyntax, "dockerfile-syntax");
engine_rule!(YamlSyntax, "yaml-syntax");
engine_rule!(ComposeSchema, "compose-schema");
engine_rule!(DuplicateKey, "duplicate-key");
engine_rule!(ComposeInterpolation, "compose-interpolation");
engine_rule!(ComposeUnsetVariable, "compose-unset-variable");
engine_rule!(ComposeExtends, "compose-extends");
engine_rule!(InputLimit, "input-limit");
engine_rule!(InternalError, "internal-error");

//! `latest-tag` (PL101): an image reference with `:latest` or another moving tag.

use super::{Context, Rule};

pub struct LatestTag;

impl Rule for LatestTag {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/latest-tag.md")
    }

    fn check(&self, _cx: &mut Context<'_>) {
        // Implemented on the Dockerfile and compose models once the parsers land.
    }
}

//! `repository-not-allowed`: an image from a repository outside `allowed-repositories`.

use crate::analysis::image_match::repository_matches;
use crate::analysis::images::{external_refs, resolved_note, service_prefix};
use crate::rules::prelude::*;

pub struct RepositoryNotAllowed;

impl Rule for RepositoryNotAllowed {
    fn check_file(&self, cx: &mut Context<'_>) {
        let policy = cx.options.policy.clone();
        let allowed = &policy.allowed_repositories;
        // Off until the configuration lists the repositories.
        if allowed.is_empty() {
            return;
        }
        let found: Vec<_> = external_refs(cx.image_uses())
            .filter(|(_, r)| !r.has_variables && !repository_matches(r, allowed))
            .map(|(image, r)| (image, r.name()))
            .collect();
        let list = allowed.join(", ");
        for (image, repository) in found {
            let message = format!(
                "{}`{}`{} comes from repository `{repository}`, which `allowed-repositories` does not list ({list}): use an image from an approved repository",
                service_prefix(image),
                image.resolved,
                resolved_note(image),
            );
            cx.report_image(image, message);
        }
    }
}

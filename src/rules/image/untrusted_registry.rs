//! `untrusted-registry`: an image from a registry outside the configured `trusted-registries`.

use crate::analysis::images::{ARG_DEFAULT_LABEL, external_refs, resolved_note, service_prefix};
use crate::rules::prelude::*;
use crate::syntax::image_ref::canonical_domain;

pub struct UntrustedRegistry;

impl Rule for UntrustedRegistry {
    fn check_file(&self, cx: &mut Context<'_>) {
        let options = cx.options;
        let trusted = &options.trusted_registries;
        // Off until the configuration names the registries to trust.
        if trusted.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for (image, reference) in external_refs(cx.image_uses()) {
            if reference.has_variables {
                continue;
            }
            let domain = canonical_domain(reference.domain());
            if trusted.iter().any(|t| is_trusted(&domain, t)) {
                continue;
            }
            found.push((image, domain));
        }
        let list = trusted.join(", ");
        for (image, domain) in found {
            let message = format!(
                "{}`{}`{} comes from `{domain}`, which is not among the trusted registries ({list}): use an image from one of them, or add the registry to `trusted-registries`",
                service_prefix(image),
                image.resolved,
                resolved_note(image),
            );
            let finding = cx.report(image.span, message);
            for via in &image.via {
                finding.related.push(Related::new(*via, ARG_DEFAULT_LABEL));
            }
        }
    }
}

/// `docker.io` against `docker.io`; `*.example.com` matches `registry.example.com` (not
/// `example.com` itself). Registry names compare as their canonical form.
fn is_trusted(domain: &str, trusted: &str) -> bool {
    match trusted.strip_prefix("*.") {
        Some(suffix) => domain
            .strip_suffix(&canonical_domain(suffix))
            .is_some_and(|head| head.ends_with('.')),
        None => domain == canonical_domain(trusted),
    }
}

#[cfg(test)]
mod tests {
    use super::is_trusted;

    #[test]
    fn registries_match_exactly_or_by_subdomain() {
        assert!(is_trusted("docker.io", "docker.io"));
        assert!(is_trusted("docker.io", "index.docker.io"));
        assert!(is_trusted("ghcr.io", "GHCR.io"));
        assert!(is_trusted("eu.gcr.io", "*.gcr.io"));
        assert!(!is_trusted("gcr.io", "*.gcr.io"));
        assert!(!is_trusted("evilgcr.io", "*.gcr.io"));
        assert!(!is_trusted("quay.io", "docker.io"));
    }
}

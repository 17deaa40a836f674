//! `network-mode-not-allowed`: a compose service's `network_mode` outside
//! `allowed-network-modes`.

use crate::model::compose::Service;
use crate::rules::prelude::*;

pub struct NetworkModeNotAllowed;

impl Rule for NetworkModeNotAllowed {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let allowed = &cx.options.policy.allowed_network_modes;
        if allowed.is_empty() {
            return;
        }
        let Some(mode) = &service.network_mode else {
            return;
        };
        if allowed.iter().any(|a| mode_matches(a, &mode.value)) {
            return;
        }
        let message = format!(
            "service `{}` uses `network_mode: {}`, which is not among the allowed network modes ({}): use one of them, or leave `network_mode` out for the project's default network",
            service.name.value,
            mode.value,
            allowed.join(", ")
        );
        cx.report(mode.span, message);
    }
}

/// `bridge` against `bridge`; a pattern ending in `*` (`service:*`, `container:*`) matches what
/// starts with the rest.
fn mode_matches(pattern: &str, mode: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => mode.starts_with(prefix),
        None => pattern == mode,
    }
}

#[cfg(test)]
mod tests {
    use super::mode_matches;

    #[test]
    fn modes_match_exactly_or_by_prefix() {
        assert!(mode_matches("bridge", "bridge"));
        assert!(!mode_matches("bridge", "host"));
        assert!(mode_matches("service:*", "service:db"));
        assert!(!mode_matches("service:*", "container:db"));
    }
}

//! `invalid-container-name`: a `container_name` Docker refuses.

use crate::analysis::compose_layout::value_site;
use crate::rules::prelude::*;

pub struct InvalidContainerName;

/// Docker's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
fn valid(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl Rule for InvalidContainerName {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let Some(name) = &service.container_name else {
            return;
        };
        // A variable that is not set reads as "": Compose then names the container itself.
        if name.value.is_empty() && name.is_interpolated() {
            return;
        }
        if valid(&name.value) {
            return;
        }
        let Some(compose) = cx.compose() else { return };
        let site = value_site(&compose.yaml, service, "container_name", name);
        cx.report(
            site,
            format!(
                "Container name `{}` of service `{}` is not one Docker accepts: it must be two \
                 characters or more, start with a letter or digit and hold only letters, \
                 digits, `_`, `.` and `-`, or `docker compose up` fails",
                name.value, service.name.value
            ),
        );
    }
}

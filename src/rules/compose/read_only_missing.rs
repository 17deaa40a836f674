//! `read-only-missing`: a policy: a service whose root filesystem is writable (no
//! `read_only: true`).

use crate::rules::prelude::*;

pub struct ReadOnlyMissing;

impl Rule for ReadOnlyMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        // A key this file does not write may be written where the service is completed.
        if service.read_only.as_ref().is_some_and(|f| f.is_true())
            || (service.read_only.is_none() && !service.container_is_complete())
        {
            return;
        }
        let at = service.read_only.as_ref().map_or(service.name.span, |f| f.text.span);
        cx.report(
            at,
            format!(
                "service `{}` has a writable root filesystem, where an intruder can drop and \
                 run tools or change the program: write `read_only: true`, with `tmpfs` or \
                 volumes for the paths it writes",
                service.name.value
            ),
        );
    }
}

//! `cap-drop-all-missing`: a policy: a service that keeps Docker's default capabilities
//! (no `cap_drop: [ALL]`).

use crate::analysis::compose::capability;
use crate::rules::prelude::*;

pub struct CapDropAllMissing;

impl Rule for CapDropAllMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        // A key this file does not write may be written where the service is completed.
        if !service.container_is_complete()
            || service.cap_drop.iter().any(|c| capability(&c.value) == "ALL")
        {
            return;
        }
        let at = service.cap_drop.first().map_or(service.name.span, |c| c.span);
        cx.report(
            at,
            format!(
                "service `{}` keeps Docker's default capabilities (`CHOWN`, `DAC_OVERRIDE`, \
                 `SETUID`, `NET_RAW`, …): write `cap_drop: [ALL]` and add back with `cap_add` \
                 only those it needs",
                service.name.value
            ),
        );
    }
}

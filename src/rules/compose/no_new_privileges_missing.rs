//! `no-new-privileges-missing`: a policy: a service whose processes may gain privileges
//! through setuid binaries (no `security_opt: [no-new-privileges:true]`).

use crate::analysis::compose::sets_no_new_privileges;
use crate::rules::prelude::*;

pub struct NoNewPrivilegesMissing;

impl Rule for NoNewPrivilegesMissing {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        // A key this file does not write may be written where the service is completed.
        if !service.container_is_complete() || sets_no_new_privileges(service) {
            return;
        }
        cx.report(
            service.name.span,
            format!(
                "service `{}` lets its processes gain privileges through setuid and setgid \
                 binaries (`su`, `sudo`, `ping`): add `security_opt: [\"no-new-privileges:true\"]`",
                service.name.value
            ),
        );
    }
}

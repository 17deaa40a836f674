//! `host-uts`: a service that shares the host's UTS namespace (`uts: host`).

use crate::analysis::compose::host_mode;
use crate::rules::prelude::*;

pub struct HostUts;

impl Rule for HostUts {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in host_mode(compose, |s| s.uts.as_ref()) {
            let message = format!("`uts: host` ({}) shares the host's hostname and domain name: a container with `SYS_ADMIN` can rename the host; remove it", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

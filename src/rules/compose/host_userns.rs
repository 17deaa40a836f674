//! `host-userns`: a service that leaves the host's user namespace on (`userns_mode: host`).

use crate::analysis::compose::host_mode;
use crate::rules::prelude::*;

pub struct HostUserns;

impl Rule for HostUserns {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in host_mode(compose, |s| s.userns_mode.as_ref()) {
            let message = format!("`userns_mode: host` ({}) turns off the daemon's user-namespace remapping for this container: its root is the host's root again; remove it", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

//! `seccomp-unconfined`: a service that turns its seccomp filter off (`security_opt: [seccomp:unconfined]`).

use crate::analysis::compose::security_opt_set;
use crate::rules::prelude::*;

pub struct SeccompUnconfined;

impl Rule for SeccompUnconfined {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in security_opt_set(compose, "seccomp", &["unconfined"]) {
            let message = format!("`seccomp:unconfined` lets {} make every system call, including the ones Docker's default profile blocks because they have let containers out (`keyctl`, `bpf`, `userfaultfd`, `mount`): remove it, or give a profile that allows the one call it needs", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

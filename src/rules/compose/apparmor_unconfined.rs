//! `apparmor-unconfined`: a service that turns its AppArmor profile off (`security_opt: [apparmor:unconfined]`).

use crate::analysis::compose::security_opt_set;
use crate::rules::prelude::*;

pub struct ApparmorUnconfined;

impl Rule for ApparmorUnconfined {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in security_opt_set(compose, "apparmor", &["unconfined"]) {
            let message = format!("`apparmor:unconfined` runs {} without the AppArmor profile that keeps containers from writing `/proc` and `/sys` files and from mounting: remove it, or load a profile that allows what it needs", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

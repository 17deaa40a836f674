//! `selinux-label-disabled`: a service that turns SELinux separation off (`security_opt: [label:disable]`).

use crate::analysis::compose::security_opt_set;
use crate::rules::prelude::*;

pub struct SelinuxLabelDisabled;

impl Rule for SelinuxLabelDisabled {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in security_opt_set(compose, "label", &["disable", "disabled"]) {
            let message = format!("`label:disable` runs {} as an unconfined SELinux type: on an SELinux host nothing then keeps it from the files of the host and of other containers; remove it, or relabel the volumes it needs (`:z`, `:Z`)", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

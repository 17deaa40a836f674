//! `systempaths-unconfined`: a service that unmasks the kernel paths Docker hides (`security_opt: [systempaths=unconfined]`).

use crate::analysis::compose::security_opt_set;
use crate::rules::prelude::*;

pub struct SystempathsUnconfined;

impl Rule for SystempathsUnconfined {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        for hit in security_opt_set(compose, "systempaths", &["unconfined"]) {
            let message = format!("`systempaths=unconfined` shows {} the `/proc` and `/sys` paths Docker masks or makes read-only (`/proc/sysrq-trigger`, `/proc/kcore`, `/sys/firmware`): remove it", hit.services_phrase());
            cx.report(hit.span, message);
        }
    }
}

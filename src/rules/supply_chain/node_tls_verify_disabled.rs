//! `node-tls-verify-disabled`: `NODE_TLS_REJECT_UNAUTHORIZED=0` makes Node.js accept any TLS certificate. The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct NodeTlsVerifyDisabled;

impl Rule for NodeTlsVerifyDisabled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::NodeTlsRejectUnauthorized) {
            cx.report(
                w.span,
                format!(
                    "{}{} makes Node.js (and npm, yarn and every script they run) accept any TLS certificate in every process that inherits it: any server can impersonate any other; remove it, and trust a private CA with `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

//! `git-ssl-verify-disabled`: git accepts any server certificate (`GIT_SSL_NO_VERIFY`, `http.sslVerify false`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct GitSslVerifyDisabled;

impl Rule for GitSslVerifyDisabled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::GitSslVerify) {
            cx.report(
                w.span,
                format!(
                    "{}{} makes git accept any server certificate: whoever can intercept the connection can serve different source code; remove it, and trust a private CA with `git config http.sslCAInfo /path/to/ca.pem`",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

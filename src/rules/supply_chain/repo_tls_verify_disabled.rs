//! `repo-tls-verify-disabled`: a package repository is used without verifying its TLS certificate (yum/dnf `sslverify=0`, apt `Verify-Peer false`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct RepoTlsVerifyDisabled;

impl Rule for RepoTlsVerifyDisabled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::RepoSslVerify) {
            cx.report(
                w.span,
                format!(
                    "{}{} turns off the TLS certificate check for the package repository: whoever can intercept the connection can serve its metadata, and with signature checks also off any package; keep verification on and install the repository's CA certificate instead",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

//! `pip-trusted-host`: pip trusts a package index host without a valid certificate (`--trusted-host`, `PIP_TRUSTED_HOST`, pip.conf). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct PipTrustedHost;

impl Rule for PipTrustedHost {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::PipTrustedHost) {
            cx.report(
                w.span,
                format!(
                    "{}{} makes pip accept that index without a valid certificate, even over plain HTTP: whoever can intercept the connection can serve any package; serve the index over HTTPS and give pip its CA with `--cert` or `PIP_CERT`",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

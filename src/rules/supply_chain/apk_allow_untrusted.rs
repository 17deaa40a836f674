//! `apk-allow-untrusted`: apk installs packages without a trusted signature (`--allow-untrusted`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct ApkAllowUntrusted;

impl Rule for ApkAllowUntrusted {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::ApkAllowUntrusted) {
            cx.report(
                w.span,
                format!(
                    "{}{} makes apk install packages whose signature is missing or made with an unknown key: anything the repository, a mirror or the network serves gets installed; add the signing key to `/etc/apk/keys` instead",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

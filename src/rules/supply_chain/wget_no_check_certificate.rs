//! `wget-no-check-certificate`: wget run without checking TLS certificates (`--no-check-certificate`, `check_certificate = off`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct WgetNoCheckCertificate;

impl Rule for WgetNoCheckCertificate {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::WgetNoCheckCertificate) {
            cx.report(
                w.span,
                format!(
                    "{}{} turns off wget's TLS certificate verification: whoever can intercept the connection can hand the build a different file; drop it, and for a private CA pass `--ca-certificate=FILE` or add the CA to the image's trust store",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

//! `signature-verify-skipped`: a signature or checksum check is skipped, or its failure ignored (`gpg --verify … || true`, `--skip-verify`, `--no-gpg-verify`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct SignatureVerifySkipped;

impl Rule for SignatureVerifySkipped {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::SignatureSkipped) {
            cx.report(
                w.span,
                format!(
                    "{}{} skips the signature or checksum check, or lets the build go on when it fails: the check no longer protects anything; let a failed verification fail the build",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

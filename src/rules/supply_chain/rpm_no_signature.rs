//! `rpm-no-signature`: rpm installs without verifying signatures or digests (`--nosignature`, `--nodigest`, `--noverify`, `--nofiledigest`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct RpmNoSignature;

impl Rule for RpmNoSignature {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::RpmNoSignature) {
            cx.report(
                w.span,
                format!(
                    "{}{} makes rpm install the package without verifying its signature or digests: a tampered or corrupted package goes in unnoticed; import the signing key with `rpm --import` and drop the option",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

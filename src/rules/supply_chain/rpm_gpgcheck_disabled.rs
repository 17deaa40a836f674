//! `rpm-gpgcheck-disabled`: yum, dnf or zypper install packages without checking their GPG signatures (`--nogpgcheck`, `gpgcheck=0`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct RpmGpgcheckDisabled;

impl Rule for RpmGpgcheckDisabled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::RpmGpgCheck) {
            cx.report(
                w.span,
                format!(
                    "{}{} installs packages without checking their GPG signatures: anything the repository, a mirror or the network serves gets installed as root; import the repository's key (`rpm --import KEY`) and keep `gpgcheck=1`",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

//! `apt-allow-unauthenticated`: apt installs packages it cannot authenticate (`--allow-unauthenticated`, insecure repositories, `[trusted=yes]`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct AptAllowUnauthenticated;

impl Rule for AptAllowUnauthenticated {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::AptUnauthenticated) {
            cx.report(
                w.span,
                format!(
                    "{}{} lets apt install packages whose signatures it cannot check: anything the repository, a mirror or the network serves gets installed as root; install the repository's signing key and reference it with `signed-by=` instead",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

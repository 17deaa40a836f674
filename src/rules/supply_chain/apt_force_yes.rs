//! `apt-force-yes`: apt-get `--force-yes`: deprecated, and among other things installs unauthenticated packages. The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct AptForceYes;

impl Rule for AptForceYes {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::AptForceYes) {
            cx.report(
                w.span,
                format!(
                    "{}{} is deprecated, and besides answering yes it installs packages apt cannot authenticate and allows downgrades and held-package changes; use `-y`, and `--allow-downgrades` or `--allow-change-held-packages` if one of those is really meant",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

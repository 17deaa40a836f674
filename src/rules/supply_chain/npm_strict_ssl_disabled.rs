//! `npm-strict-ssl-disabled`: npm, pnpm or yarn run with `strict-ssl` off (config, `NPM_CONFIG_STRICT_SSL=false`, `.npmrc`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct NpmStrictSslDisabled;

impl Rule for NpmStrictSslDisabled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::NpmStrictSsl) {
            cx.report(
                w.span,
                format!(
                    "{}{} turns off registry certificate verification: whoever can intercept the connection can serve any package, and its install scripts run in the build; keep `strict-ssl` on and point `cafile` at a private CA",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

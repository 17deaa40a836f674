//! `curl-insecure`: curl run with TLS certificate verification turned off (`-k`, `--insecure`, `insecure` in a `.curlrc`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct CurlInsecure;

impl Rule for CurlInsecure {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::CurlInsecure) {
            cx.report(
                w.span,
                format!(
                    "{}{} turns off curl's TLS certificate verification: whoever can intercept the connection can hand the build a different file; drop it, and for a private CA pass `--cacert FILE` or add the CA to the image's trust store",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

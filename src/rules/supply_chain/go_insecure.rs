//! `go-insecure`: go modules fetched without TLS or checksum verification (`GOINSECURE`, `GOSUMDB=off`, `-insecure`). The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct GoInsecure;

impl Rule for GoInsecure {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::GoInsecure) {
            cx.report(
                w.span,
                format!(
                    "{}{} lets the go command fetch modules without TLS verification or without checking them against the checksum database: a network attacker or a rewritten tag can change the code compiled into the image; remove it, and for private modules list them in `GOPRIVATE` (or `GONOSUMDB`) instead",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}

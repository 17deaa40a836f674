//! `split-run-update`: a RUN that only refreshes the package index, with the install in a later
//! RUN. When the install line changes, the update layer is reused from the cache, stale.

use crate::analysis::packages::{PkgOp, for_each_op};
use crate::rules::prelude::*;

pub struct SplitRunUpdate;

impl Rule for SplitRunUpdate {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        for_each_op(cx.analysis(), df, |at| {
            // Only updates of managers this RUN does not also install with.
            let PkgOp::Update(m) = at.op else { return };
            if at.run.installs(m) {
                return;
            }
            if let Some(later) = at.after.iter().find(|r| r.installs(m)) {
                let message = format!(
                    "the {} package index is refreshed in its own RUN: when the install below changes, this layer comes from the cache, stale; refresh and install in the same RUN",
                    m.as_str()
                );
                let related = Related::new(later.keyword_span, "packages are installed in this later RUN");
                cx.report(at.span, message).related.push(related);
            }
        });
    }
}

//! `split-run-cleanup`: a package cache cleaned in a later RUN than the install that filled it.
//! The earlier layer keeps the files, so the image does not shrink.

use crate::analysis::packages::{PkgOp, for_each_op};
use crate::rules::prelude::*;

pub struct SplitRunCleanup;

impl Rule for SplitRunCleanup {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        for_each_op(cx.analysis(), df, |at| {
            let PkgOp::Cleanup(m) = at.op else { return };
            if at.run.fills(m) {
                return;
            }
            if let Some(earlier) = at.before.iter().rev().find(|r| r.fills(m)) {
                let message = format!(
                    "this {} clean-up runs in a later RUN than the install: the files stay in the earlier layer and the image does not shrink; clean up in the RUN that installs",
                    m.as_str()
                );
                let related = Related::new(earlier.keyword_span, "the cache is filled in this earlier RUN");
                cx.report(at.span, message).related.push(related);
            }
        });
    }
}

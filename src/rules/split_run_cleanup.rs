//! `split-run-cleanup` (PL303): a package cache cleaned in a later RUN than the install that
//! filled it. The earlier layer keeps the files, so the image does not shrink.

use super::packages::{PkgOp, classify_runs};
use super::{Context, Rule};

pub struct SplitRunCleanup;

impl Rule for SplitRunCleanup {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/split-run-cleanup.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        let mut found = Vec::new();
        for stage in &df.stages {
            let Some(instrs) = df.instrs.get(stage.instrs.clone()) else {
                continue;
            };
            // Each RUN's commands classified once: the search below revisits every earlier RUN.
            let classified = classify_runs(instrs);
            for (i, ins) in instrs.iter().enumerate() {
                if ins.keyword != "RUN" {
                    continue;
                }
                let Some(ops) = classified.get(i) else {
                    continue;
                };
                for (cmd, op) in ops {
                    let Some(PkgOp::Cleanup(m)) = op else {
                        continue;
                    };
                    let fills = |o: &Option<PkgOp>| matches!(o, Some(PkgOp::Install(x) | PkgOp::Update(x)) if x == m);
                    if ops.iter().any(|(_, o)| fills(o)) {
                        continue;
                    }
                    let earlier = instrs
                        .iter()
                        .zip(&classified)
                        .take(i)
                        .rev()
                        .find(|(e, eops)| e.keyword == "RUN" && eops.iter().any(|(_, o)| fills(o)))
                        .map(|(e, _)| e);
                    if let Some(earlier) = earlier {
                        found.push((cmd.span, earlier.keyword_span, m.as_str()));
                    }
                }
            }
        }
        for (span, install, manager) in found {
            cx.report(
                span,
                format!("this {manager} clean-up runs in a later RUN than the install: the files stay in the earlier layer and the image does not shrink; clean up in the RUN that installs"),
            )
            .related
            .push(crate::finding::Related {
                span: install,
                label: "the cache is filled in this earlier RUN".into(),
            });
        }
    }
}

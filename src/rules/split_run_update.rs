//! `split-run-update` (PL302): a RUN that only refreshes the package index, with the install in a
//! later RUN. When the install line changes, the update layer is reused from the cache, stale.

use super::packages::{PkgOp, classify_runs};
use super::{Context, Rule};

pub struct SplitRunUpdate;

impl Rule for SplitRunUpdate {
    fn doc(&self) -> &'static str {
        include_str!("../../rules/split-run-update.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        let mut found = Vec::new();
        for stage in &df.stages {
            let Some(instrs) = df.instrs.get(stage.instrs.clone()) else {
                continue;
            };
            // Each RUN's commands classified once: the search below revisits every later RUN.
            let classified = classify_runs(instrs);
            for (i, ins) in instrs.iter().enumerate() {
                if ins.keyword != "RUN" {
                    continue;
                }
                let Some(ops) = classified.get(i) else {
                    continue;
                };
                // Only updates of managers this RUN does not also install with.
                for (cmd, op) in ops {
                    let Some(PkgOp::Update(m)) = op else { continue };
                    let installs_here = ops.iter().any(|(_, o)| *o == Some(PkgOp::Install(*m)));
                    if installs_here {
                        continue;
                    }
                    let later = instrs
                        .iter()
                        .zip(&classified)
                        .skip(i + 1)
                        .find(|(later, lops)| {
                            later.keyword == "RUN"
                                && lops.iter().any(|(_, o)| *o == Some(PkgOp::Install(*m)))
                        })
                        .map(|(later, _)| later);
                    if let Some(later) = later {
                        found.push((cmd.span, later.keyword_span, m.as_str()));
                    }
                }
            }
        }
        for (span, install, manager) in found {
            cx.report(
                span,
                format!("the {manager} package index is refreshed in its own RUN: when the install below changes, this layer comes from the cache, stale; refresh and install in the same RUN"),
            )
            .related
            .push(crate::finding::Related {
                span: install,
                label: "packages are installed in this later RUN".into(),
            });
        }
    }
}

//! `setuid-bit` (PL401): a Dockerfile sets the setuid or setgid bit: `chmod u+s`/`g+s`/`+s` or
//! a numeric mode with 4000/2000 (also `-R`, through `find -exec` or `xargs`), `install -m 4755`,
//! `COPY`/`ADD --chmod=4755`.

use super::command::{Grant, grants_in};
use super::mode::grants;
use crate::model::dockerfile::Dockerfile;
use crate::rules::secret::command::{command_name, run_commands_where};
use crate::rules::{Context, Rule};

pub struct SetuidBit;

/// Every grant of special bits in a Dockerfile, in source order, one per mode token.
pub fn grants_in_dockerfile(text: &str, df: &Dockerfile) -> Vec<Grant> {
    let mut out = Vec::new();
    for ins in df
        .instrs
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    {
        match ins.keyword.as_str() {
            "RUN" => {
                let chmods = |ws: &[crate::model::dockerfile::Word]| {
                    ws.iter()
                        .any(|w| matches!(command_name(&w.text), "chmod" | "install"))
                };
                for words in run_commands_where(ins, text, chmods) {
                    out.extend(grants_in(&words));
                }
            }
            "COPY" | "ADD" => {
                if let Some(value) = ins.flag("chmod").and_then(|f| f.value.as_ref())
                    && let Some(bits) = grants(&value.text).filter(|b| b.any())
                {
                    out.push(Grant {
                        span: value.span,
                        bits,
                        via: if ins.keyword == "COPY" {
                            "COPY --chmod"
                        } else {
                            "ADD --chmod"
                        },
                    });
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|g| (g.span.start, g.span.end));
    out.dedup_by_key(|g| g.span);
    out
}

impl Rule for SetuidBit {
    fn doc(&self) -> &'static str {
        include_str!("../../../rules/setuid-bit.md")
    }

    fn check(&self, cx: &mut Context<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        for g in grants_in_dockerfile(cx.text(), df) {
            cx.report(
                g.span,
                format!(
                    "`{}` sets the {} bit: a program that runs with its owner's (or group's) \
                     privileges is a standing privilege-escalation path; grant a capability \
                     (`setcap`) or drop the bit",
                    g.via,
                    g.bits.describe()
                ),
            );
        }
    }
}

//! `setuid-bit`: a Dockerfile sets the setuid or setgid bit: `chmod u+s`/`g+s`/`+s` or a numeric
//! mode with 4000/2000 (also `-R`, through `find -exec` or `xargs`), `install -m 4755`,
//! `COPY`/`ADD --chmod=4755`.

use crate::analysis::command::effective_words;
use crate::analysis::mode::grants;
use crate::analysis::permissions::{Grant, grants_in};
use crate::rules::prelude::*;

pub struct SetuidBit;

impl Rule for SetuidBit {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run, InstructionKind::Copy, InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        let mut found = Vec::new();
        if ins.kind == InstructionKind::Run {
            for c in cx.commands(at) {
                found.extend(grants_in(effective_words(c)));
            }
        } else if let Some(value) = ins.flag("chmod").and_then(|f| f.value.as_ref())
            && let Some(bits) = grants(&value.text).filter(|b| b.any())
        {
            let via = if ins.kind == InstructionKind::Copy {
                "COPY --chmod"
            } else {
                "ADD --chmod"
            };
            found.push(Grant {
                span: value.span,
                bits,
                via,
            });
        }
        // A `find … -exec chmod` is read both as `find` and as the command it runs.
        found.sort_by_key(|g| (g.span.start, g.span.end));
        found.dedup_by_key(|g| g.span);
        for g in found {
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

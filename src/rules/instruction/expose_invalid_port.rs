//! `expose-invalid-port`: `EXPOSE` of a port outside 0–65535 (or a range running backwards).

use crate::rules::prelude::*;

pub struct ExposeInvalidPort;

impl Rule for ExposeInvalidPort {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Expose]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for word in &at.instr.args {
            let text = word.text.trim_matches(['"', '\'']);
            if text.contains('$') {
                continue;
            }
            let ports = text.split_once('/').map_or(text, |(p, _)| p);
            let (low, high) = ports.split_once('-').unwrap_or((ports, ports));
            let (Ok(lo), Ok(hi)) = (low.parse::<u64>(), high.parse::<u64>()) else {
                // Not a number at all: BuildKit reports that itself.
                continue;
            };
            let message = if lo > 65535 || hi > 65535 {
                format!(
                    "`{text}` is not a port: ports run from 0 to 65535, and the build fails on it"
                )
            } else if lo > hi {
                format!("the range `{text}` runs backwards: write `{hi}-{lo}`")
            } else {
                continue;
            };
            cx.report(word.span, message);
        }
    }
}

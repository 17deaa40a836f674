//! `expose-proto-casing`: `EXPOSE 80/TCP` (BuildKit's ExposeProtoCasing).

use crate::rules::prelude::*;

pub struct ExposeProtoCasing;

impl Rule for ExposeProtoCasing {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Expose]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        if at.onbuild {
            return;
        }
        let text = cx.text();
        for word in cx.analysis().dispatch().words_of(at.index) {
            let Some(port) = word.value.as_deref() else {
                continue;
            };
            // `[ip:][host:]container[/proto]`: the protocol follows the container port.
            let container_at = port.rfind(':').map_or(0, |i| i + 1);
            let Some(slash) = port.get(container_at..).and_then(|c| c.find('/')) else {
                continue;
            };
            let proto_at = container_at + slash + 1;
            let proto = port.get(proto_at..).unwrap_or("");
            let lower = proto.to_ascii_lowercase();
            // Another protocol fails the build; BuildKit does not judge its case.
            if proto == lower || !matches!(lower.as_str(), "tcp" | "udp" | "sctp") {
                continue;
            }
            let finding = cx.report(
                word.span,
                format!(
                    "Protocol `{proto}` of `EXPOSE {port}` should be lower-case: write `{}{lower}`",
                    port.get(..proto_at).unwrap_or("")
                ),
            );
            if word.span.text(text) == port {
                let start = word.span.start as usize + proto_at;
                finding.fix = Some(Fix {
                    description: format!("write `{lower}`"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit::replace(Span::new(start, start + proto.len()), lower)],
                });
            }
        }
    }
}

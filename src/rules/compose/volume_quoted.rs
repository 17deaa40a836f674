//! `volume-quoted`: a short-syntax `volumes` entry written in quotes.

use crate::analysis::compose_layout::{
    key_text, plain_reads_same, written_entries, written_pair, written_services,
};
use crate::rules::prelude::*;
use crate::syntax::compose::yaml::{NodeKind, ScalarStyle};

pub struct VolumeQuoted;

impl Rule for VolumeQuoted {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            for service in written_services(yaml, root) {
                let name = key_text(yaml, &service).unwrap_or_default();
                let Some(list) = written_pair(yaml, service.value, "volumes") else {
                    continue;
                };
                let in_flow = yaml
                    .node(list.value)
                    .and_then(|n| cx.text().as_bytes().get(n.span.start as usize))
                    == Some(&b'[');
                for item in written_entries(yaml, list.value) {
                    let Some(node) = yaml.node(item.value) else {
                        continue;
                    };
                    let NodeKind::Scalar { value, style } = node.kind else {
                        continue;
                    };
                    if !matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
                        continue;
                    }
                    let value = yaml.str(value);
                    let written = cx.text().get(node.span.start as usize..node.span.end as usize);
                    let verbatim =
                        written.and_then(|w| w.get(1..w.len().saturating_sub(1))) == Some(value);
                    let plain = verbatim && plain_reads_same(value, in_flow);
                    let mut message = format!(
                        "Volume `{value}` of service `{name}` is written in quotes it does not \
                         need: write it plain, as the other short-syntax volumes are"
                    );
                    if !plain {
                        message.push_str(
                            " (no fix: without its quotes this value would read differently)",
                        );
                    }
                    cx.report(node.span, message).fix = plain.then(|| Fix {
                        description: "remove the quotes".into(),
                        // The plain scalar reads as the same string (checked above).
                        applicability: Applicability::Safe,
                        edits: vec![Edit::replace(node.span, value)],
                    });
                }
            }
        }
    }
}

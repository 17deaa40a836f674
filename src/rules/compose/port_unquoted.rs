//! `port-unquoted`: a `ports` or `expose` entry not written in the configured quotes.

use crate::analysis::compose_layout::{key_text, written_entries, written_pair, written_services};
use crate::rules::prelude::*;
use crate::syntax::compose::yaml::{NodeKind, ScalarStyle};

pub struct PortUnquoted;

impl Rule for PortUnquoted {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        let quote = cx.options.port_quote;
        let want = if quote == '"' {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            for service in written_services(yaml, root) {
                let name = key_text(yaml, &service).unwrap_or_default();
                for section in ["ports", "expose"] {
                    let Some(list) = written_pair(yaml, service.value, section) else {
                        continue;
                    };
                    // Entries are the items of a list: a mapping here is a schema error, and
                    // its values (a null among them) are not port entries to quote.
                    let is_list = yaml
                        .node(list.value)
                        .is_some_and(|n| matches!(n.kind, NodeKind::Sequence(_)));
                    if !is_list {
                        continue;
                    }
                    for item in written_entries(yaml, list.value) {
                        let Some(node) = yaml.node(item.value) else {
                            continue;
                        };
                        // An empty item (`- ` with nothing after it) has nothing to quote.
                        if node.span.start == node.span.end {
                            continue;
                        }
                        let NodeKind::Scalar { value, style } = node.kind else {
                            continue;
                        };
                        if style == want {
                            continue;
                        }
                        let value = yaml.str(value);
                        let written = cx.text().get(node.span.start as usize..node.span.end as usize);
                        // Re-quoting keeps the value only when it is written as read (no
                        // escapes or folding) and holds no quote of the new kind.
                        let verbatim = match style {
                            ScalarStyle::Plain => written == Some(value),
                            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                                written.and_then(|w| w.get(1..w.len().saturating_sub(1)))
                                    == Some(value)
                            }
                            _ => false,
                        };
                        let fix = (verbatim && !value.contains([quote, '\\'])).then(|| Fix {
                            description: format!("write {quote}{value}{quote}"),
                            // Compose reads a port as a number or a string alike.
                            applicability: Applicability::Safe,
                            edits: vec![Edit::replace(node.span, format!("{quote}{value}{quote}"))],
                        });
                        cx.report(
                            node.span,
                            format!(
                                "`{section}` entry `{value}` of service `{name}` is not in \
                                 {quote}quotes{quote}: an unquoted `HOST:CONTAINER` below 60 is \
                                 a base-60 number to YAML 1.1 readers (`22:22` is 1342), and one \
                                 quoting style reads evenly; write {quote}{value}{quote}"
                            ),
                        )
                        .fix = fix;
                    }
                }
            }
        }
    }
}

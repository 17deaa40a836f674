//! `compose-version-obsolete`: a top-level `version`, which Compose ignores.

use crate::analysis::compose_layout::written_pair;
use crate::rules::prelude::*;

pub struct ComposeVersionObsolete;

impl Rule for ComposeVersionObsolete {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            let Some(entry) = written_pair(yaml, root, "version") else {
                continue;
            };
            let Some(key) = entry.key.and_then(|k| yaml.node(k)) else {
                continue;
            };
            let text = cx.text();
            let start = entry.span.start as usize;
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let last = (entry.span.end as usize).saturating_sub(1).max(start);
            let line_end = text[last..].find('\n').map_or(text.len(), |i| last + i + 1);
            // The entry stands alone on its lines (a block mapping at the top): removing those
            // lines removes it and nothing else.
            let alone = line_start == start
                && text[entry.span.end as usize..line_end]
                    .trim_start()
                    .chars()
                    .next()
                    .is_none_or(|c| c == '#' || c == '\n' || c == '\r');
            let fix = alone.then(|| Fix {
                description: "remove the `version` line".into(),
                // Compose v2 ignores `version`; the legacy docker-compose v1 reads a file without
                // one as the old v1 format, so removing it is not certain to change nothing.
                applicability: Applicability::Unsafe,
                edits: vec![Edit::delete(Span::new(line_start, line_end))],
            });
            cx.report(
                key.span,
                "`version` is obsolete: Compose ignores it (and warns that it does) and reads \
                 every file by the Compose Specification; remove it",
            )
            .fix = fix;
        }
    }
}

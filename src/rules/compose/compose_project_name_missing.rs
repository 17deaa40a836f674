//! `compose-project-name-missing`: a compose file without a top-level `name`.

use crate::analysis::compose_layout::{written_entries, written_pair};
use crate::rules::prelude::*;

pub struct ComposeProjectNameMissing;

impl Rule for ComposeProjectNameMissing {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let Some(root) = doc.node else { continue };
            if written_pair(yaml, root, "name").is_some() || doc.name.is_some() {
                continue;
            }
            // At the first top-level key: the file's first line in a well-formed file.
            let Some(first) = written_entries(yaml, root).first().and_then(|e| e.key) else {
                continue;
            };
            let Some(key) = yaml.node(first) else { continue };
            cx.report(
                key.span,
                "The file sets no project `name`: Compose names the project after the directory, \
                 so the same file run from another checkout makes other containers, networks and \
                 volumes; add `name: <project>` at the top",
            );
        }
    }
}

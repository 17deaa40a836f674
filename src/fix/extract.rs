//! Finding the image references `plimsoll pin` rewrites, as [`PinSite`]s with exact spans.

use super::pin::{PinSite, SiteKind, Skip};
use crate::source::{FileKind, Span};

/// Every image reference in `text` that could be pinned, and those skipped with a reason.
pub fn extract_sites(kind: FileKind, text: &str) -> (Vec<PinSite>, Vec<Skip>) {
    let mut sites = Vec::new();
    let skips = Vec::new();
    match kind {
        FileKind::Dockerfile => {
            sites.extend(syntax_directive(text));
        }
        FileKind::Compose => {}
    }
    sites.sort_by_key(|s| (s.span.start, s.span.end));
    sites.dedup_by_key(|s| s.span);
    (sites, skips)
}

/// The image of a `# syntax=<image>` parser directive. Directives are `# key=value` lines at the
/// very top of a Dockerfile; the first line that is not one ends them.
pub fn syntax_directive(text: &str) -> Option<PinSite> {
    let mut offset = if text.starts_with('\u{feff}') { 3 } else { 0 };
    for line in text.get(offset..)?.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let rest = body.trim_start_matches([' ', '\t']).strip_prefix('#')?;
        let (key, value) = rest.split_once('=')?;
        let key = key.trim_matches([' ', '\t']);
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        if !key.eq_ignore_ascii_case("syntax") {
            continue;
        }
        let value_start = start + (body.len() - rest.len()) + key_len_with_eq(rest);
        let v = value.trim_matches([' ', '\t']);
        if v.is_empty() {
            return None;
        }
        let lead = value.len() - value.trim_start_matches([' ', '\t']).len();
        let s = value_start + lead;
        return Some(PinSite {
            span: Span::new(s, s + v.len()),
            text: v.to_string(),
            kind: SiteKind::Syntax,
        });
    }
    None
}

/// Bytes of `rest` up to and including the first `=`.
fn key_len_with_eq(rest: &str) -> usize {
    rest.find('=').map(|i| i + 1).unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_syntax_directive_value() {
        let text = "# escape=`\r\n#  syntax = docker/dockerfile:1.7 \r\nFROM a\n";
        let s = syntax_directive(text).unwrap();
        assert_eq!(s.span.text(text), "docker/dockerfile:1.7");
        assert_eq!(s.text, "docker/dockerfile:1.7");
        // After the directives end, `# syntax=` is an ordinary comment.
        assert_eq!(syntax_directive("FROM a\n# syntax=x/y:1\n"), None);
        assert_eq!(syntax_directive("# a comment\n# syntax=x/y:1\n"), None);
        assert_eq!(syntax_directive("\n# syntax=x/y:1\n"), None);
        assert_eq!(syntax_directive("# syntax=\n"), None);
        let bom = "\u{feff}# syntax=x/y:1\nFROM a\n";
        assert_eq!(syntax_directive(bom).unwrap().span.text(bom), "x/y:1");
    }
}

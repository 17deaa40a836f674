//! Hover: image references (FROM, compose `image:`) and rule codes in suppression comments.
//!
//! Hover works on the document as typed, often mid-edit and unparseable, so it finds its targets
//! with a line scan rather than the full parse the rules need.

use super::backend;
use crate::source::{FileKind, SourceFile, Span};

/// An image reference in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub span: Span,
    pub text: String,
}

impl ImageRef {
    /// References built from variables are resolved at build time, not here.
    pub fn has_variables(&self) -> bool {
        self.text.contains('$')
    }
}

/// Every image reference in `FROM` instructions (Dockerfile) or `image:` keys (compose).
pub fn image_refs(file: &SourceFile) -> Vec<ImageRef> {
    let text = &*file.text;
    let mut out = Vec::new();
    let mut continued = false;
    for line in 0..file.line_index.line_count() {
        let Some(range) = file.line_index.line_range(line, text) else {
            break;
        };
        let content = &text[range.clone()];
        let was_continued = continued;
        continued = file.kind == FileKind::Dockerfile && content.trim_end().ends_with('\\');
        if was_continued {
            continue;
        }
        let found = match file.kind {
            FileKind::Dockerfile => from_image(content),
            FileKind::Compose => compose_image(content),
            FileKind::Env => None,
        };
        if let Some((start, end)) = found {
            out.push(ImageRef {
                span: Span::new(range.start + start, range.start + end),
                text: content[start..end].to_string(),
            });
        }
    }
    out
}

/// Byte range of the image in a `FROM [--flag...] image [AS name]` line.
fn from_image(line: &str) -> Option<(usize, usize)> {
    let mut words = words(line);
    let (s, e) = words.next()?;
    if !line[s..e].eq_ignore_ascii_case("FROM") {
        return None;
    }
    words.find(|&(s, e)| !line[s..e].starts_with("--"))
}

/// Byte range of the value of an `image:` key (quotes and trailing comments excluded).
fn compose_image(line: &str) -> Option<(usize, usize)> {
    let trimmed = line.trim_start();
    let mut at = line.len() - trimmed.len();
    let mut rest = trimmed;
    if let Some(r) = rest.strip_prefix("- ") {
        at += 2 + (r.len() - r.trim_start().len());
        rest = r.trim_start();
    }
    let key_len = ["image:", "\"image\":", "'image':"]
        .iter()
        .find(|k| rest.starts_with(*k))?
        .len();
    let value = &rest[key_len..];
    let mut start = at + key_len + (value.len() - value.trim_start().len());
    let value = value.trim_start();
    let mut end = start + value.len();
    if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = value[1..].find(q)?;
        start += 1;
        end = start + close;
    } else {
        if let Some(hash) = value.find(" #") {
            end = start + hash;
        }
        end = start + line[start..end].trim_end().len();
    }
    (end > start).then_some((start, end))
}

/// Whitespace-separated words of a line, as byte ranges.
fn words(line: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        let rest = line.get(pos..)?;
        let skip = rest.len() - rest.trim_start().len();
        let start = pos + skip;
        if start >= line.len() {
            return None;
        }
        let len = line[start..]
            .find(char::is_whitespace)
            .unwrap_or(line.len() - start);
        pos = start + len;
        Some((start, start + len))
    })
}

/// Markdown describing an image reference.
pub fn image_markdown(image: &ImageRef) -> String {
    let mut md = format!("**Image** `{}`\n\n", image.text);
    if image.has_variables() {
        md.push_str("Built from variables: resolved at build time.");
        return md;
    }
    let Some(parts) = backend::parse_image(&image.text) else {
        md.push_str("Not a valid image reference.");
        return md;
    };
    if parts.scratch {
        md.push_str("`scratch`: the empty image; nothing to pull or pin.");
        return md;
    }
    md.push_str(&format!(
        "| | |\n|---|---|\n| registry | `{}` |\n| repository | `{}` |\n| tag | {} |\n| digest | {} |\n\n",
        parts.registry,
        parts.repository,
        parts.tag.as_deref().map_or("(none: `latest`)".to_string(), |t| format!("`{t}`")),
        parts.digest.as_deref().map_or("(none)".to_string(), |d| format!("`{d}`")),
    ));
    md.push_str(if parts.digest.is_some() {
        "Pinned: the digest fixes the exact image."
    } else {
        "Not pinned: the tag can move to a different image. Use the \"Pin image digest\" action."
    });
    md
}

/// The rule code, name or alias under `offset` when it sits in a suppression comment
/// (`# plimsoll ignore=…`, `# hadolint ignore=…`, `# check=skip=…`), with its span.
pub fn suppression_code_at(file: &SourceFile, offset: usize) -> Option<(Span, String)> {
    let text = &*file.text;
    let line = file.line_index.line_of(offset.min(text.len()));
    let range = file.line_index.line_range(line, text)?;
    let content = &text[range.clone()];
    let hash = content.find('#')?;
    let comment = &content[hash + 1..];
    let lists = ["ignore=", "skip="].iter().filter_map(|k| {
        let at = comment.find(k)?;
        Some(hash + 1 + at + k.len())
    });
    for list_start in lists {
        let list_end = content[list_start..]
            .find(char::is_whitespace)
            .map_or(content.len(), |i| list_start + i);
        let mut s = list_start;
        for code in content[list_start..list_end].split(',') {
            let e = s + code.len();
            let (abs_s, abs_e) = (range.start + s, range.start + e);
            if !code.is_empty() && abs_s <= offset && offset <= abs_e {
                return Some((Span::new(abs_s, abs_e), code.to_string()));
            }
            s = e + 1;
        }
    }
    None
}

pub fn rule_markdown(code: &str) -> Option<String> {
    let doc = backend::rule_doc(code)?;
    Some(format!(
        "**{}** `{}`\n\n{}\n\n[Documentation]({})",
        doc.code,
        doc.name,
        doc.summary,
        backend::rule_doc_url(&doc.name)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;

    fn refs(kind: FileKind, text: &str) -> Vec<String> {
        let file = SourceFile::new("x", text, kind);
        image_refs(&file)
            .into_iter()
            .map(|r| {
                assert_eq!(file.slice(r.span), r.text);
                r.text
            })
            .collect()
    }

    #[test]
    fn finds_from_images() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n\
                    RUN echo \\\n FROM notthis\n  from debian:latest\nFROM\n";
        assert_eq!(
            refs(FileKind::Dockerfile, text),
            ["golang:1.22", "debian:latest"]
        );
    }

    #[test]
    fn finds_compose_images() {
        let text = "services:\n  a:\n    image: nginx:1.25 # web\n  b:\n    image: \"redis\"\n    \
                    labels:\n      - image: 'x/y:1'\n    command: image: no\n";
        assert_eq!(
            refs(FileKind::Compose, text),
            ["nginx:1.25", "redis", "x/y:1"]
        );
    }

    #[test]
    fn describes_images() {
        let r = ImageRef {
            span: Span::new(0, 0),
            text: "debian:latest".into(),
        };
        let md = image_markdown(&r);
        assert!(md.contains("`docker.io`") && md.contains("`library/debian`"));
        assert!(md.contains("`latest`") && md.contains("Not pinned"));
        let digest = format!("sha256:{}", "0a".repeat(32));
        let r = ImageRef {
            span: Span::new(0, 0),
            text: format!("ghcr.io/a/b@{digest}"),
        };
        let md = image_markdown(&r);
        assert!(
            md.contains(&format!("`{digest}`")) && md.contains("Pinned"),
            "{md}"
        );
        let r = ImageRef {
            span: Span::new(0, 0),
            text: "scratch".into(),
        };
        assert!(image_markdown(&r).contains("empty image"));
        let r = ImageRef {
            span: Span::new(0, 0),
            text: "${BASE}".into(),
        };
        assert!(image_markdown(&r).contains("resolved at build time"));
    }

    #[test]
    fn describes_rules_from_the_catalog() {
        let md = rule_markdown("latest-tag").expect("latest-tag is in the catalog");
        let meta = crate::rules::catalog::lookup("latest-tag").unwrap();
        assert!(md.contains(meta.summary) && md.contains(meta.code), "{md}");
        assert!(md.contains("latest-tag.md"));
        assert_eq!(rule_markdown("PL999999"), None);
    }

    #[test]
    fn finds_codes_in_suppression_comments() {
        let text = "RUN a\n  # plimsoll ignore=PL101,latest-tag rest\nRUN b\n";
        let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let at = text.find(RuleId::LatestTag.code()).unwrap();
        assert_eq!(
            suppression_code_at(&file, at + 2).map(|(_, c)| c),
            Some(RuleId::LatestTag.code().to_string())
        );
        let at = text.find("latest-tag").unwrap();
        let (span, code) = suppression_code_at(&file, at).unwrap();
        assert_eq!(
            (file.slice(span), code.as_str()),
            ("latest-tag", "latest-tag")
        );
        assert_eq!(suppression_code_at(&file, text.find("rest").unwrap()), None);
        assert_eq!(suppression_code_at(&file, 2), None);
    }
}

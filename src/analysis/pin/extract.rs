//! Finding the image references `plimsoll pin` rewrites, as [`PinSite`]s with exact spans.

use super::{PinSite, SiteKind, Skip};
use crate::model::compose::Env;
use crate::model::dockerfile::{ImageSite, ImageTarget, ImageUse};
use crate::source::{FileKind, Span};
use std::path::Path;

/// Every image reference in `text` that could be pinned, and those skipped with a reason.
/// `path` locates a compose file's `.env` (variables only decide what is skipped).
pub fn extract_sites(kind: FileKind, path: &Path, text: &str) -> (Vec<PinSite>, Vec<Skip>) {
    let mut sites = Vec::new();
    let mut skips = Vec::new();
    match kind {
        FileKind::Dockerfile => {
            sites.extend(syntax_directive(text));
            dockerfile_sites(text, &mut sites, &mut skips);
        }
        FileKind::Compose => compose_sites(path, text, &mut sites, &mut skips),
        FileKind::Env => {}
    }
    sites.sort_by_key(|s| (s.span.start, s.span.end));
    sites.dedup_by_key(|s| s.span);
    skips.sort_by_key(|s| (s.span.start, s.span.end));
    skips.dedup_by_key(|s| s.span);
    (sites, skips)
}

fn skip(span: Span, text: &str, reason: impl Into<String>) -> Skip {
    Skip {
        span,
        text: text.to_string(),
        reason: reason.into(),
    }
}

fn dockerfile_sites(text: &str, sites: &mut Vec<PinSite>, skips: &mut Vec<Skip>) {
    let tree = crate::syntax::dockerfile::parse(text);
    let model = crate::model::dockerfile::from_tree(&tree, text);
    for u in &model.images {
        let kind = site_kind(u.site);
        match &u.target {
            ImageTarget::Scratch => skips.push(skip(
                u.span,
                &u.raw,
                "`scratch` is not an image in a registry",
            )),
            ImageTarget::Stage(i) => {
                skips.push(skip(u.span, &u.raw, format!("names build stage {i}")))
            }
            ImageTarget::Unresolved => skips.push(skip(
                u.span,
                &u.raw,
                "depends on a build argument without a default",
            )),
            ImageTarget::Built => skips.push(skip(u.span, &u.raw, "built locally")),
            ImageTarget::External if u.raw == u.resolved => {
                if u.span.text(text) == u.raw {
                    sites.push(PinSite {
                        span: u.span,
                        text: u.raw.clone(),
                        kind,
                    });
                } else {
                    skips.push(skip(
                        u.span,
                        &u.raw,
                        "written with quotes or escapes; pin it by hand",
                    ));
                }
            }
            ImageTarget::External => match arg_default_site(text, u) {
                Some(site) => sites.push(site),
                None => skips.push(skip(
                    u.span,
                    &u.raw,
                    "built from build arguments; pin the ARG default or write the image literally",
                )),
            },
        }
    }
}

fn site_kind(site: ImageSite) -> SiteKind {
    match site {
        ImageSite::From => SiteKind::From,
        ImageSite::CopyFrom => SiteKind::CopyFrom,
        ImageSite::MountFrom => SiteKind::MountFrom,
        ImageSite::Onbuild => SiteKind::Onbuild,
        ImageSite::ComposeImage => SiteKind::ComposeImage,
    }
}

/// Where an external image use can be pinned by an edit: the reference itself when it is written
/// verbatim, or the `ARG` default it takes its whole value from (as [`extract_sites`] finds
/// them; for rules that hold an [`ImageUse`] already). `None` for any other use.
pub fn image_use_site(text: &str, u: &ImageUse) -> Option<PinSite> {
    if u.target != ImageTarget::External {
        return None;
    }
    if u.raw != u.resolved {
        return arg_default_site(text, u);
    }
    (u.span.text(text) == u.raw).then(|| PinSite {
        span: u.span,
        text: u.raw.clone(),
        kind: site_kind(u.site),
    })
}

/// For `FROM $NAME` / `${NAME}` whose whole value is one `ARG NAME=<image>` default: that default.
fn arg_default_site(text: &str, u: &ImageUse) -> Option<PinSite> {
    let raw = u.raw.as_str();
    let name = raw
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| raw.strip_prefix('$'))?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let [via] = u.via.as_slice() else { return None };
    let word = via.text(text);
    let value = word.strip_prefix(name)?.strip_prefix('=')?;
    let mut start = via.start as usize + name.len() + 1;
    let mut v = value;
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            v = inner;
            start += 1;
            break;
        }
    }
    (v == u.resolved && !v.contains(['$', '\\'])).then(|| PinSite {
        span: Span::new(start, start + v.len()),
        text: v.to_string(),
        kind: SiteKind::ArgDefault,
    })
}

fn compose_sites(path: &Path, text: &str, sites: &mut Vec<PinSite>, skips: &mut Vec<Skip>) {
    let file = crate::model::compose::load(text, path, &Env::new());
    let built = crate::analysis::images::built_names(file.services());
    for svc in file.services() {
        let Some(image) = &svc.image else { continue };
        if svc.image_is_built() {
            skips.push(skip(
                image.span,
                &image.raw,
                "the name this service's build produces",
            ));
        } else if !image.is_interpolated()
            && crate::analysis::images::tag_key(&image.value).is_some_and(|k| built.contains(&k))
        {
            skips.push(skip(
                image.span,
                &image.raw,
                "the name another service's build produces",
            ));
        } else if image.is_interpolated() {
            skips.push(skip(image.span, &image.raw, "depends on a variable"));
        } else {
            // The bytes of the value inside any quotes; `None` when escapes or folding change the
            // text, or when the value comes from another file through `extends`.
            let span = image
                .raw_offset
                .map(|_| image.span_of(0..image.raw.len()))
                .filter(|s| s.text(text) == image.raw);
            match span {
                Some(span) => sites.push(PinSite {
                    span,
                    text: image.raw.clone(),
                    kind: SiteKind::ComposeImage,
                }),
                None => skips.push(skip(
                    image.span,
                    &image.raw,
                    "not written verbatim here; pin it where it is defined",
                )),
            }
        }
    }
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

#[cfg(test)]
mod dockerfile_tests {
    use super::*;

    fn texts(kind: FileKind, text: &str) -> (Vec<(String, SiteKind)>, Vec<String>) {
        let (sites, skips) = extract_sites(kind, Path::new("x"), text);
        for s in &sites {
            assert_eq!(s.span.text(text), s.text, "span must hold the text");
        }
        (
            sites.into_iter().map(|s| (s.text, s.kind)).collect(),
            skips
                .into_iter()
                .map(|s| format!("{}: {}", s.text, s.reason))
                .collect(),
        )
    }

    #[test]
    fn finds_every_external_image_in_a_dockerfile() {
        let text = "# syntax=docker/dockerfile:1\n\
            ARG BASE=\"alpine:3.19\"\n\
            ARG TAG=1\n\
            FROM ${BASE} AS build\n\
            COPY --from=nginx:1.25 /a /a\n\
            RUN --mount=type=cache,target=/c --mount=type=bind,from=busybox:1,target=/b true\n\
            FROM node:${TAG}\n\
            FROM scratch AS out\n\
            COPY --from=build /x /x\n\
            COPY --from=0 /y /y\n\
            ONBUILD COPY --from=golang:1.22 /g /g\n\
            FROM $UNDEFINED\n";
        let (sites, skips) = texts(FileKind::Dockerfile, text);
        assert_eq!(
            sites,
            vec![
                ("docker/dockerfile:1".to_string(), SiteKind::Syntax),
                ("alpine:3.19".to_string(), SiteKind::ArgDefault),
                ("nginx:1.25".to_string(), SiteKind::CopyFrom),
                ("busybox:1".to_string(), SiteKind::MountFrom),
                ("golang:1.22".to_string(), SiteKind::Onbuild),
            ]
        );
        let joined = skips.join("\n");
        for want in [
            "node:${TAG}: built from build arguments",
            "scratch: `scratch`",
            "build: names build stage 0",
            "0: names build stage 0",
            "$UNDEFINED: depends on a build argument",
        ] {
            assert!(joined.contains(want), "missing {want:?} in\n{joined}");
        }
    }

    #[test]
    fn finds_compose_images_and_skips_built_and_interpolated_ones() {
        let text = "x-base: &base\n  image: redis:7\n\
            services:\n  a:\n    <<: *base\n  b:\n    image: \"nginx:1\"\n  c:\n    build: .\n    image: me/app:dev\n  d:\n    image: ${IMG:-x:1}\n";
        let (sites, skips) = texts(FileKind::Compose, text);
        let names: Vec<&str> = sites.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(names, vec!["redis:7", "nginx:1"]);
        let joined = skips.join("\n");
        assert!(
            joined.contains("me/app:dev: the name this service's build produces"),
            "{joined}"
        );
        assert!(
            joined.contains("${IMG:-x:1}: depends on a variable"),
            "{joined}"
        );
    }
}

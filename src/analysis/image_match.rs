//! Matching image references against an organisation's patterns: allowed repositories, banned
//! images and tags, allowed base images. A pattern is written as a user
//! writes an image (`debian`, `ghcr.io/acme/*`, `python:2*`) and compared with the reference in
//! its written, normalised (`docker.io/library/debian:12`) and familiar (`debian:12`) forms
//! (see [`super::images::matches_image_globs`]; `*` matches any run of characters, `/`
//! included).

use super::images::matches_image_globs;
use crate::syntax::image_ref::ImageRef;

/// Whether the reference's repository, without tag or digest (`docker.io/library/debian`,
/// `debian`), matches one of `globs`.
pub fn repository_matches(r: &ImageRef<'_>, globs: &[String]) -> bool {
    matches_image_globs(&r.name(), globs)
}

/// The first of `patterns` that names the image: a pattern with a tag (`python:2*`) must match
/// the reference with its tag; one without (`centos`, `ghcr.io/old/*`) names every tag of the
/// repository.
pub fn first_match<'p>(
    r: &ImageRef<'_>,
    patterns: impl IntoIterator<Item = &'p str>,
) -> Option<&'p str> {
    let tagged = match r.tag_str() {
        Some(tag) => format!("{}:{tag}", r.name()),
        None => r.name(),
    };
    patterns.into_iter().find(|p| {
        let one = [p.to_string()];
        if has_tag(p) {
            matches_image_globs(&tagged, &one) || matches_image_globs(r.text, &one)
        } else {
            repository_matches(r, &one)
        }
    })
}

/// Whether a pattern names a tag or digest: a `:` or `@` after its last `/` (a `:` before it
/// is a registry's port).
fn has_tag(pattern: &str) -> bool {
    let last = pattern.rsplit('/').next().unwrap_or(pattern);
    last.contains([':', '@'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef<'_> {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn patterns_without_a_tag_name_every_tag() {
        let pats = [
            "centos",
            "python:2*",
            "ghcr.io/old/*",
            "registry.acme.internal:5000/x",
        ];
        let m = |s: &str| first_match(&r(s), pats.iter().copied());
        assert_eq!(m("centos:7"), Some("centos"));
        assert_eq!(m("docker.io/library/centos:8"), Some("centos"));
        assert_eq!(m("python:2.7-slim"), Some("python:2*"));
        assert_eq!(m("python:3.12"), None);
        assert_eq!(m("ghcr.io/old/app:1"), Some("ghcr.io/old/*"));
        assert_eq!(m("ghcr.io/new/app:1"), None);
        assert_eq!(
            m("registry.acme.internal:5000/x:3"),
            Some("registry.acme.internal:5000/x")
        );
        assert_eq!(m("centosx:1"), None);
        assert!(repository_matches(
            &r("debian:12"),
            &["docker.io/library/*".into()]
        ));
        assert!(repository_matches(&r("debian:12"), &["debian".into()]));
        assert!(!repository_matches(&r("ubuntu:24.04"), &["debian".into()]));
    }
}

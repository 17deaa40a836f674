//! Image references: `[registry[:port]/]path[:tag][@digest]`, as the distribution reference
//! grammar (used by Docker and BuildKit) reads them, with the span of every part.
//!
//! Parsing keeps spans into the input, never copies; the normalised forms (`docker.io/library/x`)
//! and the familiar short form are built only when asked for. A part that contains a variable
//! (`debian:$VERSION`, `${REGISTRY}/app`) is located but not validated, and
//! [`ImageRef::has_variables`] says so: a rule must not judge a reference it cannot see.

use std::borrow::Cow;
use std::fmt;

use crate::source::Span;

/// The registry an image without an explicit registry comes from.
pub const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed image reference. Spans are relative to [`text`](Self::text) (shift them with
/// [`Span::offset`] to get file spans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The whole reference as written.
    pub text: &'a str,
    /// The explicit registry (`host[:port]`), if one was written.
    pub registry: Option<Span>,
    /// The repository path after the registry (`library/debian`, `user/app`, `debian`).
    pub repository: Span,
    /// The tag, without its `:`.
    pub tag: Option<Span>,
    /// The digest (`sha256:…`), without its `@`.
    pub digest: Option<Span>,
    /// Whether the reference contains a `$` variable (then parts containing it are unvalidated).
    pub has_variables: bool,
}

/// Why a reference is invalid, with the span (relative to the input) of the offending part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefError {
    pub message: String,
    pub span: Span,
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RefError {}

fn err<T>(message: impl Into<String>, span: Span) -> Result<T, RefError> {
    Err(RefError {
        message: message.into(),
        span,
    })
}

/// Byte offsets of `needle` in `text` outside `${...}` (so `${A:-x}` does not look like a tag).
fn structural_positions(text: &str, needle: u8) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            i += 1;
            match b[at] {
                b'$' if b.get(at + 1) == Some(&b'{') => {
                    depth += 1;
                    i += 1;
                }
                b'}' if depth > 0 => depth -= 1,
                c if c == needle && depth == 0 => return Some(at),
                _ => {}
            }
        }
        None
    })
}

fn has_var(s: &str) -> bool {
    s.contains('$')
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && is_alnum_lower(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep = i;
        while i < b.len() && !is_alnum_lower(b[i]) {
            i += 1;
        }
        let s = &c[sep..i];
        let ok = s == "." || s == "_" || s == "__" || s.bytes().all(|x| x == b'-');
        if !ok || i == b.len() {
            return false;
        }
    }
}

/// `[a-zA-Z0-9]` or `[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
fn valid_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        }
        _ => false,
    }
}

/// `host[:port]` where host is a domain name, an IPv4 address or `[IPv6]`.
fn validate_domain(d: &str) -> Result<(), &'static str> {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err("unterminated IPv6 address in registry");
        };
        let ip = &rest[..close];
        if ip.is_empty() || !ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err("invalid IPv6 address in registry");
        }
        let after = &rest[close + 1..];
        match after.strip_prefix(':') {
            Some(p) => (None, Some(p)),
            None if after.is_empty() => (None, None),
            None => return Err("unexpected text after IPv6 address in registry"),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(host) = host
        && (host.is_empty() || !host.split('.').all(valid_domain_component))
    {
        return Err("invalid registry host name");
    }
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("invalid registry port");
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}`
fn validate_tag(t: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = t.as_bytes();
    match b.first() {
        None => return Err("empty tag".into()),
        Some(&f) if !word(f) => {
            return Err(format!(
                "invalid tag \"{t}\": it must start with a letter, digit or underscore"
            ));
        }
        _ => {}
    }
    if let Some(bad) = t
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
    {
        return Err(format!("invalid character {bad:?} in tag \"{t}\""));
    }
    if b.len() > MAX_TAG_LEN {
        return Err(format!(
            "tag is {} characters long; at most {MAX_TAG_LEN} are allowed",
            b.len()
        ));
    }
    Ok(())
}

/// `algorithm:hex`, then the algorithm's own rule (sha256: exactly 64 lowercase hex characters).
fn validate_digest(d: &str) -> Result<(), String> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Err(format!("invalid digest \"{d}\": expected algorithm:hex"));
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            let mut b = c.bytes();
            b.next().is_some_and(|f| f.is_ascii_alphabetic())
                && b.all(|x| x.is_ascii_alphanumeric())
        });
    if !alg_ok {
        return Err(format!("invalid digest algorithm \"{alg}\""));
    }
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "invalid digest \"{d}\": the value after {alg}: must be hexadecimal"
        ));
    }
    let want = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            if hex.len() < 32 {
                return Err(format!(
                    "invalid digest \"{d}\": at least 32 hex characters are required"
                ));
            }
            return Err(format!("unsupported digest algorithm \"{alg}\""));
        }
    };
    if hex.len() != want {
        return Err(format!(
            "invalid {alg} digest: expected {want} hex characters, found {}",
            hex.len()
        ));
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!("invalid {alg} digest: hex must be lowercase"));
    }
    Ok(())
}

/// Whether `d` is a digest the reference grammar accepts (`sha256:` and 64 lowercase hex, or
/// sha384/sha512 with their lengths): the one digest check shared with the registry client.
pub fn is_valid_digest(d: &str) -> bool {
    validate_digest(d).is_ok()
}

/// A registry name as an image's identity: lowercase, and Docker Hub under any of its aliases
/// (`index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`) as `docker.io`.
pub fn canonical_domain(registry: &str) -> String {
    let r = registry.to_ascii_lowercase();
    match r.as_str() {
        LEGACY_DEFAULT_DOMAIN | "registry-1.docker.io" | "registry.hub.docker.com" => {
            DEFAULT_DOMAIN.to_string()
        }
        _ => r,
    }
}

impl<'a> ImageRef<'a> {
    /// Parse and validate a reference. Surrounding whitespace is not accepted.
    pub fn parse(text: &'a str) -> Result<ImageRef<'a>, RefError> {
        let all = Span::new(0, text.len());
        if text.is_empty() {
            return err("empty image reference", all);
        }
        let has_variables = has_var(text);
        if let Some(c) = text.chars().find(|c| c.is_whitespace()) {
            return err(format!("image reference contains whitespace ({c:?})"), all);
        }

        // name[:tag][@digest]: the digest follows the first structural '@'.
        let (name_tag_end, digest) = match structural_positions(text, b'@').next() {
            Some(at) => (at, Some(Span::new(at + 1, text.len()))),
            None => (text.len(), None),
        };
        let last_slash = structural_positions(&text[..name_tag_end], b'/').last();
        let tag_colon = structural_positions(&text[..name_tag_end], b':')
            .last()
            .filter(|&c| last_slash.is_none_or(|s| c > s));
        let (name_end, tag) = match tag_colon {
            Some(c) => (c, Some(Span::new(c + 1, name_tag_end))),
            None => (name_tag_end, None),
        };
        let name = &text[..name_end];
        if name.is_empty() {
            return err(
                "image reference has no repository name",
                Span::new(0, name_end),
            );
        }

        // Registry: the first component, when it looks like a host (has '.' or ':', is
        // localhost, or has uppercase letters, which paths may not), or holds a variable.
        let (registry, repository) = match structural_positions(name, b'/').next() {
            Some(slash) => {
                let first = &name[..slash];
                let is_host = first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase())
                    || has_var(first);
                if is_host {
                    (Some(Span::new(0, slash)), Span::new(slash + 1, name_end))
                } else {
                    (None, Span::new(0, name_end))
                }
            }
            None => (None, Span::new(0, name_end)),
        };

        let r = ImageRef {
            text,
            registry,
            repository,
            tag,
            digest,
            has_variables,
        };
        r.validate()?;
        Ok(r)
    }

    fn validate(&self) -> Result<(), RefError> {
        let text = self.text;
        if let Some(reg) = self.registry {
            let d = reg.text(text);
            if d.is_empty() {
                return err("empty registry name", reg);
            }
            if !has_var(d)
                && let Err(m) = validate_domain(d)
            {
                return err(format!("{m}: \"{d}\""), reg);
            }
        }
        let repo = self.repository.text(text);
        if repo.is_empty() {
            return err("image reference has no repository name", self.repository);
        }
        if !has_var(repo) {
            if repo.bytes().any(|b| b.is_ascii_uppercase()) {
                return err(
                    format!("repository name must be lowercase: \"{repo}\""),
                    self.repository,
                );
            }
            let mut at = self.repository.start as usize;
            for comp in repo.split('/') {
                let span = Span::new(at, at + comp.len());
                at += comp.len() + 1;
                if comp.is_empty() {
                    return err("empty path component in repository name", span);
                }
                if !valid_path_component(comp) {
                    return err(
                        format!(
                            "invalid repository path component \"{comp}\": use lowercase letters, digits and single separators (. _ __ -)"
                        ),
                        span,
                    );
                }
            }
            if self.registry.is_none()
                && repo.len() == 64
                && repo.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return err(
                    "a repository name cannot be a 64-character hexadecimal string",
                    self.repository,
                );
            }
            let name_len = self.domain().len() + 1 + self.path().len();
            if !self.registry.is_some_and(|r| has_var(r.text(text))) && name_len > MAX_NAME_LEN {
                return err(
                    format!(
                        "repository name is {name_len} characters long; at most {MAX_NAME_LEN} are allowed"
                    ),
                    Span::new(0, self.repository.end as usize),
                );
            }
        }
        if let Some(tag) = self.tag {
            let t = tag.text(text);
            if !has_var(t)
                && let Err(m) = validate_tag(t)
            {
                return err(m, tag);
            }
        }
        if let Some(dg) = self.digest {
            let d = dg.text(text);
            if !has_var(d)
                && let Err(m) = validate_digest(d)
            {
                return err(m, dg);
            }
        }
        Ok(())
    }

    /// The registry as written, if any.
    pub fn registry_str(&self) -> Option<&'a str> {
        self.registry.map(|s| s.text(self.text))
    }

    /// The repository path as written (without registry, tag or digest).
    pub fn repository_str(&self) -> &'a str {
        self.repository.text(self.text)
    }

    pub fn tag_str(&self) -> Option<&'a str> {
        self.tag.map(|s| s.text(self.text))
    }

    pub fn digest_str(&self) -> Option<&'a str> {
        self.digest.map(|s| s.text(self.text))
    }

    /// The normalised registry: `docker.io` when none is written (or `index.docker.io`).
    pub fn domain(&self) -> &'a str {
        match self.registry_str() {
            None | Some(LEGACY_DEFAULT_DOMAIN) => DEFAULT_DOMAIN,
            Some(d) => d,
        }
    }

    /// Whether the image comes from Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.domain() == DEFAULT_DOMAIN
    }

    /// The normalised path: Docker Hub single-component names gain `library/`.
    pub fn path(&self) -> Cow<'a, str> {
        let repo = self.repository_str();
        if self.is_docker_hub() && !repo.contains('/') {
            Cow::Owned(format!("{OFFICIAL_PREFIX}{repo}"))
        } else {
            Cow::Borrowed(repo)
        }
    }

    /// The fully qualified name without tag or digest: `docker.io/library/debian`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain(), self.path())
    }

    /// The fully qualified reference: `docker.io/library/debian:12@sha256:…` (tag and digest
    /// only where written).
    pub fn normalized(&self) -> String {
        self.with_name(&self.name())
    }

    /// Docker's short form: `debian:12`, `user/app`, `ghcr.io/o/app@sha256:…`.
    pub fn familiar(&self) -> String {
        let path = self.path();
        let short = if self.is_docker_hub() {
            path.strip_prefix(OFFICIAL_PREFIX)
                .filter(|rest| !rest.contains('/'))
                .unwrap_or(&path)
                .to_owned()
        } else {
            format!("{}/{}", self.domain(), path)
        };
        self.with_name(&short)
    }

    fn with_name(&self, name: &str) -> String {
        let mut out = name.to_owned();
        if let Some(t) = self.tag_str() {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = self.digest_str() {
            out.push('@');
            out.push_str(d);
        }
        out
    }

    /// `FROM scratch`: the empty image, not a real reference.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none()
            && self.tag.is_none()
            && self.digest.is_none()
            && self.repository_str() == "scratch"
    }

    /// Whether the reference is pinned by digest.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some()
    }

    /// The tag, or `latest` when neither tag nor digest is written (what Docker pulls).
    pub fn effective_tag(&self) -> Option<&'a str> {
        match (self.tag_str(), self.digest) {
            (Some(t), _) => Some(t),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }
}

impl fmt::Display for ImageRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn ok(s: &str) -> ImageRef<'_> {
        ImageRef::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn bad(s: &str) -> RefError {
        match ImageRef::parse(s) {
            Ok(r) => panic!("{s:?} should fail, got {r:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn normalisation() {
        let cases = [
            ("debian", "docker.io/library/debian", "debian"),
            ("debian:12", "docker.io/library/debian:12", "debian:12"),
            ("user/app", "docker.io/user/app", "user/app"),
            ("docker.io/debian", "docker.io/library/debian", "debian"),
            (
                "docker.io/library/debian:12",
                "docker.io/library/debian:12",
                "debian:12",
            ),
            ("index.docker.io/user/app", "docker.io/user/app", "user/app"),
            (
                "index.docker.io/alpine",
                "docker.io/library/alpine",
                "alpine",
            ),
            ("library/a/b", "docker.io/library/a/b", "library/a/b"),
            ("ghcr.io/o/app:v1", "ghcr.io/o/app:v1", "ghcr.io/o/app:v1"),
            ("localhost/app", "localhost/app", "localhost/app"),
            (
                "localhost:5000/app:1",
                "localhost:5000/app:1",
                "localhost:5000/app:1",
            ),
            ("Registry/app", "Registry/app", "Registry/app"),
            ("[::1]:5000/app", "[::1]:5000/app", "[::1]:5000/app"),
            ("[fe80::1]/a/b", "[fe80::1]/a/b", "[fe80::1]/a/b"),
            (
                "10.0.0.1:5000/x/y:z",
                "10.0.0.1:5000/x/y:z",
                "10.0.0.1:5000/x/y:z",
            ),
        ];
        for (input, normalized, familiar) in cases {
            let r = ok(input);
            assert_eq!(r.normalized(), normalized, "{input}");
            assert_eq!(r.familiar(), familiar, "{input}");
        }
    }

    #[test]
    fn spans() {
        let s = format!("reg.io:5000/team/app:1.2@sha256:{D64}");
        let r = ok(&s);
        assert_eq!(r.registry_str(), Some("reg.io:5000"));
        assert_eq!(r.repository_str(), "team/app");
        assert_eq!(r.tag_str(), Some("1.2"));
        assert_eq!(r.digest_str().map(|d| d.len()), Some(71));
        assert_eq!(r.tag, Some(Span::new(21, 24)));
        assert_eq!(r.repository, Span::new(12, 20));
        assert!(r.is_pinned());
        assert_eq!(r.effective_tag(), Some("1.2"));

        let r = ok("alpine");
        assert_eq!(r.registry, None);
        assert_eq!(r.effective_tag(), Some("latest"));
        let d = format!("alpine@sha256:{D64}");
        assert_eq!(ok(&d).effective_tag(), None);
        // host:port without a path: "5000" is a tag, as Docker reads it.
        let r = ok("localhost:5000");
        assert_eq!(r.repository_str(), "localhost");
        assert_eq!(r.tag_str(), Some("5000"));
    }

    #[test]
    fn valid_paths() {
        for s in [
            "a",
            "a_b",
            "a__b",
            "a.b",
            "a-b",
            "a---b",
            "a/b/c/d",
            "0/1",
            "my-org/my_app.v2",
            "x:TAG_ok.-1",
            "x:_",
        ] {
            ok(s);
        }
    }

    #[test]
    fn errors() {
        assert!(bad("Debian").message.contains("lowercase"));
        assert!(bad("user/App").message.contains("lowercase"));
        assert_eq!(bad("ghcr.io/Org/app").span, Span::new(8, 15));
        assert!(bad("").message.contains("empty"));
        assert!(bad(":tag").message.contains("no repository"));
        assert!(bad("debian:").message.contains("empty tag"));
        assert!(bad("debian:.x").message.contains("start"));
        assert!(bad("a//b").message.contains("empty path"));
        assert!(bad("a_-b").message.contains("component"));
        assert!(bad("a.").message.contains("component"));
        assert!(bad("-a").message.contains("component"));
        assert!(bad("a___b").message.contains("component"));
        assert!(bad("a b").message.contains("whitespace"));
        assert!(
            bad(&format!("x:{}", "t".repeat(129)))
                .message
                .contains("128")
        );
        ok(&format!("x:{}", "t".repeat(128)));
        assert!(bad(D64).message.contains("hexadecimal"));
        assert!(bad("reg_x.io/a").message.contains("host"));
        assert!(bad("reg.io:50a/a").message.contains("port"));
        assert!(bad("[::g]/a").message.contains("IPv6"));
        assert!(bad("[::1/a").message.contains("IPv6"));
        assert!(
            bad(&format!("r.io/{}", "a".repeat(260)))
                .message
                .contains("255")
        );
    }

    #[test]
    fn digests() {
        let e = bad("name@sha256:short");
        assert!(e.message.contains("hexadecimal"), "{}", e.message);
        assert_eq!(e.span, Span::new(5, 17));
        let e = bad("name@sha256:abc123");
        assert!(e.message.contains("64"), "{}", e.message);
        assert!(
            bad(&format!("n@sha256:{}", D64.to_uppercase()))
                .message
                .contains("lowercase")
        );
        assert!(bad(&format!("n@sha256:{D64}0")).message.contains("64"));
        assert!(bad("n@sha256").message.contains("algorithm:hex"));
        assert!(bad(&format!("n@md5:{D64}")).message.contains("unsupported"));
        assert!(bad(&format!("n@1sha:{D64}")).message.contains("algorithm"));
        assert!(bad("n@").message.contains("algorithm:hex"));
        ok(&format!("n@sha512:{D64}{D64}"));
        ok(&format!("n:1@sha256:{D64}"));
        ok(&format!("r.io:443/n@sha256:{D64}"));
    }

    #[test]
    fn variables() {
        let r = ok("debian:$VERSION");
        assert!(r.has_variables);
        assert_eq!(r.tag_str(), Some("$VERSION"));
        let r = ok("${REGISTRY}/app:${TAG:-latest}");
        assert_eq!(r.registry_str(), Some("${REGISTRY}"));
        assert_eq!(r.repository_str(), "app");
        assert_eq!(r.tag_str(), Some("${TAG:-latest}"));
        let r = ok("${BASE_IMAGE}");
        assert!(r.has_variables && r.tag.is_none());
        let r = ok("$BASE");
        assert_eq!(r.repository_str(), "$BASE");
        assert!(!ok("debian").has_variables);
        // Variables do not excuse the parts that are literal.
        assert!(bad("Debian:$V").message.contains("lowercase"));
    }

    #[test]
    fn scratch() {
        assert!(ok("scratch").is_scratch());
        assert!(!ok("scratch:1").is_scratch());
        assert!(!ok("x/scratch").is_scratch());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "@",
            ":",
            "/",
            "@@",
            "a@b@c",
            "${",
            "${}}",
            "a:b:c",
            "[",
            "[]/a",
            "é",
            "a/é",
            "x@sha256:é",
            "\u{0}",
            "::::/",
            "a/:b",
            "a@:",
        ] {
            let _ = ImageRef::parse(s);
        }
    }
}

//! Registry credentials and `WWW-Authenticate` challenges.

use base64::Engine;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A string that is never printed: `Debug` and `Display` show `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The value, for building a request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A username and password (or token) for one registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: Secret,
    pub password: Secret,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: Secret::new(username),
            password: Secret::new(password),
        }
    }

    /// The `Authorization` header value for basic auth.
    pub(crate) fn basic_header(&self) -> Secret {
        let raw = format!("{}:{}", self.username.expose(), self.password.expose());
        Secret(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
    }
}

/// Credentials per registry (keys normalised as in references: `docker.io`, `host:port`).
#[derive(Clone, Default)]
pub struct CredentialStore {
    by_registry: HashMap<String, Credentials>,
}

impl fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&String> = self.by_registry.keys().collect();
        keys.sort();
        f.debug_struct("CredentialStore")
            .field("registries", &keys)
            .finish()
    }
}

impl CredentialStore {
    pub fn empty() -> CredentialStore {
        CredentialStore::default()
    }

    /// Docker's config file, then the `PLIMSOLL_REGISTRY_*` variables (which take precedence).
    /// A missing or unreadable config file means no credentials from it.
    pub fn from_environment() -> CredentialStore {
        let mut store = CredentialStore::default();
        if let Some(path) = docker_config_path()
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            store.add_docker_config(&text);
        }
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let (Some(host), Some(user), Some(pass)) = (
            var("PLIMSOLL_REGISTRY_HOST"),
            var("PLIMSOLL_REGISTRY_USER"),
            var("PLIMSOLL_REGISTRY_PASSWORD"),
        ) {
            store.insert(&host, Credentials::new(user, pass));
        }
        store
    }

    pub fn insert(&mut self, registry: &str, creds: Credentials) {
        self.by_registry.insert(registry_key(registry), creds);
    }

    pub fn get(&self, registry: &str) -> Option<&Credentials> {
        self.by_registry.get(&registry_key(registry))
    }

    /// Reads the `auths` map of a Docker `config.json`; entries it cannot read are skipped.
    pub fn add_docker_config(&mut self, json: &str) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
            return;
        };
        let Some(auths) = value.get("auths").and_then(|a| a.as_object()) else {
            return;
        };
        for (key, entry) in auths {
            let field = |k: &str| {
                entry
                    .get(k)
                    .and_then(|v| v.as_str())
                    .filter(|s| !s.is_empty())
            };
            let creds = if let Some(encoded) = field("auth") {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|raw| String::from_utf8(raw).ok())
                    .and_then(|s| {
                        s.split_once(':')
                            .map(|(u, p)| Credentials::new(u.to_string(), p.to_string()))
                    })
            } else if let (Some(u), Some(p)) = (field("username"), field("password")) {
                Some(Credentials::new(u, p))
            } else {
                None
            };
            if let Some(c) = creds {
                self.insert(key, c);
            }
        }
    }
}

fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(Path::new(&dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(&h).join(".docker").join("config.json"))
}

/// `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/path` → `host:5000`.
fn registry_key(key: &str) -> String {
    let k = key
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = k.split('/').next().unwrap_or(k);
    super::normalize_registry(host)
}

/// A parsed `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
}

/// Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. Unknown schemes and a
/// bearer challenge without a realm give `None`.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = parse_params(rest);
    let get = |k: &str| {
        params
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    Some(Challenge::Bearer {
        realm: get("realm")?,
        service: get("service"),
        scope: get("scope"),
    })
}

/// `k="v", k2=v2` with quoted values that may hold commas and backslash escapes.
fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if chars.next() != Some('=') {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    _ => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
            value = value.trim().to_string();
        }
        out.push((name.trim().to_string(), value));
    }
    out
}

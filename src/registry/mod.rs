//! Resolving image references to digests over the OCI Distribution API, and the lock file.
//!
//! - [`Target`]: a registry, repository and tag-or-digest, with Docker Hub naming applied
//!   (`alpine` → `docker.io/library/alpine`, requests to `registry-1.docker.io`).
//! - [`Client`]: `HEAD /v2/<repo>/manifests/<ref>` (GET and sha256 of the body when the registry
//!   sends no `Docker-Content-Digest`), bearer-token and basic auth, mirrors, retries, bounded
//!   concurrency and a per-run cache so each distinct reference costs one resolution.
//! - [`LockFile`]: `plimsoll.lock`, the digests resolved earlier, for `pin --offline` and `--check`.
//!
//! Transport security: HTTPS with certificate checks always; plain HTTP only for loopback
//! registries (`localhost`, 127.0.0.0/8, `::1`) and hosts the user names as insecure.
//!
//! Credentials (never printed, not even in `Debug` output or errors), first match wins:
//! 1. `PLIMSOLL_REGISTRY_USER` + `PLIMSOLL_REGISTRY_PASSWORD`, for the registry named by
//!    `PLIMSOLL_REGISTRY_HOST` (e.g. `ghcr.io`, `docker.io`, `127.0.0.1:5000`). They are never sent
//!    to another registry.
//! 2. `auths` in `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`): the base64 `auth`
//!    field or `username`/`password`. Credential helpers (`credsStore`, `credHelpers`) and
//!    `identitytoken` are not supported: such registries are accessed anonymously.
//!
//! Mirrors: `PLIMSOLL_REGISTRY_MIRRORS="docker.io=mirror.example:5000,ghcr.io=m2.example"` (or
//! [`ClientOptions::mirrors`]) are tried in order before the registry itself.

mod auth;
mod client;
mod lock;
pub mod platforms;

pub use auth::{CredentialStore, Credentials, Secret};
pub(crate) use client::host_is_loopback;
pub use client::{Client, ClientOptions, RequestCounts};
pub use lock::{LOCK_FILE_NAME, LockEntry, LockError, LockFile, format_rfc3339};

use crate::syntax::image_ref::{ImageRef, canonical_domain};
use std::fmt;

/// Docker Hub's name in references and its API host.
pub const DOCKER_HUB: &str = "docker.io";
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A tag or a digest (`algorithm:hex`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reference {
    Tag(String),
    Digest(String),
}

impl Reference {
    pub fn as_str(&self) -> &str {
        match self {
            Reference::Tag(t) | Reference::Digest(t) => t,
        }
    }
}

/// One manifest to resolve: registry (as named in references, `docker.io` for Docker Hub),
/// repository (with `library/` for official Docker Hub images) and a tag or digest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub registry: String,
    pub repository: String,
    pub reference: Reference,
}

impl Target {
    /// Builds a target, applying Docker Hub naming: `index.docker.io` and `registry-1.docker.io`
    /// are `docker.io`, and a one-component Docker Hub repository gets `library/`.
    pub fn new(registry: &str, repository: &str, reference: Reference) -> Target {
        let registry = normalize_registry(registry);
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_string()
        };
        Target {
            registry,
            repository,
            reference,
        }
    }

    /// Parses `[registry/]repository[:tag][@digest]` with [`ImageRef::parse`]. A digest wins
    /// over a tag (the registry is asked for the digest); with neither, the tag is `latest`.
    pub fn parse(s: &str) -> Result<Target, RegistryError> {
        let r = ImageRef::parse(s).map_err(|_| RegistryError::BadReference(s.to_string()))?;
        Target::from_image_ref(&r)
    }

    /// The target a parsed reference names. A reference holding a variable names none.
    pub fn from_image_ref(r: &ImageRef<'_>) -> Result<Target, RegistryError> {
        if r.has_variables {
            return Err(RegistryError::BadReference(r.text.to_string()));
        }
        let reference = match (r.digest_str(), r.effective_tag()) {
            (Some(d), _) => Reference::Digest(d.to_string()),
            (None, t) => Reference::Tag(t.unwrap_or("latest").to_string()),
        };
        Ok(Target::new(r.domain(), r.repository_str(), reference))
    }

    /// The host requests go to (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        api_host(&self.registry)
    }

    /// The same repository at another tag or digest.
    pub fn with_reference(&self, reference: Reference) -> Target {
        Target {
            reference,
            ..self.clone()
        }
    }
}

/// `registry/repository:tag` or `registry/repository@digest`: the canonical key used by the cache
/// and the lock file.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reference {
            Reference::Tag(t) => write!(f, "{}/{}:{}", self.registry, self.repository, t),
            Reference::Digest(d) => write!(f, "{}/{}@{}", self.registry, self.repository, d),
        }
    }
}

pub(crate) fn normalize_registry(registry: &str) -> String {
    canonical_domain(registry)
}

pub(crate) fn api_host(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        DOCKER_HUB_API
    } else {
        registry
    }
}

/// Whether a digest names a multi-platform index (OCI image index, Docker manifest list) or a
/// single image manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManifestKind {
    Index,
    Manifest,
}

impl ManifestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ManifestKind::Index => "index",
            ManifestKind::Manifest => "manifest",
        }
    }
}

/// A resolved reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub digest: String,
    pub kind: ManifestKind,
    /// The manifest's media type as the registry reported it.
    pub media_type: Option<String>,
}

/// Why a reference could not be resolved. Messages never contain credentials.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("`{0}` is not a valid image reference")]
    BadReference(String),
    #[error("{reference}: manifest unknown (no such tag or repository on {registry})")]
    NotFound { reference: String, registry: String },
    #[error("{reference}: access denied by {registry} ({detail})")]
    Unauthorized {
        reference: String,
        registry: String,
        detail: String,
    },
    #[error(
        "{registry}: plain HTTP is allowed only for loopback registries and those named with --insecure-registry"
    )]
    InsecureRefused { registry: String },
    #[error("{reference}: {registry} answered HTTP {status}")]
    Http {
        reference: String,
        registry: String,
        status: u16,
    },
    #[error("{reference}: cannot reach {registry}: {detail}")]
    Transport {
        reference: String,
        registry: String,
        detail: String,
    },
    #[error("{reference}: {registry} sent an invalid response: {detail}")]
    Protocol {
        reference: String,
        registry: String,
        detail: String,
    },
}

#[cfg(test)]
mod tests;

//! The OCI Distribution client: manifest digests, auth, retries, mirrors, a per-run cache.
//!
//! Where a request may go is decided on URLs parsed with the `url` crate, from the host it
//! yields (`http://127.0.0.1:1@evil.example/` is evil.example, not loopback). Redirects are
//! followed here, not by the HTTP library: never from HTTPS to plain HTTP (except to loopback
//! or a host named with `--insecure-registry`), never with credentials to another host, and a
//! digest from a redirected response is never taken from its headers: the body is fetched and
//! hashed. A host that fails to connect or answer is given up on for the rest of the run.

use super::auth::{Challenge, CredentialStore, Secret, parse_challenge};
use super::{ManifestKind, RegistryError, Resolved, Target, normalize_registry};
use crate::syntax::image_ref::is_valid_digest;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use url::{Host, Url};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Largest manifest or token response read (real manifests are a few KiB).
const MAX_BODY: u64 = 4 * 1024 * 1024;

/// Redirects followed for one request (registries redirect once, to storage).
const MAX_REDIRECTS: usize = 5;

fn kind_of_media_type(media_type: &str) -> Option<ManifestKind> {
    let mt = media_type.split(';').next().unwrap_or("").trim();
    match mt {
        OCI_INDEX | DOCKER_LIST => Some(ManifestKind::Index),
        OCI_MANIFEST | DOCKER_MANIFEST => Some(ManifestKind::Manifest),
        _ => None,
    }
}

/// Settings of a [`Client`].
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Hosts (`host` or `host:port`) that may be reached over plain HTTP.
    pub insecure_registries: Vec<String>,
    /// Per registry (`docker.io`, `ghcr.io`, …), mirror hosts tried in order before it.
    pub mirrors: HashMap<String, Vec<String>>,
    pub credentials: CredentialStore,
    /// Requests in flight at once in [`Client::resolve_many`].
    pub concurrency: usize,
    /// Attempts per request when the registry answers 429 or 5xx or times out.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt up to `max_backoff` (also caps `Retry-After`).
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Whole-request timeout (`--registry-timeout`). A request that times out is not
    /// retried: its host is given up on for the run.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            insecure_registries: Vec::new(),
            mirrors: HashMap::new(),
            credentials: CredentialStore::empty(),
            concurrency: 8,
            max_attempts: 4,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl ClientOptions {
    /// Defaults plus credentials from Docker's config and `PLIMSOLL_REGISTRY_*`, and mirrors from
    /// `PLIMSOLL_REGISTRY_MIRRORS` (`registry=mirror[,registry=mirror…]`).
    pub fn from_environment() -> ClientOptions {
        let mut opts = ClientOptions {
            credentials: CredentialStore::from_environment(),
            ..ClientOptions::default()
        };
        if let Ok(spec) = std::env::var("PLIMSOLL_REGISTRY_MIRRORS") {
            opts.add_mirrors(&spec);
        }
        opts
    }

    /// Adds `mirror` (a host, `host:port`) to try before `registry`.
    pub fn add_mirror(&mut self, registry: &str, mirror: &str) {
        let (registry, mirror) = (registry.trim(), mirror.trim());
        if !registry.is_empty() && !mirror.is_empty() {
            self.mirrors
                .entry(normalize_registry(registry))
                .or_default()
                .push(mirror.to_string());
        }
    }

    /// Adds mirrors from `registry=mirror[,registry=mirror…]`; malformed entries are skipped.
    pub fn add_mirrors(&mut self, spec: &str) {
        for item in spec.split(',') {
            if let Some((reg, mirror)) = item.split_once('=') {
                let (reg, mirror) = (reg.trim(), mirror.trim());
                if !reg.is_empty() && !mirror.is_empty() {
                    self.mirrors
                        .entry(normalize_registry(reg))
                        .or_default()
                        .push(mirror.to_string());
                }
            }
        }
    }
}

/// Requests sent so far (each attempt counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// `HEAD`/`GET /v2/<repo>/manifests/<ref>` requests.
    pub manifest: u64,
    /// Token-server requests.
    pub token: u64,
    /// Requests repeated after 429, 5xx or a timeout.
    pub retries: u64,
}

type CacheCell = Arc<OnceLock<Result<Resolved, RegistryError>>>;

/// Resolves references to digests. Cheap to share between threads; each distinct [`Target`] is
/// resolved at most once per client.
pub struct Client {
    agent: ureq::Agent,
    opts: ClientOptions,
    cache: Mutex<HashMap<Target, CacheCell>>,
    /// Bearer tokens by (host, scope).
    tokens: Mutex<HashMap<(String, String), Secret>>,
    /// The last challenge each host sent, so later repositories authenticate up front.
    challenges: Mutex<HashMap<String, Challenge>>,
    /// Hosts that failed to connect or answer in time, with why: not asked again this run.
    dead: Mutex<HashMap<String, String>>,
    manifest_requests: AtomicU64,
    token_requests: AtomicU64,
    retries: AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.opts)
            .field("requests", &self.request_counts())
            .finish_non_exhaustive()
    }
}

/// One HTTP exchange, body read.
struct Reply {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
    /// The answer came from another URL than the one asked (after a redirect): its headers
    /// say nothing trustworthy about the digest.
    redirected: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Head,
    Get,
}

/// Whether a parsed host is loopback: `localhost` or an address in 127.0.0.0/8 or `::1`.
pub(crate) fn host_is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// `host[:port]` (as references and `--insecure-registry` write it) parsed as a URL authority:
/// `None` when it is not one, or when it holds anything but a host and a port (user info).
fn authority(host: &str) -> Option<Url> {
    // A bare IPv6 address (`::1`) is written with brackets in a URL.
    let url = if host.parse::<std::net::Ipv6Addr>().is_ok() {
        Url::parse(&format!("http://[{host}]/")).ok()?
    } else {
        Url::parse(&format!("http://{host}/")).ok()?
    };
    (url.username().is_empty() && url.password().is_none() && url.path() == "/").then_some(url)
}

/// A URL's `host[:port]` (brackets kept around IPv6), for messages and per-host state.
fn url_authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

/// Whether an error means the host did not connect or answer (as opposed to answering badly).
fn is_unreachable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Io(_)
    )
}

impl Client {
    pub fn new(opts: ClientOptions) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed in `send`, where each hop is checked.
            .max_redirects(0)
            .timeout_global(Some(opts.timeout))
            .timeout_connect(Some(opts.connect_timeout.min(opts.timeout)))
            .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(opts.concurrency.max(1))
            .build();
        Client {
            agent: config.into(),
            opts,
            cache: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            challenges: Mutex::new(HashMap::new()),
            dead: Mutex::new(HashMap::new()),
            manifest_requests: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        }
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    pub fn request_counts(&self) -> RequestCounts {
        RequestCounts {
            manifest: self.manifest_requests.load(Ordering::Relaxed),
            token: self.token_requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    /// Resolves one reference (from the cache when this client has resolved it before; a
    /// concurrent caller for the same target waits for the first one's answer).
    pub fn resolve(&self, target: &Target) -> Result<Resolved, RegistryError> {
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(cache.entry(target.clone()).or_default())
        };
        cell.get_or_init(|| self.resolve_uncached(target)).clone()
    }

    /// Resolves many references with at most `concurrency` requests in flight; results are in
    /// input order. `progress` is called once per distinct target as it completes.
    pub fn resolve_many(
        &self,
        targets: &[Target],
        progress: &(dyn Fn(&Target) + Sync),
    ) -> Vec<Result<Resolved, RegistryError>> {
        let mut seen = HashSet::new();
        let distinct: Vec<&Target> = targets.iter().filter(|t| seen.insert(*t)).collect();
        let next = AtomicUsize::new(0);
        let workers = self.opts.concurrency.clamp(1, distinct.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    while let Some(t) = distinct.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let _ = self.resolve(t);
                        progress(t);
                    }
                });
            }
        });
        targets.iter().map(|t| self.resolve(t)).collect()
    }

    fn resolve_uncached(&self, target: &Target) -> Result<Resolved, RegistryError> {
        let mirrors = self
            .opts
            .mirrors
            .get(&target.registry)
            .cloned()
            .unwrap_or_default();
        for mirror in &mirrors {
            // A mirror that fails (down, or without this image) falls through to the registry.
            if let Ok(r) = self.resolve_at(target, mirror) {
                return Ok(r);
            }
        }
        self.resolve_at(target, target.api_host())
    }

    fn scheme_for(&self, host: &str) -> &'static str {
        if self.allows_http(host) {
            "http"
        } else {
            "https"
        }
    }

    fn allows_http(&self, host: &str) -> bool {
        authority(host).is_some_and(|u| self.url_allows_http(&u))
    }

    /// Whether plain HTTP may be used to reach `url`'s host: loopback, or a host named with
    /// `--insecure-registry` (`host` for any port, `host:port` for that one).
    fn url_allows_http(&self, url: &Url) -> bool {
        let Some(host) = url.host() else {
            return false;
        };
        if host_is_loopback(&host) {
            return true;
        }
        let name = url.host_str().unwrap_or("").to_ascii_lowercase();
        let with_port = url_authority(url).to_ascii_lowercase();
        self.opts.insecure_registries.iter().any(|i| {
            let i = i.trim().to_ascii_lowercase();
            match authority(&i) {
                Some(u) if u.port().is_some() => url_authority(&u) == with_port,
                Some(u) => u.host_str().is_some_and(|h| h == name),
                None => false,
            }
        })
    }

    fn resolve_at(&self, target: &Target, host: &str) -> Result<Resolved, RegistryError> {
        let url = format!(
            "{}://{}/v2/{}/manifests/{}",
            self.scheme_for(host),
            host,
            target.repository,
            target.reference.as_str()
        );
        let head = self.manifest_request(Method::Head, &url, target, host)?;
        // A redirected answer's headers are the storage's, not the registry's: hash the body.
        if head.status == 200 && !head.redirected {
            let media_type = head.header("content-type").map(str::to_string);
            let kind = media_type.as_deref().and_then(kind_of_media_type);
            let digest = head
                .header("docker-content-digest")
                .map(str::trim)
                .filter(|d| is_valid_digest(d));
            if let (Some(digest), Some(kind)) = (digest, kind) {
                return Ok(Resolved {
                    digest: digest.to_string(),
                    kind,
                    media_type,
                });
            }
        }
        // No usable digest header (or HEAD not supported): fetch the manifest and hash it.
        let get = self.manifest_request(Method::Get, &url, target, host)?;
        if get.status != 200 {
            return Err(self.status_error(target, host, &get));
        }
        let digest = format!("sha256:{:x}", Sha256::digest(&get.body));
        if let Some(claimed) = get.header("docker-content-digest")
            && claimed.starts_with("sha256:")
            && claimed.trim() != digest
        {
            return Err(self.protocol(target, "Docker-Content-Digest does not match the body"));
        }
        let body: serde_json::Value = serde_json::from_slice(&get.body)
            .map_err(|_| self.protocol(target, "manifest is not JSON"))?;
        let body_type = body.get("mediaType").and_then(|m| m.as_str());
        let media_type = get
            .header("content-type")
            .filter(|c| kind_of_media_type(c).is_some())
            .or(body_type)
            .map(str::to_string);
        let kind = media_type
            .as_deref()
            .and_then(kind_of_media_type)
            .unwrap_or(if body.get("manifests").is_some() {
                ManifestKind::Index
            } else {
                ManifestKind::Manifest
            });
        Ok(Resolved {
            digest,
            kind,
            media_type,
        })
    }

    /// The platforms `target` is published for (`linux/amd64`, …): an index's entries, or a
    /// single image's own platform from its config blob. Asks the registry itself (no mirror).
    pub fn platforms(&self, target: &Target) -> Result<Vec<String>, RegistryError> {
        let host = target.api_host();
        let base = format!(
            "{}://{host}/v2/{}",
            self.scheme_for(host),
            target.repository
        );
        let url = format!("{base}/manifests/{}", target.reference.as_str());
        let reply = self.manifest_request(Method::Get, &url, target, host)?;
        let body: serde_json::Value = serde_json::from_slice(&reply.body)
            .map_err(|_| self.protocol(target, "manifest is not JSON"))?;
        if let Some(list) = super::platforms::index_platforms(&body) {
            return Ok(list);
        }
        let digest = super::platforms::config_digest(&body)
            .filter(|d| is_valid_digest(d))
            .ok_or_else(|| self.protocol(target, "manifest names no config"))?;
        let blob =
            self.manifest_request(Method::Get, &format!("{base}/blobs/{digest}"), target, host)?;
        let config: serde_json::Value = serde_json::from_slice(&blob.body)
            .map_err(|_| self.protocol(target, "image config is not JSON"))?;
        Ok(super::platforms::platform_of(&config).into_iter().collect())
    }

    fn protocol(&self, target: &Target, detail: &str) -> RegistryError {
        RegistryError::Protocol {
            reference: target.to_string(),
            registry: target.registry.clone(),
            detail: detail.to_string(),
        }
    }

    fn status_error(&self, target: &Target, host: &str, reply: &Reply) -> RegistryError {
        let reference = target.to_string();
        let registry = host.to_string();
        match reply.status {
            404 => RegistryError::NotFound {
                reference,
                registry,
            },
            401 | 403 => RegistryError::Unauthorized {
                reference,
                registry,
                detail: format!("HTTP {}", reply.status),
            },
            status => RegistryError::Http {
                reference,
                registry,
                status,
            },
        }
    }

    /// A manifest request with authentication: a known challenge for `host` is answered up
    /// front; a 401 is answered once (bearer token or basic credentials) and the request resent.
    fn manifest_request(
        &self,
        method: Method,
        url: &str,
        target: &Target,
        host: &str,
    ) -> Result<Reply, RegistryError> {
        let known = self
            .challenges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
            .cloned();
        let mut auth = match &known {
            Some(c) => self.authorization(c, target, host, false)?,
            None => None,
        };
        let mut answered = false;
        loop {
            let reply = self.send(method, url, auth.as_ref(), target, true)?;
            if reply.status == 200 {
                return Ok(reply);
            }
            if reply.status == 401 && !answered {
                answered = true;
                let challenge = reply
                    .header("www-authenticate")
                    .and_then(parse_challenge)
                    .ok_or_else(|| RegistryError::Unauthorized {
                        reference: target.to_string(),
                        registry: host.to_string(),
                        detail: "unsupported authentication challenge".to_string(),
                    })?;
                self.challenges
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(host.to_string(), challenge.clone());
                // A cached token that was refused is fetched afresh.
                auth = self.authorization(&challenge, target, host, auth.is_some())?;
                if auth.is_none() {
                    return Err(RegistryError::Unauthorized {
                        reference: target.to_string(),
                        registry: host.to_string(),
                        detail: "credentials required; none configured for this registry"
                            .to_string(),
                    });
                }
                continue;
            }
            if method == Method::Head && reply.status == 405 {
                return Ok(reply); // the caller falls back to GET
            }
            return Err(self.status_error(target, host, &reply));
        }
    }

    /// The `Authorization` value answering `challenge`, if any can be made.
    fn authorization(
        &self,
        challenge: &Challenge,
        target: &Target,
        host: &str,
        refresh: bool,
    ) -> Result<Option<Secret>, RegistryError> {
        // Credentials go only to the host they were configured for: a mirror gets its own.
        let creds = if host == target.api_host() {
            self.opts.credentials.get(&target.registry)
        } else {
            self.opts.credentials.get(host)
        };
        match challenge {
            Challenge::Basic => Ok(creds.map(|c| c.basic_header())),
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => {
                let wanted = format!("repository:{}:pull", target.repository);
                // The challenge's scope is for the repository that was asked about; reuse it only
                // when it is this one.
                let scope = match scope {
                    Some(s) if s.split(' ').any(|p| p.starts_with(&wanted)) => s.clone(),
                    _ => wanted,
                };
                let key = (host.to_string(), scope.clone());
                if !refresh
                    && let Some(t) = self
                        .tokens
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get(&key)
                {
                    return Ok(Some(Secret::new(format!("Bearer {}", t.expose()))));
                }
                let token = self.fetch_token(realm, service.as_deref(), &scope, creds, target)?;
                let header = Secret::new(format!("Bearer {}", token.expose()));
                self.tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, token);
                Ok(Some(header))
            }
        }
    }

    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        creds: Option<&super::Credentials>,
        target: &Target,
    ) -> Result<Secret, RegistryError> {
        let parsed = Url::parse(realm)
            .map_err(|_| self.protocol(target, "token realm is not an http(s) URL"))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // `http://127.0.0.1:1@evil.example/` reads as loopback to a careless eye and sends
            // credentials to evil.example: a realm with user info is refused outright.
            return Err(self.protocol(target, "token realm holds user info; refused"));
        }
        let realm_host = url_authority(&parsed);
        match parsed.scheme() {
            "https" => {}
            "http" if self.url_allows_http(&parsed) => {}
            "http" => {
                return Err(RegistryError::InsecureRefused {
                    registry: realm_host,
                });
            }
            _ => return Err(self.protocol(target, "token realm is not an http(s) URL")),
        }
        let mut url = parsed.to_string();
        let mut sep = if parsed.query().is_some() { '&' } else { '?' };
        if let Some(s) = service {
            url.push_str(&format!("{sep}service={}", percent_encode(s)));
            sep = '&';
        }
        url.push_str(&format!("{sep}scope={}", percent_encode(scope)));
        let auth = creds.map(|c| c.basic_header());
        let reply = self.send(Method::Get, &url, auth.as_ref(), target, false)?;
        if reply.status != 200 {
            return Err(RegistryError::Unauthorized {
                reference: target.to_string(),
                registry: target.registry.clone(),
                detail: format!("token server answered HTTP {}", reply.status),
            });
        }
        let body: serde_json::Value = serde_json::from_slice(&reply.body)
            .map_err(|_| self.protocol(target, "token response is not JSON"))?;
        body.get("token")
            .or_else(|| body.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(Secret::new)
            .ok_or_else(|| self.protocol(target, "token response holds no token"))
    }

    /// Sends a request, retrying with exponential backoff on 429 and 5xx, and following
    /// redirects (see the module documentation). A host that does not connect or answer in time
    /// is marked dead for the run: this request fails at once, and so do later ones to it.
    fn send(
        &self,
        method: Method,
        url: &str,
        auth: Option<&Secret>,
        target: &Target,
        manifest: bool,
    ) -> Result<Reply, RegistryError> {
        let mut current =
            Url::parse(url).map_err(|_| self.protocol(target, "request URL is invalid"))?;
        let origin = current.origin();
        for hop in 0..=MAX_REDIRECTS {
            // Credentials go only where they were meant to: never to another host.
            let auth = auth.filter(|_| current.origin() == origin);
            let here = url_authority(&current);
            let mut reply =
                self.send_once(method, current.as_str(), auth, target, &here, manifest)?;
            reply.redirected = hop > 0;
            if !matches!(reply.status, 301 | 302 | 303 | 307 | 308) {
                return Ok(reply);
            }
            let location = reply
                .header("location")
                .ok_or_else(|| self.protocol(target, "redirect without a Location"))?;
            let next = current
                .join(location)
                .map_err(|_| self.protocol(target, "redirect to an invalid URL"))?;
            match next.scheme() {
                "https" => {}
                "http" if self.url_allows_http(&next) => {}
                "http" => {
                    return Err(RegistryError::InsecureRefused {
                        registry: url_authority(&next),
                    });
                }
                _ => return Err(self.protocol(target, "redirect to a URL that is not http(s)")),
            }
            current = next;
        }
        Err(self.protocol(target, "too many redirects"))
    }

    /// One request (no redirect followed), with retries on 429 and 5xx.
    fn send_once(
        &self,
        method: Method,
        url: &str,
        auth: Option<&Secret>,
        target: &Target,
        host: &str,
        manifest: bool,
    ) -> Result<Reply, RegistryError> {
        if let Some(why) = self
            .dead
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
        {
            return Err(RegistryError::Transport {
                reference: target.to_string(),
                registry: host.to_string(),
                detail: format!("not asked again: {why} earlier in this run"),
            });
        }
        let attempts = self.opts.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let counter = if manifest {
                &self.manifest_requests
            } else {
                &self.token_requests
            };
            counter.fetch_add(1, Ordering::Relaxed);
            let accept = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(", ");
            let result = match method {
                Method::Head => {
                    let mut req = self.agent.head(url);
                    if manifest {
                        req = req.header("Accept", &accept);
                    }
                    if let Some(a) = auth {
                        req = req.header("Authorization", a.expose());
                    }
                    req.call()
                }
                Method::Get => {
                    let mut req = self.agent.get(url);
                    if manifest {
                        req = req.header("Accept", &accept);
                    }
                    if let Some(a) = auth {
                        req = req.header("Authorization", a.expose());
                    }
                    req.call()
                }
            };
            let retry_after;
            match result {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if (status == 429 || status >= 500) && attempt < attempts {
                        retry_after = resp
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse::<u64>().ok())
                            .map(Duration::from_secs);
                    } else {
                        let body = if method == Method::Get && status == 200 {
                            resp.body_mut()
                                .with_config()
                                .limit(MAX_BODY)
                                .read_to_vec()
                                .map_err(|e| self.unreachable(target, host, &e))?
                        } else {
                            Vec::new()
                        };
                        return Ok(Reply {
                            status,
                            headers: resp.headers().clone(),
                            body,
                            redirected: false,
                        });
                    }
                }
                Err(e) => return Err(self.unreachable(target, host, &e)),
            }
            self.retries.fetch_add(1, Ordering::Relaxed);
            let exp = self
                .opts
                .backoff
                .saturating_mul(1u32 << (attempt - 1).min(16));
            let delay = retry_after.unwrap_or(exp).min(self.opts.max_backoff);
            std::thread::sleep(delay);
        }
    }

    /// The error for a failed exchange; a host that did not connect or answer is given up on.
    fn unreachable(&self, target: &Target, host: &str, e: &ureq::Error) -> RegistryError {
        if is_unreachable(e) {
            self.dead
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(host.to_string())
                .or_insert_with(|| match e {
                    ureq::Error::Timeout(_) => "it did not answer in time".to_string(),
                    _ => "it could not be reached".to_string(),
                });
        }
        self.transport(target, host, e)
    }

    fn transport(&self, target: &Target, host: &str, e: &ureq::Error) -> RegistryError {
        RegistryError::Transport {
            reference: target.to_string(),
            registry: host.to_string(),
            detail: e.to_string(),
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_allow_plain_http_others_do_not() {
        let c = Client::new(ClientOptions {
            insecure_registries: vec!["reg.internal".into(), "other.example:5000".into()],
            ..ClientOptions::default()
        });
        for h in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.8.9.1",
            "[::1]:5000",
            "::1",
            "reg.internal:443",
            "other.example:5000",
        ] {
            assert_eq!(c.scheme_for(h), "http", "{h}");
        }
        for h in [
            "docker.io",
            "registry-1.docker.io",
            "10.0.0.1:5000",
            "other.example:5001",
            "localhost.evil.com",
            "127.0.0.1.nip.io",
        ] {
            assert_eq!(c.scheme_for(h), "https", "{h}");
        }
    }

    #[test]
    fn media_types_classify_manifests() {
        assert_eq!(
            kind_of_media_type("application/vnd.oci.image.index.v1+json"),
            Some(ManifestKind::Index)
        );
        assert_eq!(
            kind_of_media_type("application/vnd.docker.distribution.manifest.v2+json; x=y"),
            Some(ManifestKind::Manifest)
        );
        assert_eq!(kind_of_media_type("application/json"), None);
    }

    #[test]
    fn percent_encoding_of_scopes() {
        assert_eq!(
            percent_encode("repository:library/alpine:pull"),
            "repository%3Alibrary%2Falpine%3Apull"
        );
    }
}

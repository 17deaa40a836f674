//! Downloads the user asked for: the SHA-256 of the file an `ADD <url>` fetches, for the
//! add-url-checksum fix (`plimsoll check --fetch-checksums`). Linting never reaches this module
//! otherwise; it sits at the edge with the registry client, and plugs into the rules through
//! [`UrlChecksums`].
//!
//! HTTPS to any host; plain HTTP only to loopback addresses (a checksum taken over an
//! unauthenticated connection would pin whatever an attacker served). Each URL is downloaded
//! once per run, streamed through the hash (bounded memory), with a time limit and a size limit.

use crate::registry::host_is_loopback;
use crate::rules::settings::{ChecksumSource, UrlChecksums};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use url::Url;

/// Largest file hashed: an `ADD` of more than this is not worth a lint-time download.
pub const MAX_DOWNLOAD: u64 = 2 << 30;
/// Redirects followed for one download.
const MAX_REDIRECTS: usize = 5;
/// Time limit of one download, connection included.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// `sha256:<hex>` of everything `reader` yields, reading at most `limit` bytes.
pub fn sha256_of(mut reader: impl Read, limit: u64) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Err(std::io::Error::other(format!(
                "larger than {} MiB",
                limit >> 20
            )));
        }
        hasher.update(buf.get(..n).unwrap_or(&[]));
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("sha256:{hex}"))
}

/// Checksums by download, one download per URL per run.
pub struct HttpChecksums {
    agent: ureq::Agent,
    cache: Mutex<HashMap<String, Result<String, String>>>,
}

impl HttpChecksums {
    pub fn new() -> HttpChecksums {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed by `download`, which checks every hop.
            .max_redirects(0)
            .timeout_global(Some(DOWNLOAD_TIMEOUT))
            .timeout_connect(Some(Duration::from_secs(20)))
            .user_agent(concat!("plimsoll/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpChecksums {
            agent: config.into(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Downloads `url` and hashes it. Redirects are followed here, hop by hop, so that each
    /// one is held to the same rule as the first URL: a redirect from HTTPS to plain HTTP would
    /// otherwise pin whatever an attacker on the path served.
    fn download(&self, url: &str) -> Result<String, String> {
        let mut current = Url::parse(url).map_err(|e| format!("not a valid URL ({e})"))?;
        for _ in 0..=MAX_REDIRECTS {
            if !is_allowed(&current) {
                return Err(
                    "only https:// URLs are downloaded (plain http only from a loopback address)"
                        .to_string(),
                );
            }
            let mut response = self
                .agent
                .get(current.as_str())
                .call()
                .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or("the server redirected without a Location")?;
                current = current
                    .join(location)
                    .map_err(|e| format!("the server redirected to an invalid URL ({e})"))?;
                continue;
            }
            if status != 200 {
                return Err(format!("the server answered HTTP {status}"));
            }
            let reader = response.body_mut().as_reader();
            return sha256_of(reader, MAX_DOWNLOAD).map_err(|e| e.to_string());
        }
        Err("too many redirects".to_string())
    }
}

impl Default for HttpChecksums {
    fn default() -> HttpChecksums {
        HttpChecksums::new()
    }
}

impl UrlChecksums for HttpChecksums {
    fn sha256(&self, url: &str) -> Result<String, String> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(url).cloned()) {
            return hit;
        }
        // Two files adding the same URL at once may both download it; the result is the same.
        let got = self.download(url);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(url.to_string(), got.clone());
        }
        got
    }
}

/// The one download-backed source of a run (shared by every file and thread).
pub fn http_checksums() -> ChecksumSource {
    static SOURCE: OnceLock<Arc<HttpChecksums>> = OnceLock::new();
    let source: Arc<dyn UrlChecksums> = SOURCE
        .get_or_init(|| Arc::new(HttpChecksums::new()))
        .clone();
    ChecksumSource::new(source)
}

/// Files given by content instead of downloaded (the rule pages' examples declare what their
/// URLs serve); hashed exactly as a download is.
pub struct ServedFiles(pub BTreeMap<String, String>);

impl UrlChecksums for ServedFiles {
    fn sha256(&self, url: &str) -> Result<String, String> {
        let body = self.0.get(url).ok_or("the server answered HTTP 404")?;
        sha256_of(body.as_bytes(), MAX_DOWNLOAD).map_err(|e| e.to_string())
    }
}

/// `localhost`, 127.0.0.0/8 or `[::1]` as the host of `rest` (the URL after `scheme://`).
/// Whether `url` may be downloaded: HTTPS, or plain HTTP to a loopback address.
fn is_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => url.host().is_some_and(|h| host_is_loopback(&h)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_stream_and_refuse_oversized_input() {
        assert_eq!(
            sha256_of(&b"abc"[..], 10).unwrap(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(sha256_of(&b"abcdef"[..], 5).is_err());
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let allowed = |u: &str| Url::parse(u).is_ok_and(|u| is_allowed(&u));
        assert!(allowed("http://127.0.0.1:8080/x"));
        assert!(allowed("http://localhost/x"));
        assert!(allowed("http://[::1]:80/x"));
        assert!(allowed("http://user@127.0.0.2/x"));
        assert!(allowed("https://example.com/x"));
        assert!(!allowed("http://example.com/x"));
        assert!(!allowed("http://127.0.0.1.example.com/x"));
        // A backslash ends the authority (WHATWG URL rules, as the request is sent): the host
        // is example.com, whatever follows the `@`.
        assert!(!allowed("http://example.com\\@127.0.0.1/x"));
        assert!(!allowed("ftp://127.0.0.1/x"));
        let c = HttpChecksums::new();
        assert!(
            c.sha256("http://example.com/x")
                .unwrap_err()
                .contains("https://")
        );
        assert!(c.sha256("ftp://example.com/x").is_err());
    }

    #[test]
    fn served_files_hash_like_downloads() {
        let s = ServedFiles([("https://e.x/a".to_string(), "abc".to_string())].into());
        assert_eq!(
            s.sha256("https://e.x/a"),
            sha256_of(&b"abc"[..], 10).map_err(|e| e.to_string())
        );
        assert!(s.sha256("https://e.x/b").is_err());
    }
}

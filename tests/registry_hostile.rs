//! Registries that try to get credentials out, pin a digest they made up, or waste the run's
//! time: a fake registry in this process, on loopback only (tests/registry_support), plays each.
//!
//! - a bearer realm whose URL reads as loopback but names another host;
//! - redirects to plain HTTP elsewhere, and redirected answers whose digest header lies;
//! - a registry that accepts connections and never answers, or refuses them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod registry_support;

use plimsoll::registry::{Client, ClientOptions, Credentials, RegistryError, Target};
use registry_support::*;
use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "hunter2-registry-password";
const DIGEST_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const MANIFEST: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}"#;

fn manifest(digest: Option<&str>, body: &[u8]) -> Reply {
    let mut headers = vec![(
        "Content-Type".to_string(),
        "application/vnd.oci.image.manifest.v1+json".to_string(),
    )];
    if let Some(d) = digest {
        headers.push(("Docker-Content-Digest".to_string(), d.to_string()));
    }
    Reply {
        status: 200,
        headers,
        body: body.to_vec(),
    }
}

fn redirect(to: &str) -> Reply {
    Reply {
        status: 307,
        headers: vec![("Location".to_string(), to.to_string())],
        body: Vec::new(),
    }
}

fn client_for(host: &str) -> Client {
    let mut opts = ClientOptions {
        backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..ClientOptions::default()
    };
    opts.credentials
        .insert(host, Credentials::new("user", PASSWORD));
    Client::new(opts)
}

fn target(host: &str, repo: &str) -> Target {
    Target::parse(&format!("{host}/{repo}:1")).unwrap()
}

/// A realm `http://127.0.0.1:1@evil.example/token` is evil.example with user info `127.0.0.1:1`:
/// no request may go there (with or without the registry's Basic credentials), and the error
/// never shows the password.
#[test]
fn a_realm_with_user_info_is_refused() {
    for realm in [
        "http://127.0.0.1:1@evil.example/token",
        "http://[::1]@evil.example/token",
        "http://localhost:5000@evil.example/token",
        "https://user:pass@127.0.0.1/token",
    ] {
        let challenge = format!("Bearer realm=\"{realm}\",service=\"reg\"");
        let registry = MiniServer::start(move |_| Reply {
            status: 401,
            headers: vec![("WWW-Authenticate".into(), challenge.clone())],
            body: Vec::new(),
        });
        let c = client_for(&registry.host());
        let err = c.resolve(&target(&registry.host(), "app")).unwrap_err();
        assert!(
            matches!(err, RegistryError::Protocol { .. }),
            "{realm}: {err:?}"
        );
        assert!(err.to_string().contains("user info"), "{realm}: {err}");
        assert!(!format!("{err} {err:?}").contains(PASSWORD));
        // The manifest request only: no token request was sent anywhere.
        assert_eq!(c.request_counts().token, 0, "{realm}");
        assert_eq!(registry.requests.load(Ordering::SeqCst), 1, "{realm}");
    }
}

/// A realm on plain HTTP is allowed on loopback only: `http://evil.example/` is refused before
/// any request, while a loopback token server works.
#[test]
fn a_plain_http_realm_elsewhere_is_refused() {
    let registry = MiniServer::start(|_| Reply {
        status: 401,
        headers: vec![(
            "WWW-Authenticate".into(),
            "Bearer realm=\"http://evil.example/token\",service=\"reg\"".into(),
        )],
        body: Vec::new(),
    });
    let c = client_for(&registry.host());
    let err = c.resolve(&target(&registry.host(), "app")).unwrap_err();
    assert!(
        matches!(&err, RegistryError::InsecureRefused { registry } if registry == "evil.example"),
        "{err:?}"
    );
    assert_eq!(c.request_counts().token, 0);
}

/// A redirect from the registry to plain HTTP on another host is refused (nothing is fetched,
/// nothing is pinned), whatever the status code.
#[test]
fn a_redirect_to_plain_http_elsewhere_is_refused() {
    for to in [
        "http://evil.example/v2/app/manifests/1",
        "http://127.0.0.1.evil.example/v2/app/manifests/1",
        "http://127.0.0.1:1@evil.example/v2/app/manifests/1",
    ] {
        let to = to.to_string();
        let registry = MiniServer::start(move |_| redirect(&to));
        let err = client_for(&registry.host())
            .resolve(&target(&registry.host(), "app"))
            .unwrap_err();
        assert!(
            matches!(err, RegistryError::InsecureRefused { .. }),
            "{err:?}"
        );
    }
}

/// A redirected answer is another server's: the digest comes from hashing the body it serves
/// (never from its header), a header that disagrees with the body is an error, and the
/// registry's credentials never follow the redirect to another host.
#[test]
fn a_redirected_digest_is_checked_against_the_body() {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let seen2 = Arc::clone(&seen);
    // Storage: a HEAD answer claims a digest; GET serves a body that is something else.
    let storage = MiniServer::start(move |req| {
        seen2
            .lock()
            .unwrap()
            .push(req.header("authorization").map(str::to_string));
        if req.method == "HEAD" {
            manifest(Some(DIGEST_A), b"")
        } else {
            manifest(None, MANIFEST)
        }
    });
    let to = format!("http://{}/blobs/manifest", storage.host());
    let registry = MiniServer::start(move |req| {
        if req.header("authorization").is_none() {
            return Reply {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), "Basic realm=\"r\"".into())],
                body: Vec::new(),
            };
        }
        redirect(&to)
    });
    let r = client_for(&registry.host())
        .resolve(&target(&registry.host(), "app"))
        .unwrap();
    assert_eq!(r.digest, format!("sha256:{}", sha256_hex(MANIFEST)));
    assert_ne!(r.digest, DIGEST_A);
    assert!(seen.lock().unwrap().iter().all(Option::is_none), "{seen:?}");

    // A redirected GET whose header disagrees with its body is refused.
    let liar = MiniServer::start(|_| manifest(Some(DIGEST_A), MANIFEST));
    let to = format!("http://{}/m", liar.host());
    let registry = MiniServer::start(move |_| redirect(&to));
    let err = client_for(&registry.host())
        .resolve(&target(&registry.host(), "app"))
        .unwrap_err();
    assert!(err.to_string().contains("does not match the body"), "{err}");
}

/// Accepts connections and never answers: holds each one open until the test ends.
struct Silent {
    port: u16,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming() {
                match conn {
                    Ok(c) => held.push(c),
                    Err(_) => return,
                }
            }
        });
        Silent { port }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// A registry that never answers costs one timeout per run, not four per reference: the first
/// request gives up on the host, the others are not sent, and each says why.
#[test]
fn a_registry_that_never_answers_is_given_up_on_after_one_timeout() {
    let silent = Silent::start();
    let c = Client::new(ClientOptions {
        timeout: Duration::from_millis(500),
        ..ClientOptions::default()
    });
    let targets: Vec<Target> = (0..16)
        .map(|i| target(&silent.host(), &format!("r{i}")))
        .collect();
    let start = Instant::now();
    let results = c.resolve_many(&targets, &|_| {});
    let elapsed = start.elapsed();
    assert!(results.iter().all(Result::is_err));
    // The first wave (the client's concurrency) each waits one timeout at most; the rest skip.
    let sent = c.request_counts().manifest;
    assert!(sent <= 8, "{sent} requests sent to a dead host");
    let skipped = results
        .iter()
        .filter(|r| matches!(r, Err(e) if e.to_string().contains("not asked again")))
        .count();
    assert!(skipped >= 8, "{results:?}");
    // Generous backstop: 16 x 4 attempts x 0.5 s would be 32 s.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// Nothing listening: the first connection failure ends the host's run.
#[test]
fn a_registry_that_refuses_connections_is_tried_once() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("127.0.0.1:{port}");
    let c = Client::new(ClientOptions {
        concurrency: 1,
        ..ClientOptions::default()
    });
    let targets: Vec<Target> = (0..5).map(|i| target(&host, &format!("r{i}"))).collect();
    let results = c.resolve_many(&targets, &|_| {});
    assert!(results.iter().all(Result::is_err));
    assert_eq!(c.request_counts().manifest, 1);
    assert_eq!(c.request_counts().retries, 0);
}

/// `plimsoll pin --registry-timeout`: a dead registry and a missing tag do not stop the rest:
/// what resolves is pinned, every reference that does not is listed at the end, exit 2.
#[test]
fn pin_resolves_what_it_can_and_lists_the_rest() {
    let silent = Silent::start();
    let good = MiniServer::start(|req| {
        if req.path.contains("/manifests/1") {
            manifest(None, MANIFEST)
        } else {
            Reply {
                status: 404,
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "# syntax={dead}/frontend:1\nFROM {good}/base:1\nFROM {good}/base:missing\nFROM {dead}/other:1\n",
        dead = silent.host(),
        good = good.host()
    );
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let home = dir.path().join(".home");
    std::fs::create_dir_all(&home).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(plimsoll_bin())
            .arg("pin")
            .args(args)
            .current_dir(dir.path())
            .env("HOME", &home)
            .env_remove("DOCKER_CONFIG")
            .env_remove("PLIMSOLL_REGISTRY_HOST")
            .env_remove("PLIMSOLL_REGISTRY_MIRRORS")
            .output()
            .unwrap()
    };
    let start = Instant::now();
    let o = run(&["--registry-timeout", "1", "--all-or-nothing"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("nothing written"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );

    let o = run(&["--registry-timeout", "1"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    let list = err.rsplit("could not be resolved").next().unwrap_or("");
    for at in ["Dockerfile:1:10:", "Dockerfile:3:6:", "Dockerfile:4:6:"] {
        assert!(list.contains(at), "{at} not listed: {err}");
    }
    assert!(err.contains("3 references could not be resolved"), "{err}");
    let pinned = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    let digest = format!("sha256:{}", sha256_hex(MANIFEST));
    assert!(
        pinned.contains(&format!("FROM {}/base:1@{digest}\n", good.host())),
        "{pinned}"
    );
    assert!(pinned.contains(&format!("FROM {}/base:missing\n", good.host())));
    // Two runs against a dead host: one timeout each at most, not four per reference.
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
}

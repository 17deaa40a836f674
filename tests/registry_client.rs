//! The registry client against a real registry (docker-registry + skopeo) and against a scripted
//! HTTP server for failures a real registry will not produce on demand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod registry_support;

use plimsoll::registry::{Client, ClientOptions, ManifestKind, Reference, RegistryError, Target};
use registry_support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn client() -> Client {
    Client::new(ClientOptions {
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..ClientOptions::default()
    })
}

#[test]
fn single_platform_and_multi_platform_images() {
    if !available() {
        return;
    }
    let reg = Registry::start(None);
    let host = reg.host();
    build_and_push(&host, "single", "1.0", "single", false, None);
    build_and_push(&host, "multi/app", "2.0", "multi", true, None);

    let c = client();
    let single = c
        .resolve(&Target::parse(&format!("{host}/single:1.0")).unwrap())
        .unwrap();
    assert_eq!(single.kind, ManifestKind::Manifest);
    assert_eq!(
        single.digest,
        raw_digest(&format!("{host}/single:1.0"), None)
    );

    // A multi-platform image pins the index, not one platform's manifest.
    let multi = c
        .resolve(&Target::parse(&format!("{host}/multi/app:2.0")).unwrap())
        .unwrap();
    assert_eq!(multi.kind, ManifestKind::Index);
    assert_eq!(
        multi.digest,
        raw_digest(&format!("{host}/multi/app:2.0"), None)
    );
    assert_ne!(multi.digest, single.digest);

    // Resolving by digest gives the same digest back.
    let by_digest = Target::parse(&format!("{host}/multi/app@{}", multi.digest)).unwrap();
    assert_eq!(c.resolve(&by_digest).unwrap().digest, multi.digest);
    assert_eq!(c.request_counts().manifest, 3);
}

#[test]
fn missing_tag_and_repository_are_clear_errors() {
    if !available() {
        return;
    }
    let reg = Registry::start(None);
    let host = reg.host();
    build_and_push(&host, "present", "1", "p", false, None);
    let c = client();
    for r in [format!("{host}/present:nope"), format!("{host}/absent:1")] {
        let err = c.resolve(&Target::parse(&r).unwrap()).unwrap_err();
        assert!(matches!(err, RegistryError::NotFound { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains(&r) && msg.contains("manifest unknown"),
            "{msg}"
        );
    }
}

#[test]
fn two_hundred_references_to_twenty_images_cost_twenty_manifest_requests() {
    if !available() {
        return;
    }
    let reg = Registry::start(None);
    let host = reg.host();
    // 20 distinct references: 4 repositories × 5 tags.
    let dir = tempfile::tempdir().unwrap();
    let mut distinct = Vec::new();
    for r in 0..4 {
        let layout = dir.path().join(format!("l{r}"));
        for t in 0..5 {
            let tag = format!("v{t}");
            oci_layout(&layout, &tag, &format!("repo{r}-tag{t}"), false);
            push(
                &layout,
                &tag,
                &format!("{host}/team/app{r}:{tag}"),
                false,
                None,
            );
            distinct.push(Target::parse(&format!("{host}/team/app{r}:{tag}")).unwrap());
        }
    }
    // 200 references, interleaved so concurrent workers see duplicates at once.
    let refs: Vec<Target> = (0..200).map(|i| distinct[(i * 7) % 20].clone()).collect();
    let c = Client::new(ClientOptions {
        concurrency: 8,
        ..ClientOptions::default()
    });
    let done = AtomicUsize::new(0);
    let start = std::time::Instant::now();
    let results = c.resolve_many(&refs, &|_| {
        done.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(results.len(), 200);
    assert_eq!(done.load(Ordering::Relaxed), 20);
    let counts = c.request_counts();
    eprintln!(
        "200 references, 20 images: {counts:?} in {:?}",
        start.elapsed()
    );
    assert!(counts.manifest <= 20, "{counts:?}");
    for (t, r) in refs.iter().zip(&results) {
        let r = r.as_ref().unwrap();
        let again = c.resolve(t).unwrap();
        assert_eq!(r, &again);
    }
    // Distinct images have distinct digests.
    let mut digests: Vec<&str> = results
        .iter()
        .map(|r| r.as_ref().unwrap().digest.as_str())
        .collect();
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), 20);
    assert_eq!(c.request_counts().manifest, counts.manifest);
}

const DIGEST_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn manifest_reply(digest: Option<&str>, body: &[u8]) -> Reply {
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

#[test]
fn retries_429_and_5xx_with_backoff_then_succeeds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let calls2 = Arc::clone(&calls);
    let server = MiniServer::start(move |_req| match calls2.fetch_add(1, Ordering::SeqCst) {
        0 => Reply {
            status: 429,
            headers: vec![("Retry-After".into(), "0".into())],
            body: Vec::new(),
        },
        1 => Reply {
            status: 503,
            headers: Vec::new(),
            body: Vec::new(),
        },
        _ => manifest_reply(Some(DIGEST_A), b""),
    });
    let c = client();
    let r = c
        .resolve(&Target::parse(&format!("{}/flaky:1", server.host())).unwrap())
        .unwrap();
    assert_eq!(r.digest, DIGEST_A);
    let counts = c.request_counts();
    assert_eq!((counts.manifest, counts.retries), (3, 2));
}

#[test]
fn retries_are_bounded() {
    let server = MiniServer::start(|_req| Reply {
        status: 500,
        headers: Vec::new(),
        body: Vec::new(),
    });
    let c = Client::new(ClientOptions {
        max_attempts: 3,
        backoff: Duration::from_millis(1),
        ..ClientOptions::default()
    });
    let err = c
        .resolve(&Target::parse(&format!("{}/down:1", server.host())).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::Http { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(c.request_counts().manifest, 3);
    assert_eq!(server.requests.load(Ordering::SeqCst), 3);
}

#[test]
fn without_a_digest_header_the_body_is_hashed() {
    let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let server = MiniServer::start(move |req| {
        if req.method == "HEAD" {
            Reply {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            }
        } else {
            Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.to_vec(),
            }
        }
    });
    let r = client()
        .resolve(&Target::parse(&format!("{}/nohdr:1", server.host())).unwrap())
        .unwrap();
    assert_eq!(r.digest, format!("sha256:{}", sha256_hex(body)));
    assert_eq!(r.kind, ManifestKind::Index);
}

#[test]
fn a_digest_header_that_disagrees_with_the_body_is_refused() {
    let server = MiniServer::start(|_req| Reply {
        status: 200,
        headers: vec![("Docker-Content-Digest".into(), DIGEST_A.into())],
        body: br#"{"schemaVersion":2}"#.to_vec(),
    });
    let err = client()
        .resolve(&Target::parse(&format!("{}/liar:1", server.host())).unwrap())
        .unwrap_err();
    assert!(matches!(err, RegistryError::Protocol { .. }), "{err:?}");
}

#[test]
fn a_mirror_is_tried_first_and_a_failing_mirror_falls_through() {
    let mirror = MiniServer::start(|req| {
        if req.path.contains("/mirrored/") {
            manifest_reply(Some(DIGEST_A), b"")
        } else {
            Reply {
                status: 404,
                headers: Vec::new(),
                body: Vec::new(),
            }
        }
    });
    let upstream = MiniServer::start(|_req| {
        manifest_reply(
            Some("sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            b"",
        )
    });
    let mut opts = ClientOptions::default();
    opts.add_mirrors(&format!("{}={}", upstream.host(), mirror.host()));
    let c = Client::new(opts);
    let hit = c
        .resolve(&Target::new(
            &upstream.host(),
            "mirrored/app",
            Reference::Tag("1".into()),
        ))
        .unwrap();
    assert_eq!(hit.digest, DIGEST_A);
    assert_eq!(upstream.requests.load(Ordering::SeqCst), 0);
    let miss = c
        .resolve(&Target::new(
            &upstream.host(),
            "other/app",
            Reference::Tag("1".into()),
        ))
        .unwrap();
    assert!(miss.digest.starts_with("sha256:bbbb"));
    assert_eq!(upstream.requests.load(Ordering::SeqCst), 1);
}

#[test]
fn a_mirror_never_receives_the_registry_credentials() {
    use std::sync::Mutex;
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::new(Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    let mirror = MiniServer::start(move |req| {
        seen2
            .lock()
            .unwrap()
            .push(req.header("authorization").map(str::to_string));
        Reply {
            status: 401,
            headers: vec![("WWW-Authenticate".into(), "Basic realm=\"m\"".into())],
            body: Vec::new(),
        }
    });
    let upstream = MiniServer::start(|req| {
        if req.header("authorization").is_some() {
            manifest_reply(Some(DIGEST_A), b"")
        } else {
            Reply {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), "Basic realm=\"u\"".into())],
                body: Vec::new(),
            }
        }
    });
    let mut opts = ClientOptions::default();
    opts.add_mirrors(&format!("{}={}", upstream.host(), mirror.host()));
    opts.credentials.insert(
        &upstream.host(),
        plimsoll::registry::Credentials::new("u", "upstream-secret"),
    );
    let r = Client::new(opts)
        .resolve(&Target::new(
            &upstream.host(),
            "app",
            Reference::Tag("1".into()),
        ))
        .unwrap();
    assert_eq!(r.digest, DIGEST_A);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0], None);
}

#[test]
fn anonymous_bearer_flow_like_docker_hub() {
    let tokens = MiniServer::start(|req| {
        // Docker Hub's token service: anonymous pull tokens, `access_token` as well as `token`.
        let ok = req.query("service") == ["registry.example"]
            && req.query("scope") == ["repository:library/alpine:pull"]
            && req.header("authorization").is_none();
        Reply {
            status: if ok { 200 } else { 400 },
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"access_token":"anon-token","expires_in":300}"#.to_vec(),
        }
    });
    let realm = format!("http://{}/token", tokens.host());
    let registry = MiniServer::start(move |req| {
        if req.header("authorization") == Some("Bearer anon-token") {
            manifest_reply(Some(DIGEST_A), b"")
        } else {
            Reply {
                status: 401,
                headers: vec![(
                    "WWW-Authenticate".into(),
                    format!(
                        "Bearer realm=\"{realm}\",service=\"registry.example\",scope=\"repository:library/alpine:pull\""
                    ),
                )],
                body: Vec::new(),
            }
        }
    });
    let c = client();
    let r = c
        .resolve(&Target::new(
            &registry.host(),
            "library/alpine",
            Reference::Tag("3".into()),
        ))
        .unwrap();
    assert_eq!(r.digest, DIGEST_A);
    let counts = c.request_counts();
    assert_eq!((counts.manifest, counts.token), (2, 1));
}

#[test]
fn a_slow_registry_times_out_once_and_is_not_asked_again() {
    let server = MiniServer::start(|_req| {
        std::thread::sleep(Duration::from_millis(1500));
        manifest_reply(Some(DIGEST_A), b"")
    });
    let c = Client::new(ClientOptions {
        timeout: Duration::from_millis(200),
        max_attempts: 2,
        backoff: Duration::from_millis(1),
        ..ClientOptions::default()
    });
    let start = std::time::Instant::now();
    let err = c
        .resolve(&Target::parse(&format!("{}/slow:1", server.host())).unwrap())
        .unwrap_err();
    assert!(matches!(err, RegistryError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("timeout"), "{err}");
    // A timeout is not retried: the host did not answer, and is given up on for the run.
    assert_eq!(c.request_counts().manifest, 1);
    let err = c
        .resolve(&Target::parse(&format!("{}/other:1", server.host())).unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("not asked again"), "{err}");
    assert_eq!(c.request_counts().manifest, 1);
    assert!(start.elapsed() < Duration::from_secs(3));
}

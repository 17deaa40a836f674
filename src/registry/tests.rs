use super::auth::{Challenge, parse_challenge};
use super::*;

fn tag(t: &str) -> Reference {
    Reference::Tag(t.to_string())
}

#[test]
fn docker_hub_naming() {
    let t = Target::parse("alpine:3.19").unwrap();
    assert_eq!(t.to_string(), "docker.io/library/alpine:3.19");
    assert_eq!(t.api_host(), "registry-1.docker.io");
    assert_eq!(
        Target::parse("index.docker.io/bitnami/redis")
            .unwrap()
            .to_string(),
        "docker.io/bitnami/redis:latest"
    );
    assert_eq!(
        Target::new("registry-1.docker.io", "nginx", tag("1")).to_string(),
        "docker.io/library/nginx:1"
    );
    // Other registries keep single-component repositories as they are.
    let t = Target::parse("localhost:5000/app:v1").unwrap();
    assert_eq!(
        (t.registry.as_str(), t.repository.as_str()),
        ("localhost:5000", "app")
    );
    assert_eq!(t.api_host(), "localhost:5000");
}

#[test]
fn digests_win_over_tags() {
    let d = format!("sha256:{}", "0".repeat(64));
    let t = Target::parse(&format!("ghcr.io/o/r:1@{d}")).unwrap();
    assert_eq!(t.reference, Reference::Digest(d.clone()));
    assert_eq!(t.to_string(), format!("ghcr.io/o/r@{d}"));
}

#[test]
fn bad_references_are_refused() {
    for s in [
        "",
        "UPPER",
        "a:",
        "a:-x",
        "a@sha256:12",
        "reg.io/",
        "a//b",
        "a:b:c@",
    ] {
        assert!(Target::parse(s).is_err(), "{s}");
    }
}

#[test]
fn parses_challenges() {
    let c = parse_challenge(
        r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
    );
    assert_eq!(
        c,
        Some(Challenge::Bearer {
            realm: "https://auth.docker.io/token".into(),
            service: Some("registry.docker.io".into()),
            scope: Some("repository:library/alpine:pull".into()),
        })
    );
    assert_eq!(
        parse_challenge(r#"Basic realm="Registry Realm""#),
        Some(Challenge::Basic)
    );
    assert_eq!(parse_challenge("Negotiate abc"), None);
    assert_eq!(parse_challenge(r#"Bearer service="x""#), None);
    // Quoted commas and escapes, unquoted values.
    assert_eq!(
        parse_challenge(r#"bearer realm=http://127.0.0.1:1/t, scope="a,b \"c\"""#),
        Some(Challenge::Bearer {
            realm: "http://127.0.0.1:1/t".into(),
            service: None,
            scope: Some("a,b \"c\"".into()),
        })
    );
}

#[test]
fn docker_config_credentials_and_redaction() {
    let mut store = CredentialStore::empty();
    // "alice:s3cret" and an explicit username/password entry.
    store.add_docker_config(
        r#"{"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6czNjcmV0"},
            "127.0.0.1:5000":{"username":"bob","password":"hunter2"},
            "broken.example":{"auth":"!!!"}},
            "credsStore":"desktop"}"#,
    );
    let hub = store.get("docker.io").unwrap();
    assert_eq!(hub.username.expose(), "alice");
    assert_eq!(hub.password.expose(), "s3cret");
    assert_eq!(
        store.get("127.0.0.1:5000").unwrap().password.expose(),
        "hunter2"
    );
    assert!(store.get("broken.example").is_none());
    let shown = format!("{store:?} {hub:?} {}", hub.password);
    for secret in ["alice", "s3cret", "YWxpY2U6czNjcmV0", "hunter2", "bob"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    // Unparsable config: no credentials, no panic.
    store.add_docker_config("{not json");
}

#[test]
fn errors_never_carry_credentials() {
    let mut store = CredentialStore::empty();
    store.insert("127.0.0.1:9", Credentials::new("user", "pa55word"));
    let client = Client::new(ClientOptions {
        credentials: store,
        max_attempts: 1,
        ..ClientOptions::default()
    });
    // Nothing listens on port 9 (discard) here: a transport error.
    let err = client
        .resolve(&Target::parse("127.0.0.1:9/x:1").unwrap())
        .unwrap_err();
    let text = format!("{err} {err:?} {client:?}");
    assert!(
        !text.contains("pa55word") && !text.contains("user:"),
        "{text}"
    );
    assert!(matches!(err, RegistryError::Transport { .. }), "{err:?}");
}

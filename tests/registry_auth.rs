//! Basic and bearer-token authentication against a real registry.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod registry_support;

use plimsoll::registry::{
    Client, ClientOptions, CredentialStore, Credentials, ManifestKind, RegistryError, Target,
};
use registry_support::*;
use std::sync::atomic::Ordering;

const USER: &str = "tester";
const PASSWORD: &str = "correct-horse-battery";

fn client_with(host: &str, user: &str, password: &str) -> Client {
    let mut creds = CredentialStore::empty();
    creds.insert(host, Credentials::new(user, password));
    Client::new(ClientOptions {
        credentials: creds,
        max_attempts: 1,
        ..ClientOptions::default()
    })
}

fn assert_no_secret(err: &RegistryError) {
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(PASSWORD) && !text.contains("wrong-password"),
        "{text}"
    );
}

#[test]
fn basic_auth_from_htpasswd() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(auth) = htpasswd_auth(dir.path(), USER, PASSWORD) else {
        return;
    };
    let reg = Registry::start(Some(&auth));
    let host = reg.host();
    let creds = format!("{USER}:{PASSWORD}");
    build_and_push(&host, "private/app", "1", "basic", true, Some(&creds));
    let target = Target::parse(&format!("{host}/private/app:1")).unwrap();

    let c = client_with(&host, USER, PASSWORD);
    let r = c.resolve(&target).unwrap();
    assert_eq!(r.kind, ManifestKind::Index);
    assert_eq!(
        r.digest,
        raw_digest(&format!("{host}/private/app:1"), Some(&creds))
    );
    // Once the registry has asked for Basic, later references send it up front.
    let before = c.request_counts().manifest;
    let _ = c.resolve(&Target::parse(&format!("{host}/private/app:2")).unwrap());
    assert_eq!(c.request_counts().manifest, before + 1);

    let anonymous = Client::new(ClientOptions::default());
    let err = anonymous.resolve(&target).unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
    assert!(err.to_string().contains("credentials required"), "{err}");

    let wrong = client_with(&host, USER, "wrong-password");
    let err = wrong.resolve(&target).unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
    assert_no_secret(&err);
}

#[test]
fn bearer_token_auth_with_a_trusted_token_server() {
    if !available() {
        return;
    }
    let tokens = TokenServer::start(USER, PASSWORD);
    let reg = Registry::start(Some(&tokens.registry_auth()));
    let host = reg.host();
    let creds = format!("{USER}:{PASSWORD}");
    build_and_push(&host, "secure/one", "1", "bearer-one", false, Some(&creds));
    build_and_push(&host, "secure/two", "1", "bearer-two", true, Some(&creds));

    let raw_one = raw_digest(&format!("{host}/secure/one:1"), Some(&creds));
    let raw_two = raw_digest(&format!("{host}/secure/two:1"), Some(&creds));
    let c = client_with(&host, USER, PASSWORD);
    let tokens_before = tokens.server.requests.load(Ordering::SeqCst);
    let one = c
        .resolve(&Target::parse(&format!("{host}/secure/one:1")).unwrap())
        .unwrap();
    assert_eq!(one.kind, ManifestKind::Manifest);
    assert_eq!(one.digest, raw_one);
    // First reference: the 401 challenge, then the request with a token.
    assert_eq!(c.request_counts().manifest, 2);
    assert_eq!(c.request_counts().token, 1);

    // A second repository on the same registry gets its token up front: one manifest request.
    let two = c
        .resolve(&Target::parse(&format!("{host}/secure/two:1")).unwrap())
        .unwrap();
    assert_eq!(two.kind, ManifestKind::Index);
    assert_eq!(two.digest, raw_two);
    assert_eq!(c.request_counts().manifest, 3);
    assert_eq!(c.request_counts().token, 2);
    // The same repository at another tag reuses the token.
    let _ = c.resolve(&Target::parse(&format!("{host}/secure/two:missing")).unwrap());
    assert_eq!(c.request_counts().token, 2);
    assert_eq!(
        tokens.server.requests.load(Ordering::SeqCst) - tokens_before,
        2
    );

    // Anonymous tokens carry no access: the registry refuses them, and the error says so.
    let anonymous = Client::new(ClientOptions {
        max_attempts: 1,
        ..ClientOptions::default()
    });
    let err = anonymous
        .resolve(&Target::parse(&format!("{host}/secure/one:1")).unwrap())
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");

    let wrong = client_with(&host, USER, "wrong-password");
    let err = wrong
        .resolve(&Target::parse(&format!("{host}/secure/one:1")).unwrap())
        .unwrap_err();
    assert!(matches!(err, RegistryError::Unauthorized { .. }), "{err:?}");
    assert_no_secret(&err);
}

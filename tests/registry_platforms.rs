//! Base-image platforms without a daemon, against a real registry (docker-registry + skopeo):
//! the client reads an index's platforms and a single image's own; `pin --lock` records them in
//! plimsoll.lock, where `check` finds them offline; `check --online` asks the registry.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod registry_support;

use plimsoll::registry::{Client, ClientOptions, LockFile, Target};
use plimsoll::rules::catalog::RuleId;
use registry_support::*;

#[test]
fn platforms_from_the_registry_the_lock_and_check() {
    if !available() {
        return;
    }
    let reg = Registry::start(None);
    let host = reg.host();
    // `single` is published for linux/amd64 only; `multi` for linux/amd64 and linux/arm64.
    build_and_push(&host, "single", "1.0", "single", false, None);
    build_and_push(&host, "multi", "2.0", "multi", true, None);

    let client = Client::new(ClientOptions::default());
    let single = Target::parse(&format!("{host}/single:1.0")).unwrap();
    let multi = Target::parse(&format!("{host}/multi:2.0")).unwrap();
    assert_eq!(client.platforms(&single).unwrap(), ["linux/amd64"]);
    assert_eq!(
        client.platforms(&multi).unwrap(),
        ["linux/amd64", "linux/arm64"]
    );

    let dir = tempfile::tempdir().unwrap();
    let dockerfile = format!("FROM {host}/single:1.0 AS tools\nFROM {host}/multi:2.0\n");
    std::fs::write(dir.path().join("Dockerfile"), &dockerfile).unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--isolated",
            "--format",
            "concise",
            "--select",
            "invalid-base-image-platform",
            "--platform",
            "linux/arm64",
        ];
        args.extend_from_slice(extra);
        args.push("Dockerfile");
        run_plimsoll(dir.path(), &args, None)
    };

    // Offline and without a lock: nothing is known, nothing is said.
    let quiet = check(&[]);
    assert_eq!(quiet.code, 0, "{}{}", quiet.stdout, quiet.stderr);

    // Online: the registry says `single` has no arm64 image.
    let online = check(&["--online"]);
    assert_eq!(online.code, 1, "{}{}", online.stdout, online.stderr);
    assert!(
        online
            .stdout
            .contains(RuleId::InvalidBaseImagePlatform.code()),
        "{}",
        online.stdout
    );
    assert!(online.stdout.contains(":1:6:"), "{}", online.stdout);
    assert!(!online.stdout.contains(":2:"), "{}", online.stdout);

    // `pin --lock` pins the references and records the platforms; then the lock answers offline.
    let pin = run_plimsoll(dir.path(), &["pin", "--lock", "Dockerfile"], None);
    assert_eq!(pin.code, 0, "{}{}", pin.stdout, pin.stderr);
    let lock = LockFile::read(&dir.path().join("plimsoll.lock")).unwrap();
    assert_eq!(
        lock.get(&single.to_string()).unwrap().platforms,
        ["linux/amd64"]
    );
    let offline = check(&[]);
    assert_eq!(offline.code, 1, "{}{}", offline.stdout, offline.stderr);
    assert!(
        offline
            .stdout
            .contains(RuleId::InvalidBaseImagePlatform.code()),
        "{}",
        offline.stdout
    );
    // For the platform it is published for, the image is fine.
    let amd64 = run_plimsoll(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            RuleId::InvalidBaseImagePlatform.code(),
            "--platform",
            "linux/amd64",
            "Dockerfile",
        ],
        None,
    );
    assert_eq!(amd64.code, 0, "{}{}", amd64.stdout, amd64.stderr);
}

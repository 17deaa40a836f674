//! add-url-checksum's fix end to end: `plimsoll check --fetch-checksums` downloads what an
//! `ADD <url>` fetches (here from a server on a loopback address, the only place plain HTTP is
//! allowed) and writes its SHA-256; without the flag nothing is downloaded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const BODY: &[u8] = b"#!/bin/sh\necho installed\n";

/// Serves `BODY` at `/tool.sh`, a redirect to `/tool.sh` at `/moved.sh`, a redirect to a plain
/// HTTP address that is not loopback at `/away.sh`, and 404 elsewhere, counting requests, until
/// the test ends.
fn serve() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            // Read the headers up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or("");
            let (status, location, body): (&str, &str, &[u8]) = match path {
                "/tool.sh" => ("200 OK", "", BODY),
                "/moved.sh" => ("302 Found", "/tool.sh", b""),
                "/away.sh" => ("302 Found", "http://example.com/tool.sh", b""),
                _ => ("404 Not Found", "", b""),
            };
            let location = if location.is_empty() {
                String::new()
            } else {
                format!("Location: {location}\r\n")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{location}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    (format!("http://{addr}"), hits)
}

fn project(dockerfile: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("Dockerfile"), dockerfile).unwrap();
    tmp
}

/// `plimsoll check` of the project's Dockerfile with add-url-checksum and unsafe fixes, with
/// `--fetch-checksums` when `fetch`, findings in concise form.
fn check(dir: &tempfile::TempDir, fetch: bool) -> support::Run {
    let mut args = vec!["check", "--isolated", "--select", "add-url-checksum"];
    if fetch {
        args.push("--fetch-checksums");
    }
    args.extend(["--unsafe-fixes", "--format", "concise", "Dockerfile"]);
    support::run_plimsoll(dir.path(), &args, None)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_fix_writes_the_checksum_of_what_the_url_serves() {
    let (base, _hits) = serve();
    let text = format!("FROM alpine:3.20\nADD --chmod=755 {base}/tool.sh /usr/local/bin/tool\n");
    let dir = project(&text);
    let run = check(&dir, true);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        fixed,
        format!(
            "FROM alpine:3.20\nADD --checksum=sha256:{} --chmod=755 {base}/tool.sh /usr/local/bin/tool\n",
            sha256_hex(BODY)
        )
    );
}

#[test]
fn a_redirect_is_followed_when_its_target_is_allowed_too() {
    let (base, hits) = serve();
    let text = format!("FROM alpine:3.20\nADD {base}/moved.sh /tool.sh\n");
    let dir = project(&text);
    let run = check(&dir, true);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(fixed.contains(&sha256_hex(BODY)), "{fixed}");
}

#[test]
fn a_redirect_to_plain_http_elsewhere_is_refused() {
    let (base, hits) = serve();
    let text = format!("FROM alpine:3.20\nADD {base}/away.sh /tool.sh\n");
    let dir = project(&text);
    let run = check(&dir, true);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("only https://"), "{}", run.stdout);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
}

#[test]
fn a_failed_download_is_explained_and_nothing_is_changed() {
    let (base, _hits) = serve();
    let text = format!("FROM alpine:3.20\nADD {base}/missing.sh /missing.sh\n");
    let dir = project(&text);
    let run = check(&dir, true);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("HTTP 404"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
}

#[test]
fn without_the_flag_nothing_is_downloaded() {
    let (base, hits) = serve();
    let text = format!("FROM alpine:3.20\nADD {base}/tool.sh /tool.sh\n");
    let dir = project(&text);
    let run = check(&dir, false);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("--fetch-checksums"), "{}", run.stdout);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
}

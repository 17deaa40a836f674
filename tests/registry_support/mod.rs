//! A real registry for tests: Debian's `docker-registry` on 127.0.0.1, images pushed with
//! `skopeo` from OCI layouts built here, a token server for bearer auth, and a scriptable HTTP
//! server for failure injection.
#![allow(dead_code)]

use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "../support/mod.rs"]
mod support;
pub use support::*;

/// Whether the registry and skopeo are installed (prints a skip message when not).
pub fn available() -> bool {
    have_tool("docker-registry") && have_tool("skopeo")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `docker-registry serve`; killed on drop.
pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry with an `auth:` section (YAML, indented under `auth:`), or none.
    pub fn start(auth: Option<&str>) -> Registry {
        let mut last_log = String::new();
        // Retry on the rare port clash between picking a port and the registry binding it.
        for _ in 0..3 {
            let dir = tempfile::tempdir().expect("tempdir");
            let storage = dir.path().join("storage");
            std::fs::create_dir(&storage).expect("storage dir");
            let port = free_port();
            let mut config = format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: plimsoll-test\n",
                storage.display()
            );
            if let Some(a) = auth {
                config.push_str("auth:\n");
                config.push_str(a);
            }
            let config_path = dir.path().join("config.yml");
            std::fs::write(&config_path, config).expect("write config");
            let log_path = dir.path().join("registry.log");
            let log = std::fs::File::create(&log_path).expect("log");
            let child = Command::new("docker-registry")
                .arg("serve")
                .arg(&config_path)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("spawn docker-registry");
            let mut reg = Registry { child, port, dir };
            if reg.wait_ready() {
                return reg;
            }
            reg.stop();
            last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
        }
        panic!("docker-registry did not start: {last_log}");
    }

    /// Polls until the registry answers HTTP on /v2/ (any status), or gives up after 20 s.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!(
                    "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    self.port
                );
                if s.write_all(req.as_bytes()).is_ok() {
                    let mut buf = [0u8; 12];
                    if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1") {
                        return true;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the registry now (for offline tests).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Writes a one-file layer tar (ustar).
fn tar_with_file(name: &str, content: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let octal = |h: &mut [u8; 512], at: usize, width: usize, v: u64| {
        let s = format!("{v:0w$o}\0", w = width - 1);
        h[at..at + width].copy_from_slice(s.as_bytes());
    };
    octal(&mut h, 100, 8, 0o644);
    octal(&mut h, 108, 8, 0);
    octal(&mut h, 116, 8, 0);
    octal(&mut h, 124, 12, content.len() as u64);
    octal(&mut h, 136, 12, 1_700_000_000);
    h[148..156].copy_from_slice(b"        ");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.resize(out.len() + 1024, 0);
    out
}

struct Layout {
    dir: PathBuf,
}

impl Layout {
    fn blob(&self, bytes: &[u8]) -> (String, usize) {
        let hex = sha256_hex(bytes);
        let dir = self.dir.join("blobs/sha256");
        std::fs::create_dir_all(&dir).expect("blobs dir");
        std::fs::write(dir.join(&hex), bytes).expect("write blob");
        (format!("sha256:{hex}"), bytes.len())
    }

    fn image(&self, seed: &str, arch: &str) -> (String, usize) {
        let layer = tar_with_file("hello.txt", format!("{seed} {arch}\n").as_bytes());
        let (layer_digest, layer_size) = self.blob(&layer);
        let config = serde_json::json!({
            "architecture": arch, "os": "linux",
            "config": {}, "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        });
        let (config_digest, config_size) = self.blob(config.to_string().as_bytes());
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": layer_digest, "size": layer_size}],
        });
        self.blob(manifest.to_string().as_bytes())
    }
}

/// Builds an OCI image layout in `dir` with one image tagged `tag`; with `multi`, the tag names an
/// index of two platform manifests (amd64, arm64). `seed` makes the content distinct.
pub fn oci_layout(dir: &Path, tag: &str, seed: &str, multi: bool) {
    let layout = Layout {
        dir: dir.to_path_buf(),
    };
    std::fs::create_dir_all(dir).expect("layout dir");
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)
        .expect("oci-layout");
    let ref_name = serde_json::json!({"org.opencontainers.image.ref.name": tag});
    let top = if multi {
        let (a, asz) = layout.image(seed, "amd64");
        let (b, bsz) = layout.image(seed, "arm64");
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": a, "size": asz,
                 "platform": {"architecture": "amd64", "os": "linux"}},
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": b, "size": bsz,
                 "platform": {"architecture": "arm64", "os": "linux"}},
            ],
        });
        let (d, sz) = layout.blob(index.to_string().as_bytes());
        serde_json::json!({"mediaType": "application/vnd.oci.image.index.v1+json",
                           "digest": d, "size": sz, "annotations": ref_name})
    } else {
        let (d, sz) = layout.image(seed, "amd64");
        serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "digest": d, "size": sz, "annotations": ref_name})
    };
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [top]});
    std::fs::write(dir.join("index.json"), index.to_string()).expect("index.json");
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run tool");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `skopeo copy` of `layout:tag` to `docker://dest` (`host/name:tag`); `all` copies an index with
/// every platform.
pub fn push(layout: &Path, tag: &str, dest: &str, all: bool, creds: Option<&str>) {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "--insecure-policy",
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
    ]);
    if all {
        cmd.arg("--all");
    }
    if let Some(c) = creds {
        cmd.args(["--dest-creds", c]);
    }
    cmd.arg(format!("oci:{}:{tag}", layout.display()))
        .arg(format!("docker://{dest}"));
    run(&mut cmd);
}

/// Builds a layout for `seed` and pushes it to `host/name:tag`.
pub fn build_and_push(
    host: &str,
    name: &str,
    tag: &str,
    seed: &str,
    multi: bool,
    creds: Option<&str>,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("layout");
    oci_layout(&layout, tag, seed, multi);
    push(&layout, tag, &format!("{host}/{name}:{tag}"), multi, creds);
}

/// `sha256:` of the manifest as stored in the registry (`skopeo inspect --raw`).
pub fn raw_digest(reference: &str, creds: Option<&str>) -> String {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "--insecure-policy",
        "inspect",
        "--raw",
        "--tls-verify=false",
    ]);
    if let Some(c) = creds {
        cmd.args(["--creds", c]);
    }
    cmd.arg(format!("docker://{reference}"));
    format!("sha256:{}", sha256_hex(&run(&mut cmd)))
}

/// A request as the mini server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Values of query parameter `name` (percent-decoded).
    pub fn query(&self, name: &str) -> Vec<String> {
        let q = self.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| percent_decode(v))
            .collect()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A tiny HTTP/1.1 server on 127.0.0.1 (one thread per connection, `Connection: close`).
pub struct MiniServer {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MiniServer {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> MiniServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (stop2, requests2) = (Arc::clone(&stop), Arc::clone(&requests));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let handler = Arc::clone(&handler);
                let requests = Arc::clone(&requests2);
                std::thread::spawn(move || serve(conn, &*handler, &requests));
            }
        });
        MiniServer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for MiniServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, handler: &Handler, requests: &AtomicUsize) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let req = Request {
        method,
        path,
        headers,
    };
    let reply = handler(&req);
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    let mut has_len = false;
    for (k, v) in &reply.headers {
        has_len |= k.eq_ignore_ascii_case("content-length");
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_len {
        out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    out.push_str("\r\n");
    let mut conn = conn;
    let _ = conn.write_all(out.as_bytes());
    if req.method != "HEAD" {
        let _ = conn.write_all(&reply.body);
    }
    let _ = conn.flush();
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A token server for the registry's `auth: token:` mode: ES256 JWTs signed by a self-signed
/// certificate it generates, carried in the `x5c` header. Basic credentials `user:password` get
/// the actions they ask for; anonymous requests get none.
pub struct TokenServer {
    pub server: MiniServer,
    pub cert_path: PathBuf,
    _dir: tempfile::TempDir,
}

pub const TOKEN_ISSUER: &str = "plimsoll-test-issuer";
pub const TOKEN_SERVICE: &str = "plimsoll-test-registry";

impl TokenServer {
    pub fn start(user: &str, password: &str) -> TokenServer {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let params =
            rcgen::CertificateParams::new(vec!["token-signer".to_string()]).expect("params");
        let cert = params.self_signed(&key).expect("cert");
        let dir = tempfile::tempdir().expect("tempdir");
        let cert_path = dir.path().join("root.pem");
        std::fs::write(&cert_path, cert.pem()).expect("write cert");
        let rng = ring::rand::SystemRandom::new();
        let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &rng,
        )
        .expect("signer");
        let x5c = base64::engine::general_purpose::STANDARD.encode(cert.der());
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let server = MiniServer::start(move |req| {
            let authed = req.header("authorization") == Some(expected.as_str());
            let mut access = Vec::new();
            if authed {
                for scope in req.query("scope") {
                    for s in scope.split(' ') {
                        let mut parts = s.splitn(3, ':');
                        if let (Some(t), Some(name), Some(actions)) =
                            (parts.next(), parts.next(), parts.next())
                        {
                            // A name may hold a port-less path only; `actions` is the rest.
                            let acts: Vec<&str> = actions.split(',').collect();
                            access.push(
                                serde_json::json!({"type": t, "name": name, "actions": acts}),
                            );
                        }
                    }
                }
            }
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
            let claims = serde_json::json!({
                "iss": TOKEN_ISSUER, "sub": if authed { "tester" } else { "" },
                "aud": TOKEN_SERVICE, "exp": now + 600, "nbf": now - 60, "iat": now - 60,
                "jti": format!("{now}-{}", access.len()), "access": access,
            });
            let signing_input = format!(
                "{}.{}",
                b64url(header.to_string().as_bytes()),
                b64url(claims.to_string().as_bytes())
            );
            let sig = signer
                .sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes())
                .expect("sign");
            let token = format!("{signing_input}.{}", b64url(sig.as_ref()));
            let body = serde_json::json!({"token": token, "expires_in": 600});
            Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.to_string().into_bytes(),
            }
        });
        TokenServer {
            server,
            cert_path,
            _dir: dir,
        }
    }

    /// The registry's `auth:` section trusting this server.
    pub fn registry_auth(&self) -> String {
        format!(
            "  token:\n    realm: http://{}/token\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
            self.server.host(),
            self.cert_path.display()
        )
    }
}

/// The registry's `auth:` section for an htpasswd file holding `user:password` (bcrypt, made
/// with `htpasswd` from apache2-utils). `None` (after a skip message) when htpasswd is absent.
pub fn htpasswd_auth(dir: &Path, user: &str, password: &str) -> Option<String> {
    if !have_tool("htpasswd") {
        return None;
    }
    let line = run(Command::new("htpasswd").args(["-Bbn", user, password]));
    let path = dir.join("htpasswd");
    std::fs::write(&path, line).expect("write htpasswd");
    Some(format!(
        "  htpasswd:\n    realm: plimsoll-test\n    path: {}\n",
        path.display()
    ))
}

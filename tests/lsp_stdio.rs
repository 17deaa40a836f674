//! Drives `plimsoll lsp` over stdio as an editor would: initialize, open a Dockerfile and a
//! compose file, receive diagnostics from the real rules, edit, ask for code actions and hovers,
//! send garbage, shut down.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &["lsp"])
    }

    fn start_with(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(support::plimsoll_bin())
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start plimsoll lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Server {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("response to {method}"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn wait(&self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if pick(&m) => return m,
                Ok(_) => {}
                Err(_) => panic!("no {what} from the server"),
            }
        }
    }

    /// The next diagnostics published for `uri` at `version`.
    fn diagnostics(&self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait(&format!("diagnostics for {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn exit_code(mut self) -> Option<i32> {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("server did not exit");
    }
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn is_rule(d: &Value, name: &str) -> bool {
    d["codeDescription"]["href"]
        .as_str()
        .is_some_and(|h| h.ends_with(&format!("/{name}.md")))
}

fn initialize(server: &mut Server, dir: &Path) {
    let r = server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(dir), "capabilities": {}}),
    );
    let caps = &r["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 2);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(r["result"]["serverInfo"]["name"], "plimsoll");
    server.notify("initialized", json!({}));
}

#[test]
fn editor_session_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    let compose = dir.path().join("compose.yaml");
    let (docker_uri, compose_uri) = (uri_of(&dockerfile), uri_of(&compose));
    // A lock file: "pin image digest" resolves from it, without a registry.
    let locked = format!("sha256:{}", "5e".repeat(32));
    std::fs::write(
        dir.path().join("plimsoll.lock"),
        format!(
            "[[image]]\nreference = \"docker.io/library/alpine:latest\"\ndigest = \"{locked}\"\n\
             resolved-at = \"2026-01-02T03:04:05Z\"\nkind = \"index\"\n"
        ),
    )
    .unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());

    // Open a Dockerfile: the latest tag is reported where it is written.
    let text = "FROM debian:latest\nRUN echo hi\n";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": docker_uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let diags = s.diagnostics(&docker_uri, 1);
    let latest: Vec<&Value> = diags.iter().filter(|d| is_rule(d, "latest-tag")).collect();
    assert_eq!(latest.len(), 1, "{diags:#?}");
    let d = latest[0];
    assert_eq!(d["source"], "plimsoll");
    assert!(
        d["code"].as_str().is_some_and(|c| c.starts_with("PL")),
        "{d}"
    );
    assert!(d["severity"].as_i64().is_some_and(|s| (1..=4).contains(&s)));
    assert_eq!(d["range"]["start"]["line"], 0);
    let (c0, c1) = (
        d["range"]["start"]["character"].as_i64().unwrap(),
        d["range"]["end"]["character"].as_i64().unwrap(),
    );
    assert!(
        5 <= c0 && c0 < c1 && c1 <= 18,
        "range {c0}..{c1} is not on the image"
    );
    let code = d["code"].as_str().unwrap().to_string();

    // Open a compose file: same rule, on the service's image line.
    let compose_text = "services:\n  web:\n    image: nginx:latest\n";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": compose_uri, "languageId": "dockercompose", "version": 1, "text": compose_text}}),
    );
    let diags = s.diagnostics(&compose_uri, 1);
    let latest: Vec<&Value> = diags.iter().filter(|d| is_rule(d, "latest-tag")).collect();
    assert_eq!(latest.len(), 1, "{diags:#?}");
    assert_eq!(latest[0]["range"]["start"]["line"], 2);

    // Edit: pin the tag (the finding goes), then add a second latest base (a new one appears).
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": docker_uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 18}},
                                   "text": "12.5"}]}),
    );
    let diags = s.diagnostics(&docker_uri, 2);
    assert!(
        !diags.iter().any(|d| is_rule(d, "latest-tag")),
        "{diags:#?}"
    );
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": docker_uri, "version": 3},
               "contentChanges": [{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
                                   "text": "FROM alpine:latest\n"}]}),
    );
    let diags = s.diagnostics(&docker_uri, 3);
    let latest: Vec<&Value> = diags.iter().filter(|d| is_rule(d, "latest-tag")).collect();
    assert_eq!(latest.len(), 1, "{diags:#?}");
    assert_eq!(latest[0]["range"]["start"]["line"], 2);

    // Code actions on it: at least the ignore comment, inserted above the instruction.
    let r = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": docker_uri}, "range": latest[0]["range"],
               "context": {"diagnostics": [latest[0]]}}),
    );
    let actions = r["result"].as_array().expect("actions").clone();
    let ignore = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Ignore")))
        .unwrap_or_else(|| panic!("no ignore action in {actions:#?}"));
    let edit = &ignore["edit"]["changes"][&docker_uri][0];
    assert_eq!(edit["range"]["start"], json!({"line": 2, "character": 0}));
    assert_eq!(edit["newText"], format!("# plimsoll ignore={code}\n"));
    let pin = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Pin image digest"))
        })
        .unwrap_or_else(|| panic!("no pin action in {actions:#?}"));
    let edit = &pin["edit"]["changes"][&docker_uri][0];
    assert_eq!(edit["newText"], format!("alpine:latest@{locked}"));
    assert_eq!(edit["range"]["start"], json!({"line": 2, "character": 5}));

    // Apply the ignore action as the editor would: the finding is suppressed, as in the CLI.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": docker_uri, "version": 4},
               "contentChanges": [{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
                                   "text": format!("# plimsoll ignore={code}\n")}]}),
    );
    let diags = s.diagnostics(&docker_uri, 4);
    assert!(
        !diags.iter().any(|d| is_rule(d, "latest-tag")),
        "{diags:#?}"
    );
    // Hover on the code in the comment: the rule's summary from the catalog.
    let r = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": docker_uri}, "position": {"line": 2, "character": 20}}),
    );
    let md = r["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    let meta = plimsoll::rules::catalog::lookup("latest-tag").unwrap();
    assert!(
        md.contains(meta.summary) && md.contains("latest-tag"),
        "{md}"
    );

    // Hover on the image reference.
    let r = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": docker_uri}, "position": {"line": 3, "character": 8}}),
    );
    let md = r["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        md.contains("`docker.io`") && md.contains("`library/alpine`"),
        "{md}"
    );
    assert!(md.contains("Not pinned"), "{md}");

    // Garbage: a body that is not JSON, a header block without a length, a message with no
    // method. Each is answered with an error and the server reads on.
    s.send_raw(b"Content-Length: 9\r\n\r\nnot json!");
    let e = s.wait("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    s.send_raw(b"X-Nonsense: 1\r\n\r\n");
    s.wait("framing error", |m| m["error"]["code"] == -32700);
    s.send(json!({"jsonrpc": "2.0", "id": 99, "params": {}}));
    let e = s.wait("invalid request", |m| m["error"]["code"] == -32600);
    assert_eq!(e["id"], 99);
    let r = s.request("plimsoll/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    s.notify("plimsoll/noSuchNotification", json!({}));

    // Still serving.
    let r = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": compose_uri}, "position": {"line": 2, "character": 12}}),
    );
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("`library/nginx`")
    );

    let r = s.request("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    assert!(r.get("error").is_none());
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(0));
}

#[test]
fn documents_that_do_not_parse_never_crash_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());
    let cases = [
        (
            "Dockerfile",
            "dockerfile",
            "FROM\nRUN <<EOF\n\\\n\u{0}\u{feff}ARG ${\nONBUILD ONBUILD\n",
        ),
        (
            "compose.yaml",
            "dockercompose",
            "services: [\n  web: {image: &a *b\n\t- : :\n",
        ),
        (
            "docker-compose.yml",
            "yaml",
            "%YAML 9.9\n--- !!binary\n\"unterminated\n",
        ),
    ];
    for (name, lang, text) in cases {
        let uri = uri_of(&dir.path().join(name));
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}}),
        );
        s.diagnostics(&uri, 1);
        // Edits at positions past the end of the text, and inside a surrogate pair.
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2},
                   "contentChanges": [{"range": {"start": {"line": 99, "character": 5}, "end": {"line": 0, "character": 1}}, "text": "😀"},
                                      {"range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}}, "text": ""}]}),
        );
        s.diagnostics(&uri, 2);
        let r = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 3}}),
        );
        assert!(r.get("error").is_none(), "{r}");
    }
    // Exit without shutdown: exit code 1.
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(1));
}

#[test]
fn a_client_that_disconnects_ends_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());
    s.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    assert_eq!(s.exit_code(), Some(1));
}

/// Code actions offered on the first diagnostic of `rule` in `uri`, with that diagnostic.
fn actions_on(s: &mut Server, uri: &str, diags: &[Value], rule: &str) -> Vec<Value> {
    let d = diags
        .iter()
        .find(|d| is_rule(d, rule))
        .unwrap_or_else(|| panic!("no {rule} in {diags:#?}"));
    let r = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    r["result"].as_array().cloned().unwrap_or_default()
}

fn lock_file(digest: &str) -> String {
    format!(
        "[[image]]\nreference = \"docker.io/library/alpine:3.20\"\ndigest = \"{digest}\"\n\
         resolved-at = \"2026-01-02T03:04:05Z\"\nkind = \"index\"\n"
    )
}

/// The editor resolves settings as `plimsoll check` does: the nearest `plimsoll.lock` gives
/// unpinned-digest its safe fix, and a changed lock file is read again.
#[test]
fn the_lock_file_gives_the_editor_the_digest_fix() {
    let dir = tempfile::tempdir().unwrap();
    let first = format!("sha256:{}", "1a".repeat(32));
    std::fs::write(dir.path().join("plimsoll.lock"), lock_file(&first)).unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    let uri = uri_of(&dockerfile);
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                "text": "FROM alpine:3.20\nUSER 1000\n"}}),
    );
    let diags = s.diagnostics(&uri, 1);
    let fix_with = |actions: &[Value], digest: &str| {
        actions.iter().any(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("from plimsoll.lock"))
                && a["edit"]["changes"][&uri][0]["newText"]
                    .as_str()
                    .is_some_and(|t| t.contains(digest))
        })
    };
    let actions = actions_on(&mut s, &uri, &diags, "unpinned-digest");
    assert!(fix_with(&actions, &first), "{actions:#?}");
    // A new digest in the lock file: the fix follows it once the client says it changed.
    let second = format!("sha256:{}", "2b".repeat(32));
    std::fs::write(dir.path().join("plimsoll.lock"), lock_file(&second)).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&dir.path().join("plimsoll.lock")), "type": 2}]}),
    );
    let diags = s.diagnostics(&uri, 1);
    let actions = actions_on(&mut s, &uri, &diags, "unpinned-digest");
    assert!(fix_with(&actions, &second), "{actions:#?}");
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("error").is_none());
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(0));
}

/// Peak resident memory of the server so far, from /proc (Linux); 0 elsewhere.
fn peak_rss_kb(s: &Server) -> u64 {
    std::fs::read_to_string(format!("/proc/{}/status", s.child.id()))
        .ok()
        .and_then(|st| {
            let line = st.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// Generous backstop for memory on a loaded machine: these catch blow-ups, not waste.
const RSS_LIMIT_KB: u64 = 500_000;

/// One frame with a wrong or missing Content-Length used to cost every later request: the
/// server now finds the next header and answers on.
#[test]
fn bad_framing_costs_one_message_not_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());
    let hover = |id: i64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": "file:///nowhere/Dockerfile"},
                          "position": {"line": 0, "character": 0}}})
        .to_string()
    };
    // No Content-Length at all.
    s.send_raw(format!("Content-Type: x\r\n\r\n{}", hover(900)).as_bytes());
    let r = s.request("textDocument/hover", json!({"textDocument": {"uri": "file:///x/Dockerfile"}, "position": {"line": 0, "character": 0}}));
    assert!(r.get("error").is_none(), "{r}");
    // Too short, then too long (the body swallows the next request's header and body).
    let body = hover(901);
    s.send_raw(format!("Content-Length: 12\r\n\r\n{body}").as_bytes());
    let r = s.request("textDocument/hover", json!({"textDocument": {"uri": "file:///y/Dockerfile"}, "position": {"line": 0, "character": 0}}));
    assert!(r.get("error").is_none(), "{r}");
    let body = hover(902);
    s.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 40).as_bytes());
    let r = s.request("textDocument/hover", json!({"textDocument": {"uri": "file:///z/Dockerfile"}, "position": {"line": 0, "character": 0}}));
    assert!(r.get("error").is_none(), "{r}");
    // A 64 MB header line is read in bounded memory; the session goes on.
    let mut junk = vec![b'x'; 64 << 20];
    junk.extend_from_slice(b"\r\n\r\n");
    s.send_raw(&junk);
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    let peak = peak_rss_kb(&s);
    assert!(peak < RSS_LIMIT_KB, "peak RSS {peak} kB");
    eprintln!("bad framing: peak RSS {peak} kB");
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(0));
}

/// `plimsoll --isolated lsp` and `plimsoll lsp --config FILE` (the VS Code setting
/// `plimsoll.args`) choose the configuration the editor uses.
#[test]
fn the_server_takes_isolated_and_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plimsoll.toml"),
        "ignore = [\"latest-tag\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("strict.toml"),
        "select = [\"latest-tag\"]\n",
    )
    .unwrap();
    let uri = uri_of(&dir.path().join("Dockerfile"));
    let open = |args: &[&str]| {
        let mut s = Server::start_with(dir.path(), args);
        initialize(&mut s, dir.path());
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                    "text": "FROM debian:latest\nUSER root\n"}}),
        );
        let rules: Vec<String> = s
            .diagnostics(&uri, 1)
            .iter()
            .filter_map(|d| d["codeDescription"]["href"].as_str())
            .filter_map(|h| h.rsplit('/').next())
            .map(|n| n.trim_end_matches(".md").to_string())
            .collect();
        s.notify("exit", Value::Null);
        s.exit_code();
        rules
    };
    let discovered = open(&["lsp"]);
    assert!(
        !discovered.iter().any(|r| r == "latest-tag"),
        "{discovered:?}"
    );
    let isolated = open(&["--isolated", "lsp"]);
    assert!(isolated.iter().any(|r| r == "latest-tag"), "{isolated:?}");
    assert!(isolated.iter().any(|r| r == "root-user"), "{isolated:?}");
    let strict = open(&["lsp", "--config", "strict.toml"]);
    assert_eq!(strict, ["latest-tag"]);
}

/// Forty ARG lines, each doubling the one before, aborted the server (an allocation of
/// terabytes): the expansion budget stops them and says where.
#[test]
fn a_doubling_arg_chain_is_stopped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());
    let mut text = String::from("ARG A0=x\n");
    for i in 1..40 {
        text.push_str(&format!("ARG A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
    }
    text.push_str("FROM alpine:${A39}\n");
    let uri = uri_of(&dir.path().join("Dockerfile"));
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let diags = s.diagnostics(&uri, 1);
    assert!(
        diags.iter().any(|d| is_rule(d, "input-limit")),
        "{diags:#?}"
    );
    let peak = peak_rss_kb(&s);
    assert!(peak < RSS_LIMIT_KB, "peak RSS {peak} kB");
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(1));
}

/// A large document with a finding on every line: at most a thousand diagnostics (one saying
/// how many were left out), and two hundred one-line edits leave the server answering at once.
#[test]
fn a_large_document_stays_responsive_with_capped_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());
    let mut text = String::from("FROM alpine:3.20\n");
    for i in 0..30_000 {
        text.push_str(&format!("RUN echo {i}\n"));
    }
    let uri = uri_of(&dir.path().join("Dockerfile"));
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let diags = s.diagnostics(&uri, 1);
    assert_eq!(diags.len(), 1000, "capped");
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("more findings in this file are not shown")),
        "{}",
        diags[0]
    );
    let start = Instant::now();
    for v in 2..202 {
        let line = 15_000 - v;
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v},
                   "contentChanges": [{"range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 8}}, "text": "true"}]}),
        );
    }
    let r = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 6}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let answered = start.elapsed();
    // Only a generous backstop for a loaded machine (the edits took 5.2 s on 50 MB before).
    assert!(answered < Duration::from_secs(10), "{answered:?}");
    let diags = s.diagnostics(&uri, 201);
    assert!(diags.len() <= 1000);
    let peak = peak_rss_kb(&s);
    eprintln!("large document: 200 edits + hover answered in {answered:?}, peak RSS {peak} kB");
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(1));
}

/// The policy diagnostics of `uri` at `version`: (code, message, line, character).
fn policy_diagnostics(s: &Server, uri: &str, version: i64) -> Vec<(String, String, i64, i64)> {
    let mut out: Vec<(String, String, i64, i64)> = s
        .diagnostics(uri, version)
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("policy/")))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_i64().unwrap(),
                d["range"]["start"]["character"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `plimsoll lsp --policy DIR` runs Rego policies on every document beside the configuration's
/// `[[policy]]` entries, keeps them compiled, and compiles them again when a `.rego` file
/// changes (a watched-file event, or a save). A policy that stops compiling is reported with its
/// file, line and column, and the documents are still linted with the configuration (and its
/// own policies) until it is fixed.
#[test]
fn policies_run_in_the_editor_and_reload_when_a_rego_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plimsoll.toml"),
        "select = [\"policy\"]\n[[policy]]\npath = \"org\"\nnamespace = \"org\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("org")).unwrap();
    std::fs::write(
        dir.path().join("org/org.rego"),
        "package org\n\nwarn contains \"configured policy\" if input.kind == \"dockerfile\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("cli")).unwrap();
    let rego = dir.path().join("cli/registry.rego");
    let policy = |registry: &str| {
        format!(
            "package main\n\ndeny contains {{\"msg\": msg, \"span\": image.span}} if {{\n\
             \tsome image in input.images\n\timage.reference.registry != \"{registry}\"\n\
             \tmsg := sprintf(\"%s is not from {registry}\", [image.resolved])\n}}\n"
        )
    };
    std::fs::write(&rego, policy("registry.acme.internal")).unwrap();
    let uri = uri_of(&dir.path().join("Dockerfile"));
    let rego_uri = uri_of(&rego);
    let mut s = Server::start_with(dir.path(), &["lsp", "--policy", "cli"]);
    initialize(&mut s, dir.path());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                "text": "FROM debian:12\n"}}),
    );
    let configured = (
        "policy/org/warn".to_string(),
        "configured policy (rego)".to_string(),
        0,
        0,
    );
    // The --policy finding is at the image token.
    assert_eq!(
        policy_diagnostics(&s, &uri, 1),
        [
            (
                "policy/main/deny".to_string(),
                "debian:12 is not from registry.acme.internal (rego)".to_string(),
                0,
                5
            ),
            configured.clone()
        ]
    );

    // The policy changes on disk: the editor's file watcher says so.
    std::fs::write(&rego, policy("mirror.acme.internal")).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": rego_uri, "type": 2}]}),
    );
    assert_eq!(
        policy_diagnostics(&s, &uri, 1),
        [
            (
                "policy/main/deny".to_string(),
                "debian:12 is not from mirror.acme.internal (rego)".to_string(),
                0,
                5
            ),
            configured.clone()
        ]
    );

    // A save of a policy that no longer compiles: the error, and the configuration's policy
    // still runs.
    std::fs::write(
        &rego,
        "package main\n\ndeny contains msg if {\n  msg := no_such_function(input)\n}\n",
    )
    .unwrap();
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": rego_uri}}),
    );
    let warning = s.wait("the policy error", |m| m["method"] == "window/showMessage");
    let message = warning["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("registry.rego:4:10: policy error: undefined function no_such_function"),
        "{message}"
    );
    assert_eq!(policy_diagnostics(&s, &uri, 1), [configured]);

    // Fixed: its findings are back.
    std::fs::write(&rego, policy("debian.org")).unwrap();
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": rego_uri}}),
    );
    let back = policy_diagnostics(&s, &uri, 1);
    assert_eq!(back.len(), 2, "{back:?}");
    assert!(
        back[0].1.ends_with("is not from debian.org (rego)"),
        "{back:?}"
    );

    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(), Some(0));
}

#[test]
fn saving_a_file_relints_the_open_files_that_depend_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    let compose = dir.path().join("compose.yaml");
    let (docker_uri, compose_uri) = (uri_of(&dockerfile), uri_of(&compose));
    let compose_text = "services:\n  web:\n    build: .\n";
    let docker_text = "FROM alpine:3.20\nRUN echo hi\n";
    std::fs::write(&compose, compose_text).unwrap();
    std::fs::write(&dockerfile, docker_text).unwrap();
    let mut s = Server::start(dir.path());
    initialize(&mut s, dir.path());

    // The service sets no user and its Dockerfile no USER: root-user-built on the compose file.
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": compose_uri, "languageId": "dockercompose", "version": 1, "text": compose_text}}),
    );
    let diags = s.diagnostics(&compose_uri, 1);
    let built: Vec<&Value> = diags
        .iter()
        .filter(|d| is_rule(d, "root-user-built"))
        .collect();
    assert_eq!(built.len(), 1, "{diags:#?}");
    // Its related location is the stage in the Dockerfile, where `USER` goes.
    let at = &built[0]["relatedInformation"][0]["location"];
    assert_eq!(at["uri"], docker_uri.as_str(), "{at}");
    assert_eq!(
        at["range"]["start"],
        json!({"line": 0, "character": 0}),
        "{at}"
    );
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": docker_uri, "languageId": "dockerfile", "version": 1, "text": docker_text}}),
    );
    s.diagnostics(&docker_uri, 1);

    // The Dockerfile gains `USER app` and is saved: the compose file's diagnostics are
    // published again, without root-user-built, though the compose file did not change.
    let docker_text = "ARG BASE=alpine:3.20\nFROM ${BASE}\nRUN adduser -D app\nUSER app\n";
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": docker_uri, "version": 2}, "contentChanges": [{"text": docker_text}]}),
    );
    std::fs::write(&dockerfile, docker_text).unwrap();
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": docker_uri}}),
    );
    // Both are published, in either order (the lints run on workers).
    let mut published = std::collections::HashMap::new();
    while published.len() < 2 {
        let m = s.wait("diagnostics for both files", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && ((m["params"]["uri"] == compose_uri.as_str() && m["params"]["version"] == 1)
                    || (m["params"]["uri"] == docker_uri.as_str() && m["params"]["version"] == 2))
        });
        let uri = m["params"]["uri"].as_str().unwrap().to_string();
        published.insert(uri, m["params"]["diagnostics"].clone());
    }
    let diags = published[&compose_uri].to_string();
    assert!(!diags.contains("root-user-built"), "{diags}");
    let diags = published[&docker_uri].to_string();
    assert!(!diags.contains("latest-tag"), "{diags}");

    // The compose file now passes `BASE: debian:latest` and is saved: the Dockerfile is linted
    // again as the service builds it, and the latest tag says it comes from the service.
    let compose_text = "services:\n  web:\n    build:\n      context: .\n      args:\n        BASE: debian:latest\n";
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": compose_uri, "version": 2}, "contentChanges": [{"text": compose_text}]}),
    );
    std::fs::write(&compose, compose_text).unwrap();
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": compose_uri}}),
    );
    let diags = s.diagnostics(&docker_uri, 2);
    let latest: Vec<&Value> = diags.iter().filter(|d| is_rule(d, "latest-tag")).collect();
    assert_eq!(latest.len(), 1, "{diags:#?}");
    // A note names the service, and sends the editor to its `build:` in the compose file.
    let related = latest[0]["relatedInformation"].as_array().unwrap();
    let note = related
        .iter()
        .find(|r| r["message"].as_str().unwrap().contains("service `web`"))
        .expect("a note naming the service");
    assert_eq!(note["location"]["uri"], compose_uri.as_str(), "{note}");
    assert_eq!(note["location"]["range"]["start"]["line"], 3, "{note}");
    s.request("shutdown", json!(null));
    s.notify("exit", json!(null));
    assert_eq!(s.exit_code(), Some(0));
}

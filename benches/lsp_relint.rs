//! Re-linting a 3,000-line Dockerfile after an edit, as the language server does it.
//!
//! - `edit_relint`: apply one incremental edit (UTF-16 range), rebuild the source, lint with the
//!   CLI's rules and suppressions, convert findings to LSP diagnostics.
//! - `server_roundtrip`: the whole server: a `didChange` notification in, through the message
//!   loop and a worker, to the `publishDiagnostics` notification out (debounce off).
//!
//! Run: `cargo bench --bench lsp_relint`. Target: under 10 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification};
use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use plimsoll::lsp::document::Document;
use plimsoll::lsp::{Options, backend, convert};
use plimsoll::rules::settings::LintSettings;
use serde_json::json;
use std::time::Duration;

/// A multi-stage Dockerfile of `lines` lines mixing the instructions real files use.
fn big_dockerfile(lines: usize) -> String {
    let mut out = String::new();
    let mut stage = 0;
    while out.lines().count() < lines {
        out.push_str(&format!("FROM debian:bookworm-slim AS stage{stage}\n"));
        out.push_str("ARG VERSION=1.2.3\nENV PATH=/opt/app/bin:$PATH LANG=C.UTF-8\n");
        out.push_str(
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\n",
        );
        out.push_str("WORKDIR /opt/app\nCOPY --chown=app:app . /opt/app\n");
        out.push_str("LABEL org.opencontainers.image.title=\"app\" version=\"${VERSION}\"\n");
        out.push_str("# build step\nRUN make -j4 build && make install\nEXPOSE 8080\n");
        out.push_str("USER app\nHEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\n");
        out.push_str("CMD [\"/opt/app/bin/server\", \"--port\", \"8080\"]\n");
        stage += 1;
    }
    out
}

fn edit(version: i32, line: u32, text: &str) -> (i32, Vec<TextDocumentContentChangeEvent>) {
    let range = Range::new(Position::new(line, 20), Position::new(line, 21));
    (
        version,
        vec![TextDocumentContentChangeEvent {
            range: Some(range),
            range_length: None,
            text: text.to_string(),
        }],
    )
}

fn bench(c: &mut Criterion) {
    let text = big_dockerfile(3000);
    assert!(text.lines().count() >= 3000);
    let uri: Uri = "file:///bench/Dockerfile".parse().expect("uri");
    let settings = LintSettings::default();
    let mut group = c.benchmark_group("lsp_relint_3000_lines");
    group.sample_size(30);

    let mut doc =
        Document::open(uri.clone(), "dockerfile", 1, text.clone(), |_| None).expect("a Dockerfile");
    let mut version = 1;
    group.bench_function("edit_relint", |b| {
        b.iter(|| {
            version += 1;
            let (v, changes) = edit(version, 1500, if version % 2 == 0 { "x" } else { "y" });
            doc.apply_changes(v, changes);
            let file = doc.source();
            let linted = backend::lint_document(&file, &settings);
            convert::diagnostics(&linted.report, &doc.uri)
        })
    });

    let (server, client) = Connection::memory();
    let options = Options {
        debounce: Duration::ZERO,
        ..Options::default()
    };
    let thread = std::thread::spawn(move || plimsoll::lsp::run(&server, options));
    let send = |method: &str, params: serde_json::Value| {
        let msg = if method == "initialize" || method == "shutdown" {
            Message::Request(lsp_server::Request::new(1.into(), method.into(), params))
        } else {
            Message::Notification(Notification::new(method.into(), params))
        };
        client.sender.send(msg).expect("server alive");
    };
    let wait_publish = |version: i32| loop {
        match client.receiver.recv_timeout(Duration::from_secs(10)) {
            Ok(Message::Notification(n))
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["version"] == version =>
            {
                return n;
            }
            Ok(_) => {}
            Err(e) => panic!("no diagnostics: {e}"),
        }
    };
    send("initialize", json!({"capabilities": {}}));
    send("initialized", json!({}));
    send(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri.as_str(), "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    wait_publish(1);
    let mut version = 1;
    group.bench_function("server_roundtrip", |b| {
        b.iter(|| {
            version += 1;
            let ch = if version % 2 == 0 { "x" } else { "y" };
            send(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri.as_str(), "version": version},
                       "contentChanges": [{"range": {"start": {"line": 1500, "character": 20},
                                                      "end": {"line": 1500, "character": 21}},
                                           "text": ch}]}),
            );
            wait_publish(version)
        })
    });
    group.finish();
    send("shutdown", serde_json::Value::Null);
    send("exit", serde_json::Value::Null);
    let _ = thread.join();
}

criterion_group!(benches, bench);
criterion_main!(benches);

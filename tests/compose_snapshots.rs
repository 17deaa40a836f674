//! Snapshots of the compose model for representative files: each value with its text as
//! written, as resolved, and its line:column.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::fmt::Write;
use std::path::Path;

use plimsoll::model::compose::{ComposeFile, Env, Origin, Text, load};
use plimsoll::source::LineIndex;

fn render(file: &ComposeFile, text: &str) -> String {
    let idx = LineIndex::new(text);
    let at = |t: &Text| {
        let lc = idx.line_col(t.span.start as usize, text);
        let mut s = if t.raw == t.value {
            format!("{:?} @{}:{}", t.value, lc.line, lc.column)
        } else {
            format!("{:?} => {:?} @{}:{}", t.raw, t.value, lc.line, lc.column)
        };
        if let Some(Origin::Anchor {
            name, alias_span, ..
        }) = &t.origin
        {
            let u = idx.line_col(alias_span.start as usize, text);
            let _ = write!(s, " (anchor &{name} used @{}:{})", u.line, u.column);
        }
        s
    };
    let opt = |t: &Option<Text>| t.as_ref().map_or("-".to_string(), &at);
    let mut out = String::new();
    for (i, doc) in file.documents.iter().enumerate() {
        let _ = writeln!(out, "document {i} name={}", opt(&doc.name));
        for s in &doc.services {
            let _ = writeln!(out, "service {}", at(&s.name));
            let _ = writeln!(
                out,
                "  image: {} built={}",
                opt(&s.image),
                s.image_is_built()
            );
            if let Some(b) = &s.build {
                let _ = writeln!(
                    out,
                    "  build: short={} context={} dockerfile={} target={} args={}",
                    b.short,
                    opt(&b.context),
                    opt(&b.dockerfile),
                    opt(&b.target),
                    b.args.len()
                );
            }
            for (k, v) in [
                ("user", &s.user),
                ("restart", &s.restart),
                ("network_mode", &s.network_mode),
            ] {
                if v.is_some() {
                    let _ = writeln!(out, "  {k}: {}", opt(v));
                }
            }
            for p in &s.ports {
                let _ = writeln!(
                    out,
                    "  port: ip={} published={} target={} proto={}",
                    opt(&p.host_ip),
                    opt(&p.published),
                    opt(&p.target),
                    opt(&p.protocol)
                );
            }
            for v in &s.volumes {
                let _ = writeln!(
                    out,
                    "  volume: {:?} source={} target={} ro={}",
                    v.kind,
                    opt(&v.source),
                    opt(&v.target),
                    v.read_only
                );
            }
            for e in &s.environment {
                let _ = writeln!(out, "  env: {} = {}", at(&e.key), opt(&e.value));
            }
            for d in &s.depends_on {
                let _ = writeln!(out, "  depends_on: {}", at(d));
            }
            if let Some(h) = &s.healthcheck {
                let test = h
                    .test
                    .as_ref()
                    .map_or(0, |t| t.exec.len().max(usize::from(t.shell.is_some())));
                let _ = writeln!(
                    out,
                    "  healthcheck: test_words={} interval={}",
                    test,
                    opt(&h.interval)
                );
            }
        }
        for (kind, list) in [
            ("network", &doc.networks),
            ("volume", &doc.volumes),
            ("secret", &doc.secrets),
            ("config", &doc.configs),
        ] {
            for r in list {
                let _ = writeln!(out, "{kind} {} file={}", at(&r.key), opt(&r.file));
            }
        }
    }
    for d in &file.diagnostics {
        let lc = idx.line_col(d.span.start as usize, text);
        let _ = writeln!(
            out,
            "diagnostic {} @{}:{}: {}",
            d.kind.as_str(),
            lc.line,
            lc.column,
            d.message
        );
    }
    out
}

fn snap_corpus(name: &str, file: &str) {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let path = shared.join("corpus/compose").join(file);
    let text = std::fs::read_to_string(&path).expect("corpus file");
    let f = load(&text, &path, &Env::new().with_var("TAG", "snap"));
    let rendered = render(&f, &text);
    support::snapshot_settings().bind(|| insta::assert_snapshot!(name, rendered));
}

#[test]
fn snapshot_pihole() {
    snap_corpus(
        "compose_pihole",
        "docker-awesome-compose_pihole-cloudflared-DoH_compose.yaml",
    );
}

#[test]
fn snapshot_react_express_mysql() {
    snap_corpus(
        "compose_react_express_mysql",
        "docker-awesome-compose_react-express-mysql_compose.yaml",
    );
}

#[test]
fn snapshot_watch_fixture() {
    snap_corpus(
        "compose_watch_fixture",
        "docker-compose_pkg_e2e_fixtures_watch_compose.yaml",
    );
}

#[test]
fn snapshot_anchors_and_interpolation() {
    let text = "\
name: demo
x-common: &common
  restart: unless-stopped
  environment: &env
    LOG: ${LOG_LEVEL:-info}
services:
  api:
    <<: *common
    build: {context: ./api, target: prod, args: [V=1]}
    image: acme/api:${TAG}
    ports: [\"127.0.0.1:8080:80/tcp\", {target: 9090, published: 9090}]
    volumes: [./conf:/etc/app:ro, {type: volume, source: data, target: /data}]
  db:
    image: postgres:16
    environment: *env
    depends_on: {api: {condition: service_started}}
volumes:
  data: {}
secrets:
  key: {file: ./key.txt}
";
    let f = load(
        text,
        Path::new("/nonexistent/compose.yaml"),
        &Env::new().with_var("TAG", "1.2"),
    );
    let rendered = render(&f, text);
    support::snapshot_settings()
        .bind(|| insta::assert_snapshot!("compose_anchors_interpolation", rendered));
}

//! Compose loading: YAML features compose relies on, interpolation, short and long syntaxes,
//! extends, schema diagnostics, and hostile inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use plimsoll::model::compose::{
    ComposeFile, DiagnosticKind, Env, MountKind, Origin, Service, load,
};

fn load_str(text: &str) -> ComposeFile {
    load(
        text,
        Path::new("/nonexistent-dir/compose.yaml"),
        &Env::new(),
    )
}

fn service<'a>(f: &'a ComposeFile, name: &str) -> &'a Service {
    f.services()
        .find(|s| s.name.value == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn kinds(f: &ComposeFile) -> Vec<DiagnosticKind> {
    f.diagnostics.iter().map(|d| d.kind).collect()
}

#[test]
fn merge_keys_keep_anchor_origin_and_explicit_keys_win() {
    let text = "\
x-base: &base
  image: nginx:latest
  restart: always
  user: root
x-more: &more
  restart: never
  privileged: yes
services:
  web:
    <<: [*base, *more]
    user: app
  single:
    <<: *more
";
    let f = load_str(text);
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let web = service(&f, "web");
    let image = web.image.as_ref().unwrap();
    assert_eq!(image.value, "nginx:latest");
    // The span is where the text is written (inside the anchor), the origin names the use site.
    assert_eq!(&text[image.span.range()], "nginx:latest");
    let Some(Origin::Anchor {
        name,
        anchor_span,
        alias_span,
    }) = &image.origin
    else {
        panic!("no anchor origin: {:?}", image.origin);
    };
    assert_eq!(name, "base");
    assert_eq!(&text[anchor_span.range()], "&base");
    assert_eq!(&text[alias_span.range()], "*base");
    // Earlier mappings in a merge list win; explicit keys win over all.
    assert_eq!(web.restart.as_ref().unwrap().value, "always");
    assert_eq!(web.user.as_ref().unwrap().value, "app");
    assert!(web.user.as_ref().unwrap().origin.is_none());
    assert!(web.privileged.as_ref().unwrap().is_true(), "YAML 1.1 yes");
    let single = service(&f, "single");
    assert_eq!(single.restart.as_ref().unwrap().value, "never");
    assert!(single.image.is_none());
}

#[test]
fn plain_alias_values_name_their_anchor() {
    let text = "services:\n  a:\n    image: &img \"redis:7\"\n  b:\n    image: *img\n";
    let f = load_str(text);
    let b = service(&f, "b");
    let img = b.image.as_ref().unwrap();
    assert_eq!(img.value, "redis:7");
    assert_eq!(&text[img.span.range()], "\"redis:7\"");
    match &img.origin {
        Some(Origin::Anchor {
            name, alias_span, ..
        }) => {
            assert_eq!(name, "img");
            assert_eq!(&text[alias_span.range()], "*img");
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn reset_tag_drops_a_merged_value() {
    let text = "\
x-base: &base
  image: app
  ports: ['80:80']
  cap_add: [NET_ADMIN]
services:
  web:
    <<: *base
    ports: !reset []
    cap_add: !reset null
";
    let f = load_str(text);
    let web = service(&f, "web");
    assert!(web.ports.is_empty());
    assert!(web.cap_add.is_empty());
    assert_eq!(web.image.as_ref().unwrap().value, "app");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

#[test]
fn interpolation_defaults_raw_and_resolved() {
    let text = "\
services:
  app:
    image: \"${REGISTRY:-docker.io}/app:${TAG-1.0}\"
    user: ${APP_USER}
    container_name: $$literal
    environment:
      - MODE=${MODE:?MODE must be set}
      - SET=$SET
";
    let env = Env::new().with_var("TAG", "2.1").with_var("SET", "v");
    let f = load(text, Path::new("/nonexistent/compose.yaml"), &env);
    let app = service(&f, "app");
    let image = app.image.as_ref().unwrap();
    assert_eq!(image.raw, "${REGISTRY:-docker.io}/app:${TAG-1.0}");
    assert_eq!(image.value, "docker.io/app:2.1");
    assert!(image.is_interpolated());
    assert_eq!(app.user.as_ref().unwrap().value, "");
    assert_eq!(app.container_name.as_ref().unwrap().value, "$literal");
    assert_eq!(app.environment[1].value.as_ref().unwrap().value, "v");
    // A required variable missing from the environment is no error (it is how compose files
    // ask for configuration at deployment), only the unset-variable note.
    assert!(
        !f.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::Interpolation),
        "{:?}",
        f.diagnostics
    );
    let unset: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::UnsetVariable)
        .map(|d| &text[d.span.range()])
        .collect();
    assert_eq!(unset, ["${APP_USER}", "${MODE:?MODE must be set}"]);
    // Without an environment (`--ignore-env`, the library's default) it is not even that.
    let f = load(text, Path::new("/nonexistent/compose.yaml"), &Env::new());
    let unset: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::UnsetVariable)
        .map(|d| &text[d.span.range()])
        .collect();
    assert_eq!(unset, ["${APP_USER}", "$SET"]);
}

#[test]
fn dotenv_beside_the_file_and_environment_precedence() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "TAG=from-dotenv\nOTHER=dot\n# comment\nexport REPO=\"acme/app\"\n",
    )
    .unwrap();
    let path = dir.path().join("compose.yaml");
    let text = "services:\n  a:\n    image: ${REPO}:${TAG}\n    user: ${OTHER}\n";
    std::fs::write(&path, text).unwrap();
    let env = Env::new().with_var("OTHER", "process");
    let f = load(text, &path, &env);
    let a = service(&f, "a");
    assert_eq!(a.image.as_ref().unwrap().value, "acme/app:from-dotenv");
    assert_eq!(a.user.as_ref().unwrap().value, "process");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

#[test]
fn duplicate_keys_are_reported_not_fatal() {
    let text = "services:\n  a:\n    image: one\n    image: two\n  b:\n    image: x\n";
    let f = load_str(text);
    let dups: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::DuplicateKey)
        .collect();
    assert_eq!(dups.len(), 1);
    assert_eq!(
        dups[0].span.start as usize,
        text.find("image: two").unwrap()
    );
    assert_eq!(
        dups[0].related[0].0.start as usize,
        text.find("image").unwrap()
    );
    assert!(!f.has_fatal());
    assert_eq!(f.services().count(), 2);
}

#[test]
fn multi_document_files() {
    let text = "services:\n  a:\n    image: one\n---\nservices:\n  b:\n    image: two\n...\n";
    let f = load_str(text);
    assert_eq!(f.documents.len(), 2);
    assert_eq!(f.documents[1].services[0].name.value, "b");
    let img = f.documents[1].services[0].image.as_ref().unwrap();
    assert_eq!(&text[img.span.range()], "two");
}

#[test]
fn volume_syntaxes() {
    let text = "\
services:
  a:
    volumes:
      - ${DATA_DIR:-./data}:/var/lib/data:ro
      - named:/srv
      - /anonymous
      - /var/run/docker.sock:/var/run/docker.sock
      - type: bind
        source: /etc
        target: /host-etc
        read_only: true
      - type: tmpfs
        target: /tmp
";
    let f = load_str(text);
    let v = &service(&f, "a").volumes;
    assert_eq!(v.len(), 6);
    let src = v[0].source.as_ref().unwrap();
    assert_eq!(src.raw, "${DATA_DIR:-./data}");
    assert_eq!(src.value, "./data");
    assert_eq!(&text[src.span.range()], "${DATA_DIR:-./data}");
    assert_eq!(v[0].target.as_ref().unwrap().value, "/var/lib/data");
    assert!(v[0].read_only);
    assert_eq!(v[0].kind, MountKind::Bind);
    assert_eq!(v[1].kind, MountKind::Volume);
    assert!(v[2].source.is_none());
    assert_eq!(
        &text[v[3].target.as_ref().unwrap().span.range()],
        "/var/run/docker.sock"
    );
    assert_eq!(v[4].kind, MountKind::Bind);
    assert!(v[4].read_only && v[4].short.is_none());
    assert_eq!(v[4].source.as_ref().unwrap().value, "/etc");
    assert_eq!(v[5].kind, MountKind::Tmpfs);
}

#[test]
fn port_syntaxes() {
    let text = "\
services:
  a:
    ports:
      - 80
      - \"8080:80\"
      - 127.0.0.1:9000-9010:9000-9010/udp
      - \"[::1]:53:53/tcp\"
      - ${HOST_PORT:-3000}:3000
      - target: 443
        published: \"8443\"
        host_ip: 0.0.0.0
        protocol: tcp
        mode: host
";
    let f = load_str(text);
    let p = &service(&f, "a").ports;
    assert_eq!(p.len(), 6);
    assert_eq!(p[0].target.as_ref().unwrap().value, "80");
    assert!(p[0].published.is_none());
    assert_eq!(p[1].published.as_ref().unwrap().value, "8080");
    assert_eq!(&text[p[1].published.as_ref().unwrap().span.range()], "8080");
    assert_eq!(p[2].host_ip.as_ref().unwrap().value, "127.0.0.1");
    assert_eq!(p[2].published.as_ref().unwrap().value, "9000-9010");
    assert_eq!(p[2].protocol.as_ref().unwrap().value, "udp");
    assert_eq!(p[3].host_ip.as_ref().unwrap().value, "::1");
    assert_eq!(p[4].published.as_ref().unwrap().value, "3000");
    assert_eq!(p[5].published.as_ref().unwrap().value, "8443");
    assert_eq!(p[5].mode.as_ref().unwrap().value, "host");
    assert!(p[5].short.is_none());
}

#[test]
fn environment_list_and_map_build_and_octal_modes() {
    let text = "\
services:
  a:
    build:
      context: ./app
      dockerfile: Dockerfile.prod
      args:
        VERSION: 1
      target: runtime
      secrets: [npmrc]
    image: acme/a
    environment:
      A: 1
      B:
    secrets:
      - source: key
        mode: 0440
    read_only: on
  b:
    build: ./b
    environment: [X=1, Y]
";
    let f = load_str(text);
    let a = service(&f, "a");
    assert!(a.image_is_built());
    let b = a.build.as_ref().unwrap();
    assert_eq!(b.dockerfile.as_ref().unwrap().value, "Dockerfile.prod");
    assert_eq!(b.args[0].value.as_ref().unwrap().value, "1");
    assert_eq!(b.secrets[0].source.value, "npmrc");
    assert_eq!(a.environment.len(), 2);
    assert!(a.environment[1].value.is_none());
    assert_eq!(a.secrets[0].mode.as_ref().unwrap().value, Some(0o440));
    assert!(a.read_only.as_ref().unwrap().is_true());
    let bsvc = service(&f, "b");
    assert!(bsvc.build.as_ref().unwrap().short);
    assert!(!bsvc.image_is_built());
    let env = &bsvc.environment;
    assert_eq!(env[0].key.value, "X");
    assert_eq!(&text[env[0].key.span.range()], "X");
    assert_eq!(&text[env[0].value.as_ref().unwrap().span.range()], "1");
    assert!(env[1].value.is_none() && env[1].list_form);
}

#[test]
fn extends_same_file_and_other_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("common.yml"),
        "services:\n  base:\n    image: base:1\n    cap_add: [SYS_ADMIN]\n    environment: {A: base, B: base}\n",
    )
    .unwrap();
    let text = "\
services:
  tmpl:
    image: tmpl:1
    user: root
  local:
    extends: tmpl
    user: app
  remote:
    extends:
      file: common.yml
      service: base
    environment: {B: own}
  missing:
    extends: {file: nope.yml, service: x}
";
    let path = dir.path().join("compose.yaml");
    let f = load(text, &path, &Env::new());
    let local = service(&f, "local");
    assert_eq!(local.image.as_ref().unwrap().value, "tmpl:1");
    assert_eq!(local.user.as_ref().unwrap().value, "app");
    assert!(local.extends.as_ref().unwrap().resolved);
    let remote = service(&f, "remote");
    let img = remote.image.as_ref().unwrap();
    assert_eq!(img.value, "base:1");
    // A value from another file points at the `extends` entry here, its own span kept aside.
    assert!(matches!(
        &img.origin,
        Some(Origin::Extends { file: Some(_), .. })
    ));
    assert!(text[img.span.range()].starts_with("file: common.yml"));
    assert_eq!(remote.cap_add[0].value, "SYS_ADMIN");
    let env: Vec<_> = remote
        .environment
        .iter()
        .map(|kv| {
            (
                kv.key.value.as_str(),
                kv.value.as_ref().unwrap().value.as_str(),
            )
        })
        .collect();
    assert_eq!(env, [("A", "base"), ("B", "own")]);
    let errs: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Extends)
        .collect();
    assert_eq!(errs.len(), 1, "{:?}", f.diagnostics);
    assert!(errs[0].message.contains("nope.yml"));
    assert!(!service(&f, "missing").extends.as_ref().unwrap().resolved);
}

#[test]
fn extends_cycle_is_reported() {
    let f = load_str("services:\n  a:\n    extends: b\n  b:\n    extends: a\n");
    assert!(kinds(&f).contains(&DiagnosticKind::Extends));
}

#[test]
fn schema_unknown_keys_and_wrong_types() {
    let text = "\
x-top: 1
services:
  a:
    image: [not, a, string]
    privileged: maybe
    imagee: typo
    x-ext: fine
    ports: 80
    deploy:
      resources:
        limits: {cpus: '0.5', memroy: 1g}
unknown_top: 1
";
    let f = load_str(text);
    let msgs: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::Schema)
        .map(|d| (d.message.as_str(), &text[d.span.range()]))
        .collect();
    assert!(
        msgs.iter()
            .any(|(m, s)| m.contains("services.a.image") && *s == "[not, a, string]"),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(m, s)| m.contains("boolean") && *s == "maybe")
    );
    assert!(
        msgs.iter()
            .any(|(m, s)| m.contains("did you mean `image`") && *s == "imagee")
    );
    assert!(msgs.iter().any(|(m, _)| m.contains("services.a.ports")));
    assert!(msgs.iter().any(|(_, s)| *s == "memroy"));
    assert!(msgs.iter().any(|(_, s)| *s == "unknown_top"));
    assert_eq!(msgs.len(), 6, "{msgs:?}");
}

#[test]
fn alias_bomb_is_refused_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        text.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    text.push_str("services:\n  web:\n    image: x\n    labels: *i\n");
    let start = Instant::now();
    let f = load_str(&text);
    let took = start.elapsed();
    // A backstop against exponential expansion (9^9 nodes would take minutes), generous so a
    // loaded debug build cannot fail it; the budget and node count below are the real checks.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let bomb: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::AliasBudget)
        .collect();
    assert_eq!(bomb.len(), 1, "{:?}", f.diagnostics);
    assert!(bomb[0].message.contains("alias bomb"));
    assert!(f.has_fatal());
    assert!(f.documents.is_empty());
    // Bounded memory: the tree holds only the nodes written, not their expansion.
    assert!(f.yaml.nodes.len() < 200, "{}", f.yaml.nodes.len());
}

#[test]
fn modest_alias_reuse_is_fine() {
    let mut text = String::from("x-env: &env\n  A: 1\n  B: 2\nservices:\n");
    for i in 0..300 {
        text.push_str(&format!("  s{i}:\n    image: img\n    environment: *env\n"));
    }
    let f = load_str(&text);
    assert!(!f.has_fatal(), "{:?}", f.diagnostics.first());
    assert_eq!(f.services().count(), 300);
}

#[test]
fn deep_nesting_errors_cleanly() {
    let flow = format!("a: {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
    let f = load_str(&flow);
    assert!(f.has_fatal());
    let mut block = String::new();
    for i in 0..3_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let f = load_str(&block);
    assert!(
        kinds(&f).contains(&DiagnosticKind::Depth),
        "{:?}",
        f.diagnostics.first()
    );
    let recursive = load_str("a: &a [*a]\n");
    assert!(recursive.has_fatal());
}

#[test]
fn hostile_bytes_never_panic() {
    let big = format!(
        "services:\n  a:\n    image: \"{}\"\n",
        "x".repeat(5 * 1024 * 1024)
    );
    let f = load_str(&big);
    assert_eq!(
        service(&f, "a").image.as_ref().unwrap().value.len(),
        5 * 1024 * 1024
    );
    let tabs = "services:\n\ta:\n\t\timage: x\n";
    assert!(load_str(tabs).has_fatal());
    // A cheap deterministic generator: random bytes, decoded lossily as the CLI would.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in [1usize, 7, 64, 300, 4096] {
        for _ in 0..40 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let pick = b"ab:- \n\t[]{}&*!|>'\"#%@`,?$\\x\x00\xff";
                    if state.is_multiple_of(3) {
                        (state >> 8) as u8
                    } else {
                        pick[(state >> 16) as usize % pick.len()]
                    }
                })
                .collect();
            let (text, _) = plimsoll::source::decode(bytes);
            let f = load_str(&text);
            for d in &f.diagnostics {
                assert!(d.span.end as usize <= text.len());
                assert!(!d.message.contains("internal error"), "{text:?}");
            }
        }
    }
}

#[test]
fn spans_are_bytes_in_non_ascii_text() {
    let text = "# café ☕ 日本\nservices:\n  é:\n    image: \"ünï:1\"\n    user: ß\n";
    let f = load_str(text);
    let s = service(&f, "é");
    assert_eq!(&text[s.name.span.range()], "é");
    assert_eq!(&text[s.image.as_ref().unwrap().span.range()], "\"ünï:1\"");
    assert_eq!(&text[s.user.as_ref().unwrap().span.range()], "ß");
}

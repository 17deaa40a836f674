//! plimsoll's merged view of each compose-project fixture against `docker compose config` (or
//! `docker-compose config`, v1) where one is installed: per service the image, the user, the
//! published ports, the mounts' container paths and the environment's names, for the services
//! the active profiles enable. Skips, saying so, when neither is installed,
//! and for a fixture the installed one refuses (v1 knows neither `!reset` nor `!override`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use plimsoll::model::compose::project::Project;
use plimsoll::model::compose::{Env, include, profiles};
use plimsoll::syntax::compose::yaml::{self, NodeId, Yaml};

/// The command that prints a merged project: `docker compose` or `docker-compose`.
fn compose_command() -> Option<Vec<&'static str>> {
    let v2 = Command::new("docker")
        .args(["compose", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if v2 {
        return Some(vec!["docker", "compose"]);
    }
    if support::have_tool("docker-compose") {
        return Some(vec!["docker-compose"]);
    }
    eprintln!("skipping: neither `docker compose` nor `docker-compose` is installed");
    None
}

/// Per service: image, user, published:target ports, mount targets, environment names.
#[derive(Debug, PartialEq, Eq)]
struct ServiceView {
    name: String,
    image: Option<String>,
    user: Option<String>,
    ports: BTreeSet<String>,
    volumes: BTreeSet<String>,
    environment: BTreeSet<String>,
}

type View = Vec<ServiceView>;

fn port_pair(short: &str) -> String {
    let s = short.split('/').next().unwrap_or(short);
    let parts: Vec<&str> = s.rsplitn(3, ':').collect();
    match parts.as_slice() {
        [target] => format!(":{target}"),
        [target, published, ..] => format!("{published}:{target}"),
        [] => String::new(),
    }
}

/// The container path of a short-syntax mount (`src:dst[:mode]`, or `dst` alone).
fn mount_target(short: &str) -> String {
    let parts: Vec<&str> = short.split(':').collect();
    match parts.as_slice() {
        [_, dst, ..] if dst.starts_with('/') => dst.to_string(),
        [dst, ..] => dst.to_string(),
        [] => String::new(),
    }
}

fn lookup(y: &Yaml, node: NodeId, key: &str) -> Option<NodeId> {
    y.lookup(node, key).map(|e| y.resolve(e.value))
}

/// The services of `docker compose config`'s output that the active profiles enable: compose
/// v2 prints only those; docker-compose v1 prints every service with its merged `profiles:`, so
/// the profile rule (compose-spec's) is applied here to its merged profiles.
fn docker_view(out: &str, active: &[String]) -> View {
    let y = yaml::parse(out);
    let root = y.resolve(y.documents[0].root.unwrap());
    let services = lookup(&y, root, "services").unwrap();
    let mut view = Vec::new();
    for s in y.entries(services) {
        let name = y.scalar(s.key).unwrap().to_string();
        let svc = y.resolve(s.value);
        let scalar = |k: &str| lookup(&y, svc, k).and_then(|n| y.scalar(n).map(str::to_string));
        let items = |k: &str| -> Vec<NodeId> {
            lookup(&y, svc, k)
                .and_then(|n| y.sequence(n))
                .unwrap_or_default()
                .iter()
                .map(|i| y.resolve(*i))
                .collect()
        };
        let profiles: Vec<String> = items("profiles")
            .into_iter()
            .filter_map(|p| y.scalar(p).map(str::to_string))
            .collect();
        if !active.is_empty() && !profiles::enabled(&profiles, active) {
            continue;
        }
        let field = |n: NodeId, k: &str| {
            lookup(&y, n, k)
                .and_then(|v| y.scalar(v))
                .unwrap_or_default()
                .to_string()
        };
        let ports = items("ports")
            .into_iter()
            .map(|p| match y.scalar(p) {
                Some(short) => port_pair(short),
                None => format!("{}:{}", field(p, "published"), field(p, "target")),
            })
            .collect();
        let volumes = items("volumes")
            .into_iter()
            .map(|v| match y.scalar(v) {
                Some(short) => mount_target(short),
                None => field(v, "target"),
            })
            .collect();
        let environment: BTreeSet<String> = lookup(&y, svc, "environment")
            .map(|n| {
                y.entries(n)
                    .iter()
                    .filter_map(|e| y.scalar(e.key).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        view.push(ServiceView {
            name,
            image: scalar("image"),
            user: scalar("user"),
            ports,
            volumes,
            environment,
        });
    }
    view
}

/// plimsoll's merged project: each file's model (`extends` resolved in it), merged in order;
/// for an `include:` fixture, each included file loaded as its project reads it.
fn plimsoll_view(dir: &Path, files: &[&str], active: &[String]) -> View {
    let list: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let included = include::resolve(&list[..1], &plimsoll::model::compose::DiskFiles::uncached());
    let env = Env {
        project: Some(Arc::from(list.clone())),
        includes: Some(Arc::new(included)),
        ..Env::new()
    };
    let text = std::fs::read_to_string(&list[0]).unwrap();
    let project =
        Project::of(&list[0], &text, &env).unwrap_or_else(|| Project::alone(&list[0], &text));
    let mut services = project.effective(&env);
    let inc = env.includes.clone().unwrap();
    for (path, _) in inc.iter() {
        let text = std::fs::read_to_string(path).unwrap();
        services.extend(Project::alone(path, &text).effective(&env));
    }
    services
        .into_iter()
        .filter(|(_, s)| active.is_empty() || profiles::enabled(&s.profiles, active))
        .map(|(name, s)| ServiceView {
            name,
            image: s.image,
            user: s.user,
            ports: s.ports,
            volumes: s.volumes,
            environment: s.environment,
        })
        .collect()
}

/// A fixture, the files given to compose in order, and the active profiles.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn merged_projects_match_docker_compose_config() {
    let Some(cmd) = compose_command() else {
        return;
    };
    let v1 = cmd == ["docker-compose"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose-project");
    let cases: [Case; 9] = [
        ("override", &["compose.yaml", "compose.override.yaml"], &[]),
        ("flist", &["a.yaml", "c.yaml"], &[]),
        ("flist", &["a.yaml", "b.yaml"], &[]),
        ("flist", &["b.yaml", "a.yaml"], &[]),
        (
            "extends-override",
            &["compose.yaml", "compose.override.yaml"],
            &[],
        ),
        (
            "profiles",
            &["compose.yaml", "compose.override.yaml"],
            &["debug"],
        ),
        (
            "profiles",
            &["compose.yaml", "compose.override.yaml"],
            &["test", "tools"],
        ),
        (
            "profiles",
            &["compose.yaml", "compose.override.yaml"],
            &["*"],
        ),
        ("include-config", &["compose.yaml"], &[]),
    ];
    let mut compared = 0;
    for (case, files, active) in cases {
        if v1 && case.starts_with("include") {
            eprintln!(
                "skipping {case}: docker-compose 1.29.2 (compose v1) has no `include:`; \
                 `docker compose` v2 compares it"
            );
            continue;
        }
        let active: Vec<String> = active.iter().map(|p| p.to_string()).collect();
        let dir = root.join(case);
        let mut c = Command::new(cmd[0]);
        c.args(&cmd[1..]).current_dir(&dir);
        for f in files {
            c.args(["-f", f]);
        }
        for p in &active {
            c.args(["--profile", p]);
        }
        let out = c.arg("config").output().expect("run compose");
        if !out.status.success() {
            eprintln!(
                "skipping {case} {files:?}: `{}` refuses it: {}",
                cmd.join(" "),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            continue;
        }
        let theirs = docker_view(&String::from_utf8_lossy(&out.stdout), &active);
        let ours = plimsoll_view(&dir, files, &active);
        assert_eq!(ours, theirs, "{case} {files:?} {active:?}");
        compared += 1;
    }
    assert!(compared > 0, "no fixture could be compared");
}

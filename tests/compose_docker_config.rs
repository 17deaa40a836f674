//! plimsoll's merged view of each compose-project fixture against `docker compose config` (or
//! `docker-compose config`, v1) where one is installed: per service the image, the user, the
//! published ports and the environment's names. Skips, saying so, when neither is installed,
//! and for a fixture the installed one refuses (v1 knows neither `!reset` nor `!override`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use plimsoll::model::compose::Env;
use plimsoll::model::compose::project::Project;
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

/// Per service: image, user, published:target ports, environment names.
type View = Vec<(
    String,
    Option<String>,
    Option<String>,
    BTreeSet<String>,
    BTreeSet<String>,
)>;

fn port_pair(short: &str) -> String {
    let s = short.split('/').next().unwrap_or(short);
    let parts: Vec<&str> = s.rsplitn(3, ':').collect();
    match parts.as_slice() {
        [target] => format!(":{target}"),
        [target, published, ..] => format!("{published}:{target}"),
        [] => String::new(),
    }
}

fn lookup(y: &Yaml, node: NodeId, key: &str) -> Option<NodeId> {
    y.lookup(node, key).map(|e| y.resolve(e.value))
}

fn docker_view(out: &str) -> View {
    let y = yaml::parse(out);
    let root = y.resolve(y.documents[0].root.unwrap());
    let services = lookup(&y, root, "services").unwrap();
    let mut view = Vec::new();
    for s in y.entries(services) {
        let name = y.scalar(s.key).unwrap().to_string();
        let svc = y.resolve(s.value);
        let scalar = |k: &str| lookup(&y, svc, k).and_then(|n| y.scalar(n).map(str::to_string));
        let mut ports = BTreeSet::new();
        for p in lookup(&y, svc, "ports")
            .and_then(|n| y.sequence(n))
            .unwrap_or_default()
        {
            let p = y.resolve(*p);
            match y.scalar(p) {
                Some(short) => ports.insert(port_pair(short)),
                None => {
                    let f = |k: &str| {
                        lookup(&y, p, k)
                            .and_then(|n| y.scalar(n))
                            .unwrap_or_default()
                            .to_string()
                    };
                    ports.insert(format!("{}:{}", f("published"), f("target")))
                }
            };
        }
        let env: BTreeSet<String> = lookup(&y, svc, "environment")
            .map(|n| {
                y.entries(n)
                    .iter()
                    .filter_map(|e| y.scalar(e.key).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        view.push((name, scalar("image"), scalar("user"), ports, env));
    }
    view
}

fn plimsoll_view(dir: &Path, files: &[&str]) -> View {
    let list: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let env = Env {
        project: Some(Arc::from(list.clone())),
        ..Env::new()
    };
    let text = std::fs::read_to_string(&list[0]).unwrap();
    let project = Project::of(&list[0], &text, &env).expect("a project of several files");
    project
        .services()
        .into_iter()
        .map(|s| {
            let k = |key: &'static str| ["services", s.as_str(), key];
            let ports = project
                .items(&k("ports"))
                .iter()
                .map(|p| port_pair(p))
                .collect();
            (
                s.clone(),
                project.scalar(&k("image")),
                project.scalar(&k("user")),
                ports,
                project.mapping_keys(&k("environment")),
            )
        })
        .collect()
}

#[test]
fn merged_projects_match_docker_compose_config() {
    let Some(cmd) = compose_command() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose-project");
    let cases: [(&str, &[&str]); 4] = [
        ("override", &["compose.yaml", "compose.override.yaml"]),
        ("flist", &["a.yaml", "c.yaml"]),
        ("flist", &["a.yaml", "b.yaml"]),
        ("flist", &["b.yaml", "a.yaml"]),
    ];
    let mut compared = 0;
    for (case, files) in cases {
        let dir = root.join(case);
        let mut c = Command::new(cmd[0]);
        c.args(&cmd[1..]).current_dir(&dir);
        for f in files {
            c.args(["-f", f]);
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
        let theirs = docker_view(&String::from_utf8_lossy(&out.stdout));
        let ours = plimsoll_view(&dir, files);
        assert_eq!(ours, theirs, "{case} {files:?}");
        compared += 1;
    }
    assert!(compared > 0, "no fixture could be compared");
}

//! The services of a project as compose runs them, for comparing plimsoll's reading with
//! `docker compose config`: each file's model (its `extends` resolved within it, interpolated
//! with its variables), then the files merged in order ([`Project::effective`]).
//!
//! Only the fields the comparison needs are merged: image and user (replaced), ports
//! (appended), volumes (by container path: a later mount of a path replaces the earlier),
//! environment (by name) and profiles (appended). `!reset` drops the earlier files' value and
//! `!override` replaces it whole.

use std::collections::{BTreeMap, BTreeSet};

use super::Env;
use super::project::Project;

/// One service after the merge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EffectiveService {
    pub image: Option<String>,
    pub user: Option<String>,
    /// `published:target` of each port (`:target` when nothing is published).
    pub ports: BTreeSet<String>,
    /// The container path of each mount.
    pub volumes: BTreeSet<String>,
    /// The names the environment sets.
    pub environment: BTreeSet<String>,
    pub profiles: Vec<String>,
}

impl Project {
    /// Every service of the project after the merge, by name. A file that cannot be read
    /// again is left out.
    pub fn effective(&self, env: &Env) -> BTreeMap<String, EffectiveService> {
        let mut out: BTreeMap<String, EffectiveService> = BTreeMap::new();
        for m in &self.members {
            let Ok(text) = env.files.text(&m.path) else {
                continue;
            };
            let file = super::load(&text, &m.path, env);
            for s in file.services() {
                let name = s.name.value.clone();
                let tag = |key: &str| -> Option<String> {
                    let yaml = &m.parsed.yaml;
                    let root = yaml.resolve(yaml.documents.first()?.root?);
                    let svc = yaml.resolve(yaml.lookup(root, "services")?.value);
                    let svc = yaml.resolve(yaml.lookup(svc, &name)?.value);
                    let e = yaml.lookup(svc, key)?;
                    yaml.tag(e.value).map(str::to_string)
                };
                let resets =
                    |key: &str| matches!(tag(key).as_deref(), Some("!reset" | "!override"));
                let e = out.entry(name.clone()).or_default();
                if tag("image").as_deref() == Some("!reset") {
                    e.image = None;
                }
                if let Some(i) = &s.image {
                    e.image = Some(i.value.clone());
                }
                if tag("user").as_deref() == Some("!reset") {
                    e.user = None;
                }
                if let Some(u) = &s.user {
                    e.user = Some(u.value.clone());
                }
                if resets("ports") {
                    e.ports.clear();
                }
                for p in &s.ports {
                    let published = p.published.as_ref().map_or("", |t| t.value.as_str());
                    let target = p.target.as_ref().map_or("", |t| t.value.as_str());
                    e.ports.insert(format!("{published}:{target}"));
                }
                if resets("volumes") {
                    e.volumes.clear();
                }
                // A later mount of a container path replaces the earlier: the set keeps one.
                e.volumes.extend(
                    s.volumes
                        .iter()
                        .filter_map(|v| v.target.as_ref())
                        .map(|t| t.value.clone()),
                );
                if resets("environment") {
                    e.environment.clear();
                }
                e.environment
                    .extend(s.environment.iter().map(|kv| kv.key.value.clone()));
                if resets("profiles") {
                    e.profiles.clear();
                }
                for p in &s.profiles {
                    if !e.profiles.contains(&p.value) {
                        e.profiles.push(p.value.clone());
                    }
                }
            }
        }
        out
    }
}

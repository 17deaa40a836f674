//! `plimsoll check --build-arg NAME=VALUE --platform OS/ARCH --target STAGE --online`: what
//! `docker build` is given, applied over the configuration's `build-args` and `platform` (and
//! over a compose service's `build.args` and `build.target`); and, with `--online`,
//! the platforms of base images asked from their registries.

use super::CheckArgs;
use crate::model::build_inputs::BuildInputs;
use crate::model::dockerfile::{ImageSite, ImageTarget};
use crate::registry::{Client, ClientOptions, Target};
use crate::rules::buildkit::CHECK_BUILD_ARG;
use crate::rules::settings::LintSettings;
use crate::source::{FileKind, SourceFile};
use crate::syntax::dockerfile::check::CheckOptions;
use crate::syntax::platform::Platform;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The command line's build inputs.
#[derive(Debug, Default)]
pub struct BuildFlags {
    args: Vec<(String, String)>,
    platform: Option<Platform>,
    stage: Option<String>,
}

impl BuildFlags {
    /// Reads `--build-arg` and `--platform`; an invalid one is a usage error.
    pub fn parse(args: &CheckArgs) -> Result<BuildFlags, String> {
        let mut out = BuildFlags::default();
        for a in &args.build_args {
            let (name, value) = match a.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                // As `docker build`: a name alone takes its value from the environment, and is
                // left out when the environment does not have it.
                None => match std::env::var(a) {
                    Ok(v) => (a.clone(), v),
                    Err(_) => continue,
                },
            };
            if name.is_empty() {
                return Err(format!("invalid --build-arg `{a}`: expected NAME=VALUE"));
            }
            if name == CHECK_BUILD_ARG
                && let Err(e) = CheckOptions::parse(&value)
            {
                return Err(format!("invalid --build-arg {CHECK_BUILD_ARG}: {e}"));
            }
            out.args.push((name, value));
        }
        if let Some(t) = &args.target_stage {
            if t.trim().is_empty() {
                return Err("invalid --target: expected a stage name".to_string());
            }
            out.stage = Some(t.clone());
        }
        if let Some(p) = &args.platform {
            out.platform =
                Some(Platform::parse(p).map_err(|e| format!("invalid --platform: {e}"))?);
        }
        Ok(out)
    }

    /// The settings with these inputs over the configuration's.
    pub fn apply(&self, settings: &mut LintSettings) {
        if self.args.is_empty() && self.platform.is_none() && self.stage.is_none() {
            return;
        }
        let mut args = settings.build.args.clone();
        args.extend(self.args.iter().cloned());
        let target = self.platform.clone().or_else(|| {
            settings
                .build
                .explicit_target
                .then(|| settings.build.target.clone())
        });
        let mut inputs = BuildInputs::new(args, target).with_stage(self.stage.clone());
        inputs.explicit_stage = self.stage.is_some();
        inputs.explicit_args = self.args.iter().map(|(k, _)| k.clone()).collect();
        settings.build = Arc::new(inputs);
    }
}

/// `--online`: base-image platforms from the registries, each image asked once per run.
pub struct Online {
    client: Client,
    cache: Mutex<HashMap<String, Option<Vec<String>>>>,
}

impl Online {
    pub fn new() -> Online {
        Online {
            client: Client::new(ClientOptions::from_environment()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Adds to `settings` the platforms of the external base images of `file` that the lock
    /// file does not record.
    pub fn fill(&self, file: &SourceFile, settings: &mut LintSettings) {
        if file.kind != FileKind::Dockerfile {
            return;
        }
        let tree = crate::syntax::dockerfile::parse(&file.text);
        let model = crate::model::dockerfile::from_tree_with(&tree, &file.text, &settings.build);
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for image in &model.images {
            if image.site != ImageSite::From || image.target != ImageTarget::External {
                continue;
            }
            let Ok(target) = Target::parse(&image.resolved) else {
                continue;
            };
            let key = target.to_string();
            if settings.options.image_platforms.contains_key(&key) || found.contains_key(&key) {
                continue;
            }
            if let Some(p) = self.lookup(&key, &target) {
                found.insert(key, p);
            }
        }
        if !found.is_empty() {
            let mut all = (*settings.options.image_platforms).clone();
            all.extend(found);
            settings.options.image_platforms = Arc::new(all);
        }
    }

    /// The platforms of one image (a failure is remembered as unknown: the rule stays silent).
    fn lookup(&self, key: &str, target: &Target) -> Option<Vec<String>> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(key).cloned()) {
            return hit;
        }
        let got = self.client.platforms(target).ok().filter(|p| !p.is_empty());
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key.to_string(), got.clone());
        }
        got
    }
}

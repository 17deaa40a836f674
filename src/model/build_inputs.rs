//! What `docker build` is given besides the files: build arguments (`--build-arg NAME=VALUE`,
//! `build-args` in the configuration, a compose service's `build.args`), the stage built
//! (`--target`, a compose service's `build.target`) and the target platform (`--platform`, the
//! host's by default), with the platform ARGs BuildKit defines from them (`TARGETPLATFORM`, `TARGETOS`,
//! `TARGETARCH`, `TARGETVARIANT`, `BUILDPLATFORM`, `BUILDOS`, `BUILDARCH`, `BUILDVARIANT`, …).
//!
//! The Dockerfile model resolves `ARG`s with these, as BuildKit does: a build argument replaces
//! the default of the `ARG` that declares it (an undeclared one is unused), and the platform
//! ARGs are defined before the first `FROM` and imported into a stage by `ARG NAME`.

use crate::syntax::platform::Platform;
use std::collections::{BTreeMap, BTreeSet};

/// The build's inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInputs {
    /// Build arguments by name.
    pub args: BTreeMap<String, String>,
    /// The names in `args` given on the command line (`--build-arg`): they win over a compose
    /// service's `build.args` when the Dockerfile is linted as that service builds it.
    pub explicit_args: BTreeSet<String>,
    /// The stage built (`--target`, `build.target`), as written; `None` builds the last stage.
    pub stage: Option<String>,
    /// Whether `stage` was given on the command line (it then wins over `build.target`).
    pub explicit_stage: bool,
    /// The platform the image is built for.
    pub target: Platform,
    /// Whether the target was given (`--platform`) rather than taken from the host.
    pub explicit_target: bool,
    /// The platform the build runs on: the host's.
    pub build: Platform,
    /// [`BuildInputs::automatic_args`] but `TARGETSTAGE`, worked out once.
    automatic: Vec<(&'static str, String)>,
}

impl Default for BuildInputs {
    fn default() -> BuildInputs {
        BuildInputs::new(BTreeMap::new(), None)
    }
}

impl BuildInputs {
    /// Inputs with these build arguments, for `target` (the host's platform when `None`).
    pub fn new(args: BTreeMap<String, String>, target: Option<Platform>) -> BuildInputs {
        let build = Platform::host();
        let mut inputs = BuildInputs {
            args,
            explicit_args: BTreeSet::new(),
            stage: None,
            explicit_stage: false,
            explicit_target: target.is_some(),
            target: target.unwrap_or_else(|| build.clone()),
            build,
            automatic: Vec::new(),
        };
        inputs.automatic = inputs.platform_args();
        inputs
    }

    /// These inputs building `stage` (`None`: the last stage).
    pub fn with_stage(mut self, stage: Option<String>) -> BuildInputs {
        self.stage = stage;
        self
    }

    /// The inputs of a compose service's build, which `docker compose build` passes as
    /// `--build-arg` and `--target`: its `args` over these (the configuration's `build-args`),
    /// except the names given on plimsoll's command line, and its `target` unless the command
    /// line gave one.
    pub fn for_service(
        &self,
        args: &BTreeMap<String, String>,
        target: Option<&str>,
    ) -> BuildInputs {
        let mut merged = self.args.clone();
        for (k, v) in args {
            if !self.explicit_args.contains(k) {
                merged.insert(k.clone(), v.clone());
            }
        }
        let mut out = BuildInputs::new(merged, self.explicit_target.then(|| self.target.clone()));
        out.explicit_args = self.explicit_args.clone();
        out.explicit_stage = self.explicit_stage;
        out.stage = if self.explicit_stage {
            self.stage.clone()
        } else {
            target.map(str::to_string).or_else(|| self.stage.clone())
        };
        out
    }

    /// The value given for build argument `name`.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.get(name).map(String::as_str)
    }

    /// BuildKit's automatic ARGs (its `defaultArgs`), in its order, each replaced by a build
    /// argument of the same name when one is given. `target_stage` is the name of the stage
    /// being built (`TARGETSTAGE`), `default` for an unnamed last stage.
    pub fn automatic_args(&self, target_stage: &str) -> Vec<(&'static str, String)> {
        let stage = if target_stage.is_empty() {
            "default"
        } else {
            target_stage
        };
        let mut out = self.automatic.clone();
        out.push((
            "TARGETSTAGE",
            self.arg("TARGETSTAGE").unwrap_or(stage).to_string(),
        ));
        out
    }

    /// The platform ARGs, build arguments applied.
    fn platform_args(&self) -> Vec<(&'static str, String)> {
        let (b, t) = (&self.build, &self.target);
        let build_platform = Platform {
            os_version: String::new(),
            ..b.clone()
        };
        [
            ("BUILDPLATFORM", build_platform.to_string()),
            ("BUILDOS", b.os.clone()),
            ("BUILDOSVERSION", b.os_version.clone()),
            ("BUILDARCH", b.architecture.clone()),
            ("BUILDVARIANT", b.variant.clone()),
            ("TARGETPLATFORM", t.to_string()),
            ("TARGETOS", t.os.clone()),
            ("TARGETOSVERSION", t.os_version.clone()),
            ("TARGETARCH", t.architecture.clone()),
            ("TARGETVARIANT", t.variant.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k, self.arg(k).map_or(v, str::to_string)))
        .collect()
    }

    /// Whether `text` can name an automatic ARG at all (they all start with `BUILD` or
    /// `TARGET`): most Dockerfiles cannot, and their models skip defining them.
    pub fn may_use_automatic(text: &str) -> bool {
        let b = text.as_bytes();
        memchr::memmem::find(b, b"BUILD").is_some() || memchr::memmem::find(b, b"TARGET").is_some()
    }

    /// Whether `name` is one of BuildKit's automatic ARGs.
    pub fn is_automatic(name: &str) -> bool {
        AUTOMATIC.contains(&name)
    }
}

/// The names of [`BuildInputs::automatic_args`].
pub const AUTOMATIC: [&str; 11] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_args_follow_the_target_and_build_args() {
        let target = Platform::parse("linux/arm/v7").unwrap();
        let mut args = BTreeMap::new();
        args.insert("TARGETOS".to_string(), "plan9".to_string());
        let inputs = BuildInputs::new(args, Some(target));
        let auto: BTreeMap<_, _> = inputs.automatic_args("").into_iter().collect();
        assert_eq!(auto["TARGETPLATFORM"], "linux/arm/v7");
        assert_eq!(auto["TARGETARCH"], "arm");
        assert_eq!(auto["TARGETVARIANT"], "v7");
        assert_eq!(auto["TARGETOS"], "plan9", "a build argument replaces it");
        assert_eq!(auto["TARGETSTAGE"], "default");
        assert_eq!(auto["BUILDOS"], "linux");
        assert!(inputs.explicit_target);
        assert!(BuildInputs::is_automatic("BUILDARCH"));
        assert!(!BuildInputs::default().explicit_target);
    }

    #[test]
    fn a_service_build_yields_to_the_command_line() {
        let mut base = BuildInputs::new(
            BTreeMap::from([
                ("A".to_string(), "cli".to_string()),
                ("B".to_string(), "config".to_string()),
            ]),
            None,
        );
        base.explicit_args.insert("A".to_string());
        let svc = BTreeMap::from([
            ("A".to_string(), "compose".to_string()),
            ("B".to_string(), "compose".to_string()),
        ]);
        let got = base.for_service(&svc, Some("prod"));
        assert_eq!(got.arg("A"), Some("cli"));
        assert_eq!(got.arg("B"), Some("compose"));
        assert_eq!(got.stage.as_deref(), Some("prod"));
        let mut cli = base.clone().with_stage(Some("dev".to_string()));
        cli.explicit_stage = true;
        assert_eq!(
            cli.for_service(&svc, Some("prod")).stage.as_deref(),
            Some("dev")
        );
    }
}

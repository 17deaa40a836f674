//! `build-tools-in-final-image` (off by default): the final image keeps what only building
//! needs: compilers and toolchains installed by a package manager and not removed afterwards
//! (`gcc`, `build-essential`, `build-base`, `golang`, a JDK, …), or the image is the toolchain
//! image it compiles in (`FROM golang` + `go build`), where a multi-stage build would copy out
//! just the result.

use crate::analysis::command::Command;
use crate::analysis::packages::{Action, Manager, classify};
use crate::analysis::stages::final_image_stages;
use crate::rules::prelude::*;

pub struct BuildToolsInFinalImage;

impl Rule for BuildToolsInFinalImage {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let mut stages = final_image_stages(df);
        stages.reverse(); // base stages first: file order
        let instrs: Vec<usize> = stages
            .iter()
            .filter_map(|s| df.stages.get(*s))
            .flat_map(|s| s.instrs.clone())
            .collect();
        let cmds: Vec<&Command<'_>> = instrs
            .iter()
            .flat_map(|i| cx.analysis().run_commands(*i, false))
            .collect();
        let mut found: Vec<(Span, String)> = Vec::new();
        for (k, c) in cmds.iter().enumerate() {
            let Some(pc) = classify(c) else { continue };
            if pc.action != Action::Install {
                continue;
            }
            // `apk add --virtual .build-deps gcc` is undone by `apk del .build-deps`.
            let group = (pc.manager == Manager::Apk)
                .then(|| pc.flag_value("--virtual").or_else(|| pc.flag_value("-t")))
                .flatten()
                .map(|v| v.value.to_string());
            for p in &pc.packages {
                if !is_build_tool(p.name) {
                    continue;
                }
                let later = cmds.get(k + 1..).unwrap_or(&[]);
                if removed(later, p.name, group.as_deref(), pc.manager) {
                    continue;
                }
                found.push((
                    p.word.span,
                    format!(
                        "`{}` stays in the final image: a compiler or build tool the application \
                         does not run, but an attacker inside the container can use, and that \
                         makes the image larger; build in an earlier stage and `COPY --from` \
                         only the result (or remove it in the same RUN that used it)",
                        p.name
                    ),
                ));
            }
        }
        // The final image is a toolchain image it compiles in.
        if let Some(base) = stages
            .first()
            .and_then(|s| df.stages.get(*s))
            .and_then(|s| df.images.get(s.base))
            && let Some(toolchain) = toolchain_image(&base.resolved)
            && let Some(build) = cmds.iter().find(|c| compiles(c))
        {
            let message = format!(
                "the final image is `{}`, a {toolchain} toolchain image it compiles in: the \
                 compiler, the sources and the build caches all ship with the application; build \
                 in a stage `FROM {}` and `COPY --from` the result into a slim runtime image",
                base.resolved, base.resolved
            );
            let related = Related::new(
                build.name_word().map_or(build.span, |w| w.span),
                "compiles in the final image",
            );
            cx.report(base.span, message).related.push(related);
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

/// Compilers, build systems and toolchains, as distributions name their packages.
fn is_build_tool(name: &str) -> bool {
    matches!(
        name,
        "gcc"
            | "g++"
            | "gcc-c++"
            | "c++"
            | "cc"
            | "clang"
            | "llvm"
            | "make"
            | "cmake"
            | "ninja"
            | "ninja-build"
            | "meson"
            | "autoconf"
            | "automake"
            | "libtool"
            | "build-essential"
            | "build-base"
            | "alpine-sdk"
            | "golang"
            | "golang-go"
            | "go"
            | "rustc"
            | "cargo"
            | "rust"
            | "maven"
            | "gradle"
    ) || name.starts_with("gcc-") && name[4..].bytes().all(|b| b.is_ascii_digit())
        || (name.starts_with("openjdk") && (name.ends_with("-jdk") || name.ends_with("-jdk-headless")))
        || (name.starts_with("java-") && name.ends_with("-openjdk-devel"))
}

/// Whether a later command removes the package (or the virtual group it was installed in),
/// directly or as Debian's images do: `apt-mark auto '.*'` (every package becomes removable),
/// then `apt-get purge --auto-remove` or `apt-get autoremove`.
fn removed(later: &[&Command<'_>], name: &str, group: Option<&str>, manager: Manager) -> bool {
    let mut marked_auto = false;
    later.iter().any(|c| {
        if c.is("apt-mark") && c.subcommand() == Some("auto") {
            marked_auto = true;
            return false;
        }
        let Some(pc) = classify(c) else { return false };
        if pc.action != Action::Remove {
            return false;
        }
        let autoremove = pc.subcommand.is_some_and(|s| s.as_str() == "autoremove")
            || pc.has_any_flag(&["--auto-remove", "--autoremove"]);
        (manager == Manager::Apt && pc.manager == Manager::Apt && marked_auto && autoremove)
            || pc
                .packages
                .iter()
                .any(|p| p.name == name || Some(p.name) == group)
    })
}

/// The toolchain an official build image carries: `golang:1.22` -> Go.
fn toolchain_image(reference: &str) -> Option<&'static str> {
    let repo = reference.split(['@', ':']).next().unwrap_or(reference);
    let name = repo.rsplit('/').next().unwrap_or(repo);
    Some(match name {
        "golang" => "Go",
        "rust" => "Rust",
        "maven" => "Maven",
        "gradle" => "Gradle",
        "gcc" => "GCC",
        _ => return None,
    })
}

/// A command that compiles the application.
fn compiles(c: &Command<'_>) -> bool {
    match c.name() {
        Some("go") => matches!(c.subcommand(), Some("build" | "install")),
        Some("cargo") => matches!(c.subcommand(), Some("build" | "install")),
        Some("mvn" | "mvnw" | "gradle" | "gradlew" | "make" | "gcc" | "g++" | "cc") => true,
        _ => false,
    }
}

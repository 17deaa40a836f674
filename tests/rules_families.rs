//! Behaviour of the latest-tag, unpinned-digest, root-user and split-run families beyond the
//! catalog examples: exact token positions, variable resolution, options, fixes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::finding::{Applicability, Finding};
use plimsoll::rules::RuleId;
use plimsoll::rules::lint_source;
use plimsoll::rules::settings::LintSettings;
use plimsoll::source::{FileKind, SourceFile};

fn lint_with(kind: FileKind, text: &str, settings: LintSettings) -> (SourceFile, Vec<Finding>) {
    let name = if kind == FileKind::Dockerfile {
        "Dockerfile"
    } else {
        "compose.yaml"
    };
    let file = SourceFile::new(name, text, kind);
    let report = lint_source(&file, &settings);
    (file, report.findings)
}

fn lint(kind: FileKind, text: &str, code: &str) -> Vec<(u32, u32, String)> {
    let settings = LintSettings {
        select: vec![code.to_string()],
        ..LintSettings::default()
    };
    let (file, findings) = lint_with(kind, text, settings);
    findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| {
            let loc = f.location(&file);
            (loc.line, loc.column, file.slice(f.span).to_string())
        })
        .collect()
}

fn apply(text: &str, f: &Finding) -> String {
    let mut out = text.to_string();
    let fix = f.fix.as_ref().expect("a fix");
    for e in fix.edits.iter().rev() {
        out.replace_range(e.span.range(), &e.replacement);
    }
    out
}

#[test]
fn latest_tag_resolves_arg_defaults_and_points_at_the_reference() {
    let text = "ARG BASE=node:latest\nFROM $BASE AS build\nFROM build\nCOPY --from=nginx:stable /a /b\nONBUILD COPY --from=redis:latest /x /y\n";
    let found = lint(FileKind::Dockerfile, text, RuleId::LatestTag.code());
    assert_eq!(
        found,
        [
            (2, 6, "$BASE".to_string()),
            (4, 13, "nginx:stable".to_string()),
            (5, 21, "redis:latest".to_string())
        ]
    );
    let settings = LintSettings {
        select: vec![RuleId::LatestTag.code().into()],
        ..LintSettings::default()
    };
    let (_, findings) = lint_with(FileKind::Dockerfile, text, settings);
    assert!(findings[0].message.contains("node:latest"));
    assert_eq!(
        findings[0].related.len(),
        1,
        "related span on the ARG default"
    );
}

#[test]
fn moving_tags_come_from_options() {
    let text = "FROM debian:bookworm\n";
    let mut settings = LintSettings {
        select: vec!["latest-tag".into()],
        ..LintSettings::default()
    };
    assert!(
        lint_with(FileKind::Dockerfile, text, settings.clone())
            .1
            .is_empty()
    );
    settings.options.moving_tags.push("bookworm".into());
    assert_eq!(lint_with(FileKind::Dockerfile, text, settings).1.len(), 1);
}

#[test]
fn a_stage_arg_redeclared_without_value_takes_the_global_default() {
    let text = "ARG V=latest\nFROM alpine:3.20\nARG V\nCOPY --from=busybox:$V /bin/sh /sh\n";
    assert_eq!(
        lint(FileKind::Dockerfile, text, RuleId::LatestTag.code()).len(),
        1
    );
    // Without the re-declaration the global ARG is not visible in the stage: unresolved.
    let text = "ARG V=latest\nFROM alpine:3.20\nCOPY --from=busybox:$V /bin/sh /sh\n";
    assert!(lint(FileKind::Dockerfile, text, RuleId::LatestTag.code()).is_empty());
}

#[test]
fn compose_interpolation_defaults_and_built_images() {
    let text = "services:\n  a:\n    image: \"app:${TAG:-latest}\"\n  b:\n    image: app:${TAG}\n  c:\n    build: .\n    image: mine:latest\n";
    let found = lint(FileKind::Compose, text, RuleId::LatestTag.code());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
}

#[test]
fn unpinned_and_malformed_digests() {
    let good = "sha256:".to_string() + &"a".repeat(64);
    let text =
        format!("FROM alpine:3.20\nFROM alpine@{good}\nFROM alpine@sha256:abc\nFROM scratch\n");
    assert_eq!(
        lint(FileKind::Dockerfile, &text, RuleId::UnpinnedDigest.code()),
        [(1, 6, "alpine:3.20".into())]
    );
    let bad = lint(
        FileKind::Dockerfile,
        &text,
        RuleId::UnpinnedDigestMalformed.code(),
    );
    assert_eq!(bad, [(3, 13, "sha256:abc".into())]);
}

#[test]
fn root_user_follows_stages_and_variables() {
    // USER inherited from the base stage counts; build stages do not.
    let text = "FROM alpine:3.20 AS base\nUSER root\nFROM base\nRUN id\n";
    assert_eq!(
        lint(FileKind::Dockerfile, text, RuleId::RootUser.code()),
        [(2, 6, "root".into())]
    );
    let text = "FROM alpine:3.20 AS build\nUSER root\nFROM alpine:3.20\nUSER 1000\n";
    assert!(lint(FileKind::Dockerfile, text, RuleId::RootUser.code()).is_empty());
    let text = "FROM alpine:3.20\nENV U=0\nUSER $U:0\n";
    assert_eq!(
        lint(FileKind::Dockerfile, text, RuleId::RootUser.code()),
        [(3, 6, "$U:0".into())]
    );
    // Unknown variable: not judged.
    assert!(
        lint(
            FileKind::Dockerfile,
            "FROM alpine:3.20\nUSER $X\n",
            RuleId::RootUser.code()
        )
        .is_empty()
    );
}

#[test]
fn implicit_root_and_nonroot_bases() {
    let text = "FROM alpine:3.20 AS build\nUSER app\nFROM gcr.io/distroless/static:nonroot\n";
    assert!(lint(FileKind::Dockerfile, text, RuleId::RootUserImplicit.code()).is_empty());
    let text = "FROM alpine:3.20 AS build\nUSER app\nFROM debian:12\n";
    assert_eq!(
        lint(FileKind::Dockerfile, text, RuleId::RootUserImplicit.code()),
        [(3, 6, "debian:12".into())]
    );
    // A final stage built on a stage that set USER inherits it.
    let text = "FROM alpine:3.20 AS base\nUSER app\nFROM base\n";
    assert!(lint(FileKind::Dockerfile, text, RuleId::RootUserImplicit.code()).is_empty());
    // Unresolvable base: not judged.
    assert!(
        lint(
            FileKind::Dockerfile,
            "ARG B\nFROM $B\n",
            RuleId::RootUserImplicit.code()
        )
        .is_empty()
    );
}

#[test]
fn split_run_fix_joins_runs_and_keeps_comments() {
    let text = "FROM alpine:3.20\nRUN apk add --no-cache curl\n# fetch\nRUN curl -fsSL https://example.com \\\n    -o /tmp/x\nRUN chmod +x /tmp/x\n";
    let settings = LintSettings {
        select: vec!["split-run".into()],
        ..LintSettings::default()
    };
    let (_, findings) = lint_with(FileKind::Dockerfile, text, settings.clone());
    assert_eq!(findings.len(), 2);
    let fix = findings[0].fix.as_ref().unwrap();
    assert_eq!(fix.applicability, Applicability::Safe);
    let once = apply(text, &findings[0]);
    assert_eq!(
        once,
        "FROM alpine:3.20\nRUN apk add --no-cache curl && \\\n# fetch\n    curl -fsSL https://example.com \\\n    -o /tmp/x\nRUN chmod +x /tmp/x\n"
    );
    // Applying the fixes one after the other leaves a single RUN, and nothing to report.
    let (_, again) = lint_with(FileKind::Dockerfile, &once, settings.clone());
    let twice = apply(&once, &again[0]);
    assert_eq!(twice.matches("RUN").count(), 1, "{twice}");
    let (_, none) = lint_with(FileKind::Dockerfile, &twice, settings);
    assert!(none.is_empty());
}

#[test]
fn split_run_skips_unjoinable_runs() {
    let cases = [
        "FROM a:1\nRUN x # note\nRUN y\n",
        "FROM a:1\nRUN x &\nRUN y\n",
        "FROM a:1\nRUN x & wait\nRUN rm -f y\n",
        "FROM a:1\nRUN x\n\n# note\nRUN y\n",
        "FROM a:1\nRUN x\n# plimsoll ignore=latest-tag\nRUN y\n",
    ];
    for text in cases {
        let f = lint(FileKind::Dockerfile, text, RuleId::SplitRun.code());
        assert_eq!(f.len(), 1, "{text}");
    }
    for text in cases {
        let settings = LintSettings {
            select: vec![RuleId::SplitRun.code().into()],
            ..LintSettings::default()
        };
        let (_, findings) = lint_with(FileKind::Dockerfile, text, settings);
        assert!(findings[0].fix.is_none(), "no fix for {text:?}");
    }
    // Blank lines alone between the two go with the keyword.
    let settings = LintSettings {
        select: vec![RuleId::SplitRun.code().into()],
        ..LintSettings::default()
    };
    let text = "FROM a:1\nRUN x\n\n\nRUN y\n";
    let (_, findings) = lint_with(FileKind::Dockerfile, text, settings);
    assert_eq!(apply(text, &findings[0]), "FROM a:1\nRUN x && \\\n    y\n");
    for text in [
        "FROM a:1\nRUN [\"x\"]\nRUN y\n",
        "FROM a:1\nRUN --mount=type=cache,target=/c x\nRUN y\n",
        "FROM a:1\nRUN x\nFROM b:1\nRUN y\n",
        "FROM a:1\nRUN x\nCOPY . .\nRUN y\n",
    ] {
        assert!(
            lint(FileKind::Dockerfile, text, RuleId::SplitRun.code()).is_empty(),
            "{text}"
        );
    }
}

#[test]
fn package_index_and_cleanup_layers() {
    let text = "FROM debian:12\nRUN sudo apt-get -qq update\nRUN DEBIAN_FRONTEND=noninteractive apt-get install -y curl\nRUN apt-get clean && rm -rf /var/lib/apt/lists/*\n";
    assert_eq!(
        lint(FileKind::Dockerfile, text, RuleId::SplitRunUpdate.code()),
        [(2, 10, "apt-get -qq update".into())]
    );
    let cleanup = lint(FileKind::Dockerfile, text, RuleId::SplitRunCleanup.code());
    assert_eq!(cleanup.len(), 2);
    assert_eq!(cleanup[1].2, "rm -rf /var/lib/apt/lists/*");
    // In another stage, or with a different manager, nothing is stale.
    let text = "FROM debian:12\nRUN apt-get update\nFROM debian:12\nRUN apt-get install -y curl\nRUN apk cache clean\n";
    assert!(lint(FileKind::Dockerfile, text, RuleId::SplitRunUpdate.code()).is_empty());
    assert!(lint(FileKind::Dockerfile, text, RuleId::SplitRunCleanup.code()).is_empty());
}

#[test]
fn examples_directory_findings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut paths = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                paths.push(p);
            }
        }
    }
    paths.sort();
    let mut out = String::new();
    for p in paths {
        let Some(kind) = FileKind::detect(&p) else {
            continue;
        };
        let text = std::fs::read_to_string(&p).unwrap();
        let rel = p.strip_prefix(dir).unwrap().display().to_string();
        let (file, findings) = lint_with(kind, &text, LintSettings::default());
        for f in findings {
            let loc = f.location(&file);
            out.push_str(&format!(
                "{rel}:{}:{} {} {} `{}`{}\n",
                loc.line,
                loc.column,
                f.code,
                f.name,
                file.slice(f.span),
                if f.fix.is_some() { " [fix]" } else { "" }
            ));
        }
    }
    support::snapshot_settings().bind(|| insta::assert_snapshot!("rules_examples", out));
}

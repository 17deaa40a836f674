//! BuildKit's build checks (`docker build --check`) and their configuration.
//!
//! A plimsoll rule is one of BuildKit's 22 checks when its `aliases` name it (several rules may
//! share one name, as the three split from MultipleInstructionsDisallowed do). For those rules
//! the engine reads the configuration exactly as BuildKit does:
//!
//! - the `BUILDKIT_DOCKERFILE_CHECK` build argument, or else the file's `# check=` parser
//!   directive: `skip=<checks>|all` turns checks off, `experimental=<checks>|all` turns
//!   experimental checks on (they never run otherwise in BuildKit, and `skip` does not touch
//!   them), `error=true` makes every check finding an error; a malformed directive is refused,
//!   as BuildKit refuses to build;
//! - a `# check=…` comment directly above an instruction adds skips and experimental checks
//!   for the checks BuildKit runs while reading or dispatching that instruction.
//!
//! `skip=` also accepts plimsoll's own rule names and codes, for any rule (BuildKit ignores names
//! it does not know, so this changes nothing for `docker build`); `skip=all` covers BuildKit's
//! checks only, never plimsoll's other rules.

use super::catalog::{self, RuleMeta};
use super::settings::LintSettings;
use crate::finding::{Finding, Severity};
use crate::source::Span;
use crate::syntax::dockerfile::check::{self, CheckOptions};
use crate::syntax::dockerfile::{Dockerfile as Tree, Instruction};
use std::borrow::Cow;

/// One of BuildKit's checks.
#[derive(Debug)]
pub struct Check {
    /// The name BuildKit prints (`StageNameCasing`).
    pub name: &'static str,
    /// Runs only when enabled with `experimental=`.
    pub experimental: bool,
    /// BuildKit runs it while reading or dispatching one instruction, so a `# check=` comment
    /// above that instruction applies to it. The others run over the whole file.
    pub instruction_scoped: bool,
}

const fn check(name: &'static str, experimental: bool, instruction_scoped: bool) -> Check {
    Check {
        name,
        experimental,
        instruction_scoped,
    }
}

/// The checks of BuildKit's `frontend/dockerfile/linter/ruleset.go`.
pub const CHECKS: [Check; 22] = [
    check("StageNameCasing", false, true),
    check("FromAsCasing", false, true),
    check("NoEmptyContinuation", false, false),
    check("ConsistentInstructionCasing", false, false),
    check("DuplicateStageName", false, false),
    check("ReservedStageName", false, false),
    check("JSONArgsRecommended", false, true),
    check("MaintainerDeprecated", false, true),
    check("UndefinedArgInFrom", false, true),
    check("WorkdirRelativePath", false, true),
    check("UndefinedVar", false, true),
    check("MultipleInstructionsDisallowed", false, true),
    check("LegacyKeyValueFormat", false, true),
    check("InvalidBaseImagePlatform", false, false),
    check("RedundantTargetPlatform", false, true),
    check("SecretsUsedInArgOrEnv", false, true),
    check("InvalidDefaultArgInFrom", false, false),
    check("FromPlatformFlagConstDisallowed", false, true),
    check("CopyIgnoredFile", false, true),
    check("InvalidDefinitionDescription", true, true),
    check("ExposeProtoCasing", false, true),
    check("ExposeInvalidFormat", false, true),
];

/// The build argument that configures the checks (it replaces the `# check=` directive).
pub const CHECK_BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

/// The BuildKit check a rule is, if any.
pub fn check_of(meta: &RuleMeta) -> Option<&'static Check> {
    meta.aliases
        .iter()
        .find_map(|a| CHECKS.iter().find(|c| c.name == *a))
}

/// Whether a `skip=` list entry names this rule: its BuildKit check name exactly (as BuildKit
/// compares), or one of plimsoll's selectors for it.
fn names(entry: &str, meta: &RuleMeta, check: &Check) -> bool {
    entry == check.name || names_plimsoll_rule(entry, meta)
}

/// Whether a `skip=` entry is this rule's plimsoll code or name.
fn names_plimsoll_rule(entry: &str, meta: &RuleMeta) -> bool {
    meta.code.eq_ignore_ascii_case(entry) || meta.name.eq_ignore_ascii_case(entry)
}

/// The check configuration of one Dockerfile.
#[derive(Debug, Default)]
pub struct FileChecks {
    /// From the build argument or the directive.
    options: CheckOptions,
    /// A directive BuildKit refuses (its value's span and the reason); the file is then read
    /// with no options, as nothing would be built.
    pub error: Option<(Span, String)>,
    /// Each top-level instruction's span with the options its `# check=` comment adds.
    scoped: Vec<(Span, CheckOptions)>,
}

impl FileChecks {
    /// Reads the configuration of a Dockerfile: the `BUILDKIT_DOCKERFILE_CHECK` build argument
    /// when given, else the `# check=` directive; and the `# check=` comments above
    /// instructions.
    pub fn of(tree: &Tree, text: &str, settings: &LintSettings) -> FileChecks {
        let mut out = FileChecks::default();
        let arg = settings.build.arg(CHECK_BUILD_ARG);
        if arg.is_none() && !mentions_check(text) {
            return out;
        }
        match arg {
            Some(value) => match CheckOptions::parse(value) {
                Ok(o) => out.options = o,
                Err(e) => {
                    out.error = Some((
                        Span::empty(0),
                        format!("the {CHECK_BUILD_ARG} build argument is not valid: {e}"),
                    ));
                }
            },
            None => {
                if let Some((value, span)) = check::file_directive(text) {
                    match CheckOptions::parse(value) {
                        Ok(o) => out.options = o,
                        Err(e) => {
                            out.error = Some((
                                span,
                                format!(
                                    "the `# check=` directive is not valid ({e}): BuildKit refuses to build the file; write `skip=<checks>|all`, `error=true|false` or `experimental=<checks>|all`, separated by `;`"
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for ins in &tree.instructions {
            if let Some(o) = comment_options(ins, text) {
                out.scoped.push((ins.span, o));
            }
        }
        out
    }

    /// Whether nothing here changes what the engine does.
    fn is_default(&self) -> bool {
        self.scoped.is_empty() && self.options == CheckOptions::default()
    }

    /// The rules to run on this file: `enabled` without the checks the file skips, with the
    /// experimental checks it enables (unless the settings ignore them).
    pub fn rules<'e>(
        &self,
        enabled: &'e [(&'static RuleMeta, Severity)],
        settings: &LintSettings,
    ) -> Cow<'e, [(&'static RuleMeta, Severity)]> {
        if self.is_default() {
            return Cow::Borrowed(enabled);
        }
        let mut out: Vec<_> = enabled
            .iter()
            .copied()
            .filter(|(meta, _)| match check_of(meta) {
                Some(c) if c.experimental && self.options.enables(c.name) => true,
                Some(c) => {
                    !self.options.skip.iter().any(|s| names(s, meta, c)) && !self.options.skip_all
                }
                // plimsoll's other rules: only when named (`skip=all` is BuildKit's checks).
                None => !self
                    .options
                    .skip
                    .iter()
                    .any(|s| names_plimsoll_rule(s, meta)),
            })
            .collect();
        let codes = |selectors: &[String]| -> Vec<&'static str> {
            selectors
                .iter()
                .flat_map(|s| catalog::resolve(s))
                .map(|m| m.code)
                .collect()
        };
        let (selected, ignored) = (codes(&settings.select), codes(&settings.ignore));
        for meta in catalog::all() {
            let Some(c) = check_of(meta) else { continue };
            // The file turns an experimental check on (in place of preview mode), among the
            // rules the configuration selects.
            let wanted = c.experimental
                && (self.options.enables(c.name)
                    || self.scoped.iter().any(|(_, o)| o.enables(c.name)));
            let allowed = (settings.select.is_empty() && meta.default_enabled)
                || selected.contains(&meta.code);
            if wanted
                && allowed
                && meta.implementation.is_some()
                && !ignored.contains(&meta.code)
                && !out.iter().any(|(m, _)| m.code == meta.code)
            {
                out.push((meta, meta.severity));
            }
        }
        out.sort_by_key(|(m, _)| m.code);
        Cow::Owned(out)
    }

    /// Applies the `# check=` comments above instructions (skips, and experimental checks
    /// enabled for one instruction only) and `error=true` to the findings of a file linted
    /// with `enabled` (the settings' rules, before [`FileChecks::rules`]).
    pub fn apply(&self, findings: &mut Vec<Finding>, enabled: &[(&'static RuleMeta, Severity)]) {
        if self.is_default() {
            return;
        }
        findings.retain(|f| {
            let Some(meta) = catalog::by_code(f.code) else {
                return true;
            };
            let Some(c) = check_of(meta) else {
                return true;
            };
            let scoped = if c.instruction_scoped {
                self.scoped
                    .iter()
                    .find(|(span, _)| span.start <= f.span.start && f.span.start <= span.end)
                    .map(|(_, o)| o)
            } else {
                None
            };
            if c.experimental {
                // Enabled with `experimental=`: BuildKit's `skip` does not touch it.
                if self.options.enables(c.name) || scoped.is_some_and(|o| o.enables(c.name)) {
                    return true;
                }
                // Enabled only by the comments above other instructions: not here.
                if !enabled.iter().any(|(m, _)| m.code == f.code) {
                    return false;
                }
            }
            !scoped.is_some_and(|o| o.skip_all || o.skip.iter().any(|s| names(s, meta, c)))
        });
        if self.options.error {
            for f in findings.iter_mut() {
                if catalog::by_code(f.code).and_then(check_of).is_some() {
                    f.severity = Severity::Error;
                }
            }
        }
    }
}

/// Whether `text` contains the word `check` in any case (a quick test before reading comments).
fn mentions_check(text: &str) -> bool {
    let b = text.as_bytes();
    // `heck`/`HECK` are rare enough that the case-insensitive test runs seldom.
    [&b"heck"[..], b"HECK", b"Heck"].iter().any(|needle| {
        memchr::memmem::find_iter(b, needle).any(|i| {
            i > 0
                && b.get(i - 1..i + 4)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"check"))
        })
    })
}

/// The options of the first `# check=` comment among those BuildKit attaches to an instruction
/// (a comment it cannot parse is ignored, as BuildKit ignores it).
fn comment_options(ins: &Instruction, text: &str) -> Option<CheckOptions> {
    let first = ins.comments.iter().find_map(|c| {
        let comment = c.buildkit_text(text);
        check::comment_directive(&comment).map(str::to_string)
    })?;
    CheckOptions::parse(&first).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleId, lint_source};
    use crate::source::{FileKind, SourceFile};

    fn codes(text: &str, settings: &LintSettings) -> Vec<String> {
        let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        lint_source(&file, settings)
            .findings
            .iter()
            .map(|f| format!("{}@{}:{}", f.name, f.location(&file).line, f.severity))
            .collect()
    }

    fn select(ids: &[RuleId]) -> LintSettings {
        LintSettings {
            select: ids.iter().map(|id| id.code().to_string()).collect(),
            ..LintSettings::default()
        }
    }

    #[test]
    fn every_check_is_a_rule_and_the_experimental_one_is_in_preview() {
        for c in &CHECKS {
            let rules: Vec<_> = catalog::all()
                .iter()
                .filter(|m| m.aliases.contains(&c.name))
                .collect();
            assert!(!rules.is_empty(), "{} is no rule's alias", c.name);
            for r in rules {
                assert_eq!(
                    r.lifecycle == catalog::Lifecycle::Preview,
                    c.experimental,
                    "{}",
                    r.name
                );
            }
        }
    }

    #[test]
    fn skip_all_covers_buildkits_checks_only() {
        let s = select(&[RuleId::LatestTag, RuleId::FromAsCasing]);
        let text = "# check=skip=all\nFROM alpine:latest as a\n";
        assert_eq!(codes(text, &s), ["latest-tag@2:warning"]);
        // plimsoll's own names work in skip= too.
        let text = "# check=skip=latest-tag\nFROM alpine:latest as a\n";
        assert_eq!(codes(text, &s), ["from-as-casing@2:warning"]);
    }

    #[test]
    fn comments_above_an_instruction_scope_skips_and_experimental_checks() {
        let s = select(&[
            RuleId::LegacyKeyValueFormat,
            RuleId::InvalidDefinitionDescription,
        ]);
        let text = "FROM alpine:3.20\n# check=skip=LegacyKeyValueFormat\nENV A 1\nENV B 2\n";
        assert_eq!(codes(text, &s), ["legacy-key-value-format@4:warning"]);
        // Enabled above one ARG only: its findings there, nowhere else.
        let text = "# bad\nARG A=1\n# check=experimental=InvalidDefinitionDescription\nARG B=2\n";
        assert_eq!(
            codes(text, &s),
            ["invalid-definition-description@4:warning"]
        );
        // Not among the rules the configuration selects: not run.
        let s = select(&[RuleId::LatestTag]);
        assert!(codes(text, &s).is_empty());
    }

    #[test]
    fn error_true_raises_check_findings_only() {
        let s = select(&[RuleId::LatestTag, RuleId::FromAsCasing]);
        let text = "# check=error=true\nFROM alpine:latest as a\n";
        assert_eq!(
            codes(text, &s),
            ["latest-tag@2:warning", "from-as-casing@2:error"]
        );
    }

    #[test]
    fn a_malformed_directive_is_refused_unless_the_build_argument_replaces_it() {
        let s = select(&[RuleId::DockerfileSyntax, RuleId::FromAsCasing]);
        let text = "# check=skip\nFROM alpine:3.20 as a\n";
        assert_eq!(
            codes(text, &s),
            ["dockerfile-syntax@1:error", "from-as-casing@2:warning"]
        );
        let mut args = std::collections::BTreeMap::new();
        args.insert(CHECK_BUILD_ARG.to_string(), "skip=FromAsCasing".to_string());
        let with_arg = LintSettings {
            build: std::sync::Arc::new(crate::model::build_inputs::BuildInputs::new(args, None)),
            ..s
        };
        assert!(codes(text, &with_arg).is_empty());
    }
}

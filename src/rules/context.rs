//! What a rule sees while it checks one file: the file, its analyses (parsed once and shared by
//! every rule, see [`crate::analysis`]), the options, and a sink for its findings; plus the
//! positions the engine passes to the entry points ([`InstructionAt`], [`ComposeKeyAt`]).

use super::catalog::RuleMeta;
use super::settings::RuleOptions;
use crate::analysis::Analysis;
use crate::analysis::command::Command;
use crate::finding::{Finding, Related, Severity};
use crate::model::compose::{Compose, ComposeFile, Service};
use crate::model::dockerfile::{Dockerfile, ImageUse, Instr, InstructionKind, Stage};
use crate::source::{SourceFile, Span};
use crate::syntax::compose::yaml::NodeId;

pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub options: &'a RuleOptions,
    analysis: &'a Analysis<'a>,
    meta: &'static RuleMeta,
    severity: Severity,
    findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        analysis: &'a Analysis<'a>,
        options: &'a RuleOptions,
        meta: &'static RuleMeta,
        severity: Severity,
    ) -> Context<'a> {
        Context {
            file: analysis.file,
            options,
            analysis,
            meta,
            severity,
            findings: Vec::new(),
        }
    }

    /// The whole source text.
    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    /// The file's analyses.
    pub fn analysis(&self) -> &'a Analysis<'a> {
        self.analysis
    }

    /// The Dockerfile model, for a Dockerfile.
    pub fn dockerfile(&self) -> Option<&'a Dockerfile> {
        self.analysis.dockerfile
    }

    /// The Dockerfile syntax tree (every token with its span), for a Dockerfile.
    pub fn tree(&self) -> Option<&'a crate::syntax::dockerfile::Dockerfile> {
        self.analysis.tree
    }

    /// The syntax-tree node of the instruction at `at` (the ONBUILD-wrapped one for an
    /// `onbuild` position): its exact tokens, comments and argument shape.
    pub fn tree_instruction(
        &self,
        at: &InstructionAt<'_>,
    ) -> Option<&'a crate::syntax::dockerfile::Instruction> {
        let top = self.tree()?.instructions.get(at.index)?;
        if at.onbuild { top.onbuild() } else { Some(top) }
    }

    /// The parts of the FROM at `at` (none inside ONBUILD, which cannot wrap a FROM).
    pub fn from_parts(
        &self,
        at: &InstructionAt<'_>,
    ) -> Option<crate::syntax::dockerfile::FromArgs<'a>> {
        if at.onbuild {
            return None;
        }
        self.tree_instruction(at)?.from()
    }

    /// Reports a package-manager command that stops at a confirmation prompt, at its name and
    /// subcommand, saying `advice`; with an unsafe fix adding `-y` after the subcommand where
    /// that word is written plainly. The check of the yum, dnf and zypper `*-missing-yes` rules
    /// alike (`default_name` when the command's name cannot be read).
    pub fn report_prompting_command(
        &mut self,
        pc: &crate::analysis::packages::PackageCommand<'_>,
        default_name: &str,
        advice: &str,
    ) {
        let (Some(sub), Some(head)) = (pc.subcommand, pc.name_to_subcommand()) else {
            return;
        };
        let name = pc.command.name().unwrap_or(default_name);
        let fix = pc
            .insert_after_subcommand(self.text(), "-y")
            .map(|edit| crate::finding::Fix {
                description: "add `-y`".into(),
                // Where the manager would have stopped and failed the build, it now goes on.
                applicability: crate::finding::Applicability::Unsafe,
                edits: vec![edit],
            });
        let message = format!(
            "`{name} {}` asks for confirmation, and with no one to answer the build fails: {advice}",
            sub.as_str()
        );
        self.report(head, message).fix = fix;
    }

    /// Reports every instruction of `kind` that a later one of its stage replaces (see
    /// [`Dockerfile::overridden`]), pointing at the one that takes effect: the check of the
    /// CMD, ENTRYPOINT and HEALTHCHECK rules alike.
    pub fn report_overridden(&mut self, df: &Dockerfile, kind: InstructionKind) {
        for (earlier, later) in df.overridden(kind) {
            let (Some(a), Some(b)) = (df.instrs.get(earlier), df.instrs.get(later)) else {
                continue;
            };
            let line = self.file.line_col(b.span.start as usize).line;
            let word = &b.keyword;
            self.report(
                a.keyword_span,
                format!(
                    "This {word} never takes effect: the {word} on line {line} replaces it (a \
                     stage keeps only its last {word}); remove one of them"
                ),
            )
            .related
            .push(Related::new(
                b.keyword_span,
                format!("the {word} that takes effect"),
            ));
        }
    }

    /// The compose model, for a compose file.
    pub fn compose(&self) -> Option<&'a ComposeFile> {
        self.analysis.compose
    }

    /// Every place the file names an image.
    pub fn image_uses(&self) -> &'a [ImageUse] {
        self.analysis.image_uses()
    }

    /// The simple commands an instruction runs (see [`Analysis::run_commands`]).
    pub fn commands(&self, at: &InstructionAt<'_>) -> &'a [Command<'a>] {
        self.analysis.run_commands(at.index, at.onbuild)
    }

    /// The rule being run.
    pub fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    /// Reports a finding of the running rule at `span` (the exact offending token) with its
    /// configured severity. The returned finding may be given related spans, a fix or a secret.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        let finding = Finding::new(self.meta.code, self.meta.name, self.severity, span, message);
        self.findings.push(finding);
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// Like [`Context::report`] with an explicit severity, for rules whose findings differ in
    /// gravity (e.g. a literal secret versus a secret-looking name).
    pub fn report_with(
        &mut self,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Finding {
        let f = self.report(span, message);
        f.severity = severity;
        f
    }

    /// Reports a finding at an image reference, pointing also at each `ARG` default its value
    /// came from (for rules judging the resolved image, as `FROM ${BASE}` is built).
    pub fn report_image(&mut self, image: &ImageUse, message: impl Into<String>) -> &mut Finding {
        let finding = self.report(image.span, message);
        for via in &image.via {
            finding.related.push(Related::new(
                *via,
                crate::analysis::images::ARG_DEFAULT_LABEL,
            ));
        }
        finding
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// An instruction as the engine walks to it.
#[derive(Clone, Copy, Debug)]
pub struct InstructionAt<'a> {
    pub instr: &'a Instr,
    /// The index in [`Dockerfile::instrs`] of the instruction, or of the `ONBUILD` holding it.
    pub index: usize,
    /// Whether the instruction is the one an `ONBUILD` wraps: it runs in a downstream build,
    /// not in this one.
    pub onbuild: bool,
    /// The stage the instruction is in; `None` before the first `FROM` (global `ARG`s).
    pub stage: Option<&'a Stage>,
}

/// A key of a compose mapping as it is written (see [`super::Rule::check_compose_key`]).
#[derive(Clone, Copy, Debug)]
pub struct ComposeKeyAt<'a> {
    /// The YAML document the key is in.
    pub document: &'a Compose,
    /// The service whose mapping holds the key, for a service key.
    pub service: Option<&'a Service>,
    /// The key's text.
    pub key: &'a str,
    pub key_node: NodeId,
    pub value_node: NodeId,
    /// The key's span.
    pub key_span: Span,
}

impl Context<'_> {
    /// Reports `message` at `span` about collection `coll` of the compose tree being out of
    /// order, with a safe fix putting its entries in `order` (see
    /// [`crate::analysis::compose_layout::reorder`]: whole entries move with their comments).
    /// Compose reads mappings without regard to order, and none of the lists these rules sort
    /// (`ports`, `depends_on`) has a meaningful order. When the move is refused (an alias would
    /// precede its anchor, entries share lines) the finding has no fix and its message says why.
    pub fn report_out_of_order(
        &mut self,
        span: Span,
        message: String,
        coll: NodeId,
        order: &[usize],
        description: &str,
    ) {
        use crate::analysis::compose_layout::reorder;
        let mut message = message;
        let mut fix = None;
        if let Some(compose) = self.compose() {
            match reorder(&compose.yaml, coll, order) {
                Ok(edits) if !edits.is_empty() => {
                    fix = Some(crate::finding::Fix {
                        description: description.to_string(),
                        applicability: crate::finding::Applicability::Safe,
                        edits,
                    })
                }
                Ok(_) => {}
                Err(refusal) => message = format!("{message} ({refusal})"),
            }
        }
        self.report(span, message).fix = fix;
    }
}

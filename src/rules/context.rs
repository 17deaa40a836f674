//! What a rule sees while it checks one file: the file, its analyses (parsed once and shared by
//! every rule, see [`crate::analysis`]), the options, and a sink for its findings; plus the
//! positions the engine passes to the entry points ([`InstructionAt`], [`ComposeKeyAt`]).

use super::catalog::RuleMeta;
use super::settings::RuleOptions;
use crate::analysis::Analysis;
use crate::analysis::command::Command;
use crate::finding::{Finding, Severity};
use crate::model::compose::{Compose, ComposeFile, Service};
use crate::model::dockerfile::{Dockerfile, ImageUse, Instr, Stage};
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

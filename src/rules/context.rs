//! What a rule sees while it checks one file: the source, the parsed tree and model (built once
//! per file and shared by every rule), the options, and a sink for its findings.

use super::catalog::RuleMeta;
use super::engine::Parsed;
use super::settings::RuleOptions;
use crate::finding::{Finding, Severity};
use crate::source::{SourceFile, Span};

pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub options: &'a RuleOptions,
    pub(crate) parsed: &'a Parsed,
    meta: &'static RuleMeta,
    severity: Severity,
    findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        file: &'a SourceFile,
        options: &'a RuleOptions,
        parsed: &'a Parsed,
        meta: &'static RuleMeta,
        severity: Severity,
    ) -> Context<'a> {
        Context {
            file,
            options,
            parsed,
            meta,
            severity,
            findings: Vec::new(),
        }
    }

    /// The whole source text.
    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    /// The Dockerfile model, for a Dockerfile.
    pub fn dockerfile(&self) -> Option<&'a crate::model::dockerfile::Dockerfile> {
        self.parsed.dockerfile.as_ref()
    }

    /// The Dockerfile syntax tree (every token with its span), for a Dockerfile.
    pub fn tree(&self) -> Option<&'a crate::syntax::dockerfile::Dockerfile> {
        self.parsed.tree.as_ref()
    }

    /// The compose model, for a compose file.
    pub fn compose(&self) -> Option<&'a crate::model::compose::ComposeFile> {
        self.parsed.compose.as_ref()
    }

    /// The rule being run.
    pub fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    /// Reports a finding of the running rule at `span` (the exact offending token) with its
    /// configured severity. The returned finding may be given related spans, a fix or a secret.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        let finding = Finding::new(
            &self.meta.code,
            &self.meta.name,
            self.severity,
            span,
            message,
        );
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

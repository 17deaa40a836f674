//! Rule metadata for reporters ([`crate::report::RuleInfo`]), from the embedded catalog (every
//! finding, the pipeline's own included, belongs to a catalog rule).

use crate::report::RuleInfo;
use crate::rules::catalog;

/// Rule metadata for reporters, from the embedded catalog. A foreign code (`SC2086`) is
/// described by the rule reporting it, under its own code (its SARIF rule id).
pub fn rule_info(code: &str) -> Option<RuleInfo> {
    let meta = catalog::rule_of(code)?;
    Some(RuleInfo {
        code: code.to_string(),
        name: meta.name.to_string(),
        summary: meta.summary.to_string(),
        help_uri: catalog::code_doc_url(code),
        default_severity: meta.severity,
        security: meta.is_security(),
    })
}

//! Rule metadata for reporters ([`crate::report::RuleInfo`]), from the embedded catalog (every
//! finding, the pipeline's own included, belongs to a catalog rule).

use crate::report::RuleInfo;
use crate::rules::catalog;

/// Rule metadata for reporters, from the embedded catalog.
pub fn rule_info(code: &str) -> Option<RuleInfo> {
    let meta = catalog::by_code(code)?;
    Some(RuleInfo {
        code: meta.code.to_string(),
        name: meta.name.to_string(),
        summary: meta.summary.to_string(),
        help_uri: Some(catalog::doc_url(meta)),
        default_severity: meta.severity,
        security: meta.is_security(),
    })
}

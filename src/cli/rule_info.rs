//! Rule metadata for reporters ([`crate::report::RuleInfo`]), from the embedded catalog and the
//! findings the pipeline makes itself.

use crate::report::RuleInfo;
use crate::rules::catalog;

/// Rule families whose findings are security findings (SARIF `security-severity`).
const SECURITY_FAMILIES: [&str; 5] = [
    "secret",
    "setuid",
    "root-user",
    "unpinned-digest",
    "trusted-registry",
];

/// Rule metadata for reporters, from the embedded catalog.
pub fn rule_info(code: &str) -> Option<RuleInfo> {
    if let Some((code, name, severity, summary)) =
        crate::lint::LOCAL_RULES.iter().find(|l| l.0 == code)
    {
        return Some(RuleInfo {
            code: code.to_string(),
            name: name.to_string(),
            summary: summary.to_string(),
            help_uri: None,
            default_severity: *severity,
            security: false,
        });
    }
    let meta = catalog::by_code(code)?;
    Some(RuleInfo {
        code: meta.code.clone(),
        name: meta.name.clone(),
        summary: meta.summary.clone(),
        help_uri: Some(catalog::doc_url(&meta.name)),
        default_severity: meta.severity,
        security: SECURITY_FAMILIES.iter().any(|f| meta.name.starts_with(f)),
    })
}

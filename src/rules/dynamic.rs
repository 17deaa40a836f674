//! Finding codes that are not pages of the catalog: the codes of the Rego policies a run loads
//! (`policy/<package>/<rule>`, see [`crate::policy`]). Each belongs to the catalog rule that
//! reports it (`rego`), so everything that keys on a finding's code — selectors, suppressions,
//! baselines, SARIF rule metadata, `plimsoll rules` — knows them once they are registered.
//!
//! Why a registry of interned codes rather than a `String` code on [`Finding`]: every consumer
//! of findings takes the code as `&'static str` (reports, baselines, statistics, the editor), and
//! a policy's codes are known the moment it is loaded, before any file is linted. Interning them
//! then keeps [`Finding`] as it is. The table is bounded ([`MAX_CODES`] codes of at most
//! [`MAX_CODE_LEN`] bytes, each interned once however often a policy is reloaded), so a policy
//! cannot make the process grow without end.
//!
//! A code is recognised by its shape: it contains a `/`, which no catalog code, name, alias,
//! category or family does. A selector of that shape names the registered codes equal to it or
//! under it (`policy/acme` selects every rule of package `acme`), and never the whole `rego`
//! rule: `--ignore policy/main/deny` keeps every other policy rule.
//!
//! [`Finding`]: crate::finding::Finding

use super::catalog::RuleId;
use crate::finding::Severity;
use std::collections::BTreeMap;
use std::sync::{OnceLock, RwLock};

/// The most distinct codes a process registers.
pub const MAX_CODES: usize = 10_000;
/// The longest code accepted.
pub const MAX_CODE_LEN: usize = 200;

/// A registered code and what reporters and `plimsoll rules` say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamicCode {
    /// The code, interned.
    pub code: &'static str,
    /// The catalog rule whose findings carry it.
    pub rule: RuleId,
    /// The severity its findings have unless configured otherwise.
    pub severity: Severity,
    /// One line for `plimsoll rules`, SARIF and the editor.
    pub summary: String,
    /// Where it is defined (`policy/images.rego:12`), for `plimsoll rules` and hovers.
    pub source: String,
}

fn table() -> &'static RwLock<BTreeMap<&'static str, DynamicCode>> {
    static TABLE: OnceLock<RwLock<BTreeMap<&'static str, DynamicCode>>> = OnceLock::new();
    TABLE.get_or_init(|| RwLock::new(BTreeMap::new()))
}

/// Whether `s` has the shape of a dynamic code or a selector of them: it contains a `/`, has no
/// blank and no empty segment, and is not too long.
pub fn is_dynamic(s: &str) -> bool {
    let s = s.trim();
    s.contains('/')
        && s.len() <= MAX_CODE_LEN
        && !s.split('/').any(str::is_empty)
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Registers `code` for `rule` (or updates what is said about it) and returns it interned.
/// Fails when the code does not have the shape of one or the table is full.
pub fn register(
    code: &str,
    rule: RuleId,
    severity: Severity,
    summary: impl Into<String>,
    source: impl Into<String>,
) -> Result<&'static str, String> {
    if !is_dynamic(code) {
        return Err(format!(
            "`{code}` is not a valid policy code (it needs a `/`, no blanks and at most {MAX_CODE_LEN} bytes)"
        ));
    }
    let mut table = table().write().unwrap_or_else(|e| e.into_inner());
    let interned = match table.get_key_value(code) {
        Some((k, _)) => *k,
        None if table.len() >= MAX_CODES => {
            return Err(format!(
                "too many policy codes: at most {MAX_CODES} distinct codes are accepted"
            ));
        }
        // Leaked on purpose: a code lives as long as any finding may carry it, and each distinct
        // code is leaked once (the table bounds how many).
        None => &*Box::leak(code.to_string().into_boxed_str()),
    };
    table.insert(
        interned,
        DynamicCode {
            code: interned,
            rule,
            severity,
            summary: summary.into(),
            source: source.into(),
        },
    );
    Ok(interned)
}

/// What is registered under `code` (exactly as written).
pub fn get(code: &str) -> Option<DynamicCode> {
    table()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(code)
        .cloned()
}

/// Every registered code, sorted.
pub fn all() -> Vec<DynamicCode> {
    table()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .cloned()
        .collect()
}

/// Whether `selector` names `code`: it is the code, or a `/`-separated prefix of it
/// (`policy/main` names `policy/main/deny`, not `policy/mainline/deny`); case-sensitive, as
/// Rego package and rule names are.
pub fn selects(selector: &str, code: &str) -> bool {
    let s = selector.trim().trim_end_matches("/*");
    code == s
        || code
            .strip_prefix(s)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The registered codes `selector` names.
pub fn matching(selector: &str) -> Vec<&'static str> {
    if !is_dynamic(selector) {
        return Vec::new();
    }
    table()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .keys()
        .filter(|c| selects(selector, c))
        .copied()
        .collect()
}

/// The registered code nearest to `selector`, for "did you mean".
pub fn suggest(selector: &str) -> Option<&'static str> {
    let table = table().read().unwrap_or_else(|e| e.into_inner());
    super::catalog::closest(selector, table.keys().copied())
}

/// What the dynamic selectors of some settings say about one code: whether its findings are
/// kept, and at which severity.
///
/// - Ignored when an `ignore` selector names it.
/// - When `select` is given and nothing in it selects the reporting rule as a whole (`ALL`, the
///   rule, its family, category or a code prefix), only the codes the dynamic selectors of
///   `select` and `extend-select` name are kept.
/// - The severity is the code's own, or the rule's when the user re-graded the rule as a whole
///   (`rule_severity`), or the one a `[severity]` entry naming the code (the longest) gives.
pub fn selection(
    code: &str,
    own: Severity,
    rule_severity: Option<Severity>,
    settings: &super::settings::LintSettings,
) -> Option<Severity> {
    let names = |list: &[String]| list.iter().any(|s| is_dynamic(s) && selects(s, code));
    if names(&settings.ignore) {
        return None;
    }
    let rule = get(code).map(|c| c.rule);
    let broad = |list: &[String]| {
        list.iter().any(|s| {
            !is_dynamic(s)
                && super::catalog::resolve(s)
                    .iter()
                    .any(|m| Some(m.id) == rule)
        })
    };
    let whole =
        settings.select.is_empty() || broad(&settings.select) || broad(&settings.extend_select);
    if !whole && !names(&settings.select) && !names(&settings.extend_select) {
        return None;
    }
    let narrowest = settings
        .severity
        .iter()
        .filter(|(s, _)| is_dynamic(s) && selects(s, code))
        .max_by_key(|(s, _)| s.len())
        .map(|(_, sev)| *sev);
    Some(narrowest.or(rule_severity).unwrap_or(own))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::settings::LintSettings;

    #[test]
    fn codes_intern_once_and_select_by_segment() {
        let a = register(
            "test-dyn/main/deny",
            RuleId::Rego,
            Severity::Error,
            "s",
            "p.rego:1",
        )
        .unwrap();
        let b = register(
            "test-dyn/main/deny",
            RuleId::Rego,
            Severity::Error,
            "t",
            "p.rego:2",
        )
        .unwrap();
        assert!(std::ptr::eq(a, b), "interned once");
        assert_eq!(get("test-dyn/main/deny").unwrap().summary, "t");
        register(
            "test-dyn/mainline/warn",
            RuleId::Rego,
            Severity::Warning,
            "",
            "",
        )
        .unwrap();
        assert_eq!(matching("test-dyn/main"), ["test-dyn/main/deny"]);
        assert_eq!(matching("test-dyn/main/*"), ["test-dyn/main/deny"]);
        assert_eq!(
            matching("test-dyn").len(),
            0,
            "a selector without `/` is a rule name"
        );
        assert!(matching("latest-tag").is_empty());
        for bad in ["nodash", "a//b", "a/ b", "/a", "a/"] {
            assert!(
                register(bad, RuleId::Rego, Severity::Error, "", "").is_err(),
                "{bad}"
            );
        }
        assert_eq!(suggest("test-dyn/main/dney"), Some("test-dyn/main/deny"));
    }

    #[test]
    fn selection_narrows_to_named_codes_and_grades_the_narrowest() {
        let code = register("test-sel/pkg/deny", RuleId::Rego, Severity::Error, "", "").unwrap();
        let s = LintSettings::default();
        assert_eq!(
            selection(code, Severity::Error, None, &s),
            Some(Severity::Error)
        );
        let s = LintSettings {
            ignore: vec!["test-sel/pkg".into()],
            ..LintSettings::default()
        };
        assert_eq!(selection(code, Severity::Error, None, &s), None);
        // Selected only through other codes: dropped; through its own or the whole rule: kept.
        let only = |sel: &str| LintSettings {
            select: vec!["latest-tag".into(), sel.into()],
            ..LintSettings::default()
        };
        assert_eq!(
            selection(code, Severity::Error, None, &only("test-sel/other")),
            None
        );
        assert!(selection(code, Severity::Error, None, &only("test-sel/pkg/deny")).is_some());
        assert!(selection(code, Severity::Error, None, &only("rego")).is_some());
        assert!(selection(code, Severity::Error, None, &only("policy")).is_some());
        let mut s = LintSettings::default();
        s.severity.insert("test-sel/pkg".into(), Severity::Info);
        s.severity
            .insert("test-sel/pkg/deny".into(), Severity::Style);
        assert_eq!(
            selection(code, Severity::Error, Some(Severity::Warning), &s),
            Some(Severity::Style)
        );
        s.severity.remove("test-sel/pkg/deny");
        assert_eq!(
            selection(code, Severity::Error, Some(Severity::Warning), &s),
            Some(Severity::Info)
        );
        assert_eq!(
            selection(
                code,
                Severity::Error,
                Some(Severity::Warning),
                &LintSettings::default()
            ),
            Some(Severity::Warning)
        );
    }
}

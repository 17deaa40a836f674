//! The labels a Dockerfile sets, and the value formats of a label schema (hadolint's
//! `label-schema`, plimsoll's `required-labels`): what the label rules judge.
//!
//! A stage has the labels of its base stage (a `FROM <stage>` inherits them, as the image
//! does) plus its own `LABEL`s; values are read as BuildKit's expander reads them at their
//! instruction, so `LABEL version=$VERSION` with `ARG VERSION=1.2.3` is judged as `1.2.3`.

use crate::model::dockerfile::{Dockerfile, ImageTarget, InstructionKind, Stage};
use crate::source::Span;

/// One `key=value` of a `LABEL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Index of the `LABEL` in [`Dockerfile::instrs`].
    pub index: usize,
    /// The key, quotes removed.
    pub key: String,
    pub key_span: Span,
    /// The value after expansion; `None` when it needs a variable the file leaves unset.
    pub value: Option<String>,
    pub value_span: Span,
}

/// The `key=value` pairs of every top-level `LABEL` of the file, in file order.
pub fn labels(df: &Dockerfile) -> Vec<Label> {
    let mut out = Vec::new();
    for (index, ins) in df.instrs.iter().enumerate() {
        if ins.kind != InstructionKind::Label {
            continue;
        }
        for (k, v) in &ins.pairs {
            let key = unquote(&k.text).to_string();
            out.push(Label {
                index,
                key,
                key_span: k.span,
                value: value_of(df, index, &v.text),
                value_span: v.span,
            });
        }
    }
    out
}

/// A LABEL value as the build sets it: quotes and escapes removed, variables expanded.
fn value_of(df: &Dockerfile, index: usize, text: &str) -> Option<String> {
    use crate::syntax::expand::{Expander, NoVars, has_expansion};
    if has_expansion(text, df.escape) {
        // Expands with the variables in effect, removing quotes as it goes.
        return crate::analysis::variables::expand_at(df, index, text);
    }
    Expander::new(&NoVars)
        .with_escape(df.escape)
        .expand_word(text)
        .ok()
}

/// The keys a stage's image carries: those of the stages it builds on, then its own.
pub fn stage_keys<'l>(df: &Dockerfile, stage: &Stage, all: &'l [Label]) -> Vec<&'l str> {
    let mut chain = vec![stage];
    let mut at = stage;
    // Stages only build on earlier stages, so this walks at most `stages.len()` steps.
    while let Some(base) = df.images.get(at.base).and_then(|u| match u.target {
        ImageTarget::Stage(i) if i < at.index => df.stages.get(i),
        _ => None,
    }) {
        chain.push(base);
        at = base;
    }
    all.iter()
        .filter(|l| chain.iter().any(|s| s.instrs.contains(&l.index)))
        .map(|l| l.key.as_str())
        .collect()
}

/// The labels whose key the schema gives `format` and whose value (known, not empty) does not
/// have it: what each format rule reports.
pub fn misformatted<'l>(
    all: &'l [Label],
    schema: &'l std::collections::BTreeMap<String, LabelFormat>,
    format: LabelFormat,
) -> impl Iterator<Item = (&'l Label, &'l str)> + 'l {
    all.iter().filter_map(move |l| {
        let value = l.value.as_deref()?;
        (schema.get(&l.key) == Some(&format) && !value.is_empty() && !conforms(format, value))
            .then_some((l, value))
    })
}

fn unquote(s: &str) -> &str {
    ['"', '\'']
        .iter()
        .find_map(|q| s.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
        .unwrap_or(s)
}

/// Value formats hadolint's label-schema knows, plus "any text".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelFormat {
    Text,
    Url,
    Semver,
    Hash,
    Rfc3339,
    Spdx,
    Email,
}

impl LabelFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelFormat::Text => "text",
            LabelFormat::Url => "url",
            LabelFormat::Semver => "semver",
            LabelFormat::Hash => "hash",
            LabelFormat::Rfc3339 => "rfc3339",
            LabelFormat::Spdx => "spdx",
            LabelFormat::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<LabelFormat> {
        Some(match s {
            "text" => LabelFormat::Text,
            "url" => LabelFormat::Url,
            "semver" => LabelFormat::Semver,
            "hash" => LabelFormat::Hash,
            "rfc3339" => LabelFormat::Rfc3339,
            "spdx" => LabelFormat::Spdx,
            "email" => LabelFormat::Email,
            _ => return None,
        })
    }
}

/// Whether `value` has `format`. Empty values are judged by the empty-label rule, not here.
pub fn conforms(format: LabelFormat, value: &str) -> bool {
    match format {
        LabelFormat::Text => true,
        LabelFormat::Url => is_url(value),
        LabelFormat::Semver => is_semver(value),
        LabelFormat::Hash => is_git_hash(value),
        LabelFormat::Rfc3339 => is_rfc3339(value),
        LabelFormat::Spdx => spdx::Expression::parse(value).is_ok(),
        LabelFormat::Email => is_email(value),
    }
}

/// An absolute URI with a scheme and something after it (`https://…`, `mailto:…`).
fn is_url(value: &str) -> bool {
    !value.contains(char::is_whitespace)
        && url::Url::parse(value).is_ok_and(|u| !u.cannot_be_a_base() || u.scheme() == "mailto")
}

/// Semantic Versioning 2.0.0: `MAJOR.MINOR.PATCH[-pre][+build]`, no leading zeros, no `v`.
fn is_semver(value: &str) -> bool {
    let (core_pre, build) = match value.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (value, None),
    };
    let (core, pre) = match core_pre.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core_pre, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|i| ident(i) && (!i.bytes().all(|b| b.is_ascii_digit()) || numeric(i)))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

/// A Git object name: 7 to 40 hexadecimal digits (short or full SHA-1), or 64 (SHA-256).
fn is_git_hash(value: &str) -> bool {
    ((7..=40).contains(&value.len()) || value.len() == 64)
        && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An RFC 3339 date-time: `2024-05-01T12:30:00Z`, `…T12:30:00.5+02:00` (`t`, `z` and a space
/// for `T` accepted, as the RFC allows).
fn is_rfc3339(value: &str) -> bool {
    let b = value.as_bytes();
    let num = |r: std::ops::Range<usize>| {
        value
            .get(r)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(99)
    };
    // `d` is a digit, `T` the date-time separator; other bytes must match exactly.
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let shaped = b.len() >= shape.len()
        && shape.iter().zip(b).all(|(want, got)| match want {
            b'd' => got.is_ascii_digit(),
            b'T' => matches!(got, b'T' | b't' | b' '),
            other => other == got,
        });
    if !shaped {
        return false;
    }
    if !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut rest = &value[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && rest[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
                && rest[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// An address of RFC 5322's common form `local@domain`: a dot-atom local part (or a quoted
/// one) and a domain of dot-separated labels (or an `[address literal]`).
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    const ATEXT: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    let atom = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || ATEXT.contains(&c))
    };
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        true
    } else {
        local.split('.').all(atom)
    };
    let label = |s: &str| {
        !s.is_empty()
            && !s.starts_with('-')
            && !s.ends_with('-')
            && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    };
    let domain_ok = (domain.starts_with('[') && domain.ends_with(']') && domain.len() > 2)
        || domain.split('.').all(label);
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_accept_and_refuse_as_their_standards_say() {
        use LabelFormat::*;
        let cases: &[(LabelFormat, &str, bool)] = &[
            (Semver, "1.2.3", true),
            (Semver, "1.2.3-rc.1+build.5", true),
            (Semver, "1.0", false),
            (Semver, "v1.2.3", false),
            (Semver, "01.2.3", false),
            (Semver, "1.2.3-01", false),
            (Url, "https://example.com/x", true),
            (Url, "not a url", false),
            (Url, "example.com", false),
            (Rfc3339, "2024-01-01T00:00:00Z", true),
            (Rfc3339, "2024-01-01t10:20:30.123+02:00", true),
            (Rfc3339, "2024-01-01", false),
            (Rfc3339, "2024-13-01T00:00:00Z", false),
            (Rfc3339, "2024-01-01T00:00:00", false),
            (Spdx, "Apache-2.0", true),
            (Spdx, "MIT OR Apache-2.0", true),
            (Spdx, "MIT-bogus", false),
            (Hash, "abc1234", true),
            (Hash, "0123456789abcdef0123456789abcdef01234567", true),
            (Hash, "abc", false),
            (Hash, "xyz1234", false),
            (Email, "a@b.co", true),
            (Email, "first.last+tag@example.com", true),
            (Email, "x@", false),
            (Email, "@example.com", false),
            (Email, "a b@example.com", false),
        ];
        for (format, value, ok) in cases {
            assert_eq!(conforms(*format, value), *ok, "{format:?} {value}");
        }
    }

    #[test]
    fn labels_are_expanded_and_inherited_from_base_stages() {
        let text = "FROM debian:12 AS base\nLABEL a=1\nFROM base\nARG V=1.2.3\nLABEL \"b\"=$V\nFROM debian:12\nLABEL c=\n";
        let tree = crate::syntax::dockerfile::parse(text);
        let df = crate::model::dockerfile::from_tree(&tree, text);
        let all = labels(&df);
        assert_eq!(all[1].key, "b");
        assert_eq!(all[1].value.as_deref(), Some("1.2.3"));
        assert_eq!(stage_keys(&df, &df.stages[1], &all), ["a", "b"]);
        assert_eq!(stage_keys(&df, &df.stages[2], &all), ["c"]);
    }
}

//! `invalid-flag`: an unknown, repeated or malformed instruction flag (BuildKit's `BFlags`
//! errors and the flag values it reads at parse time).

use crate::rules::prelude::*;
use crate::syntax::dockerfile::{Args, Flag, Instruction};
use crate::syntax::suggest::suggest;

pub struct InvalidFlag;

/// How a flag takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `--link` or `--link=true|false`.
    Bool,
    /// `--chown=…`, once.
    Text,
    /// `--mount=…`, any number of times.
    Repeated,
}

/// The flags an instruction accepts; `None` when BuildKit does not read its flags at all.
fn accepted(ins: &Instruction) -> Option<&'static [(&'static str, Kind)]> {
    use Kind::*;
    Some(match ins.kind {
        InstructionKind::Add => &[
            ("chown", Text),
            ("chmod", Text),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", Text),
            ("unpack", Bool),
            ("exclude", Repeated),
        ],
        InstructionKind::Copy => &[
            ("chown", Text),
            ("from", Text),
            ("chmod", Text),
            ("link", Bool),
            ("exclude", Repeated),
            ("parents", Bool),
        ],
        InstructionKind::From => &[("platform", Text)],
        InstructionKind::Run => &[
            ("mount", Repeated),
            ("network", Text),
            ("security", Text),
            ("device", Repeated),
        ],
        InstructionKind::Healthcheck => match &ins.args {
            Args::Healthcheck { kind, .. } if kind.value.eq_ignore_ascii_case("none") => {
                return None;
            }
            _ => &[
                ("interval", Text),
                ("timeout", Text),
                ("start-period", Text),
                ("start-interval", Text),
                ("retries", Text),
            ],
        },
        InstructionKind::Stopsignal | InstructionKind::Arg | InstructionKind::Unknown => {
            return None;
        }
        _ => &[],
    })
}

impl Rule for InvalidFlag {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        for ins in &tree.instructions {
            if let Some((span, message)) = problem(ins) {
                cx.report(span, format!("{message}, and `docker build` stops here"));
            }
        }
    }
}

/// The first flag BuildKit refuses, as it reads them in order.
fn problem(ins: &Instruction) -> Option<(Span, String)> {
    let accepted = accepted(ins)?;
    let kw = ins.kind;
    let mut seen: Vec<&str> = Vec::new();
    for flag in &ins.flags {
        let Some(&(_, kind)) = accepted.iter().find(|(n, _)| *n == flag.name) else {
            let names = accepted.iter().map(|(n, _)| *n);
            let hint = suggest(&flag.name, names, true)
                .map_or(String::new(), |s| format!(" (did you mean `--{s}`?)"));
            let known = if accepted.is_empty() {
                format!("{kw} takes no flags")
            } else {
                format!("`--{}` is not a flag of {kw}", flag.name)
            };
            return Some((flag.span, format!("{known}{hint}")));
        };
        if kind != Kind::Repeated && seen.contains(&flag.name.as_str()) {
            return Some((flag.span, format!("`--{}` is given twice", flag.name)));
        }
        seen.push(&flag.name);
        if let Some(why) = bad_value(kw, flag, kind) {
            return Some((flag.span, why));
        }
    }
    None
}

/// Why BuildKit refuses a known flag's value, if it does.
fn bad_value(kw: InstructionKind, flag: &Flag, kind: Kind) -> Option<String> {
    let name = flag.name.as_str();
    let value = flag.value.as_deref();
    match (kind, value) {
        (Kind::Bool, Some("")) => return Some(format!("`--{name}=` has no value")),
        (Kind::Bool, Some(v)) if !matches!(v.to_ascii_lowercase().as_str(), "true" | "false") => {
            return Some(format!("`--{name}` takes `true` or `false`"));
        }
        (Kind::Text | Kind::Repeated, None) => {
            return Some(format!("`--{name}` needs a value (`--{name}=…`)"));
        }
        _ => {}
    }
    let v = value.unwrap_or("");
    match (kw, name) {
        (InstructionKind::Copy, "from") if crate::syntax::expand::has_expansion(v, '\\') => Some(
            "`COPY --from` does not expand variables: name a stage (`FROM ${IMAGE} AS src`) and copy from it"
                .to_string(),
        ),
        // Values are not quoted back: a flag can hold anything, a credential included.
        (InstructionKind::Run, "network") if !matches!(v, "default" | "none" | "host") => Some(
            "`--network` takes `default`, `none` or `host`".to_string(),
        ),
        (InstructionKind::Run, "security") if !matches!(v, "sandbox" | "insecure") => {
            Some("`--security` takes `sandbox` or `insecure`".to_string())
        }
        (InstructionKind::Healthcheck, "retries") => match v.parse::<i64>() {
            Ok(n) if n >= 0 => None,
            Ok(_) => Some("`--retries` cannot be negative".to_string()),
            Err(_) => Some("`--retries` takes a number".to_string()),
        },
        (InstructionKind::Healthcheck, _) => duration_problem(v).map(|why| {
            format!("`--{name}` takes a duration such as `30s` or `1m30s` ({why})")
        }),
        _ => None,
    }
}

/// Go's `time.ParseDuration` grammar (`1h2m3.5s`, `300ms`, `0`), and BuildKit's minimum of
/// one millisecond for a non-zero duration.
fn duration_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() || s == "0" {
        return None;
    }
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut rest = body;
    let mut total_ns = 0f64;
    if rest.is_empty() {
        return Some("no number");
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Some("a number must come first");
        }
        let number: f64 = rest.get(..num_len)?.parse().ok().map_or(f64::NAN, |n| n);
        if number.is_nan() {
            return Some("not a number");
        }
        rest = rest.get(num_len..).unwrap_or("");
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = rest.get(..unit_len).unwrap_or("");
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Some("a unit is missing"),
            _ => return Some("unknown unit"),
        };
        total_ns += number * scale;
        rest = rest.get(unit_len..).unwrap_or("");
    }
    if s.starts_with('-') {
        return Some("negative");
    }
    (total_ns != 0.0 && total_ns < 1e6).then_some("less than 1ms")
}

#[cfg(test)]
mod tests {
    use super::duration_problem;

    #[test]
    fn durations_as_go_reads_them() {
        for ok in ["30s", "1m30s", "300ms", "1.5h", "0", "2h45m"] {
            assert_eq!(duration_problem(ok), None, "{ok}");
        }
        for bad in ["30", "s", "1x", "10us", "-5s", "1m30"] {
            assert!(duration_problem(bad).is_some(), "{bad}");
        }
    }
}

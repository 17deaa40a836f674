//! `secret-in-variable`: a secret-looking variable given a literal value: Dockerfile
//! `ARG`/`ENV`, compose `environment:` and `build.args`, and `NAME=value` assignments elsewhere
//! in the file (a shell `export`, `--build-arg`) when the value looks random.

use crate::analysis::secret::allowlist::Allowlist;
use crate::analysis::secret::detect::{SecretHit, SecretKind};
use crate::analysis::secret::names::{fallback_value, holds_secret, reads_as_a_name, secret_name};
use crate::analysis::variables::var_decls;
use crate::finding::redact;
use crate::model::compose::KeyValue;
use crate::rules::prelude::*;

pub struct SecretInVariable;

/// Whether `value`, given to the variable `name`, is a real secret: the name looks secret, the
/// value is a literal that is neither a placeholder nor a reference (and random-looking where
/// the name is ambiguous, see [`secret_name`]), and not allow-listed.
fn is_literal_secret(name: &str, value: &str, allow: &Allowlist) -> bool {
    secret_name(name).is_some_and(|kind| holds_secret(kind, value)) && !allow.allows(value)
}

/// A literal found in free text by the scan (its name was judged there).
fn is_scanned_secret(value: &str, allow: &Allowlist) -> bool {
    !allow.allows(value)
}

/// One scan of the file: the spans of known-format credentials (which `secret-token` and
/// `secret-in-url` report more precisely, so this rule leaves a value overlapping one alone),
/// and the random-looking `NAME=value` assignments.
fn scan_file(text: &str, hits: &[SecretHit], allow: &Allowlist) -> (Vec<Span>, Vec<Hit>) {
    let mut known = Vec::new();
    let mut assigned = Vec::new();
    for h in hits {
        if h.kind != SecretKind::Assigned {
            known.push(h.secret);
        } else if is_scanned_secret(h.secret.text(text), allow) {
            assigned.push(Hit {
                span: h.secret,
                secret: h.secret,
                message: format!(
                    "`{}` is assigned a literal secret (`{}`): read it from a secret or the \
                     environment instead",
                    h.name,
                    redact(h.secret.text(text))
                ),
            });
        }
    }
    (known, assigned)
}

fn overlaps(spans: &[Span], s: Span) -> bool {
    spans.iter().any(|k| k.start < s.end && s.start < k.end)
}

/// A finding before it is reported.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Hit {
    pub span: Span,
    pub secret: Span,
    pub message: String,
}

/// Literal secrets in a Dockerfile's `ARG`/`ENV` and in `NAME=value` text elsewhere.
fn dockerfile_hits(text: &str, df: &Dockerfile, scan: &[SecretHit], allow: &Allowlist) -> Vec<Hit> {
    let mut out = Vec::new();
    let (known, assigned) = scan_file(text, scan, allow);
    // Declarations judged by their name: the scan's hits inside them are the same finding.
    // A hit inside another declaration's value (`ENV DSN="… password=…"`) stands.
    let mut declared: Vec<Span> = Vec::new();
    for ins in df
        .instrs
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    {
        for d in var_decls(ins) {
            if secret_name(&d.name).is_some() {
                let end = d.value.as_ref().map_or(d.name_span, |(_, v)| *v);
                declared.push(d.name_span.cover(end));
            }
            let Some((value, vspan)) = &d.value else {
                continue;
            };
            if !is_literal_secret(&d.name, value, allow) || overlaps(&known, *vspan) {
                continue;
            }
            let shown = redact(value);
            let message = if d.keyword == "ARG" {
                format!(
                    "build argument `{}` has a literal default (`{shown}`), recorded in the image \
                     history: pass the secret with `RUN --mount=type=secret` instead",
                    d.name
                )
            } else {
                format!(
                    "`ENV {}` bakes a literal secret (`{shown}`) into the image, readable by anyone \
                     who pulls it: provide it at run time or through `RUN --mount=type=secret`",
                    d.name
                )
            };
            out.push(Hit {
                span: *vspan,
                secret: *vspan,
                message,
            });
        }
    }
    out.extend(assigned.into_iter().filter(|h| {
        !declared.iter().any(|d| d.contains(h.span.start as usize)) && !overlaps(&known, h.secret)
    }));
    out
}

/// Literal secrets in compose `environment:` and `build.args`, and in `NAME: value` /
/// `NAME=value` text elsewhere in the file.
fn compose_hits(text: &str, compose: &ComposeFile, scan: &[SecretHit], allow: &Allowlist) -> Vec<Hit> {
    let mut out = Vec::new();
    // A service's or build's `secrets:` lists the names of secrets, never their values.
    let scan: Vec<SecretHit> = scan
        .iter()
        .filter(|h| !(h.kind == SecretKind::Assigned && h.name == "secrets"))
        .cloned()
        .collect();
    let (known, assigned) = scan_file(text, &scan, allow);
    let mut judged: Vec<Span> = Vec::new();
    for service in compose.services() {
        let name = &service.name.value;
        let sources = service.environment.iter().map(|kv| (kv, false)).chain(
            service
                .build
                .iter()
                .flat_map(|b| b.args.iter().map(|kv| (kv, true))),
        );
        for (kv, is_arg) in sources {
            if secret_name(&kv.key.value).is_some() {
                judged.push(kv.span);
            }
            if let Some(lit) = compose_literal(kv, allow)
                && !overlaps(&known, lit.span)
            {
                let (secret, shown) = (lit.span, redact(&lit.value));
                let message = if lit.fallback {
                    format!(
                        "service `{name}`: `{}` falls back to a literal secret (`{shown}`) \
                         wherever its variable is unset: drop the default (`${{VAR:?}}` makes \
                         compose require it) or use compose `secrets:`",
                        kv.key.value
                    )
                } else if is_arg {
                    format!(
                        "service `{name}` passes build argument `{}` as a literal (`{shown}`), \
                         recorded in the image history: use build `secrets:` instead",
                        kv.key.value
                    )
                } else {
                    format!(
                        "service `{name}` sets `{}` to a literal secret (`{shown}`): interpolate \
                         it (`${{{}}}`) or use compose `secrets:`",
                        kv.key.value, kv.key.value
                    )
                };
                out.push(Hit {
                    span: secret,
                    secret,
                    message,
                });
            }
        }
    }
    out.extend(assigned.into_iter().filter(|h| {
        !judged.iter().any(|j| j.contains(h.span.start as usize)) && !overlaps(&known, h.secret)
    }));
    out
}

/// The secret span and value of a compose `KEY: value` whose key looks secret and whose value,
/// as written (before interpolation), is a literal; or, for a value that interpolates, the
/// literal default it falls back to (`${DB_PASSWORD:-hunter2}`), unless that default reads as
/// the secret's name (`${SMTP_PASS:-SMTPPassword}`). The machine that lints is not the one
/// that deploys, so the environment is left out: a default is what runs where the variable is
/// not set.
fn compose_literal(kv: &KeyValue, allow: &Allowlist) -> Option<ComposeLiteral> {
    let value = kv.value.as_ref()?;
    let raw = value.raw.as_str();
    let name = kv.key.value.as_str();
    let span = value.span_of(0..raw.len());
    if !value.is_interpolated() {
        return is_literal_secret(name, raw, allow).then(|| ComposeLiteral {
            span,
            value: raw.to_string(),
            fallback: false,
        });
    }
    // A variable with no default leaves nothing written here.
    let fallback = fallback_value(raw)?;
    if fallback.is_empty()
        || reads_as_a_name(&fallback)
        || !is_literal_secret(name, &fallback, allow)
    {
        return None;
    }
    Some(ComposeLiteral {
        span,
        value: fallback,
        fallback: true,
    })
}

/// Literal secrets in a dotenv file (`.env`, an `env_file:`): each `NAME=value` line judged
/// by its name as compose `environment:` is, and the scan's random-looking assignments
/// elsewhere. Compose reads the file into the environment (or interpolates the compose file
/// with it), so the secret lives here, on its line.
fn dotenv_hits(text: &str, scan: &[SecretHit], allow: &Allowlist) -> Vec<Hit> {
    let mut out = Vec::new();
    let (known, assigned) = scan_file(text, scan, allow);
    let mut judged: Vec<Span> = Vec::new();
    for line in dotenv_lines(text) {
        let (name, value) = (line.name.text(text), line.value.text(text));
        if secret_name(name).is_some() {
            judged.push(line.name.cover(line.value));
        }
        // `${OTHER}` reads another variable: nothing is written here.
        if crate::syntax::compose::interpolate::has_variables(value)
            || !is_literal_secret(name, value, allow)
            || overlaps(&known, line.value)
        {
            continue;
        }
        out.push(Hit {
            span: line.value,
            secret: line.value,
            message: format!(
                "`{name}` holds a literal secret (`{}`) in a dotenv file: keep the file out of \
                 version control (`.gitignore`) or give the value through compose `secrets:`",
                redact(value)
            ),
        });
    }
    out.extend(assigned.into_iter().filter(|h| {
        !judged.iter().any(|j| j.contains(h.span.start as usize)) && !overlaps(&known, h.secret)
    }));
    out
}

/// One `NAME=value` line of a dotenv file: the spans of the name and of the value (inside its
/// quotes, without a trailing comment).
struct DotenvLine {
    name: Span,
    value: Span,
}

/// The assignments of a dotenv file, as compose reads them: `export ` is optional, blank lines
/// and `#` comments are skipped, a value is single- or double-quoted or runs to the end of the
/// line (or to ` #`). A quoted value spanning lines is cut at its first line (the secret
/// scanner still reads the rest).
fn dotenv_lines(text: &str) -> Vec<DotenvLine> {
    let mut out = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        let mut at = line_start + (line.len() - body.len());
        let body = match body.strip_prefix("export ") {
            Some(rest) => {
                let rest_trimmed = rest.trim_start();
                at += body.len() - rest_trimmed.len();
                rest_trimmed
            }
            None => body,
        };
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let Some(eq) = body.find(['=', ':']) else {
            continue;
        };
        let name = body[..eq].trim_end();
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        let after = &body[eq + 1..];
        let lead = after.len() - after.trim_start_matches([' ', '\t']).len();
        let v = &after[lead..];
        let v_at = at + eq + 1 + lead;
        let (from, to) = match v.chars().next() {
            Some(q @ ('"' | '\'')) => match v[1..].find(q) {
                Some(end) => (1, 1 + end),
                None => (1, v.len()),
            },
            _ => {
                let end = v.find(" #").unwrap_or(v.len());
                (0, v[..end].trim_end().len())
            }
        };
        if to <= from {
            continue;
        }
        out.push(DotenvLine {
            name: Span::new(at, at + name.len()),
            value: Span::new(v_at + from, v_at + to),
        });
    }
    out
}

/// A literal secret in a compose value.
struct ComposeLiteral {
    span: Span,
    value: String,
    /// The literal is the default of an interpolation, used where the variable is unset.
    fallback: bool,
}

impl Rule for SecretInVariable {
    fn check_file(&self, cx: &mut Context<'_>) {
        let analysis = cx.analysis();
        let (allow, scan) = (analysis.secret_allowlist(), &analysis.secrets().with_assignments);
        let text = cx.text();
        let hits = if let Some(df) = cx.dockerfile() {
            dockerfile_hits(text, df, scan, allow)
        } else if let Some(compose) = cx.compose() {
            compose_hits(text, compose, scan, allow)
        } else if cx.file.kind == crate::source::FileKind::Env {
            dotenv_hits(text, scan, allow)
        } else {
            return;
        };
        for h in hits {
            cx.report(h.span, h.message).secret = Some(h.secret);
        }
    }
}

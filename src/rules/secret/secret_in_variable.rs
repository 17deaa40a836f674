//! `secret-in-variable`: a secret-looking variable given a literal value: Dockerfile
//! `ARG`/`ENV`, compose `environment:` and `build.args`, and `NAME=value` assignments elsewhere
//! in the file (a shell `export`, `--build-arg`) when the value looks random.

use crate::analysis::secret::allowlist::Allowlist;
use crate::analysis::secret::detect::{SecretHit, SecretKind};
use crate::analysis::secret::names::{is_placeholder, is_secret_name};
use crate::analysis::variables::var_decls;
use crate::finding::redact;
use crate::model::compose::KeyValue;
use crate::rules::prelude::*;

pub struct SecretInVariable;

/// A literal that is a real secret: not a placeholder or reference, and not allow-listed.
fn is_literal_secret(value: &str, allow: &Allowlist) -> bool {
    !is_placeholder(value) && !allow.allows(value)
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
        } else if is_literal_secret(h.secret.text(text), allow) {
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
    let mut declared: Vec<Span> = Vec::new();
    for ins in df
        .instrs
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    {
        if matches!(ins.kind, InstructionKind::Arg | InstructionKind::Env) {
            declared.push(ins.span);
        }
        for d in var_decls(ins) {
            let Some((value, vspan)) = &d.value else {
                continue;
            };
            if !is_secret_name(&d.name)
                || !is_literal_secret(value, allow)
                || overlaps(&known, *vspan)
            {
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
    let (known, assigned) = scan_file(text, scan, allow);
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
            judged.push(kv.span);
            if let Some((secret, value)) = compose_literal(kv, allow)
                && !overlaps(&known, secret)
            {
                let shown = redact(&value);
                let message = if is_arg {
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
/// as written (before interpolation), is a literal.
fn compose_literal(kv: &KeyValue, allow: &Allowlist) -> Option<(Span, String)> {
    let value = kv.value.as_ref()?;
    if !is_secret_name(&kv.key.value) || value.is_interpolated() {
        return None;
    }
    let raw = value.raw.as_str();
    if !is_literal_secret(raw, allow) {
        return None;
    }
    Some((value.span_of(0..raw.len()), raw.to_string()))
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
        } else {
            return;
        };
        for h in hits {
            cx.report(h.span, h.message).secret = Some(h.secret);
        }
    }
}

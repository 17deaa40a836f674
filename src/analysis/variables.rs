//! The variables a Dockerfile declares: each `NAME=value` of an `ARG` or `ENV`, with the value's
//! quotes removed and its exact span.

use crate::model::dockerfile::{Instr, InstructionKind};
use crate::source::Span;

/// One `NAME=value` of an `ARG` or `ENV`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarDecl {
    pub keyword: &'static str,
    pub name: String,
    pub name_span: Span,
    /// The value with its quotes removed, and its span (inside the quotes); `None` for
    /// `ARG NAME`.
    pub value: Option<(String, Span)>,
}

/// The declarations of an `ARG` or `ENV` (both `NAME=value` and the legacy `ENV NAME value`).
pub fn var_decls(ins: &Instr) -> Vec<VarDecl> {
    let keyword = match ins.kind {
        InstructionKind::Arg => "ARG",
        InstructionKind::Env => "ENV",
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    if keyword == "ENV" {
        for (k, v) in &ins.pairs {
            out.push(VarDecl {
                keyword,
                name: k.text.clone(),
                name_span: k.span,
                value: Some(unquote(&v.text, v.span)),
            });
        }
        return out;
    }
    for w in &ins.args {
        let start = w.span.start as usize;
        match w.text.split_once('=') {
            Some((name, value)) => {
                let vstart = start + name.len() + 1;
                out.push(VarDecl {
                    keyword,
                    name: name.to_string(),
                    name_span: Span::new(start, start + name.len()),
                    value: Some(unquote(value, Span::new(vstart, w.span.end as usize))),
                });
            }
            None => out.push(VarDecl {
                keyword,
                name: w.text.clone(),
                name_span: w.span,
                value: None,
            }),
        }
    }
    out
}

/// Strips one pair of matching quotes, narrowing the span to match.
fn unquote(value: &str, span: Span) -> (String, Span) {
    let b = value.as_bytes();
    if b.len() >= 2
        && matches!(b.first(), Some(b'"' | b'\''))
        && b.first() == b.last()
        && span.len() == value.len()
    {
        let inner = value.get(1..value.len() - 1).unwrap_or("");
        let s = span.start as usize + 1;
        return (inner.to_string(), Span::new(s, s + inner.len()));
    }
    (value.to_string(), span)
}

//! Dockerfile syntax: bytes to a tree that reads the file exactly as BuildKit's parser does and
//! keeps the source position of every token.
//!
//! [`parse`] never fails and never panics. Where BuildKit would refuse the file, the error is in
//! [`Dockerfile::errors`] with its span, and the instructions around it are still parsed.
//!
//! Layers: `lexer` turns physical lines into logical lines (directives, BOM, CRLF,
//! continuations, comments, heredoc bodies); `parser` reads each logical line's instruction
//! name, flags and arguments through a dispatch table (instruction name -> argument parser, as
//! BuildKit's `line_parsers.go`); [`dump`] prints BuildKit's AST dump; [`tree`] plimsoll's own.
//!
//! Everything is hand-written byte scanning rather than parser combinators (nom): BuildKit's
//! grammar is a set of small byte-level scanners with quirks (flags read byte by byte, words
//! split on Unicode space, JSON as Go decodes it), and mirroring them directly is both the
//! surest way to match BuildKit and the fastest.
//!
//! Rules start from [`Instruction`]: `kind`, `flag("from")`, `from()`, `copy()`,
//! `shell_text()` / `shell()`, `exec_args()`, `pairs()`, `arg_decls()`, `heredocs`, and
//! [`LogicalLine::source_span`] to turn a range of the joined text into source bytes.

mod ast;
pub mod check;
pub mod debug_tree;
pub mod dump;
mod heredoc;
mod json;
mod lexer;
mod parser;
mod text;

pub use ast::*;

use crate::source::Span;
use parser::{InstructionContext, Parsed};

/// The most instructions read from one file. Real Dockerfiles hold a few hundred at most; the
/// tree, the model and the findings cost about a kilobyte per instruction, so a generated file
/// of a million short lines would take a gigabyte. Past this the rest of the file is not read,
/// and [`Dockerfile::truncated_at`] says where (reported as `input-limit`).
pub const MAX_INSTRUCTIONS: usize = 100_000;

/// Parses a Dockerfile. Linear in the input size.
pub fn parse(text: &str) -> Dockerfile {
    let mut lx = lexer::Lexer::new(text);
    let mut instructions = Vec::new();
    let mut errors = Vec::new();
    let mut truncated_at = None;
    while let Some(logical) = lx.next_logical() {
        if instructions.len() >= MAX_INSTRUCTIONS {
            let at = logical.line.source_offset(0);
            truncated_at = Some(Span::new(at, at));
            break;
        }
        let parsed = parser::parse_instruction(&logical.line, lx.escape, &mut errors);
        let mut instr = instruction_from(
            logical.line,
            parsed,
            InstructionContext {
                start_line: logical.start_line,
                end_line: lx.line_no,
                source_end: logical.source_end,
            },
        );
        instr.comments = logical.comments;
        let (sl, el, end) = (instr.start_line, instr.end_line, instr.span.end);
        if let Args::Onbuild(inner) = &mut instr.args {
            inner.start_line = sl;
            inner.end_line = el;
            inner.span.end = end;
        }
        if can_contain_heredoc(&instr) {
            let markers = heredoc::markers(&instr.logical.text);
            let mut docs = Vec::with_capacity(markers.len());
            for m in markers {
                let body = lx.read_heredoc(&m.name, m.chomp);
                let word_span = instr.logical.source_span(m.start, m.end);
                if body.terminator.is_none() {
                    errors.push(ParseError {
                        span: word_span,
                        message: "unterminated heredoc".to_string(),
                    });
                }
                docs.push(Heredoc {
                    name: m.name,
                    word_span,
                    fd: m.fd,
                    expand: m.expand,
                    chomp: m.chomp,
                    content: body.body.text(text).to_string(),
                    body: body.body,
                    terminator: body.terminator,
                });
            }
            if !docs.is_empty() {
                instr.end_line = lx.line_no;
                instr.span.end = instr.span.end.max(lx.last_end as u32);
                let (el, end) = (instr.end_line, instr.span.end);
                match &mut instr.args {
                    Args::Onbuild(inner) => {
                        inner.heredocs = docs;
                        inner.end_line = el;
                        inner.span.end = end;
                    }
                    _ => instr.heredocs = docs,
                }
            }
        }
        instructions.push(instr);
    }
    let mut all_errors = std::mem::take(&mut lx.errors);
    all_errors.append(&mut errors);
    if instructions.is_empty() {
        all_errors.push(ParseError {
            span: Span::empty(text.len()),
            message: "file with no instructions".to_string(),
        });
    }
    all_errors.sort_by_key(|e| e.span.start);
    Dockerfile {
        directives: lx.directives,
        escape: lx.escape as char,
        instructions,
        comments: lx.comments,
        errors: all_errors,
        warnings: lx.warnings,
        truncated_at,
    }
}

/// BuildKit allows heredocs in RUN, COPY and ADD (also under ONBUILD), never in JSON form.
fn can_contain_heredoc(instr: &Instruction) -> bool {
    let target = instr.onbuild().unwrap_or(instr);
    matches!(
        target.kind,
        InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
    ) && !target.is_json()
        && memchr::memmem::find(instr.logical.text.as_bytes(), b"<<").is_some()
}

/// Builds the tree node from a parsed logical line.
pub(crate) fn instruction_from(
    logical: LogicalLine,
    parsed: Parsed,
    ctx: InstructionContext,
) -> Instruction {
    let kw_start = logical.source_offset(parsed.keyword.start as usize);
    let kw_end = logical
        .source_end(parsed.keyword.end as usize)
        .max(kw_start);
    let end = if ctx.source_end == 0 {
        logical.source_end(logical.text.len())
    } else {
        ctx.source_end
    };
    Instruction {
        kind: parsed.kind,
        keyword: Span::new(kw_start, kw_end),
        span: Span::new(kw_start, end.max(kw_start)),
        start_line: ctx.start_line,
        end_line: ctx.end_line,
        flags: parsed.flags,
        flags_end: parsed.flags_end,
        args: parsed.args,
        args_range: parsed.args_range,
        heredocs: Vec::new(),
        comments: Vec::new(),
        logical,
    }
}

#[cfg(test)]
mod tests;

//! `no-empty-continuation`: an empty line inside a continued instruction (BuildKit's
//! NoEmptyContinuation).

use crate::rules::prelude::*;
use crate::syntax::dockerfile::Instruction;

pub struct NoEmptyContinuation;

impl Rule for NoEmptyContinuation {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let Some(tree) = cx.tree() else { return };
        if tree.warnings.is_empty() {
            return;
        }
        for (i, ins) in tree.instructions.iter().enumerate() {
            let next = tree
                .instructions
                .get(i + 1)
                .map_or(u32::MAX, |n| n.span.start);
            // A continuation may end in empty lines at the end of the file, after the last line
            // the instruction's text comes from: the parser's warning says where.
            let warned_to = tree
                .warnings
                .iter()
                .filter(|w| ins.span.start <= w.span.start && w.span.start < next)
                .map(|w| cx.file.line_index.line_of(w.span.start as usize))
                .max();
            if warned_to.is_none() {
                continue;
            }
            let lines = empty_lines(cx, ins, warned_to);
            let Some(first) = lines.first() else { continue };
            let finding = cx.report(
                Span::empty(first.start as usize),
                format!(
                    "Empty line inside this `{}` continued with `{}`: BuildKit skips it, and will refuse it in a future release; delete it",
                    ins.kind, tree.escape
                ),
            );
            finding.fix = Some(Fix {
                description: if lines.len() == 1 {
                    "delete the empty line".to_string()
                } else {
                    format!("delete the {} empty lines", lines.len())
                },
                applicability: Applicability::Safe,
                edits: lines.iter().map(|l| Edit::delete(*l)).collect(),
            });
        }
    }
}

/// The blank lines (each with its line terminator) between an instruction's first line and the
/// last line its text comes from.
fn empty_lines(cx: &Context<'_>, ins: &Instruction, warned_to: Option<usize>) -> Vec<Span> {
    let text = cx.text();
    let index = &cx.file.line_index;
    let (Some(first), Some(last)) = (ins.logical.segments.first(), ins.logical.segments.last())
    else {
        return Vec::new();
    };
    let first_line = index.line_of(first.source as usize);
    let last_line = index
        .line_of(last.source as usize)
        .max(warned_to.map_or(0, |l| l + 1));
    let mut out = Vec::new();
    for line in first_line + 1..last_line {
        let Some(range) = index.line_range(line, text) else {
            continue;
        };
        if text.get(range.clone()).is_some_and(|l| l.trim().is_empty()) {
            let end = index.line_start(line + 1).unwrap_or(text.len());
            out.push(Span::new(range.start, end));
        }
    }
    out
}

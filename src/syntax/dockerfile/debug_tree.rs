//! plimsoll's own readable tree (`plimsoll debug ast --format tree`), with spans as
//! `start..end` byte ranges and 1-based line ranges.

use super::ast::{Args, Dockerfile, Instruction, Word};
use super::text::go_quote;
use std::fmt::Write;

/// Renders the tree. `text` is the source the tree was parsed from.
pub fn render(df: &Dockerfile, text: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Dockerfile escape={:?}", df.escape);
    for d in &df.directives {
        let _ = writeln!(
            out,
            "directive {} = {} @{:?} (name @{:?}, value @{:?})",
            d.name,
            go_quote(&d.value),
            d.span,
            d.name_span,
            d.value_span
        );
    }
    for c in &df.comments {
        let _ = writeln!(out, "comment {} @{:?}", go_quote(&c.text), c.span);
    }
    for instr in &df.instructions {
        instruction(&mut out, instr, text, 0);
    }
    for e in &df.errors {
        let _ = writeln!(out, "error @{:?}: {}", e.span, e.message);
    }
    for w in &df.warnings {
        let _ = writeln!(out, "warning @{:?}: {}", w.span, w.message);
    }
    out
}

fn word(w: &Word) -> String {
    format!("{} @{:?}", go_quote(&w.value), w.span)
}

fn instruction(out: &mut String, instr: &Instruction, text: &str, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}{} [{}-{}] @{:?} keyword {} @{:?}",
        instr.kind,
        instr.start_line,
        instr.end_line,
        instr.span,
        go_quote(instr.keyword.text(text)),
        instr.keyword
    );
    for c in &instr.comments {
        let _ = writeln!(out, "{pad}  comment {} @{:?}", go_quote(&c.text), c.span);
    }
    if instr.logical.segments.len() > 1 {
        let pieces: Vec<String> = instr
            .logical
            .segments
            .iter()
            .map(|s| format!("{}->{}", s.logical, s.source))
            .collect();
        let _ = writeln!(
            out,
            "{pad}  logical {} segments [{}]",
            go_quote(&instr.logical.text),
            pieces.join(", ")
        );
    }
    for f in &instr.flags {
        let _ = writeln!(
            out,
            "{pad}  flag --{} = {} @{:?} (name @{:?}, value @{})",
            f.name,
            f.value.as_deref().map_or("(none)".to_string(), go_quote),
            f.span,
            f.name_span,
            f.value_span.map_or("-".to_string(), |s| format!("{s:?}"))
        );
    }
    if let Some(s) = instr.flags_end {
        let _ = writeln!(out, "{pad}  end of flags @{s:?}");
    }
    args(out, instr, &instr.args, text, depth + 1);
    for h in &instr.heredocs {
        let _ = writeln!(
            out,
            "{pad}  heredoc {} fd={} expand={} chomp={} word @{:?} body @{:?} terminator @{}",
            go_quote(&h.name),
            h.fd,
            h.expand,
            h.chomp,
            h.word_span,
            h.body,
            h.terminator
                .map_or("(none)".to_string(), |s| format!("{s:?}"))
        );
        for (span, line) in h.lines() {
            let _ = writeln!(out, "{pad}    | {} @{span:?}", go_quote(line));
        }
    }
}

fn args(out: &mut String, instr: &Instruction, a: &Args, text: &str, depth: usize) {
    let pad = "  ".repeat(depth);
    match a {
        Args::Empty => {
            let _ = writeln!(out, "{pad}(no arguments)");
        }
        Args::Text(t) => {
            let _ = writeln!(
                out,
                "{pad}text {} @{:?}",
                go_quote(instr.text_of(t)),
                t.span
            );
        }
        Args::Exec(ws) => {
            let _ = writeln!(out, "{pad}exec");
            for w in ws {
                let _ = writeln!(out, "{pad}  {}", word(w));
            }
        }
        Args::Words(ws) => {
            let _ = writeln!(out, "{pad}words");
            for w in ws {
                let _ = writeln!(out, "{pad}  {}", word(w));
            }
        }
        Args::Pairs(ps) => {
            for p in ps {
                let _ = writeln!(
                    out,
                    "{pad}{} {} = {} @{:?}",
                    if p.legacy { "pair (legacy)" } else { "pair" },
                    word(&p.key),
                    word(&p.value),
                    p.span
                );
            }
        }
        Args::Healthcheck { kind, cmd } => {
            let _ = writeln!(out, "{pad}healthcheck {}", word(kind));
            args(out, instr, cmd, text, depth + 1);
        }
        Args::Onbuild(inner) => instruction(out, inner, text, depth),
        Args::Unknown => {
            let _ = writeln!(
                out,
                "{pad}unknown instruction, arguments {}",
                go_quote(instr.args_text())
            );
        }
    }
}

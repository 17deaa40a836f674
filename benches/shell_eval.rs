//! The evaluation behind `syntax::shell`'s design: plimsoll's tokenizer against brush-parser on
//! the RUN instructions of the shared corpus. Prints acceptance, word agreement and speed.
//!
//! `PLIMSOLL_SHARED=/work/shared cargo bench --bench shell_eval --features eval-shell-crates`

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

#[path = "support/shell_runs.rs"]
mod runs;

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use plimsoll::syntax::shell::{self, Context};

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case",
    "esac", "{", "}", "!", "function", "select",
];

fn brush_parse(text: &str) -> Result<Vec<brush_parser::Token>, String> {
    let tokens = brush_parser::tokenize_str(text).map_err(|e| e.to_string())?;
    let opts = brush_parser::ParserOptions::default();
    let info = brush_parser::SourceInfo {
        source: String::new(),
    };
    brush_parser::parse_tokens(&tokens, &opts, &info).map_err(|e| e.to_string())?;
    Ok(tokens)
}

/// Byte spans of brush's word tokens (it reports character indices; converted here).
fn brush_word_spans(text: &str, tokens: &[brush_parser::Token]) -> HashSet<(usize, usize)> {
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    tokens
        .iter()
        .filter_map(|t| match t {
            brush_parser::Token::Word(w, loc) if !KEYWORDS.contains(&w.as_str()) => {
                let s = *offsets.get(loc.start.index)?;
                let e = *offsets.get(loc.end.index)?;
                Some((s, e))
            }
            _ => None,
        })
        .collect()
}

/// brush's spans with surrounding blanks and continuations trimmed off.
fn trim_spans(text: &str, spans: &HashSet<(usize, usize)>) -> HashSet<(usize, usize)> {
    spans
        .iter()
        .map(|&(s, e)| {
            let w = &text[s..e];
            let lead = w.len() - w.trim_start_matches([' ', '\t', '\n', '\\']).len();
            let body = &w[lead..];
            let kept = body.trim_end_matches([' ', '\t', '\n']).len();
            (s + lead, s + lead + kept)
        })
        .collect()
}

fn our_word_spans(text: &str) -> HashSet<(usize, usize)> {
    let s = shell::parse(text, 0);
    let mut out = HashSet::new();
    for c in &s.commands {
        if !matches!(c.context, Context::TopLevel | Context::Subshell) {
            continue;
        }
        for w in c.assignments.iter().chain(&c.words) {
            out.insert((w.span.start as usize, w.span.end as usize));
        }
        for r in &c.redirects {
            if let Some(t) = &r.target {
                out.insert((t.span.start as usize, t.span.end as usize));
            }
        }
    }
    out
}

fn time(runs: &[(String, String)], f: impl Fn(&str) -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..5 {
        let t = Instant::now();
        n = 0;
        for (_, text) in runs {
            n += f(black_box(text));
        }
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn main() {
    let Some(shared) = runs::shared_dir() else {
        eprintln!("skipping: shared corpus absent (set PLIMSOLL_SHARED)");
        return;
    };
    let runs = runs::corpus_runs(&shared);
    let bytes: usize = runs.iter().map(|(_, t)| t.len()).sum();
    println!(
        "corpus: {} RUN instructions, {} bytes of shell",
        runs.len(),
        bytes
    );

    let mut brush_ok = 0;
    let mut ours_clean = 0;
    let mut agree = 0usize;
    let mut agree_trimmed = 0usize;
    let mut brush_words = 0usize;
    let mut our_words = 0usize;
    let mut failures = Vec::new();
    let mut shown = 0;
    for (file, text) in &runs {
        if shell::parse(text, 0).errors.is_empty() {
            ours_clean += 1;
        }
        match brush_parse(text) {
            Ok(tokens) => {
                brush_ok += 1;
                let b = brush_word_spans(text, &tokens);
                let o = our_word_spans(text);
                agree += b.intersection(&o).count();
                let trimmed = trim_spans(text, &b);
                agree_trimmed += trimmed.intersection(&o).count();
                let b = trimmed;
                if shown < 6 && b != o {
                    shown += 1;
                    let mut only_b: Vec<_> = b.difference(&o).map(|&(s, e)| &text[s..e]).collect();
                    let mut only_o: Vec<_> = o.difference(&b).map(|&(s, e)| &text[s..e]).collect();
                    only_b.sort();
                    only_o.sort();
                    only_b.truncate(5);
                    only_o.truncate(5);
                    println!("  differ in {file}: brush only {only_b:?}; plimsoll only {only_o:?}");
                }
                brush_words += b.len();
                our_words += o.len();
            }
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "acceptance: plimsoll {}/{} parsed ({} with no recovery note), brush-parser {}/{} ({:.1}%)",
        runs.len(),
        runs.len(),
        ours_clean,
        brush_ok,
        runs.len(),
        pct(brush_ok, runs.len())
    );
    println!(
        "word spans on RUNs both accept: {agree} identical; {:.1}% of brush's {brush_words} words, {:.1}% of plimsoll's {our_words}",
        pct(agree, brush_words),
        pct(agree, our_words)
    );
    println!(
        "  after trimming the blanks brush puts at the start of a word that follows a line \
         continuation: {agree_trimmed} identical ({:.1}% of brush's words)",
        pct(agree_trimmed, brush_words)
    );
    for f in failures.iter().take(8) {
        println!("  brush-parser refused {}", f.lines().next().unwrap_or(""));
    }

    let (ours_t, n1) = time(&runs, |t| shell::parse(t, 0).commands.len());
    let (brush_t, n2) = time(&runs, |t| brush_parse(t).map_or(0, |v| v.len()));
    let mbs = |d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
    println!(
        "speed: plimsoll {:.1} MB/s ({n1} commands), brush-parser {:.1} MB/s ({n2} tokens); ratio {:.1}x",
        mbs(ours_t),
        mbs(brush_t),
        brush_t.as_secs_f64() / ours_t.as_secs_f64()
    );
}

//! Human output in the style of miette/rustc: a header, the source line(s) with the span
//! underlined, related spans labelled, then help text. Rendered here rather than through
//! miette's handler (so the crate is not a dependency): each position costs one line-index
//! lookup instead of miette's scan of the source, and source lines pass through secret masking
//! before they are printed, which miette's renderer cannot do.

use super::mask;
use super::{Context, Secrets, display_path, severity_counts};
use crate::finding::{FileReport, Finding, Severity};
use crate::source::{SourceFile, Span};
use std::io::{self, Write};

/// Lines of a multi-line span shown before eliding the middle.
const MAX_SPAN_LINES: usize = 6;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, sev: Severity) -> &'static str {
        match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;34",
            Severity::Style => "1;36",
        }
    }
}

pub fn render(reports: &[FileReport], ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    let style = Style { on: ctx.color };
    for r in reports {
        let secrets = Secrets::of(r);
        for f in &r.findings {
            finding(&r.file, f, &secrets, ctx, &style, out)?;
        }
    }
    summary(reports, &style, out)
}

fn finding(
    file: &SourceFile,
    f: &Finding,
    secrets: &Secrets,
    ctx: &Context<'_>,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let loc = f.location(file);
    let sev = style.paint(style.severity(f.severity), f.severity.as_str());
    let code = style.paint("1", &format!("{}[{}]", f.code, f.name));
    let message = f.message.replace('\n', "\n  ");
    writeln!(out, "{sev} {code}: {message}")?;
    let gutter = (loc.end_line.max(
        f.related
            .iter()
            .map(|r| file.line_col(r.span.end as usize).line)
            .max()
            .unwrap_or(0),
    ))
    .to_string()
    .len();
    let pad = " ".repeat(gutter);
    let bar = style.paint("1;34", "|");
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.paint("1;34", "-->"),
        display_path(file),
        loc.line,
        loc.column
    )?;
    writeln!(out, "{pad} {bar}")?;
    let mark = style.severity(f.severity);
    snippet(file, f.span, '^', mark, "", secrets, style, gutter, out)?;
    for rel in &f.related {
        snippet(
            file, rel.span, '-', "1;34", &rel.label, secrets, style, gutter, out,
        )?;
    }
    writeln!(out, "{pad} {bar}")?;
    let info = (ctx.rules)(f.code);
    if let Some(fix) = &f.fix {
        let kind = match fix.applicability {
            crate::finding::Applicability::Safe => "fix",
            crate::finding::Applicability::Unsafe => "unsafe fix",
        };
        writeln!(
            out,
            "{pad} {} {kind}: {}",
            style.paint("1;36", "="),
            fix.description
        )?;
    }
    if let Some(info) = info {
        writeln!(
            out,
            "{pad} {} help: {}",
            style.paint("1;36", "="),
            info.summary
        )?;
        if let Some(uri) = info.help_uri {
            writeln!(out, "{pad} {} see: {uri}", style.paint("1;36", "="))?;
        }
    }
    writeln!(out)
}

/// Prints the lines `span` covers with the covered part of each underlined by `ch`.
#[allow(clippy::too_many_arguments)]
fn snippet(
    file: &SourceFile,
    span: Span,
    ch: char,
    colour: &str,
    label: &str,
    secrets: &Secrets,
    style: &Style,
    gutter: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text: &str = &file.text;
    let idx = &file.line_index;
    let first = idx.line_of(span.start as usize);
    // A span ending at the start of a line does not cover that line.
    let last = if span.end > span.start {
        idx.line_of(span.end as usize - 1)
    } else {
        first
    };
    let count = last - first + 1;
    let bar = style.paint("1;34", "|");
    for (n, line) in (first..=last).enumerate() {
        if count > MAX_SPAN_LINES && n == MAX_SPAN_LINES / 2 {
            writeln!(out, "{} {bar} ...", " ".repeat(gutter))?;
        }
        if count > MAX_SPAN_LINES && n >= MAX_SPAN_LINES / 2 && n < count - MAX_SPAN_LINES / 2 {
            continue;
        }
        let Some(range) = idx.line_range(line, text) else {
            break;
        };
        let masks = secrets.within(range.clone());
        let shown = visible(&mask(&text[range.clone()], range.start, &masks));
        let lo = (span.start as usize).clamp(range.start, range.end);
        let hi = (span.end as usize).clamp(range.start, range.end);
        let before = visible(&mask(&text[range.start..lo], range.start, &masks));
        let covered = visible(&mask(&text[lo..hi], lo, &masks));
        let num = style.paint("1;34", &format!("{:>gutter$}", line + 1));
        writeln!(out, "{num} {bar} {shown}")?;
        let width = covered.chars().count().max(1);
        let marks: String = std::iter::repeat_n(ch, width).collect();
        let tail = if line == last && !label.is_empty() {
            format!(" {label}")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {bar} {}{}",
            " ".repeat(gutter),
            " ".repeat(before.chars().count()),
            style.paint(colour, &format!("{marks}{tail}"))
        )?;
    }
    Ok(())
}

/// Tabs as one space and other control characters as `?`, so underlines line up and no escape
/// sequence from a file reaches the terminal.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

fn summary(reports: &[FileReport], style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let counts = severity_counts(reports);
    let total: usize = counts.iter().sum();
    let files = reports.len();
    let files = format!("{files} file{}", if files == 1 { "" } else { "s" });
    if total == 0 {
        return writeln!(out, "{} in {files}.", style.paint("1;32", "No findings"));
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter(|s| counts[**s as usize] > 0)
        .map(|s| format!("{} {s}", counts[*s as usize]))
        .collect();
    writeln!(
        out,
        "Found {total} finding{} in {files} ({}).",
        if total == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use crate::report::{Context, testdata};

    #[test]
    fn human_snapshot() {
        let mut out = Vec::new();
        let ctx = Context::new(&testdata::rule_info);
        super::render(&testdata::reports(), &ctx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("ghp_abcdefghijklmnop"), "secret masked");
        assert!(!text.contains('\x1b'), "no colour unless asked");
        crate::assert_snap!("human", text);
    }

    #[test]
    fn human_colour_when_asked() {
        let mut out = Vec::new();
        let mut ctx = Context::new(&testdata::rule_info);
        ctx.color = true;
        super::render(&testdata::reports(), &ctx, &mut out).unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("\x1b[1;33mwarning")
        );
    }
}

//! Human output in the style of miette/rustc: a header, the source line(s) with the span
//! underlined, related spans labelled, then help text. Rendered here rather than through
//! miette's handler (so the crate is not a dependency): each position costs one line-index
//! lookup instead of miette's scan of the source, and source lines pass through secret masking
//! before they are printed, which miette's renderer cannot do.

use super::mask_cow;
use super::{Context, RuleInfo, Secrets, Totals, display_path};
use crate::finding::{FileReport, Finding, Severity};
use crate::source::{SourceFile, Span};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};

/// Lines of a multi-line span shown before eliding the middle.
const MAX_SPAN_LINES: usize = 6;

struct Style {
    on: bool,
}

/// Text in an ANSI style when colour is on; written straight to the output, not allocated.
struct Paint<'a, T: fmt::Display + ?Sized> {
    on: bool,
    code: &'a str,
    text: &'a T,
}

impl<T: fmt::Display + ?Sized> fmt::Display for Paint<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.on {
            write!(f, "\x1b[{}m{}\x1b[0m", self.code, self.text)
        } else {
            self.text.fmt(f)
        }
    }
}

/// `n` spaces, for gutters and underline indents.
struct Spaces(usize);

impl fmt::Display for Spaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        repeat(f, ' ', self.0)
    }
}

/// Writes `ch` `n` times, whole runs at a time for the ASCII characters used here (a
/// character-by-character write showed up in profiles).
fn repeat(f: &mut fmt::Formatter<'_>, ch: char, mut n: usize) -> fmt::Result {
    const RUN: usize = 64;
    let run: &str = match ch {
        ' ' => "                                                                ",
        '^' => "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '-' => "----------------------------------------------------------------",
        _ => {
            for _ in 0..n {
                fmt::Write::write_char(f, ch)?;
            }
            return Ok(());
        }
    };
    while n > 0 {
        let k = n.min(RUN);
        f.write_str(run.get(..k).unwrap_or(run))?;
        n -= k;
    }
    Ok(())
}

impl Style {
    fn paint<'a, T: fmt::Display + ?Sized>(&self, code: &'a str, text: &'a T) -> Paint<'a, T> {
        Paint {
            on: self.on,
            code,
            text,
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
    render_files(reports, ctx, out)?;
    render_summary(&Totals::of_all(reports), ctx, out)
}

/// The findings of `reports`, without the closing summary line.
pub(crate) fn render_files(
    reports: &[FileReport],
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let style = Style { on: ctx.color };
    // Many small writes per finding: buffer them rather than pay a virtual call each.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    // Rule metadata once per code, not once per finding.
    let mut rules: HashMap<&str, Option<RuleInfo>> = HashMap::new();
    for r in reports {
        let secrets = Secrets::of(r);
        let path = display_path(&r.file);
        for f in &r.findings {
            let info = rules.entry(f.code).or_insert_with(|| (ctx.rules)(f.code));
            finding(&r.file, &path, f, &secrets, info.as_ref(), &style, &mut out)?;
        }
    }
    out.flush()
}

/// The closing `Found … in … files` line.
pub(crate) fn render_summary(
    totals: &Totals,
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    summary(totals, &Style { on: ctx.color }, out)
}

/// Decimal digits of `n`.
fn digits(mut n: u32) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn finding(
    file: &SourceFile,
    path: &str,
    f: &Finding,
    secrets: &Secrets,
    info: Option<&RuleInfo>,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let loc = f.location(file);
    let sev = style.paint(style.severity(f.severity), f.severity.as_str());
    let message = if f.message.contains('\n') {
        Cow::Owned(f.message.replace('\n', "\n  "))
    } else {
        Cow::Borrowed(f.message.as_str())
    };
    writeln!(
        out,
        "{sev} {}: {message}",
        style.paint("1", &format_args!("{}[{}]", f.code, f.name))
    )?;
    let gutter = digits(
        loc.end_line.max(
            f.related
                .iter()
                .map(|r| file.line_col(r.span.end as usize).line)
                .max()
                .unwrap_or(0),
        ),
    );
    let pad = Spaces(gutter);
    let bar = style.paint("1;34", "|");
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.paint("1;34", "-->"),
        path,
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
        if let Some(uri) = &info.help_uri {
            writeln!(out, "{pad} {} see: {uri}", style.paint("1;36", "="))?;
        }
    }
    writeln!(out)
}

/// `ch` repeated `n` times, then the label (with a leading space) if there is one.
struct Marks<'a> {
    ch: char,
    n: usize,
    label: &'a str,
}

impl fmt::Display for Marks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        repeat(f, self.ch, self.n)?;
        if !self.label.is_empty() {
            write!(f, " {}", self.label)?;
        }
        Ok(())
    }
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
            writeln!(out, "{} {bar} ...", Spaces(gutter))?;
        }
        if count > MAX_SPAN_LINES && n >= MAX_SPAN_LINES / 2 && n < count - MAX_SPAN_LINES / 2 {
            continue;
        }
        let Some(range) = idx.line_range(line, text) else {
            break;
        };
        let masks = secrets.within(range.clone());
        let shown = Visible(&mask_cow(&text[range.clone()], range.start, masks));
        let lo = (span.start as usize).clamp(range.start, range.end);
        let hi = (span.end as usize).clamp(range.start, range.end);
        // `visible` maps each character to one, so widths are character counts of the masked
        // text.
        let before = mask_cow(&text[range.start..lo], range.start, masks)
            .chars()
            .count();
        let covered = mask_cow(&text[lo..hi], lo, masks).chars().count();
        writeln!(
            out,
            "{} {bar} {shown}",
            style.paint("1;34", &format_args!("{:>gutter$}", line + 1))
        )?;
        let marks = Marks {
            ch,
            n: covered.max(1),
            label: if line == last { label } else { "" },
        };
        writeln!(
            out,
            "{} {bar} {}{}",
            Spaces(gutter),
            Spaces(before),
            style.paint(colour, &marks)
        )?;
    }
    Ok(())
}

/// Tabs as one space and other control characters as `?`, so underlines line up and no escape
/// sequence from a file reaches the terminal.
struct Visible<'a>(&'a str);

impl fmt::Display for Visible<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        // Runs of ordinary characters are written whole; only the odd ones one by one.
        while let Some(i) = rest.find(|c: char| c.is_control()) {
            f.write_str(&rest[..i])?;
            let c = rest[i..].chars().next().unwrap_or(' ');
            fmt::Write::write_char(f, if c == '\t' { ' ' } else { '?' })?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// `No findings in N files.`, or `Found F findings in W of N files (…).`: the files checked and,
/// of those, the files with findings.
fn summary(totals: &Totals, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let counts = totals.counts;
    let total = totals.findings();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let files = totals.files;
    if total == 0 {
        return writeln!(
            out,
            "{} in {files} file{}.",
            style.paint("1;32", "No findings"),
            s(files)
        );
    }
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter(|s| counts[**s as usize] > 0)
        .map(|s| format!("{} {s}", counts[*s as usize]))
        .collect();
    writeln!(
        out,
        "Found {total} finding{} in {} of {files} file{} ({}).",
        s(total),
        totals.files_with_findings,
        s(files),
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
    fn long_runs_repeat_exactly() {
        for n in [0, 1, 63, 64, 65, 130] {
            assert_eq!(super::Spaces(n).to_string(), " ".repeat(n));
            let marks = super::Marks {
                ch: '^',
                n,
                label: "",
            };
            assert_eq!(marks.to_string(), "^".repeat(n));
        }
        let marks = super::Marks {
            ch: '~',
            n: 3,
            label: "x",
        };
        assert_eq!(marks.to_string(), "~~~ x");
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

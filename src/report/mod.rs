//! Output formats. Each renderer writes a slice of [`FileReport`]s to a `&mut dyn Write`.
//!
//! Rule metadata (summary, help URL, whether a rule is about security) reaches renderers through
//! [`RuleInfo`] looked up by code with a closure, so no renderer depends on the catalog's
//! internals. Line and column always come from the file's [`LineIndex`](crate::source::LineIndex)
//! (one binary search per position), so rendering stays linear in the number of findings.

use crate::finding::{FileReport, Finding, Location, Severity};
use crate::source::SourceFile;
use std::borrow::Cow;
use std::io::{self, Write};

pub mod checkstyle;
pub mod codeclimate;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod gnu;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod sonarqube;

/// What renderers need to know about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: String,
    pub name: String,
    pub summary: String,
    pub help_uri: Option<String>,
    pub default_severity: Severity,
    /// Security rules get a `security-severity` in SARIF.
    pub security: bool,
}

/// Looks rule metadata up by code.
pub type RuleLookup<'a> = &'a (dyn Fn(&str) -> Option<RuleInfo> + Sync);

pub use crate::output_format::Format;

/// Options that apply across formats.
pub struct Context<'a> {
    pub rules: RuleLookup<'a>,
    /// ANSI colour in the human format.
    pub color: bool,
}

impl<'a> Context<'a> {
    pub fn new(rules: RuleLookup<'a>) -> Context<'a> {
        Context {
            rules,
            color: false,
        }
    }
}

/// `message` on one line (newlines become blanks), for the formats that print a finding per
/// line: a newline inside a message would start a bogus record.
pub(crate) fn one_line(message: &str) -> Cow<'_, str> {
    if memchr::memchr2(b'\r', b'\n', message.as_bytes()).is_some() {
        Cow::Owned(message.replace(['\r', '\n'], " "))
    } else {
        Cow::Borrowed(message)
    }
}

/// Writes one line per finding, in report order, for the one-line formats (concise, gnu):
/// `line` formats a finding given its file's display path, its location and its message on one
/// line.
pub(crate) fn write_finding_lines(
    reports: &[FileReport],
    out: &mut dyn Write,
    line: impl Fn(&mut dyn Write, &str, &Location, &Finding, &str) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    for r in reports {
        let path = display_path(&r.file);
        for f in &r.findings {
            let loc = f.location(&r.file);
            line(&mut out, &path, &loc, f, &one_line(&f.message))?;
        }
    }
    out.flush()
}

/// Renders `reports` in `format` to `out`.
pub fn render(
    format: Format,
    reports: &[FileReport],
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(reports, ctx, out),
        Format::Concise => concise::render(reports, out),
        Format::Json => json::render(reports, out),
        Format::Sarif => sarif::render(reports, ctx, out),
        Format::Checkstyle => checkstyle::render(reports, out),
        Format::Gitlab => gitlab::render(reports, out),
        Format::Github => github::render(reports, out),
        Format::Junit => junit::render(reports, out),
        Format::Codeclimate => codeclimate::render(reports, ctx, out),
        Format::Gnu => gnu::render(reports, out),
        Format::Sonarqube => sonarqube::render(reports, ctx, out),
    }
}

/// Renders one file's findings: its part of a format written file by file.
type FilePart = fn(&[FileReport], &Context<'_>, &mut dyn Write) -> io::Result<()>;

/// The per-file renderer of the formats whose output is a header, each file's part in file
/// order, and a footer that needs only [`Totals`]: the line-oriented formats (human, concise,
/// GitHub annotations), the JSON arrays (json, gitlab) and checkstyle. `None` for the formats
/// whose header needs every file first (SARIF's rule table and artifacts, JUnit's totals).
fn file_part_renderer(format: Format) -> Option<FilePart> {
    match format {
        Format::Human => Some(human::render_files),
        Format::Concise => Some(|r, _, out| concise::render(r, out)),
        Format::Github => Some(|r, _, out| github::render(r, out)),
        Format::Json => Some(|r, _, out| json::render_items(r, out)),
        Format::Gitlab => Some(|r, _, out| gitlab::render_items(r, out)),
        Format::Checkstyle => Some(|r, _, out| checkstyle::render_files(r, out)),
        Format::Gnu => Some(|r, _, out| gnu::render(r, out)),
        Format::Codeclimate => Some(codeclimate::render),
        Format::Sarif | Format::Junit | Format::Sonarqube => None,
    }
}

/// Whether `format` is made of per-file parts, which [`render_file_part`] can render as soon as
/// a file is linted, on the thread that linted it, and a [`Stream`] writes in order.
pub fn has_file_parts(format: Format) -> bool {
    file_part_renderer(format).is_some()
}

/// One file's part of a format that [`has_file_parts`]; empty for any other format.
pub fn render_file_part(
    format: Format,
    report: &FileReport,
    ctx: &Context<'_>,
) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if let Some(files) = file_part_renderer(format) {
        files(std::slice::from_ref(report), ctx, &mut buf)?;
    }
    Ok(buf)
}

/// What a report's footer needs to know of the files before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Files checked.
    pub files: usize,
    /// Files with at least one finding.
    pub files_with_findings: usize,
    /// Findings per severity, indexed by `Severity as usize`.
    pub counts: [usize; 4],
}

impl Totals {
    /// The totals of one file's report.
    pub fn of(report: &FileReport) -> Totals {
        let mut counts = [0; 4];
        for f in &report.findings {
            counts[f.severity as usize] += 1;
        }
        Totals {
            files: 1,
            files_with_findings: usize::from(!report.findings.is_empty()),
            counts,
        }
    }

    /// The totals of many reports.
    pub fn of_all(reports: &[FileReport]) -> Totals {
        let mut t = Totals::default();
        for r in reports {
            t.add(Totals::of(r));
        }
        t
    }

    pub fn add(&mut self, other: Totals) {
        self.files += other.files;
        self.files_with_findings += other.files_with_findings;
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
    }

    /// All findings.
    pub fn findings(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// A report in a format that [`has_file_parts`], written as its files' parts arrive in order,
/// so that a run holds no file's findings once they are written: [`Stream::start`], then
/// [`Stream::file`] for each file, then [`Stream::finish`]. The bytes are those of [`render`].
pub struct Stream {
    format: Format,
    /// A JSON array has an item written (the next one needs a comma).
    items: bool,
    totals: Totals,
}

impl Stream {
    /// Writes what comes before the first file.
    pub fn start(format: Format, out: &mut dyn Write) -> io::Result<Stream> {
        if format == Format::Checkstyle {
            checkstyle::render_header(out)?;
        }
        Ok(Stream {
            format,
            items: false,
            totals: Totals::default(),
        })
    }

    /// Writes one file's part ([`render_file_part`]); `totals` are the file's ([`Totals::of`]).
    pub fn file(&mut self, part: &[u8], totals: Totals, out: &mut dyn Write) -> io::Result<()> {
        self.totals.add(totals);
        if part.is_empty() {
            return Ok(());
        }
        if matches!(self.format, Format::Json | Format::Gitlab) {
            // As serde_json's pretty printer separates array items (see `write_pretty_json`).
            out.write_all(if self.items { b",\n  " } else { b"[\n  " })?;
            self.items = true;
        }
        out.write_all(part)
    }

    /// The totals of the files written so far.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Writes what follows the last file (the human summary, the end of a JSON array).
    pub fn finish(self, ctx: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Human => human::render_summary(&self.totals, ctx, out),
            Format::Json | Format::Gitlab => {
                out.write_all(if self.items { b"\n]\n" } else { b"[]\n" })
            }
            Format::Checkstyle => checkstyle::render_footer(out),
            _ => Ok(()),
        }
    }
}

/// The output of [`render`] from the parts [`render_file_part`] made of `reports`, in order.
pub fn render_from_parts(
    format: Format,
    reports: &[FileReport],
    parts: &[Vec<u8>],
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if !has_file_parts(format) || parts.len() != reports.len() {
        return render(format, reports, ctx, out);
    }
    join_parts(format, reports, parts, ctx, out)
}

/// Writes the per-file parts in order between the format's header and footer.
fn join_parts<P: AsRef<[u8]>>(
    format: Format,
    reports: &[FileReport],
    parts: impl IntoIterator<Item = P>,
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut stream = Stream::start(format, out)?;
    for (part, report) in parts.into_iter().zip(reports) {
        stream.file(part.as_ref(), Totals::of(report), out)?;
    }
    stream.finish(ctx, out)
}

/// Renders like [`render`], with the per-file part of the line-oriented formats (human,
/// concise, GitHub annotations) rendered on all threads: on a large run that part costs about
/// as much as a thread's share of the linting, and the files do not depend on one another. The
/// output is byte for byte that of [`render`].
pub fn render_parallel(
    format: Format,
    reports: &[FileReport],
    ctx: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    use rayon::prelude::*;
    let Some(files) = file_part_renderer(format) else {
        return render(format, reports, ctx, out);
    };
    // Below this, starting the pool costs more than rendering on this thread.
    const MIN_PARALLEL: usize = 32;
    if reports.len() < MIN_PARALLEL || rayon::current_num_threads() < 2 {
        return render(format, reports, ctx, out);
    }
    let chunk = reports
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(MIN_PARALLEL / 4);
    let parts: io::Result<Vec<Vec<u8>>> = reports
        .par_chunks(chunk)
        .map(|part| {
            let mut buf = Vec::new();
            files(part, ctx, &mut buf).map(|()| buf)
        })
        .collect();
    let mut stream = Stream::start(format, out)?;
    for (part, reports) in parts?.iter().zip(reports.chunks(chunk)) {
        stream.file(part, Totals::of_all(reports), out)?;
    }
    stream.finish(ctx, out)
}

/// Whether the human format should use colour on standard output: a terminal, and `NO_COLOR`
/// unset or empty (<https://no-color.org>).
pub fn stdout_wants_color() -> bool {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && io::stdout().is_terminal()
}

/// `text` (which starts at byte `start` of its file) with the secrets that overlap it masked,
/// borrowed when none does (the common case: no allocation). Secrets that do not overlap are
/// left out: `mask_secrets` would print a lone `…` for them.
pub(crate) fn mask_cow<'t>(
    text: &'t str,
    start: usize,
    secrets: &[crate::source::Span],
) -> Cow<'t, str> {
    let end = start + text.len();
    let overlaps = |s: &crate::source::Span| (s.start as usize) < end && (s.end as usize) > start;
    if !secrets.iter().any(overlaps) {
        return Cow::Borrowed(text);
    }
    let overlapping: Vec<_> = secrets.iter().filter(|s| overlaps(s)).copied().collect();
    Cow::Owned(crate::finding::mask_secrets(text, start, &overlapping))
}

/// A fix's replacement text with the secret values of its file masked. A replacement is new
/// text, not a range of the file, so the values are matched: a fix that reorders entries carries
/// a secret along with its entry.
pub(crate) fn mask_replacement<'t>(replacement: &'t str, report: &FileReport) -> Cow<'t, str> {
    let values: Vec<&str> = report
        .file
        .secrets
        .iter()
        .copied()
        .chain(report.findings.iter().filter_map(|f| f.secret))
        .map(|span| report.file.slice(span))
        .filter(|value| !value.is_empty() && replacement.contains(value))
        .collect();
    if values.is_empty() {
        Cow::Borrowed(replacement)
    } else {
        Cow::Owned(crate::finding::redact_values(replacement, &values))
    }
}

/// A file's secret spans, sorted, to find those overlapping a range in O(log n).
pub(crate) struct Secrets(Vec<crate::source::Span>);

impl Secrets {
    /// The secrets the findings mark and those the scanner found in the file whatever rules
    /// ran ([`crate::source::SourceFile::secrets`]).
    pub(crate) fn of(report: &FileReport) -> Secrets {
        let mut v: Vec<_> = report
            .findings
            .iter()
            .filter_map(|f| f.secret)
            .chain(report.file.secrets.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        Secrets(v)
    }

    /// Secrets overlapping `range` (sorted by start; a secret never contains another in
    /// practice, so ends are ordered too and the scan stops early). A sub-slice: no allocation.
    pub(crate) fn within(&self, range: std::ops::Range<usize>) -> &[crate::source::Span] {
        let first = self.0.partition_point(|s| (s.end as usize) <= range.start);
        let rest = self.0.get(first..).unwrap_or_default();
        let n = rest
            .iter()
            .take_while(|s| (s.start as usize) < range.end)
            .count();
        rest.get(..n).unwrap_or_default()
    }

    /// `text` starting at byte `start` of the file, secrets masked.
    pub(crate) fn mask<'t>(&self, text: &'t str, start: usize) -> Cow<'t, str> {
        mask_cow(text, start, self.within(start..start + text.len()))
    }
}

/// The path as reports print it: forward slashes on every platform.
pub(crate) fn display_path(file: &SourceFile) -> String {
    let s = file.path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// A stable fingerprint of a finding that survives line shifts: the rule code, the file, the
/// flagged text and the trimmed text of the finding's first line, secrets masked, hashed.
/// `occurrence` distinguishes identical findings in one file.
pub fn fingerprint(file: &SourceFile, finding: &Finding, occurrence: usize) -> String {
    stable_hash(&[
        finding.code.as_bytes(),
        display_path(file).as_bytes(),
        context_text(file, finding).as_bytes(),
        occurrence.to_string().as_bytes(),
    ])
}

/// A 128-bit FNV-1a hash of the parts (each followed by a 0 byte) as 32 hex digits. Fixed by
/// its definition, so fingerprints and baselines stay valid across versions and platforms;
/// cheap enough to hash every finding of a large report.
pub fn stable_hash(parts: &[&[u8]]) -> String {
    let mut h = StableHasher::new();
    for part in parts {
        h.part(part);
    }
    h.finish().to_string()
}

/// [`stable_hash`] fed part by part; its [`Hash128`] prints as the 32 hex digits.
#[derive(Clone, Copy)]
pub(crate) struct StableHasher(u128);

impl StableHasher {
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    pub(crate) fn new() -> StableHasher {
        StableHasher(0x6c62272e07bb014262b821756295c58d)
    }

    pub(crate) fn part(&mut self, part: &[u8]) {
        let mut h = self.0;
        for &b in part.iter().chain(&[0u8]) {
            h ^= u128::from(b);
            h = h.wrapping_mul(Self::PRIME);
        }
        self.0 = h;
    }

    pub(crate) fn finish(self) -> Hash128 {
        Hash128(self.0)
    }
}

/// A finished [`StableHasher`]: displays (and serializes) as 32 lowercase hex digits without
/// allocating.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Hash128(u128);

impl std::fmt::Display for Hash128 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl serde::Serialize for Hash128 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The text a finding is about, for fingerprints and baselines: flagged bytes plus the trimmed
/// line they start on, whitespace-normalised, with secrets masked.
pub fn context_text(file: &SourceFile, finding: &Finding) -> String {
    let mut out = String::new();
    push_context_text(&mut out, file, finding);
    out
}

/// [`context_text`] appended to `out`, so callers can reuse one buffer.
fn push_context_text(out: &mut String, file: &SourceFile, finding: &Finding) {
    let text = &file.text;
    let idx = &file.line_index;
    let line = idx.line_of(finding.span.start as usize);
    let secrets: &[crate::source::Span] = finding.secret.as_slice();
    let flagged = mask_cow(
        finding.span.text(text),
        finding.span.start as usize,
        secrets,
    );
    // Whitespace-insensitive, so re-indenting does not make a finding new.
    push_normalized(out, &flagged);
    out.push('\u{1f}');
    if let Some(r) = idx.line_range(line, text) {
        let start = r.start;
        push_normalized(out, &mask_cow(text.get(r).unwrap_or(""), start, secrets));
    }
}

/// The words of `s` joined by single spaces.
fn push_normalized(out: &mut String, s: &str) {
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// Numbers identical findings (same code, same context) within a file 0, 1, 2… in order, so
/// that fingerprints are unique and stable.
pub fn occurrences(report: &FileReport) -> Vec<usize> {
    let mut seen: std::collections::HashMap<(&str, String), usize> = Default::default();
    report
        .findings
        .iter()
        .map(|f| {
            let n = seen
                .entry((f.code, context_text(&report.file, f)))
                .or_insert(0);
            let k = *n;
            *n += 1;
            k
        })
        .collect()
}

/// The [`fingerprint`] of every finding of `report` with its [`occurrences`] number, in order:
/// each finding's context text is built once (not once for the count and again for the hash)
/// and the path once per file.
pub(crate) fn fingerprints(report: &FileReport, path: &str) -> Vec<Hash128> {
    let mut seen: std::collections::HashMap<(&str, String), usize> = Default::default();
    let mut out = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        let mut h = StableHasher::new();
        h.part(f.code.as_bytes());
        h.part(path.as_bytes());
        let mut ctx = String::new();
        push_context_text(&mut ctx, &report.file, f);
        h.part(ctx.as_bytes());
        let n = seen.entry((f.code, ctx)).or_insert(0);
        h.part(decimal(*n, &mut [0; 20]));
        *n += 1;
        out.push(h.finish());
    }
    out
}

/// `n` in decimal, written into the end of `buf` (as `n.to_string()`, without allocating).
fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

/// `value` as pretty JSON (two-space indent, as `serde_json::to_writer_pretty`) and a newline,
/// through a buffer: pretty printing issues many tiny writes, too many for a virtual call each.
pub(crate) fn write_pretty_json<T: serde::Serialize + ?Sized>(
    out: &mut dyn Write,
    value: &T,
) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    let mut ser = serde_json::Serializer::with_formatter(&mut w, Pretty::default());
    value.serialize(&mut ser)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// `items` as the items of a pretty JSON array ([`write_pretty_json`] of a sequence) without its
/// brackets: each one level deep, separated by a comma and a line break. A [`Stream`] writes the
/// brackets and the separators between files.
pub(crate) fn write_pretty_items<T: serde::Serialize>(
    out: &mut dyn Write,
    items: impl Iterator<Item = T>,
) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    for (i, item) in items.enumerate() {
        if i > 0 {
            w.write_all(b",\n  ")?;
        }
        let pretty = Pretty {
            depth: 1,
            has_value: false,
        };
        let mut ser = serde_json::Serializer::with_formatter(&mut w, pretty);
        item.serialize(&mut ser)?;
    }
    w.flush()
}

/// serde_json's `PrettyFormatter` with a two-space indent, byte for byte, except that a comma,
/// newline and indentation go out as one write rather than one write per level (which
/// dominated the profile of large reports).
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// `,` (unless `first`), a newline, and `depth` levels of indentation.
    fn newline<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        const BREAK: &[u8] = b",\n                                                                ";
        let skip = usize::from(first);
        match BREAK.get(skip..2 + 2 * self.depth) {
            Some(s) => w.write_all(s),
            None => {
                w.write_all(&BREAK[skip..2])?;
                for _ in 0..self.depth {
                    w.write_all(b"  ")?;
                }
                Ok(())
            }
        }
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, true)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, true)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Counts findings per severity.
pub fn severity_counts(reports: &[FileReport]) -> [usize; 4] {
    let mut counts = [0; 4];
    for f in reports.iter().flat_map(|r| &r.findings) {
        counts[f.severity as usize] += 1;
    }
    counts
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
pub(crate) fn xml_escape(s: &str) -> String {
    Xml(s).to_string()
}

/// [`xml_escape`] as it is written out, without an intermediate string.
pub(crate) struct Xml<'a>(pub(crate) &'a str);

impl std::fmt::Display for Xml<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let special = |c: char| {
            matches!(c, '&' | '<' | '>' | '"' | '\'')
                || (c as u32) < 0x20
                || c == '\u{fffe}'
                || c == '\u{ffff}'
        };
        let mut rest = self.0;
        // Runs of plain characters are written whole.
        while let Some(i) = rest.find(special) {
            f.write_str(&rest[..i])?;
            let c = rest[i..].chars().next().unwrap_or(' ');
            f.write_str(match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                '\n' => "&#10;",
                '\r' => "&#13;",
                '\t' => "&#9;",
                _ => "",
            })?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
pub(crate) mod testdata;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleId;

    #[test]
    fn parallel_and_per_file_rendering_match_serial_rendering() {
        // Enough files, with distinct paths, for several chunks on any thread count.
        let mut reports = Vec::new();
        for i in 0..150 {
            for mut r in testdata::reports() {
                r.file.path = std::path::PathBuf::from(format!("d{i:03}"))
                    .join(&*r.file.path)
                    .into();
                if i % 7 == 0 {
                    r.findings.clear();
                }
                reports.push(r);
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for format in [
            Format::Human,
            Format::Concise,
            Format::Github,
            Format::Json,
            Format::Gitlab,
            Format::Checkstyle,
            Format::Sarif,
            Format::Junit,
            Format::Codeclimate,
            Format::Gnu,
            Format::Sonarqube,
        ] {
            for color in [false, true] {
                let mut ctx = Context::new(&testdata::rule_info);
                ctx.color = color;
                let (mut serial, mut parallel) = (Vec::new(), Vec::new());
                render(format, &reports, &ctx, &mut serial).unwrap();
                pool.install(|| render_parallel(format, &reports, &ctx, &mut parallel))
                    .unwrap();
                assert!(serial.len() > 10_000);
                assert!(serial == parallel, "{format:?} color={color}");
                // Rendered file by file, as `check` does where each file is linted.
                let parts: Vec<Vec<u8>> = reports
                    .iter()
                    .map(|r| render_file_part(format, r, &ctx).unwrap())
                    .collect();
                assert_eq!(has_file_parts(format), parts.iter().any(|p| !p.is_empty()));
                let mut joined = Vec::new();
                render_from_parts(format, &reports, &parts, &ctx, &mut joined).unwrap();
                assert!(serial == joined, "{format:?} color={color}, by parts");
            }
        }
    }

    #[test]
    fn streamed_reports_match_whole_ones_with_and_without_findings() {
        let ctx = Context::new(&testdata::rule_info);
        let mut clean = testdata::reports();
        for r in &mut clean {
            r.findings.clear();
        }
        for reports in [testdata::reports(), clean, Vec::new()] {
            for format in [
                Format::Human,
                Format::Concise,
                Format::Github,
                Format::Json,
                Format::Gitlab,
                Format::Checkstyle,
                Format::Codeclimate,
                Format::Gnu,
            ] {
                let mut whole = Vec::new();
                render(format, &reports, &ctx, &mut whole).unwrap();
                let mut streamed = Vec::new();
                let mut stream = Stream::start(format, &mut streamed).unwrap();
                for r in &reports {
                    let part = render_file_part(format, r, &ctx).unwrap();
                    stream.file(&part, Totals::of(r), &mut streamed).unwrap();
                }
                stream.finish(&ctx, &mut streamed).unwrap();
                assert_eq!(
                    String::from_utf8(streamed).unwrap(),
                    String::from_utf8(whole).unwrap(),
                    "{format:?}, {} files",
                    reports.len()
                );
            }
        }
    }

    #[test]
    fn xml_escape_handles_specials_and_controls() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&apos;c");
    }

    #[test]
    fn per_file_fingerprints_match_one_by_one() {
        for r in testdata::reports() {
            let occ = occurrences(&r);
            let all = fingerprints(&r, &display_path(&r.file));
            assert_eq!(all.len(), r.findings.len());
            for ((f, n), h) in r.findings.iter().zip(occ).zip(all) {
                assert_eq!(h.to_string(), fingerprint(&r.file, f, n));
            }
        }
        // Identical findings get distinct fingerprints through their occurrence number.
        let mut r = testdata::reports().swap_remove(0);
        let dup = r.findings[0].clone();
        r.findings.push(dup);
        let all = fingerprints(&r, "x");
        assert_ne!(all[0], all[all.len() - 1]);
    }

    #[test]
    fn pretty_json_matches_serde_json() {
        // Deeper than the one-write indentation covers, to exercise the fallback too.
        let mut deep = serde_json::json!({ "a": [], "b": {}, "c": [1, "x\n"] });
        for i in 0..40 {
            deep = serde_json::json!({ "k": [deep, i, { "e": [] }], "z": null });
        }
        for v in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!(1),
            deep,
        ] {
            let mut ours = Vec::new();
            write_pretty_json(&mut ours, &v).unwrap();
            let mut theirs = serde_json::to_vec_pretty(&v).unwrap();
            theirs.push(b'\n');
            assert_eq!(String::from_utf8(ours), String::from_utf8(theirs));
        }
    }

    #[test]
    fn xml_display_matches_escape_rules() {
        assert_eq!(
            Xml("a\tb\nc\r\u{fffe}é<").to_string(),
            "a&#9;b&#10;c&#13;é&lt;"
        );
    }

    #[test]
    fn fingerprint_survives_line_shift() {
        use crate::source::{FileKind, Span};
        let a = SourceFile::new("Dockerfile", "FROM x:latest\n", FileKind::Dockerfile);
        let b = SourceFile::new("Dockerfile", "# c\n\nFROM x:latest\n", FileKind::Dockerfile);
        let fa = Finding::new(
            RuleId::LatestTag.code(),
            RuleId::LatestTag.name(),
            Severity::Warning,
            Span::new(5, 13),
            "m",
        );
        let fb = Finding::new(
            RuleId::LatestTag.code(),
            RuleId::LatestTag.name(),
            Severity::Warning,
            Span::new(10, 18),
            "m",
        );
        assert_eq!(fingerprint(&a, &fa, 0), fingerprint(&b, &fb, 0));
        assert_ne!(fingerprint(&a, &fa, 0), fingerprint(&a, &fa, 1));
    }
}

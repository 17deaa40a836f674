//! Logical lines: physical lines joined by continuations, with parser directives, comments and
//! heredoc bodies read the way BuildKit's `parser.Parse` reads them.
//!
//! Hand-written rather than built from a combinator library: the rules are line-oriented
//! (directive region, comment lines inside continuations, the 64 KiB scanner limit, the
//! heredoc terminator test) and must match BuildKit byte for byte, and a single forward pass
//! over the bytes with `memchr` keeps parsing linear and fast.

use super::ast::{Comment, Directive, LogicalLine, ParseError, ParseWarning, Segment};
use super::text::{trim_space, trim_start_unicode};
use crate::source::Span;

/// BuildKit reads lines with Go's `bufio.Scanner`, whose largest token (line plus newline) is
/// 64 KiB; a longer line ends the scan with an error.
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// One physical line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PLine {
    pub start: usize,
    /// End of the content, trailing `\r`/`\n` removed (BuildKit's `trimNewline`).
    pub end: usize,
}

/// A logical line ready for instruction parsing.
pub(crate) struct Logical {
    pub line: LogicalLine,
    /// 1-based line of the first physical line.
    pub start_line: u32,
    /// End of the last physical line's content.
    pub source_end: usize,
    pub comments: Vec<Comment>,
}

pub(crate) struct HeredocBody {
    pub body: Span,
    pub terminator: Option<Span>,
}

pub(crate) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// Physical lines consumed so far (BuildKit's `currentLine`).
    pub line_no: u32,
    pub escape: u8,
    directives_done: bool,
    /// Set once the 64 KiB limit was hit (BuildKit stops there; we report once, read on).
    long_line_seen: bool,
    pub directives: Vec<Directive>,
    pub comments: Vec<Comment>,
    /// Comments collected for the next instruction (BuildKit's `prevComment`).
    pending: Vec<Comment>,
    pub errors: Vec<ParseError>,
    pub warnings: Vec<ParseWarning>,
    /// End of the content of the last line read.
    pub last_end: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            pos: 0,
            line_no: 0,
            escape: b'\\',
            directives_done: false,
            long_line_seen: false,
            directives: Vec::new(),
            comments: Vec::new(),
            pending: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            last_end: 0,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn str(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// Reads the next physical line.
    pub fn read_line(&mut self) -> Option<PLine> {
        let bytes = self.bytes();
        let start = self.pos;
        if start >= bytes.len() {
            return None;
        }
        let rest = bytes.get(start..).unwrap_or(&[]);
        let (raw_end, next, too_long) = match memchr::memchr(b'\n', rest) {
            Some(i) => (start + i, start + i + 1, i + 1 > MAX_LINE),
            None => (bytes.len(), bytes.len(), rest.len() >= MAX_LINE),
        };
        let mut end = raw_end;
        while end > start && matches!(bytes.get(end - 1), Some(b'\r' | b'\n')) {
            end -= 1;
        }
        let mut line_start = start;
        if self.line_no == 0 && rest.starts_with(b"\xEF\xBB\xBF") {
            line_start = (start + 3).min(end.max(start + 3));
            end = end.max(line_start);
        }
        if too_long && !self.long_line_seen {
            self.long_line_seen = true;
            self.errors.push(ParseError {
                span: Span::new(line_start, end),
                message: format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE - 1
                ),
            });
        }
        self.pos = next;
        self.last_end = end;
        Some(PLine {
            start: line_start,
            end,
        })
    }

    /// `Some(offset of '#')` when the line is a comment (first non-space character is `#`).
    fn comment_start(&self, l: PLine) -> Option<usize> {
        let s = self.str(l.start, l.end);
        let t = trim_start_unicode(s);
        t.starts_with('#').then(|| l.end - t.len())
    }

    fn make_comment(&self, l: PLine, hash: usize) -> Comment {
        Comment {
            span: Span::new(hash, l.end),
            text: trim_space(self.str(hash + 1, l.end)).to_string(),
        }
    }

    /// Whether the line continues: it ends (before spaces/tabs) with the escape character that
    /// is not itself escaped. Returns the end of the kept content.
    fn continuation(&self, start: usize, end: usize) -> (usize, bool) {
        let bytes = self.bytes();
        let mut e = end;
        while e > start && matches!(bytes.get(e - 1), Some(b' ' | b'\t')) {
            e -= 1;
        }
        if e > start && bytes.get(e - 1) == Some(&self.escape) {
            let before = e - 1;
            if before == start || bytes.get(before - 1) != Some(&self.escape) {
                return (before, true);
            }
        }
        (end, false)
    }

    /// Parser directive on a left-trimmed line, while still in the directive region.
    /// Returns true when the line was a directive.
    fn directive(&mut self, start: usize, end: usize) -> bool {
        if self.directives_done {
            return false;
        }
        let Some(d) = match_directive(self.text, start, end) else {
            self.directives_done = true;
            return false;
        };
        let name = d.name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return false;
        }
        if self.directives.iter().any(|x| x.name == name) {
            self.errors.push(ParseError {
                span: Span::new(start, end),
                message: format!("only one {name} parser directive can be used"),
            });
            return true;
        }
        let value = self.str(d.value.0, d.value.1).to_string();
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = b'\\',
                "`" => self.escape = b'`',
                _ => self.errors.push(ParseError {
                    span: Span::new(d.value.0, d.value.1),
                    message: format!("invalid escape token '{value}' does not match ` or \\"),
                }),
            }
        }
        self.directives.push(Directive {
            name,
            value,
            span: Span::new(start, end),
            name_span: Span::new(d.name_range.0, d.name_range.1),
            value_span: Span::new(d.value.0, d.value.1),
        });
        true
    }

    /// Reads the next logical line (an instruction), skipping blank and comment lines.
    pub fn next_logical(&mut self) -> Option<Logical> {
        loop {
            let l = self.read_line()?;
            let hash = self.comment_start(l);
            if let Some(h) = hash {
                let c = self.make_comment(l, h);
                // BuildKit drops the line's first character (`#`, or indentation when
                // indented): an indented `#` alone is not a blank comment to BuildKit.
                if c.text.is_empty() && h == l.start {
                    self.pending.clear();
                } else {
                    self.pending.push(c.clone());
                }
                self.comments.push(c);
            }
            let s = self.str(l.start, l.end);
            let lt_start = l.end - trim_start_unicode(s).len();
            if self.directive(lt_start, l.end) {
                // A directive is not a comment of the instruction that follows.
                if hash.is_some() {
                    self.pending.pop();
                }
            }
            self.line_no += 1;
            let start_line = self.line_no;
            let first_end = if hash.is_some() { lt_start } else { l.end };
            let (seg_end, mut cont) = self.continuation(lt_start, first_end);
            if !cont && first_end == lt_start {
                continue;
            }
            let mut line = LogicalLine::default();
            push_segment(&mut line, self.text, lt_start, seg_end);
            let mut first_empty: Option<Span> = None;
            while cont {
                let Some(c) = self.read_line() else { break };
                self.line_no += 1;
                if let Some(h) = self.comment_start(c) {
                    let com = self.make_comment(c, h);
                    self.comments.push(com);
                    continue;
                }
                let s = self.str(c.start, c.end);
                if trim_start_unicode(s).is_empty() {
                    first_empty.get_or_insert(Span::new(c.start, c.end));
                    continue;
                }
                let (e, more) = self.continuation(c.start, c.end);
                cont = more;
                push_segment(&mut line, self.text, c.start, e);
            }
            if line.segments.is_empty() {
                // Only continuation characters: an empty instruction (BuildKit keeps one too),
                // placed where its first line starts.
                line.segments.push(Segment {
                    logical: 0,
                    source: lt_start as u32,
                });
            }
            if let Some(span) = first_empty {
                self.warnings.push(ParseWarning {
                    span,
                    message: format!("Empty continuation line found in: {}", line.text),
                });
            }
            return Some(Logical {
                line,
                start_line,
                source_end: self.last_end,
                comments: std::mem::take(&mut self.pending),
            });
        }
    }

    /// Reads a heredoc body up to its terminator line (BuildKit compares the line without its
    /// terminator, and without leading tabs for `<<-`).
    pub fn read_heredoc(&mut self, name: &str, chomp: bool) -> HeredocBody {
        let body_start = self.pos;
        loop {
            let Some(l) = self.read_line() else {
                return HeredocBody {
                    body: Span::new(body_start.min(self.text.len()), self.text.len()),
                    terminator: None,
                };
            };
            self.line_no += 1;
            let mut s = self.str(l.start, l.end);
            if chomp {
                s = s.trim_start_matches('\t');
            }
            if s == name {
                return HeredocBody {
                    body: Span::new(body_start, l.start),
                    terminator: Some(Span::new(l.start, l.end)),
                };
            }
        }
    }
}

fn push_segment(line: &mut LogicalLine, text: &str, start: usize, end: usize) {
    if end <= start {
        return;
    }
    let piece = text.get(start..end).unwrap_or("");
    if line.text.is_empty() {
        line.text.reserve_exact(piece.len());
    }
    line.segments.push(Segment {
        logical: line.text.len() as u32,
        source: start as u32,
    });
    line.text.push_str(piece);
}

struct DirectiveMatch {
    name: String,
    name_range: (usize, usize),
    value: (usize, usize),
}

/// BuildKit's directive pattern `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's `\s`
/// is `[\t\n\f\r ]`), matched on the line from `start` to `end`.
fn match_directive(text: &str, start: usize, end: usize) -> Option<DirectiveMatch> {
    let b = text.as_bytes().get(start..end)?;
    let is_s = |c: u8| matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' ');
    if b.first() != Some(&b'#') {
        return None;
    }
    let mut i = 1;
    while b.get(i).is_some_and(|&c| is_s(c)) {
        i += 1;
    }
    let name_start = i;
    if !b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        i += 1;
    }
    let name_end = i;
    while b.get(i).is_some_and(|&c| is_s(c)) {
        i += 1;
    }
    if b.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while b.get(i).is_some_and(|&c| is_s(c)) {
        i += 1;
    }
    let mut j = b.len();
    while j > i && b.get(j - 1).is_some_and(|&c| is_s(c)) {
        j -= 1;
    }
    if j <= i {
        return None;
    }
    Some(DirectiveMatch {
        name: String::from_utf8_lossy(b.get(name_start..name_end).unwrap_or(&[])).into_owned(),
        name_range: (start + name_start, start + name_end),
        value: (start + i, start + j),
    })
}

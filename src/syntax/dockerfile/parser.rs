//! Instructions from logical lines: name, leading flags, then the arguments, read by the parser
//! a dispatch table chooses for the instruction name (as BuildKit's `line_parsers.go` does).

use super::ast::{
    Args, Flag, InstructionKind, KeyValue, LogicalLine, ParseError, Segment, Text, Word,
};
use super::json::{self, JsonError};
use super::text::{go_quote, is_ascii_space, is_split_space};
use crate::source::Span;

/// What an argument parser sees: the logical line, the argument range, the escape character.
pub(crate) struct Ctx<'a> {
    pub line: &'a LogicalLine,
    pub escape: u8,
    pub errors: &'a mut Vec<ParseError>,
    /// The instruction's canonical name, for messages.
    pub instruction: &'static str,
    /// ONBUILD nesting depth.
    depth: u32,
}

/// BuildKit's parser nests `ONBUILD ONBUILD ...` without limit (its builder then refuses any
/// chaining); plimsoll stops at this depth so a hostile line cannot exhaust the stack.
const MAX_ONBUILD_DEPTH: u32 = 8;

impl Ctx<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        self.line.source_span(start, end)
    }

    fn text(&self, start: usize, end: usize) -> &str {
        self.line.text.get(start..end).unwrap_or("")
    }

    fn word(&self, start: usize, end: usize, value: String) -> Word {
        Word {
            value,
            span: self.span(start, end),
            logical: Span::new(start, end),
        }
    }

    fn raw_word(&self, start: usize, end: usize) -> Word {
        self.word(start, end, self.text(start, end).to_string())
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        let span = self.span(start, end);
        self.errors.push(ParseError { span, message });
    }
}

type ArgParser = fn(&mut Ctx<'_>, usize, usize, &str) -> Args;

/// One row of the dispatch table.
pub(crate) struct Entry {
    pub name: &'static str,
    pub kind: InstructionKind,
    parse: ArgParser,
}

const fn entry(name: &'static str, kind: InstructionKind, parse: ArgParser) -> Entry {
    Entry { name, kind, parse }
}

/// Instruction name -> argument parser (BuildKit's `dispatch` map).
static DISPATCH: [Entry; 18] = [
    entry("add", InstructionKind::Add, parse_maybe_json_to_list),
    entry("arg", InstructionKind::Arg, parse_name_or_name_val),
    entry("cmd", InstructionKind::Cmd, parse_maybe_json),
    entry("copy", InstructionKind::Copy, parse_maybe_json_to_list),
    entry("entrypoint", InstructionKind::Entrypoint, parse_maybe_json),
    entry("env", InstructionKind::Env, parse_name_val),
    entry("expose", InstructionKind::Expose, parse_whitespace_words),
    entry("from", InstructionKind::From, parse_whitespace_words),
    entry("healthcheck", InstructionKind::Healthcheck, parse_health),
    entry("label", InstructionKind::Label, parse_name_val),
    entry("maintainer", InstructionKind::Maintainer, parse_string),
    entry("onbuild", InstructionKind::Onbuild, parse_sub_command),
    entry("run", InstructionKind::Run, parse_maybe_json),
    entry("shell", InstructionKind::Shell, parse_maybe_json),
    entry("stopsignal", InstructionKind::Stopsignal, parse_string),
    entry("user", InstructionKind::User, parse_string),
    entry("volume", InstructionKind::Volume, parse_maybe_json_to_list),
    entry("workdir", InstructionKind::Workdir, parse_string),
];

/// The dispatch entry for an instruction name (Unicode case-insensitive, as Go's
/// `strings.ToLower`).
pub(crate) fn lookup(name: &str) -> Option<&'static Entry> {
    if name.is_ascii() {
        DISPATCH.iter().find(|e| e.name.eq_ignore_ascii_case(name))
    } else {
        let lower = go_lower(name);
        DISPATCH.iter().find(|e| e.name == lower)
    }
}

/// Go's `strings.ToLower`: per-character simple lowercase.
pub(crate) fn go_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(a), None) => a,
                _ => c,
            }
        })
        .collect()
}

/// The parts of an instruction read from its logical line.
pub(crate) struct Parsed {
    pub kind: InstructionKind,
    /// Keyword range in the logical text.
    pub keyword: Span,
    pub flags: Vec<Flag>,
    pub flags_end: Option<Span>,
    pub args: Args,
    pub args_range: Span,
}

/// Reads one instruction: BuildKit's `splitCommand` + `extractBuilderFlags` + dispatch.
pub(crate) fn parse_instruction(
    line: &LogicalLine,
    escape: u8,
    errors: &mut Vec<ParseError>,
) -> Parsed {
    parse_nested(line, escape, errors, 0)
}

fn parse_nested(
    line: &LogicalLine,
    escape: u8,
    errors: &mut Vec<ParseError>,
    depth: u32,
) -> Parsed {
    let text = line.text.as_str();
    let b = text.as_bytes();
    let trimmed = super::text::trim_space(text);
    let ts = text.len() - super::text::trim_start_unicode(text).len();
    let te = ts + trimmed.len();
    let mut cmd_end = ts;
    while cmd_end < te && !b.get(cmd_end).is_some_and(|&c| is_split_space(c)) {
        cmd_end += 1;
    }
    let mut rest = cmd_end;
    while rest < te && b.get(rest).is_some_and(|&c| is_split_space(c)) {
        rest += 1;
    }
    let entry = lookup(text.get(ts..cmd_end).unwrap_or(""));
    let mut ctx = Ctx {
        line,
        escape,
        errors,
        instruction: entry.map_or("", |e| e.kind.as_str()),
        depth,
    };
    let (flags, flags_end, args_start) = if rest < te {
        extract_flags(&ctx, rest, te)
    } else {
        (Vec::new(), None, te)
    };
    // Trim the arguments (Go's strings.TrimSpace).
    let arg_text = text.get(args_start..te).unwrap_or("");
    let a_start = args_start + (arg_text.len() - super::text::trim_start_unicode(arg_text).len());
    let a_end = a_start + super::text::trim_space(arg_text).len();
    let arg_str = text.get(a_start..a_end).unwrap_or("");
    let (kind, args) = match entry {
        Some(e) => (e.kind, (e.parse)(&mut ctx, a_start, a_end, arg_str)),
        None => (InstructionKind::Unknown, Args::Unknown),
    };
    Parsed {
        kind,
        keyword: Span::new(ts, cmd_end),
        flags,
        flags_end,
        args,
        args_range: Span::new(a_start, a_end),
    }
}

/// A flag word unquoted as BuildKit's `extractBuilderFlags` does: quotes removed, the escape
/// character escapes the next byte. BuildKit works on bytes; `latin1` reproduces how it turns
/// each byte into a character (non-ASCII bytes become U+0080..U+00FF), for the exact dump.
pub(crate) fn unquote_flag(raw: &[u8], escape: u8) -> (Vec<u8>, Option<usize>) {
    let mut out = Vec::with_capacity(raw.len());
    let mut eq_at = None;
    let mut quote = 0u8;
    let mut i = 0;
    while i < raw.len() {
        let mut c = raw.get(i).copied().unwrap_or(0);
        if quote == 0 && (c == b'\'' || c == b'"') {
            quote = c;
            i += 1;
            continue;
        }
        if quote != 0 && c == quote {
            quote = 0;
            i += 1;
            continue;
        }
        if c == escape {
            if i + 1 == raw.len() {
                break;
            }
            i += 1;
            c = raw.get(i).copied().unwrap_or(0);
        }
        if c == b'=' && eq_at.is_none() {
            eq_at = Some(i);
        }
        out.push(c);
        i += 1;
    }
    (out, eq_at)
}

/// Leading `--flags`: returns them, the bare `--` if one ended them, and where the arguments
/// start. Works on bytes like BuildKit (ASCII spaces end a word).
fn extract_flags(ctx: &Ctx<'_>, start: usize, end: usize) -> (Vec<Flag>, Option<Span>, usize) {
    let b = ctx.line.text.as_bytes();
    let mut flags = Vec::new();
    let mut pos = start;
    loop {
        while pos < end && b.get(pos).is_some_and(|&c| is_ascii_space(c)) {
            pos += 1;
        }
        if pos >= end {
            return (flags, None, end);
        }
        if b.get(pos) != Some(&b'-') || pos + 1 >= end || b.get(pos + 1) != Some(&b'-') {
            return (flags, None, pos);
        }
        // Scan one word, honouring quotes and escapes.
        let wstart = pos;
        let mut quote = 0u8;
        while pos < end {
            let c = b.get(pos).copied().unwrap_or(0);
            if quote == 0 {
                if is_ascii_space(c) {
                    break;
                }
                if c == b'\'' || c == b'"' {
                    quote = c;
                } else if c == ctx.escape {
                    pos += 1;
                }
            } else if c == quote {
                quote = 0;
            } else if c == ctx.escape {
                pos += 1;
            }
            pos += 1;
        }
        let wend = pos.min(end);
        let raw = b.get(wstart..wend).unwrap_or(&[]);
        let (value, eq_at) = unquote_flag(raw, ctx.escape);
        if value == b"--" {
            let span = ctx.span(wstart, wend);
            if wend >= end {
                return (flags, Some(span), end);
            }
            return (flags, Some(span), wend);
        }
        let word = String::from_utf8_lossy(&value).into_owned();
        let body = word.get(2..).unwrap_or("");
        let (name, val) = match body.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (body.to_string(), None),
        };
        let name_end = eq_at.map_or(wend, |e| wstart + e);
        flags.push(Flag {
            name,
            value: val,
            span: ctx.span(wstart, wend),
            name_span: ctx.span((wstart + 2).min(name_end), name_end),
            value_span: eq_at.map(|e| ctx.span(wstart + e + 1, wend)),
            logical: Span::new(wstart, wend),
        });
    }
}

fn parse_string(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    if rest.is_empty() {
        return Args::Empty;
    }
    Args::Text(Text {
        logical: Span::new(start, end),
        span: ctx.span(start, end),
    })
}

/// The exec form when the text is a JSON array (for one with non-strings, an error and the
/// strings it has); `None` when it is not JSON.
fn json_or(ctx: &mut Ctx<'_>, start: usize, end: usize) -> Option<Args> {
    let items = match json::parse_array(&ctx.line.text, start, end) {
        Ok(items) => items,
        Err(JsonError::NotStrings(items)) => {
            ctx.error(
                start,
                end,
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            );
            items
        }
        Err(JsonError::Invalid) => return None,
    };
    Some(Args::Exec(
        items
            .into_iter()
            .map(|j| ctx.word(j.start, j.end, j.value))
            .collect(),
    ))
}

fn parse_maybe_json(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    if rest.is_empty() {
        return Args::Empty;
    }
    json_or(ctx, start, end).unwrap_or_else(|| {
        Args::Text(Text {
            logical: Span::new(start, end),
            span: ctx.span(start, end),
        })
    })
}

fn parse_maybe_json_to_list(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    json_or(ctx, start, end).unwrap_or_else(|| parse_whitespace_words(ctx, start, end, rest))
}

/// Words split on runs of `[\t\v\f\r ]` (BuildKit's `parseStringsWhitespaceDelimited`).
fn parse_whitespace_words(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    if rest.is_empty() {
        return Args::Empty;
    }
    let b = rest.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        let ws = i;
        while i < b.len() && !b.get(i).is_some_and(|&c| is_split_space(c)) {
            i += 1;
        }
        words.push(ctx.raw_word(start + ws, start + i));
        if i >= b.len() {
            break;
        }
        while i < b.len() && b.get(i).is_some_and(|&c| is_split_space(c)) {
            i += 1;
        }
        if i >= b.len() {
            // A trailing separator gives a last empty word, as Go's regexp Split does.
            words.push(ctx.raw_word(start + i, start + i));
            break;
        }
    }
    debug_assert!(start + b.len() == end);
    Args::Words(words)
}

/// BuildKit's `parseWords`: words separated by Unicode space, quotes and escapes kept in the
/// word. Each word is its source text, except that an escape character that is the last
/// character of the input is dropped.
pub(crate) fn parse_words(rest: &str, escape: u8) -> Vec<(usize, usize, String)> {
    let b = rest.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // Skip spaces (ASCII fast path, Unicode otherwise).
        let c = b.get(i).copied().unwrap_or(0);
        if c.is_ascii() {
            if is_ascii_space(c) {
                i += 1;
                continue;
            }
        } else if let Some(ch) = rest.get(i..).and_then(|r| r.chars().next())
            && ch.is_whitespace()
        {
            i += ch.len_utf8();
            continue;
        }
        let start = i;
        let mut quote = 0u8;
        let mut end = b.len();
        let mut value_end = b.len();
        while i < b.len() {
            let c = b.get(i).copied().unwrap_or(0);
            if quote == 0 {
                if c.is_ascii() {
                    if is_ascii_space(c) {
                        end = i;
                        value_end = i;
                        break;
                    }
                } else if let Some(ch) = rest.get(i..).and_then(|r| r.chars().next()) {
                    if ch.is_whitespace() {
                        end = i;
                        value_end = i;
                        break;
                    }
                    i += ch.len_utf8();
                    continue;
                }
                if c == b'\'' || c == b'"' {
                    quote = c;
                } else if c == escape {
                    if i + 1 == b.len() {
                        value_end = i;
                        i += 1;
                        break;
                    }
                    i += 1;
                    i += utf8_len(b.get(i).copied().unwrap_or(0));
                    continue;
                }
                i += 1;
            } else {
                if c == quote {
                    quote = 0;
                } else if c == escape && quote != b'\'' {
                    if i + 1 == b.len() {
                        value_end = i;
                        i += 1;
                        break;
                    }
                    i += 1;
                    i += utf8_len(b.get(i).copied().unwrap_or(0));
                    continue;
                }
                i += utf8_len(c);
            }
        }
        let end = end.min(b.len());
        let value = rest.get(start..value_end.min(end)).unwrap_or("");
        // A word that was only a dropped escape is not a word (unless quoted, which cannot
        // be empty).
        if !value.is_empty() {
            words.push((start, end, value.to_string()));
        }
        i = i.max(end);
    }
    words
}

/// Length of the UTF-8 sequence starting with byte `b` (1 for continuation bytes, so a scan
/// always advances).
#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

fn parse_name_or_name_val(ctx: &mut Ctx<'_>, start: usize, _end: usize, rest: &str) -> Args {
    let words = parse_words(rest, ctx.escape);
    if words.is_empty() {
        return Args::Empty;
    }
    Args::Words(
        words
            .into_iter()
            .map(|(s, e, w)| ctx.word(start + s, start + e, w))
            .collect(),
    )
}

fn parse_name_val(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    let words = parse_words(rest, ctx.escape);
    let Some(first) = words.first() else {
        return Args::Empty;
    };
    let key_name = ctx.instruction;
    if !first.2.contains('=') {
        // Legacy `KEY name value`: split once on whitespace.
        let b = rest.as_bytes();
        let Some(sp) = b.iter().position(|&c| is_split_space(c)) else {
            ctx.error(start, end, format!("{key_name} must have two arguments"));
            return Args::Pairs(Vec::new());
        };
        let mut vs = sp;
        while b.get(vs).is_some_and(|&c| is_split_space(c)) {
            vs += 1;
        }
        let key = ctx.raw_word(start, start + sp);
        let value = ctx.raw_word(start + vs, end);
        return Args::Pairs(vec![KeyValue {
            key,
            value,
            legacy: true,
            span: ctx.span(start, end),
        }]);
    }
    let mut pairs = Vec::with_capacity(words.len());
    for (s, e, w) in words {
        let Some(eq) = w.find('=') else {
            ctx.error(
                start + s,
                start + e,
                format!(
                    "Syntax error - can't find = in {}. Must be of the form: name=value",
                    go_quote(&w)
                ),
            );
            continue;
        };
        let ws = start + s;
        let key = ctx.word(ws, ws + eq, w.get(..eq).unwrap_or("").to_string());
        let value = ctx.word(
            ws + eq + 1,
            start + e,
            w.get(eq + 1..).unwrap_or("").to_string(),
        );
        pairs.push(KeyValue {
            key,
            value,
            legacy: false,
            span: ctx.span(ws, start + e),
        });
    }
    Args::Pairs(pairs)
}

fn parse_health(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    let b = rest.as_bytes();
    let sep = b.iter().position(|&c| is_ascii_space(c)).unwrap_or(b.len());
    if sep == 0 {
        return Args::Empty;
    }
    let mut next = sep;
    while b.get(next).is_some_and(|&c| is_ascii_space(c)) {
        next += 1;
    }
    let kind = ctx.raw_word(start, start + sep);
    let cmd_rest = rest.get(next..).unwrap_or("");
    let cmd = parse_maybe_json(ctx, start + next, end, cmd_rest);
    Args::Healthcheck {
        kind,
        cmd: Box::new(cmd),
    }
}

fn parse_sub_command(ctx: &mut Ctx<'_>, start: usize, end: usize, rest: &str) -> Args {
    if rest.is_empty() {
        return Args::Empty;
    }
    let sub = sub_line(ctx.line, start, end);
    if ctx.depth >= MAX_ONBUILD_DEPTH {
        ctx.error(
            start,
            end,
            "ONBUILD nested too deeply (chaining ONBUILD is not allowed)".to_string(),
        );
        return Args::Unknown;
    }
    let inner = parse_nested(&sub, ctx.escape, ctx.errors, ctx.depth + 1);
    Args::Onbuild(Box::new(super::instruction_from(
        sub,
        inner,
        InstructionContext::default(),
    )))
}

/// Positions of an instruction that its logical line alone does not know.
#[derive(Default)]
pub(crate) struct InstructionContext {
    pub start_line: u32,
    pub end_line: u32,
    /// Source end of the instruction (after heredocs); 0 = end of its logical line.
    pub source_end: usize,
}

/// The part `start..end` of a logical line, as a logical line of its own.
pub(crate) fn sub_line(line: &LogicalLine, start: usize, end: usize) -> LogicalLine {
    let text = line.text.get(start..end).unwrap_or("").to_string();
    let mut segments = Vec::new();
    for (i, seg) in line.segments.iter().enumerate() {
        let seg_end = line
            .segments
            .get(i + 1)
            .map_or(line.text.len(), |n| n.logical as usize);
        let a = start.max(seg.logical as usize);
        let b = end.min(seg_end);
        if a < b {
            segments.push(Segment {
                logical: (a - start) as u32,
                source: seg.source + (a as u32 - seg.logical),
            });
        }
    }
    LogicalLine { text, segments }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        parse_words(s, b'\\').into_iter().map(|w| w.2).collect()
    }

    #[test]
    fn parse_words_keeps_quotes_and_escapes() {
        assert_eq!(
            words("a=b c=\"d e\" f='g h'"),
            ["a=b", "c=\"d e\"", "f='g h'"]
        );
        assert_eq!(words("a\\ b c"), ["a\\ b", "c"]);
        assert_eq!(words("a \\"), ["a"]);
        assert_eq!(words("\"a\\"), ["\"a"]);
        assert_eq!(words("'a\\' b"), ["'a\\'", "b"]);
        assert_eq!(words("x\u{a0}y\u{2003} z"), ["x", "y", "z"]);
        assert_eq!(words("é=ü  \t"), ["é=ü"]);
        let spans = parse_words("ab  \"c d\"", b'\\');
        assert_eq!((spans[1].0, spans[1].1), (4, 9));
    }

    #[test]
    fn flags_unquote_like_buildkit() {
        assert_eq!(unquote_flag(b"--a=\"b\"c'd'", b'\\').0, b"--a=bcd");
        assert_eq!(unquote_flag(b"--chmod=7\\ 55", b'\\').0, b"--chmod=7 55");
        assert_eq!(
            unquote_flag(b"--x=a`\"b", b'`'),
            (b"--x=a\"b".to_vec(), Some(3))
        );
    }
}

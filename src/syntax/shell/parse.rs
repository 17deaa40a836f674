//! The tokenizer: one pass over the bytes, recursion only for nesting (bounded by `MAX_DEPTH`).

use std::borrow::Cow;

use super::{Command, Context, MAX_DEPTH, Op, Redirect, Script, ShellError, Word};
use crate::source::Span;

/// Reserved words that open or continue a compound command: the command follows them.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "esac",
];

/// Redirection operators, longest first.
const REDIRS: &[&str] = &[
    "&>>", "<<<", "<<-", "&>", ">>", ">&", "<&", "<>", ">|", "<<", ">", "<",
];

pub(super) fn parse_script(text: &str, base: usize) -> Script<'_> {
    let (mut commands, errors) = run(text, base, 0);
    commands.sort_by_key(|c| c.span.start);
    Script {
        text,
        base,
        commands,
        errors,
    }
}

/// Parse a script found inside a command (`sh -c '…'`), its commands `depth` levels down.
pub(super) fn parse_nested(text: &str, base: usize, depth: u16) -> Vec<Command<'_>> {
    run(text, base, depth).0
}

fn run(text: &str, base: usize, depth: u16) -> (Vec<Command<'_>>, Vec<ShellError>) {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
        end: text.len(),
        base,
        out: Vec::new(),
        errors: Vec::new(),
        pending: Vec::new(),
    };
    p.parse_list(Context::TopLevel, depth, false);
    let mut commands = p.out;
    super::command::expand_nested(text, base, &mut commands);
    (commands, p.errors)
}

struct PendingHeredoc {
    delim: String,
    strip_tabs: bool,
    /// File offset of the `<<` redirect, to find it again once its command is finished.
    redir_start: u32,
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Parsing stops here (the closing backtick of a `` `…` `` being parsed).
    end: usize,
    base: usize,
    out: Vec<Command<'a>>,
    errors: Vec<ShellError>,
    pending: Vec<PendingHeredoc>,
}

/// A command being assembled.
struct Building<'a> {
    assignments: Vec<Word<'a>>,
    words: Vec<Word<'a>>,
    redirects: Vec<Redirect<'a>>,
    op_before: Option<Op>,
    /// Inside `[[ … ]]`, where `&&`, `<`, `(` are words.
    dbracket: bool,
}

impl Building<'_> {
    fn new(op_before: Option<Op>) -> Self {
        Building {
            assignments: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
            op_before,
            dbracket: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.assignments.is_empty() && self.words.is_empty() && self.redirects.is_empty()
    }
}

/// Case-statement state of one list.
#[derive(Clone, Copy, PartialEq)]
enum CaseState {
    /// `case WORD` read; waiting for `in`.
    Header,
    /// Before a pattern list `a|b)`.
    Pattern,
    /// In an arm's commands.
    Body,
}

/// `for`/`select` header: words up to `;`, newline or `do` are not a command.
fn is_assignment(w: &str) -> bool {
    let b = w.as_bytes();
    let Some(eq) = w.find('=') else { return false };
    let name = &b[..eq];
    let name = name.strip_suffix(b"+").unwrap_or(name);
    let name = match name.iter().position(|&c| c == b'[') {
        Some(i) if name.last() == Some(&b']') => &name[..i],
        Some(_) => return false,
        None => name,
    };
    match name.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        _ => false,
    }
}

#[inline]
fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r'
}

#[inline]
fn is_meta(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// Lazily cooked word value: bytes are copied verbatim unless something is dropped or replaced.
struct Cook {
    buf: Option<String>,
    /// Start of the verbatim run not yet flushed into `buf`.
    lit_from: usize,
}

impl Cook {
    /// Drop `text[from..to]` (a quote, an escape backslash), flushing the verbatim run before it.
    fn drop(&mut self, text: &str, from: usize, to: usize) {
        let buf = self.buf.get_or_insert_with(String::new);
        buf.push_str(text.get(self.lit_from..from).unwrap_or(""));
        self.lit_from = to;
    }

    fn push(&mut self, c: char) {
        self.buf.get_or_insert_with(String::new).push(c);
    }

    fn finish<'a>(self, text: &'a str, start: usize, end: usize) -> Cow<'a, str> {
        match self.buf {
            None => Cow::Borrowed(text.get(start..end).unwrap_or("")),
            Some(mut s) => {
                s.push_str(text.get(self.lit_from..end).unwrap_or(""));
                Cow::Owned(s)
            }
        }
    }
}

impl<'a> Parser<'a> {
    #[inline]
    fn at(&self, i: usize) -> Option<u8> {
        if i < self.end {
            self.b.get(i).copied()
        } else {
            None
        }
    }

    #[inline]
    fn starts_with(&self, i: usize, s: &str) -> bool {
        i + s.len() <= self.end && self.b.get(i..i + s.len()) == Some(s.as_bytes())
    }

    fn span(&self, from: usize, to: usize) -> Span {
        Span::new(self.base + from, self.base + to)
    }

    /// The text of a file span produced by this parser.
    fn raw(&self, span: Span) -> &'a str {
        let (s, e) = (span.start as usize, span.end as usize);
        self.text
            .get(s.saturating_sub(self.base)..e.saturating_sub(self.base))
            .unwrap_or("")
    }

    fn error(&mut self, message: &'static str, from: usize, to: usize) {
        self.errors.push(ShellError {
            message,
            span: self.span(from, to),
        });
    }

    /// Skip blanks and backslash-newline continuations.
    fn skip_blanks(&mut self) {
        while let Some(c) = self.at(self.pos) {
            if is_blank(c) {
                self.pos += 1;
            } else if c == b'\\' && self.at(self.pos + 1) == Some(b'\n') {
                self.pos += 2;
            } else if c == b'\\'
                && self.at(self.pos + 1) == Some(b'\r')
                && self.at(self.pos + 2) == Some(b'\n')
            {
                self.pos += 3;
            } else {
                break;
            }
        }
    }

    fn finish(&mut self, cur: &mut Building<'a>, op_after: Option<Op>, ctx: Context, depth: u16) {
        let next = Building::new(op_after);
        let done = std::mem::replace(cur, next);
        if done.is_empty() {
            // A keyword-only or empty command: its operators join the next command; a newline
            // is the weakest (`a &&<newline>b` is joined by `&&`, `fi && b` too).
            cur.op_before = match op_after {
                Some(op) if op != Op::Newline => Some(op),
                _ => done.op_before.or(op_after),
            };
            return;
        }
        let first = done
            .assignments
            .first()
            .map(|w| w.span)
            .into_iter()
            .chain(done.words.first().map(|w| w.span))
            .chain(done.redirects.first().map(|r| r.span))
            .min_by_key(|s| s.start)
            .unwrap_or_default();
        let last_word = done
            .assignments
            .last()
            .map(|w| w.span)
            .into_iter()
            .chain(done.words.last().map(|w| w.span))
            .chain(
                done.redirects
                    .last()
                    .map(|r| r.target.as_ref().map_or(r.span, |t| t.span)),
            )
            .max_by_key(|s| s.end)
            .unwrap_or_default();
        let mut cmd = Command {
            span: first.cover(last_word),
            assignments: done.assignments,
            words: done.words,
            redirects: done.redirects,
            op_before: done.op_before,
            op_after,
            context: ctx,
            depth,
            start: 0,
        };
        cmd.start = super::command::effective_start(&cmd.words);
        self.out.push(cmd);
    }

    /// Parse a command list until the end (or, with `until_paren`, an unmatched `)`, consumed).
    fn parse_list(&mut self, ctx: Context, depth: u16, until_paren: bool) {
        let mut cur = Building::new(None);
        let mut case_stack: Vec<CaseState> = Vec::new();
        let mut for_header = false;
        let mut paren_depth = 0usize; // flat `( … )` beyond MAX_DEPTH
        loop {
            self.skip_blanks();
            let Some(c) = self.at(self.pos) else {
                self.finish(&mut cur, None, ctx, depth);
                if until_paren {
                    self.error("unterminated `(`", self.pos, self.pos);
                }
                return;
            };
            let start = self.pos;
            match c {
                b'\n' => {
                    self.pos += 1;
                    for_header = false;
                    self.finish(&mut cur, Some(Op::Newline), ctx, depth);
                    self.read_heredoc_bodies();
                }
                b'#' => {
                    let rest = self.b.get(self.pos..self.end).unwrap_or(&[]);
                    self.pos += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                }
                b'&' | b'|' | b';' if !cur.dbracket => {
                    let (op, len) = match (c, self.at(self.pos + 1), self.at(self.pos + 2)) {
                        (b'&', Some(b'&'), _) => (Op::And, 2),
                        (b'&', Some(b'>'), _) => {
                            self.read_redirect(&mut cur, start);
                            continue;
                        }
                        (b'&', _, _) => (Op::Background, 1),
                        (b'|', Some(b'|'), _) => (Op::Or, 2),
                        (b'|', Some(b'&'), _) => (Op::PipeAll, 2),
                        (b'|', _, _) => (Op::Pipe, 1),
                        (b';', Some(b';'), Some(b'&')) => (Op::CaseEnd, 3),
                        (b';', Some(b';' | b'&'), _) => (Op::CaseEnd, 2),
                        _ => (Op::Seq, 1),
                    };
                    self.pos += len;
                    for_header = false;
                    if op == Op::CaseEnd {
                        if let Some(s) = case_stack.last_mut() {
                            *s = CaseState::Pattern;
                        }
                    } else if c == b'|' && case_stack.last() == Some(&CaseState::Pattern) {
                        continue; // `a|b)` pattern alternatives
                    }
                    self.finish(&mut cur, Some(op), ctx, depth);
                }
                b'(' if !cur.dbracket => {
                    if self.at(self.pos + 1) == Some(b'(') && cur.words.is_empty() {
                        // `(( arithmetic ))`: not a command.
                        self.pos = self.skip_balanced(self.pos + 1, b'(', b')');
                        continue;
                    }
                    if !cur.words.is_empty() {
                        // `name() { …; }`: a function definition, not a command.
                        let mut j = self.pos + 1;
                        while self.at(j).is_some_and(is_blank) {
                            j += 1;
                        }
                        if self.at(j) == Some(b')') {
                            self.pos = j + 1;
                            cur = Building::new(cur.op_before);
                            continue;
                        }
                    }
                    if case_stack.last() == Some(&CaseState::Pattern) {
                        self.pos += 1; // optional `(` before a case pattern
                        continue;
                    }
                    self.finish(&mut cur, None, ctx, depth);
                    self.pos += 1;
                    if depth + 1 >= MAX_DEPTH {
                        paren_depth += 1;
                        self.error("nesting too deep: not parsed", start, start + 1);
                    } else {
                        self.parse_list(Context::Subshell, depth + 1, true);
                    }
                }
                b')' if !cur.dbracket => {
                    if case_stack.last() == Some(&CaseState::Pattern) {
                        self.pos += 1;
                        if let Some(s) = case_stack.last_mut() {
                            *s = CaseState::Body;
                        }
                        cur = Building::new(cur.op_before);
                        continue;
                    }
                    if paren_depth > 0 {
                        paren_depth -= 1;
                        self.pos += 1;
                        continue;
                    }
                    if until_paren {
                        self.pos += 1;
                        self.finish(&mut cur, None, ctx, depth);
                        return;
                    }
                    self.error("unmatched `)`", start, start + 1);
                    self.pos += 1;
                    self.finish(&mut cur, None, ctx, depth);
                }
                b'<' | b'>' if !cur.dbracket && self.at(self.pos + 1) != Some(b'(') => {
                    self.read_redirect(&mut cur, start);
                }
                b'0'..=b'9' if self.fd_redirect_len(self.pos).is_some() => {
                    self.read_redirect(&mut cur, start);
                }
                _ => {
                    let Some(word) = self.read_word(depth) else {
                        // Nothing readable (should not happen): step over one byte.
                        self.pos += 1;
                        continue;
                    };
                    if cur.dbracket {
                        if word.is("]]") {
                            cur.dbracket = false;
                        }
                        cur.words.push(word);
                        continue;
                    }
                    let at_start = cur.words.is_empty();
                    if at_start {
                        let v: &str = if word.quoted { "" } else { &word.value };
                        // Case statements: header, patterns, arms.
                        match case_stack.last().copied() {
                            Some(CaseState::Header) => {
                                if v == "in"
                                    && let Some(s) = case_stack.last_mut()
                                {
                                    *s = CaseState::Pattern;
                                }
                                continue;
                            }
                            Some(CaseState::Pattern) => {
                                if v == "esac" {
                                    case_stack.pop();
                                    cur = Building::new(cur.op_before);
                                }
                                continue;
                            }
                            _ => {}
                        }
                        if for_header {
                            if v == "do" {
                                for_header = false;
                            }
                            continue;
                        }
                        if !word.quoted && cur.assignments.is_empty() && cur.redirects.is_empty() {
                            if v == "case" {
                                case_stack.push(CaseState::Header);
                                continue;
                            }
                            if v == "esac" {
                                case_stack.pop();
                                continue;
                            }
                            if v == "for" || v == "select" {
                                for_header = true;
                                continue;
                            }
                            if v == "function" {
                                // `function name { …; }`: skip the name.
                                self.skip_blanks();
                                let _ = self.read_word(depth);
                                continue;
                            }
                            if KEYWORDS.contains(&v) {
                                continue;
                            }
                        }
                        if is_assignment(self.raw(word.span)) {
                            cur.assignments.push(word);
                            continue;
                        }
                    }
                    if at_start && word.is("[[") {
                        cur.dbracket = true;
                    }
                    cur.words.push(word);
                }
            }
        }
    }

    /// `N>` / `N<` style redirection length of the fd digits, if `i` starts one.
    fn fd_redirect_len(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while self.at(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        matches!(self.at(j), Some(b'<' | b'>')).then_some(j - i)
    }

    fn read_redirect(&mut self, cur: &mut Building<'a>, start: usize) {
        let digits = self.fd_redirect_len(self.pos).unwrap_or(0);
        let at = self.pos + digits;
        let op = REDIRS
            .iter()
            .copied()
            .find(|op| self.starts_with(at, op))
            .unwrap_or(">");
        self.pos = at + op.len();
        let op_end = self.pos;
        self.skip_blanks();
        let target = match self.at(self.pos) {
            Some(c) if !is_meta(c) => self.read_word(0),
            Some(b'<' | b'>') if self.at(self.pos + 1) == Some(b'(') => self.read_word(0),
            _ => None,
        };
        let mut heredoc_body = None;
        if op == "<<" || op == "<<-" {
            match &target {
                Some(t) => self.pending.push(PendingHeredoc {
                    delim: t.value.to_string(),
                    strip_tabs: op == "<<-",
                    redir_start: (self.base + start) as u32,
                }),
                None => self.error("heredoc without a delimiter", start, op_end),
            }
            heredoc_body = Some(Span::default());
        }
        cur.redirects.push(Redirect {
            span: self.span(start, op_end),
            op,
            target,
            heredoc_body,
        });
    }

    /// At a newline: skip the bodies of the heredocs opened on the line just ended.
    fn read_heredoc_bodies(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        for h in pending {
            let body_start = self.pos;
            let mut line_start = self.pos;
            let mut body_end = None;
            while line_start < self.end {
                let rest = self.b.get(line_start..self.end).unwrap_or(&[]);
                let nl = memchr::memchr(b'\n', rest).map_or(self.end, |i| line_start + i);
                let mut line = self.text.get(line_start..nl).unwrap_or("");
                line = line.strip_suffix('\r').unwrap_or(line);
                if h.strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                if line == h.delim {
                    body_end = Some(line_start);
                    self.pos = (nl + 1).min(self.end);
                    break;
                }
                line_start = nl + 1;
            }
            let end = match body_end {
                Some(e) => e,
                None => {
                    self.error("unterminated heredoc", body_start, self.end);
                    self.pos = self.end;
                    self.end
                }
            };
            let span = self.span(body_start, end);
            // The command holding this redirect was finished on the line just ended: it is
            // among the last few in `out`.
            if let Some(r) = self
                .out
                .iter_mut()
                .rev()
                .flat_map(|c| c.redirects.iter_mut())
                .find(|r| r.span.start == h.redir_start)
            {
                r.heredoc_body = Some(span);
            }
        }
    }

    /// Skip from `open` (the byte at `i`) to just past its matching `close`, ignoring quoted
    /// text. Flat: no recursion, used for arithmetic and beyond `MAX_DEPTH`.
    fn skip_balanced(&self, i: usize, open: u8, close: u8) -> usize {
        let mut depth = 0usize;
        let mut j = i;
        while let Some(c) = self.at(j) {
            match c {
                b'\\' => j += 1,
                b'\'' => {
                    let rest = self.b.get(j + 1..self.end).unwrap_or(&[]);
                    j += memchr::memchr(b'\'', rest).map_or(rest.len(), |k| k + 1);
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j + 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        self.end
    }

    /// Read one word at `self.pos`. Returns `None` only if no byte could be consumed.
    fn read_word(&mut self, depth: u16) -> Option<Word<'a>> {
        let start = self.pos;
        let text = self.text;
        let mut cook = Cook {
            buf: None,
            lit_from: start,
        };
        let mut has_expansion = false;
        let mut quoted = false;
        let mut i = start;
        while let Some(c) = self.at(i) {
            match c {
                b'\\' => {
                    // A line continuation joins text; one before a blank ends the word (and is
                    // skipped with the blanks), so the word's span stays tight.
                    let cont = match (self.at(i + 1), self.at(i + 2)) {
                        (Some(b'\n'), _) => Some(2),
                        (Some(b'\r'), Some(b'\n')) => Some(3),
                        _ => None,
                    };
                    if let Some(len) = cont {
                        if self.at(i + len).is_none_or(is_meta) {
                            break;
                        }
                        cook.drop(text, i, i + len);
                        i += len;
                        continue;
                    }
                    quoted = true;
                    match self.at(i + 1) {
                        Some(_) => {
                            // Keep the escaped character (whole UTF-8 sequence).
                            cook.drop(text, i, i + 1);
                            i += 1 + utf8_len(self.b, i + 1);
                        }
                        None => {
                            cook.drop(text, i, i + 1);
                            i += 1;
                        }
                    }
                }
                b'\'' => {
                    quoted = true;
                    let rest = self.b.get(i + 1..self.end).unwrap_or(&[]);
                    match memchr::memchr(b'\'', rest) {
                        Some(k) => {
                            cook.drop(text, i, i + 1);
                            cook.drop(text, i + 1 + k, i + 2 + k);
                            i += k + 2;
                        }
                        None => {
                            self.error("unterminated single quote", i, self.end);
                            cook.drop(text, i, i + 1);
                            i = self.end;
                        }
                    }
                }
                b'"' => {
                    quoted = true;
                    cook.drop(text, i, i + 1);
                    i = self.read_double_quoted(i + 1, depth, &mut cook, &mut has_expansion);
                }
                b'$' => {
                    if self.at(i + 1) == Some(b'\'') {
                        quoted = true;
                        i = self.read_ansi_c(i, &mut cook);
                    } else if self.at(i + 1) == Some(b'"') {
                        quoted = true;
                        cook.drop(text, i, i + 2);
                        i = self.read_double_quoted(i + 2, depth, &mut cook, &mut has_expansion);
                    } else {
                        let (next, exp) = self.read_dollar(i, depth);
                        has_expansion |= exp;
                        i = next;
                    }
                }
                b'`' => {
                    has_expansion = true;
                    i = self.read_backtick(i, depth);
                }
                b'<' | b'>' if self.at(i + 1) == Some(b'(') => {
                    // Process substitution.
                    has_expansion = true;
                    i = self.read_subst(i + 2, depth, Context::ProcessSubst);
                }
                b'(' if i > start && self.b.get(i - 1) == Some(&b'=') => {
                    // `arr=( … )` array assignment.
                    i = self.skip_balanced(i, b'(', b')');
                }
                c if is_meta(c) => break,
                _ => {
                    // A run of ordinary bytes.
                    i += 1;
                    while let Some(c) = self.at(i) {
                        if is_meta(c) || matches!(c, b'\\' | b'\'' | b'"' | b'$' | b'`') {
                            break;
                        }
                        i += 1;
                    }
                }
            }
        }
        if i == start {
            return None;
        }
        self.pos = i;
        Some(Word {
            span: self.span(start, i),
            value: cook.finish(text, start, i),
            has_expansion,
            quoted,
        })
    }

    /// From just after an opening `"`; returns the index after the closing one.
    fn read_double_quoted(
        &mut self,
        mut i: usize,
        depth: u16,
        cook: &mut Cook,
        has_expansion: &mut bool,
    ) -> usize {
        let open = i.saturating_sub(1);
        let text = self.text;
        while let Some(c) = self.at(i) {
            match c {
                b'"' => {
                    cook.drop(text, i, i + 1);
                    return i + 1;
                }
                b'\\' => match self.at(i + 1) {
                    Some(b'\n') => {
                        cook.drop(text, i, i + 2);
                        i += 2;
                    }
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        cook.drop(text, i, i + 1);
                        i += 2;
                    }
                    _ => i += 1,
                },
                b'$' => {
                    let (next, exp) = self.read_dollar(i, depth);
                    *has_expansion |= exp;
                    i = next;
                }
                b'`' => {
                    *has_expansion = true;
                    i = self.read_backtick(i, depth);
                }
                _ => {
                    i += 1;
                    while self
                        .at(i)
                        .is_some_and(|c| !matches!(c, b'"' | b'\\' | b'$' | b'`'))
                    {
                        i += 1;
                    }
                }
            }
        }
        self.error("unterminated double quote", open, self.end);
        self.end
    }

    /// `$'…'` at `i`; returns the index after the closing quote.
    fn read_ansi_c(&mut self, i: usize, cook: &mut Cook) -> usize {
        let text = self.text;
        cook.drop(text, i, i + 2);
        let mut j = i + 2;
        while let Some(c) = self.at(j) {
            match c {
                b'\'' => {
                    cook.drop(text, j, j + 1);
                    return j + 1;
                }
                b'\\' => {
                    let Some(e) = self.at(j + 1) else { break };
                    let mut len = 2;
                    let decoded = match e {
                        b'n' => Some('\n'),
                        b't' => Some('\t'),
                        b'r' => Some('\r'),
                        b'a' => Some('\u{7}'),
                        b'b' => Some('\u{8}'),
                        b'e' | b'E' => Some('\u{1b}'),
                        b'f' => Some('\u{c}'),
                        b'v' => Some('\u{b}'),
                        b'\\' | b'\'' | b'"' | b'?' => Some(e as char),
                        b'x' => {
                            let mut v = 0u32;
                            let mut k = 0;
                            while k < 2 {
                                match self.at(j + 2 + k).and_then(|h| (h as char).to_digit(16)) {
                                    Some(d) => v = v * 16 + d,
                                    None => break,
                                }
                                k += 1;
                            }
                            len += k;
                            if k == 0 { None } else { char::from_u32(v) }
                        }
                        b'0'..=b'7' => {
                            let mut v = 0u32;
                            let mut k = 0;
                            while k < 3 {
                                match self.at(j + 1 + k).filter(|h| (b'0'..=b'7').contains(h)) {
                                    Some(d) => v = v * 8 + u32::from(d - b'0'),
                                    None => break,
                                }
                                k += 1;
                            }
                            len = 1 + k;
                            char::from_u32(v)
                        }
                        _ => None,
                    };
                    match decoded {
                        Some(ch) => {
                            cook.drop(text, j, j + len);
                            cook.push(ch);
                            j += len;
                        }
                        None => j += 1 + utf8_len(self.b, j + 1),
                    }
                }
                _ => j += 1,
            }
        }
        self.error("unterminated $'…' string", i, self.end);
        self.end
    }

    /// `$…` at `i`: a parameter, `${…}`, `$(…)` or `$((…))`. Returns (next index, whether it
    /// was an expansion).
    fn read_dollar(&mut self, i: usize, depth: u16) -> (usize, bool) {
        match self.at(i + 1) {
            Some(b'{') => {
                // `${ … }` with nested `${`, quotes skipped.
                let mut d = 0usize;
                let mut j = i + 1;
                while let Some(c) = self.at(j) {
                    match c {
                        b'\\' => j += 1,
                        b'{' => d += 1,
                        b'}' => {
                            d = d.saturating_sub(1);
                            if d == 0 {
                                return (j + 1, true);
                            }
                        }
                        b'\'' => {
                            let rest = self.b.get(j + 1..self.end).unwrap_or(&[]);
                            j += memchr::memchr(b'\'', rest).map_or(rest.len(), |k| k + 1);
                        }
                        _ => {}
                    }
                    j += 1;
                }
                self.error("unterminated ${…}", i, self.end);
                (self.end, true)
            }
            Some(b'(') => {
                if self.at(i + 2) == Some(b'(') {
                    return (self.skip_balanced(i + 1, b'(', b')'), true);
                }
                (self.read_subst(i + 2, depth, Context::CommandSubst), true)
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i + 2;
                while self
                    .at(j)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    j += 1;
                }
                (j, true)
            }
            Some(c) if c.is_ascii_digit() || b"@*#?-$!".contains(&c) => (i + 2, true),
            _ => (i + 1, false),
        }
    }

    /// From just after `$(` / `<(`: parse the commands inside; returns the index after `)`.
    fn read_subst(&mut self, from: usize, depth: u16, ctx: Context) -> usize {
        if depth + 1 >= MAX_DEPTH {
            self.error("nesting too deep: not parsed", from.saturating_sub(2), from);
            return self.skip_balanced(from.saturating_sub(1), b'(', b')');
        }
        let save = self.pos;
        let pending = std::mem::take(&mut self.pending);
        self.pos = from;
        self.parse_list(ctx, depth + 1, true);
        let next = self.pos;
        self.pending = pending;
        self.pos = save;
        next
    }

    /// `` `…` `` at `i`: parse the inside; returns the index after the closing backtick.
    fn read_backtick(&mut self, i: usize, depth: u16) -> usize {
        let mut j = i + 1;
        let close = loop {
            match self.at(j) {
                None => break None,
                Some(b'\\') => j += 2,
                Some(b'`') => break Some(j),
                Some(_) => j += 1,
            }
        };
        let Some(close) = close else {
            self.error("unterminated backtick", i, self.end);
            return self.end;
        };
        if depth + 1 < MAX_DEPTH {
            let (save_pos, save_end) = (self.pos, self.end);
            let pending = std::mem::take(&mut self.pending);
            self.pos = i + 1;
            self.end = close;
            self.parse_list(Context::Backtick, depth + 1, false);
            self.pending = pending;
            self.pos = save_pos;
            self.end = save_end;
        }
        close + 1
    }
}

fn utf8_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        None => 0,
        Some(&c) if c < 0x80 => 1,
        Some(&c) if c >= 0xF0 => 4,
        Some(&c) if c >= 0xE0 => 3,
        Some(_) => 2,
    }
}

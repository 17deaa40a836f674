//! A YAML reader for the subset of YAML compose files are written in: the fast path of
//! [`super::yaml::parse`].
//!
//! Why it exists: speed. saphyr-parser, measured on the compose corpus, spends about 250
//! instructions per byte (its scanner builds a `String` char by char for every scalar and token),
//! which alone caps loading near 28 MB/s. This reader works on bytes, borrows scalars from the
//! text when they need no unescaping or folding, and feeds the same [`Builder`] as the saphyr
//! path, so it yields the same [`Yaml`] tree: nodes, spans, values, styles, tags, anchors,
//! aliases and duplicate-key errors.
//!
//! saphyr-parser stays the reference and the fallback: for anything this reader is not sure of
//! (directives, `?` keys, tabs outside scalars, multi-line constructs it does not model, unknown
//! anchors, any error at all) [`parse`] returns `None` and [`super::yaml::parse`] uses saphyr, so
//! messages for bad YAML are exactly saphyr's. The differential tests hold the two to the same
//! trees.

use std::borrow::Cow;

use super::yaml::{Builder, Ev, ScalarStyle, Yaml, YamlErrorKind};
use crate::source::Span;

/// Deepest nesting this reader follows (below the builder's own limit, which it leaves to saphyr).
const MAX_NEST: usize = 128;

/// Longest implicit key YAML allows.
const MAX_KEY: usize = 1024;

/// `Some(tree)` when the input is in the subset this reader is sure of, else `None`.
pub fn parse(text: &str) -> Option<Yaml> {
    if !plain_input(text) {
        return None;
    }
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        pos: 0,
        builder: Builder::new(text),
        anchors: Vec::new(),
        next_aid: 1,
        depth: 0,
        line: 0,
    };
    r.stream()?;
    let yaml = r.builder.finish();
    // Errors other than duplicate keys (alias budget, recursion) are left to the reference path.
    if yaml
        .errors
        .iter()
        .any(|e| e.kind != YamlErrorKind::DuplicateKey)
    {
        return None;
    }
    Some(yaml)
}

/// Whether the text has no byte this reader leaves to saphyr: CR, control characters, and
/// non-ASCII characters YAML treats specially (BOM, NEL, C1 controls, line separators).
fn plain_input(text: &str) -> bool {
    // Branch-free over blocks so it vectorizes: this runs over every byte of every file.
    let bad = |c: u8| (c < 0x20 && c != b'\n' && c != b'\t') | (c == 0x7f);
    let clean = text
        .as_bytes()
        .chunks(64)
        .all(|block| !block.iter().fold(false, |acc, &c| acc | bad(c)));
    if !clean {
        return false;
    }
    text.is_ascii()
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
            )
        })
}

type R<T> = Option<T>;

/// What one line of a block plain scalar turned out to be.
enum Line {
    /// The text ends here; a comment follows if set.
    Scalar(usize, bool),
    /// A `key:` line: the colon's position.
    Key(usize),
}

/// A node's `&anchor` and `!tag`, as the builder wants them.
#[derive(Default)]
struct Props<'a> {
    anchor: Option<(&'a str, Span)>,
    tag: Option<Box<str>>,
    /// Just past the last property.
    end: usize,
}

impl Props<'_> {
    fn is_empty(&self) -> bool {
        self.anchor.is_none() && self.tag.is_none()
    }
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    builder: Builder,
    /// Anchor names defined so far in this document and their ids (the latest wins).
    anchors: Vec<(&'a str, usize)>,
    next_aid: usize,
    depth: usize,
    /// Start of the line [`Self::next_line`] last moved to.
    line: usize,
}

/// Bytes that end a token: space, newline, end of input.
fn is_break_or_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | 0)
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// Characters this reader accepts in anchor and alias names (saphyr accepts more; those go to it).
fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

impl<'a> Reader<'a> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.at(self.pos)
    }

    fn str(&self, s: usize, e: usize) -> R<&'a str> {
        self.text.get(s..e)
    }

    /// The column of `pos`, which is on the line [`Self::next_line`] last moved to (nodes
    /// whose column matters start there).
    fn column(&self, pos: usize) -> usize {
        let slow = || memchr::memrchr(b'\n', self.b.get(..pos).unwrap_or(&[])).map_or(0, |i| i + 1);
        if self.line <= pos {
            // Tests run debug builds: they check the line is tracked right.
            debug_assert_eq!(self.line, slow(), "line start tracked wrong at {pos}");
            return pos - self.line;
        }
        pos - slow()
    }

    /// `---` or `...` at the start of a line, followed by a space, a newline or the end.
    fn at_marker(&self, pos: usize) -> bool {
        let three = self.b.get(pos..pos + 3);
        (three == Some(b"---".as_slice()) || three == Some(b"...".as_slice()))
            && matches!(self.at(pos + 3), b' ' | b'\t' | b'\n' | 0)
            && (pos == 0 || self.at(pos - 1) == b'\n')
    }

    /// Skips spaces and a comment to the end of the line. `Some(true)` when the line is done
    /// (at a newline or the end), `Some(false)` when more content follows on it.
    #[inline]
    fn rest_of_line(&mut self) -> R<bool> {
        while self.cur() == b' ' {
            self.pos += 1;
        }
        match self.cur() {
            b'\t' => None,
            b'\n' | 0 => Some(true),
            b'#' if self.pos == 0 || matches!(self.at(self.pos - 1), b' ' | b'\n') => {
                let end = memchr::memchr(b'\n', self.b.get(self.pos..)?)
                    .map_or(self.b.len(), |i| self.pos + i);
                self.pos = end;
                Some(true)
            }
            b'#' => None,
            _ => Some(false),
        }
    }

    /// From the end of a line, skips blank and comment lines. Leaves `pos` at the next content
    /// and returns its column, or -1 at the end of input or a document marker.
    fn next_line(&mut self) -> R<isize> {
        loop {
            match self.cur() {
                0 => return Some(-1),
                b'\n' => self.pos += 1,
                _ => {}
            }
            let line = self.pos;
            self.line = line;
            while self.cur() == b' ' {
                self.pos += 1;
            }
            match self.cur() {
                b'\t' => return None,
                b'\n' => continue,
                0 => return Some(-1),
                b'#' => {
                    self.rest_of_line()?;
                    continue;
                }
                _ => {}
            }
            if self.pos == line && self.at_marker(line) {
                return Some(-1);
            }
            if self.pos == line && self.cur() == b'%' {
                return None;
            }
            return Some((self.pos - line) as isize);
        }
    }

    fn emit(&mut self, ev: Ev<'a>) {
        self.builder.event(ev);
    }

    fn stream(&mut self) -> R<()> {
        let mut next = self.next_line()?;
        loop {
            if self.cur() == 0 {
                return Some(());
            }
            if self.at_marker(self.pos) && self.cur() == b'.' {
                // A document end with no document open: nothing to close.
                self.pos += 3;
                if !self.rest_of_line()? {
                    return None;
                }
                next = self.next_line()?;
                continue;
            }
            let explicit = self.at_marker(self.pos);
            self.anchors.clear();
            if explicit {
                self.emit(Ev::DocStart(self.pos));
                self.pos += 3;
                if !self.rest_of_line()? {
                    return None;
                }
                next = self.next_line()?;
                if next < 0 {
                    // An empty document: a null scalar over the next token (a marker) or at the end.
                    let at = self.pos;
                    let end = if self.cur() == 0 { at } else { at + 3 };
                    self.scalar(
                        Cow::Borrowed(""),
                        ScalarStyle::Plain,
                        Props::default(),
                        at,
                        end,
                    );
                } else {
                    next = self.node(-1, true)?;
                }
            } else {
                if next < 0 {
                    return None;
                }
                self.emit(Ev::DocStart(self.pos));
                next = self.node(-1, true)?;
            }
            if next >= 0 {
                return None;
            }
            if self.cur() == 0 {
                self.emit(Ev::DocEnd(self.b.len()));
                return Some(());
            }
            self.emit(Ev::DocEnd(self.pos));
            if self.cur() == b'.' {
                self.pos += 3;
                if !self.rest_of_line()? {
                    return None;
                }
                next = self.next_line()?;
            }
        }
    }

    fn scalar(
        &mut self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        props: Props<'a>,
        start: usize,
        end: usize,
    ) {
        let aid = self.define(props.anchor);
        // The saphyr path ends a plain scalar's span before Unicode white space (NBSP) too.
        let mut end = end;
        if style == ScalarStyle::Plain && end > start && self.at(end - 1) >= 0x80 {
            end = start + self.text.get(start..end).map_or(0, |t| t.trim_end().len());
        }
        self.builder.scalar(
            &value,
            style,
            aid,
            props.tag,
            props.anchor.map(|(n, s)| (n.into(), s)),
            Span::new(start, end.max(start)),
        );
    }

    fn define(&mut self, anchor: Option<(&'a str, Span)>) -> usize {
        let Some((name, _)) = anchor else { return 0 };
        let aid = self.next_aid;
        self.next_aid += 1;
        self.anchors.push((name, aid));
        aid
    }

    /// Reads `&anchor` and `!tag` properties at `pos`, each followed by a space or line end.
    #[inline]
    fn props(&mut self, flow: bool) -> R<Props<'a>> {
        // Most nodes have none.
        if !matches!(self.cur(), b'&' | b'!') {
            return Some(Props::default());
        }
        self.props_slow(flow)
    }

    #[inline(never)]
    fn props_slow(&mut self, flow: bool) -> R<Props<'a>> {
        let mut p = Props::default();
        loop {
            let c = self.cur();
            if c != b'&' && c != b'!' {
                return Some(p);
            }
            let start = self.pos;
            let mut i = start + 1;
            if c == b'!' && self.at(i) == b'!' {
                i += 1;
            }
            let name_start = i;
            while is_name_char(self.at(i)) {
                i += 1;
            }
            let next = self.at(i);
            if i == name_start || !(is_break_or_space(next) || flow && is_flow_indicator(next)) {
                return None;
            }
            let name = self.str(name_start, i)?;
            if c == b'&' {
                if p.anchor.is_some() {
                    return None;
                }
                p.anchor = Some((name, Span::new(start, i)));
            } else {
                if p.tag.is_some() {
                    return None;
                }
                // As saphyr-parser displays its tags: `!x` local, `!!x` in the YAML namespace.
                p.tag = Some(if name_start == start + 1 {
                    format!("!{name}").into()
                } else {
                    format!("tag:yaml.org,2002:!{name}").into()
                });
            }
            p.end = i;
            self.pos = i;
            while self.cur() == b' ' {
                self.pos += 1;
            }
        }
    }

    /// Whether `pos` starts a block sequence entry (`-` then a space or line end).
    fn at_entry(&self) -> bool {
        self.cur() == b'-' && is_break_or_space(self.at(self.pos + 1))
    }

    /// Reads a node starting at `pos` (its column is more than `n`). `block` allows a block
    /// collection to start here (not right after `key:`). Returns the column of the content
    /// after the node (see [`Self::next_line`]).
    fn node(&mut self, n: isize, block: bool) -> R<isize> {
        self.depth += 1;
        if self.depth > MAX_NEST {
            return None;
        }
        let r = self.node_inner(n, block);
        self.depth -= 1;
        r
    }

    fn node_inner(&mut self, n: isize, block: bool) -> R<isize> {
        let col = self.column(self.pos) as isize;
        let props = self.props(false)?;
        if !props.is_empty() && self.rest_of_line()? {
            // Properties alone on the line: a block collection below, or an empty scalar.
            let next = self.next_line()?;
            if next > n {
                if self.at_entry() {
                    return self.block_seq(next, props, false);
                }
                if let Some(colon) = self.key_line() {
                    return self.block_map(next, props, colon);
                }
                return None;
            }
            let at = props.end;
            self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, props, at, at);
            return Some(next);
        }
        let col = if props.is_empty() {
            col
        } else {
            self.column(self.pos) as isize
        };
        match self.cur() {
            b'-' if self.at_entry() => {
                if !block || !props.is_empty() {
                    return None;
                }
                self.block_seq(col, props, false)
            }
            b'|' | b'>' => self.block_scalar(n, props),
            b'[' | b'{' => {
                self.flow(props)?;
                if !self.rest_of_line()? {
                    return None;
                }
                self.next_line()
            }
            b'*' => {
                if !props.is_empty() {
                    return None;
                }
                self.alias(false)?;
                if !self.rest_of_line()? {
                    return None;
                }
                self.next_line()
            }
            b'"' | b'\'' => {
                // After `key:` a key here would be an error the scalar reader refuses anyway.
                if block && let Some(colon) = self.key_line() {
                    if !props.is_empty() {
                        return None;
                    }
                    return self.block_map(col, props, colon);
                }
                let (value, style, start, end) = self.quoted()?;
                self.scalar(value, style, props, start, end);
                if !self.rest_of_line()? {
                    return None;
                }
                self.next_line()
            }
            c => {
                if !plain_start(c, self.at(self.pos + 1), false) {
                    return None;
                }
                // One scan tells a `key:` line from a plain scalar.
                match self.plain_line(self.pos)? {
                    Line::Key(colon) => {
                        if !block || !props.is_empty() || colon - self.pos > MAX_KEY {
                            return None;
                        }
                        self.block_map(col, props, colon)
                    }
                    Line::Scalar(end, comment) => self.plain_block(n, props, end, comment),
                }
            }
        }
    }

    /// If the line at `pos` is `key:` (a plain or quoted key on one line, then `:` and a space or
    /// line end), the position of the `:`.
    fn key_line(&self) -> Option<usize> {
        let c = self.cur();
        let mut i = self.pos;
        if c == b'"' || c == b'\'' {
            i += 1;
            loop {
                match self.at(i) {
                    0 | b'\n' => return None,
                    // An escaped line break continues the key on the next line: not one line.
                    b'\\' if c == b'"' && matches!(self.at(i + 1), b'\n' | 0) => return None,
                    b'\\' if c == b'"' => i += 2,
                    q if q == c => {
                        if c == b'\'' && self.at(i + 1) == b'\'' {
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    _ => i += 1,
                }
            }
            while self.at(i) == b' ' {
                i += 1;
            }
            return (self.at(i) == b':' && is_break_or_space(self.at(i + 1))).then_some(i);
        }
        if !plain_start(c, self.at(i + 1), false) {
            return None;
        }
        // A tab in a key is left to saphyr (the plain scalar reader refuses the line then).
        let b = self.b;
        loop {
            let rest = b.get(i..).unwrap_or_default();
            let k = find_any4(rest, b'\n', b'\t', b':', b'#')?;
            i += k;
            match rest.get(k) {
                Some(b':') if matches!(b.get(i + 1), None | Some(b' ' | b'\n')) => return Some(i),
                Some(b'#') if b.get(i.wrapping_sub(1)) != Some(&b' ') => {}
                Some(b':') => {}
                _ => return None,
            }
            i += 1;
        }
    }

    /// Opens a collection at `pos`, defining its anchor.
    fn open(&mut self, seq: bool, props: Props<'a>) {
        let aid = self.define(props.anchor);
        self.builder.open(
            seq,
            aid,
            props.tag,
            props.anchor.map(|(n, s)| (n.into(), s)),
            self.pos,
        );
    }

    /// A block mapping whose first key is at `pos`, its `:` at `colon`.
    fn block_map(&mut self, col: isize, props: Props<'a>, mut colon: usize) -> R<isize> {
        self.open(false, props);
        loop {
            if colon - self.pos > MAX_KEY {
                return None;
            }
            match self.cur() {
                b'"' | b'\'' => {
                    let (value, style, start, end) = self.quoted()?;
                    self.scalar(value, style, Props::default(), start, end);
                }
                _ => {
                    let start = self.pos;
                    let raw = self.str(start, colon)?;
                    let key = raw.trim_end_matches(' ');
                    let end = start + key.len();
                    self.scalar(
                        Cow::Borrowed(key),
                        ScalarStyle::Plain,
                        Props::default(),
                        start,
                        end,
                    );
                }
            }
            self.pos = colon + 1;
            let next = if self.rest_of_line()? {
                let next = self.next_line()?;
                if next > col {
                    self.node(col, true)?
                } else if next == col && self.at_entry() {
                    self.block_seq(col, Props::default(), true)?
                } else {
                    self.scalar(
                        Cow::Borrowed(""),
                        ScalarStyle::Plain,
                        Props::default(),
                        colon,
                        colon,
                    );
                    next
                }
            } else {
                self.node(col, false)?
            };
            if next < col {
                self.builder.end(None);
                return Some(next);
            }
            if next > col || self.at_entry() {
                return None;
            }
            colon = self.key_line()?;
        }
    }

    fn block_seq(&mut self, col: isize, props: Props<'a>, indentless: bool) -> R<isize> {
        self.open(true, props);
        loop {
            self.pos += 1;
            while self.cur() == b' ' {
                self.pos += 1;
            }
            let next = if self.rest_of_line()? {
                // saphyr-parser puts an empty entry at the end of its line (past a comment).
                let after = self.pos;
                let next = self.next_line()?;
                if next > col {
                    self.node(col, true)?
                } else {
                    let props = Props::default();
                    self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, props, after, after);
                    next
                }
            } else {
                self.node(col, true)?
            };
            if next == col && self.at_entry() {
                continue;
            }
            if next < col || (indentless && next == col) {
                self.builder.end(None);
                return Some(next);
            }
            return None;
        }
    }

    fn alias(&mut self, flow: bool) -> R<()> {
        let start = self.pos;
        let mut i = start + 1;
        while is_name_char(self.at(i)) {
            i += 1;
        }
        let next = self.at(i);
        if i == start + 1 || !(is_break_or_space(next) || flow && is_flow_indicator(next)) {
            return None;
        }
        let name = self.str(start + 1, i)?;
        let &(_, aid) = self.anchors.iter().rev().find(|(n, _)| *n == name)?;
        self.emit(Ev::Alias {
            aid,
            name,
            span: Span::new(start, i),
        });
        self.pos = i;
        Some(())
    }

    /// A plain scalar in block context, possibly continued on more-indented lines.
    /// Its first line (from `pos`) ends at `end`, before a comment if `comment`.
    fn plain_block(
        &mut self,
        n: isize,
        props: Props<'a>,
        mut end: usize,
        comment: bool,
    ) -> R<isize> {
        let start = self.pos;
        let mut value: Cow<'a, str> = Cow::Borrowed(self.str(start, end)?);
        self.pos = end;
        if comment {
            self.rest_of_line()?;
            self.scalar(value, ScalarStyle::Plain, props, start, end);
            return self.next_line();
        }
        loop {
            // At the end of a content line: look for a continuation line.
            let save = self.pos;
            while self.cur() == b' ' {
                self.pos += 1;
            }
            let mut empty = 0usize;
            let mut line = self.pos;
            let next = loop {
                match self.cur() {
                    b'\n' => self.pos += 1,
                    _ => break -1,
                }
                line = self.pos;
                while self.cur() == b' ' {
                    self.pos += 1;
                }
                match self.cur() {
                    b'\n' => empty += 1,
                    0 => break -1,
                    b'\t' => return None,
                    _ if self.pos == line && self.at_marker(line) => break -1,
                    _ => break (self.pos - line) as isize,
                }
            };
            if next <= n || self.cur() == b'#' {
                if next >= 0 && !matches!(self.cur(), b'#' | b'%') {
                    // The scalar ends here, and `next_line` would stop at this same content:
                    // stay (saves reading the line's indentation twice).
                    self.scalar(value, ScalarStyle::Plain, props, start, end);
                    self.line = line;
                    return Some(next);
                }
                self.pos = save;
                break;
            }
            let c = self.cur();
            if !plain_start(c, self.at(self.pos + 1), false) || c == b'-' || c == b'?' {
                return None;
            }
            let line_start = self.pos;
            let Line::Scalar(line_end, false) = self.plain_line(line_start)? else {
                return None;
            };
            let s = value.to_mut();
            if empty == 0 {
                s.push(' ');
            } else {
                s.extend(std::iter::repeat_n('\n', empty));
            }
            s.push_str(self.str(line_start, line_end)?);
            end = line_end;
            self.pos = line_end;
        }
        self.scalar(value, ScalarStyle::Plain, props, start, end);
        if !self.rest_of_line()? {
            return None;
        }
        self.next_line()
    }

    /// Reads a block plain scalar's line from `start`: the end of its text (trailing spaces
    /// trimmed) and whether a comment follows, or the `:` that makes it a key. `None` on a tab.
    fn plain_line(&self, start: usize) -> R<Line> {
        let b = self.b;
        let mut i = start;
        let mut end = start;
        loop {
            // A run of ordinary bytes, then one that needs a look.
            let rest = b.get(i..).unwrap_or_default();
            let Some(k) = find_any4(rest, b'\n', b'\t', b' ', b':') else {
                if !rest.is_empty() {
                    end = b.len();
                }
                return Some(Line::Scalar(end, false));
            };
            if k > 0 {
                end = i + k;
            }
            i += k;
            match rest.get(k) {
                Some(b'\t') => return None,
                Some(b' ') => {
                    if b.get(i + 1) == Some(&b'#') {
                        return Some(Line::Scalar(end, true));
                    }
                }
                Some(b':') => {
                    if matches!(b.get(i + 1), None | Some(b' ' | b'\n')) {
                        return Some(Line::Key(i));
                    }
                    end = i + 1;
                }
                _ => return Some(Line::Scalar(end, false)),
            }
            i += 1;
        }
    }

    /// A single- or double-quoted scalar at `pos`, whose continuation lines may start at any
    /// column (as docker compose's reader has it). Returns the value, style and span; leaves
    /// `pos` after the closing quote.
    fn quoted(&mut self) -> R<(Cow<'a, str>, ScalarStyle, usize, usize)> {
        let q = self.cur();
        let double = q == b'"';
        let style = if double {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        let start = self.pos;
        let mut i = start + 1;
        // Fast path: no escape, no doubled quote, no line break.
        let rest = self.b.get(i..)?;
        let hit = if double {
            memchr::memchr3(b'"', b'\\', b'\n', rest)
        } else {
            memchr::memchr2(b'\'', b'\n', rest)
        }?;
        if rest.get(hit) == Some(&q) && (double || rest.get(hit + 1) != Some(&b'\'')) {
            self.pos = i + hit + 1;
            return Some((Cow::Borrowed(self.str(i, i + hit)?), style, start, self.pos));
        }
        let mut out = String::new();
        let mut seg = i;
        loop {
            let c = self.at(i);
            match c {
                0 => return None,
                _ if c == q => {
                    if !double && self.at(i + 1) == b'\'' {
                        out.push_str(self.str(seg, i + 1)?);
                        i += 2;
                        seg = i;
                        continue;
                    }
                    out.push_str(self.str(seg, i)?);
                    self.pos = i + 1;
                    return Some((Cow::Owned(out), style, start, self.pos));
                }
                b'\\' if double => {
                    out.push_str(self.str(seg, i)?);
                    let e = self.at(i + 1);
                    if e == b'\n' {
                        i = self.fold(i + 2, true, &mut out)?;
                        seg = i;
                        continue;
                    }
                    let (ch, len) = match e {
                        b'0' => ('\0', 2),
                        b'a' => ('\x07', 2),
                        b'b' => ('\x08', 2),
                        b't' | b'\t' => ('\t', 2),
                        b'n' => ('\n', 2),
                        b'v' => ('\x0b', 2),
                        b'f' => ('\x0c', 2),
                        b'r' => ('\r', 2),
                        b'e' => ('\x1b', 2),
                        b' ' => (' ', 2),
                        b'"' => ('"', 2),
                        b'/' => ('/', 2),
                        b'\\' => ('\\', 2),
                        b'N' => ('\u{85}', 2),
                        b'_' => ('\u{a0}', 2),
                        b'L' => ('\u{2028}', 2),
                        b'P' => ('\u{2029}', 2),
                        b'x' | b'u' | b'U' => {
                            let digits = match e {
                                b'x' => 2,
                                b'u' => 4,
                                _ => 8,
                            };
                            let hex = self.str(i + 2, i + 2 + digits)?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return None;
                            }
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            (char::from_u32(code)?, 2 + digits)
                        }
                        _ => return None,
                    };
                    out.push(ch);
                    i += len;
                    seg = i;
                }
                b'\n' => {
                    // Blanks before a line break are dropped.
                    let text = self.str(seg, i)?;
                    out.push_str(text.trim_end_matches([' ', '\t']));
                    i = self.fold(i + 1, false, &mut out)?;
                    seg = i;
                }
                _ => i += 1,
            }
        }
    }

    /// Folds the line breaks of a quoted scalar from `i` (just past the first break): one break
    /// reads as a space, each further empty line as a newline; after an escaped break (`\`),
    /// nothing but the empty lines. Returns where the text resumes.
    fn fold(&self, mut i: usize, escaped: bool, out: &mut String) -> R<usize> {
        let mut empty = 0usize;
        loop {
            let line = i;
            if self.at_marker(line) {
                return None;
            }
            while self.at(i) == b' ' {
                i += 1;
            }
            match self.at(i) {
                b'\t' => return None,
                b'\n' => {
                    empty += 1;
                    i += 1;
                }
                0 => return None,
                // A continuation line may start anywhere, as docker compose's reader (go-yaml)
                // has it; the saphyr path pads such lines (`lenient`).
                _ => break,
            }
        }
        if escaped || empty > 0 {
            out.extend(std::iter::repeat_n('\n', empty));
        } else {
            out.push(' ');
        }
        Some(i)
    }

    /// A literal or folded block scalar at its indicator; `n` is the enclosing block's indent.
    fn block_scalar(&mut self, n: isize, props: Props<'a>) -> R<isize> {
        if n < 0 {
            // saphyr-parser starts such a document at the content, not the indicator.
            return None;
        }
        let indicator = self.pos;
        let folded = self.cur() == b'>';
        self.pos += 1;
        let (mut chomp, mut explicit) = (0u8, 0usize);
        for _ in 0..2 {
            match self.cur() {
                c @ (b'+' | b'-') if chomp == 0 => chomp = c,
                c @ b'1'..=b'9' if explicit == 0 => explicit = (c - b'0') as usize,
                _ => break,
            }
            self.pos += 1;
        }
        // (A header at the very end starts saphyr-parser's span elsewhere: not modelled.)
        if !is_break_or_space(self.cur()) || !self.rest_of_line()? || self.cur() == 0 {
            return None;
        }
        let base = n;
        if explicit > 0 {
            // Where saphyr-parser starts such a scalar's span is not modelled here.
            return None;
        }
        let mut indent = 0;
        let mut out = String::new();
        let (mut leading_break, mut leading_blank, mut trailing) = (false, false, 0usize);
        let mut content_start = None;
        // At the newline ending the header (or the end).
        let mut p = if self.cur() == b'\n' {
            self.pos + 1
        } else {
            self.pos
        };
        let term = loop {
            if p >= self.b.len() {
                break self.b.len();
            }
            // A last line of only spaces with no line break: saphyr-parser reads an extra
            // break there that this reader does not model.
            if self
                .b
                .get(p..)
                .is_some_and(|rest| rest.iter().all(|&c| c == b' '))
            {
                return None;
            }
            let mut sp = p;
            while self.at(sp) == b' ' && (indent == 0 || sp - p < indent) {
                sp += 1;
            }
            let ch = self.at(sp);
            if indent == 0 {
                if ch == b'\n' {
                    if sp > p {
                        return None;
                    }
                    trailing += 1;
                    p = sp + 1;
                    continue;
                }
                if ch == 0 {
                    break sp;
                }
                if ch == b'\t' {
                    return None;
                }
                indent = (sp - p).max((base + 1) as usize).max(1);
            }
            if sp - p < indent {
                if ch == b'\n' {
                    trailing += 1;
                    p = sp + 1;
                    continue;
                }
                if ch == 0 {
                    break sp;
                }
                break sp;
            }
            // A content line from `sp` (indent consumed).
            if ch == b'\n' {
                trailing += 1;
                p = sp + 1;
                continue;
            }
            if ch == 0 {
                break sp;
            }
            content_start.get_or_insert(sp);
            let blank = ch == b' ' || ch == b'\t';
            if folded && leading_break && !leading_blank && !blank {
                if trailing == 0 {
                    out.push(' ');
                }
            } else if leading_break {
                out.push('\n');
            }
            out.extend(std::iter::repeat_n('\n', trailing));
            trailing = 0;
            leading_blank = blank;
            let eol = memchr::memchr(b'\n', self.b.get(sp..)?).map_or(self.b.len(), |i| sp + i);
            out.push_str(self.str(sp, eol)?);
            // saphyr-parser reads the end of input as a line break here.
            leading_break = true;
            p = (eol + 1).min(self.b.len());
        };
        if chomp != b'-' && leading_break {
            out.push('\n');
        }
        if chomp == b'+' {
            out.extend(std::iter::repeat_n('\n', trailing));
        }
        // Empty block scalars: where saphyr-parser puts them depends on what follows.
        let content_start = content_start?;
        let start = if props.is_empty() {
            content_start
        } else {
            indicator
        };
        if props.is_empty() && matches!(self.at(start), b'&' | b'!') {
            // The saphyr path reads these as properties of the scalar.
            return None;
        }
        let end = start + self.str(start, term.max(start))?.trim_end().len();
        let style = if folded {
            ScalarStyle::Folded
        } else {
            ScalarStyle::Literal
        };
        self.scalar(Cow::Owned(out), style, props, start, end);
        // Resume at the start of the line that ended the scalar.
        self.pos = if term >= self.b.len() {
            term
        } else {
            memchr::memrchr(b'\n', self.b.get(..term)?).map_or(0, |i| i + 1)
        };
        self.next_line()
    }

    /// A flow collection at `pos` (`[` or `{`), whose lines may start at any column (as docker
    /// compose's reader has it).
    fn flow(&mut self, props: Props<'a>) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_NEST {
            return None;
        }
        let seq = self.cur() == b'[';
        let close = if seq { b']' } else { b'}' };
        self.open(seq, props);
        self.pos += 1;
        self.flow_space()?;
        loop {
            if self.cur() == close {
                self.pos += 1;
                // saphyr-parser's closing token runs over a comment after it on the line.
                let mut end = self.pos;
                let mut i = self.pos;
                while self.at(i) == b' ' {
                    i += 1;
                }
                if i > self.pos && self.at(i) == b'#' {
                    let eol =
                        memchr::memchr(b'\n', self.b.get(i..)?).map_or(self.b.len(), |k| i + k);
                    end = i + self.str(i, eol)?.trim_end().len();
                }
                self.builder.end(Some(end));
                self.depth -= 1;
                return Some(());
            }
            if seq {
                self.flow_node()?;
                self.flow_space()?;
            } else {
                // Keys are scalars; a value is required.
                if !matches!(self.cur(), b'"' | b'\'')
                    && !plain_start(self.cur(), self.at(self.pos + 1), true)
                {
                    return None;
                }
                self.flow_node()?;
                self.flow_space()?;
                if self.cur() != b':' {
                    return None;
                }
                self.pos += 1;
                self.flow_space()?;
                if matches!(self.cur(), b',' | b'}') {
                    return None;
                }
                self.flow_node()?;
                self.flow_space()?;
            }
            match self.cur() {
                b',' => {
                    self.pos += 1;
                    self.flow_space()?;
                    if self.cur() == close {
                        return None;
                    }
                }
                c if c == close => {}
                _ => return None,
            }
        }
    }

    /// Skips spaces, line breaks and comments inside a flow collection.
    fn flow_space(&mut self) -> R<()> {
        loop {
            match self.cur() {
                b' ' => self.pos += 1,
                b'\t' => return None,
                b'#' if matches!(self.at(self.pos.wrapping_sub(1)), b' ' | b'\n') => {
                    self.rest_of_line()?;
                }
                b'\n' => {
                    self.pos += 1;
                    if self.at_marker(self.pos) {
                        return None;
                    }
                }
                _ => return Some(()),
            }
        }
    }

    /// One node inside a flow collection.
    fn flow_node(&mut self) -> R<()> {
        let props = self.props(true)?;
        match self.cur() {
            b'[' | b'{' => self.flow(props),
            b'*' => {
                if !props.is_empty() {
                    return None;
                }
                self.alias(true)
            }
            b'"' | b'\'' => {
                let (value, style, start, end) = self.quoted()?;
                self.scalar(value, style, props, start, end);
                Some(())
            }
            c => {
                if !plain_start(c, self.at(self.pos + 1), true) {
                    return None;
                }
                let start = self.pos;
                let mut i = start;
                let mut end = start;
                loop {
                    match self.at(i) {
                        0 | b'\n' | b',' | b'[' | b']' | b'{' | b'}' => break,
                        b'\t' => return None,
                        // saphyr-parser reads these as the start of another scalar: left to it.
                        b'-' | b'?' if is_flow_indicator(self.at(i + 1)) => return None,
                        b' ' if self.at(i + 1) == b'#' => break,
                        b' ' => {}
                        // saphyr-parser refuses a `:` glued to `[` or `{` after a plain key.
                        b':' if matches!(self.at(i + 1), b'[' | b'{') => return None,
                        b':' if matches!(
                            self.at(i + 1),
                            b' ' | b'\n' | 0 | b',' | b'[' | b']' | b'{' | b'}'
                        ) =>
                        {
                            break;
                        }
                        // Compose's flow scalars are words, ports, paths and flags: anything
                        // else (non-ASCII, `?`, `#`, quotes inside) is left to saphyr-parser,
                        // where fuzzing found the two readers' corner cases differ.
                        c if c.is_ascii_alphanumeric() || b"-_./@=+~%$:;()".contains(&c) => {
                            end = i + 1
                        }
                        _ => return None,
                    }
                    i += 1;
                }
                // A scalar followed by a line break may go on on the next line (saphyr-parser
                // folds it in): only a flow indicator or a comment there ends it for sure.
                let mut j = i;
                while matches!(self.at(j), b' ' | b'\n') {
                    j += 1;
                }
                if self.b.get(i..j).is_some_and(|gap| gap.contains(&b'\n'))
                    && !matches!(self.at(j), b',' | b']' | b'}' | b'#')
                {
                    return None;
                }
                self.pos = end;
                let value = Cow::Borrowed(self.str(start, end)?);
                self.scalar(value, ScalarStyle::Plain, props, start, end);
                Some(())
            }
        }
    }
}

/// Index of the first of four bytes in `s`. Eight bytes at a time (a word compared against each
/// byte at once, no unsafe): scalars and keys are scanned byte by byte otherwise, and most of
/// their bytes are ordinary.
#[inline(always)]
pub(crate) fn find_any4(s: &[u8], a: u8, b: u8, c: u8, d: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // High bit set in each zero byte (and possibly in bytes above one: only the lowest is used).
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let mut i = 0;
    while let Some(chunk) = s.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let v = u64::from_le_bytes(word);
        let m = zero(v ^ (LO * a as u64))
            | zero(v ^ (LO * b as u64))
            | zero(v ^ (LO * c as u64))
            | zero(v ^ (LO * d as u64));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = s.get(i..)?;
    tail.iter()
        .position(|&x| x == a || x == b || x == c || x == d)
        .map(|k| i + k)
}

/// Whether `c` (followed by `next`) may start a plain scalar.
#[inline]
fn plain_start(c: u8, next: u8, flow: bool) -> bool {
    match c {
        0 | b'\n' | b' ' | b'\t' => false,
        b'-' | b'?' | b':' => {
            !(is_break_or_space(next) || next == b'\t' || flow && is_flow_indicator(next))
        }
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    }
}

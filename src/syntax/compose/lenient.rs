//! Indentation as docker compose's YAML reader tolerates it, for the saphyr-parser path.
//!
//! docker compose reads YAML with go-yaml v3, which (like libyaml, whose port it is) ignores
//! indentation inside a flow collection and on the continuation lines of a quoted scalar: it
//! reads
//!
//! ```yaml
//!     healthcheck:
//!       test: [
//!         "CMD", "true"
//!       ]
//! ```
//!
//! (Sentry's `docker-compose.yml`) and a closing `]` at column 0 alike. saphyr-parser follows
//! the YAML specification, which wants those lines indented more than the enclosing block,
//! and refuses the file. Neither indentation changes a value: leading white space of a line
//! inside a flow collection or a quoted scalar is not content. So when saphyr-parser refuses a
//! text, [`pad`] indents the lines of every flow collection and multi-line quoted scalar that
//! start left of their opening bracket or quote, and the text is read again; [`Padded::original`]
//! maps positions in the padded text back to the user's.
//!
//! Finding those regions needs only a small scan of block context (comments, quoted scalars,
//! block scalars, plain scalars, indicators). Where the scan is unsure (a bracket that is never
//! closed), it pads nothing: the padded text is read only after the original was refused, and
//! only used when it reads further than the original did.

/// A text with spaces inserted at the start of some lines.
pub(super) struct Padded {
    pub(super) text: String,
    /// (position in the padded text where inserted spaces start, total spaces inserted up to
    /// and including these), in order.
    inserts: Vec<(usize, usize)>,
}

impl Padded {
    /// The position in the original text of position `p` of the padded text; an inserted
    /// space maps to the original position it was inserted at.
    pub(super) fn original(&self, p: usize) -> usize {
        // The inserts that start at or before `p`.
        let i = self.inserts.partition_point(|&(at, _)| at <= p);
        if i == 0 {
            return p;
        }
        let (at, total) = self.inserts[i - 1];
        let before = if i >= 2 { self.inserts[i - 2].1 } else { 0 };
        let count = total - before;
        if p < at + count {
            // Inside the inserted spaces.
            at - before
        } else {
            p - total
        }
    }
}

/// `text` with under-indented lines of flow collections and quoted scalars indented to their
/// opening column; `None` when no line needs it.
pub(super) fn pad(text: &str) -> Option<Padded> {
    let pads = Scan::new(text.as_bytes()).run();
    if pads.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + pads.iter().map(|p| p.1).sum::<usize>());
    let mut inserts = Vec::with_capacity(pads.len());
    let mut last = 0;
    let mut total = 0;
    for (line, n) in pads {
        out.push_str(text.get(last..line)?);
        let at = out.len();
        out.extend(std::iter::repeat_n(' ', n));
        total += n;
        inserts.push((at, total));
        last = line;
    }
    out.push_str(text.get(last..)?);
    Some(Padded { text: out, inserts })
}

/// Finds the lines to indent: (offset of the line's start, spaces to insert), in order.
struct Scan<'a> {
    b: &'a [u8],
    pads: Vec<(usize, usize)>,
}

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t')
}

impl<'a> Scan<'a> {
    fn new(b: &'a [u8]) -> Scan<'a> {
        Scan {
            b,
            pads: Vec::new(),
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// Where the line holding `i` ends (its `\n`, or the end of the text).
    fn eol(&self, i: usize) -> usize {
        self.b
            .get(i..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
            .map_or(self.b.len(), |k| i + k)
    }

    /// The start of the line holding `i`.
    fn line_start(&self, i: usize) -> usize {
        self.b
            .get(..i)
            .and_then(|head| memchr::memrchr(b'\n', head))
            .map_or(0, |k| k + 1)
    }

    /// Leading spaces of the line starting at `start`.
    fn indent(&self, start: usize) -> usize {
        self.b
            .get(start..)
            .map_or(0, |rest| rest.iter().take_while(|&&c| c == b' ').count())
    }

    fn run(mut self) -> Vec<(usize, usize)> {
        let mut i = 0;
        while i < self.b.len() {
            i = self.block_line(i);
        }
        self.pads
    }

    /// Scans the block-context line starting at `start`; returns where the next line to scan
    /// starts (past any flow collection, quoted scalar or block scalar that began on it).
    fn block_line(&mut self, start: usize) -> usize {
        let indent = self.indent(start);
        let mut j = start + indent;
        let mut token_start = true;
        loop {
            let c = self.at(j);
            match c {
                0 => return self.b.len(),
                b'\n' => return j + 1,
                b' ' | b'\t' => {
                    token_start = true;
                    j += 1;
                }
                b'#' if token_start => return self.eol(j) + 1,
                b':' | b'-' | b'?' if matches!(self.at(j + 1), b' ' | b'\t' | b'\n' | 0) => {
                    token_start = true;
                    j += 1;
                }
                b'"' | b'\'' if token_start => match self.quoted_end(j) {
                    Some(end) => {
                        self.pad_region(j, end);
                        j = end;
                        token_start = false;
                    }
                    None => return self.b.len(),
                },
                b'[' | b'{' if token_start => match self.flow_end(j) {
                    Some(end) => {
                        self.pad_region(j, end);
                        j = end;
                        token_start = false;
                    }
                    // Never closed: not something to pad.
                    None => return self.eol(j) + 1,
                },
                b'|' | b'>' if token_start => {
                    // A header alone on its line (`key:` above it) belongs to the node on the
                    // line before: its content may be indented as little as that node's
                    // indentation plus one, which can be left of the header itself.
                    let parent = if j == start + indent {
                        self.previous_content_indent(start)
                            .map_or(indent, |p| p.min(indent))
                    } else {
                        indent
                    };
                    return self.block_scalar_end(start, parent);
                }
                b'&' | b'!' | b'*' if token_start => {
                    while !matches!(self.at(j), b' ' | b'\t' | b'\n' | 0) {
                        j += 1;
                    }
                }
                _ if token_start => {
                    // A plain scalar: up to `: `, ` #` or the end of the line.
                    while !(matches!(self.at(j), b'\n' | 0)
                        || self.at(j) == b':' && matches!(self.at(j + 1), b' ' | b'\t' | b'\n' | 0)
                        || is_blank(self.at(j)) && self.at(j + 1) == b'#')
                    {
                        j += 1;
                    }
                    token_start = false;
                }
                _ => j += 1,
            }
        }
    }

    /// Past the closing quote of the quoted scalar at `q`; `None` when it is never closed.
    fn quoted_end(&self, q: usize) -> Option<usize> {
        let quote = self.at(q);
        let mut k = q + 1;
        loop {
            match self.at(k) {
                0 if k >= self.b.len() => return None,
                b'\\' if quote == b'"' => k += 2,
                b'\'' if quote == b'\'' && self.at(k + 1) == b'\'' => k += 2,
                c if c == quote => return Some(k + 1),
                _ => k += 1,
            }
        }
    }

    /// Past the bracket that closes the flow collection opened at `open`; `None` when it is
    /// never closed.
    fn flow_end(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut k = open;
        // After a bracket, a comma, a colon or white space a quote starts a quoted scalar;
        // elsewhere (`[don't]`) it is part of a plain one.
        let mut token_start = true;
        while k < self.b.len() {
            let c = self.at(k);
            match c {
                b'[' | b'{' => {
                    depth += 1;
                    token_start = true;
                }
                b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(k + 1);
                    }
                    token_start = false;
                }
                b',' | b':' | b' ' | b'\t' | b'\n' => token_start = true,
                b'#' if token_start => {
                    k = self.eol(k);
                    continue;
                }
                b'"' | b'\'' if token_start => {
                    k = self.quoted_end(k)?;
                    token_start = false;
                    continue;
                }
                _ => token_start = false,
            }
            k += 1;
        }
        None
    }

    /// Indentation of the nearest line before the one starting at `start` that is neither
    /// blank nor only a comment; `None` at the top of the text.
    fn previous_content_indent(&self, start: usize) -> Option<usize> {
        let mut end = start;
        while end > 0 {
            let line = self.line_start(end - 1);
            let spaces = self.indent(line);
            if !matches!(self.at(line + spaces), b'\n' | b'\r' | b'#' | 0) {
                return Some(spaces);
            }
            end = line;
        }
        None
    }

    /// Past the content of a block scalar whose indicator is on the line starting at `start`,
    /// the node it belongs to being indented `indent`: every following line that is blank or
    /// indented more.
    fn block_scalar_end(&self, start: usize, indent: usize) -> usize {
        let mut next = self.eol(start) + 1;
        while next < self.b.len() {
            let spaces = self.indent(next);
            let blank = matches!(self.at(next + spaces), b'\n' | 0);
            if !blank && spaces <= indent {
                break;
            }
            next = self.eol(next) + 1;
        }
        next
    }

    /// Indents each line after the first of the region opened at `open` and ending before
    /// `end` (a flow collection or a quoted scalar) that starts left of `open`'s column.
    /// A region with a document marker (`---`, `...` at the start of a line) inside is left
    /// as it is: go-yaml refuses it too.
    fn pad_region(&mut self, open: usize, end: usize) {
        let column = open - self.line_start(open);
        let mut pads = Vec::new();
        let mut line = self.eol(open) + 1;
        while line < end {
            if self.is_document_marker(line) {
                return;
            }
            let spaces = self.indent(line);
            let blank = matches!(self.at(line + spaces), b'\n' | 0);
            if !blank && spaces < column {
                pads.push((line, column - spaces));
            }
            line = self.eol(line) + 1;
        }
        self.pads.extend(pads);
    }

    fn is_document_marker(&self, line: usize) -> bool {
        let three = self.b.get(line..line + 3);
        matches!(three, Some(b"---") | Some(b"..."))
            && matches!(self.at(line + 3), b' ' | b'\t' | b'\n' | b'\r' | 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(text: &str) -> Option<String> {
        pad(text).map(|p| p.text)
    }

    #[test]
    fn pads_flow_collections_and_quoted_scalars_to_their_opening_column() {
        let sentry = "services:\n  web:\n    healthcheck:\n      test: [\n        \"CMD\", \"true\"\n      ]\n      interval: 5s\n";
        assert_eq!(
            padded(sentry).as_deref(),
            Some(
                "services:\n  web:\n    healthcheck:\n      test: [\n            \"CMD\", \"true\"\n            ]\n      interval: 5s\n"
            )
        );
        assert_eq!(
            padded("a:\n  b: \"x\ny\"\n").as_deref(),
            Some("a:\n  b: \"x\n     y\"\n")
        );
        assert_eq!(
            padded("a:\n  b: {\nx: 1,\n}\n  c: 3\n").as_deref(),
            Some("a:\n  b: {\n     x: 1,\n     }\n  c: 3\n")
        );
    }

    #[test]
    fn leaves_alone_what_is_not_a_flow_collection_or_quoted_scalar() {
        for text in [
            // Already indented enough.
            "a: [\n     1]\n",
            // In a comment, a plain scalar, a block scalar.
            "a: x # [\n[\n",
            "a: x[0\nb: 1]\n",
            "a: |\n  [\nb\n  ]\nc: 1\n",
            "a: don't\nb: 'x'\n",
            // Never closed.
            "a: [\n1\n",
            // A document marker inside: go-yaml refuses it too.
            "a: [\n---\n1]\n",
        ] {
            assert_eq!(padded(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_block_scalar_header_alone_on_its_line_keeps_its_content() {
        // The header is indented one, its content too (more than `g:`): the quotes in it are
        // content, not quoted scalars whose lines would need padding (a fuzzer found the
        // padded text read as `  "` for the second line).
        assert_eq!(
            padded("C: [\"\nt\"]\ng:\n |\n : \"\n \"\n").as_deref(),
            Some("C: [\"\n   t\"]\ng:\n |\n : \"\n \"\n")
        );
        assert_eq!(padded("g:\n |\n : \"\n \"\n"), None);
        // Past the content, block context again.
        assert_eq!(
            padded("a:\n  b:\n   |\n   x\n  c: [\n1]\n").as_deref(),
            Some("a:\n  b:\n   |\n   x\n  c: [\n     1]\n")
        );
    }

    #[test]
    fn maps_positions_back() {
        let p = pad("a: [\n1,\n2]\n").unwrap();
        assert_eq!(p.text, "a: [\n   1,\n   2]\n");
        let original = "a: [\n1,\n2]\n";
        for (i, c) in p.text.char_indices() {
            let o = p.original(i);
            if c != ' ' || original.as_bytes()[o] == b' ' {
                assert_eq!(original.as_bytes()[o], c as u8, "{i} -> {o}");
            }
        }
        // Inserted spaces map to the start of their line.
        assert_eq!(p.original(5), 5);
        assert_eq!(p.original(8), 5);
        assert_eq!(p.original(p.text.len()), original.len());
    }
}

//! Finding heredoc markers (`<<EOF`, `<<-"EOT"`, `2<<A`) in an instruction line.
//!
//! BuildKit splits the line into shell words (quotes and escapes kept, variables expanded
//! from an empty environment), and each word matching `^(\d*)<<(-?)([^<]*)$` starts a
//! heredoc. The delimiter is then lexed twice, with and without quotes: when the quote counts
//! differ, part of it was quoted and the body is not expanded.

/// A heredoc marker found in a line.
pub(crate) struct Marker {
    /// Byte range of the marker word in the line.
    pub start: usize,
    pub end: usize,
    pub name: String,
    pub fd: u32,
    pub chomp: bool,
    pub expand: bool,
}

/// A shell word: its processed text and byte range.
struct ShellWord {
    text: String,
    start: usize,
    end: usize,
}

/// BuildKit's word splitting with raw quotes and raw escapes (escape is always `\` here).
/// `$name` and `${...}` expand to nothing (an empty environment); other `$` stay literal.
/// Returns `None` on an unterminated quote (BuildKit's lexer fails and finds no heredoc).
fn raw_words(s: &str) -> Option<Vec<ShellWord>> {
    let b = s.as_bytes();
    let mut words = Vec::new();
    let mut cur: Option<ShellWord> = None;
    let mut i = 0;
    while i < b.len() {
        let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        let w = c.len_utf8();
        if c.is_whitespace() {
            if let Some(word) = cur.take() {
                words.push(word);
            }
            i += w;
            continue;
        }
        let word = cur.get_or_insert_with(|| ShellWord {
            text: String::new(),
            start: i,
            end: i,
        });
        match c {
            '\\' => {
                let n = s.get(i + 1..).and_then(|r| r.chars().next());
                word.text.push('\\');
                i += 1;
                if let Some(n) = n {
                    word.text.push(n);
                    i += n.len_utf8();
                }
            }
            '\'' => {
                let close = memchr::memchr(b'\'', b.get(i + 1..)?)? + i + 1;
                word.text.push_str(s.get(i..=close)?);
                i = close + 1;
            }
            '"' => {
                word.text.push('"');
                i += 1;
                loop {
                    let c = s.get(i..).and_then(|r| r.chars().next())?;
                    match c {
                        '"' => {
                            word.text.push('"');
                            i += 1;
                            break;
                        }
                        '\\' => {
                            word.text.push('\\');
                            i += 1;
                            if let Some(n) = s.get(i..).and_then(|r| r.chars().next()) {
                                word.text.push(n);
                                i += n.len_utf8();
                            }
                        }
                        '$' => i = dollar(s, i, &mut word.text),
                        c => {
                            word.text.push(c);
                            i += c.len_utf8();
                        }
                    }
                }
            }
            '$' => i = dollar(s, i, &mut word.text),
            c => {
                word.text.push(c);
                i += w;
            }
        }
        word.end = i;
    }
    if let Some(word) = cur.take() {
        words.push(word);
    }
    Some(words)
}

/// Expands `$...` at `i` against an empty environment; returns the index after it. Names are
/// read as BuildKit's shell lexer reads them: a run of digits, one special parameter, or
/// letters, digits and `_`; a `$` with no name stays literal.
fn dollar(s: &str, i: usize, out: &mut String) -> usize {
    let b = s.as_bytes();
    let rest = s.get(i + 1..).unwrap_or("");
    let mut chars = rest.char_indices();
    let name_len = match chars.next() {
        Some((_, '{')) => {
            return match memchr::memchr(b'}', b.get(i + 2..).unwrap_or(&[])) {
                Some(j) => i + 2 + j + 1,
                None => b.len(),
            };
        }
        Some((_, c)) if c.is_ascii_digit() => rest.bytes().take_while(u8::is_ascii_digit).count(),
        Some((_, '@' | '*' | '#' | '?' | '-' | '$' | '!')) => 1,
        Some(_) => rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len(), |(k, _)| k),
        None => 0,
    };
    if name_len == 0 {
        out.push('$');
        return i + 1;
    }
    i + 1 + name_len
}

/// Lexes a delimiter: `raw_quotes` keeps quote characters. Escapes are processed, and unset
/// variables are kept as written. Returns the words.
fn delimiter_words(s: &str, raw_quotes: bool) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            if let Some(w) = cur.take() {
                words.push(w);
            }
            continue;
        }
        let w = cur.get_or_insert_with(String::new);
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    w.push(n);
                }
            }
            '\'' => {
                if raw_quotes {
                    w.push('\'');
                }
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
                if raw_quotes {
                    w.push('\'');
                }
            }
            '"' => {
                if raw_quotes {
                    w.push('"');
                }
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                if !matches!(n, '"' | '\\' | '$') {
                                    w.push('\\');
                                }
                                w.push(n);
                            }
                        }
                        c => w.push(c),
                    }
                }
                if raw_quotes {
                    w.push('"');
                }
            }
            c => w.push(c),
        }
    }
    if let Some(w) = cur.take() {
        words.push(w);
    }
    Some(words)
}

/// Parses one word as a heredoc marker.
fn parse_marker(word: &ShellWord) -> Option<Marker> {
    let t = word.text.as_str();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let after = t.get(digits..)?.strip_prefix("<<")?;
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    // Go's ParseUint of the digits, 0 when absent or out of range.
    let fd = t.get(..digits)?.parse::<u32>().unwrap_or(0);
    let words = delimiter_words(rest, false)?;
    if words.len() != 1 {
        return None;
    }
    let raw = delimiter_words(rest, true)?;
    let name = words.into_iter().next()?;
    let quotes = |s: &str| s.bytes().filter(|&b| b == b'\'' || b == b'"').count();
    let expand = raw.first().map(|r| quotes(r)) == Some(quotes(&name));
    Some(Marker {
        start: word.start,
        end: word.end,
        name,
        fd,
        chomp,
        expand,
    })
}

/// The heredoc markers of an instruction line, in order.
pub(crate) fn markers(line: &str) -> Vec<Marker> {
    if memchr::memmem::find(line.as_bytes(), b"<<").is_none() {
        return Vec::new();
    }
    let Some(words) = raw_words(line) else {
        return Vec::new();
    };
    words.iter().filter_map(parse_marker).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<(String, u32, bool, bool)> {
        markers(s)
            .into_iter()
            .map(|m| (m.name, m.fd, m.chomp, m.expand))
            .collect()
    }

    #[test]
    fn finds_markers() {
        assert_eq!(names("RUN <<EOF"), [("EOF".into(), 0, false, true)]);
        assert_eq!(
            names("RUN cat <<EOF>file"),
            [("EOF>file".into(), 0, false, true)]
        );
        assert_eq!(
            names("COPY <<-\"EOT\" <<B /x"),
            [("EOT".into(), 0, true, false), ("B".into(), 0, false, true)]
        );
        assert_eq!(
            names("RUN 2<<A 3<<-B cat"),
            [("A".into(), 2, false, true), ("B".into(), 3, true, true)]
        );
        assert!(names("RUN echo '<<EOF'").is_empty());
        assert!(names("RUN a<<EOF").is_empty());
        assert!(names("RUN <<").is_empty());
        assert!(names("RUN <<'EOF").is_empty());
        assert_eq!(names("RUN <<'E F'"), [("E F".into(), 0, false, false)]);
        // Variables expand to nothing before the marker is read.
        assert_eq!(names("RUN <<E$X$1 $@x"), [("E".into(), 0, false, true)]);
        assert_eq!(names("RUN <<E$"), [("E$".into(), 0, false, true)]);
    }
}

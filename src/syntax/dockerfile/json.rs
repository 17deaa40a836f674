//! JSON (exec) form: a JSON array of strings, read as Go's `encoding/json` reads it (BuildKit
//! unmarshals into `[]interface{}`), keeping each string's byte range.

/// Why a text is not an exec form.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not a JSON array: BuildKit falls back to shell form.
    Invalid,
    /// A valid array with a non-string element: BuildKit refuses the instruction. Holds the
    /// string elements, for recovery.
    NotStrings(Vec<JsonString>),
}

/// One string element: decoded value and its byte range (quotes included) in the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct JsonString {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// Go's decoder refuses deeper nesting.
const MAX_DEPTH: usize = 10_000;

/// Parses `s[start..end]` (already trimmed on the right) as a JSON array of strings.
pub(crate) fn parse_array(s: &str, start: usize, end: usize) -> Result<Vec<JsonString>, JsonError> {
    let b = s.as_bytes();
    let end = end.min(b.len());
    // BuildKit trims leading Unicode space, then requires `[`.
    let text = s.get(start..end).ok_or(JsonError::Invalid)?;
    let lead = text.len() - text.trim_start_matches(char::is_whitespace).len();
    let mut p = Parser {
        b,
        i: start + lead,
        end,
        not_string: false,
        overflow: false,
    };
    if p.peek() != Some(b'[') {
        return Err(JsonError::Invalid);
    }
    p.i += 1;
    let mut out = Vec::new();
    p.ws();
    if p.peek() == Some(b']') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            if p.peek() == Some(b'"') {
                let st = p.i;
                let v = p.string().ok_or(JsonError::Invalid)?;
                out.push(JsonString {
                    value: v,
                    start: st,
                    end: p.i,
                });
            } else {
                p.not_string = true;
                p.skip_value().ok_or(JsonError::Invalid)?;
            }
            p.ws();
            match p.peek() {
                Some(b',') => p.i += 1,
                Some(b']') => {
                    p.i += 1;
                    break;
                }
                _ => return Err(JsonError::Invalid),
            }
        }
    }
    p.ws();
    if p.i != p.end || p.overflow {
        return Err(JsonError::Invalid);
    }
    if p.not_string {
        return Err(JsonError::NotStrings(out));
    }
    Ok(out)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    end: usize,
    not_string: bool,
    /// A number too large for float64: Go reports an unmarshal error (not a syntax error), and
    /// BuildKit then falls back to shell form.
    overflow: bool,
}

impl Parser<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        if self.i < self.end {
            self.b.get(self.i).copied()
        } else {
            None
        }
    }

    #[inline]
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = (self.peek()? as char).to_digit(16)?;
            v = v * 16 + d;
            self.i += 1;
        }
        Some(v)
    }

    /// A string at `"`; returns its decoded value.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        let mut run = self.i;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    out.push_str(std::str::from_utf8(self.b.get(run..self.i)?).ok()?);
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(std::str::from_utf8(self.b.get(run..self.i)?).ok()?);
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\x08'),
                        b'f' => out.push('\x0c'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let u = self.hex4()?;
                            out.push(self.surrogate(u));
                        }
                        _ => return None,
                    }
                    run = self.i;
                }
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
    }

    /// Combines a UTF-16 surrogate pair when one follows, as Go does; a lone surrogate decodes
    /// to U+FFFD.
    fn surrogate(&mut self, u: u32) -> char {
        if (0xd800..0xdc00).contains(&u) {
            let save = self.i;
            if self.b.get(self.i..self.i + 2) == Some(b"\\u") && self.i + 6 <= self.end {
                self.i += 2;
                if let Some(lo) = self.hex4()
                    && (0xdc00..0xe000).contains(&lo)
                {
                    let c = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                    return char::from_u32(c).unwrap_or('\u{fffd}');
                }
                self.i = save;
            }
            return '\u{fffd}';
        }
        char::from_u32(u).unwrap_or('\u{fffd}')
    }

    fn number(&mut self) -> Option<()> {
        let st = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        let text = std::str::from_utf8(self.b.get(st..self.i)?).ok()?;
        if text.parse::<f64>().map_or(true, |f| f.is_infinite()) {
            self.overflow = true;
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.i + word.len() <= self.end && self.b.get(self.i..self.i + word.len()) == Some(word)
        {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// Skips any JSON value, iteratively (no recursion on deep nesting).
    fn skip_value(&mut self) -> Option<()> {
        // Open containers: b'[' or b'{'; for objects, whether a key is expected next.
        let mut stack: Vec<u8> = Vec::new();
        loop {
            self.ws();
            // One value.
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'[' | b'{' => {
                    let open = self.peek()?;
                    self.i += 1;
                    stack.push(open);
                    if stack.len() > MAX_DEPTH {
                        return None;
                    }
                    self.ws();
                    let close = if open == b'[' { b']' } else { b'}' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                        stack.pop();
                    } else if open == b'{' {
                        self.key()?;
                        continue;
                    } else {
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a value: close containers or move to the next element.
            loop {
                let Some(&top) = stack.last() else {
                    return Some(());
                };
                self.ws();
                match (top, self.peek()?) {
                    (_, b',') => {
                        self.i += 1;
                        if top == b'{' {
                            self.key()?;
                        }
                        break;
                    }
                    (b'[', b']') | (b'{', b'}') => {
                        self.i += 1;
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Option<()> {
        self.ws();
        if self.peek()? != b'"' {
            return None;
        }
        self.string()?;
        self.ws();
        if self.peek()? != b':' {
            return None;
        }
        self.i += 1;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(s: &str) -> Result<Vec<String>, JsonError> {
        parse_array(s, 0, s.len()).map(|v| v.into_iter().map(|j| j.value).collect())
    }

    #[test]
    fn arrays_of_strings() {
        assert_eq!(vals(r#"["a", "b"]"#).unwrap(), ["a", "b"]);
        assert_eq!(vals(" [ ]").unwrap(), Vec::<String>::new());
        assert_eq!(
            vals(r#"["a\u00e9\n\ud83d\ude00\ud800"]"#).unwrap(),
            ["aé\n😀\u{fffd}"]
        );
        assert_eq!(vals(r#"["\/"]"#).unwrap(), ["/"]);
    }

    #[test]
    fn invalid_and_non_strings() {
        assert_eq!(vals(r#"["a"] x"#), Err(JsonError::Invalid));
        assert_eq!(vals(r#"["a",]"#), Err(JsonError::Invalid));
        assert_eq!(vals("['a']"), Err(JsonError::Invalid));
        assert_eq!(vals(r#"["a"#), Err(JsonError::Invalid));
        assert!(matches!(vals(r#"["a", 1]"#), Err(JsonError::NotStrings(_))));
        assert!(matches!(
            vals(r#"["a", ["b"]]"#),
            Err(JsonError::NotStrings(_))
        ));
        assert!(matches!(
            vals(r#"[{"a": [1, {}]}, null, true]"#),
            Err(JsonError::NotStrings(_))
        ));
        assert_eq!(vals(r#"["a", 1e999]"#), Err(JsonError::Invalid));
        assert_eq!(vals(r#"[{"a" 1}]"#), Err(JsonError::Invalid));
        assert_eq!(vals("[\"a\tb\"]"), Err(JsonError::Invalid));
        let deep = "[".repeat(20_000) + &"]".repeat(20_000);
        assert_eq!(vals(&deep), Err(JsonError::Invalid));
    }
}

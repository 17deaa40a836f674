//! Small text helpers with Go's semantics, which BuildKit's parser relies on.

/// Go's `unicode.IsSpace` is the Unicode White_Space property, as is `char::is_whitespace`.
#[inline]
pub(crate) fn trim_start_unicode(s: &str) -> &str {
    // Fast path: most lines start with an ASCII non-space byte.
    match s.as_bytes().first() {
        Some(&b) if b.is_ascii() && !is_ascii_space(b) => s,
        _ => s.trim_start_matches(char::is_whitespace),
    }
}

/// Go's `strings.TrimSpace`.
#[inline]
pub(crate) fn trim_space(s: &str) -> &str {
    trim_end_unicode(trim_start_unicode(s))
}

#[inline]
pub(crate) fn trim_end_unicode(s: &str) -> &str {
    match s.as_bytes().last() {
        Some(&b) if b.is_ascii() && !is_ascii_space(b) => s,
        _ => s.trim_end_matches(char::is_whitespace),
    }
}

/// BuildKit's `reWhitespace` class `[\t\v\f\r ]`.
#[inline]
pub(crate) fn is_split_space(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// ASCII bytes Go's `unicode.IsSpace(rune(b))` accepts (BuildKit's flag scanner tests bytes).
#[inline]
pub(crate) fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Go's `strconv.Quote`, for strings (as BuildKit's dump prints them).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    go_quote_into(&mut out, s);
    out
}

pub(crate) fn go_quote_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        quote_char(out, c);
    }
    out.push('"');
}

/// Go's `strconv.Quote` for a byte string: invalid UTF-8 bytes print as `\xNN`.
pub(crate) fn go_quote_bytes(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            quote_char(out, c);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
}

fn quote_char(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if go_is_print(c) => out.push(c),
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// An approximation of Go's `strconv.IsPrint` (letters, marks, numbers, punctuation, symbols
/// and ASCII space): it refuses controls, separators other than space, format characters,
/// surrogates, private use and noncharacters. Unassigned code points (also refused by Go) are
/// not tracked; they do not occur in Dockerfiles in practice.
pub(crate) fn go_is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if c.is_control() {
        return false;
    }
    // Space separators (Zs other than U+0020), line and paragraph separators.
    if c.is_whitespace() || matches!(u, 0x2028 | 0x2029) {
        return false;
    }
    // Format characters (Cf).
    if matches!(
        u,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    ) {
        return false;
    }
    // Private use and noncharacters.
    if matches!(u, 0xe000..=0xf8ff | 0xf0000..=0x10ffff | 0xfdd0..=0xfdef) || (u & 0xfffe) == 0xfffe
    {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\x01\x7f\t\n"), r#""\x01\x7f\t\n""#);
        assert_eq!(go_quote("é♥\u{a0}\u{2003}"), "\"é♥\\u00a0\\u2003\"");
        assert_eq!(go_quote("\u{feff}\u{e000}"), r#""\ufeff\ue000""#);
        let mut s = String::new();
        go_quote_bytes(&mut s, b"a\xffb");
        assert_eq!(s, r#""a\xffb""#);
    }
}

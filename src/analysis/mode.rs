//! File modes as `chmod`, `install -m` and `COPY --chmod` take them: which ones set or clear the
//! setuid (04000) and setgid (02000) bits.

/// The special bits a mode sets or clears.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpecialBits {
    pub setuid: bool,
    pub setgid: bool,
}

impl SpecialBits {
    pub fn any(self) -> bool {
        self.setuid || self.setgid
    }

    /// `setuid`, `setgid` or `setuid and setgid`, for messages.
    pub fn describe(self) -> &'static str {
        match (self.setuid, self.setgid) {
            (true, true) => "setuid and setgid",
            (true, false) => "setuid",
            (false, true) => "setgid",
            (false, false) => "no special",
        }
    }
}

/// An octal mode (`4755`, `02775`, `0o4755`); `None` when `mode` is not octal.
pub fn octal(mode: &str) -> Option<u32> {
    let digits = mode.strip_prefix("0o").unwrap_or(mode);
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return None;
    }
    u32::from_str_radix(digits, 8).ok()
}

/// The bits `mode` grants: an octal mode with 04000/02000, or symbolic clauses such as `u+s`,
/// `g+s`, `+s`, `a+rwxs`, `u=rwxs,go=rx`. `None` when the text is not a mode at all.
pub fn grants(mode: &str) -> Option<SpecialBits> {
    if let Some(n) = octal(mode) {
        return Some(SpecialBits {
            setuid: n & 0o4000 != 0,
            setgid: n & 0o2000 != 0,
        });
    }
    symbolic(mode, |op| op == '+' || op == '=')
}

/// The bits `mode` clears: `a-s`, `u-s,g-s`, `-s`, `ug-s`, or an octal mode (which sets the
/// special bits exactly; GNU chmod keeps a directory's on a 3-digit mode, which `find -type f`
/// never meets).
pub fn clears(mode: &str) -> Option<SpecialBits> {
    if let Some(n) = octal(mode) {
        return Some(SpecialBits {
            setuid: n & 0o4000 == 0,
            setgid: n & 0o2000 == 0,
        });
    }
    symbolic(mode, |op| op == '-')
}

/// Whether `mode` lets every user write: an octal mode with 0o002, or a symbolic clause giving
/// `w` to `o` or `a` (`o+w`, `a+rwx`, `o=rwx`). A clause without "who" (`+w`) is filtered by the
/// umask, which normally withholds write from others, so it does not count.
pub fn world_writable(mode: &str) -> bool {
    if let Some(n) = octal(mode) {
        return n & 0o002 != 0;
    }
    mode.split(',').any(|clause| {
        let who: String = clause.chars().take_while(|c| "ugoa".contains(*c)).collect();
        let rest = clause.get(who.len()..).unwrap_or("");
        (who.contains('o') || who.contains('a'))
            && rest.split(['-']).next().is_some_and(|r| {
                r.contains(['+', '=']) && r.trim_start_matches(['+', '=']).contains('w')
            })
    })
}

/// Symbolic clauses `[ugoa]*([-+=][rwxXstugo]*)+` joined by commas; collects the special bits
/// touched by operators for which `op_matches` holds.
fn symbolic(mode: &str, op_matches: impl Fn(char) -> bool) -> Option<SpecialBits> {
    let mut bits = SpecialBits::default();
    for clause in mode.split(',') {
        let mut chars = clause.chars().peekable();
        let (mut u, mut g) = (false, false);
        let mut who_given = false;
        while let Some(&c) = chars.peek() {
            match c {
                'u' => u = true,
                'g' => g = true,
                'a' => (u, g) = (true, true),
                'o' => {}
                _ => break,
            }
            who_given = true;
            chars.next();
        }
        if !who_given {
            // No "who": like `a`, filtered by the umask, which never masks the special bits.
            (u, g) = (true, true);
        }
        let mut saw_op = false;
        let mut op = ' ';
        for c in chars {
            match c {
                '+' | '-' | '=' => {
                    op = c;
                    saw_op = true;
                }
                's' if saw_op => {
                    if op_matches(op) {
                        bits.setuid |= u;
                        bits.setgid |= g;
                    }
                }
                'r' | 'w' | 'x' | 'X' | 't' | 'u' | 'g' | 'o' if saw_op => {}
                _ => return None,
            }
        }
        if !saw_op {
            return None;
        }
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(m: &str) -> Option<(bool, bool)> {
        grants(m).map(|b| (b.setuid, b.setgid))
    }

    #[test]
    fn granting_modes() {
        assert_eq!(g("4755"), Some((true, false)));
        assert_eq!(g("2755"), Some((false, true)));
        assert_eq!(g("06755"), Some((true, true)));
        assert_eq!(g("0o4755"), Some((true, false)));
        assert_eq!(g("755"), Some((false, false)));
        assert_eq!(g("0755"), Some((false, false)));
        assert_eq!(g("u+s"), Some((true, false)));
        assert_eq!(g("g+s"), Some((false, true)));
        assert_eq!(g("+s"), Some((true, true)));
        assert_eq!(g("a+rwxs"), Some((true, true)));
        assert_eq!(g("u=rwxs,go=rx"), Some((true, false)));
        assert_eq!(g("o+s"), Some((false, false)));
        assert_eq!(g("u-s"), Some((false, false)));
        assert_eq!(g("+x"), Some((false, false)));
        assert_eq!(g("ug+x,u+s"), Some((true, false)));
    }

    #[test]
    fn not_modes() {
        for m in [
            "",
            "-R",
            "/usr/bin/x",
            "8755",
            "s",
            "u",
            "u+z",
            "{}",
            "--reference=x",
            "4755x",
        ] {
            assert_eq!(grants(m), None, "{m:?}");
        }
    }

    #[test]
    fn world_writable_modes() {
        for m in [
            "777", "0777", "1777", "a+w", "o+w", "o=rwx", "u+x,o+rw", "a+rwx",
        ] {
            assert!(world_writable(m), "{m}");
        }
        for m in ["755", "0775", "+w", "u+w", "g+w", "o-w", "a-w", "o+r", ""] {
            assert!(!world_writable(m), "{m}");
        }
    }

    #[test]
    fn clearing_modes() {
        let c = |m: &str| clears(m).map(|b| (b.setuid, b.setgid));
        assert_eq!(c("a-s"), Some((true, true)));
        assert_eq!(c("-s"), Some((true, true)));
        assert_eq!(c("u-s,g-s"), Some((true, true)));
        assert_eq!(c("u-s"), Some((true, false)));
        assert_eq!(c("0755"), Some((true, true)));
        assert_eq!(c("4755"), Some((false, true)));
        assert_eq!(c("a+s"), Some((false, false)));
    }
}

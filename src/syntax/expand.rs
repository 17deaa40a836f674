//! BuildKit's variable expander: the word processing `docker build` applies to FROM, ENV, ARG, USER,
//! WORKDIR, COPY/ADD and friends (BuildKit's `shell.Lex` ProcessWord / ProcessWords).
//!
//! It is not a shell: only `$name`, `${name}` and the modifiers
//! `${v:-x} ${v-x} ${v:+x} ${v+x} ${v:?x} ${v?x} ${v#p} ${v##p} ${v%p} ${v%%p} ${v/p/r} ${v//p/r}`,
//! single and double quotes and the escape character (`\` or `` ` ``). Quotes are removed, escapes
//! applied, and expansion errors (`${}`, unterminated quotes, `${v:?}` on an unset variable) refused
//! as BuildKit refuses them. The behaviour is checked against BuildKit's own tables
//! (`tests/buildkit_shell.rs`).
//!
//! Patterns (`*`, `?`, `\*`) are matched directly, without building a regex per call. Like Go's
//! regexp `.`, the wildcards do not match a newline. Nesting is bounded so no input can exhaust the
//! stack, and the work is bounded by a [`Budget`] of bytes and steps, so that no input can exhaust
//! memory or time: `ARG A1=${A0}${A0}` doubles a value per line, and thirty such lines would
//! stand for gigabytes. Past the budget the expander stops and says so ([`ExpandError::exhausted`]);
//! the caller treats the value as unknown.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Where variables come from.
pub trait Lookup {
    /// The value of `name`, or `None` when it is unset (set-but-empty is `Some("")`).
    fn get(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl Lookup for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        HashMap::get(self, name).map(|v| Cow::Borrowed(v.as_str()))
    }
}

impl Lookup for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        BTreeMap::get(self, name).map(|v| Cow::Borrowed(v.as_str()))
    }
}

/// `KEY=value` pairs; the last definition of a key wins, as in an environment list.
impl Lookup for [(&str, &str)] {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| Cow::Borrowed(*v))
    }
}

impl Lookup for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| Cow::Borrowed(v.as_str()))
    }
}

/// Variables from a closure (a scope chain, a model's ARG/ENV view).
pub struct LookupFn<F>(pub F);

impl<F: Fn(&str) -> Option<String>> Lookup for LookupFn<F> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        (self.0)(name).map(Cow::Owned)
    }
}

/// No variable is set.
pub struct NoVars;

impl Lookup for NoVars {
    fn get(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }
}

/// An expansion BuildKit would refuse, or one the [`Budget`] stopped. `offset` is the byte offset
/// in the input where the problem was found (add the word's base offset for a file span).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub message: String,
    pub offset: usize,
    /// The budget ran out: the input is not wrong, its value is unknown.
    pub exhausted: bool,
}

/// What expansion may still cost: bytes copied out of variables (where values multiply) and
/// steps of pattern matching (`${v//p/r}` is quadratic in the value). Shared by every word of a
/// file, so a file's whole expansion work is bounded, not each word's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub bytes: usize,
    pub steps: u64,
}

impl Budget {
    /// What one call of the plain `expand_*` methods may cost: far beyond any real word.
    pub const PER_CALL: Budget = Budget {
        bytes: 16 << 20,
        steps: 200_000_000,
    };

    /// A file's budget: a fixed allowance plus a multiple of its size, so real files (whose
    /// expansions are a few times the text at most) never meet it and a tiny hostile file stops
    /// within megabytes.
    pub fn for_text(len: usize) -> Budget {
        Budget {
            bytes: (1 << 20) + 4 * len,
            steps: 50_000_000 + 100 * len as u64,
        }
    }

    /// Takes `n` bytes from the budget for work done outside the expander (copying a scope);
    /// false (and the budget spent) when they are not there.
    pub fn take_bytes(&mut self, n: usize) -> bool {
        self.charge_bytes(n)
    }

    fn charge_bytes(&mut self, n: usize) -> bool {
        match self.bytes.checked_sub(n) {
            Some(left) => {
                self.bytes = left;
                true
            }
            None => {
                self.bytes = 0;
                false
            }
        }
    }

    fn charge_steps(&mut self, n: u64) -> bool {
        match self.steps.checked_sub(n) {
            Some(left) => {
                self.steps = left;
                true
            }
            None => {
                self.steps = 0;
                false
            }
        }
    }
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

/// Which variables an expansion looked up. Names appear once each, in first-use order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VarUse {
    /// Every variable looked up (set or not).
    pub referenced: Vec<String>,
    /// The referenced variables that were unset.
    pub unset: Vec<String>,
}

impl VarUse {
    fn record(&mut self, name: &str, set: bool) {
        if !self.referenced.iter().any(|n| n == name) {
            self.referenced.push(name.to_owned());
        }
        if !set && !self.unset.iter().any(|n| n == name) {
            self.unset.push(name.to_owned());
        }
    }
}

/// Deepest `${a:-${b:-...}}` nesting accepted; deeper input is an error, never a stack overflow.
const MAX_DEPTH: usize = 64;

/// BuildKit's word expander.
#[derive(Clone, Copy)]
pub struct Expander<'e> {
    /// The Dockerfile escape character: `\` (default) or `` ` ``.
    pub escape: char,
    pub env: &'e dyn Lookup,
}

impl<'e> Expander<'e> {
    pub fn new(env: &'e dyn Lookup) -> Expander<'e> {
        Expander { escape: '\\', env }
    }

    pub fn with_escape(mut self, escape: char) -> Expander<'e> {
        self.escape = escape;
        self
    }

    /// Expand one word (BuildKit's ProcessWord): quotes removed, no field splitting.
    pub fn expand_word(&self, input: &str) -> Result<String, ExpandError> {
        let mut uses = VarUse::default();
        let mut budget = Budget::PER_CALL;
        self.run(input, &mut uses, &mut budget)
            .map(|(word, _)| word)
    }

    /// Expand and split into words (BuildKit's ProcessWords): unquoted whitespace, including
    /// whitespace produced by an unquoted expansion, separates words.
    pub fn expand_words(&self, input: &str) -> Result<Vec<String>, ExpandError> {
        let mut uses = VarUse::default();
        let mut budget = Budget::PER_CALL;
        self.run(input, &mut uses, &mut budget)
            .map(|(_, words)| words)
    }

    /// [`expand_word`](Self::expand_word), also recording the variables looked up into `uses`
    /// (recorded even when the expansion then fails).
    pub fn expand_word_tracked(
        &self,
        input: &str,
        uses: &mut VarUse,
    ) -> Result<String, ExpandError> {
        let mut budget = Budget::PER_CALL;
        self.run(input, uses, &mut budget).map(|(word, _)| word)
    }

    /// [`expand_word_tracked`](Self::expand_word_tracked) charged to `budget` (a file's shared
    /// budget): past it the result is an error with [`ExpandError::exhausted`] set.
    pub fn expand_word_budgeted(
        &self,
        input: &str,
        uses: &mut VarUse,
        budget: &mut Budget,
    ) -> Result<String, ExpandError> {
        self.run(input, uses, budget).map(|(word, _)| word)
    }

    /// [`expand_words_tracked`](Self::expand_words_tracked), charging `budget` (shared by
    /// every word of a file).
    pub fn expand_words_budgeted(
        &self,
        input: &str,
        uses: &mut VarUse,
        budget: &mut Budget,
    ) -> Result<Vec<String>, ExpandError> {
        self.run(input, uses, budget).map(|(_, words)| words)
    }

    /// [`expand_words`](Self::expand_words), also recording the variables looked up.
    pub fn expand_words_tracked(
        &self,
        input: &str,
        uses: &mut VarUse,
    ) -> Result<Vec<String>, ExpandError> {
        let mut budget = Budget::PER_CALL;
        self.run(input, uses, &mut budget).map(|(_, words)| words)
    }

    fn run(
        &self,
        input: &str,
        uses: &mut VarUse,
        budget: &mut Budget,
    ) -> Result<(String, Vec<String>), ExpandError> {
        // Fast path: nothing to expand, unquote or unescape.
        if !input
            .chars()
            .any(|c| matches!(c, '$' | '\'' | '"') || c == self.escape)
        {
            let words = input.split_whitespace().map(str::to_owned).collect();
            return Ok((input.to_owned(), words));
        }
        // Reading the input is work too (a long word expands to at least itself).
        if !budget.charge_bytes(input.len()) {
            return Err(exhausted(0));
        }
        let mut p = Proc {
            src: input,
            pos: 0,
            escape: self.escape,
            env: self.env,
            uses,
            depth: 0,
            budget,
        };
        p.process_stop_on(None, false)
    }
}

/// Whether `text` contains something the expander would substitute (an unescaped `$` outside
/// single quotes followed by a name, `{` or a special parameter). Cheap: no allocation.
pub fn has_expansion(text: &str, escape: char) -> bool {
    if !text.contains('$') {
        return false;
    }
    let mut chars = text.chars().peekable();
    let mut single = false;
    let mut double = false;
    while let Some(c) = chars.next() {
        if single {
            if c == '\'' {
                single = false;
            }
            continue;
        }
        if c == escape {
            chars.next();
        } else if c == '\'' && !double {
            single = true;
        } else if c == '"' {
            double = !double;
        } else if c == '$'
            && let Some(&n) = chars.peek()
            && (n == '{' || n == '_' || n.is_alphanumeric() || is_special_param(n))
        {
            return true;
        }
    }
    false
}

struct Proc<'a, 'u> {
    src: &'a str,
    pos: usize,
    escape: char,
    env: &'a dyn Lookup,
    uses: &'u mut VarUse,
    depth: usize,
    budget: &'u mut Budget,
}

fn exhausted(offset: usize) -> ExpandError {
    ExpandError {
        message: "variable expansion stopped: its budget of bytes and steps is spent".to_string(),
        offset,
        exhausted: true,
    }
}

/// BuildKit's word accumulator: unquoted whitespace splits, quoted text never does.
#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if c.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(c);
        }
    }

    fn add_raw_char(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for c in s.chars() {
            self.add_char(c);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.word.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(self.word);
        }
        self.words
    }
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

impl Proc<'_, '_> {
    #[inline]
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    #[inline]
    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err(&self, message: impl Into<String>) -> ExpandError {
        ExpandError {
            message: message.into(),
            offset: self.pos,
            exhausted: false,
        }
    }

    /// A variable's value, charged to the budget before it is copied (values are where
    /// expansion multiplies bytes).
    fn lookup(&mut self, name: &str) -> Result<Option<String>, ExpandError> {
        let value = self.env.get(name);
        self.uses.record(name, value.is_some());
        match value {
            Some(v) if !self.budget.charge_bytes(v.len()) => Err(exhausted(self.pos)),
            v => Ok(v.map(Cow::into_owned)),
        }
    }

    /// Process until end of input or `stop` (consumed). With `raw_escapes` the escape character
    /// is kept in the output (pattern and replacement text of `${v#p}`, `${v/p/r}`).
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), ExpandError> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += c.len_utf8();
                return Ok((result, words.finish()));
            }
            match c {
                '\'' => {
                    let s = self.single_quote()?;
                    result.push_str(&s);
                    words.add_raw_string(&s);
                }
                '"' => {
                    let s = self.double_quote()?;
                    result.push_str(&s);
                    words.add_raw_string(&s);
                }
                '$' => {
                    let s = self.dollar()?;
                    result.push_str(&s);
                    words.add_string(&s);
                }
                _ => {
                    self.pos += c.len_utf8();
                    if c == self.escape {
                        if raw_escapes {
                            words.add_raw_char(c);
                            result.push(c);
                        }
                        // An escape at the very end is dropped.
                        let Some(e) = self.next() else { break };
                        words.add_raw_char(e);
                        result.push(e);
                    } else {
                        words.add_char(c);
                        result.push(c);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(self.err(format!(
                "unexpected end of statement while looking for matching {stop}"
            )));
        }
        Ok((result, words.finish()))
    }

    fn single_quote(&mut self) -> Result<String, ExpandError> {
        self.next();
        let rest = self.src.get(self.pos..).unwrap_or("");
        match rest.find('\'') {
            Some(end) => {
                self.pos += end + 1;
                Ok(rest[..end].to_owned())
            }
            None => {
                self.pos = self.src.len();
                Err(self.err("unexpected end of statement while looking for matching single-quote"))
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, ExpandError> {
        self.next();
        let mut result = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(self.err(
                        "unexpected end of statement while looking for matching double-quote",
                    ));
                }
                Some('"') => {
                    self.next();
                    return Ok(result);
                }
                Some('$') => {
                    let s = self.dollar()?;
                    result.push_str(&s);
                }
                Some(c) => {
                    self.pos += c.len_utf8();
                    let mut out = c;
                    if c == self.escape {
                        match self.peek() {
                            // Escape at end: ignored; the loop then reports the missing quote.
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += n.len_utf8();
                                out = n;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(out);
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    self.pos += 1;
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(c) {
                self.pos += 1;
                name.push(c);
                return name;
            }
            if !(c.is_alphanumeric() || c == '_') {
                break;
            }
            self.pos += c.len_utf8();
            name.push(c);
        }
        name
    }

    fn dollar(&mut self) -> Result<String, ExpandError> {
        self.depth += 1;
        let r = if self.depth > MAX_DEPTH {
            Err(self.err("substitution nested too deeply"))
        } else {
            self.dollar_inner()
        };
        self.depth -= 1;
        r
    }

    fn dollar_inner(&mut self) -> Result<String, ExpandError> {
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_owned());
            }
            return Ok(self.lookup(&name)?.unwrap_or_default());
        }
        self.next(); // '{'
        match self.peek() {
            None => return Err(self.err("syntax error: missing '}'")),
            Some('{' | '}' | ':') => return Err(self.err("syntax error: bad substitution")),
            Some(_) => {}
        }
        let name = self.name();
        let Some(mut op) = self.next() else {
            return Err(self.err("syntax error: missing '}'"));
        };
        let mut modifier = String::from(op);
        match op {
            '}' => Ok(self.lookup(&name)?.unwrap_or_default()),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                let null_is_unset = op == ':';
                if null_is_unset {
                    match self.next() {
                        Some(c) => {
                            op = c;
                            modifier.push(c);
                        }
                        None => return Err(self.err("syntax error: missing '}'")),
                    }
                }
                let raw = op == '#' || op == '%';
                if null_is_unset && raw {
                    return Err(
                        self.err(format!("unsupported modifier ({modifier}) in substitution"))
                    );
                }
                let (word, _) = self.process_stop_on(Some('}'), raw).map_err(|e| {
                    if self.pos >= self.src.len() {
                        self.err("syntax error: missing '}'")
                    } else {
                        e
                    }
                })?;
                let value = self.lookup(&name)?;
                let empty = value.as_deref().is_none_or(str::is_empty);
                let unset_like = value.is_none() || (null_is_unset && empty);
                match op {
                    '-' => Ok(if unset_like {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if unset_like { String::new() } else { word }),
                    '?' => match value {
                        None => Err(self.err(format!(
                            "{name}: {}",
                            if word.is_empty() {
                                "is not allowed to be unset"
                            } else {
                                &word
                            }
                        ))),
                        Some(v) if null_is_unset && v.is_empty() => Err(self.err(format!(
                            "{name}: {}",
                            if word.is_empty() {
                                "is not allowed to be empty"
                            } else {
                                &word
                            }
                        ))),
                        Some(v) => Ok(v),
                    },
                    '#' | '%' => {
                        let (greedy, pat) = match word.strip_prefix(op) {
                            Some(rest) => (true, rest),
                            None => (false, word.as_str()),
                        };
                        let pat = Pattern::parse(pat).map_err(|e| {
                            self.err(format!("invalid pattern ({pat}) in substitution: {e}"))
                        })?;
                        let value = value.unwrap_or_default();
                        let at = self.pos;
                        let trimmed = if op == '#' {
                            pat.trim_prefix(&value, greedy, self.budget)
                        } else {
                            pat.trim_suffix(&value, greedy, self.budget)
                        };
                        trimmed.map(str::to_owned).ok_or_else(|| exhausted(at))
                    }
                    _ => {
                        Err(self.err(format!("unsupported modifier ({modifier}) in substitution")))
                    }
                }
            }
            '/' => {
                let all = self.peek() == Some('/');
                if all {
                    self.next();
                }
                let (pattern, _) = self.process_stop_on(Some('/'), true).map_err(|e| {
                    if self.pos >= self.src.len() {
                        self.err("syntax error: missing '/' in ${}")
                    } else {
                        e
                    }
                })?;
                let (replacement, _) = self.process_stop_on(Some('}'), true).map_err(|e| {
                    if self.pos >= self.src.len() {
                        self.err("syntax error: missing '}'")
                    } else {
                        e
                    }
                })?;
                let value = self.lookup(&name)?.unwrap_or_default();
                let pat = Pattern::parse(&pattern).map_err(|e| {
                    self.err(format!("invalid pattern ({pattern}) in substitution: {e}"))
                })?;
                let at = self.pos;
                let replaced = pat
                    .replace(&value, &replacement, all, self.budget)
                    .ok_or_else(|| exhausted(at))?;
                if !self.budget.charge_bytes(replaced.len()) {
                    return Err(exhausted(at));
                }
                Ok(replaced)
            }
            _ => Err(self.err(format!("unsupported modifier ({modifier}) in substitution"))),
        }
    }
}

/// A shell glob as BuildKit reads it inside `${v#p}`: `*` any run, `?` one character (neither
/// matches a newline), `\*`, `\?`, `\\` literals, `\}` and `\/` the bare character.
#[derive(Debug)]
struct Pattern {
    toks: Vec<Tok>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Star,
    Any,
    Lit(char),
}

impl Pattern {
    fn parse(p: &str) -> Result<Pattern, String> {
        let mut toks = Vec::with_capacity(p.len());
        let mut chars = p.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => toks.push(Tok::Star),
                '?' => toks.push(Tok::Any),
                '\\' => match chars.peek().copied() {
                    Some('}' | '/') => {}
                    Some(n @ ('*' | '?' | '\\')) => {
                        chars.next();
                        toks.push(Tok::Lit(n));
                    }
                    Some(n) => return Err(format!("invalid escape '\\{n}'")),
                    None => return Err("trailing backslash".to_owned()),
                },
                c => toks.push(Tok::Lit(c)),
            }
        }
        Ok(Pattern { toks })
    }

    /// Whether the pattern matches all of `s`. `None` when the budget's steps ran out.
    fn matches_chars(&self, s: &[char], budget: &mut Budget) -> Option<bool> {
        let p = &self.toks;
        let (mut pi, mut si) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        // Steps are charged in batches: one check per call and per 1,024 iterations.
        let mut steps = 0u64;
        while si < s.len() {
            steps += 1;
            if steps & 1023 == 0 && !budget.charge_steps(1024) {
                return None;
            }
            match p.get(pi) {
                Some(Tok::Star) => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                Some(Tok::Any) if s[si] != '\n' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                Some(Tok::Lit(c)) if *c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
            // Backtrack: let the last star absorb one more character (never a newline).
            match star {
                Some((sp, ss)) if s.get(ss) != Some(&'\n') => {
                    star = Some((sp, ss + 1));
                    pi = sp + 1;
                    si = ss + 1;
                }
                _ => return budget.charge_steps(steps & 1023 | 1).then_some(false),
            }
        }
        if !budget.charge_steps(steps & 1023 | 1) {
            return None;
        }
        Some(p.get(pi..).unwrap_or(&[]).iter().all(|t| *t == Tok::Star))
    }

    /// The value as chars plus each char's byte offset (and the end), decoded once per call.
    fn decode(value: &str) -> (Vec<char>, Vec<usize>) {
        let mut chars = Vec::with_capacity(value.len());
        let mut offs = Vec::with_capacity(value.len() + 1);
        for (i, c) in value.char_indices() {
            chars.push(c);
            offs.push(i);
        }
        offs.push(value.len());
        (chars, offs)
    }

    /// The first `k` of `order` for which `hit(k)` holds; `None` when the budget ran out.
    fn first_hit(
        order: impl Iterator<Item = usize>,
        mut hit: impl FnMut(usize) -> Option<bool>,
    ) -> Option<Option<usize>> {
        for k in order {
            if hit(k)? {
                return Some(Some(k));
            }
        }
        Some(None)
    }

    fn trim_prefix<'v>(
        &self,
        value: &'v str,
        greedy: bool,
        budget: &mut Budget,
    ) -> Option<&'v str> {
        let (chars, offs) = Self::decode(value);
        let hit = |k: usize| self.matches_chars(&chars[..k], budget);
        let cut = if greedy {
            Self::first_hit((0..=chars.len()).rev(), hit)?
        } else {
            Self::first_hit(0..=chars.len(), hit)?
        };
        Some(cut.and_then(|k| value.get(offs[k]..)).unwrap_or(value))
    }

    fn trim_suffix<'v>(
        &self,
        value: &'v str,
        greedy: bool,
        budget: &mut Budget,
    ) -> Option<&'v str> {
        let (chars, offs) = Self::decode(value);
        let hit = |k: usize| self.matches_chars(&chars[k..], budget);
        let cut = if greedy {
            Self::first_hit(0..=chars.len(), hit)?
        } else {
            Self::first_hit((0..=chars.len()).rev(), hit)?
        };
        Some(cut.and_then(|k| value.get(..offs[k])).unwrap_or(value))
    }

    /// Replace the leftmost (longest) match, or every non-overlapping one with `all`. `None`
    /// when the budget ran out.
    fn replace(
        &self,
        value: &str,
        replacement: &str,
        all: bool,
        budget: &mut Budget,
    ) -> Option<String> {
        let (chars, offs) = Self::decode(value);
        let n = chars.len();
        let mut out = String::with_capacity(value.len());
        let mut from = 0usize; // char index
        while from <= n {
            let mut found = None;
            for s in from..=n {
                let e =
                    Self::first_hit((s..=n).rev(), |e| self.matches_chars(&chars[s..e], budget))?;
                if let Some(e) = e {
                    found = Some((s, e));
                    break;
                }
            }
            let Some((s, e)) = found else { break };
            out.push_str(&value[offs[from]..offs[s]]);
            out.push_str(replacement);
            if s == e {
                // An empty match: keep one character and move on, as regexp replacement does.
                match chars.get(s) {
                    Some(c) => out.push(*c),
                    None => {
                        from = n + 1;
                        break;
                    }
                }
                from = s + 1;
            } else {
                from = e;
            }
            if !all {
                break;
            }
        }
        if let Some(rest) = offs.get(from).and_then(|&o| value.get(o..)) {
            out.push_str(rest);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, String)> {
        [("A", "abcabc"), ("P", "/usr/local/bin"), ("E", "")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn x(s: &str) -> Result<String, ExpandError> {
        let e = env();
        Expander::new(&e).expand_word(s)
    }

    #[test]
    fn trims() {
        assert_eq!(x("${A#a*b}").unwrap(), "cabc");
        assert_eq!(x("${A##a*b}").unwrap(), "c");
        assert_eq!(x("${A%b*}").unwrap(), "abca");
        assert_eq!(x("${A%%b*}").unwrap(), "a");
        assert_eq!(x("${P##*/}").unwrap(), "bin");
        assert_eq!(x("${P%/*}").unwrap(), "/usr/local");
        assert_eq!(x("${A#x}").unwrap(), "abcabc");
        assert_eq!(x("${A#?}").unwrap(), "bcabc");
        assert_eq!(x("${A#\\*}").unwrap(), "abcabc");
        assert!(x("${A#\\q}").is_err());
        assert!(x("${A:#a}").is_err());
    }

    #[test]
    fn replaces() {
        assert_eq!(x("${A/b/X}").unwrap(), "aXcabc");
        assert_eq!(x("${A//b/X}").unwrap(), "aXcaXc");
        assert_eq!(x("${A//b*/X}").unwrap(), "aX");
        assert_eq!(x("${P//\\//:}").unwrap(), ":usr:local:bin");
        assert_eq!(x("${A/zz/X}").unwrap(), "abcabc");
        assert_eq!(x("${NOPE/a/b}").unwrap(), "");
        assert!(x("${A/b").is_err());
    }

    #[test]
    fn tracks_unset() {
        let e = env();
        let mut uses = VarUse::default();
        let out = Expander::new(&e)
            .expand_word_tracked("$BASE:${A}-${E:-x}", &mut uses)
            .unwrap();
        assert_eq!(out, ":abcabc-x");
        assert_eq!(uses.referenced, ["BASE", "A", "E"]);
        assert_eq!(uses.unset, ["BASE"]);
    }

    #[test]
    fn closure_lookup() {
        let f = LookupFn(|n: &str| (n == "V").then(|| "1.2".to_string()));
        let ex = Expander::new(&f);
        assert_eq!(ex.expand_word("img:${V}").unwrap(), "img:1.2");
        assert_eq!(ex.expand_words("a $V 'b c'").unwrap(), ["a", "1.2", "b c"]);
    }

    #[test]
    fn backtick_escape() {
        let e = env();
        let ex = Expander::new(&e).with_escape('`');
        assert_eq!(ex.expand_word("a`$A").unwrap(), "a$A");
        assert_eq!(ex.expand_word("a\\b").unwrap(), "a\\b");
        assert_eq!(ex.expand_word("\"`\"\"").unwrap(), "\"");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "${a:-".repeat(10_000) + &"}".repeat(10_000);
        assert!(x(&deep).is_err());
        let ok = "${a:-".repeat(10) + "z" + &"}".repeat(10);
        assert_eq!(x(&ok).unwrap(), "z");
    }

    #[test]
    fn detects_expansions() {
        assert!(has_expansion("$BASE", '\\'));
        assert!(has_expansion("x${a}", '\\'));
        assert!(!has_expansion("\\$BASE", '\\'));
        assert!(!has_expansion("'$BASE'", '\\'));
        assert!(has_expansion("\"$BASE\"", '\\'));
        assert!(!has_expansion("a$", '\\'));
        assert!(!has_expansion("plain", '\\'));
    }
}

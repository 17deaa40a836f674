//! Finding credentials in text: known token formats (AWS, GitHub, GitLab, Slack, Stripe, Google,
//! private key blocks, JWTs), credentials in URLs, and random-looking literals assigned to
//! secret-looking names.
//!
//! One Aho-Corasick automaton, built once, finds every candidate prefix in a single pass; each hit
//! is then checked by a small hand-written validator, so no regular expression runs per file.

use super::allowlist::Allowlist;
use super::names::{
    holds_secret, is_placeholder, looks_random, reads_as_a_name, secret_name, shannon_entropy,
};
use crate::source::Span;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use base64::Engine as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};

/// What kind of credential a hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    AwsAccessKeyId,
    AwsSecretKey,
    GitHubToken,
    GitLabToken,
    SlackToken,
    SlackWebhook,
    PrivateKey,
    StripeKey,
    GoogleApiKey,
    Jwt,
    UrlCredentials,
    /// A random-looking literal assigned to a secret-looking name.
    Assigned,
}

impl SecretKind {
    /// A short description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "AWS access key ID",
            SecretKind::AwsSecretKey => "AWS secret access key",
            SecretKind::GitHubToken => "GitHub token",
            SecretKind::GitLabToken => "GitLab personal access token",
            SecretKind::SlackToken => "Slack token",
            SecretKind::SlackWebhook => "Slack webhook URL",
            SecretKind::PrivateKey => "private key",
            SecretKind::StripeKey => "Stripe live key",
            SecretKind::GoogleApiKey => "Google API key",
            SecretKind::Jwt => "JSON Web Token",
            SecretKind::UrlCredentials => "password in a URL",
            SecretKind::Assigned => "secret value",
        }
    }
}

/// One credential found in a text. Spans are absolute (the `base` given to [`scan`] added).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretHit {
    pub kind: SecretKind,
    /// What to point at: the token, or the `name=value` assignment.
    pub span: Span,
    /// The bytes that are secret (for [`crate::finding::Finding::secret`]).
    pub secret: Span,
    /// The variable name for [`SecretKind::Assigned`], else empty.
    pub name: String,
}

#[derive(Clone, Copy)]
enum Pattern {
    Aws,
    GitHub,
    GitHubPat,
    GitLab,
    Slack,
    SlackHook,
    PrivateKey,
    Stripe,
    Google,
    Jwt,
    Url,
    GoDsn,
    Name,
}

const PATTERNS: &[(&str, Pattern)] = &[
    ("AKIA", Pattern::Aws),
    ("ASIA", Pattern::Aws),
    ("ghp_", Pattern::GitHub),
    ("gho_", Pattern::GitHub),
    ("ghu_", Pattern::GitHub),
    ("ghs_", Pattern::GitHub),
    ("ghr_", Pattern::GitHub),
    ("github_pat_", Pattern::GitHubPat),
    ("glpat-", Pattern::GitLab),
    ("xoxa-", Pattern::Slack),
    ("xoxb-", Pattern::Slack),
    ("xoxp-", Pattern::Slack),
    ("xoxr-", Pattern::Slack),
    ("xoxs-", Pattern::Slack),
    ("hooks.slack.com/", Pattern::SlackHook),
    ("-----BEGIN ", Pattern::PrivateKey),
    ("sk_live_", Pattern::Stripe),
    ("rk_live_", Pattern::Stripe),
    ("AIza", Pattern::Google),
    ("eyJ", Pattern::Jwt),
    ("://", Pattern::Url),
    // Go's database/sql DSN: `user:password@tcp(db:3306)/app`, with no scheme.
    ("@tcp(", Pattern::GoDsn),
    ("@unix(", Pattern::GoDsn),
    // Secret-looking names (checked word by word once the whole identifier is known).
    ("pass", Pattern::Name),
    ("pwd", Pattern::Name),
    ("pw", Pattern::Name),
    ("psk", Pattern::Name),
    ("secret", Pattern::Name),
    ("token", Pattern::Name),
    ("key", Pattern::Name),
    ("auth", Pattern::Name),
    ("cred", Pattern::Name),
];

fn build_automaton(kind: AhoCorasickKind) -> Option<AhoCorasick> {
    AhoCorasickBuilder::new()
        .kind(Some(kind))
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(PATTERNS.iter().map(|(p, _)| p))
        .ok()
}

/// Bytes to scan with the quick-to-build NFA before building the DFA. Measured on this pattern
/// set: the DFA costs ~0.8M instructions to build and saves ~18 instructions a byte, so it pays
/// off after ~45 KB; a one-file run (pre-commit, an editor) never needs it.
const DFA_AFTER_BYTES: usize = 64 * 1024;

static NFA: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| build_automaton(AhoCorasickKind::ContiguousNFA));
static DFA: OnceLock<Option<AhoCorasick>> = OnceLock::new();
static SCANNED_BYTES: AtomicUsize = AtomicUsize::new(0);
static DFA_CLAIMED: AtomicBool = AtomicBool::new(false);

/// The automaton for a scan of `len` bytes: both kinds find the same matches. One thread builds
/// the DFA when it is due; the others keep to the NFA meanwhile rather than wait for it.
fn automaton(len: usize) -> Option<&'static AhoCorasick> {
    if let Some(dfa) = DFA.get() {
        return dfa.as_ref();
    }
    let due = SCANNED_BYTES.fetch_add(len, Ordering::Relaxed) >= DFA_AFTER_BYTES;
    if due && !DFA_CLAIMED.swap(true, Ordering::AcqRel) {
        return DFA
            .get_or_init(|| build_automaton(AhoCorasickKind::DFA))
            .as_ref();
    }
    NFA.as_ref()
}

/// Options for [`scan`].
#[derive(Clone, Copy, Debug)]
pub struct ScanOptions {
    /// Also report random-looking literals assigned to secret-looking names (`TOKEN=…`,
    /// `"api_key": "…"`). Off where another rule already judges assignments (ARG/ENV).
    pub assignments: bool,
}

/// The credentials of a whole file, both without and with assignments (one pass gives both):
/// what [`crate::analysis::Analysis::secrets`] computes once per file for the rules that need
/// it (`secret-token`, `secret-in-url`, `secret-in-variable`).
pub fn scan_file(text: &str, allow: &Allowlist) -> FileSecrets {
    let (with_assignments, plain) = scan_pass(text, 0, allow, true);
    FileSecrets {
        plain,
        with_assignments,
    }
}

/// A file's credentials (see [`scan_file`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSecrets {
    /// Known formats only: tokens, keys, URL credentials.
    pub plain: Vec<SecretHit>,
    /// Known formats and random-looking literals assigned to secret-looking names.
    pub with_assignments: Vec<SecretHit>,
}

/// Every credential in `text`, in order. `base` is the offset of `text` in its file.
pub fn scan(text: &str, base: usize, allow: &Allowlist, opts: ScanOptions) -> Vec<SecretHit> {
    scan_pass(text, base, allow, opts.assignments).0
}

/// The hits of [`scan`] with `assignments` as given, and, when it is on, also the hits without
/// assignments (else empty). Both come from one pass: an assignment never moves the cursor past
/// another match, so the matches visited are the same either way.
fn scan_pass(
    text: &str,
    base: usize,
    allow: &Allowlist,
    assignments: bool,
) -> (Vec<SecretHit>, Vec<SecretHit>) {
    let Some(ac) = automaton(text.len()) else {
        return (Vec::new(), Vec::new());
    };
    let opts = ScanOptions { assignments };
    let mut plain: Vec<SecretHit> = Vec::new();
    let bytes = text.as_bytes();
    let mut hits: Vec<SecretHit> = Vec::new();
    // Hits inside a span already reported (or an identifier already judged) are skipped.
    let mut covered_to = 0usize;
    for m in ac.find_iter(text) {
        let start = m.start();
        let Some(&(_, pat)) = PATTERNS.get(m.pattern().as_usize()) else {
            continue;
        };
        if start < covered_to {
            continue;
        }
        // Case-insensitive matching finds name words; token prefixes themselves are exact.
        if !matches!(pat, Pattern::Name | Pattern::Url)
            && text
                .get(start..start + m_len(pat))
                .is_none_or(|p| !is_exact_prefix(p))
        {
            continue;
        }
        let found = match pat {
            Pattern::Aws => aws_key_id(bytes, start),
            Pattern::GitHub => token_after(bytes, start, 4, 30, 255, |b| b.is_ascii_alphanumeric())
                .map(|e| (SecretKind::GitHubToken, start, e, start, e)),
            Pattern::GitHubPat => token_after(bytes, start, 11, 40, 255, is_word_byte)
                .map(|e| (SecretKind::GitHubToken, start, e, start, e)),
            Pattern::GitLab => token_after(bytes, start, 6, 20, 255, is_token_byte)
                .map(|e| (SecretKind::GitLabToken, start, e, start, e)),
            Pattern::Slack => token_after(bytes, start, 5, 10, 255, is_token_byte)
                .map(|e| (SecretKind::SlackToken, start, e, start, e)),
            Pattern::SlackHook => slack_webhook(bytes, start),
            Pattern::PrivateKey => private_key(text, start),
            Pattern::Stripe => token_after(bytes, start, 8, 20, 255, |b| b.is_ascii_alphanumeric())
                .map(|e| (SecretKind::StripeKey, start, e, start, e)),
            Pattern::Google => google_key(bytes, start),
            Pattern::Jwt => jwt(text, start),
            Pattern::Url => url_credentials(text, start),
            Pattern::GoDsn => go_dsn_credentials(text, start),
            Pattern::Name => {
                let (id_start, id_end) = identifier_around(bytes, start);
                covered_to = covered_to.max(id_end);
                if opts.assignments {
                    assignment(text, id_start, id_end)
                } else {
                    None
                }
            }
        };
        let Some((kind, s, e, ss, se)) = found else {
            continue;
        };
        let Some(secret_text) = text.get(ss..se) else {
            continue;
        };
        // A token body of low entropy is documentation. Passwords (assigned, or in a URL or
        // DSN) are judged by the placeholder vocabulary instead: `memos` is a weak password,
        // not a fake token.
        let is_password = matches!(kind, SecretKind::Assigned | SecretKind::UrlCredentials);
        if kind != SecretKind::PrivateKey && !is_password && is_fake_token(secret_text) {
            continue;
        }
        if allow.allows(secret_text) {
            continue;
        }
        // An assignment's value is scanned further: a known format in it is reported as such.
        if kind != SecretKind::Assigned {
            covered_to = covered_to.max(e);
        }
        let name = if kind == SecretKind::Assigned {
            text.get(s..).map(leading_identifier).unwrap_or_default()
        } else {
            String::new()
        };
        let hit = SecretHit {
            kind,
            span: Span::new(base + s, base + e),
            secret: Span::new(base + ss, base + se),
            name,
        };
        if assignments && kind != SecretKind::Assigned {
            plain.push(hit.clone());
        }
        hits.push(hit);
        if kind == SecretKind::AwsAccessKeyId
            && let Some(h) = aws_secret_near(text, s, e, base, allow)
        {
            if assignments && !plain.iter().any(|x| x.secret == h.secret) {
                plain.push(h.clone());
            }
            if !hits.iter().any(|x| x.secret == h.secret) {
                hits.push(h);
            }
        }
    }
    (finish(hits), finish(plain))
}

/// Drops assignments overlapping a known-format hit and sorts by position.
fn finish(mut hits: Vec<SecretHit>) -> Vec<SecretHit> {
    let known: Vec<Span> = hits
        .iter()
        .filter(|h| h.kind != SecretKind::Assigned)
        .map(|h| h.secret)
        .collect();
    hits.retain(|h| {
        h.kind != SecretKind::Assigned
            || !known
                .iter()
                .any(|k| k.start < h.secret.end && h.secret.start < k.end)
    });
    hits.sort_by_key(|h| (h.span.start, h.span.end));
    hits
}

fn m_len(p: Pattern) -> usize {
    match p {
        Pattern::Aws | Pattern::GitHub | Pattern::Google => 4,
        Pattern::GitHubPat => 11,
        Pattern::GitLab => 6,
        Pattern::Slack => 5,
        Pattern::SlackHook => 16,
        Pattern::PrivateKey => 11,
        Pattern::Stripe => 8,
        Pattern::Jwt => 3,
        Pattern::Url => 3,
        Pattern::GoDsn => 5,
        Pattern::Name => 0,
    }
}

fn is_exact_prefix(p: &str) -> bool {
    PATTERNS.iter().any(|(q, _)| *q == p)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A token body made of one repeated character, or holding `example`/`xxxx`, is documentation.
fn is_fake_token(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if lower.contains("example") || lower.contains("xxxx") || lower.contains("0000000000") {
        return true;
    }
    // Low entropy over the whole token (`ghp_aaaaaaaa…`) means a placeholder.
    shannon_entropy(s) < 2.5
}

/// `start` is the first byte of the token; the token must not continue a longer word on its left.
fn starts_at_boundary(bytes: &[u8], start: usize) -> bool {
    start == 0
        || bytes
            .get(start - 1)
            .is_none_or(|&b| !b.is_ascii_alphanumeric())
}

/// End of a token made of `prefix_len` bytes of prefix and then `min..=max` bytes for which
/// `ok` holds, followed by a byte that is not part of such a token.
fn token_after(
    bytes: &[u8],
    start: usize,
    prefix_len: usize,
    min: usize,
    max: usize,
    ok: impl Fn(u8) -> bool,
) -> Option<usize> {
    if !starts_at_boundary(bytes, start) {
        return None;
    }
    let body = start + prefix_len;
    let mut end = body;
    while end < bytes.len() && end - body <= max && bytes.get(end).is_some_and(|&b| ok(b)) {
        end += 1;
    }
    let n = end - body;
    (n >= min && n <= max).then_some(end)
}

type Found = (SecretKind, usize, usize, usize, usize);

fn aws_key_id(bytes: &[u8], start: usize) -> Option<Found> {
    let end = token_after(bytes, start, 4, 16, 16, |b| {
        b.is_ascii_uppercase() || b.is_ascii_digit()
    })?;
    Some((SecretKind::AwsAccessKeyId, start, end, start, end))
}

/// A 40-character base64 run within a few lines of an access key ID: its secret key.
fn aws_secret_near(
    text: &str,
    id_start: usize,
    id_end: usize,
    base: usize,
    allow: &Allowlist,
) -> Option<SecretHit> {
    const WINDOW: usize = 400;
    let lo = floor_char_boundary(text, id_start.saturating_sub(WINDOW));
    let hi = floor_char_boundary(text, (id_end + WINDOW).min(text.len()));
    let bytes = text.as_bytes();
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
    let mut i = lo;
    while i < hi {
        if !bytes.get(i).copied().is_some_and(is_b64) {
            i += 1;
            continue;
        }
        let s = i;
        while i < hi && bytes.get(i).copied().is_some_and(is_b64) {
            i += 1;
        }
        let candidate = text.get(s..i)?;
        if i - s == 40
            && shannon_entropy(candidate) > 4.0
            && candidate.bytes().any(|b| b.is_ascii_lowercase())
            && !is_fake_token(candidate)
            && !allow.allows(candidate)
        {
            return Some(SecretHit {
                kind: SecretKind::AwsSecretKey,
                span: Span::new(base + s, base + i),
                secret: Span::new(base + s, base + i),
                name: String::new(),
            });
        }
    }
    None
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn slack_webhook(bytes: &[u8], start: usize) -> Option<Found> {
    let rest = bytes.get(start + 16..)?;
    let path_len = ["services/", "workflows/", "triggers/"]
        .iter()
        .find(|p| rest.starts_with(p.as_bytes()))?
        .len();
    let body = start + 16 + path_len;
    let mut end = body;
    while bytes
        .get(end)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'_')
    {
        end += 1;
    }
    if end - body < 20 {
        return None;
    }
    // Point at the whole URL, starting at its scheme when there is one.
    let mut s = start;
    while s > 0
        && bytes
            .get(s - 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b':' || b == b'/')
    {
        s -= 1;
    }
    Some((SecretKind::SlackWebhook, s, end, body, end))
}

/// `-----BEGIN [TYPE ]PRIVATE KEY-----` up to its END line, with a body of real key material.
fn private_key(text: &str, start: usize) -> Option<Found> {
    let header_rest = text.get(start + 11..)?;
    let dash = header_rest.find("-----")?;
    let label = header_rest.get(..dash)?;
    if !label.ends_with("PRIVATE KEY") || label.len() > 40 || label.contains('\n') {
        return None;
    }
    let body_start = start + 11 + dash + 5;
    let after = text.get(body_start..)?;
    let (body_len, end) = match after.find("-----END ") {
        Some(i) => {
            let tail = after.get(i + 9..)?;
            let close = tail.find("-----").map_or(0, |j| j + 5);
            (i, body_start + i + 9 + close)
        }
        None => {
            let n = after.len().min(4096);
            let n = floor_char_boundary(after, n);
            (n, body_start + n)
        }
    };
    let body = text.get(body_start..body_start + body_len)?;
    let material = body
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .count();
    if material < 64 || is_fake_token(body) {
        return None;
    }
    // The secret is the key material, without the blanks around it.
    let lead = body.len() - body.trim_start().len();
    let trail = body.len() - body.trim_end().len();
    let (ss, se) = (body_start + lead, body_start + body_len - trail);
    Some((SecretKind::PrivateKey, start, end, ss, se.max(ss)))
}

fn google_key(bytes: &[u8], start: usize) -> Option<Found> {
    let end = token_after(bytes, start, 4, 35, 35, is_token_byte)?;
    Some((SecretKind::GoogleApiKey, start, end, start, end))
}

/// Three base64url parts whose header decodes to a JSON object naming an `alg`.
fn jwt(text: &str, start: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    if !starts_at_boundary(bytes, start) {
        return None;
    }
    let is_b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let mut parts = [(0usize, 0usize); 3];
    let mut i = start;
    for (n, part) in parts.iter_mut().enumerate() {
        let s = i;
        while bytes.get(i).copied().is_some_and(is_b64url) {
            i += 1;
        }
        *part = (s, i);
        if n < 2 {
            if bytes.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    let [(hs, he), (ps, pe), (ss, se)] = parts;
    if he - hs < 10 || pe - ps < 4 || se - ss < 16 {
        return None;
    }
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.get(hs..he)?)
        .ok()?;
    let header = std::str::from_utf8(&header).ok()?;
    let header = header.trim_start();
    if !header.starts_with('{') || !header.contains("\"alg\"") {
        return None;
    }
    Some((SecretKind::Jwt, start, se, start, se))
}

/// `scheme://user:password@host`: the password is the secret.
fn url_credentials(text: &str, sep: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    let mut s = sep;
    while s > 0
        && bytes
            .get(s - 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'.' || b == b'-')
    {
        s -= 1;
    }
    if s == sep || !bytes.get(s).is_some_and(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let auth_start = sep + 3;
    // The authority ends at the first `/`, `?`, `#`, whitespace or quote; the userinfo at its
    // last `@`.
    let mut end = auth_start;
    while let Some(&b) = bytes.get(end) {
        if matches!(
            b,
            b'/' | b'?' | b'#' | b'"' | b'\'' | b'`' | b'\\' | b'<' | b'>'
        ) || b.is_ascii_whitespace()
        {
            break;
        }
        end += 1;
    }
    let authority = text.get(auth_start..end)?;
    let at = authority.rfind('@')?;
    let userinfo = authority.get(..at)?;
    let colon = userinfo.find(':')?;
    let password = userinfo.get(colon + 1..)?;
    let user = userinfo.get(..colon)?;
    if password.is_empty() || is_placeholder(password) || is_placeholder_user_pass(user, password) {
        return None;
    }
    let ps = auth_start + colon + 1;
    Some((
        SecretKind::UrlCredentials,
        s,
        auth_start + authority.len(),
        ps,
        ps + password.len(),
    ))
}

/// `user:password@tcp(host)/db` (Go's database/sql DSN): the password is the secret. `at` is
/// the offset of the `@`.
fn go_dsn_credentials(text: &str, at: usize) -> Option<Found> {
    let bytes = text.as_bytes();
    let mut s = at;
    while s > 0
        && bytes.get(s - 1).is_some_and(|&b| {
            !b.is_ascii_whitespace()
                && !matches!(b, b'"' | b'\'' | b'`' | b'=' | b',' | b'(' | b'/')
        })
    {
        s -= 1;
    }
    let userinfo = text.get(s..at)?;
    let colon = userinfo.find(':')?;
    let (user, password) = (userinfo.get(..colon)?, userinfo.get(colon + 1..)?);
    if user.is_empty()
        || password.is_empty()
        || is_placeholder(password)
        || is_placeholder_user_pass(user, password)
    {
        return None;
    }
    let ps = s + colon + 1;
    Some((SecretKind::UrlCredentials, s, at, ps, at))
}

/// `user:pass@`, `username:password@` and the like are documentation.
fn is_placeholder_user_pass(user: &str, password: &str) -> bool {
    let p = password.to_ascii_lowercase();
    matches!(p.as_str(), "pass" | "pwd" | "passw0rd" | "pw") || user.contains('$')
}

/// The identifier around byte `at`: letters, digits, `_`, `-` and `.`.
fn identifier_around(bytes: &[u8], at: usize) -> (usize, usize) {
    let is_id = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.';
    let mut s = at;
    while s > 0 && bytes.get(s - 1).copied().is_some_and(is_id) {
        s -= 1;
    }
    let mut e = at;
    while bytes.get(e).copied().is_some_and(is_id) {
        e += 1;
    }
    // `-` and `.` lead flags and paths, not names.
    while s < e && bytes.get(s).is_some_and(|&b| b == b'-' || b == b'.') {
        s += 1;
    }
    (s, e)
}

fn leading_identifier(s: &str) -> String {
    s.bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        .map(char::from)
        .collect()
}

/// `NAME=value`, `NAME: value`, `"NAME": "value"` with a secret-looking NAME and a random-looking
/// literal value.
fn assignment(text: &str, id_start: usize, id_end: usize) -> Option<Found> {
    let name = text.get(id_start..id_end)?;
    let bytes = text.as_bytes();
    // Not a name being assigned: a path component (`/etc/passwd:ro`), a reference
    // (`$TOKEN`, `${SMTP_PASS:-default}`, `$${X}`, `%secret%`), an address (`user@pass`).
    let before = id_start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
    let before2 = id_start.checked_sub(2).and_then(|i| bytes.get(i)).copied();
    if matches!(before, Some(b'/' | b'\\' | b'$' | b'%' | b'@'))
        || (before == Some(b'{') && before2 == Some(b'$'))
    {
        return None;
    }
    let mut i = id_end;
    if matches!(bytes.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'=') => i += 1,
        Some(b':') if bytes.get(i + 1) != Some(&b':') => i += 1,
        _ => return None,
    }
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    let quote = match bytes.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            i += 1;
            Some(q)
        }
        _ => None,
    };
    // An unquoted `[` or `{` opens a flow collection (`secrets: [db_password, api_token]`, a
    // list of secret *names*), not a literal.
    if quote.is_none() && matches!(bytes.get(i), Some(b'[' | b'{')) {
        return None;
    }
    let vs = i;
    while let Some(&b) = bytes.get(i) {
        let stop = match quote {
            Some(q) => b == q || b == b'\n',
            None => {
                b.is_ascii_whitespace() || matches!(b, b';' | b'&' | b'|' | b',' | b'"' | b'\'')
            }
        };
        if stop {
            break;
        }
        i += 1;
    }
    let value = text.get(vs..i)?;
    // Cheapest checks first: most candidate names are not followed by a literal.
    if value.len() < 4 {
        return None;
    }
    let random = looks_random(value);
    // The bare key of a connection string or a config object (`password=memos` in a DSN,
    // `"password": "memos"` in JSON) holds a password whatever it looks like; elsewhere in free
    // text only a random-looking value is taken for a secret.
    let bare_key = matches!(
        name.to_ascii_lowercase().as_str(),
        "password" | "passwd" | "pwd" | "pass" | "secret" | "passphrase"
    );
    if !random && !bare_key {
        return None;
    }
    let kind = secret_name(name)?;
    let found = if random {
        holds_secret(kind, value)
    } else {
        !is_placeholder(value) && !reads_as_a_name(value)
    };
    found.then_some((SecretKind::Assigned, id_start, i, vs, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfa_and_dfa_find_the_same_matches() {
        let dfa = DFA.get_or_init(|| build_automaton(AhoCorasickKind::DFA));
        let (Some(nfa), Some(dfa)) = (NFA.as_ref(), dfa.as_ref()) else {
            panic!("the automata must build");
        };
        let texts = [
            "ENV DB_PASSWORD=hunter2 API_KEY=AKIAABCDEFGHIJKLMNOP",
            "RUN curl https://user:pw@example.com/x && echo ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE sk_live_abc xoxb-1 eyJhbGciOi AIzaSy PaSsWoRd",
            "no secrets here, just words: keynote tokenizer authority credit",
        ];
        for t in texts {
            let a: Vec<_> = nfa
                .find_iter(t)
                .map(|m| (m.start(), m.end(), m.pattern()))
                .collect();
            let b: Vec<_> = dfa
                .find_iter(t)
                .map(|m| (m.start(), m.end(), m.pattern()))
                .collect();
            assert!(a.len() >= 2, "{t}: {a:?}");
            assert_eq!(a, b, "{t}");
        }
    }

    fn kinds(text: &str) -> Vec<(SecretKind, String)> {
        scan(
            text,
            0,
            &Allowlist::default(),
            ScanOptions { assignments: true },
        )
        .into_iter()
        .map(|h| (h.kind, h.secret.text(text).to_string()))
        .collect()
    }

    // Built at run time so that the repository holds no string a secret scanner would flag.
    fn fake(prefix: &str, body_len: usize) -> String {
        let alphabet = b"Q7mZp2RkX9aLw4TnV8cYh3JsB6dGf5Ku";
        let body: String = (0..body_len)
            .map(|i| char::from(alphabet[(i * 7 + 3) % alphabet.len()]))
            .collect();
        format!("{prefix}{body}")
    }

    #[test]
    fn known_formats() {
        let gh = fake("ghp_", 36);
        let gl = fake("glpat-", 20);
        let sl = fake("xoxb-", 24);
        let st = fake("sk_live_", 24);
        let go = fake("AIza", 35);
        let aws = fake("AKIA", 16).to_ascii_uppercase();
        let text = format!("RUN a {gh}\nENV X={gl} Y=\"{sl}\"\n# {st}\nk: {go}\nid={aws}\n");
        let found = kinds(&text);
        let got: Vec<SecretKind> = found.iter().map(|x| x.0).collect();
        assert_eq!(
            got,
            [
                SecretKind::GitHubToken,
                SecretKind::GitLabToken,
                SecretKind::SlackToken,
                SecretKind::StripeKey,
                SecretKind::GoogleApiKey,
                SecretKind::AwsAccessKeyId,
            ]
        );
        assert_eq!(found[0].1, gh);
        assert_eq!(found[5].1, aws);
    }

    #[test]
    fn aws_secret_key_near_the_id() {
        let aws = fake("AKIA", 16).to_ascii_uppercase();
        let secret = fake("", 40).replace('Q', "/");
        let text = format!("aws_access_key_id={aws}\nAWS_SECRET_ACCESS_KEY={secret}\n");
        let found = scan(
            &text,
            0,
            &Allowlist::default(),
            ScanOptions { assignments: false },
        );
        let kinds: Vec<SecretKind> = found.iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            [SecretKind::AwsAccessKeyId, SecretKind::AwsSecretKey]
        );
        assert_eq!(found[1].secret.text(&text), secret);
    }

    #[test]
    fn formats_must_be_whole_and_real() {
        // Too short, embedded in a word, placeholders, wrong case.
        let text = "ghp_short xghp_abcdefghijklmnopqrstuvwxyz0123456789 \
                    ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx AKIAIOSFODNN7EXAMPLE \
                    GHP_Abcdefghijklmnopqrstuvwxyz0123456789 akiaABCDEFGHIJKLMNOP";
        assert_eq!(kinds(text), []);
    }

    #[test]
    fn private_key_blocks() {
        let body = fake("", 64 * 3);
        let text = format!(
            "RUN echo '-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----' > k"
        );
        let hits = scan(
            &text,
            10,
            &Allowlist::default(),
            ScanOptions { assignments: false },
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, SecretKind::PrivateKey);
        assert_eq!(
            hits[0].span.text(&format!("{}{text}", " ".repeat(10))),
            &text[text.find("-----BEGIN").unwrap_or(0)..text.len() - 5]
        );
        // A documentation block with no key material is not a secret, nor a public key.
        assert_eq!(
            kinds("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"),
            []
        );
        assert_eq!(kinds(&format!("-----BEGIN PUBLIC KEY-----\n{body}\n")), []);
    }

    #[test]
    fn jwts_need_a_json_header_with_alg() {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"sub":"1"}"#);
        let sig = fake("", 43);
        let token = format!("{header}.{payload}.{sig}");
        assert_eq!(
            kinds(&format!("Authorization: Bearer {token}\n")),
            [(SecretKind::Jwt, token)]
        );
        let not_json = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("{not a header}");
        assert_eq!(kinds(&format!("eyJ{not_json}.{payload}.{sig}")), []);
    }

    #[test]
    fn url_credentials() {
        let found = kinds("RUN git clone https://bob:hunter2pass@git.example.org/x.git");
        assert_eq!(
            found,
            [(SecretKind::UrlCredentials, "hunter2pass".to_string())]
        );
        for ok in [
            "https://git.example.org/x.git",
            "https://bob@host/x",
            "postgres://user:${DB_PASSWORD}@db/app",
            "https://user:pass@host",
            "https://u:changeme@host",
            "::1",
            "://x:y@z",
        ] {
            assert_eq!(kinds(ok), [], "{ok}");
        }
    }

    #[test]
    fn slack_webhooks() {
        let url = format!(
            "https://hooks.slack.com/services/T0{}/B0{}/{}",
            fake("", 8),
            fake("", 8),
            fake("", 24)
        );
        let found = scan(
            &url,
            0,
            &Allowlist::default(),
            ScanOptions { assignments: false },
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, SecretKind::SlackWebhook);
        assert_eq!(found[0].span.text(&url), url);
    }

    #[test]
    fn assignments_of_random_values() {
        let v = fake("", 20);
        let found = kinds(&format!("RUN export API_KEY={v} && DB_PASSWORD=\"{v}\"\n"));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].1, v);
        let hits = scan(
            &format!("  \"client_secret\": \"{v}\""),
            0,
            &Allowlist::default(),
            ScanOptions { assignments: true },
        );
        assert_eq!(hits[0].name, "client_secret");
        for ok in [
            "RUN export API_KEY=$API_KEY",
            "TOKEN_URL=https://x/y",
            "PASSWORD_FILE=/run/secrets/db",
            "password=changeme",
            "apt-key adv --keyserver keyserver.ubuntu.com",
            "SECRET=abc",
        ] {
            assert_eq!(kinds(ok), [], "{ok}");
        }
        // Off: assignments are another rule's business.
        let off = scan(
            &format!("API_KEY={v}"),
            0,
            &Allowlist::default(),
            ScanOptions { assignments: false },
        );
        assert!(off.is_empty());
    }

    #[test]
    fn passwords_in_connection_strings_and_config_objects() {
        let found = kinds("ENV DSN=\"host=db user=memos password=memos dbname=memos\"\n");
        assert_eq!(found, [(SecretKind::Assigned, "memos".to_string())]);
        let found = kinds("RUN echo '{\"user\": \"app\", \"password\": \"memos1\"}' > c.json\n");
        assert_eq!(found, [(SecretKind::Assigned, "memos1".to_string())]);
        let found = kinds("MEMOS_DSN: memos:memos@tcp(db:3306)/memos\n");
        assert_eq!(found, [(SecretKind::UrlCredentials, "memos".to_string())]);
        assert_eq!(kinds("dsn: ${DB_USER}:${DB_PASSWORD}@tcp(db)/app"), []);
    }

    #[test]
    fn names_that_are_not_being_assigned() {
        let v = fake("", 16);
        for t in [
            "# docker run -v /etc/passwd:/etc/passwd:ro image".to_string(),
            format!("command: redis-server --requirepass ${{SMTP_PASS:-{v}}}"),
            format!("command: sh -c 'redis-server --requirepass $${{REDIS_PASSWORD:-{v}}}'"),
            "JWT_SECRET_KEY=%kernel.project_dir%/config/jwt/private.pem".to_string(),
            "SMTP_PASSWORD: ${SMTP_PASS:-SMTPPassword}".to_string(),
            // Flow collections hold secret names and file references, not values.
            "    secrets: [db_password, stripe_secret_key]".to_string(),
            format!("  npm_token: {{file: ./secrets/{v}.txt}}"),
        ] {
            assert_eq!(kinds(&t), [], "{t}");
        }
    }

    #[test]
    fn short_and_glued_password_names() {
        let v = fake("", 16);
        for name in ["CS2_PW", "RCONPW", "VPN_IPSEC_PSK", "LDAP_ROOTPASS"] {
            let found = kinds(&format!("{name}={v}"));
            assert_eq!(found, [(SecretKind::Assigned, v.clone())], "{name}");
        }
    }

    #[test]
    fn a_known_format_in_an_assignment_keeps_its_kind() {
        let gh = fake("ghp_", 36);
        assert_eq!(
            kinds(&format!("RUN export GH_TOKEN={gh}\n")),
            [(SecretKind::GitHubToken, gh)]
        );
    }

    #[test]
    fn allowlist_silences_values() {
        let gh = fake("ghp_", 36);
        let allow = Allowlist::new(std::slice::from_ref(&gh));
        assert!(scan(&gh, 0, &allow, ScanOptions { assignments: true }).is_empty());
        let allow = Allowlist::new(&["/^ghp_Za8B/".to_string()]);
        assert!(scan(&gh, 0, &allow, ScanOptions { assignments: true }).is_empty());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "",
            "AKIA",
            "ghp_",
            "eyJ",
            "eyJ.",
            "eyJa.b.",
            "://",
            "a://@",
            "-----BEGIN ",
            "-----BEGIN PRIVATE KEY-----",
            "hooks.slack.com/",
            "héllo token=ü€",
            "KEY=\"",
        ] {
            let _ = kinds(t);
        }
    }
}

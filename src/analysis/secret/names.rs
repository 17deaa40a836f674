//! Which variable names look like they hold a secret, and which values are not real secrets.
//!
//! Names are split into words (on `_ - .`, spaces and camelCase) and judged word by word, so
//! `TOKENIZER_VERSION` or `PASSWORD_FILE` are not taken for secrets.

/// The lowercase words of a name: `dbPassword_FILE` -> `db`, `password`, `file`; `APIKey` ->
/// `api`, `key`.
pub fn name_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let next = chars.get(i + 1).copied();
            let lower_before = prev.is_some_and(|p| p.is_lowercase());
            // `APIKey`: the K starts a new word because a lowercase letter follows it.
            let acronym_end =
                prev.is_some_and(|p| p.is_uppercase()) && next.is_some_and(|n| n.is_lowercase());
            if lower_before || acronym_end {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether `hay` holds `needle` (ASCII lowercase) in any ASCII case, without allocating.
pub fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Words that are a secret on their own.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "secret",
    "token",
    "apikey",
    "apitoken",
    "credential",
    "credentials",
    "creds",
    "privatekey",
    "secretkey",
    "accesskey",
    "authtoken",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "authorization",
];

/// Endings that make a glued word a secret: `dbpassword`, `githubtoken`, `clientsecret`.
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
];

/// Words that make `<word>_KEY` a secret (`API_KEY`, `SIGNING_KEY`); a bare `KEY` or `GPG_KEY`
/// (usually a public fingerprint) is not.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "signing",
    "sign",
    "encryption",
    "encrypt",
    "master",
    "license",
    "licence",
    "auth",
    "session",
    "client",
    "account",
    "app",
    "consumer",
    "jwt",
    "hmac",
    "storage",
    "shared",
    "sas",
    "admin",
    "deploy",
    "ssh",
    "crypt",
    "cipher",
    "aes",
    "rsa",
    "ed25519",
    "ecdsa",
];

/// A word anywhere in the name that says it is not the secret itself.
const NEGATING_WORDS: &[&str] = &[
    "public",
    "pub",
    "publishable",
    "allow",
    "empty",
    "random",
    "generate",
    "skip",
    "no",
    "disable",
    "disabled",
    "enable",
    "enabled",
    "require",
    "required",
    "use",
    "min",
    "max",
    "num",
    "per",
    "length",
    "len",
    "is",
    "has",
    "policy",
    "expiry",
    "expires",
    "expire",
    "expiration",
    "ttl",
    "lifetime",
    "timeout",
    "rotation",
    "format",
    "type",
    "algorithm",
    "alg",
    "method",
    "mode",
    "fingerprint",
    "checksum",
    "limit",
    "count",
    "tokenizer",
];

/// A last word that names where or how a secret is found, not the secret: `PASSWORD_FILE`.
const NEGATING_LAST: &[&str] = &[
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "directory",
    "folder",
    "url",
    "uri",
    "endpoint",
    "host",
    "hostname",
    "port",
    "name",
    "user",
    "username",
    "version",
    "ver",
    "id",
    "ids",
    "prefix",
    "suffix",
    "location",
    "env",
    "var",
    "variable",
    "store",
    "ref",
    "arn",
    "label",
    "field",
    "hint",
    "provider",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "server",
    "service",
    "command",
    "cmd",
    "script",
    "helper",
    "manager",
    "mount",
    "volume",
    "size",
    "regex",
    "pattern",
    "header",
    "source",
    "src",
    "stdin",
    "prompt",
];

/// Whether a variable name looks like it holds a secret (`DB_PASSWORD`, `apiKey`,
/// `AWS_SECRET_ACCESS_KEY`), and not a pointer to one (`PASSWORD_FILE`) or a setting about one
/// (`TOKEN_EXPIRY`, `PUBLIC_KEY`).
pub fn is_secret_name(name: &str) -> bool {
    // Every secret word, plural, suffix and `key`/`pwd` holds one of these; an ASCII name holding
    // none (most names) is not secret, without splitting it into words.
    if name.is_ascii()
        && !["pass", "secret", "token", "key", "cred", "auth", "pwd"]
            .iter()
            .any(|n| contains_ignore_ascii_case(name, n))
    {
        return false;
    }
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NEGATING_LAST.contains(&last.as_str()) {
        return false;
    }
    if words.iter().any(|w| NEGATING_WORDS.contains(&w.as_str())) {
        return false;
    }
    let n = words.len();
    words.iter().enumerate().any(|(i, w)| {
        let w = w.as_str();
        let is_last = i + 1 == n;
        let prev = i
            .checked_sub(1)
            .and_then(|p| words.get(p))
            .map(String::as_str);
        SECRET_WORDS.contains(&w)
            // Plurals and short forms are secrets only as the final word: `API_TOKENS`, `DB_PASS`
            // but not `TOKENS_PER_MINUTE` or `PASS_THROUGH`.
            || (is_last && matches!(w, "tokens" | "secrets" | "pass" | "auth"))
            // `PWD` alone is the shell's working directory.
            || (w == "pwd" && n > 1)
            || (w == "key" && prev.is_some_and(|p| KEY_QUALIFIERS.contains(&p)))
            || (w.len() > 6 && SECRET_SUFFIXES.iter().any(|s| w.ends_with(s)))
    })
}

/// Values that are not a real secret: empty, references (`${TOKEN}`, `$TOKEN`, `$(cmd)`),
/// templates (`{{ .token }}`), obvious placeholders (`changeme`, `<password>`, `xxx`, `example`),
/// booleans and small numbers, paths and URLs without credentials.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.is_empty() || is_reference(v) {
        return true;
    }
    if v.contains("{{") || v.contains("%(") || (v.starts_with('<') && v.ends_with('>')) {
        return true;
    }
    if (v.starts_with('[') && v.ends_with(']')) || (v.starts_with('{') && v.ends_with('}')) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    const WHOLE: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "secret",
        "password",
        "passwd",
        "pass",
        "token",
        "apikey",
        "api_key",
        "key",
        "example",
        "dummy",
        "test",
        "testing",
        "none",
        "null",
        "nil",
        "undefined",
        "todo",
        "tbd",
        "placeholder",
        "redacted",
        "default",
        "foo",
        "bar",
        "foobar",
        "sample",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "required",
        "optional",
        "empty",
        "unset",
        "secrets",
        "fake",
        "mock",
        "notasecret",
    ];
    if WHOLE.contains(&lower.as_str()) {
        return true;
    }
    const PARTS: &[&str] = &[
        "example",
        "changeme",
        "change_me",
        "change-me",
        "placeholder",
        "redacted",
        "dummy",
        "your_",
        "your-",
        "insert",
        "replace",
        "xxxx",
        "****",
        "....",
        "<",
        ">",
    ];
    if PARTS.iter().any(|p| lower.contains(p)) || lower.starts_with("your") {
        return true;
    }
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    if v.len() <= 4 && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    looks_like_path(v) || is_plain_url(v)
}

/// `${VAR}`, `$VAR`, `$(cmd)`, `${{ secrets.X }}`, `%VAR%`, or a value holding one: not a
/// literal.
pub fn is_reference(v: &str) -> bool {
    let b = v.as_bytes();
    let dollar_ref = b.windows(2).any(|w| {
        w.first() == Some(&b'$')
            && w.get(1)
                .is_some_and(|&c| c == b'{' || c == b'(' || c == b'_' || c.is_ascii_alphabetic())
    });
    dollar_ref || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
}

fn looks_like_path(v: &str) -> bool {
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.get(1..3) == Some(":\\")
}

/// A URL with no `user:password@` part.
fn is_plain_url(v: &str) -> bool {
    match v.find("://") {
        Some(i)
            if i > 0
                && v[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+') =>
        {
            let rest = &v[i + 3..];
            let authority = rest.split('/').next().unwrap_or("");
            !authority.contains('@')
        }
        _ => false,
    }
}

/// Shannon entropy of `s` in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        if let Some(c) = counts.get_mut(b as usize) {
            *c += 1;
        }
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a literal assigned to a secret-looking name in free text (a shell `export`, a
/// `--build-arg`) is random enough to be a real credential rather than prose or a setting.
pub fn looks_random(v: &str) -> bool {
    if v.len() < 8 || is_placeholder(v) {
        return false;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
        v.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&x| x)
    .count();
    classes >= 2 && shannon_entropy(v) >= 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(name_words("dbPassword_FILE"), ["db", "password", "file"]);
        assert_eq!(name_words("APIKey"), ["api", "key"]);
        assert_eq!(name_words("api-key.v2"), ["api", "key", "v2"]);
        assert_eq!(name_words("OAUTH2_TOKEN"), ["oauth2", "token"]);
        assert_eq!(name_words("__"), Vec::<String>::new());
    }

    #[test]
    fn secret_names() {
        for n in [
            "PASSWORD",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "db_passwd",
            "DB_PWD",
            "SMTP_PASS",
            "client_secret",
            "SECRET_KEY_BASE",
            "GITHUB_TOKEN",
            "NPM_TOKEN",
            "API_KEY",
            "apikey",
            "API-KEY",
            "apiKey",
            "AWS_SECRET_ACCESS_KEY",
            "ACCESS_KEY",
            "CREDENTIALS",
            "PRIVATE_KEY",
            "NPM_AUTH",
            "dbPassword",
            "GH_AUTHTOKEN",
            "JWT_SECRET",
            "NEW_RELIC_LICENSE_KEY",
            "SSH_PRIVATE_KEY",
        ] {
            assert!(is_secret_name(n), "{n} should look secret");
        }
    }

    #[test]
    fn names_that_are_not_secrets() {
        for n in [
            "TOKENIZER_VERSION",
            "PASSWORD_FILE",
            "POSTGRES_PASSWORD_FILE",
            "SECRET_PATH",
            "TOKEN_URL",
            "PUBLIC_KEY",
            "NEXT_PUBLIC_API_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "GPG_KEY",
            "KEY",
            "PWD",
            "AWS_ACCESS_KEY_ID",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
            "MAX_TOKENS",
            "TOKENS_PER_MINUTE",
            "AUTH_ENABLED",
            "AUTH_TYPE",
            "PASSWORD_MIN_LENGTH",
            "TOKEN_EXPIRY",
            "NODE_VERSION",
            "PASSTHROUGH",
            "COMPASS",
            "BYPASS_CACHE",
            "KEYRING",
            "",
        ] {
            assert!(!is_secret_name(n), "{n} should not look secret");
        }
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for v in [
            "",
            "  ",
            "${API_TOKEN}",
            "$TOKEN",
            "$(cat /run/secrets/x)",
            "${{ secrets.TOKEN }}",
            "{{ .Values.token }}",
            "changeme",
            "<password>",
            "xxx",
            "XXXXXXXX",
            "example",
            "my-example-key",
            "your_token_here",
            "true",
            "0",
            "/run/secrets/db",
            "https://vault.internal/v1",
            "'changeme'",
            "%TOKEN%",
        ] {
            assert!(is_placeholder(v), "{v:?} should be a placeholder");
        }
        for v in ["hunter2", "s3cr3t-P4ss", "postgres", "https://u:p@host"] {
            assert!(!is_placeholder(v), "{v:?} should be a literal");
        }
    }

    #[test]
    fn entropy_and_randomness() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(looks_random("q8Zr3LmX0pVt7YwK"));
        assert!(!looks_random("abcdefgh"));
        assert!(!looks_random("changeme123"));
        assert!(!looks_random("short1A"));
    }
}

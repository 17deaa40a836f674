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
    // A VPN's pre-shared key (`VPN_IPSEC_PSK`).
    "psk",
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
    // How a secret is stored or checked, not the secret: `PASSWORD_HASH_ALGO=bcrypt`.
    "hash",
    "hashing",
    "hasher",
    "algo",
    "cost",
    "rounds",
    "strength",
    "complexity",
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
    // Settings next to a secret: `REGISTRY_AUTH_HTPASSWD_REALM`, `SECRET_FORCED_LANGUAGE`.
    "realm",
    "language",
    "lang",
    "locale",
    "backend",
    "driver",
    "plugin",
    "class",
    "storage",
    "engine",
];

/// Last words that qualify the secret without changing what it is: `SECRET_KEY_BASE`,
/// `DB_PASSWORD_PROD`, `API_TOKEN_V2`. They are set aside before the head word is judged.
const TRAILING_MODIFIERS: &[&str] = &[
    "base",
    "value",
    "val",
    "string",
    "str",
    "raw",
    "plain",
    "plaintext",
    "b64",
    "base64",
    "hex",
    "encoded",
    "prod",
    "production",
    "dev",
    "development",
    "staging",
    "local",
    "default",
    "old",
    "new",
    "current",
    "primary",
    "secondary",
    "override",
];

/// Words ending in `pass` that are not a password: `BYPASS`, `COMPASS`.
const NOT_PASS: &[&str] = &[
    "bypass",
    "compass",
    "encompass",
    "overpass",
    "underpass",
    "surpass",
    "trespass",
    "multipass",
    "firstpass",
    "onepass",
];

/// What a value must look like for a secret-looking name to hold a secret in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretName {
    /// Any literal that is not a placeholder: a password, a token, an API key. A weak one
    /// (`password`, `admin`) is still a credential written in the file.
    Literal,
    /// Only a random-looking value: the name is as often a method or a switch (`REGISTRY_AUTH`
    /// is `htpasswd` or `token`; `NPM_AUTH` holds a token).
    Random,
}

/// Whether a variable name looks like it holds a secret (`DB_PASSWORD`, `apiKey`,
/// `AWS_SECRET_ACCESS_KEY`), and not a pointer to one (`PASSWORD_FILE`) or a setting about one
/// (`TOKEN_EXPIRY`, `PUBLIC_KEY`, `PASSWORD_HASH_ALGO`).
pub fn is_secret_name(name: &str) -> bool {
    secret_name(name).is_some()
}

/// How a name holds a secret (see [`SecretName`]), or `None` when it does not.
///
/// A name is judged by its head, its last word once modifiers (`_BASE`, `_PROD`, `_V2`) are
/// set aside, as English compounds are: `DB_PASSWORD` is a password, `PASSWORD_HASH_ALGO` an
/// algorithm, `SECRET_FORCED_LANGUAGE` a language. A negating word anywhere (`PUBLIC`,
/// `ALLOW_EMPTY`, `MAX`) rules it out.
pub fn secret_name(name: &str) -> Option<SecretName> {
    // Every secret word, plural, suffix and `key`/`pw`/`psk` holds one of these; an ASCII name
    // holding none (most names) is not secret, without splitting it into words.
    if name.is_ascii()
        && ![
            "pass", "secret", "token", "key", "cred", "auth", "pw", "psk",
        ]
        .iter()
        .any(|n| contains_ignore_ascii_case(name, n))
    {
        return None;
    }
    let mut words = name_words(name);
    if words.iter().any(|w| NEGATING_WORDS.contains(&w.as_str())) {
        return None;
    }
    while words.len() > 1
        && words.last().is_some_and(|w| {
            TRAILING_MODIFIERS.contains(&w.as_str())
                || w.bytes().all(|b| b.is_ascii_digit())
                || (w.starts_with('v') && w.len() > 1 && w[1..].bytes().all(|b| b.is_ascii_digit()))
        })
    {
        words.pop();
    }
    let n = words.len();
    let head = words.last()?.as_str();
    if NEGATING_LAST.contains(&head) {
        return None;
    }
    let prev = n
        .checked_sub(2)
        .and_then(|p| words.get(p))
        .map(String::as_str);
    let literal = SECRET_WORDS.contains(&head)
        || matches!(head, "tokens" | "secrets" | "pass")
        // `PWD` alone is the shell's working directory.
        || (matches!(head, "pwd" | "pw") && n > 1)
        || (head == "key" && prev.is_some_and(|p| KEY_QUALIFIERS.contains(&p)))
        || (head.len() > 6 && SECRET_SUFFIXES.iter().any(|s| head.ends_with(s)))
        // Glued: `LDAP_ROOTPASS`, `DBPASS`, `RCONPW`, `ADMINPW`.
        || (head.len() > 4 && head.ends_with("pass") && !NOT_PASS.contains(&head))
        || (head.len() > 3 && head.ends_with("pw"));
    if literal {
        return Some(SecretName::Literal);
    }
    (head == "auth").then_some(SecretName::Random)
}

/// Whether `value` is a secret for a name of kind `kind`: not a placeholder, and random-looking
/// where the name needs it.
pub fn holds_secret(kind: SecretName, value: &str) -> bool {
    match kind {
        SecretName::Literal => !is_placeholder(value),
        SecretName::Random => looks_random(value) || is_user_password(value),
    }
}

/// `user:password`, as `BASIC_AUTH=admin:s3cret` holds it.
fn is_user_password(v: &str) -> bool {
    v.split_once(':').is_some_and(|(u, p)| {
        !u.is_empty() && !p.is_empty() && !v.contains("://") && !is_placeholder(p)
    })
}

/// Whether a value reads as the name of a secret rather than the secret: words joined by `-`,
/// `.` or `_` in lower case (`proxy-secret`, `etcd-cluster-1`, `proxy-multi.conf`), or words in
/// camel case that name one (`SMTPPassword`). Where a value may be a file name or an id (a
/// command-line option, an interpolation default), such a value is not reported.
pub fn reads_as_a_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['-', '.', '_']).collect();
    let lower_words = parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && (p.bytes().all(|b| b.is_ascii_lowercase())
                    || p.bytes().all(|b| b.is_ascii_digit()))
        })
        && parts
            .iter()
            .any(|p| p.len() >= 3 && p.bytes().all(|b| b.is_ascii_lowercase()));
    if lower_words {
        return true;
    }
    let words = name_words(v);
    words.len() >= 2
        && v.bytes().all(|b| b.is_ascii_alphabetic())
        && words.iter().any(|w| {
            SECRET_WORDS.contains(&w.as_str())
                || matches!(w.as_str(), "pass" | "pwd" | "pw" | "key")
        })
}

/// Values that are not a real secret: empty, references (`${TOKEN}`, `$TOKEN`, `$(cmd)`,
/// `%kernel.secret%`), templates (`{{ .token }}`), obvious placeholders (`changeme`,
/// `<password>`, `xxx`, `example`), booleans and small numbers, paths and URLs without
/// credentials. A weak literal (`password`, `secret`, `admin`, `test`) is not a placeholder: it
/// is a credential anyone can guess, written in the file.
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
        "example",
        "dummy",
        "none",
        "null",
        "nil",
        "undefined",
        "todo",
        "tbd",
        "placeholder",
        "redacted",
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
        "fake",
        "mock",
        "notasecret",
    ];
    if WHOLE.contains(&lower.as_str()) {
        return true;
    }
    const PARTS: &[&str] = &[
        "example",
        // `FAKE_TO_GENERATE_WARNING_OUTPUT`: 34 build arguments of the corpus say so.
        "fake",
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

/// The value a compose interpolation falls back to where its variables are unset
/// (`${DB_PASSWORD:-hunter2}` -> `hunter2`); `None` when a variable has no default.
pub fn fallback_value(raw: &str) -> Option<String> {
    let out = crate::syntax::compose::interpolate::interpolate(raw, &|_| None);
    out.problems.is_empty().then(|| out.value.into_owned())
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
    dollar_ref || (v.len() > 2 && v.starts_with('%') && v.ends_with('%')) || has_percent_param(v)
}

/// A `%name%` parameter inside a value (Symfony's `%kernel.project_dir%`, `%env(X)%`).
fn has_percent_param(v: &str) -> bool {
    let mut parts = v.split('%');
    parts.next();
    let inner: Vec<&str> = parts.collect();
    // `a%b%c` splits into [a, b, c]: `b` is enclosed when something follows it.
    inner.len() >= 2
        && inner[..inner.len() - 1].iter().any(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'(' | b')'))
        })
}

fn looks_like_path(v: &str) -> bool {
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.get(1..3) == Some(":\\")
        || is_relative_file_path(v)
}

/// `config/jwt/private.pem`: directories and a file name with an extension. (A `/` alone does
/// not make a path: base64 secrets hold `/` too.)
fn is_relative_file_path(v: &str) -> bool {
    let Some((dirs, file)) = v.rsplit_once('/') else {
        return false;
    };
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    !dirs.is_empty()
        && !v.contains(char::is_whitespace)
        && (2..=5).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_lowercase())
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
            "CS2_PW",
            "RCONPW",
            "rconPw",
            "VPN_IPSEC_PSK",
            "LDAP_ROOTPASS",
            "DBPASS",
            "PIHOLE_PW",
            "DB_PASSWORD_PROD",
            "API_TOKEN_V2",
            "JWT_PASSPHRASE",
        ] {
            assert!(is_secret_name(n), "{n} should look secret");
        }
        assert_eq!(secret_name("NPM_AUTH"), Some(SecretName::Random));
        assert_eq!(secret_name("DB_PASSWORD"), Some(SecretName::Literal));
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
            "PASSWORD_HASH_ALGO",
            "PASSWORD_HASH",
            "SECRET_FORCED_LANGUAGE",
            "REGISTRY_AUTH_HTPASSWD_REALM",
            "REGISTRY_AUTH_HTPASSWD_PATH",
            "POSTGRES_HOST_AUTH_METHOD",
            "SECRET_KEY_ID",
            "ENCOMPASS",
            "PW",
            "",
        ] {
            assert!(!is_secret_name(n), "{n} should not look secret");
        }
    }

    #[test]
    fn ambiguous_names_need_random_values() {
        assert!(!holds_secret(SecretName::Random, "htpasswd"));
        assert!(!holds_secret(SecretName::Random, "token"));
        assert!(holds_secret(SecretName::Random, "dXNlcjpzM2NyM3RQNHNz"));
        assert!(holds_secret(SecretName::Random, "admin:s3cret"));
        assert!(holds_secret(SecretName::Literal, "password"));
        assert!(!holds_secret(SecretName::Literal, "changeme"));
    }

    #[test]
    fn values_that_name_a_secret() {
        for v in [
            "proxy-secret",
            "etcd-cluster-1",
            "proxy-multi.conf",
            "SMTPPassword",
            "db_password",
        ] {
            assert!(reads_as_a_name(v), "{v}");
        }
        for v in [
            "secret",
            "mysecretpassword",
            "s3cr3t-P4ss",
            "hunter2",
            "Tr0ub4dor&3",
        ] {
            assert!(!reads_as_a_name(v), "{v}");
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
            "%kernel.project_dir%/config/jwt/private.pem",
            "config/jwt/private.pem",
            "%env(JWT_SECRET)%",
            "FAKE_TO_GENERATE_WARNING_OUTPUT",
        ] {
            assert!(is_placeholder(v), "{v:?} should be a placeholder");
        }
        for v in [
            "hunter2",
            "s3cr3t-P4ss",
            "postgres",
            "https://u:p@host",
            "password",
            "secret",
            "admin",
            "test",
            "ab/cd+ef/gh1234567890ABCDEFGHIJKLMNOPQRS",
            "50%",
        ] {
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

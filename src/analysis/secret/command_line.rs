//! Passwords and tokens passed on a command line: `curl -u user:pass`, `--password X`,
//! `--token=X`, `docker login -p X`, `mysql -pX`, `sshpass -p X`, `openssl … -passout pass:X`.
//!
//! Works on a command's words as the shell tokenizer splits them, so quoting and `$VAR`
//! references are understood rather than pattern-matched.

use super::allowlist::Allowlist;
use super::names::{is_placeholder, is_secret_name, reads_as_a_name};
use crate::analysis::command::{Command, Word, basename, effective_words};
use crate::source::Span;

/// A secret found on a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSecret {
    /// The secret's bytes (the whole word when it is quoted).
    pub secret: Span,
    /// The secret text.
    pub value: String,
    /// How it was passed, for messages: `curl -u`, `--password`.
    pub via: String,
}

/// Secrets passed on one simple command's words.
pub fn command_secrets(cmd: &Command<'_>, allow: &Allowlist) -> Vec<CommandSecret> {
    let words = effective_words(cmd);
    let Some(cmd) = words.first() else {
        return Vec::new();
    };
    scan_words(basename(cmd.as_str()), words, 1, allow)
}

/// Secrets in a string of arguments handed to a program some other way: an environment
/// variable such as `REDIS_ARGS: "--requirepass s3cret"` or `EXTRA_OPTS`, whose words a start
/// script appends to a command line. Only options named like secrets (`--password X`,
/// `--requirepass X`) are read: the program is unknown.
pub fn args_secrets(words: &[Word<'_>], allow: &Allowlist) -> Vec<CommandSecret> {
    scan_words("", words, 0, allow)
}

/// The loop of [`command_secrets`] over `words[start..]`, for a command called `name`.
fn scan_words(
    name: &str,
    words: &[Word<'_>],
    start: usize,
    allow: &Allowlist,
) -> Vec<CommandSecret> {
    let sub = words.get(1).map(|w| w.as_str()).unwrap_or("");
    let mut out = Vec::new();
    let mut push = |arg: &Word<'_>, from: usize, via: String| {
        let value = arg.as_str().get(from..).unwrap_or("");
        if arg.is_literal() && !is_placeholder(value) && !allow.allows(value) {
            out.push(CommandSecret {
                secret: arg.span_from(from),
                value: value.to_string(),
                via,
            });
        }
    };
    let login = matches!(
        name,
        "docker" | "podman" | "buildah" | "skopeo" | "nerdctl" | "helm" | "oras" | "crane"
    ) && (sub == "login" || words.iter().any(|w| w.as_str() == "login"));
    let mut i = start;
    while let Some(w) = words.get(i) {
        let v = w.as_str();
        let next = words.get(i + 1);
        if v == "--" {
            break;
        }
        // `curl -u user:pass`, `--user user:pass`, `-uuser:pass`, `--user=user:pass`.
        if matches!(name, "curl" | "wget") || (name == "git" && sub == "clone") {
            let (arg, at, flag) = match v {
                "-u" | "--user" | "--proxy-user" | "-U" => (next, 0, v),
                _ if v.starts_with("--user=") => (Some(w), 7, "--user"),
                _ if v.starts_with("--proxy-user=") => (Some(w), 13, "--proxy-user"),
                _ if name == "curl" && v.starts_with("-u") && v.len() > 2 => (Some(w), 2, "-u"),
                _ => (None, 0, ""),
            };
            if let Some(arg) = arg {
                let userinfo = arg.as_str().get(at..).unwrap_or("");
                if let Some(colon) = userinfo.find(':') {
                    push(arg, at + colon + 1, format!("{name} {flag}"));
                }
            }
        }
        // Short `-p` where it means a password.
        let short_password = match name {
            "sshpass" => Some("-p"),
            "redis-cli" => Some("-a"),
            "mongo" | "mongosh" | "mongodump" | "mongorestore" => Some("-p"),
            _ if login => Some("-p"),
            _ => None,
        };
        if let Some(flag) = short_password {
            if v == flag {
                if let Some(n) = next {
                    push(n, 0, format!("{name} {flag}"));
                }
            } else if v.starts_with(flag) && v.len() > 2 && !v.starts_with("--") {
                push(w, 2, format!("{name} {flag}"));
            }
        }
        // `mysql -pSECRET` (a separate word after `-p` is the database, not the password).
        if (name.starts_with("mysql") || name.starts_with("mariadb"))
            && v.starts_with("-p")
            && v.len() > 2
        {
            push(w, 2, format!("{name} -p"));
        }
        // `openssl … -passout pass:SECRET`, `-passin pass:SECRET`, `-pass pass:SECRET`.
        if name == "openssl"
            && matches!(v, "-passout" | "-passin" | "-pass" | "-password")
            && let Some(n) = next
            && n.as_str().starts_with("pass:")
        {
            push(n, 5, format!("openssl {v}"));
        }
        // Long options whose name looks secret: `--password X`, `--token=X`, `--api-key X`.
        if let Some(opt) = v.strip_prefix("--") {
            let (opt_name, inline) = match opt.split_once('=') {
                Some((n, _)) => (n, true),
                None => (opt, false),
            };
            // `redis-server --requirepass X`, `--masterpass X`: glued words ending in `pass`.
            let glued_pass = opt_name.len() > 6
                && opt_name.ends_with("pass")
                && !opt_name.ends_with("bypass")
                && !opt_name.contains('-');
            if (is_secret_name(opt_name) || glued_pass) && !is_flag_only(opt_name) {
                // An option value that reads as a name is a file or an id
                // (`--aes-pwd proxy-secret`, `--initial-cluster-token etcd-cluster-1`).
                let named = |w: &Word<'_>, from: usize| {
                    reads_as_a_name(w.as_str().get(from..).unwrap_or(""))
                };
                if inline {
                    let from = 2 + opt_name.len() + 1;
                    if !named(w, from) {
                        push(w, from, format!("--{opt_name}"));
                    }
                } else if let Some(n) = next.filter(|n| !n.as_str().starts_with('-'))
                    && !named(n, 0)
                {
                    push(n, 0, format!("--{opt_name}"));
                }
            }
        }
        i += 1;
    }
    out.dedup_by(|a, b| a.secret == b.secret);
    out
}

/// Options named like secrets that take no secret value.
fn is_flag_only(opt: &str) -> bool {
    let lower = opt.to_ascii_lowercase();
    lower.ends_with("-stdin")
        || lower.ends_with("-prompt")
        || lower.ends_with("-env")
        || lower.starts_with("ask-")
        || lower == "secret" // `docker build --secret id=…,src=…`, `RUN --mount=type=secret`
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str) -> Command<'_> {
        let mut commands = crate::analysis::command::shell_commands(line, 0);
        if commands.is_empty() {
            return Command::from_words(Vec::new(), Span::empty(0));
        }
        commands.remove(0)
    }

    fn found(line: &str) -> Vec<(String, String)> {
        command_secrets(&command(line), &Allowlist::default())
            .into_iter()
            .map(|s| (s.secret.text(line).to_string(), s.via))
            .collect()
    }

    #[test]
    fn passwords_on_command_lines() {
        let f = |s: &str, v: &str| (s.to_string(), v.to_string());
        assert_eq!(
            found("curl -u bob:hunter22 https://x"),
            [f("hunter22", "curl -u")]
        );
        assert_eq!(found("curl -ubob:hunter22 x"), [f("hunter22", "curl -u")]);
        assert_eq!(
            found("curl --user=bob:hunter22 x"),
            [f("hunter22", "curl --user")]
        );
        assert_eq!(
            found("/usr/bin/curl -fsS --user 'bob:hunter22' x"),
            [f("'bob:hunter22'", "curl --user")]
        );
        assert_eq!(
            found("docker login -u bob -p s3cr3tPw reg.io"),
            [f("s3cr3tPw", "docker -p")]
        );
        assert_eq!(
            found("docker login --password s3cr3tPw reg.io"),
            [f("s3cr3tPw", "--password")]
        );
        assert_eq!(
            found("mysql -uroot -ps3cr3tPw db"),
            [f("s3cr3tPw", "mysql -p")]
        );
        assert_eq!(
            found("sudo sshpass -p s3cr3tPw ssh host"),
            [f("s3cr3tPw", "sshpass -p")]
        );
        assert_eq!(
            found("redis-cli -a s3cr3tPw ping"),
            [f("s3cr3tPw", "redis-cli -a")]
        );
        assert_eq!(
            found("openssl pkcs12 -export -passout pass:s3cr3tPw"),
            [f("s3cr3tPw", "openssl -passout")]
        );
        assert_eq!(
            found("tool --api-key=s3cr3tPw run"),
            [f("s3cr3tPw", "--api-key")]
        );
        assert_eq!(
            found("gh auth --token s3cr3tPw"),
            [f("s3cr3tPw", "--token")]
        );
        // A weak literal is still a literal.
        assert_eq!(
            found("redis-server --requirepass secret"),
            [f("secret", "--requirepass")]
        );
    }

    #[test]
    fn secrets_in_argument_strings() {
        let line = "--appendonly yes --requirepass s3cr3tPw";
        let words = crate::analysis::command::shell_commands(line, 0)
            .into_iter()
            .next()
            .map(|c| c.words)
            .unwrap_or_default();
        let got: Vec<String> = args_secrets(&words, &Allowlist::default())
            .into_iter()
            .map(|s| s.value)
            .collect();
        assert_eq!(got, ["s3cr3tPw"]);
    }

    #[test]
    fn not_secrets() {
        for line in [
            "curl -u bob https://x",
            "curl -u bob:$PASS https://x",
            "curl -u $CREDS https://x",
            "docker login -u bob --password-stdin reg.io",
            "docker build --secret id=npm,src=.npmrc .",
            "mysql -p db",
            "mysql -p$MYSQL_PWD db",
            "apt-get install -y -p foo",
            "tool --password-file /run/secrets/pw",
            "tool --token-file=/run/secrets/t",
            "tool --no-password",
            "tool --password changeme",
            "tool --password --verbose",
            "mtproto-proxy -u nobody -p 8888 -H 443 --aes-pwd proxy-secret proxy-multi.conf",
            "etcd --initial-cluster-token etcd-cluster-1 --initial-cluster-state new",
            "tool --token=my-app-token",
            "ls -p",
            "",
        ] {
            assert_eq!(found(line), [], "{line}");
        }
    }

    #[test]
    fn allow_list_applies() {
        let allow = Allowlist::new(&["s3cr3tPw".to_string()]);
        assert!(command_secrets(&command("sshpass -p s3cr3tPw ssh"), &allow).is_empty());
    }
}

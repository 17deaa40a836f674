//! Passwords and tokens passed on a command line: `curl -u user:pass`, `--password X`,
//! `--token=X`, `docker login -p X`, `mysql -pX`, `sshpass -p X`, `openssl … -passout pass:X`.
//!
//! Works on a simple command's words as the shell module splits them, so quoting and
//! `$VAR` references are understood rather than pattern-matched.

use super::allowlist::Allowlist;
use super::names::{is_placeholder, is_secret_name};
use crate::source::Span;

/// One word of a simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// The word after quote removal (expansions left as written).
    pub value: String,
    /// The word's bytes in the file, quotes included.
    pub span: Span,
    /// No `$…` expansion or command substitution anywhere in the word.
    pub literal: bool,
    /// `value` appears verbatim at `span` (no quotes or escapes), so a part of it can be
    /// located exactly.
    pub verbatim: bool,
}

impl Arg {
    /// Span of `value[from..]`, exact when the word is verbatim, else the whole word.
    pub fn span_from(&self, from: usize) -> Span {
        if self.verbatim && from <= self.span.len() {
            Span::new(self.span.start as usize + from, self.span.end as usize)
        } else {
            self.span
        }
    }
}

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

/// The basename of a command word: `/usr/bin/curl` -> `curl`.
pub fn command_name(word: &str) -> &str {
    // A byte scan: words are short, and this runs on every word of every RUN for several rules.
    match word.bytes().rposition(|b| b == b'/') {
        Some(i) => word.get(i + 1..).unwrap_or(word),
        None => word,
    }
}

/// Commands that only run the command in their arguments.
pub fn is_wrapper(name: &str) -> bool {
    matches!(
        name,
        "sudo" | "env" | "command" | "exec" | "nice" | "nohup" | "time" | "busybox" | "doas"
    )
}

/// The words from the real command on: skips `sudo`, `env VAR=x`, `busybox` and their options.
pub fn unwrap_command(words: &[Arg]) -> &[Arg] {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let name = command_name(&first.value);
        if first.value.contains('=') && !first.value.starts_with('-') {
            rest = rest.get(1..).unwrap_or(&[]); // `VAR=x cmd`
        } else if is_wrapper(name) {
            rest = rest.get(1..).unwrap_or(&[]);
            while rest
                .first()
                .is_some_and(|w| w.value.starts_with('-') || w.value.contains('='))
            {
                rest = rest.get(1..).unwrap_or(&[]);
            }
        } else {
            break;
        }
    }
    rest
}

/// Secrets passed on one simple command's words.
pub fn command_secrets(words: &[Arg], allow: &Allowlist) -> Vec<CommandSecret> {
    let words = unwrap_command(words);
    let Some(cmd) = words.first() else {
        return Vec::new();
    };
    let name = command_name(&cmd.value);
    let sub = words.get(1).map(|w| w.value.as_str()).unwrap_or("");
    let mut out = Vec::new();
    let mut push = |arg: &Arg, from: usize, via: String| {
        let value = arg.value.get(from..).unwrap_or("");
        if arg.literal && !is_placeholder(value) && !allow.allows(value) {
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
    ) && (sub == "login" || words.iter().any(|w| w.value == "login"));
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
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
                let userinfo = arg.value.get(at..).unwrap_or("");
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
            && n.value.starts_with("pass:")
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
                if inline {
                    push(w, 2 + opt_name.len() + 1, format!("--{opt_name}"));
                } else if let Some(n) = next.filter(|n| !n.value.starts_with('-')) {
                    push(n, 0, format!("--{opt_name}"));
                }
            }
        }
        i += 1;
    }
    out.dedup_by(|a, b| a.secret == b.secret);
    out
}

/// Whether a command's words may pass a secret (a quick filter before [`command_secrets`]).
pub fn may_pass_secret(words: &[crate::model::dockerfile::Word]) -> bool {
    words.iter().any(|w| {
        let t = w.text.as_str();
        if let Some(opt) = t.strip_prefix("--") {
            return ["pass", "token", "key", "secret", "auth", "cred", "user"]
                .iter()
                .any(|k| super::names::contains_ignore_ascii_case(opt, k));
        }
        t.starts_with("-p")
            || t.starts_with("-u")
            || t == "-U"
            || t == "-a"
            || t.starts_with("-pass")
    })
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

/// The words of a Dockerfile `RUN`'s command (shell form, from the model) as [`Arg`]s.
pub fn args_of(words: &[crate::model::dockerfile::Word], text: &str) -> Vec<Arg> {
    words
        .iter()
        .map(|w| Arg {
            value: w.text.clone(),
            span: w.span,
            literal: !super::names::is_reference(&w.text) && !w.text.contains('`'),
            verbatim: w.span.text(text) == w.text,
        })
        .collect()
}

/// The strings of a JSON array (`["chmod", "u+s", "/x"]`) with their spans (`base` is the
/// array text's offset). Strings with escapes keep the whole quoted span.
pub fn json_strings(array: &str, base: usize) -> Vec<Arg> {
    let bytes = array.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'"') {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut escaped = false;
        while let Some(&b) = bytes.get(i) {
            if b == b'\\' {
                escaped = true;
                i += 2;
                continue;
            }
            if b == b'"' {
                break;
            }
            i += 1;
        }
        let end = (i + 1).min(bytes.len());
        let Some(quoted) = array.get(start..end) else {
            break;
        };
        let value = if escaped {
            serde_json::from_str::<String>(quoted).unwrap_or_default()
        } else {
            quoted.trim_matches('"').to_string()
        };
        let (span, verbatim) = if escaped {
            (Span::new(base + start, base + end), false)
        } else {
            (
                Span::new(
                    base + start + 1,
                    base + end.saturating_sub(1).max(start + 1),
                ),
                true,
            )
        };
        out.push(Arg {
            literal: !super::names::is_reference(&value),
            value,
            span,
            verbatim,
        });
        i = end;
    }
    out
}

/// The simple commands a `RUN` executes: the model's shell-form commands, or the exec-form
/// array as one command.
pub fn run_commands(ins: &crate::model::dockerfile::Instr, text: &str) -> Vec<Vec<Arg>> {
    run_commands_where(ins, text, |_| true)
}

/// [`run_commands`] limited to the commands for which `wanted` holds on their words, so rules
/// convert only the few commands they care about.
pub fn run_commands_where(
    ins: &crate::model::dockerfile::Instr,
    text: &str,
    wanted: impl Fn(&[crate::model::dockerfile::Word]) -> bool,
) -> Vec<Vec<Arg>> {
    if ins.is_exec_form() {
        let t = &ins.rest.text;
        let lead = t.len() - t.trim_start().len();
        let args = json_strings(t.trim_start(), ins.rest.span.start as usize + lead);
        return if args.is_empty() {
            Vec::new()
        } else {
            vec![args]
        };
    }
    ins.commands
        .iter()
        .filter(|c| wanted(&c.words))
        .map(|c| args_of(&c.words, text))
        .collect()
}

/// The commands of a compose `command:`/`entrypoint:`/healthcheck `test:` (string or list).
pub fn compose_commands(cmd: &crate::model::compose::Command) -> Vec<Vec<Arg>> {
    if let Some(shell) = &cmd.shell {
        return shell_text_commands(shell);
    }
    let mut exec: Vec<Arg> = cmd
        .exec
        .iter()
        .map(|t| Arg {
            value: t.raw.clone(),
            span: t.span_of(0..t.raw.len()),
            literal: !t.is_interpolated(),
            verbatim: t.raw_offset.is_some(),
        })
        .collect();
    // Healthcheck `["CMD", …]` runs the rest; `["CMD-SHELL", "…"]` runs a shell string.
    match exec.first().map(|a| a.value.as_str()) {
        Some("CMD") => {
            exec.remove(0);
        }
        Some("CMD-SHELL") => {
            return cmd.exec.get(1).map(shell_text_commands).unwrap_or_default();
        }
        _ => {}
    }
    if exec.is_empty() {
        Vec::new()
    } else {
        vec![exec]
    }
}

/// The commands of a compose string run by a shell, with file spans when the string is
/// verbatim in the file (else each word points at the whole value).
fn shell_text_commands(shell: &crate::model::compose::Text) -> Vec<Vec<Arg>> {
    match shell.raw_offset {
        Some(o) => shell_commands(&shell.raw, o as usize),
        None => shell_commands(&shell.raw, 0)
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|a| Arg {
                        span: shell.span,
                        verbatim: false,
                        ..a
                    })
                    .collect()
            })
            .collect(),
    }
}

/// The simple commands of shell text found at offset `base` of the file, from the command name
/// on (wrappers such as `sudo` skipped).
pub fn shell_commands(text: &str, base: usize) -> Vec<Vec<Arg>> {
    let script = crate::syntax::shell::parse(text, base);
    script
        .commands
        .iter()
        .map(|c| {
            c.words
                .get(c.start..)
                .unwrap_or(&[])
                .iter()
                .map(|w| Arg {
                    value: w.value.to_string(),
                    span: w.span,
                    literal: !w.has_expansion,
                    verbatim: !w.quoted,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits on spaces; a word in single quotes is quoted (not verbatim).
    fn words(line: &str) -> Vec<Arg> {
        let mut out = Vec::new();
        let mut pos = 0;
        for w in line.split(' ') {
            let quoted = w.len() >= 2 && w.starts_with('\'') && w.ends_with('\'');
            let value = if quoted { &w[1..w.len() - 1] } else { w };
            out.push(Arg {
                value: value.to_string(),
                span: Span::new(pos, pos + w.len()),
                literal: !value.contains('$'),
                verbatim: !quoted,
            });
            pos += w.len() + 1;
        }
        out
    }

    fn found(line: &str) -> Vec<(String, String)> {
        command_secrets(&words(line), &Allowlist::default())
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
            "ls -p",
            "",
        ] {
            assert_eq!(found(line), [], "{line}");
        }
    }

    #[test]
    fn allow_list_applies() {
        let allow = Allowlist::new(&["s3cr3tPw".to_string()]);
        assert!(command_secrets(&words("sshpass -p s3cr3tPw ssh"), &allow).is_empty());
    }
}

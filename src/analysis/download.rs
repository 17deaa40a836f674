//! Downloads a build makes from its RUN commands: which command fetches what, whether its
//! output goes to standard output, whether it turned TLS certificate verification off, and
//! where a downloaded script is run without being kept (`curl … | sh`, `sh -c "$(curl …)"`,
//! `bash <(wget -O- …)`).

use crate::analysis::command::{
    Command, OptionSpec, enclosing, is_shell, options, piped_into, runs_stdin_as_script,
};
use crate::source::Span;

/// A program that downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Downloader {
    Curl,
    /// GNU wget and busybox's `wget` applet.
    Wget,
}

impl Downloader {
    pub fn as_str(self) -> &'static str {
        match self {
            Downloader::Curl => "curl",
            Downloader::Wget => "wget",
        }
    }
}

/// curl's options that take a value (curl 8): the short letters and the common long ones.
/// An option missing here only matters when its value starts with `-`.
pub const CURL_OPTIONS: OptionSpec = OptionSpec {
    short_values: "AbcCdDeEFHKmoPQrtTuUwxXyYz",
    long_values: &[
        "--output",
        "--output-dir",
        "--header",
        "--data",
        "--data-raw",
        "--data-binary",
        "--data-urlencode",
        "--form",
        "--user",
        "--user-agent",
        "--proxy",
        "--proxy-user",
        "--request",
        "--referer",
        "--cookie",
        "--cookie-jar",
        "--config",
        "--cacert",
        "--capath",
        "--cert",
        "--cert-type",
        "--key",
        "--key-type",
        "--pass",
        "--range",
        "--upload-file",
        "--continue-at",
        "--dump-header",
        "--write-out",
        "--max-time",
        "--connect-timeout",
        "--retry",
        "--retry-delay",
        "--retry-max-time",
        "--limit-rate",
        "--resolve",
        "--connect-to",
        "--interface",
        "--proto",
        "--proto-redir",
        "--url",
        "--oauth2-bearer",
        "--netrc-file",
        "--stderr",
        "--trace",
        "--trace-ascii",
        "--max-filesize",
        "--ciphers",
        "--tls-max",
        "--time-cond",
        "--speed-time",
        "--speed-limit",
    ],
};

/// GNU wget's options that take a value.
pub const WGET_OPTIONS: OptionSpec = OptionSpec {
    short_values: "OoaPeiBTtwlUQYDIXAR",
    long_values: &[
        "--output-document",
        "--output-file",
        "--append-output",
        "--directory-prefix",
        "--execute",
        "--input-file",
        "--base",
        "--timeout",
        "--tries",
        "--wait",
        "--level",
        "--user-agent",
        "--header",
        "--user",
        "--password",
        "--http-user",
        "--http-password",
        "--ca-certificate",
        "--ca-directory",
        "--certificate",
        "--private-key",
        "--post-data",
        "--post-file",
        "--body-data",
        "--method",
        "--quota",
        "--progress",
        "--accept",
        "--reject",
        "--domains",
        "--limit-rate",
        "--referer",
        "--load-cookies",
        "--save-cookies",
    ],
};

/// One download command.
#[derive(Clone, Debug)]
pub struct Download {
    pub tool: Downloader,
    /// Where it writes: standard output (so a pipe or `$(…)` receives the file).
    pub to_stdout: bool,
    /// The option that turns certificate verification off, if any (`-k`, `--insecure`,
    /// `--no-check-certificate`, `-e check_certificate=off`), with its text.
    pub insecure: Option<(Span, String)>,
}

/// Reads a command as a download, if it runs curl or wget.
pub fn download(cmd: &Command<'_>) -> Option<Download> {
    let tool = match crate::analysis::command::literal_name(cmd)? {
        "curl" => Downloader::Curl,
        "wget" => Downloader::Wget,
        _ => return None,
    };
    let spec = match tool {
        Downloader::Curl => &CURL_OPTIONS,
        Downloader::Wget => &WGET_OPTIONS,
    };
    let opts = options(cmd, spec);
    let mut to_stdout = tool == Downloader::Curl;
    let mut insecure = None;
    for o in &opts {
        let value = o.value.map(|(v, _)| v);
        match (tool, o.name.as_ref()) {
            (Downloader::Curl, "-o" | "--output") => to_stdout = value == Some("-"),
            (Downloader::Curl, "-O" | "--remote-name" | "--remote-name-all") => to_stdout = false,
            (Downloader::Curl, "-k" | "--insecure") => {
                insecure.get_or_insert((o.span, o.name.to_string()));
            }
            (Downloader::Wget, "-O" | "--output-document") => to_stdout = value == Some("-"),
            (Downloader::Wget, "--no-check-certificate") => {
                insecure.get_or_insert((o.span, o.name.to_string()));
            }
            (Downloader::Wget, "--check-certificate") if value.is_some_and(is_off) => {
                insecure.get_or_insert((o.span.cover(o.value.map_or(o.span, |v| v.1)), {
                    format!("--check-certificate={}", value.unwrap_or(""))
                }));
            }
            (Downloader::Wget, "-e" | "--execute") => {
                // A wgetrc command given on the command line: `-e check_certificate=off`.
                if let Some((v, span)) = o.value
                    && wgetrc_disables_certificates(v)
                {
                    insecure.get_or_insert((span, format!("{} {v}", o.name)));
                }
            }
            _ => {}
        }
    }
    Some(Download {
        tool,
        to_stdout,
        insecure,
    })
}

/// `off`, `no`, `false`, `0` (case-insensitive): the spellings configuration files and tools
/// accept for "disabled".
pub fn is_off(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    ["off", "no", "false", "0"]
        .iter()
        .any(|o| v.eq_ignore_ascii_case(o))
}

/// A wgetrc line (or `-e` command) turning certificate checks off: `check_certificate = off`
/// (wgetrc ignores `_` and `-` and case in command names).
pub fn wgetrc_disables_certificates(line: &str) -> bool {
    let Some((name, value)) = line.split_once('=') else {
        return false;
    };
    let name: String = name
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect();
    name.eq_ignore_ascii_case("checkcertificate") && is_off(value)
}

/// A downloaded script run without being kept: the download and what runs it.
#[derive(Clone, Debug)]
pub struct RemoteScript<'c> {
    pub download: Download,
    /// The download command's span (from its name to its last word).
    pub span: Span,
    /// The URL it downloads, when written as an operand.
    pub url: Option<String>,
    /// The command running the script (`sh`, `bash`, `python3`, `eval`, `source`).
    pub runner: &'c Command<'c>,
    /// How it reaches the runner: `|`, `$(…)` or `<(…)`.
    pub how: &'static str,
}

/// Every download among `cmds` whose output is run as a program: piped into a shell or an
/// interpreter reading its standard input, substituted as the script of `sh -c` / `eval`, or
/// given as a process substitution to a shell or to `source`.
pub fn remote_scripts<'c>(cmds: &'c [Command<'c>]) -> Vec<RemoteScript<'c>> {
    let mut out: Vec<RemoteScript<'c>> = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let Some(d) = download(cmd) else { continue };
        if !d.to_stdout {
            continue;
        }
        let runner = if let Some(next) = piped_into(cmds, i).filter(|n| runs_stdin_as_script(n)) {
            Some((next, "|"))
        } else {
            enclosing(cmds, i).and_then(|(outer, k)| runs_word_as_script(outer, k))
        };
        let Some((runner, how)) = runner else {
            continue;
        };
        let span = cmd.name_word().map_or(cmd.span, |w| {
            Span::new(w.span.start as usize, cmd.span.end as usize)
        });
        // A `sh -c "$(curl …)"` script is also parsed again on its own: one finding per download.
        if out.iter().any(|r| r.span == span) {
            continue;
        }
        let url = cmd
            .operands()
            .find(|w| w.as_str().contains("://"))
            .map(|w| w.as_str().to_string());
        out.push(RemoteScript {
            download: d,
            span,
            url,
            runner,
            how,
        });
    }
    out
}

/// Whether word `k` of `outer` (which holds a substitution) is run as a script: the `-c`
/// script of a shell, any argument of `eval`, the script file of a shell or of `source`/`.`
/// (`bash <(curl …)`).
fn runs_word_as_script<'c>(
    outer: &'c Command<'c>,
    k: usize,
) -> Option<(&'c Command<'c>, &'static str)> {
    let word = outer.words.get(k)?;
    let how = if word.as_str().starts_with("<(") {
        "<(…)"
    } else {
        "$(…)"
    };
    let pos = k.checked_sub(outer.start)?;
    let name = outer.name()?;
    if pos == 0 {
        return None; // `$(curl …)` as the command name itself
    }
    let args = outer.args();
    match name {
        "eval" => Some((outer, how)),
        "source" | "." => (pos == 1).then_some((outer, how)),
        _ if is_shell(name) => {
            // `sh -c "$(curl …)"`: the word after an option cluster holding `c`;
            // `bash <(curl …)`: the first operand.
            let before = args.get(..pos - 1)?;
            let after_c = before.last().is_some_and(|w| {
                w.as_str()
                    .strip_prefix('-')
                    .is_some_and(|f| !f.starts_with('-') && f.contains('c'))
            });
            let first_operand = before.iter().all(|w| w.as_str().starts_with('-'))
                && !before.iter().any(|w| {
                    w.as_str()
                        .strip_prefix('-')
                        .is_some_and(|f| !f.starts_with('-') && f.contains('c'))
                });
            (after_c || first_operand).then_some((outer, how))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::command::shell_commands;

    fn first(s: &str) -> Command<'_> {
        shell_commands(s, 0).into_iter().next().unwrap()
    }

    #[test]
    fn insecure_options_and_output() {
        let d = |s: &str| {
            let cmd = first(s);
            let d = download(&cmd).unwrap();
            (
                d.to_stdout,
                d.insecure.map(|(span, t)| (span.text(s).to_string(), t)),
            )
        };
        let k = |at: &str, t: &str| Some((at.to_string(), t.to_string()));
        assert_eq!(d("curl -fsSLk https://x"), (true, k("k", "-k")));
        assert_eq!(
            d("curl --insecure -o /tmp/x https://x"),
            (false, k("--insecure", "--insecure"))
        );
        // `-ok` is `-o k`: an output file named `k`, not `-k`.
        assert_eq!(d("curl -ok https://x"), (false, None));
        assert_eq!(d("curl -H '-k' https://x"), (true, None));
        assert_eq!(d("curl -o - https://x"), (true, None));
        assert_eq!(d("curl -O https://x/f"), (false, None));
        assert_eq!(d("wget -qO- https://x"), (true, None));
        assert_eq!(d("wget -q -O - https://x"), (true, None));
        assert_eq!(d("wget https://x"), (false, None));
        assert_eq!(
            d("wget --no-check-certificate https://x"),
            (false, k("--no-check-certificate", "--no-check-certificate"))
        );
        assert_eq!(
            d("wget -e check_certificate=off https://x"),
            (
                false,
                k("check_certificate=off", "-e check_certificate=off")
            )
        );
        assert_eq!(
            d("busybox wget --no-check-certificate -O- https://x"),
            (true, k("--no-check-certificate", "--no-check-certificate"))
        );
        assert!(download(&first("echo curl -k")).is_none());
    }

    fn remote(s: &str) -> Vec<(String, String, &'static str)> {
        let cmds = shell_commands(s, 0);
        remote_scripts(&cmds)
            .into_iter()
            .map(|r| {
                (
                    r.span.text(s).to_string(),
                    r.runner.name().unwrap_or("").to_string(),
                    r.how,
                )
            })
            .collect()
    }

    #[test]
    fn scripts_run_straight_from_a_download() {
        let r = |d: &str, runner: &str, how: &'static str| (d.to_string(), runner.to_string(), how);
        assert_eq!(
            remote("curl -fsSL https://x/install.sh | sh"),
            [r("curl -fsSL https://x/install.sh", "sh", "|")]
        );
        assert_eq!(
            remote("curl -sL https://deb.nodesource.com/setup_10.x | sudo -E bash -"),
            [r(
                "curl -sL https://deb.nodesource.com/setup_10.x",
                "bash",
                "|"
            )]
        );
        assert_eq!(
            remote("wget -O- -nv https://x/install.sh | sh -s -- -b /usr/bin v1.2"),
            [r("wget -O- -nv https://x/install.sh", "sh", "|")]
        );
        assert_eq!(
            remote("curl -sSf https://x | python3 -"),
            [r("curl -sSf https://x", "python3", "|")]
        );
        assert_eq!(
            remote(r#"sh -c "$(curl -fsSL https://x/install.sh)""#),
            [r("curl -fsSL https://x/install.sh", "sh", "$(…)")]
        );
        assert_eq!(
            remote("bash <(curl -s https://x)"),
            [r("curl -s https://x", "bash", "<(…)")]
        );
        assert_eq!(
            remote(
                r#"[ "${A}" = "true" ] && exit 0; wget -O- -nv https://x/${V}/install.sh | sh -s ${V}"#
            ),
            [r("wget -O- -nv https://x/${V}/install.sh", "sh", "|")]
        );
        assert_eq!(
            remote(r#"eval "$(wget -qO- https://x)""#),
            [r("wget -qO- https://x", "eval", "$(…)")]
        );
        for safe in [
            "curl -fsSLo /tmp/i.sh https://x && sha256sum -c sums && sh /tmp/i.sh",
            "curl -fsSL https://x | tar -xz",
            "curl -fsSL https://x | sh -c 'cat > /tmp/x'",
            "curl -fsSL https://x | bash install.sh",
            "wget https://x | sh",
            "echo \"$(curl -s https://x)\"",
            "curl https://x | gpg --dearmor -o /k.gpg",
        ] {
            assert_eq!(remote(safe), [], "{safe}");
        }
    }
}

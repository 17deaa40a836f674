//! What a build trusts without checking: every place a Dockerfile turns off TLS certificate
//! verification for a download or a package index, or the verification of package signatures.
//! One pass per file, shared by the supply-chain rules, each of which reports one
//! [`Weakening`].
//!
//! Found in:
//! - commands a RUN runs (shell form, heredoc scripts, `sh -c` strings, exec form; through
//!   `sudo`, `env` and the like): `curl -k`, `wget --no-check-certificate`, package-manager
//!   options ([`crate::analysis::packages::checks_off`]), `git config http.sslVerify false`,
//!   `git -c http.sslVerify=false`, `go get -insecure`, `gpg --skip-verify`, `gpg --verify … ||
//!   true`, `flatpak --no-gpg-verify`, `snap install --dangerous`;
//! - variables: `ENV` and `ARG` defaults (values built from other variables resolved), and
//!   assignments in RUN (`NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci`, `export GIT_SSL_NO_VERIFY=1`,
//!   `env PIP_TRUSTED_HOST=… pip install`);
//! - configuration files the build writes: `echo`/`printf`/`cat <<EOF` redirected (or piped
//!   through `tee`) into `~/.curlrc`, `.wgetrc`, `pip.conf`, `.npmrc`, `.yarnrc(.yml)`,
//!   `.gitconfig`, `yum.conf`/`dnf.conf`/`*.repo`, `apt.conf(.d)`, `sources.list(.d)`; `sed -i`
//!   edits of those files; and `COPY <<EOF` heredocs written to them.

use crate::analysis::Analysis;
use crate::analysis::command::{
    Command, Op, OptionSpec, Word, basename, literal_name, options, piped_into,
};
use crate::analysis::download::{Downloader, download, is_off, wgetrc_disables_certificates};
use crate::analysis::packages::{
    CheckOff, apt_setting, checks_off, classify, may_switch_checks_off, rpm_repo_setting,
};
use crate::analysis::variables::{expand_at, var_decls};
use crate::model::dockerfile::{Dockerfile, Instr, InstructionKind};
use crate::source::Span;

/// A verification the build turns off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weakening {
    /// `curl -k` / `--insecure`, `insecure` in a `.curlrc`.
    CurlInsecure,
    /// `wget --no-check-certificate`, `check_certificate = off`.
    WgetNoCheckCertificate,
    /// pip `--trusted-host`, `PIP_TRUSTED_HOST`, `trusted-host` in pip.conf.
    PipTrustedHost,
    /// `PYTHONHTTPSVERIFY=0`.
    PythonHttpsVerify,
    /// `NODE_TLS_REJECT_UNAUTHORIZED=0`.
    NodeTlsRejectUnauthorized,
    /// npm/pnpm/yarn `strict-ssl` false, `NPM_CONFIG_STRICT_SSL=false`.
    NpmStrictSsl,
    /// `GIT_SSL_NO_VERIFY`, `http.sslVerify false`.
    GitSslVerify,
    /// A package repository's TLS verification: yum/dnf `sslverify=0`, apt
    /// `Acquire::https::Verify-Peer "false"`.
    RepoSslVerify,
    /// Go modules fetched without TLS or checksum verification: `GOINSECURE`, `GOSUMDB=off`,
    /// `GOFLAGS=-insecure`, `go get -insecure`.
    GoInsecure,
    /// apk `--allow-untrusted`.
    ApkAllowUntrusted,
    /// apt `--allow-unauthenticated`, `--allow-insecure-repositories`, `[trusted=yes]`.
    AptUnauthenticated,
    /// apt `--force-yes`.
    AptForceYes,
    /// yum/dnf `--nogpgcheck`, `gpgcheck=0`; zypper `--no-gpg-checks`.
    RpmGpgCheck,
    /// rpm `--nosignature`, `--nodigest`, `--noverify`, `--nofiledigest`.
    RpmNoSignature,
    /// A signature or checksum check skipped or its failure ignored: `gpg --skip-verify`,
    /// `gpg --verify … || true`, `sha256sum -c … || true`, `flatpak --no-gpg-verify`,
    /// `snap install --dangerous`.
    SignatureSkipped,
}

impl From<CheckOff> for Weakening {
    fn from(c: CheckOff) -> Weakening {
        match c {
            CheckOff::PipTrustedHost => Weakening::PipTrustedHost,
            CheckOff::NpmStrictSsl => Weakening::NpmStrictSsl,
            CheckOff::ApkAllowUntrusted => Weakening::ApkAllowUntrusted,
            CheckOff::AptUnauthenticated => Weakening::AptUnauthenticated,
            CheckOff::AptForceYes => Weakening::AptForceYes,
            CheckOff::RpmGpgCheck => Weakening::RpmGpgCheck,
            CheckOff::RpmNoSignature => Weakening::RpmNoSignature,
            CheckOff::RepoSslVerify => Weakening::RepoSslVerify,
        }
    }
}

/// How the build turns a check off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// An option or subcommand of a command a RUN runs.
    Command,
    /// A variable: `ENV`, `ARG`, or an assignment in a RUN (`RUN`).
    Variable { keyword: &'static str },
    /// A configuration file the build writes (its path as written).
    ConfigFile { path: String },
}

/// One check turned off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Weakened {
    pub kind: Weakening,
    /// The token to point at (the option, the variable's name, the line written).
    pub span: Span,
    /// What is written, for messages: `curl -k`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
    /// `gpgcheck=0`.
    pub what: String,
    /// For a variable built from others: its value as BuildKit expands it.
    pub resolved: Option<String>,
    pub via: Via,
    /// Index of the instruction in the Dockerfile model (of the `ONBUILD` holding it, for an
    /// ONBUILD-wrapped one).
    pub instr: usize,
    /// Whether it is in an instruction an `ONBUILD` wraps (it runs in a downstream build).
    pub onbuild: bool,
}

impl Weakened {
    /// What is written, quoted for a message: `` `curl -k` ``, or
    /// `` `ENV NODE_TLS_REJECT_UNAUTHORIZED=$X` (`0` here) `` for a value built from variables.
    pub fn shown(&self) -> String {
        let keyword = match &self.via {
            Via::Variable { keyword } if *keyword != "RUN" => format!("{keyword} "),
            _ => String::new(),
        };
        match &self.resolved {
            Some(r) => format!("`{keyword}{}` (`{r}` here)", self.what),
            None => format!("`{keyword}{}`", self.what),
        }
    }

    /// Where it is set, for a message: ` in /etc/yum.conf`, ` in an ONBUILD trigger`.
    pub fn place(&self) -> String {
        let mut out = String::new();
        if let Via::ConfigFile { path } = &self.via {
            out.push_str(&format!(" written to `{path}`"));
        }
        if self.onbuild {
            out.push_str(" (in an ONBUILD trigger: it runs in every build based on this image)");
        }
        out
    }
}

/// Every check the Dockerfile turns off, in file order.
pub fn weakenings(analysis: &Analysis<'_>) -> Vec<Weakened> {
    let Some(df) = analysis.dockerfile else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, ins) in df.instrs.iter().enumerate() {
        let mut cx = Collect {
            df,
            text: analysis.text(),
            instr: i,
            onbuild: false,
            out: &mut out,
        };
        cx.instruction(ins, analysis.run_commands(i, false));
        if let Some(inner) = &ins.onbuild {
            cx.onbuild = true;
            cx.instruction(inner, analysis.run_commands(i, true));
        }
    }
    out.sort_by_key(|w| (w.span.start, w.span.end));
    out.dedup_by(|a, b| a.span == b.span && a.kind == b.kind);
    out
}

struct Collect<'o, 'd> {
    df: &'d Dockerfile,
    text: &'d str,
    instr: usize,
    onbuild: bool,
    out: &'o mut Vec<Weakened>,
}

impl Collect<'_, '_> {
    fn push(&mut self, kind: Weakening, span: Span, what: String, via: Via) -> &mut Weakened {
        self.out.push(Weakened {
            kind,
            span,
            what,
            resolved: None,
            via,
            instr: self.instr,
            onbuild: self.onbuild,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    fn instruction(&mut self, ins: &Instr, cmds: &[Command<'_>]) {
        match ins.kind {
            InstructionKind::Env | InstructionKind::Arg => {
                // Most variables are none of those watched: skip building their declarations.
                let any_watched = ins.pairs.iter().any(|(k, _)| watched(&k.text))
                    || ins
                        .args
                        .iter()
                        .any(|w| watched(w.text.split('=').next().unwrap_or("")));
                if !any_watched {
                    return;
                }
                for d in var_decls(ins) {
                    let Some((value, _)) = &d.value else { continue };
                    if !watched(&d.name) {
                        continue;
                    }
                    let Some(resolved) = expand_at(self.df, self.instr, value) else {
                        continue;
                    };
                    if let Some(kind) = variable(&d.name, &resolved) {
                        let what = format!("{}={value}", d.name);
                        let resolved = (&resolved != value).then_some(resolved);
                        let w = self.push(
                            kind,
                            d.name_span,
                            what,
                            Via::Variable { keyword: d.keyword },
                        );
                        w.resolved = resolved;
                    }
                }
            }
            InstructionKind::Run => {
                let mut heredocs = ins.heredocs.iter();
                for k in 0..cmds.len() {
                    let name = cmds.get(k).and_then(literal_name);
                    self.command(cmds, k, name);
                    self.config_write(cmds, k, name, &mut heredocs);
                }
            }
            InstructionKind::Copy | InstructionKind::Add => {
                // `COPY <<EOF /etc/apt/apt.conf.d/99insecure`: one heredoc written to a file.
                if let ([body], Some(dest)) = (ins.heredocs.as_slice(), ins.args.last())
                    && !dest.text.ends_with('/')
                {
                    self.config_text(&dest.text, &body.text, body.span, true);
                }
            }
            _ => {}
        }
    }

    /// Options and assignments of one command; `name` is its [`literal_name`].
    fn command(&mut self, cmds: &[Command<'_>], k: usize, name: Option<&str>) {
        let Some(cmd) = cmds.get(k) else { return };
        // `NAME=value cmd`, `env NAME=value cmd`, `export NAME=value`.
        let exported = matches!(name, Some("export" | "declare" | "typeset"));
        let assignments = cmd
            .assignments
            .iter()
            .chain(cmd.wrappers().iter().filter(|w| w.as_str().contains('=')))
            .chain(
                cmd.args()
                    .iter()
                    .filter(|_| exported)
                    .filter(|w| w.as_str().contains('=')),
            );
        for w in assignments {
            if w.has_expansion {
                continue;
            }
            let Some((name, value)) = w.as_str().split_once('=') else {
                continue;
            };
            if let Some(kind) = variable(name, value) {
                let span = w.span_from(0);
                let span = if span == w.span && !w.quoted {
                    Span::new(w.span.start as usize, w.span.start as usize + name.len())
                } else {
                    span
                };
                self.push(
                    kind,
                    span,
                    format!("{name}={value}"),
                    Via::Variable { keyword: "RUN" },
                );
            }
        }
        if matches!(name, Some("curl" | "wget"))
            && let Some(d) = download(cmd)
            && let Some((span, text)) = d.insecure
        {
            let kind = match d.tool {
                Downloader::Curl => Weakening::CurlInsecure,
                Downloader::Wget => Weakening::WgetNoCheckCertificate,
            };
            self.push(
                kind,
                span,
                format!("{} {text}", d.tool.as_str()),
                Via::Command,
            );
        }
        if name.is_some_and(|n| may_switch_checks_off(n, cmd))
            && let Some(pc) = classify(cmd)
        {
            // `python3 -m pip …` is pip's option.
            let program = match pc.manager {
                crate::analysis::packages::Manager::Pip => "pip",
                _ => cmd.name().unwrap_or(""),
            };
            for off in checks_off(&pc) {
                let shown = format!("{program} {}", off.text);
                self.push(off.check.into(), off.span, shown, Via::Command);
            }
        }
        let Some(name) = name else {
            return;
        };
        match name {
            "git" => self.git(cmd),
            "go" => {
                if matches!(cmd.subcommand(), Some("get" | "install"))
                    && let Some(w) = cmd.args().iter().find(|w| w.is("-insecure"))
                {
                    self.push(
                        Weakening::GoInsecure,
                        w.span,
                        "go get -insecure".into(),
                        Via::Command,
                    );
                }
            }
            "yum-config-manager" => {
                for (value, span) in crate::analysis::command::flag_values(cmd, &["--setopt"]) {
                    if let Some(off) = rpm_repo_setting(value) {
                        self.push(
                            off.into(),
                            span,
                            format!("yum-config-manager --setopt={value}"),
                            Via::Command,
                        );
                    }
                }
            }
            "gpg" | "gpg2" | "gpgv" => {
                if let Some(w) = cmd.args().iter().find(|w| w.is("--skip-verify")) {
                    self.push(
                        Weakening::SignatureSkipped,
                        w.span,
                        format!("{name} --skip-verify"),
                        Via::Command,
                    );
                }
                let verifies = name == "gpgv" || cmd.has_any_flag(&["--verify", "--verify-files"]);
                if verifies && let Some(span) = failure_ignored(cmds, k) {
                    self.push(
                        Weakening::SignatureSkipped,
                        span,
                        format!("{name} --verify … || {}", ignored_by(cmds, k)),
                        Via::Command,
                    );
                }
            }
            "sha256sum" | "sha512sum" | "sha1sum" | "md5sum" | "shasum" | "b2sum"
                if cmd.has_any_flag(&["-c", "--check"]) =>
            {
                if let Some(span) = failure_ignored(cmds, k) {
                    self.push(
                        Weakening::SignatureSkipped,
                        span,
                        format!("{name} -c … || {}", ignored_by(cmds, k)),
                        Via::Command,
                    );
                }
            }
            "flatpak" | "ostree" => {
                if let Some(w) = cmd.args().iter().find(|w| w.is("--no-gpg-verify")) {
                    self.push(
                        Weakening::SignatureSkipped,
                        w.span,
                        format!("{name} --no-gpg-verify"),
                        Via::Command,
                    );
                }
            }
            "snap" if cmd.subcommand() == Some("install") => {
                if let Some(w) = cmd.args().iter().find(|w| w.is("--dangerous")) {
                    self.push(
                        Weakening::SignatureSkipped,
                        w.span,
                        "snap install --dangerous".into(),
                        Via::Command,
                    );
                }
            }
            _ => {}
        }
    }

    /// `git config [--global] http.sslVerify false`, `git config http.<url>.sslVerify false`,
    /// `git -c http.sslVerify=false clone …`.
    fn git(&mut self, cmd: &Command<'_>) {
        const GIT: OptionSpec = OptionSpec {
            short_values: "cC",
            long_values: &["--git-dir", "--work-tree", "--namespace", "--exec-path"],
        };
        for o in options(cmd, &GIT) {
            if o.name == "-c"
                && let Some((v, span)) = o.value
                && let Some((key, value)) = v.split_once('=')
                && is_ssl_verify_key(key)
                && is_off(value)
            {
                self.push(
                    Weakening::GitSslVerify,
                    span,
                    format!("git -c {v}"),
                    Via::Command,
                );
            }
        }
        let operands: Vec<&Word<'_>> = cmd.operands().collect();
        let at = operands.iter().position(|w| w.is("config"));
        if let Some(&[key, value]) = at.and_then(|i| operands.get(i + 1..i + 3))
            && is_ssl_verify_key(key.as_str())
            && is_off(value.as_str())
        {
            self.push(
                Weakening::GitSslVerify,
                key.span.cover(value.span),
                format!("git config {} {}", key.as_str(), value.as_str()),
                Via::Command,
            );
        }
    }

    /// A command writing text into a configuration file: its redirections, or a `tee` it
    /// pipes into; and `sed -i` edits.
    fn config_write<'h>(
        &mut self,
        cmds: &[Command<'_>],
        k: usize,
        name: Option<&str>,
        heredocs: &mut impl Iterator<Item = &'h crate::model::dockerfile::Word>,
    ) {
        let Some(cmd) = cmds.get(k) else { return };
        // Heredoc redirections of this command: shell heredocs carry their body; a
        // Dockerfile-level heredoc (`RUN cat <<EOF > f`) is the instruction's next body, taken
        // whatever the command, so that the next `<<` gets the body after it.
        let mut bodies: Vec<(String, Span)> = Vec::new();
        let keep = matches!(name, Some("cat" | "tee"));
        for r in &cmd.redirects {
            // The shell tokenizer leaves a body it never reached (the RUN's line ends before
            // it) at the empty span at offset 0, where no real body can be.
            let read = r.heredoc_body.filter(|b| *b != Span::default());
            match (r.op, read) {
                ("<<" | "<<-", Some(body)) if keep => {
                    bodies.push((body.text(self.text).to_string(), body));
                }
                ("<<" | "<<-", None) => {
                    if let Some(h) = heredocs.next()
                        && keep
                    {
                        bodies.push((h.text.clone(), h.span));
                    }
                }
                ("<<<", _) if keep => {
                    if let Some(t) = &r.target {
                        bodies.push((t.as_str().to_string(), t.span));
                    }
                }
                _ => {}
            }
        }
        let Some(name) = name else {
            return;
        };
        if name == "sed" {
            self.sed_edit(cmd);
            return;
        }
        let content: Vec<(String, Span, bool)> = match name {
            "echo" | "printf" => {
                let args: Vec<&Word<'_>> = cmd
                    .args()
                    .iter()
                    .skip_while(|w| {
                        name == "echo" && matches!(w.as_str(), "-e" | "-n" | "-E" | "-ne" | "-en")
                    })
                    .collect();
                let (Some(first), Some(last)) = (args.first(), args.last()) else {
                    return;
                };
                let joined = args
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace("\\n", "\n")
                    .replace("\\t", "\t");
                vec![(joined, first.span.cover(last.span), false)]
            }
            "cat" | "tee" => bodies.into_iter().map(|(t, s)| (t, s, true)).collect(),
            _ => return,
        };
        let mut targets: Vec<String> = cmd
            .redirects
            .iter()
            .filter(|r| matches!(r.op, ">" | ">>" | ">|" | "&>" | "&>>"))
            .filter_map(|r| r.target.as_ref())
            .filter(|t| t.is_literal())
            .map(|t| t.as_str().to_string())
            .collect();
        if name == "tee" {
            targets.extend(tee_files(cmd));
        } else if let Some(tee) = piped_into(cmds, k).filter(|c| c.is("tee")) {
            targets.extend(tee_files(tee));
        }
        for path in targets {
            for (text, span, exact) in &content {
                self.config_text(&path, text, *span, *exact);
            }
        }
    }

    /// `sed -i 's/gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/x.repo`: the replacement text, as
    /// a line of the file it edits.
    fn sed_edit(&mut self, cmd: &Command<'_>) {
        if !cmd
            .args()
            .iter()
            .any(|w| w.as_str().starts_with("-i") || w.as_str().starts_with("--in-place"))
        {
            return;
        }
        let mut scripts: Vec<&Word<'_>> = Vec::new();
        let mut files: Vec<&Word<'_>> = Vec::new();
        let args = cmd.args();
        let mut i = 0;
        let explicit = args.iter().any(|w| w.is("-e") || w.is("--expression"));
        while let Some(w) = args.get(i) {
            i += 1;
            let v = w.as_str();
            if v == "-e" || v == "--expression" {
                if let Some(s) = args.get(i) {
                    scripts.push(s);
                }
                i += 1;
            } else if v.starts_with('-') && v.len() > 1 {
                continue;
            } else if !explicit && scripts.is_empty() {
                scripts.push(w);
            } else {
                files.push(w);
            }
        }
        for script in scripts {
            let Some(replacement) = sed_replacement(script.as_str()) else {
                continue;
            };
            for f in &files {
                self.config_text(f.as_str(), replacement, script.span, false);
            }
        }
    }

    /// The lines of `text` written to `path`, judged by what that file configures. With
    /// `exact`, `span` is the text's own span and each finding points at its line.
    fn config_text(&mut self, path: &str, text: &str, span: Span, exact: bool) {
        let Some(file) = ConfigFile::of(path) else {
            return;
        };
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let trimmed = line.trim();
            let Some(kind) = file.weakens(trimmed) else {
                continue;
            };
            let at = if exact && span.len() == text.len() {
                let lead = line.len() - line.trim_start().len();
                let s = span.start as usize + start + lead;
                Span::new(s, s + trimmed.len())
            } else {
                span
            };
            self.push(
                kind,
                at,
                trimmed.to_string(),
                Via::ConfigFile {
                    path: path.to_string(),
                },
            );
        }
    }
}

/// The span of `cmds[k]` when its failure is ignored: `cmd || true`, `cmd || :`,
/// `cmd || exit 0`, `cmd || echo …` (unless the branch then fails: `|| { echo …; exit 1; }`).
fn failure_ignored(cmds: &[Command<'_>], k: usize) -> Option<Span> {
    let cmd = cmds.get(k)?;
    if cmd.op_after != Some(Op::Or) {
        return None;
    }
    let n = next_in_list(cmds, k)?;
    let next = cmds.get(n)?;
    let exits_zero = |c: &Command<'_>| c.is("exit") && c.args().first().is_none_or(|a| a.is("0"));
    // `|| { echo "bad signature"; exit 1; }` reports and still fails.
    let then_fails = || {
        matches!(next.op_after, Some(Op::Seq | Op::And | Op::Newline))
            && next_in_list(cmds, n)
                .and_then(|a| cmds.get(a))
                .is_some_and(|after| (after.is("exit") && !exits_zero(after)) || after.is("false"))
    };
    let ignores = next.is("true")
        || next.is(":")
        || exits_zero(next)
        || ((next.is("echo") || next.is("printf")) && !then_fails());
    ignores.then(|| {
        cmd.name_word().map_or(cmd.span, |w| {
            Span::new(w.span.start as usize, cmd.span.end as usize)
        })
    })
}

fn ignored_by(cmds: &[Command<'_>], k: usize) -> String {
    next_in_list(cmds, k)
        .and_then(|n| cmds.get(n))
        .and_then(|c| c.name())
        .unwrap_or("true")
        .to_string()
}

/// The index of the command after `cmds[k]` in the same list (same depth, after it).
fn next_in_list(cmds: &[Command<'_>], k: usize) -> Option<usize> {
    let cmd = cmds.get(k)?;
    cmds.iter()
        .enumerate()
        .skip(k + 1)
        .find(|(_, c)| c.depth == cmd.depth && c.span.start >= cmd.span.end)
        .map(|(i, _)| i)
}

/// The files `tee` writes (its operands).
fn tee_files(tee: &Command<'_>) -> Vec<String> {
    tee.operands()
        .filter(|w| w.is_literal())
        .map(|w| w.as_str().to_string())
        .collect()
}

/// The replacement of a sed `s` command (`s/from/to/g`, any delimiter).
fn sed_replacement(script: &str) -> Option<&str> {
    let rest = script.trim().strip_prefix('s')?;
    let delim = rest.chars().next()?;
    let mut parts = rest.get(delim.len_utf8()..)?.split(delim);
    parts.next()?;
    parts.next()
}

/// `http.sslVerify`, `http.https://host/.sslVerify` (keys are case-insensitive).
fn is_ssl_verify_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("http.") && k.ends_with(".sslverify")
}

/// Whether a variable of this name can turn a check off (see [`variable`]).
pub fn watched(name: &str) -> bool {
    matches!(
        name,
        "PIP_TRUSTED_HOST"
            | "PYTHONHTTPSVERIFY"
            | "NODE_TLS_REJECT_UNAUTHORIZED"
            | "YARN_ENABLE_STRICT_SSL"
            | "YARN_STRICT_SSL"
            | "GIT_SSL_NO_VERIFY"
            | "GOINSECURE"
            | "GOSUMDB"
            | "GOFLAGS"
    ) || name.eq_ignore_ascii_case("npm_config_strict_ssl")
}

/// A variable that turns a check off when set to `value` (name as written; npm's are
/// case-insensitive).
pub fn variable(name: &str, value: &str) -> Option<Weakening> {
    let v = value.trim();
    Some(match name {
        "PIP_TRUSTED_HOST" if !v.is_empty() => Weakening::PipTrustedHost,
        "PYTHONHTTPSVERIFY" if v == "0" => Weakening::PythonHttpsVerify,
        "NODE_TLS_REJECT_UNAUTHORIZED" if v == "0" => Weakening::NodeTlsRejectUnauthorized,
        "YARN_ENABLE_STRICT_SSL" | "YARN_STRICT_SSL" if is_off(v) => Weakening::NpmStrictSsl,
        // git tests only whether the variable is set, so even an empty value disables checks.
        "GIT_SSL_NO_VERIFY" => Weakening::GitSslVerify,
        "GOINSECURE" if !v.is_empty() => Weakening::GoInsecure,
        "GOSUMDB" if v == "off" => Weakening::GoInsecure,
        "GOFLAGS" if v.split_whitespace().any(|f| f == "-insecure") => Weakening::GoInsecure,
        _ if name.eq_ignore_ascii_case("npm_config_strict_ssl") && is_off(v) => {
            Weakening::NpmStrictSsl
        }
        _ => return None,
    })
}

/// A configuration file whose settings can turn a check off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConfigFile {
    Curlrc,
    Wgetrc,
    PipConf,
    Npmrc,
    Yarnrc,
    YarnrcYml,
    Gitconfig,
    RpmRepo,
    AptConf,
    AptSources,
}

impl ConfigFile {
    fn of(path: &str) -> Option<ConfigFile> {
        let base = basename(path);
        Some(match base {
            ".curlrc" | "curlrc" => ConfigFile::Curlrc,
            ".wgetrc" | "wgetrc" => ConfigFile::Wgetrc,
            "pip.conf" | "pip.ini" => ConfigFile::PipConf,
            ".npmrc" | "npmrc" => ConfigFile::Npmrc,
            ".yarnrc" => ConfigFile::Yarnrc,
            ".yarnrc.yml" => ConfigFile::YarnrcYml,
            ".gitconfig" | "gitconfig" => ConfigFile::Gitconfig,
            "config" if path.ends_with(".git/config") => ConfigFile::Gitconfig,
            "yum.conf" | "dnf.conf" => ConfigFile::RpmRepo,
            _ if base.ends_with(".repo") => ConfigFile::RpmRepo,
            "apt.conf" => ConfigFile::AptConf,
            _ if path.contains("/apt.conf.d/") => ConfigFile::AptConf,
            "sources.list" => ConfigFile::AptSources,
            _ if path.contains("/sources.list.d/") => ConfigFile::AptSources,
            _ => return None,
        })
    }

    /// What a line of this file turns off, if anything.
    fn weakens(self, line: &str) -> Option<Weakening> {
        let kv = || {
            line.split_once(['=', ':'])
                .map(|(k, v)| (k.trim(), v.trim().trim_matches(['"', '\''])))
        };
        match self {
            ConfigFile::Curlrc => {
                let opt = line.split(['=', ':', ' ']).next().unwrap_or("");
                matches!(opt.trim_start_matches('-'), "insecure" | "k")
                    .then_some(Weakening::CurlInsecure)
            }
            ConfigFile::Wgetrc => {
                wgetrc_disables_certificates(line).then_some(Weakening::WgetNoCheckCertificate)
            }
            ConfigFile::PipConf => {
                let (k, v) = kv()?;
                (k == "trusted-host" && !v.is_empty()).then_some(Weakening::PipTrustedHost)
            }
            ConfigFile::Npmrc => {
                let (k, v) = kv()?;
                (k == "strict-ssl" && is_off(v)).then_some(Weakening::NpmStrictSsl)
            }
            ConfigFile::Yarnrc => {
                let (k, v) = line.split_once(char::is_whitespace)?;
                (k.trim_matches('"') == "strict-ssl" && is_off(v))
                    .then_some(Weakening::NpmStrictSsl)
            }
            ConfigFile::YarnrcYml => {
                let (k, v) = kv()?;
                (k == "enableStrictSsl" && is_off(v)).then_some(Weakening::NpmStrictSsl)
            }
            ConfigFile::Gitconfig => {
                let (k, v) = kv()?;
                (k.eq_ignore_ascii_case("sslverify") && is_off(v))
                    .then_some(Weakening::GitSslVerify)
            }
            ConfigFile::RpmRepo => rpm_repo_setting(line).map(Weakening::from),
            ConfigFile::AptConf => apt_setting(line).map(Weakening::from),
            ConfigFile::AptSources => {
                let l = line.to_ascii_lowercase();
                let opts = l
                    .strip_prefix("deb")
                    .and_then(|r| r.split_once('['))
                    .and_then(|(_, r)| r.split_once(']'))
                    .map(|(o, _)| o);
                let one_line = opts.is_some_and(|o| {
                    o.split_whitespace()
                        .any(|kv| kv == "trusted=yes" || kv == "allow-insecure=yes")
                });
                let deb822 = l
                    .split_once(':')
                    .is_some_and(|(k, v)| k.trim() == "trusted" && v.trim() == "yes");
                (one_line || deb822).then_some(Weakening::AptUnauthenticated)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dockerfile::from_tree;
    use crate::source::{FileKind, SourceFile};
    use crate::syntax::dockerfile::parse;

    /// `(kind, flagged text, what)` for each check the Dockerfile turns off.
    fn found(text: &str) -> Vec<(Weakening, String, String)> {
        let file = SourceFile::new("Dockerfile", text, FileKind::Dockerfile);
        let tree = parse(text);
        let df = from_tree(&tree, text);
        let build = crate::model::build_inputs::BuildInputs::default();
        let commands = crate::analysis::CommandStore::default();
        let analysis = Analysis::new(&file, Some(&tree), Some(&df), None, &[], &build, &commands);
        weakenings(&analysis)
            .into_iter()
            .map(|w| (w.kind, w.span.text(text).to_string(), w.shown()))
            .collect()
    }

    fn one(kind: Weakening, at: &str, shown: &str) -> (Weakening, String, String) {
        (kind, at.to_string(), shown.to_string())
    }

    #[test]
    fn commands_variables_and_files() {
        use Weakening::*;
        assert_eq!(
            found(
                "FROM a\nRUN curl -fsSLk https://x | sh && wget --no-check-certificate https://y\n"
            ),
            [
                one(CurlInsecure, "k", "`curl -k`"),
                one(
                    WgetNoCheckCertificate,
                    "--no-check-certificate",
                    "`wget --no-check-certificate`"
                ),
            ]
        );
        assert_eq!(
            found("FROM a\nARG OFF=0\nENV NODE_TLS_REJECT_UNAUTHORIZED=$OFF GIT_SSL_NO_VERIFY=\n"),
            [
                one(
                    NodeTlsRejectUnauthorized,
                    "NODE_TLS_REJECT_UNAUTHORIZED",
                    "`ENV NODE_TLS_REJECT_UNAUTHORIZED=$OFF` (`0` here)"
                ),
                one(
                    GitSslVerify,
                    "GIT_SSL_NO_VERIFY",
                    "`ENV GIT_SSL_NO_VERIFY=`"
                ),
            ]
        );
        assert_eq!(
            found(
                "FROM a\nRUN export PIP_TRUSTED_HOST=h && env npm_config_strict_ssl=false npm ci\n"
            ),
            [
                one(PipTrustedHost, "PIP_TRUSTED_HOST", "`PIP_TRUSTED_HOST=h`"),
                one(
                    NpmStrictSsl,
                    "npm_config_strict_ssl",
                    "`npm_config_strict_ssl=false`"
                ),
            ]
        );
        assert_eq!(
            found(
                "FROM a\nRUN echo 'deb [arch=amd64 trusted=yes] http://r stable main' | tee /etc/apt/sources.list.d/r.list\n"
            ),
            [one(
                AptUnauthenticated,
                "'deb [arch=amd64 trusted=yes] http://r stable main'",
                "`deb [arch=amd64 trusted=yes] http://r stable main`"
            )]
        );
        assert_eq!(
            found(
                "FROM a\nRUN cat > /etc/yum.repos.d/r.repo <<EOF\n[r]\ngpgcheck=0\nsslverify=false\nEOF\n"
            ),
            [
                one(RpmGpgCheck, "gpgcheck=0", "`gpgcheck=0`"),
                one(RepoSslVerify, "sslverify=false", "`sslverify=false`"),
            ]
        );
        assert_eq!(
            found("FROM a\nRUN git -C /src config http.https://g/.sslVerify false\n"),
            [one(
                GitSslVerify,
                "http.https://g/.sslVerify false",
                "`git config http.https://g/.sslVerify false`"
            )]
        );
        assert_eq!(
            found(
                "FROM a\nRUN gpg --verify a.asc a || { echo bad; exit 1; }\nRUN gpgv a.asc a || :\n"
            ),
            [one(
                SignatureSkipped,
                "gpgv a.asc a",
                "`gpgv --verify … || :`"
            )]
        );
    }

    #[test]
    fn what_is_not_a_weakening() {
        for text in [
            "FROM a\nRUN echo curl -k && echo GIT_SSL_NO_VERIFY=1\n",
            "FROM a\nARG GIT_SSL_NO_VERIFY\nENV NODE_TLS_REJECT_UNAUTHORIZED=1 PYTHONHTTPSVERIFY=1\n",
            "FROM a\nRUN echo 'gpgcheck=0' > /tmp/notes && sed -i 's/x/gpgcheck=0/' /tmp/other\n",
            "FROM a\nRUN npm config get strict-ssl && pip config set global.index-url https://i\n",
            "FROM a\nRUN rpm -qa --nosignature && git config user.name x\n",
            "FROM a\nENV GOSUMDB=sum.golang.org GOFLAGS=-mod=mod\n",
        ] {
            assert_eq!(found(text), [], "{text}");
        }
    }
}

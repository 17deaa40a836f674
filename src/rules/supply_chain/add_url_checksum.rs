//! `add-url-checksum`: `ADD https://…` without `--checksum=sha256:…`, so the build takes
//! whatever the server sends. With downloads allowed (`check --fetch-checksums`), the finding
//! carries an unsafe fix writing the checksum of the file the URL serves now.

use crate::analysis::remote_source::{AddSource, add_source, source_args};
use crate::rules::prelude::*;

pub struct AddUrlChecksum;

impl Rule for AddUrlChecksum {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let ins = at.instr;
        if ins.flag("checksum").is_some() {
            return;
        }
        let Some(dest) = ins.args.last() else {
            return;
        };
        let sources = source_args(cx.dockerfile(), ins, at.index);
        let one_source = sources.len() == 1;
        for src in &sources {
            let written = src.written;
            let url = src.expanded.as_deref().unwrap_or(written);
            let AddSource::Http { url } = add_source(url) else {
                continue;
            };
            if !at.onbuild && verified_later(cx, at.index, &downloaded_name(&dest.text, url)) {
                continue;
            }
            let variable = written != url || src.expanded.is_none();
            let mut fix = None;
            let how = if variable {
                " (the URL depends on build arguments: declare one for its checksum too, \
                 `ARG TOOL_SHA256`, and write `--checksum=sha256:${TOOL_SHA256}`)"
                    .to_string()
            } else if !one_source {
                " (BuildKit takes `--checksum` only with a single source: give each URL its own \
                 `ADD`)"
                    .to_string()
            } else {
                match cx.options.url_checksums.get().map(|s| s.sha256(url)) {
                    None => format!(
                        " (`plimsoll check --fetch-checksums --unsafe-fixes` downloads the file \
                         and writes it, or compute it with `curl -fsSL {url} | sha256sum`)"
                    ),
                    Some(Err(e)) => {
                        format!(" (the file could not be downloaded to compute it: {e})")
                    }
                    Some(Ok(sum)) => {
                        fix = Some(checksum_fix(ins, &sum));
                        String::new()
                    }
                }
            };
            let span = src.span;
            let f = cx.report(
                span,
                format!(
                    "`ADD {written}` downloads without a checksum: if the file behind the URL \
                     changes (a re-tagged release, a compromised server or mirror), the build \
                     takes it silently; add `--checksum=sha256:…`{how}"
                ),
            );
            f.fix = fix;
        }
    }
}

/// Writes `--checksum=<sum>` before the instruction's first flag or argument.
fn checksum_fix(ins: &Instr, sum: &str) -> Fix {
    // Before the flags, or before the arguments (an exec-form array included).
    let at = ins
        .flags
        .first()
        .map_or(ins.rest.span.start, |f| f.span.start.min(ins.rest.span.start))
        as usize;
    Fix {
        description: format!(
            "add `--checksum={sum}`, the SHA-256 of the file the URL serves now (check it \
             against the publisher's; needs Dockerfile syntax 1.6 or later)"
        ),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::insert(at, format!("--checksum={sum} "))],
    }
}

/// The name of the file `ADD url dest` writes: the destination's last component, or the URL's
/// when the destination is a directory (`/`-terminated).
fn downloaded_name(dest: &str, url: &str) -> String {
    let dest = dest.trim_matches('"');
    let from_url = || {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        crate::analysis::command::basename(path).to_string()
    };
    if dest.ends_with('/') || dest == "." {
        from_url()
    } else {
        crate::analysis::command::basename(dest).to_string()
    }
}

/// Whether a later RUN of the same stage verifies the file (`sha256sum -c`, `gpg --verify`,
/// `cosign verify-blob`, `minisign -V`) and names it: the download is checked before use.
fn verified_later(cx: &Context<'_>, index: usize, name: &str) -> bool {
    let Some(df) = cx.dockerfile() else {
        return false;
    };
    let Some(stage) = df.stage_of(index) else {
        return false;
    };
    if name.is_empty() {
        return false;
    }
    stage.instrs.clone().filter(|i| *i > index).any(|i| {
        let cmds = cx.analysis().run_commands(i, false);
        let verifies = cmds.iter().any(|c| match c.name() {
            Some("sha256sum" | "sha512sum" | "sha384sum" | "shasum" | "b2sum") => {
                c.has_any_flag(&["-c", "--check"])
            }
            Some("gpg" | "gpg2") => c.has_any_flag(&["--verify", "--verify-files"]),
            Some("gpgv") => true,
            Some("cosign") => c.subcommand() == Some("verify-blob"),
            Some("minisign") => c.has_flag("-V"),
            _ => false,
        });
        verifies
            && df
                .instrs
                .get(i)
                .is_some_and(|ins| ins.span.text(cx.text()).contains(name))
    })
}

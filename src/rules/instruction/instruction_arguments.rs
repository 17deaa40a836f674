//! `instruction-arguments`: missing or malformed arguments that make BuildKit refuse an
//! instruction (its `instructions.Parse` errors, and EXPOSE ports at dispatch).

use crate::rules::prelude::*;
use crate::syntax::dockerfile::{Args, Instruction};

pub struct InstructionArguments;

impl Rule for InstructionArguments {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[
            InstructionKind::Add,
            InstructionKind::Arg,
            InstructionKind::Copy,
            InstructionKind::Env,
            InstructionKind::Expose,
            InstructionKind::From,
            InstructionKind::Healthcheck,
            InstructionKind::Label,
            InstructionKind::Maintainer,
            InstructionKind::Onbuild,
            InstructionKind::Shell,
            InstructionKind::Stopsignal,
            InstructionKind::User,
            InstructionKind::Volume,
            InstructionKind::Workdir,
        ]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        // What an ONBUILD wraps is read in the build that uses the image.
        if at.onbuild {
            return;
        }
        let Some(ins) = cx.tree_instruction(at) else {
            return;
        };
        let kw = ins.kind;
        if let Some((span, message)) = problem(ins) {
            cx.report(span, format!("{message}, and `docker build` stops here"));
            return;
        }
        if kw == InstructionKind::Expose && at.stage.is_some() {
            for word in cx.analysis().dispatch().words_of(at.index) {
                if let Some(port) = word.value.as_deref()
                    && let Err(why) = check_port(port)
                {
                    cx.report(
                        word.span,
                        format!("`EXPOSE {port}` is not a port ({why}), and `docker build` stops here"),
                    );
                }
            }
        }
    }
}

/// BuildKit's parse error for an instruction's arguments, if any, with where it lies.
fn problem(ins: &Instruction) -> Option<(Span, String)> {
    let kw = ins.kind;
    let missing = |what: &str| Some((ins.keyword, format!("{kw} requires {what}")));
    match (&ins.args, kw) {
        (Args::Empty, InstructionKind::From) => {
            Some((ins.keyword, "FROM names no image".to_string()))
        }
        (
            Args::Empty,
            InstructionKind::Maintainer
            | InstructionKind::Workdir
            | InstructionKind::User
            | InstructionKind::Stopsignal,
        ) => missing("exactly one argument"),
        (Args::Empty, InstructionKind::Add | InstructionKind::Copy) => {
            missing("a source and a destination")
        }
        (Args::Empty, _) => missing("at least one argument"),
        (_, InstructionKind::Add | InstructionKind::Copy) => {
            let n = ins.copy().map_or(0, |c| c.sources.len() + usize::from(c.dest.is_some()));
            (n < 2).then(|| {
                (
                    ins.args_span(),
                    format!("{kw} requires a source and a destination; only one argument is given"),
                )
            })
        }
        (Args::Words(words), InstructionKind::From) => from_problem(ins, words),
        (Args::Words(words), InstructionKind::Arg) => words
            .iter()
            .find(|w| w.value.starts_with('='))
            .map(|w| (w.span, "ARG names cannot be empty".to_string())),
        (Args::Pairs(pairs), InstructionKind::Env | InstructionKind::Label) => pairs
            .iter()
            .find(|p| p.key.value.is_empty())
            .map(|p| (p.span, format!("{kw} names cannot be empty"))),
        (Args::Exec(words) | Args::Words(words), InstructionKind::Volume) => words
            .iter()
            .find(|w| w.value.trim().is_empty())
            .map(|w| (w.span, "VOLUME paths cannot be empty".to_string())),
        (Args::Text(t), InstructionKind::Shell) => Some((
            t.span,
            "SHELL must be written as JSON (`SHELL [\"/bin/bash\", \"-c\"]`)".to_string(),
        )),
        (Args::Exec(words), InstructionKind::Shell) if words.is_empty() => {
            missing("at least one argument")
        }
        // `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER` are onbuild-invalid-trigger's.
        (Args::Healthcheck { kind, cmd }, InstructionKind::Healthcheck) => {
            match kind.value.to_ascii_uppercase().as_str() {
                "NONE" if !matches!(cmd.as_ref(), Args::Empty) => Some((
                    kind.span,
                    "HEALTHCHECK NONE takes no arguments".to_string(),
                )),
                "NONE" => None,
                "CMD" if matches!(cmd.as_ref(), Args::Empty)
                    || matches!(cmd.as_ref(), Args::Exec(w) if w.is_empty()) =>
                {
                    Some((kind.span, "HEALTHCHECK CMD requires a command".to_string()))
                }
                "CMD" => None,
                other => Some((
                    kind.span,
                    format!("`{other}` is not a HEALTHCHECK type (`CMD …` or `NONE`)"),
                )),
            }
        }
        _ => None,
    }
}

/// FROM takes `image` or `image AS name`, with a valid stage name.
fn from_problem(
    ins: &Instruction,
    words: &[crate::syntax::dockerfile::Word],
) -> Option<(Span, String)> {
    match words {
        [_] => None,
        [_, as_word, name] if as_word.value.eq_ignore_ascii_case("as") => {
            let lower = name.value.to_lowercase();
            let mut chars = lower.chars();
            let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
            (!valid).then(|| {
                (
                    name.span,
                    format!(
                        "`{}` is not a valid stage name (a letter, then letters, digits, `-`, `_` or `.`)",
                        name.value
                    ),
                )
            })
        }
        _ => Some((
            ins.args_span(),
            "FROM takes an image, or `image AS name`".to_string(),
        )),
    }
}

/// BuildKit's reading of an EXPOSE port: `[ip:][host:]port[-port][/tcp|udp|sctp]`.
fn check_port(raw: &str) -> Result<(), String> {
    let container = raw.rsplit(':').next().unwrap_or(raw);
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return Err("no port".to_string());
    }
    if !matches!(proto.to_ascii_lowercase().as_str(), "" | "tcp" | "udp" | "sctp") {
        return Err(format!("`{proto}` is not tcp, udp or sctp"));
    }
    let number = |s: &str| -> Result<u32, String> {
        s.parse::<u32>()
            .ok()
            .filter(|n| *n <= 65535)
            .ok_or_else(|| format!("`{s}` is not a port number from 0 to 65535"))
    };
    match port.split_once('-') {
        Some((a, b)) if a != b => {
            if number(b)? < number(a)? {
                return Err(format!("the range `{port}` runs backwards"));
            }
            Ok(())
        }
        Some((a, _)) => number(a).map(|_| ()),
        None => number(port).map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::check_port;

    #[test]
    fn ports_as_buildkit_reads_them() {
        for ok in ["80", "80/tcp", "53/UDP", "8000-8010", "127.0.0.1:80:80", "[::1]:80:80/tcp"] {
            assert!(check_port(ok).is_ok(), "{ok}");
        }
        for bad in ["80/http", "70000", "abc", "90-80", "/tcp"] {
            assert!(check_port(bad).is_err(), "{bad}");
        }
    }
}

//! The commands a file runs, as rules ask about them: every simple command of a `RUN` (shell
//! form, heredoc bodies fed to a shell, exec form), of `CMD`/`ENTRYPOINT`/`HEALTHCHECK`, and of a
//! compose `command:`, `entrypoint:` or healthcheck `test:`.
//!
//! There is one command type, the shell tokenizer's [`Command`] with its [`Word`]s: shell text
//! is tokenized by [`crate::syntax::shell`]; words given as a list (an exec-form JSON array, a
//! compose list) are made into a [`Command`] with [`Command::from_words`]. Either way the
//! wrappers (`sudo`, `env`, `xargs`, `gosu`, …), basenames and flags are read by the one
//! vocabulary of [`crate::syntax::shell`].

use crate::model::compose;
use crate::model::dockerfile::Instr;
use crate::source::Span;
pub use crate::syntax::shell::{
    Command, Op, Word, basename, effective_start, is_shell, parse as parse_shell,
};
use std::borrow::Cow;

/// The simple commands an instruction runs: a shell-form `RUN` and the heredoc bodies it feeds
/// to a shell, or an exec-form `RUN` as one command. `text` is the file's text.
pub fn run_commands<'a>(ins: &'a Instr, text: &'a str) -> Vec<Command<'a>> {
    if ins.is_exec_form() {
        return exec_command(&ins.rest.text, ins.rest.span)
            .into_iter()
            .collect();
    }
    let mut out = shell_commands(ins.rest.span.text(text), ins.rest.span.start as usize);
    // `RUN <<EOF` and `RUN bash <<EOF` run their heredoc bodies as scripts; `RUN cat <<EOF`
    // only feeds a file to a command.
    let line_is_shell = out.iter().all(|c| {
        c.name_word().is_none_or(|w| {
            matches!(
                w.as_str(),
                "sh" | "bash" | "ash" | "dash" | "zsh" | "/bin/sh" | "/bin/bash"
            )
        })
    });
    if line_is_shell {
        for h in &ins.heredocs {
            out.extend(shell_commands(&h.text, h.span.start as usize));
        }
    }
    out
}

/// The commands of shell text found at offset `base` of the file (spans are file spans).
pub fn shell_commands(text: &str, base: usize) -> Vec<Command<'_>> {
    parse_shell(text, base).commands
}

/// An exec-form array (`["chmod", "u+s", "/x"]`, at file offset `span.start`) as one command.
/// `None` for an empty array.
pub fn exec_command(array: &str, span: Span) -> Option<Command<'static>> {
    let lead = array.len() - array.trim_start().len();
    let words = json_strings(array.trim_start(), span.start as usize + lead);
    (!words.is_empty()).then(|| Command::from_words(words, span))
}

/// The strings of a JSON array with their spans (`base` is the array text's offset). A string
/// with escapes keeps its whole quoted span and counts as quoted (its value is not its bytes).
/// No shell runs an exec-form command, but a `$NAME` in it still names a variable to the
/// program it runs, so such a word is not literal.
pub fn json_strings(array: &str, base: usize) -> Vec<Word<'static>> {
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
        let span = if escaped {
            Span::new(base + start, base + end)
        } else {
            Span::new(
                base + start + 1,
                base + end.saturating_sub(1).max(start + 1),
            )
        };
        out.push(Word {
            span,
            has_expansion: crate::analysis::secret::names::is_reference(&value),
            quoted: escaped,
            value: Cow::Owned(value),
        });
        i = end;
    }
    out
}

/// The commands of a `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD`: exec form as one command, shell
/// form tokenized. `HEALTHCHECK NONE` runs nothing.
pub fn container_commands(ins: &Instr) -> Vec<Command<'_>> {
    if ins.is_exec_form() {
        return exec_command(&ins.rest.text, ins.rest.span)
            .into_iter()
            .collect();
    }
    let rest = &ins.rest;
    let mut line = rest.text.as_str();
    let mut base = rest.span.start as usize;
    if ins.kind == crate::syntax::dockerfile::InstructionKind::Healthcheck {
        let Some(after) = line.trim_start().strip_prefix("CMD") else {
            return Vec::new();
        };
        base += line.len() - after.len();
        line = after;
    }
    shell_commands(line, base)
}

/// The commands of a compose `command:`, `entrypoint:` or healthcheck `test:` (a string run by
/// a shell, or a list run as is; `["CMD", …]` runs the rest and `["CMD-SHELL", "…"]` a shell
/// string).
pub fn compose_commands(cmd: &compose::Command) -> Vec<Command<'_>> {
    if let Some(shell) = &cmd.shell {
        return compose_shell_commands(shell);
    }
    let mut words: Vec<Word<'_>> = cmd
        .exec
        .iter()
        .map(|t| Word {
            span: t.span_of(0..t.raw.len()),
            value: Cow::Borrowed(t.raw.as_str()),
            has_expansion: t.is_interpolated(),
            quoted: t.raw_offset.is_none(),
        })
        .collect();
    match words.first().map(|w| w.as_str()) {
        Some("CMD") => {
            words.remove(0);
        }
        Some("CMD-SHELL") => {
            return cmd
                .exec
                .get(1)
                .map(compose_shell_commands)
                .unwrap_or_default();
        }
        _ => {}
    }
    if words.is_empty() {
        Vec::new()
    } else {
        vec![Command::from_words(words, cmd.span)]
    }
}

/// The commands of a compose string read as shell words (a `command:` string, or an
/// environment value holding arguments), with file spans when the string is verbatim in the
/// file (else each word points at the whole value and counts as quoted).
pub fn compose_shell_commands(shell: &compose::Text) -> Vec<Command<'_>> {
    match shell.raw_offset {
        Some(o) => shell_commands(&shell.raw, o as usize),
        None => shell_commands(&shell.raw, 0)
            .into_iter()
            .map(|mut c| {
                for w in &mut c.words {
                    w.span = shell.span;
                    w.quoted = true;
                }
                c.span = shell.span;
                c
            })
            .collect(),
    }
}

/// The words of a command from the one that runs on (wrappers left out).
pub fn effective_words<'c, 'a>(cmd: &'c Command<'a>) -> &'c [Word<'a>] {
    cmd.words.get(cmd.start..).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_form_words_keep_exact_spans() {
        let text = r#"["chmod", "u+s", "/a\"b"]"#;
        let cmd = exec_command(text, Span::new(10, 10 + text.len())).unwrap();
        let got: Vec<(&str, String, bool)> = cmd
            .words
            .iter()
            .map(|w| {
                let at = w.span.start as usize - 10..w.span.end as usize - 10;
                (w.as_str(), text[at].to_string(), w.quoted)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("chmod", "chmod".to_string(), false),
                ("u+s", "u+s".to_string(), false),
                ("/a\"b", r#""/a\"b""#.to_string(), true),
            ]
        );
        assert_eq!(cmd.name(), Some("chmod"));
    }

    #[test]
    fn wrappers_are_seen_through_in_any_word_list() {
        let text = r#"["sudo", "-u", "app", "env", "A=1", "/usr/bin/curl", "-k"]"#;
        let cmd = exec_command(text, Span::new(0, text.len())).unwrap();
        assert_eq!(cmd.name(), Some("curl"));
        let cmd = exec_command(r#"["command", "-v", "curl"]"#, Span::new(0, 1)).unwrap();
        assert_eq!(cmd.name(), Some("command"));
        let cmd = exec_command(r#"["busybox", "wget", "x"]"#, Span::new(0, 1)).unwrap();
        assert_eq!(cmd.name(), Some("wget"));
    }
}

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
    Command, Context as CommandContext, Op, Word, basename, effective_start, is_shell,
    parse as parse_shell,
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
    expand_script_variables(&mut out);
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
            let mut body = shell_commands(&h.text, h.span.start as usize);
            expand_script_variables(&mut body);
            out.extend(body);
        }
    }
    out
}

/// Replaces each unquoted `$name` / `${name}` argument whose variable an earlier command of the
/// same script set to plain text (`buildDeps='gcc make'; apt-get install $buildDeps`) with the
/// words the shell splits that text into, so that the package model and every rule see the
/// packages and flags the command really gets. The new words keep the variable's span and
/// count as quoted: a finding points at `$buildDeps`, and no fix edits inside it.
///
/// Assignments are read from commands that are only assignments, from the words of `export`,
/// `readonly` and `local`, and from the prefix of the special built-ins `set` and `:` (which
/// POSIX shells keep for the rest of the script). A later assignment with an expansion, or an
/// `unset`, forgets the variable. Only top-level commands assign: a subshell's or a function's
/// assignments do not reach the commands after it.
pub fn expand_script_variables(cmds: &mut [Command<'_>]) {
    use std::collections::HashMap;
    let mut known: HashMap<String, Vec<String>> = HashMap::new();
    for cmd in cmds.iter_mut() {
        if !known.is_empty() {
            let mut i = cmd.start + 1;
            while i < cmd.words.len() {
                let Some(parts) = cmd.words.get(i).and_then(|w| split_variable(w, &known)) else {
                    i += 1;
                    continue;
                };
                let span = cmd.words[i].span;
                let n = parts.len();
                cmd.words.splice(
                    i..=i,
                    parts.iter().map(|p| Word {
                        span,
                        value: Cow::Owned(p.clone()),
                        has_expansion: false,
                        quoted: true,
                    }),
                );
                i += n.max(1);
            }
        }
        if cmd.depth != 0 || cmd.context != CommandContext::TopLevel {
            continue;
        }
        let name = cmd.words.get(cmd.start).map(|w| w.as_str());
        let assigning: Vec<&Word<'_>> = match name {
            None | Some("set" | ":") => cmd.assignments.iter().collect(),
            Some("export" | "readonly" | "local") => cmd.words[cmd.start + 1..].iter().collect(),
            Some("unset") => {
                for w in &cmd.words[cmd.start + 1..] {
                    known.remove(w.as_str());
                }
                continue;
            }
            _ => continue,
        };
        for w in assigning {
            let Some((var, value)) = w.as_str().split_once('=') else {
                continue;
            };
            if w.has_expansion {
                known.remove(var);
            } else {
                known.insert(var.to_string(), split_fields(value));
            }
        }
    }
}

/// The fields a value splits into when expanded unquoted (blanks, and the backslash-newline
/// line continuations a Dockerfile leaves in a quoted value, separate them).
fn split_fields(value: &str) -> Vec<String> {
    value
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|f| !f.is_empty() && *f != "\\")
        .map(str::to_string)
        .collect()
}

/// The fields of `word` when it is exactly an unquoted `$name` or `${name}` of a known variable.
fn split_variable<'k>(
    word: &Word<'_>,
    known: &'k std::collections::HashMap<String, Vec<String>>,
) -> Option<&'k Vec<String>> {
    if word.quoted || !word.has_expansion {
        return None;
    }
    let v = word.as_str().strip_prefix('$')?;
    let name = v
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(v);
    let simple = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !simple {
        return None;
    }
    known.get(name)
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

/// The paths of a `COPY` or `ADD` (sources, then the destination last), each as its value and
/// the span written: the strings of the JSON form, or the words of the shell form with one pair
/// of surrounding quotes removed. Empty for a heredoc COPY (its sources are inline files).
pub fn copy_paths(ins: &Instr) -> Vec<(String, Span)> {
    if !ins.heredocs.is_empty() {
        return Vec::new();
    }
    if ins.is_exec_form() {
        return json_strings(&ins.rest.text, ins.rest.span.start as usize)
            .into_iter()
            .map(|w| (w.value.into_owned(), w.span))
            .collect();
    }
    ins.args
        .iter()
        .map(|w| {
            let t = w.text.as_str();
            let unquoted = ['"', '\'']
                .iter()
                .find_map(|q| t.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
                .unwrap_or(t);
            (unquoted.to_string(), w.span)
        })
        .collect()
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

/// The command that runs, without its directory, when its name is written out (not an
/// expansion such as `$CC`).
pub fn literal_name<'c>(cmd: &'c Command<'_>) -> Option<&'c str> {
    cmd.name_word()
        .filter(|w| w.is_literal())
        .map(|w| basename(w.as_str()))
}

/// How a program reads its options, getopt style: which short letters and which long options take
/// a value (so that the value is not read as more options or as an operand).
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// Short options that take a value (`o` for `-o FILE`, `-oFILE`, `-so FILE`).
    pub short_values: &'static str,
    /// Long options that take a value when written without `=` (`--output FILE`).
    pub long_values: &'static [&'static str],
}

/// One option of a command as getopt reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opt<'c> {
    /// `-k` for a short option (also when written in a cluster such as `-fsSLk`), `--insecure`
    /// for a long one (without its `=value`).
    pub name: Cow<'c, str>,
    /// The option's own text in the file: the one letter of a cluster, or the long option's word
    /// (the whole word when it was quoted or escaped and its parts cannot be located).
    pub span: Span,
    /// Its value and the value's span, for options that take one.
    pub value: Option<(&'c str, Span)>,
}

/// The options of `cmd` (the command that runs, wrappers left out) read as getopt reads them:
/// short clusters split into letters, a value-taking letter taking the rest of its word or the
/// next word, `--name=value` and `--name value`, options after operands too (GNU order), nothing
/// after `--`. Words holding an expansion are operands: their run-time text is unknown.
pub fn options<'c>(cmd: &'c Command<'_>, spec: &OptionSpec) -> Vec<Opt<'c>> {
    let args = cmd.args();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let v = w.as_str();
        if w.has_expansion || v.len() < 2 || !v.starts_with('-') {
            continue;
        }
        if v == "--" {
            break;
        }
        let exact = !w.quoted && w.span.len() == v.len();
        let sub = |from: usize, to: usize| {
            if exact {
                Span::new(w.span.start as usize + from, w.span.start as usize + to)
            } else {
                w.span
            }
        };
        if let Some(long) = v.strip_prefix("--") {
            let (name_len, inline) = match long.split_once('=') {
                Some((n, val)) => (n.len() + 2, Some(val)),
                None => (v.len(), None),
            };
            let name = v.get(..name_len).unwrap_or(v);
            let value = match inline {
                Some(val) => Some((val, sub(name_len + 1, v.len()))),
                None if spec.long_values.contains(&name) => {
                    let next = args.get(i);
                    i += 1;
                    next.map(|n| (n.as_str(), n.span))
                }
                None => None,
            };
            out.push(Opt {
                name: Cow::Borrowed(name),
                span: sub(0, name_len),
                value,
            });
            continue;
        }
        for (k, c) in v.char_indices().skip(1) {
            let at = k + c.len_utf8();
            let name = short_name(c);
            if spec.short_values.contains(c) {
                let rest = v.get(at..).unwrap_or("");
                let value = if rest.is_empty() {
                    let next = args.get(i);
                    i += 1;
                    next.map(|n| (n.as_str(), n.span))
                } else {
                    Some((rest, sub(at, v.len())))
                };
                out.push(Opt {
                    name,
                    span: sub(k, at),
                    value,
                });
                break;
            }
            out.push(Opt {
                name,
                span: sub(k, at),
                value: None,
            });
        }
    }
    out
}

/// Every value given to the options `flags` (which take a value), wherever they appear before
/// `--`: `-o V`, `-oV` (one-letter options), `--opt V`, `--opt=V`. A value's span is exact when
/// its word was written without quotes or escapes.
pub fn flag_values<'c>(cmd: &'c Command<'_>, flags: &[&str]) -> Vec<(&'c str, Span)> {
    let args = cmd.args();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let v = w.as_str();
        if v == "--" {
            break;
        }
        for f in flags {
            if v == *f {
                if let Some(next) = args.get(i) {
                    out.push((next.as_str(), next.span));
                    i += 1;
                }
                break;
            }
            let attached = if f.starts_with("--") {
                v.strip_prefix(f).and_then(|r| r.strip_prefix('='))
            } else {
                v.strip_prefix(f).filter(|r| !r.is_empty())
            };
            if let Some(value) = attached {
                out.push((value, w.span_from(v.len() - value.len())));
                break;
            }
        }
    }
    out
}

/// `-k` for `k`: borrowed from a table for ASCII letters and digits (reading a cluster then
/// allocates nothing), built otherwise.
fn short_name(c: char) -> Cow<'static, str> {
    const LOWER: &str = "-a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z";
    const UPPER: &str = "-A-B-C-D-E-F-G-H-I-J-K-L-M-N-O-P-Q-R-S-T-U-V-W-X-Y-Z";
    const DIGITS: &str = "-0-1-2-3-4-5-6-7-8-9";
    let (table, first) = match c {
        'a'..='z' => (LOWER, 'a'),
        'A'..='Z' => (UPPER, 'A'),
        '0'..='9' => (DIGITS, '0'),
        _ => return Cow::Owned(format!("-{c}")),
    };
    let at = 2 * (c as usize - first as usize);
    table
        .get(at..at + 2)
        .map_or_else(|| Cow::Owned(format!("-{c}")), Cow::Borrowed)
}

/// The command that reads `cmds[i]`'s output through a pipe: the next command of its pipeline.
pub fn piped_into<'c, 'a>(cmds: &'c [Command<'a>], i: usize) -> Option<&'c Command<'a>> {
    let cmd = cmds.get(i)?;
    if !matches!(cmd.op_after, Some(Op::Pipe | Op::PipeAll)) {
        return None;
    }
    cmds.get(i + 1..)?.iter().find(|c| {
        c.depth == cmd.depth
            && c.span.start >= cmd.span.end
            && matches!(c.op_before, Some(Op::Pipe | Op::PipeAll))
    })
}

/// The command whose output `cmds[i]` reads through a pipe: the previous command of its
/// pipeline.
pub fn piped_from<'c, 'a>(cmds: &'c [Command<'a>], i: usize) -> Option<&'c Command<'a>> {
    let cmd = cmds.get(i)?;
    if !matches!(cmd.op_before, Some(Op::Pipe | Op::PipeAll)) {
        return None;
    }
    cmds.get(..i)?.iter().rev().find(|c| {
        c.depth == cmd.depth
            && c.span.end <= cmd.span.start
            && matches!(c.op_after, Some(Op::Pipe | Op::PipeAll))
    })
}

/// The command one level up whose word holds `cmds[i]` (a `$(…)`, `` `…` `` or `<(…)` in one
/// of its words, or the script of its `sh -c`), with the index of that word in its `words`.
pub fn enclosing<'c, 'a>(cmds: &'c [Command<'a>], i: usize) -> Option<(&'c Command<'a>, usize)> {
    let cmd = cmds.get(i)?;
    let depth = cmd.depth.checked_sub(1)?;
    cmds.iter().filter(|c| c.depth == depth).find_map(|c| {
        let k = c
            .words
            .iter()
            .position(|w| w.span.start <= cmd.span.start && cmd.span.end <= w.span.end)?;
        Some((c, k))
    })
}

/// Interpreters that run a script read from their standard input when given no script file.
const STDIN_INTERPRETERS: &[&str] = &[
    "python", "python2", "python3", "perl", "ruby", "node", "php",
];

/// Whether the command runs, as a program, the text it reads on its standard input: a shell
/// without `-c` and without a script file (`sh`, `bash -s -- --flag`, `sudo -E bash -`), or
/// python/perl/ruby/node/php without a script argument (or with `-`).
pub fn runs_stdin_as_script(cmd: &Command<'_>) -> bool {
    let Some(name) = literal_name(cmd) else {
        return false;
    };
    let interpreter = is_shell(name)
        || STDIN_INTERPRETERS.contains(&name)
        || STDIN_INTERPRETERS.iter().any(|p| {
            name.strip_prefix(p)
                .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        });
    if !interpreter {
        return false;
    }
    let shell = is_shell(name);
    let args = cmd.args();
    // `-s` makes a shell read its script from standard input whatever follows.
    let mut s_flag = false;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        let v = w.as_str();
        if v == "-" || v == "/dev/stdin" {
            return true;
        }
        if v == "--" {
            // What follows is the script file (or, after `-s`, its arguments).
            return s_flag || args.get(i).is_none();
        }
        if shell && (v == "-o" || v == "+o") {
            i += 1; // `bash -o pipefail`
            continue;
        }
        if let Some(long) = v.strip_prefix("--") {
            if matches!(long, "eval" | "command") {
                return false;
            }
            continue;
        }
        if let Some(flags) = v
            .strip_prefix(['-', '+'])
            .filter(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            // `sh -c '…'`, `python -c`, `perl -e`, `node -e`, `python -m mod`, `php -r`.
            if flags.contains('c') || (!shell && flags.contains(['e', 'm', 'r'])) {
                return false;
            }
            s_flag |= shell && flags.contains('s');
            continue;
        }
        // The first operand is the script file, unless `-s` made the operands arguments.
        return s_flag;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(script: &str) -> Vec<Vec<String>> {
        let mut cmds = shell_commands(script, 0);
        expand_script_variables(&mut cmds);
        cmds.iter()
            .map(|c| c.words.iter().map(|w| w.as_str().to_string()).collect())
            .collect()
    }

    #[test]
    fn variables_set_earlier_in_the_script_are_split_into_words() {
        let got =
            expanded("deps=' \\\n gcc \\\n make ' set -x && apt-get install -y $deps \"$deps\"");
        assert_eq!(
            got[1],
            ["apt-get", "install", "-y", "gcc", "make", "$deps"],
            "unquoted expansion splits; the quoted one stays one word"
        );
        let got = expanded("export P='a b'; apk add ${P}; unset P; apk add $P");
        assert_eq!(got[1], ["apk", "add", "a", "b"]);
        assert_eq!(got[3], ["apk", "add", "$P"], "unset forgets");
        let got = expanded("P=\"$X y\"; apk add $P; (Q=z); apk add $Q; FOO=1 env; apk add $FOO");
        assert_eq!(
            got[1],
            ["apk", "add", "$P"],
            "a value with an expansion is unknown"
        );
        assert!(
            got.iter().any(|c| c == &["apk", "add", "$Q"]),
            "a subshell's assignment stays there"
        );
        assert_eq!(
            got.last().unwrap(),
            &["apk", "add", "$FOO"],
            "a prefix assignment is the command's only"
        );
    }

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
    fn cmds(s: &str) -> Vec<Command<'_>> {
        shell_commands(s, 0)
    }

    #[test]
    fn options_are_read_as_getopt_reads_them() {
        const SPEC: OptionSpec = OptionSpec {
            short_values: "oH",
            long_values: &["--output"],
        };
        let text = "curl -fsSLo out -k --output x --insecure=1 -H -k -- -z";
        let c = cmds(text);
        let got: Vec<(String, String, Option<&str>)> = options(&c[0], &SPEC)
            .into_iter()
            .map(|o| {
                (
                    o.name.to_string(),
                    o.span.text(text).to_string(),
                    o.value.map(|v| v.0),
                )
            })
            .collect();
        let o = |n: &str, t: &str, v: Option<&'static str>| (n.to_string(), t.to_string(), v);
        assert_eq!(
            got,
            [
                o("-f", "f", None),
                o("-s", "s", None),
                o("-S", "S", None),
                o("-L", "L", None),
                o("-o", "o", Some("out")),
                o("-k", "k", None),
                o("--output", "--output", Some("x")),
                o("--insecure", "--insecure", Some("1")),
                o("-H", "H", Some("-k")),
            ]
        );
        // A quoted cluster cannot be located letter by letter: its word's span.
        let text = "curl '-sk' u";
        let c = cmds(text);
        let k = options(&c[0], &SPEC)
            .into_iter()
            .find(|o| o.name == "-k")
            .unwrap();
        assert_eq!(k.span.text(text), "'-sk'");
    }

    #[test]
    fn every_value_of_an_option() {
        let text = "apt-get -o A=1 -oB=2 --option=C=3 install -o D=4 -- -o E=5";
        let c = cmds(text);
        let got: Vec<(&str, &str)> = flag_values(&c[0], &["-o", "--option"])
            .into_iter()
            .map(|(v, s)| (v, s.text(text)))
            .collect();
        assert_eq!(
            got,
            [
                ("A=1", "A=1"),
                ("B=2", "B=2"),
                ("C=3", "C=3"),
                ("D=4", "D=4")
            ]
        );
    }

    #[test]
    fn pipelines_and_substitutions() {
        let c = cmds("curl -s u | tar -x && echo done | tee log");
        assert_eq!(piped_into(&c, 0).and_then(|n| n.name()), Some("tar"));
        assert_eq!(piped_into(&c, 1).and_then(|n| n.name()), None);
        assert_eq!(piped_from(&c, 1).and_then(|n| n.name()), Some("curl"));
        assert_eq!(piped_from(&c, 3).and_then(|n| n.name()), Some("echo"));
        assert!(piped_from(&c, 2).is_none());
        let c = cmds(r#"sh -c "$(curl -fsSL u)""#);
        let inner = c.iter().position(|x| x.is("curl") && x.depth == 1).unwrap();
        let (outer, k) = enclosing(&c, inner).unwrap();
        assert_eq!((outer.name(), k), (Some("sh"), 2));
        assert!(enclosing(&c, 0).is_none());
    }

    #[test]
    fn interpreters_reading_their_program_from_stdin() {
        let reads = |s: &str| runs_stdin_as_script(&cmds(s)[0]);
        for yes in [
            "sh",
            "bash -",
            "bash -s -- --version 1",
            "sudo -E bash",
            "bash -o pipefail",
            "python3 -",
            "python3",
            "perl",
            "/bin/sh /dev/stdin",
            "bash -x",
        ] {
            assert!(reads(yes), "{yes}");
        }
        for no in [
            "sh -c 'echo'",
            "bash install.sh",
            "python3 -c 'print()'",
            "python3 -m pip",
            "node -e 1",
            "tar -x",
            "bash -- script.sh",
            "$SHELL",
        ] {
            assert!(!reads(no), "{no}");
        }
    }

    #[test]
    fn a_run_starting_with_a_bracket_is_shell_form_unless_it_is_json() {
        let text = "FROM a\nRUN [ -f /x ] && curl -k u\nRUN [\"curl\", \"-k\"]\n";
        let tree = crate::syntax::dockerfile::parse(text);
        let df = crate::model::dockerfile::from_tree(&tree, text);
        let names = |i: usize| {
            run_commands(&df.instrs[i], text)
                .iter()
                .map(|c| c.name().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(1), ["[", "curl"]);
        assert_eq!(names(2), ["curl"]);
    }
}

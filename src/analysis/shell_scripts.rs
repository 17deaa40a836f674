//! The shell scripts a Dockerfile runs, each exactly as its shell receives it, with the way back
//! from every byte of the script to the byte of the file it came from (for findings at the exact
//! word, and fixes that edit only what they mean to).
//!
//! What BuildKit hands to the shell of a shell-form `RUN` (and of a `RUN` under `ONBUILD`):
//! - the command after the flags (`--mount=…` is not part of it), continuation lines joined: the
//!   escape character (`\` or `` ` ``) and the line break after it removed, comment lines inside
//!   the continuation dropped. The syntax tree's [`LogicalLine`] already maps each byte of that
//!   text back to the file; this module only composes those maps.
//! - `RUN <<EOF` (the command is a heredoc and nothing else): the body is the script, run by its
//!   `#!` interpreter when it starts with one, else by the shell; leading tabs are removed for
//!   `<<-`.
//! - any other command with heredocs: the command, then for each heredoc a line break, its body
//!   and its delimiter: one script in which the bodies are here-documents. A body fed to a shell
//!   (`RUN bash <<EOF`, `RUN sh -e <<'EOF'`) is also a script of that shell on its own.
//!
//! Only stages whose shell is a POSIX shell ShellCheck knows give scripts: the default
//! `/bin/sh`, or a `SHELL` of sh, bash, dash, ash or ksh. PowerShell, cmd (the Windows default),
//! zsh, fish and other programs give none. Exec-form `RUN ["…"]` runs no shell.
//!
//! Line breaks are `\n` in every script: the `\r` of CRLF files is left out (BuildKit reads lines
//! without it).

use crate::analysis::platform::{Platform, ShellFamily};
use crate::model::dockerfile::{Dockerfile as Model, ImageTarget, InstructionKind};
use crate::source::Span;
use crate::syntax::dockerfile::{Dockerfile as Tree, Heredoc, Instruction, LogicalLine};
use crate::syntax::shell::{self, basename};

/// The shells ShellCheck checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShellDialect {
    Sh,
    Bash,
    Dash,
    Ksh,
}

impl ShellDialect {
    /// ShellCheck's name of the dialect (`-s` / `#!/bin/<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ShellDialect::Sh => "sh",
            ShellDialect::Bash => "bash",
            ShellDialect::Dash => "dash",
            ShellDialect::Ksh => "ksh",
        }
    }

    /// The dialect of a shell program (`/bin/bash`, `dash`, `C:\\cygwin\\bin\\bash.exe`);
    /// `None` for shells ShellCheck does not check (zsh, fish, PowerShell, cmd, any other
    /// program). BusyBox's `ash` is checked as dash, as ShellCheck itself does.
    pub fn of_program(program: &str) -> Option<ShellDialect> {
        let base = basename(program);
        let base = base.rsplit('\\').next().unwrap_or(base);
        let base = base.strip_suffix(".exe").unwrap_or(base);
        Some(match base {
            "sh" => ShellDialect::Sh,
            "bash" => ShellDialect::Bash,
            "dash" | "ash" => ShellDialect::Dash,
            "ksh" | "ksh93" | "mksh" | "pdksh" | "lksh" => ShellDialect::Ksh,
            _ => return None,
        })
    }

    /// The dialect a `#!` line names (`#!/bin/bash`, `#!/usr/bin/env bash`,
    /// `#!/usr/bin/env -S bash -e`); `None` for other interpreters (`python3`).
    pub fn of_shebang(line: &str) -> Option<ShellDialect> {
        let rest = line.strip_prefix("#!")?;
        let mut words = rest.split_whitespace();
        let program = words.next()?;
        if basename(program) == "env" {
            let interpreter = words.find(|w| !w.starts_with('-') && !w.contains('='))?;
            return ShellDialect::of_program(interpreter);
        }
        ShellDialect::of_program(program)
    }
}

/// What part of a `RUN` a script is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptKind {
    /// The command (with its heredocs, if it has any that are not the whole command).
    Command,
    /// The body of heredoc number `n` of the instruction, run as a script.
    Heredoc(usize),
}

/// One run of script bytes and where they come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    /// Offset in the script.
    script: u32,
    len: u32,
    /// Offset in the file: of the first byte when `verbatim`, else the point the piece stands
    /// for (bytes BuildKit adds, such as the line break between a command and its heredocs).
    file: u32,
    verbatim: bool,
}

/// A script and its map back to the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellScript {
    /// Index in [`Model::instrs`] of the `RUN`, or of the `ONBUILD` holding it.
    pub index: usize,
    pub onbuild: bool,
    pub kind: ScriptKind,
    pub dialect: ShellDialect,
    /// Variables the script's environment holds, with their value when the Dockerfile gives
    /// one (an `ENV` value, an `ARG` default, quotes removed): the stage's `ARG`s and `ENV`s
    /// before it, and the `ENV` of the stage it is built on.
    pub declared: Vec<(String, Option<String>)>,
    /// Where the script is written: the command after the flags, or the heredoc's body.
    pub span: Span,
    text: String,
    pieces: Vec<Piece>,
    /// The offset of each line's first byte: ShellCheck reports many positions per script,
    /// and finding each one's line from the start was 5% of a corpus run.
    line_starts: Vec<u32>,
}

impl ShellScript {
    /// The script as its shell receives it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The script offset of a position given as a 1-based line and a 1-based column counting
    /// characters (a tab is one character), as ShellCheck reports them. A column past the end
    /// of its line is the line's end; `None` for a line the script does not have.
    pub fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let start = match line.checked_sub(1) {
            None => 0,
            Some(l) => *self.line_starts.get(l as usize)? as usize,
        };
        let rest = self.text.get(start..)?;
        let line_text = rest.split('\n').next().unwrap_or("");
        let skip = column.saturating_sub(1) as usize;
        // A RUN's continued lines are one long script line: where the line is ASCII up to
        // the column, characters are bytes.
        let within = match line_text.as_bytes().get(..skip) {
            Some(prefix) if prefix.is_ascii() => skip,
            _ => line_text
                .char_indices()
                .nth(skip)
                .map_or(line_text.len(), |(i, _)| i),
        };
        Some(start + within)
    }

    /// The piece holding script offset `at` (at a boundary, the later piece; at the end, the
    /// last).
    fn piece_at(&self, at: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.script as usize <= at);
        self.pieces.get(i.checked_sub(1)?)
    }

    fn file_offset(&self, at: usize) -> usize {
        match self.piece_at(at) {
            Some(p) if p.verbatim => p.file as usize + (at - p.script as usize).min(p.len as usize),
            Some(p) => p.file as usize,
            None => self.span.start as usize,
        }
    }

    /// The file span of script range `start..end`: from the file byte of `start` to just after
    /// the file byte of `end - 1`. It covers bytes the shell does not see (the escape character
    /// of a continuation, a comment line inside it) when the range crosses one.
    pub fn file_span(&self, start: usize, end: usize) -> Span {
        let s = self.file_offset(start);
        if end <= start {
            return Span::new(s, s);
        }
        let e = match self.piece_at(end - 1) {
            Some(p) if p.verbatim => self.file_offset(end - 1) + 1,
            _ => self.file_offset(end - 1),
        };
        Span::new(s, e.max(s))
    }

    /// The file bytes that are exactly script range `start..end`: one run of verbatim bytes,
    /// so replacing them changes the script there and nowhere else. For an empty range, the
    /// one file position it stands for: `None` where that is ambiguous (between the two sides
    /// of a continuation) or where BuildKit added the bytes.
    pub fn exact_file_span(&self, start: usize, end: usize) -> Option<Span> {
        if end < start {
            return None;
        }
        let i = self.pieces.partition_point(|p| p.script as usize <= start);
        let p = self.pieces.get(i.checked_sub(1)?)?;
        let (ps, pe) = (p.script as usize, (p.script + p.len) as usize);
        if !p.verbatim || end > pe || (start == pe && start != end) {
            return None;
        }
        if start == end && start == ps && i >= 2 {
            // Between this piece and the one before: one position only when they are
            // contiguous in the file too.
            let prev = self.pieces.get(i - 2)?;
            if !(prev.verbatim && prev.file + prev.len == p.file) {
                return None;
            }
        }
        let base = p.file as usize - ps;
        Some(Span::new(base + start, base + end))
    }
}

/// Builds a script and its pieces.
struct Builder {
    text: String,
    pieces: Vec<Piece>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            text: String::new(),
            pieces: Vec::new(),
        }
    }

    fn verbatim(&mut self, s: &str, file: usize) {
        self.push(s, file, true);
    }

    fn added(&mut self, s: &str, file: usize) {
        self.push(s, file, false);
    }

    fn push(&mut self, s: &str, file: usize, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        let script = self.text.len() as u32;
        let len = s.len() as u32;
        let file = file as u32;
        // Extend the last piece when this one follows it in the file too.
        if let Some(last) = self.pieces.last_mut()
            && verbatim
            && last.verbatim
            && last.file + last.len == file
        {
            last.len += len;
        } else {
            self.pieces.push(Piece {
                script,
                len,
                file,
                verbatim,
            });
        }
        self.text.push_str(s);
    }

    /// Logical range `start..end` of an instruction's logical line, segment by segment.
    fn logical(&mut self, line: &LogicalLine, start: usize, end: usize) {
        let len = line.text.len();
        for (i, seg) in line.segments.iter().enumerate() {
            let seg_start = seg.logical as usize;
            let seg_end = line.segments.get(i + 1).map_or(len, |n| n.logical as usize);
            let (a, b) = (start.max(seg_start), end.min(seg_end));
            if let Some(s) = line.text.get(a..b).filter(|_| a < b) {
                self.verbatim(s, seg.source as usize + (a - seg_start));
            }
        }
    }

    /// A heredoc body, line by line without `\r`; with `chomp`, without each line's leading
    /// tabs; with `blank_first`, without the first line's text (its line break stays).
    fn body(&mut self, h: &Heredoc, chomp: bool, blank_first: bool) {
        let base = h.body.start as usize;
        let mut pos = 0usize;
        for (n, chunk) in h.content.split_inclusive('\n').enumerate() {
            let has_nl = chunk.ends_with('\n');
            let line = chunk.trim_end_matches('\n').trim_end_matches('\r');
            let tabs = if chomp {
                line.len() - line.trim_start_matches('\t').len()
            } else {
                0
            };
            if !(blank_first && n == 0) {
                self.verbatim(line.get(tabs..).unwrap_or(""), base + pos + tabs);
            }
            if has_nl {
                self.verbatim("\n", base + pos + chunk.len() - 1);
            }
            pos += chunk.len();
        }
    }

    fn finish(self, base: ScriptBase) -> ShellScript {
        ShellScript {
            index: base.index,
            onbuild: base.onbuild,
            kind: base.kind,
            dialect: base.dialect,
            declared: base.declared,
            span: base.span,
            line_starts: std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1))
                .collect(),
            text: self.text,
            pieces: self.pieces,
        }
    }
}

/// What a script carries besides its text.
struct ScriptBase {
    index: usize,
    onbuild: bool,
    kind: ScriptKind,
    dialect: ShellDialect,
    declared: Vec<(String, Option<String>)>,
    span: Span,
}

/// Every script the Dockerfile runs under a shell ShellCheck knows, in file order.
pub fn shell_scripts(tree: &Tree, model: &Model, platform: &Platform) -> Vec<ShellScript> {
    let mut out = Vec::new();
    let mut declared = Declared::default();
    for (index, (ins, instr)) in tree.instructions.iter().zip(&model.instrs).enumerate() {
        let Some(stage) = model.stage_of(index) else {
            continue;
        };
        if stage.from == index {
            declared = Declared::of_base(model, stage);
        }
        match instr.kind {
            InstructionKind::Arg | InstructionKind::Env => {
                declared.add(model, crate::analysis::variables::var_decls(instr));
            }
            _ => {}
        }
        let (run, onbuild) = match (ins.kind, ins.onbuild()) {
            (InstructionKind::Run, _) => (ins, false),
            (InstructionKind::Onbuild, Some(inner)) if inner.kind == InstructionKind::Run => {
                (inner, true)
            }
            _ => continue,
        };
        if platform.shell_at(index) != ShellFamily::Posix {
            continue;
        }
        let Some(dialect) = ShellDialect::of_program(platform.program_at(index).unwrap_or("sh"))
        else {
            continue;
        };
        let at = At {
            index,
            onbuild,
            dialect,
        };
        let first = out.len();
        scripts_of(run, &at, &mut out);
        for script in out.iter_mut().skip(first) {
            script.declared = declared.named_in(script.text());
        }
    }
    out
}

/// Where a `RUN` is and what its scripts share.
struct At {
    index: usize,
    onbuild: bool,
    dialect: ShellDialect,
}

impl At {
    fn base(&self, kind: ScriptKind, dialect: ShellDialect, span: Span) -> ScriptBase {
        ScriptBase {
            index: self.index,
            onbuild: self.onbuild,
            kind,
            dialect,
            declared: Vec::new(),
            span,
        }
    }
}

/// The scripts of one shell-form `RUN`.
fn scripts_of(run: &Instruction, at: &At, out: &mut Vec<ShellScript>) {
    if run.is_json() {
        return;
    }
    let (start, end) = (run.args_range.start as usize, run.args_range.end as usize);
    let command = run.args_text();
    if command.trim().is_empty() {
        return;
    }
    let span = run.args_span();
    if let Some(h) = run.heredocs.first()
        && is_heredoc_word(command.trim())
    {
        // `RUN <<EOF`: the body alone is the script.
        let first = h.content.lines().next().unwrap_or("");
        let first = if h.chomp {
            first.trim_start_matches('\t')
        } else {
            first
        };
        let (dialect, shebang) = if first.starts_with("#!") {
            match ShellDialect::of_shebang(first) {
                Some(d) => (d, true),
                None => return,
            }
        } else {
            (at.dialect, false)
        };
        let mut b = Builder::new();
        b.body(h, h.chomp, shebang);
        out.push(b.finish(at.base(ScriptKind::Heredoc(0), dialect, h.body)));
        return;
    }
    let mut b = Builder::new();
    b.logical(&run.logical, start, end);
    for h in &run.heredocs {
        b.added("\n", span.end as usize);
        b.body(h, false, false);
        match h.terminator {
            // The terminator line ends with the delimiter (after the tabs of `<<-`).
            Some(t) => b.verbatim(&h.name, (t.end as usize).saturating_sub(h.name.len())),
            None => b.added(&h.name, h.body.end as usize),
        }
    }
    out.push(b.finish(at.base(ScriptKind::Command, at.dialect, span)));
    // Bodies fed to a shell's standard input are that shell's scripts.
    for (n, h) in run.heredocs.iter().enumerate() {
        if let Some(dialect) = fed_to_shell(command, &run.heredocs, n) {
            let mut b = Builder::new();
            b.body(h, h.chomp, false);
            out.push(b.finish(at.base(ScriptKind::Heredoc(n), dialect, h.body)));
        }
    }
}

/// Whether a command is one heredoc word and nothing else, as BuildKit decides it (the whole
/// command matches `^\d*<<-?[^<]*$`).
fn is_heredoc_word(command: &str) -> bool {
    let rest = command.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = rest.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    !rest.contains('<')
}

/// The dialect of the shell whose standard input heredoc `n` of `heredocs` is, when a shell
/// reads its script from there (`bash <<EOF`, `sh -eux <<EOF`, `sudo bash -s arg <<EOF`; not
/// `bash -c '…' <<EOF` nor `bash script.sh <<EOF`).
fn fed_to_shell(command: &str, heredocs: &[Heredoc], n: usize) -> Option<ShellDialect> {
    let h = heredocs.get(n)?;
    if h.fd != 0 {
        return None;
    }
    let parsed = shell::parse(command, 0);
    // The shell's heredoc redirections, matched to the Dockerfile's heredocs by delimiter, in
    // order.
    let mut redirects = parsed.commands.iter().flat_map(|c| {
        c.redirects
            .iter()
            .filter(|r| r.op.starts_with("<<") && r.op != "<<<")
            .map(move |r| (c, r))
    });
    let mut found = None;
    for (i, doc) in heredocs.iter().enumerate().take(n + 1) {
        let hit = redirects.find(|(_, r)| r.target.as_ref().is_some_and(|t| t.value == doc.name));
        if i == n {
            found = hit.map(|(c, _)| c);
        }
    }
    let cmd = found?;
    let dialect = ShellDialect::of_program(cmd.name()?)?;
    let mut args = cmd.args().iter().map(|w| w.as_str());
    while let Some(a) = args.next() {
        if a == "-o" || a == "+o" {
            args.next();
        } else if a.starts_with("--") {
            continue;
        } else if let Some(flags) = a.strip_prefix('-').or_else(|| a.strip_prefix('+')) {
            if flags.contains('c') {
                return None;
            }
            if flags.contains('s') {
                break;
            }
        } else {
            // A script file: standard input is its data.
            return None;
        }
    }
    Some(dialect)
}

/// A value of the shape BuildKit gives its automatic platform arguments, which are always one
/// word (`linux/arm64`, `linux`, `arm64`). `TARGETVARIANT` and `BUILDVARIANT` may be empty, and
/// an empty unquoted expansion vanishes, so they get no value.
fn platform_arg(name: &str) -> Option<&'static str> {
    Some(match name {
        "TARGETPLATFORM" | "BUILDPLATFORM" => "linux/amd64",
        "TARGETOS" | "BUILDOS" => "linux",
        "TARGETARCH" | "BUILDARCH" => "amd64",
        _ => return None,
    })
}

/// The variables a stage has declared so far, with their values where the Dockerfile gives
/// them.
#[derive(Default)]
struct Declared {
    names: Vec<(String, Option<String>)>,
    /// Where each name is in `names`: a Dockerfile may declare many thousands. Looked up for
    /// every word of every script, so with a fast hash (SipHash was most of this walk).
    index: foldhash::HashMap<String, usize>,
}

impl Declared {
    /// At a `FROM`: the `ENV` of the stage it is built on (ARGs do not carry over).
    fn of_base(model: &Model, stage: &crate::model::dockerfile::Stage) -> Declared {
        let mut declared = Declared::default();
        if let Some(ImageTarget::Stage(base)) = model.images.get(stage.base).map(|u| &u.target)
            && let Some(base) = model.stages.get(*base)
        {
            for (k, v) in &base.env {
                declared.set(k.clone(), Some(v.clone()));
            }
        }
        declared
    }

    fn set(&mut self, name: String, value: Option<String>) {
        match self.index.get(&name).and_then(|&i| self.names.get_mut(i)) {
            Some(slot) => slot.1 = value,
            None => {
                self.index.insert(name.clone(), self.names.len());
                self.names.push((name, value));
            }
        }
    }

    /// The declarations of the names `script` mentions (any word that could be a name, so
    /// arithmetic's bare `count` too), in declaration order: the others cannot change what
    /// ShellCheck says, and leaving them out keeps a script's text, and so its cache key, the
    /// same when an unrelated `ENV` changes.
    fn named_in(&self, script: &str) -> Vec<(String, Option<String>)> {
        if self.index.is_empty() {
            return Vec::new();
        }
        // The runs of ASCII letters, digits and `_` (a byte scan: splitting by `char` was most
        // of this walk on long scripts).
        let bytes = script.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut found: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes.get(i).is_some_and(|&b| is_word(b)) {
                i += 1;
                continue;
            }
            let start = i;
            while bytes.get(i).is_some_and(|&b| is_word(b)) {
                i += 1;
            }
            // Both ends are ASCII bytes, so the range is on character boundaries.
            if let Some(&at) = script.get(start..i).and_then(|word| self.index.get(word)) {
                found.push(at);
            }
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .filter_map(|i| self.names.get(i).cloned())
            .collect()
    }

    /// A later declaration of a name replaces its value (`ENV` after `ARG`). `ARG NAME` without
    /// a default takes the global `ARG`'s default, as BuildKit does, or for BuildKit's automatic
    /// platform arguments a value of their one-word shape.
    fn add(&mut self, model: &Model, decls: Vec<crate::analysis::variables::VarDecl>) {
        for d in decls {
            let value = match d.value {
                Some((v, _)) => Some(v),
                None if d.keyword == "ARG" => model
                    .global_args
                    .get(&d.name)
                    .cloned()
                    .flatten()
                    .or_else(|| platform_arg(&d.name).map(String::from)),
                None => None,
            };
            self.set(d.name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripts(text: &str) -> Vec<ShellScript> {
        let tree = crate::syntax::dockerfile::parse(text);
        let model = crate::model::dockerfile::from_tree(&tree, text);
        let platform = crate::analysis::platform::platform(&model);
        shell_scripts(&tree, &model, &platform)
    }

    /// The file text of script range `start..end` (the exact bytes, or the covering span).
    fn file_text<'t>(text: &'t str, s: &ShellScript, start: usize, end: usize) -> &'t str {
        s.exact_file_span(start, end)
            .unwrap_or_else(|| s.file_span(start, end))
            .text(text)
    }

    fn find(s: &ShellScript, needle: &str) -> (usize, usize) {
        let at = s.text().find(needle).unwrap();
        (at, at + needle.len())
    }

    #[test]
    fn continuation_lines_map_back_word_by_word() {
        let text = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt \\\n    apt-get install \\\n  # a comment\n    $pkgs && echo $x\n";
        let s = &scripts(text)[0];
        assert_eq!(
            s.text(),
            "apt-get install     $pkgs && echo $x",
            "flags, escapes and comment lines are not the shell's"
        );
        let (a, b) = find(s, "$pkgs");
        let span = s.exact_file_span(a, b).unwrap();
        assert_eq!(span.text(text), "$pkgs");
        assert_eq!(text[..span.start as usize].lines().count(), 5);
        // A range across the continuation covers the escape and the comment line.
        let (a, _) = find(s, "install");
        let (_, b) = find(s, "$pkgs");
        assert_eq!(s.exact_file_span(a, b), None);
        assert!(s.file_span(a, b).text(text).contains("# a comment"));
        assert_eq!(s.offset(1, 22), Some(21));
        assert_eq!(s.dialect, ShellDialect::Sh);
    }

    #[test]
    fn backtick_escape_and_crlf() {
        let text = "# escape=`\r\nFROM debian:12\r\nRUN echo \\$a `\r\n  && echo $b\r\n";
        let s = &scripts(text)[0];
        assert_eq!(s.text(), "echo \\$a   && echo $b");
        let (a, b) = find(s, "$b");
        assert_eq!(file_text(text, s, a, b), "$b");
        let (a, b) = find(s, "\\$a");
        assert_eq!(file_text(text, s, a, b), "\\$a");
    }

    #[test]
    fn a_heredoc_command_is_its_body() {
        let text = "FROM debian:12\nRUN <<EOF\r\nset -e\r\necho $x\r\nEOF\r\n";
        let s = &scripts(text)[0];
        assert_eq!(s.kind, ScriptKind::Heredoc(0));
        assert_eq!(s.text(), "set -e\necho $x\n");
        let at = s.offset(2, 6).unwrap();
        assert_eq!(file_text(text, s, at, at + 2), "$x");
    }

    #[test]
    fn a_chomped_body_with_a_shebang() {
        let text = "FROM debian:12\nRUN <<-EOF\n\t#!/usr/bin/env bash\n\techo ${x[0]}\n\tEOF\n";
        let s = &scripts(text)[0];
        assert_eq!(s.dialect, ShellDialect::Bash);
        assert_eq!(s.text(), "\necho ${x[0]}\n");
        let at = s.offset(2, 6).unwrap();
        assert_eq!(file_text(text, s, at, at + 7), "${x[0]}");
        // Another interpreter's script is not a shell script.
        assert!(
            scripts("FROM python:3\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n").is_empty()
        );
    }

    #[test]
    fn a_command_with_heredocs_and_a_body_fed_to_bash() {
        let text = "FROM debian:12\nRUN cat <<A > /a && bash -e <<'B'\nx $y\nA\nfor f in *; do echo $f; done\nB\n";
        let all = scripts(text);
        assert_eq!(all.len(), 2, "{all:#?}");
        assert_eq!(
            all[0].text(),
            "cat <<A > /a && bash -e <<'B'\nx $y\nA\nfor f in *; do echo $f; done\nB"
        );
        let (a, b) = find(&all[0], "$y");
        assert_eq!(file_text(text, &all[0], a, b), "$y");
        let (a, b) = find(&all[0], "\nB");
        assert_eq!(
            all[0].exact_file_span(a + 1, b).map(|s| s.text(text)),
            Some("B")
        );
        assert_eq!(all[1].kind, ScriptKind::Heredoc(1));
        assert_eq!(all[1].dialect, ShellDialect::Bash);
        assert_eq!(all[1].text(), "for f in *; do echo $f; done\n");
        // `bash -c` and `bash script` read no script from standard input.
        assert_eq!(scripts("FROM a\nRUN bash -c 'x' <<E\ny\nE\n").len(), 1);
        assert_eq!(scripts("FROM a\nRUN bash s.sh <<E\ny\nE\n").len(), 1);
        assert_eq!(
            scripts("FROM a\nRUN sh -o pipefail -s x <<E\ny\nE\n").len(),
            2
        );
    }

    #[test]
    fn shells_decide_the_dialect_and_non_posix_stages_have_none() {
        let text = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a\nSHELL [\"/bin/ash\", \"-c\"]\nRUN b\nSHELL [\"zsh\", \"-c\"]\nRUN c\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN d\nSHELL [\"powershell\", \"-Command\"]\nRUN e\nFROM debian:12\nRUN [\"f\"]\nONBUILD RUN g\n";
        let all = scripts(text);
        let got: Vec<(&str, ShellDialect, bool)> = all
            .iter()
            .map(|s| (s.text(), s.dialect, s.onbuild))
            .collect();
        assert_eq!(
            got,
            [
                ("a", ShellDialect::Bash, false),
                ("b", ShellDialect::Dash, false),
                ("g", ShellDialect::Sh, true)
            ]
        );
    }

    #[test]
    fn declared_variables_follow_the_stage() {
        let text = "ARG GLOBAL=g\nFROM a AS one\nARG version=1\nENV lower=x\nRUN x $version $lower $later\nARG later\nFROM one\nRUN y $lower $version\nFROM a\nARG GLOBAL TARGETARCH TARGETVARIANT UNUSED\nRUN z ${GLOBAL} $((TARGETARCH)) $TARGETVARIANT $lower\n";
        let got: Vec<Vec<(String, Option<String>)>> =
            scripts(text).into_iter().map(|s| s.declared).collect();
        let v = |n: &str, value: Option<&str>| (n.to_string(), value.map(String::from));
        assert_eq!(
            got,
            [
                vec![v("version", Some("1")), v("lower", Some("x"))],
                vec![v("lower", Some("x"))],
                vec![
                    v("GLOBAL", Some("g")),
                    v("TARGETARCH", Some("amd64")),
                    v("TARGETVARIANT", None)
                ]
            ]
        );
    }

    #[test]
    fn insertions_at_a_continuation_are_ambiguous() {
        let text = "FROM a\nRUN echo a\\\n$b\n";
        let s = &scripts(text)[0];
        assert_eq!(s.text(), "echo a$b");
        let (a, b) = find(s, "$b");
        assert_eq!(s.exact_file_span(a, a), None);
        assert_eq!(
            s.exact_file_span(b, b).map(|x| x.start as usize),
            Some(text.len() - 1)
        );
        assert_eq!(s.exact_file_span(a, b).map(|x| x.text(text)), Some("$b"));
    }

    #[test]
    fn dialects_of_programs_and_shebangs() {
        assert_eq!(
            ShellDialect::of_program("/usr/bin/bash"),
            Some(ShellDialect::Bash)
        );
        assert_eq!(
            ShellDialect::of_program("C:\\bin\\bash.exe"),
            Some(ShellDialect::Bash)
        );
        assert_eq!(ShellDialect::of_program("mksh"), Some(ShellDialect::Ksh));
        assert_eq!(ShellDialect::of_program("zsh"), None);
        assert_eq!(
            ShellDialect::of_shebang("#!/bin/sh -e"),
            Some(ShellDialect::Sh)
        );
        assert_eq!(
            ShellDialect::of_shebang("#!/usr/bin/env -S bash -eu"),
            Some(ShellDialect::Bash)
        );
        assert_eq!(ShellDialect::of_shebang("#!/usr/bin/env node"), None);
        assert!(is_heredoc_word("<<-EOF") && is_heredoc_word("2<<\"X\""));
        assert!(!is_heredoc_word("<<A <<B") && !is_heredoc_word("cat <<A"));
    }
}

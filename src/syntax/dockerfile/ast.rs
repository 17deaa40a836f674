//! The Dockerfile syntax tree: what [`super::parse`] returns and what rules read.
//!
//! Every node keeps a [`Span`] into the original text. Instruction arguments are kept in the
//! shape BuildKit gives them (so `debug ast --format buildkit` can print BuildKit's dump), with
//! typed accessors on [`Instruction`] for the questions rules ask (`from()`, `copy()`,
//! `flag("from")`, `shell_text()`, `exec_args()`, ...).
//!
//! Continuation lines remove bytes (the escape character, comment lines inside the
//! continuation), so an instruction's arguments are read from its [`LogicalLine`]: the joined
//! text plus a map from each logical byte back to its source byte.

use crate::source::Span;

/// A parsed Dockerfile. Parsing never fails: where BuildKit refuses the file, [`errors`] says
/// why and where, and the instructions around the error are still in the tree.
///
/// [`errors`]: Dockerfile::errors
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) from the directive region.
    pub directives: Vec<Directive>,
    /// The escape character in effect: `\` (default) or `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    /// Every comment line outside heredoc bodies, in source order (including those inside
    /// continuations and directive lines).
    pub comments: Vec<Comment>,
    /// Where BuildKit would refuse the file. Empty when BuildKit accepts it.
    pub errors: Vec<ParseError>,
    /// What BuildKit accepts but warns about (empty continuation lines).
    pub warnings: Vec<ParseWarning>,
    /// Where parsing stopped because the file holds more than [`super::MAX_INSTRUCTIONS`]
    /// instructions (the instructions before it are in the tree; the rest is not read).
    pub truncated_at: Option<Span>,
}

impl Dockerfile {
    /// The directive named `name` (lowercase: `syntax`, `escape`, `check`), if present.
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// True when BuildKit would accept the file.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The top-level instruction whose span holds byte `offset` (for editors).
    pub fn instruction_at(&self, offset: usize) -> Option<&Instruction> {
        let i = self
            .instructions
            .partition_point(|ins| (ins.span.start as usize) <= offset);
        let ins = self.instructions.get(i.checked_sub(1)?)?;
        (offset <= ins.span.end as usize).then_some(ins)
    }
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lowercased name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    /// The whole comment line, from `#` to the end of its content.
    pub span: Span,
    pub name_span: Span,
    pub value_span: Span,
}

/// A comment line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From `#` to the end of the line (without the line terminator).
    pub span: Span,
    /// The text after `#`, trimmed.
    pub text: String,
}

impl Comment {
    /// The text as BuildKit's `prevComment` keeps it: the line after its first character,
    /// trimmed, so an indented `  # x` reads `# x`.
    pub fn buildkit_text(&self, source: &str) -> String {
        let start = self.span.start as usize;
        let indented = start > 0
            && !matches!(source.as_bytes().get(start - 1), Some(b'\n'))
            && !(start == 3 && source.starts_with('\u{feff}'));
        if indented {
            self.span.text(source).trim().to_string()
        } else {
            self.text.clone()
        }
    }
}

/// Something BuildKit refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// Something BuildKit accepts with a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseWarning {
    pub span: Span,
    pub message: String,
}

/// The known instructions, plus `Unknown` for any other name (BuildKit ignores those).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    #[default]
    Unknown,
}

impl InstructionKind {
    /// Canonical upper-case name (`"UNKNOWN"` for unknown instructions).
    pub fn as_str(self) -> &'static str {
        match self {
            InstructionKind::Add => "ADD",
            InstructionKind::Arg => "ARG",
            InstructionKind::Cmd => "CMD",
            InstructionKind::Copy => "COPY",
            InstructionKind::Entrypoint => "ENTRYPOINT",
            InstructionKind::Env => "ENV",
            InstructionKind::Expose => "EXPOSE",
            InstructionKind::From => "FROM",
            InstructionKind::Healthcheck => "HEALTHCHECK",
            InstructionKind::Label => "LABEL",
            InstructionKind::Maintainer => "MAINTAINER",
            InstructionKind::Onbuild => "ONBUILD",
            InstructionKind::Run => "RUN",
            InstructionKind::Shell => "SHELL",
            InstructionKind::Stopsignal => "STOPSIGNAL",
            InstructionKind::User => "USER",
            InstructionKind::Volume => "VOLUME",
            InstructionKind::Workdir => "WORKDIR",
            InstructionKind::Unknown => "UNKNOWN",
        }
    }

    /// The kind for an instruction name, compared case-insensitively as BuildKit does.
    pub fn from_name(name: &str) -> InstructionKind {
        super::parser::lookup(name).map_or(InstructionKind::Unknown, |e| e.kind)
    }
}

impl std::fmt::Display for InstructionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One segment of a logical line: `len` bytes at `logical` in the joined text come from
/// `source` in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub logical: u32,
    pub source: u32,
}

/// An instruction's text with continuations joined, and the way back to the source.
///
/// The text starts at the instruction keyword (leading whitespace and a leading lone
/// continuation are dropped) and is what BuildKit calls the instruction's `Original`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogicalLine {
    pub text: String,
    /// Sorted by `logical`; each segment runs to the next one's start (or the text's end).
    pub segments: Vec<Segment>,
}

impl LogicalLine {
    /// Source offset of logical offset `at` (an offset at a segment boundary maps to the start
    /// of the later segment; `at == text.len()` maps just past the last byte).
    pub fn source_offset(&self, at: usize) -> usize {
        let at = at as u32;
        let i = self.segments.partition_point(|s| s.logical <= at);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(seg) => (seg.source + (at - seg.logical)) as usize,
            None => self.segments.first().map_or(0, |s| s.source as usize),
        }
    }

    /// Source offset just past logical byte `end - 1` (so a range ending at a segment boundary
    /// ends in the earlier segment, not at the start of the next line).
    pub fn source_end(&self, end: usize) -> usize {
        if end == 0 {
            return self.source_offset(0);
        }
        self.source_offset(end - 1) + 1
    }

    /// The source span covering logical range `start..end`. It may cover removed bytes
    /// (continuation characters, comment lines) when the range crosses a continuation.
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        let s = self.source_offset(start);
        if end <= start {
            return Span::new(s, s);
        }
        let e = self.source_end(end).max(s);
        Span::new(s, e)
    }

    /// The source spans of logical range `start..end`, one per segment it touches: exactly the
    /// source bytes that make up the range (for precise highlighting or rewriting).
    pub fn source_pieces(&self, start: usize, end: usize) -> Vec<Span> {
        let mut out = Vec::new();
        let text_len = self.text.len();
        for (i, seg) in self.segments.iter().enumerate() {
            let seg_start = seg.logical as usize;
            let seg_end = self
                .segments
                .get(i + 1)
                .map_or(text_len, |n| n.logical as usize);
            let a = start.max(seg_start);
            let b = end.min(seg_end);
            if a < b {
                let base = seg.source as usize - seg_start;
                out.push(Span::new(base + a, base + b));
            }
        }
        out
    }

    /// The text of logical range `r` ("" when out of range).
    pub fn slice(&self, r: Span) -> &str {
        r.text(&self.text)
    }
}

/// A leading flag such as `--from=build` or `--link`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The name without `--` (`from`, `mount`, `platform`).
    pub name: String,
    /// The value after `=` with quotes and escapes removed; `None` for a bare `--link`.
    pub value: Option<String>,
    /// The whole flag token in the source, `--` included.
    pub span: Span,
    pub name_span: Span,
    /// The value's source bytes (quotes included), when there is a value.
    pub value_span: Option<Span>,
    /// The flag token's range in the instruction's logical text.
    pub logical: Span,
}

/// A string argument: a word of a whitespace-separated list, a JSON array element, a key or
/// a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The value as BuildKit has it: JSON strings decoded; other words as written (quotes kept).
    pub value: String,
    /// Source bytes of the word (a JSON string's quotes included).
    pub span: Span,
    /// The word's range in the instruction's logical text.
    pub logical: Span,
}

/// Free text (a shell-form command, a USER value, ...): a range of the logical line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// The range in the instruction's logical text.
    pub logical: Span,
    /// The source span it covers (see [`LogicalLine::source_span`]).
    pub span: Span,
}

/// An ENV or LABEL pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Word,
    /// The value, quotes kept as BuildKit keeps them (empty for `ENV a=`).
    pub value: Word,
    /// True for the legacy `ENV key value` form (BuildKit's separator `""`).
    pub legacy: bool,
    /// Source span of the whole pair.
    pub span: Span,
}

/// An instruction's arguments, in the shape BuildKit's parser gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Args {
    /// No arguments at all (`RUN` alone, `ONBUILD` alone).
    Empty,
    /// Shell form / free text: RUN, CMD, ENTRYPOINT, SHELL when not JSON; USER, WORKDIR,
    /// STOPSIGNAL, MAINTAINER.
    Text(Text),
    /// JSON (exec) form: RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME `["a", "b"]`.
    Exec(Vec<Word>),
    /// Whitespace-separated words (FROM, EXPOSE, COPY/ADD/VOLUME when not JSON) or ARG words.
    Words(Vec<Word>),
    /// ENV and LABEL pairs.
    Pairs(Vec<KeyValue>),
    /// HEALTHCHECK: `kind` is the first word (`NONE`, `CMD`), `cmd` the command after it
    /// (`Empty`, `Text` or `Exec`).
    Healthcheck { kind: Word, cmd: Box<Args> },
    /// ONBUILD's inner instruction, parsed like a top-level one.
    Onbuild(Box<Instruction>),
    /// An unknown instruction: BuildKit keeps no arguments (see [`Instruction::args_text`]).
    Unknown,
}

/// A heredoc attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter with quotes removed (`EOF`).
    pub name: String,
    /// The `<<EOF` word in the instruction line.
    pub word_span: Span,
    /// File descriptor before `<<` (0 when absent).
    pub fd: u32,
    /// False when the delimiter is quoted: the body is not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped (from the terminator, and by the shell from the body).
    pub chomp: bool,
    /// The body as BuildKit keeps it: every line between the instruction and the terminator,
    /// each with its line terminator.
    pub content: String,
    /// The body's source bytes (== `content`).
    pub body: Span,
    /// The terminator line, `None` when the heredoc runs to the end of the file.
    pub terminator: Option<Span>,
}

impl Heredoc {
    /// Each body line with its source span (without the line terminator).
    pub fn lines(&self) -> impl Iterator<Item = (Span, &str)> + '_ {
        let base = self.body.start as usize;
        let mut pos = 0usize;
        let content = self.content.as_str();
        std::iter::from_fn(move || {
            if pos >= content.len() {
                return None;
            }
            let rest = content.get(pos..)?;
            let len = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
            let mut line = rest.get(..len)?;
            let start = pos;
            pos += len;
            line = line.trim_end_matches(['\n', '\r']);
            Some((Span::new(base + start, base + start + line.len()), line))
        })
    }
}

/// One instruction, with its continuation lines and heredocs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub kind: InstructionKind,
    /// The instruction name as written (`run`, `FROM`).
    pub keyword: Span,
    /// From the keyword to the end of the last line (heredoc bodies and terminators included),
    /// without the final line terminator.
    pub span: Span,
    /// 1-based first and last line (as BuildKit reports them; heredoc lines included).
    pub start_line: u32,
    pub end_line: u32,
    pub flags: Vec<Flag>,
    /// The bare `--` that ended the flags, if any (`COPY -- --x y`).
    pub flags_end: Option<Span>,
    pub args: Args,
    /// Where the arguments start and end in the logical text (after the flags).
    pub args_range: Span,
    pub heredocs: Vec<Heredoc>,
    /// The comments directly above, as BuildKit attaches them (`prevComment`).
    pub comments: Vec<Comment>,
    pub logical: LogicalLine,
}

impl Instruction {
    /// The instruction name as written.
    pub fn name(&self) -> &str {
        let t = self.logical.text.trim_start_matches(char::is_whitespace);
        let end = t
            .bytes()
            .position(|b| matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' '))
            .unwrap_or(t.len());
        t.get(..end).unwrap_or("")
    }

    /// The first flag called `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Every flag called `name`, in order (`--exclude` may repeat).
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The arguments after the flags as one string (logical text, continuations joined).
    pub fn args_text(&self) -> &str {
        self.logical.slice(self.args_range)
    }

    /// Source span of the arguments after the flags.
    pub fn args_span(&self) -> Span {
        self.logical
            .source_span(self.args_range.start as usize, self.args_range.end as usize)
    }

    /// The logical text of a [`Text`] argument.
    pub fn text_of(&self, t: &Text) -> &str {
        self.logical.slice(t.logical)
    }

    /// Shell-form text of RUN/CMD/ENTRYPOINT/SHELL (and of HEALTHCHECK CMD), or the free text
    /// of USER/WORKDIR/STOPSIGNAL/MAINTAINER.
    pub fn shell_text(&self) -> Option<&str> {
        match &self.args {
            Args::Text(t) => Some(self.text_of(t)),
            Args::Healthcheck { cmd, .. } => match cmd.as_ref() {
                Args::Text(t) => Some(self.text_of(t)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The [`Text`] of a shell-form argument (see [`Instruction::shell_text`]).
    pub fn shell(&self) -> Option<&Text> {
        match &self.args {
            Args::Text(t) => Some(t),
            Args::Healthcheck { cmd, .. } => match cmd.as_ref() {
                Args::Text(t) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// The strings of a JSON (exec) form argument, including HEALTHCHECK CMD's.
    pub fn exec_args(&self) -> Option<&[Word]> {
        match &self.args {
            Args::Exec(w) => Some(w),
            Args::Healthcheck { cmd, .. } => match cmd.as_ref() {
                Args::Exec(w) => Some(w),
                _ => None,
            },
            _ => None,
        }
    }

    /// True when the arguments are in JSON (exec) form.
    pub fn is_json(&self) -> bool {
        self.exec_args().is_some()
    }

    /// Whitespace-separated words (FROM, EXPOSE, ARG, COPY/ADD/VOLUME shell form).
    pub fn words(&self) -> &[Word] {
        match &self.args {
            Args::Words(w) => w,
            _ => &[],
        }
    }

    /// ENV and LABEL pairs.
    pub fn pairs(&self) -> &[KeyValue] {
        match &self.args {
            Args::Pairs(p) => p,
            _ => &[],
        }
    }

    /// ONBUILD's inner instruction.
    pub fn onbuild(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(i) => Some(i),
            _ => None,
        }
    }

    /// FROM's parts: image, `AS name`, `--platform`.
    pub fn from(&self) -> Option<FromArgs<'_>> {
        if self.kind != InstructionKind::From {
            return None;
        }
        let words = self.words();
        let image = words.first()?;
        let (as_keyword, stage_name) = match (words.get(1), words.get(2)) {
            (Some(k), name) if k.value.eq_ignore_ascii_case("as") => (Some(k), name),
            _ => (None, None),
        };
        Some(FromArgs {
            image,
            as_keyword,
            stage_name,
            platform: self.flag("platform"),
        })
    }

    /// COPY/ADD sources and destination (shell or JSON form).
    pub fn copy(&self) -> Option<CopyArgs<'_>> {
        if !matches!(self.kind, InstructionKind::Copy | InstructionKind::Add) {
            return None;
        }
        let (words, json) = match &self.args {
            Args::Exec(w) => (w.as_slice(), true),
            Args::Words(w) => (w.as_slice(), false),
            _ => (&[][..], false),
        };
        let (dest, sources) = match words.split_last() {
            Some((d, s)) => (Some(d), s),
            None => (None, words),
        };
        Some(CopyArgs {
            sources,
            dest,
            json,
        })
    }

    /// ARG declarations: `NAME` or `NAME=default`.
    pub fn arg_decls(&self) -> Vec<ArgDecl<'_>> {
        if self.kind != InstructionKind::Arg {
            return Vec::new();
        }
        self.words()
            .iter()
            .map(|w| {
                let (name, default) = match w.value.split_once('=') {
                    Some((n, d)) => (n, Some(d)),
                    None => (w.value.as_str(), None),
                };
                let name_end = w.logical.start as usize + name.len();
                ArgDecl {
                    word: w,
                    name,
                    default,
                    name_span: self.logical.source_span(w.logical.start as usize, name_end),
                    default_span: default.map(|_| {
                        self.logical
                            .source_span(name_end + 1, w.logical.end as usize)
                    }),
                }
            })
            .collect()
    }

    /// Source span of logical range `start..end` of this instruction.
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        self.logical.source_span(start, end)
    }
}

/// FROM's parts, from [`Instruction::from`].
#[derive(Clone, Copy, Debug)]
pub struct FromArgs<'a> {
    pub image: &'a Word,
    pub as_keyword: Option<&'a Word>,
    pub stage_name: Option<&'a Word>,
    pub platform: Option<&'a Flag>,
}

impl<'a> FromArgs<'a> {
    /// The `--platform` value as BuildKit reads it (quotes removed) with its source span.
    pub fn platform_value(&self) -> Option<(&'a str, Span)> {
        let flag = self.platform?;
        Some((flag.value.as_deref()?, flag.value_span?))
    }
}

/// COPY/ADD parts, from [`Instruction::copy`].
#[derive(Clone, Copy, Debug)]
pub struct CopyArgs<'a> {
    pub sources: &'a [Word],
    pub dest: Option<&'a Word>,
    pub json: bool,
}

/// One ARG declaration, from [`Instruction::arg_decls`].
#[derive(Clone, Copy, Debug)]
pub struct ArgDecl<'a> {
    pub word: &'a Word,
    pub name: &'a str,
    /// The default as written (quotes kept), when there is `=`.
    pub default: Option<&'a str>,
    pub name_span: Span,
    pub default_span: Option<Span>,
}

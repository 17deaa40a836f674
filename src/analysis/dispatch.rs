//! What BuildKit's dispatch sees: each stage's environment as `docker build` builds it (the base
//! stage's environment, or BuildKit's default `PATH` on a Linux image; then every `ENV`, and
//! every `ARG` with a value), the `ARG`s declared so far, and what each instruction's words
//! expand to.
//!
//! BuildKit expands, before running an instruction, the keys and values of `ENV` and `LABEL`,
//! `COPY`/`ADD` sources, destination and `--chown`/`--chmod`/`--checksum`, `WORKDIR`, `USER`,
//! `VOLUME`, `STOPSIGNAL`, `RUN --mount` options and `ARG` defaults; a variable it looks up and
//! does not find there is a use of an undefined variable (UndefinedVar), unless an `ARG`
//! declared it without a value. All the words of one `ENV` are expanded before any of its
//! pairs is set, so `ENV A=1 B=$A` does not see `A`. `RUN` commands, `CMD` and `ENTRYPOINT`
//! are the shell's to expand, and `ONBUILD` instructions run in another build; none of them is
//! read here.
//!
//! The environment of an image from a registry is not known here (only its platform's `PATH`
//! default, which BuildKit adds when the image sets none).
//!
//! Expansion here is charged to a [`Budget`] per file, as the model's is: values can double at
//! every `ENV` or `ARG`, and a stage built on another copies its environment. When the budget
//! runs out, dispatch stops there (the model reports the limit as `input-limit`): what was found
//! before stays, and nothing is guessed after.

use crate::model::build_inputs::BuildInputs;
use crate::model::dockerfile::{Dockerfile, ImageTarget, Instr, InstructionKind};
use crate::source::Span;
use crate::syntax::expand::{Budget, ExpandError, Expander, Lookup, VarUse};
use crate::syntax::platform::Platform;
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

/// `PATH` BuildKit gives a Linux image that sets none.
pub const DEFAULT_LINUX_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// BuildKit's build arguments that never enter the environment nor count as undefined.
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// A variable an instruction uses that is not defined where it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndefinedUse {
    /// Index of the instruction in [`Dockerfile::instrs`].
    pub instr: usize,
    pub name: String,
    /// The `$name` or `${name…` in the source, or the whole word when it cannot be found there.
    pub span: Span,
    /// BuildKit's "did you mean": the closest variable defined at that point.
    pub suggestion: Option<String>,
}

/// A word after expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expanded {
    /// The word in the source.
    pub span: Span,
    /// The value, or `None` when expansion fails (BuildKit refuses the instruction).
    pub value: Option<String>,
}

/// An environment as BuildKit's list keeps it: in the order variables were set, a variable set
/// again moving to the end. Setting and looking up take constant time (a file can set 100,000
/// variables): a variable set again leaves an empty slot behind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    slots: Vec<Option<(String, String)>>,
    at: HashMap<String, usize>,
}

impl Env {
    /// Sets `key`, moving it to the end.
    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(old) = self.at.insert(key.to_string(), self.slots.len())
            && let Some(slot) = self.slots.get_mut(old)
        {
            *slot = None;
        }
        self.slots.push(Some((key.to_string(), value.to_string())));
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let slot = self.slots.get(*self.at.get(key)?)?;
        slot.as_ref().map(|(_, v)| v.as_str())
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.at.contains_key(key)
    }

    /// The variables, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.slots
            .iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    /// Bytes it holds (what copying it costs).
    fn bytes(&self) -> usize {
        self.iter().map(|(k, v)| k.len() + v.len()).sum()
    }
}

impl Lookup for Env {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        Env::get(self, name).map(Cow::Borrowed)
    }
}

/// A stage's state as dispatch leaves it, for the stages built on it.
#[derive(Clone, Debug, Default)]
struct StageEnd {
    env: Env,
    /// The ARGs the stage declared.
    args: HashSet<String>,
}

impl StageEnd {
    /// Bytes it holds (what copying it costs).
    fn bytes(&self) -> usize {
        self.env.bytes() + self.args.iter().map(String::len).sum::<usize>()
    }
}

/// The results of dispatching a Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dispatch {
    /// Every use of an undefined variable, in file order, one per variable per instruction.
    pub undefined: Vec<UndefinedUse>,
    /// For each instruction (by index): COPY/ADD sources from the build context (not
    /// `--from`, not heredocs), WORKDIR's path, EXPOSE's ports (one word may expand to
    /// several); empty for others.
    pub words: Vec<Vec<Expanded>>,
}

impl Dispatch {
    /// The expanded words recorded for instruction `index`.
    pub fn words_of(&self, index: usize) -> &[Expanded] {
        self.words.get(index).map_or(&[], Vec::as_slice)
    }
}

/// BuildKit's global ARGs, with which it expands `FROM` (the image and `--platform`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalArgs {
    /// The platform ARGs, then every ARG declared before the first FROM that has a value,
    /// build arguments applied (what the build uses).
    pub env: Env,
    /// The same from the ARG defaults alone (build arguments for declared ARGs ignored), as
    /// BuildKit checks that base images stay valid without build arguments.
    pub defaults: Env,
    /// The names of the ARGs declared before the first FROM, with or without a value.
    pub declared: HashSet<String>,
    /// The file's escape character.
    pub escape: char,
    /// What expanding FROM words may still cost in this file.
    budget: Cell<Budget>,
}

impl GlobalArgs {
    /// Expands a FROM word as the build does, with the variables it looked up. An error whose
    /// `exhausted` is set means the file's expansion budget ran out: the value is unknown.
    pub fn expand(&self, word: &str) -> (Result<String, ExpandError>, VarUse) {
        self.expand_in(&self.env, word)
    }

    /// Expands a FROM word with the ARG defaults alone.
    pub fn expand_defaults(&self, word: &str) -> (Result<String, ExpandError>, VarUse) {
        self.expand_in(&self.defaults, word)
    }

    fn expand_in(&self, env: &Env, word: &str) -> (Result<String, ExpandError>, VarUse) {
        let mut budget = self.budget.get();
        let out = expand_tracked(env, word, self.escape, &mut budget);
        self.budget.set(budget);
        out
    }

    /// Whether `word` has a variable to expand.
    pub fn has_expansion(&self, word: &str) -> bool {
        crate::syntax::expand::has_expansion(word, self.escape)
    }

    /// Every name FROM may use: declared ARGs and the platform ARGs, sorted.
    pub fn known_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .declared
            .iter()
            .map(String::as_str)
            .chain(self.env.names())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Whether `name` is declared before the first FROM but has no value in this build (no
    /// default, no build argument): what it expands to is decided when the image is built.
    pub fn declared_without_value(&self, name: &str) -> bool {
        self.declared.contains(name) && !self.env.contains(name)
    }
}

/// Reads the ARGs before the first FROM as BuildKit does (its `buildMetaArgs`), charging the
/// expansions (these and later FROM words') to `budget`.
pub fn global_args(df: &Dockerfile, inputs: &BuildInputs, mut budget: Budget) -> GlobalArgs {
    let target_stage = df
        .stages
        .last()
        .and_then(|s| s.name.clone())
        .unwrap_or_default();
    // Always defined here, even where the file names none of them: they are also the names
    // a misspelt one is compared with ("did you mean BUILDPLATFORM?").
    let mut automatic = Env::default();
    for (k, v) in inputs.automatic_args(&target_stage) {
        automatic.set(k, &v);
    }
    let mut out = GlobalArgs {
        env: automatic.clone(),
        defaults: automatic,
        declared: HashSet::new(),
        escape: df.escape,
        budget: Cell::new(budget),
    };
    let first_from = df.stages.first().map_or(df.instrs.len(), |s| s.from);
    for ins in df.instrs.iter().take(first_from) {
        if ins.kind != InstructionKind::Arg {
            continue;
        }
        for w in &ins.args {
            let (name, default) = match w.text.split_once('=') {
                Some((n, d)) => (n, Some(d)),
                None => (w.text.as_str(), None),
            };
            out.declared.insert(name.to_string());
            let mut expand = |env: &Env, d: &str| {
                Expander::new(env)
                    .with_escape(df.escape)
                    .expand_word_budgeted(d, &mut VarUse::default(), &mut budget)
                    .unwrap_or_default()
            };
            let with_args = match (inputs.arg(name), default) {
                (Some(given), _) => Some(given.to_string()),
                (None, Some(d)) => Some(expand(&out.env, d)),
                (None, None) => None,
            };
            if let Some(v) = with_args {
                out.env.set(name, &v);
            }
            if let Some(d) = default {
                let v = expand(&out.defaults, d);
                out.defaults.set(name, &v);
            }
        }
    }
    out.budget.set(budget);
    out
}

impl Default for GlobalArgs {
    fn default() -> GlobalArgs {
        GlobalArgs {
            env: Env::default(),
            defaults: Env::default(),
            declared: HashSet::new(),
            escape: '\\',
            budget: Cell::new(Budget::for_text(0)),
        }
    }
}

/// Expands a word, also returning the variables it looked up (BuildKit's
/// `ProcessWordWithMatches`).
fn expand_tracked(
    env: &Env,
    word: &str,
    escape: char,
    budget: &mut Budget,
) -> (Result<String, ExpandError>, VarUse) {
    let mut uses = VarUse::default();
    let result = Expander::new(env)
        .with_escape(escape)
        .expand_word_budgeted(word, &mut uses, budget);
    (result, uses)
}

/// Dispatches every stage of `df` (all of them, as `docker build --check` does), with the
/// file's global ARGs ([`global_args`]), until `budget` runs out.
pub fn dispatch(
    df: &Dockerfile,
    text: &str,
    inputs: &BuildInputs,
    globals: &GlobalArgs,
    mut budget: Budget,
) -> Dispatch {
    let mut out = Dispatch {
        undefined: Vec::new(),
        words: vec![Vec::new(); df.instrs.len()],
    };
    let mut ends: Vec<StageEnd> = Vec::with_capacity(df.stages.len());
    for stage in &df.stages {
        let base = df.images.get(stage.base).map(|u| &u.target);
        let mut state = match base {
            Some(ImageTarget::Stage(b)) => {
                let inherited = ends.get(*b);
                // Many stages each inheriting a large environment would multiply it.
                if !budget.take_bytes(inherited.map_or(0, StageEnd::bytes)) {
                    return out;
                }
                inherited.cloned().unwrap_or_default()
            }
            _ => {
                let os = stage
                    .platform
                    .as_deref()
                    .and_then(|p| Platform::parse(p).ok())
                    .map_or_else(|| inputs.target.os.clone(), |p| p.os);
                let mut s = StageEnd::default();
                if os != "windows" {
                    s.env.set("PATH", DEFAULT_LINUX_PATH);
                }
                s
            }
        };
        let mut cx = Cx {
            text,
            escape: df.escape,
            inputs,
            globals: &globals.env,
            state: &mut state,
            out: &mut out,
            budget: &mut budget,
            exhausted: false,
        };
        for index in stage.instrs.clone().skip(1) {
            if let Some(ins) = df.instrs.get(index) {
                cx.instruction(index, ins);
            }
            if cx.exhausted {
                return out;
            }
        }
        ends.push(state);
    }
    out
}

struct Cx<'a> {
    text: &'a str,
    escape: char,
    inputs: &'a BuildInputs,
    globals: &'a Env,
    state: &'a mut StageEnd,
    out: &'a mut Dispatch,
    budget: &'a mut Budget,
    /// The budget ran out in this instruction: dispatch stops after it.
    exhausted: bool,
}

impl Cx<'_> {
    fn instruction(&mut self, index: usize, ins: &Instr) {
        match ins.kind {
            InstructionKind::Env => {
                // Every word is expanded before any pair is set.
                let mut values = Vec::with_capacity(ins.pairs.len());
                for (key, value) in &ins.pairs {
                    let k = self.expand(index, &key.text, key.span);
                    let v = self.expand(index, &value.text, value.span);
                    values.push((k.unwrap_or_else(|| key.text.clone()), v.unwrap_or_default()));
                }
                for (k, v) in values {
                    self.state.env.set(&k, &v);
                }
            }
            InstructionKind::Label => {
                for (k, v) in &ins.pairs {
                    self.expand(index, &k.text, k.span);
                    self.expand(index, &v.text, v.span);
                }
            }
            InstructionKind::Arg => self.arg(index, ins),
            InstructionKind::Copy | InstructionKind::Add => self.copy(index, ins),
            InstructionKind::Workdir => {
                if let Some(w) = ins.args.first() {
                    let value = self.expand(index, &w.text, w.span);
                    self.record(index, w.span, value);
                }
            }
            InstructionKind::User | InstructionKind::Stopsignal | InstructionKind::Volume => {
                for w in &ins.args {
                    self.expand(index, &w.text, w.span);
                }
            }
            InstructionKind::Run => {
                for f in ins.flags.iter().filter(|f| f.name == "mount") {
                    if let Some(v) = &f.value {
                        self.expand(index, &v.text, v.span);
                    }
                }
            }
            InstructionKind::Expose => {
                for w in &ins.args {
                    let words = Expander::new(&self.state.env)
                        .with_escape(self.escape)
                        .expand_words_budgeted(&w.text, &mut VarUse::default(), self.budget);
                    match words {
                        Ok(ws) => {
                            for v in ws {
                                self.record(index, w.span, Some(v));
                            }
                        }
                        Err(e) if e.exhausted => self.exhausted = true,
                        Err(_) => self.record(index, w.span, None),
                    }
                }
            }
            _ => {}
        }
    }

    fn record(&mut self, index: usize, span: Span, value: Option<String>) {
        if let Some(list) = self.out.words.get_mut(index) {
            list.push(Expanded { span, value });
        }
    }

    fn arg(&mut self, index: usize, ins: &Instr) {
        for w in &ins.args {
            let (name, default, default_span) = match w.text.split_once('=') {
                Some((n, d)) => {
                    let start = w.span.start as usize + n.len() + 1;
                    (
                        n,
                        Some(d),
                        Span::new(start.min(w.span.end as usize), w.span.end as usize),
                    )
                }
                None => (w.text.as_str(), None, w.span),
            };
            let value = match (self.inputs.arg(name), default) {
                (Some(given), _) => Some(given.to_string()),
                (None, Some(d)) => Some(self.expand(index, d, default_span).unwrap_or_default()),
                (None, None) => {
                    let global = self.globals.get(name);
                    // Every stage may import the same large global value.
                    if !self.budget.take_bytes(global.map_or(0, str::len)) {
                        self.exhausted = true;
                        return;
                    }
                    global.map(str::to_string)
                }
            };
            if let Some(v) = value
                && !NON_ENV_ARGS.contains(&name)
            {
                self.state.env.set(name, &v);
            }
            if !self.state.args.contains(name) {
                self.state.args.insert(name.to_string());
            }
        }
    }

    fn copy(&mut self, index: usize, ins: &Instr) {
        for name in ["chown", "chmod", "checksum"] {
            if let Some(v) = ins.flag(name).and_then(|f| f.value.as_ref()) {
                self.expand(index, &v.text, v.span);
            }
        }
        let from_context = ins.flag("from").is_none();
        let Some((dest, sources)) = ins.args.split_last() else {
            return;
        };
        for src in sources {
            if src.text.starts_with("<<") {
                continue;
            }
            let value = self.expand(index, &src.text, src.span);
            if from_context {
                self.record(index, src.span, value);
            }
        }
        if !dest.text.starts_with("<<") {
            self.expand(index, &dest.text, dest.span);
        }
    }

    /// Expands one word in the stage's environment, recording the undefined variables it uses.
    fn expand(&mut self, index: usize, word: &str, span: Span) -> Option<String> {
        // Nothing to expand, unquote or unescape: the word is its value.
        if !word.contains(['$', '\'', '"']) && !word.contains(self.escape) {
            return Some(word.to_string());
        }
        let mut uses = VarUse::default();
        let result = Expander::new(&self.state.env)
            .with_escape(self.escape)
            .expand_word_budgeted(word, &mut uses, self.budget);
        if result.as_ref().is_err_and(|e| e.exhausted) {
            self.exhausted = true;
            return None;
        }
        for name in uses.unset {
            let declared = self.state.args.contains(&name);
            // The uses are in file order: this instruction's are the last ones.
            let known = self
                .out
                .undefined
                .iter()
                .rev()
                .take_while(|u| u.instr == index)
                .any(|u| u.name == name);
            if declared || known || NON_ENV_ARGS.contains(&name.as_str()) {
                continue;
            }
            let suggestion = crate::syntax::suggest::suggest(&name, self.state.env.names(), true);
            self.out.undefined.push(UndefinedUse {
                instr: index,
                span: use_span(self.text, span, &name),
                name,
                suggestion,
            });
        }
        result.ok()
    }
}

/// The span of `$name` or `${name` inside `word` in the source, else the word's.
pub fn use_span(text: &str, word: Span, name: &str) -> Span {
    let s = word.text(text);
    let mut from = 0;
    while let Some(i) = s.get(from..).and_then(|r| r.find('$')).map(|i| from + i) {
        let after = s.get(i + 1..).unwrap_or("");
        let (braced, rest) = match after.strip_prefix('{') {
            Some(r) => (true, r),
            None => (false, after),
        };
        if let Some(tail) = rest.strip_prefix(name) {
            let boundary = tail
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            if boundary {
                let start = word.start as usize + i;
                let len = 1 + usize::from(braced) + name.len();
                let end = if braced {
                    // Through the closing brace when it follows directly.
                    let close = usize::from(tail.starts_with('}'));
                    start + len + close
                } else {
                    start + len
                };
                return Span::new(start, end.min(word.end as usize));
            }
        }
        from = i + 1;
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dockerfile::from_tree_with;

    fn run(text: &str) -> (Dockerfile, Dispatch) {
        let tree = crate::syntax::dockerfile::parse(text);
        let inputs = BuildInputs::default();
        let df = from_tree_with(&tree, text, &inputs);
        let budget = Budget::for_text(text.len());
        let d = dispatch(
            &df,
            text,
            &inputs,
            &global_args(&df, &inputs, budget),
            budget,
        );
        (df, d)
    }

    fn undefined(text: &str) -> Vec<String> {
        run(text)
            .1
            .undefined
            .iter()
            .map(|u| {
                format!(
                    "{}@{}{}",
                    u.name,
                    u.span.text(text),
                    u.suggestion
                        .as_deref()
                        .map_or(String::new(), |s| format!(" ({s})"))
                )
            })
            .collect()
    }

    #[test]
    fn undefined_variables_as_buildkit_sees_them() {
        assert_eq!(
            undefined("FROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n"),
            ["foo@$foo"]
        );
        assert_eq!(
            undefined("FROM alpine\nARG DIR_ASSETS=assets/\nCOPY ${DIR_ASSET}x .\n"),
            ["DIR_ASSET@${DIR_ASSET} (DIR_ASSETS)"]
        );
        assert_eq!(
            undefined("FROM alpine\nENV PATH=$PAHT:/tmp/bin\n"),
            ["PAHT@$PAHT (PATH)"]
        );
        // Declared without a value, inherited from the base stage, PATH, and an ENV of the same
        // instruction (not visible).
        assert!(undefined("FROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n").is_empty());
        assert!(undefined("FROM alpine AS base\nARG foo=x\nFROM base\nCOPY $foo .\n").is_empty());
        assert!(undefined("FROM alpine\nWORKDIR $PATH\n").is_empty());
        assert_eq!(undefined("FROM alpine\nENV A=1 B=$A\n"), ["A@$A"]);
        // A global ARG is not in a stage until the stage declares it.
        assert_eq!(undefined("ARG V=1\nFROM alpine\nCOPY app-$V .\n"), ["V@$V"]);
        assert!(undefined("ARG V=1\nFROM alpine\nARG V\nCOPY app-$V .\n").is_empty());
        assert!(undefined("FROM alpine\nARG TARGETARCH\nCOPY bin-$TARGETARCH .\n").is_empty());
        // RUN, CMD and ONBUILD are not expanded by BuildKit.
        assert!(undefined("FROM alpine\nRUN echo $X\nCMD echo $Y\nONBUILD COPY $Z .\n").is_empty());
    }

    #[test]
    fn expanded_words() {
        let text = "FROM scratch\nARG D=src\nCOPY ./$D/x.txt --chown=1 /dst/\nCOPY --from=a y /z\nWORKDIR $D\nEXPOSE 80/TcP ${P:-8080}\n";
        let (_, d) = run(text);
        let values = |i: usize| -> Vec<String> {
            d.words_of(i)
                .iter()
                .map(|e| e.value.clone().unwrap_or_default())
                .collect()
        };
        assert_eq!(values(2), ["./src/x.txt", "--chown=1"]);
        assert!(values(3).is_empty(), "--from sources are not the context's");
        assert_eq!(values(4), ["src"]);
        assert_eq!(values(5), ["80/TcP", "8080"]);
    }

    /// Bytes of values dispatch left in the environments and recorded words.
    fn held(d: &Dispatch) -> usize {
        let words = d.words.iter().flatten();
        words
            .filter_map(|w| w.value.as_ref())
            .map(String::len)
            .sum()
    }

    /// An ENV that doubles at every line, inherited by thousands of stages: dispatch stops at
    /// the file's budget instead of copying the environment into every stage (this took all
    /// the memory of the machine before).
    #[test]
    fn doubling_values_and_inherited_environments_stay_within_the_budget() {
        let mut text = String::from("FROM alpine:3.20 AS s0\nENV V0=abcdefgh\n");
        for i in 1..24 {
            text.push_str(&format!("ENV V{i}=${{V{p}}}${{V{p}}}\n", p = i - 1));
        }
        for i in 1..3000 {
            text.push_str(&format!("FROM s{} AS s{i}\nWORKDIR /$V23/$UNSET\n", i - 1));
        }
        let (df, d) = run(&text);
        assert_eq!(df.stages.len(), 3000);
        let budget = Budget::for_text(text.len()).bytes;
        assert!(held(&d) <= budget, "{} bytes held", held(&d));
        // Dispatch stopped early: the last stages were not dispatched.
        let last = df.stages.last().unwrap();
        assert!(d.words_of(last.from + 1).is_empty());
        // A global value imported by every stage is charged too.
        let mut text = String::from("ARG V0=abcdefgh\n");
        for i in 1..16 {
            text.push_str(&format!("ARG V{i}=${{V{p}}}${{V{p}}}\n", p = i - 1));
        }
        for _ in 0..3000 {
            text.push_str("FROM alpine:3.20\nARG V15\nWORKDIR /$V15\n");
        }
        let (df, d) = run(&text);
        assert_eq!(df.stages.len(), 3000);
        let budget = Budget::for_text(text.len()).bytes;
        assert!(held(&d) <= budget, "{} bytes held", held(&d));
        let first = df.stages.first().unwrap();
        assert_eq!(
            d.words_of(first.from + 2).len(),
            1,
            "the first stage is dispatched"
        );
        let last = df.stages.last().unwrap();
        assert!(d.words_of(last.from + 2).is_empty());
    }

    /// Many undefined uses: each is compared only with the uses of its own instruction.
    #[test]
    fn many_undefined_uses_are_found_once_each() {
        let mut text = String::from("FROM alpine:3.20\n");
        for _ in 0..20_000 {
            text.push_str("COPY $A$B$A /x\n");
        }
        let (_, d) = run(&text);
        assert_eq!(d.undefined.len(), 40_000);
    }
}

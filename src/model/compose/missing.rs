//! Files and directories a compose file names that do not exist, found after the model is
//! built: a secret's or config's `file:`, a required `env_file:`, a build context and the
//! Dockerfile in it, an `include:` and its `env_file:`. `docker compose up` stops on each of these ("secret file … not found",
//! "env file … not found", "unable to prepare context: path … not found"), so each is a
//! [`DiagnosticKind::MissingFile`].
//!
//! A relative path is read from the compose file's directory, as compose does for the first
//! file of a project. A value inherited through `extends` from another file is relative to that
//! file and left to it; a value whose interpolation reads an unset variable is unknown here
//! and left alone; so are remote build contexts (a Git or HTTP URL).

use super::builder::Vars;
use super::files::{ComposeFiles, EntryKind};
use super::*;
use crate::syntax::compose::interpolate::interpolate;

/// Reports what `doc` names that is not there, and returns the names of the services whose
/// build context or Dockerfile is found missing (nothing to read for their built stage: the
/// file system is not asked again, [`super::built::resolve`]).
pub(super) fn check(
    doc: &Compose,
    path: &Path,
    vars: &Vars<'_>,
    files: &dyn ComposeFiles,
    out: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut unbuildable = Vec::new();
    let Some(dir) = path.parent() else {
        return unbuildable;
    };
    let at = Place {
        dir,
        vars,
        files,
        home: vars.get("HOME").map(Path::new),
    };
    for (what, list) in [("secret", &doc.secrets), ("config", &doc.configs)] {
        for r in list {
            let Some(file) = &r.file else { continue };
            if at.is_missing(file, None) {
                out.push(missing(
                    file.span,
                    format!(
                        "{what} `{}`: file `{}` does not exist; `docker compose up` stops on it",
                        r.key.value, file.value,
                    ),
                ));
            }
        }
    }
    for inc in &doc.include {
        for (what, t) in inc
            .path
            .iter()
            .map(|p| ("included file", p))
            .chain(inc.env_file.iter().map(|e| ("env_file of the include", e)))
        {
            if at.is_missing(t, Some(EntryKind::File)) {
                out.push(missing(
                    t.span,
                    format!(
                        "{what} `{}` does not exist; `docker compose` stops on it",
                        t.value
                    ),
                ));
            }
        }
    }
    for s in &doc.services {
        let name = &s.name.value;
        for e in &s.env_file {
            // `required: false` makes a missing file no error (compose 2.24 and later).
            if e.required.as_ref().is_some_and(|r| r.value == Some(false)) {
                continue;
            }
            if at.is_missing(&e.path, None) {
                out.push(missing(
                    e.path.span,
                    format!(
                        "service `{name}`: env_file `{}` does not exist; `docker compose up` \
                         stops on it (mark it `required: false` if it is optional)",
                        e.path.value,
                    ),
                ));
            }
        }
        if let Some(b) = &s.build
            && build(&at, name, b, out)
        {
            unbuildable.push(name.clone());
        }
    }
    unbuildable
}

/// Reports a missing build context or Dockerfile; true when one is.
fn build(at: &Place<'_>, name: &str, b: &Build, out: &mut Vec<Diagnostic>) -> bool {
    // No context means `.`, the compose file's directory, which exists; so does `.` written.
    let context = match &b.context {
        Some(c) if is_remote(&c.value) => return false,
        Some(c) if c.value == "." && !c.is_interpolated() && c.origin.is_none() => {
            at.dir.to_path_buf()
        }
        Some(c) => {
            if at.is_missing(c, Some(EntryKind::Dir)) {
                out.push(missing(
                    c.span,
                    format!(
                        "service `{name}`: build context `{}` is not a directory; `docker \
                         compose build` stops on it",
                        c.value,
                    ),
                ));
                return true;
            }
            match at.resolve(c) {
                Some(p) => p,
                None => return false,
            }
        }
        None => at.dir.to_path_buf(),
    };
    if b.dockerfile_inline.is_some() {
        return false;
    }
    let Some(df) = &b.dockerfile else {
        let default = context.join("Dockerfile");
        if at.files.entry(&default) != Some(EntryKind::File)
            && at.files.entry(&context.join("dockerfile")) != Some(EntryKind::File)
        {
            let span = b.context.as_ref().map_or(b.span, |c| c.span);
            out.push(missing(
                span,
                format!(
                    "service `{name}`: the build context has no `Dockerfile`; name the file \
                     with `dockerfile:`"
                ),
            ));
            return true;
        }
        return false;
    };
    let inner = Place {
        dir: &context,
        ..*at
    };
    if inner.is_missing(df, Some(EntryKind::File)) {
        out.push(missing(
            df.span,
            format!(
                "service `{name}`: Dockerfile `{}` is not in the build context; `docker \
                 compose build` stops on it",
                df.value,
            ),
        ));
        return true;
    }
    false
}

/// Where relative paths are read from, and how.
#[derive(Clone, Copy)]
struct Place<'a> {
    dir: &'a Path,
    vars: &'a Vars<'a>,
    files: &'a dyn ComposeFiles,
    home: Option<&'a Path>,
}

impl Place<'_> {
    /// The path `t` names, when it can be known here.
    fn resolve(&self, t: &Text) -> Option<PathBuf> {
        if matches!(&t.origin, Some(Origin::Extends { file: Some(_), .. })) {
            return None;
        }
        let value = if t.is_interpolated() {
            let lookup = |n: &str| self.vars.get(n).map(str::to_string);
            let r = interpolate(&t.raw, &lookup);
            if !r.problems.is_empty() {
                return None;
            }
            r.value.into_owned()
        } else {
            t.value.clone()
        };
        if value.is_empty() {
            return None;
        }
        let p = match value.strip_prefix("~/") {
            Some(rest) => self.home?.join(rest),
            None => PathBuf::from(value),
        };
        Some(if p.is_absolute() { p } else { self.dir.join(p) })
    }

    /// Whether the path `t` names is known, and nothing (or not a `want`) is there.
    fn is_missing(&self, t: &Text, want: Option<EntryKind>) -> bool {
        let Some(p) = self.resolve(t) else {
            return false;
        };
        match (self.files.entry(&p), want) {
            (None, _) => true,
            (Some(k), Some(w)) => k != w,
            (Some(_), None) => false,
        }
    }
}

/// A build context compose fetches: a Git repository or an HTTP(S) URL.
fn is_remote(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@") || context.starts_with("github.com/")
}

fn missing(span: Span, message: String) -> Diagnostic {
    Diagnostic {
        kind: DiagnosticKind::MissingFile,
        span,
        message,
        related: Vec::new(),
    }
}

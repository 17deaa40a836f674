//! The stage each service's `build:` produces: its Dockerfile (`build.context` +
//! `build.dockerfile`, or `dockerfile_inline:`) read through the loader, modelled with the
//! service's `build.args` as build arguments (so `FROM ${BASE}` resolves as the build does) and
//! `build.target` as the stage built. Only services without `user:` need it (the Dockerfile
//! decides their user), so only they pay for it.

use std::collections::BTreeMap;

use super::files::ComposeFiles;
use super::*;
use crate::model::build_inputs::BuildInputs;
use crate::model::dockerfile::{self, ImageTarget};

/// Fills [`Build::built`] for the services of `doc` that build and set no user, except those
/// in `unbuildable` (their context or Dockerfile is known missing).
pub(super) fn resolve(
    doc: &mut Compose,
    path: &Path,
    files: &dyn ComposeFiles,
    unbuildable: &[String],
) {
    let dir = path.parent().unwrap_or(Path::new(""));
    for s in &mut doc.services {
        if s.user.is_some() || unbuildable.contains(&s.name.value) {
            continue;
        }
        let Some(b) = s.build.as_deref_mut() else {
            continue;
        };
        b.built = stage_of(b, dir, files).map(Box::new);
    }
}

fn stage_of(b: &Build, dir: &Path, files: &dyn ComposeFiles) -> Option<BuiltStage> {
    let (text, file): (std::sync::Arc<str>, Option<PathBuf>) = match &b.dockerfile_inline {
        Some(inline) => (std::sync::Arc::from(inline.value.as_str()), None),
        None => {
            let context = match &b.context {
                Some(c) if c.is_interpolated() || c.value.contains("://") => return None,
                Some(c) => dir.join(&c.value),
                None => dir.to_path_buf(),
            };
            if matches!(&b.context, Some(c) if matches!(c.origin, Some(Origin::Extends { file: Some(_), .. })))
            {
                return None;
            }
            let df = match &b.dockerfile {
                Some(d) if d.is_interpolated() => return None,
                Some(d) => context.join(&d.value),
                None => context.join("Dockerfile"),
            };
            // `a/./b` as `a/b`, for messages.
            let df: PathBuf = df
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            (files.text(&df).ok()?, Some(df))
        }
    };
    let args: BTreeMap<String, String> = b
        .args
        .iter()
        .filter_map(|kv| Some((kv.key.value.clone(), kv.value.as_ref()?.value.clone())))
        .collect();
    let tree = crate::syntax::dockerfile::parse(&text);
    let model = dockerfile::from_tree_with(&tree, &text, &BuildInputs::new(args, None));
    let (stage, target_missing) = match &b.target {
        Some(t) => {
            let want = t.value.to_ascii_lowercase();
            match model
                .stages
                .iter()
                .find(|s| s.name.as_deref() == Some(want.as_str()))
            {
                Some(s) => (s, false),
                None => (model.final_stage()?, true),
            }
        }
        None => (model.final_stage()?, false),
    };
    let lines = crate::source::LineIndex::new(&text);
    let at = |span: Span| lines.line_col(span.start as usize, &text);
    let from = model.instrs.get(stage.from)?;
    let from_lc = at(from.span);
    // The external image the chain of stages starts from.
    let mut current = stage;
    let mut base = None;
    for _ in 0..=model.stages.len() {
        match model.images.get(current.base).map(|u| (&u.target, u)) {
            Some((ImageTarget::Stage(i), _)) if *i < current.index => {
                current = model.stages.get(*i)?;
            }
            Some((ImageTarget::External, u)) => {
                base = Some(u.resolved.clone());
                break;
            }
            _ => break,
        }
    }
    Some(BuiltStage {
        dockerfile: file,
        stage: stage
            .name
            .clone()
            .unwrap_or_else(|| format!("#{}", stage.index)),
        from_line: from_lc.line,
        from_column: from_lc.column,
        user: stage.user.as_ref().map(|u| {
            (
                u.resolved.clone().unwrap_or_else(|| u.raw.clone()),
                at(u.span).line,
            )
        }),
        base,
        target_missing,
    })
}

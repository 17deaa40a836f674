//! `root-user-built`: a compose service that builds its image and sets no `user:`, whose built
//! stage (the `build.target`, else the last, read with the service's `build.args`) runs as root.

use crate::analysis::images::matches_image_globs;
use crate::model::compose::BuiltStage;
use crate::model::dockerfile::is_root_user;
use crate::rules::prelude::*;

pub struct RootUserBuilt;

/// Why the stage runs as root, or `None` when it does not (or cannot be told).
fn root_reason(built: &BuiltStage, nonroot: &[String]) -> Option<String> {
    match &built.user {
        Some((user, line)) if is_root_user(user) => {
            Some(format!("its `USER {user}` (line {line}) is root"))
        }
        Some(_) => None,
        None => {
            let base = built.base.as_ref()?;
            if matches_image_globs(base, nonroot) {
                return None;
            }
            Some(format!(
                "it sets no `USER`, so it runs as `{base}`'s user, root for most images"
            ))
        }
    }
}

impl Rule for RootUserBuilt {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        if service.user.is_some() {
            return;
        }
        let Some(build) = &service.build else { return };
        let Some(built) = &build.built else { return };
        let Some(why) = root_reason(built, &cx.options.nonroot_base_images) else {
            return;
        };
        let file = built
            .dockerfile
            .as_ref()
            .map_or("`dockerfile_inline`".to_string(), |p| {
                format!("`{}`", p.display())
            });
        let which = if built.target_missing {
            "the last stage (`build.target` names no stage)".to_string()
        } else if build.target.is_some() {
            format!("the stage `{}` it targets", built.stage)
        } else {
            format!("its last stage `{}`", built.stage)
        };
        let message = format!(
            "service `{}` sets no `user:` and builds {which} of {file}: {why}; the container \
             runs as root. Set `user:` on the service or `USER` in that stage",
            service.name.value
        );
        let label = format!(
            "the stage `{}` starts at {}:{}:{}",
            built.stage,
            built
                .dockerfile
                .as_ref()
                .map_or("dockerfile_inline".to_string(), |p| p.display().to_string()),
            built.from_line,
            built.from_column
        );
        let span = service
            .build
            .as_ref()
            .map(|b| b.span)
            .unwrap_or(service.name.span);
        let key_span = key_before(cx.text(), span).unwrap_or(span);
        // The stage is where `USER` goes: the editor is sent to its `FROM` in the Dockerfile.
        let related = match &built.dockerfile {
            Some(df) => {
                Related::elsewhere(span, label, df.clone(), built.from_line, built.from_column)
            }
            None => Related::new(span, label),
        };
        cx.report(key_span, message).related.push(related);
    }
}

/// The span of the `build` key written just before the value at `value` (a finding on the key
/// reads better than one on a whole block).
fn key_before(text: &str, value: Span) -> Option<Span> {
    let head = text.get(..value.start as usize)?;
    let at = head.rfind("build")?;
    // Only the key of this value: nothing but `:` and blanks between them.
    let between = &head[at + "build".len()..];
    between
        .trim_start_matches([' ', '\t'])
        .strip_prefix(':')
        .filter(|rest| rest.trim().is_empty())
        .map(|_| Span::new(at, at + "build".len()))
}

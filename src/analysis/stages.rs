//! Stages as the image sees them: which stages' instructions end up in the final image (the
//! final stage and the stages it builds on with `FROM <stage>`), and which user a RUN runs as.

use crate::model::dockerfile::{Dockerfile, ImageTarget, InstructionKind};

/// Indices of the stages whose filesystem and settings the final image is made of: the final
/// stage, the stage it is built `FROM`, and so on down to an external base. A stage only copied
/// from (`COPY --from`) is not among them: only what is copied reaches the image.
pub fn final_image_stages(df: &Dockerfile) -> Vec<usize> {
    df.final_stage()
        .map(|s| stage_chain(df, s.index))
        .unwrap_or_default()
}

/// Stage `index` and the stages it is built on (`FROM <stage>`), nearest first.
pub fn stage_chain(df: &Dockerfile, index: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = df.stages.get(index);
    while let Some(stage) = at {
        if out.contains(&stage.index) {
            break;
        }
        out.push(stage.index);
        at = match df.images.get(stage.base).map(|u| &u.target) {
            Some(ImageTarget::Stage(base)) => df.stages.get(*base),
            _ => None,
        };
    }
    out
}

/// The user instruction `index` runs as, when the file says: the last `USER` before it in its
/// stage, else the user the stage's base stage ends with. `None` when no `USER` applies (the
/// base image's user, usually root) or the value depends on a variable the file leaves unset.
pub fn user_at(df: &Dockerfile, index: usize) -> Option<String> {
    let stage = df.stage_of(index)?;
    let user = df
        .instrs
        .get(stage.from + 1..index)?
        .iter()
        .rev()
        .find(|i| i.kind == InstructionKind::User)
        .and_then(|i| i.args.first());
    match user {
        Some(w) => crate::analysis::variables::expand_at(df, index, &w.text),
        None => match df.images.get(stage.base).map(|u| &u.target) {
            Some(ImageTarget::Stage(base)) => df
                .stages
                .get(*base)
                .and_then(|s| s.user.as_ref())
                .and_then(|u| u.resolved.clone()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dockerfile::from_tree;
    use crate::syntax::dockerfile::parse;

    fn model(text: &str) -> Dockerfile {
        from_tree(&parse(text), text)
    }

    #[test]
    fn the_final_image_is_the_last_stage_and_its_base_stages() {
        let df = model(
            "FROM golang:1.22 AS build\nRUN go build\nFROM debian:12 AS base\nRUN x\nFROM base AS app\nCOPY --from=build /a /a\nFROM app\n",
        );
        assert_eq!(final_image_stages(&df), [3, 2, 1]);
        let df = model("FROM a AS x\nFROM b\n");
        assert_eq!(final_image_stages(&df), [1]);
        assert_eq!(final_image_stages(&model("")), Vec::<usize>::new());
    }

    #[test]
    fn the_user_a_run_runs_as() {
        let text = "ARG APP_USER=app\nFROM debian:12 AS base\nRUN a\nARG APP_USER\nUSER ${APP_USER}\nRUN b\nFROM base\nRUN c\nUSER root\nRUN d\nFROM alpine:3\nUSER $NOPE\nRUN e\n";
        let df = model(text);
        let run = |n: &str| {
            df.instrs
                .iter()
                .position(|i| i.rest.text == n)
                .map(|i| user_at(&df, i))
                .unwrap()
        };
        assert_eq!(run("a"), None);
        assert_eq!(run("b").as_deref(), Some("app"));
        assert_eq!(run("c").as_deref(), Some("app"));
        assert_eq!(run("d").as_deref(), Some("root"));
        assert_eq!(run("e"), None);
    }
}

//! `undefined-var`: an instruction BuildKit expands uses a variable not defined there
//! (BuildKit's UndefinedVar).

use crate::model::build_inputs::BuildInputs;
use crate::rules::prelude::*;

pub struct UndefinedVar;

impl Rule for UndefinedVar {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let analysis = cx.analysis();
        let dispatch = analysis.dispatch();
        let globals = analysis.global_args();
        for u in &dispatch.undefined {
            let name = &u.name;
            let why = if globals.declared.contains(name) {
                format!(
                    "; the ARG declared before the first FROM is visible to FROM only, until the stage declares `ARG {name}`"
                )
            } else if BuildInputs::is_automatic(name) {
                format!("; BuildKit defines it for a stage that declares `ARG {name}`")
            } else if let Some(s) = &u.suggestion {
                format!(" (did you mean `${s}`?)")
            } else {
                String::new()
            };
            let keyword = df.instrs.get(u.instr).map_or("", |i| i.keyword.as_str());
            cx.report(
                u.span,
                format!("`${name}` is not defined where this {keyword} uses it, so it expands to an empty string{why}"),
            );
        }
    }
}

//! `env-self-reference`: an `ENV` value that reads a variable the same `ENV` sets earlier.

use crate::analysis::variables::var_decls;
use crate::rules::prelude::*;
use crate::syntax::expand::{Expander, NoVars, VarUse};

pub struct EnvSelfReference;

impl Rule for EnvSelfReference {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Env]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let escape = cx.dockerfile().map_or('\\', |df| df.escape);
        let pairs = &at.instr.pairs;
        let decls = var_decls(at.instr);
        for (i, (_, value)) in pairs.iter().enumerate().skip(1) {
            // Which variables the value reads, as BuildKit's expander reads them (quotes and
            // escapes respected: `'$A'` and `\$A` read nothing).
            let mut uses = VarUse::default();
            let _ = Expander::new(&NoVars)
                .with_escape(escape)
                .expand_word_tracked(&value.text, &mut uses);
            for name in &uses.referenced {
                let Some(earlier) = decls[..i].iter().find(|d| &d.name == name) else {
                    continue;
                };
                let span = crate::analysis::dispatch::use_span(cx.text(), value.span, name);
                cx.report(
                    span,
                    format!(
                        "`${name}` here is the value `{name}` had before this ENV, not the one \
                         it sets just before: every value of one ENV is expanded first. Set \
                         `{name}` in its own ENV above this one"
                    ),
                )
                .related
                .push(Related::new(earlier.name_span, format!("`{name}` set here")));
            }
        }
    }
}

//! `undefined-arg-in-from`: `FROM` uses a variable that is not a global ARG (BuildKit's
//! UndefinedArgInFrom).

use crate::analysis::dispatch::use_span;
use crate::rules::prelude::*;
use crate::syntax::suggest::suggest;

pub struct UndefinedArgInFrom;

impl Rule for UndefinedArgInFrom {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(from) = cx.from_parts(at) else { return };
        let image = (from.image.value.as_str(), from.image.span);
        let platform = from.platform_value();
        if !image.0.contains('$') && !platform.is_some_and(|(p, _)| p.contains('$')) {
            return;
        }
        let globals = cx.analysis().global_args();
        let known = globals.known_names();
        let words = std::iter::once(image).chain(platform);
        let mut reported: Vec<String> = Vec::new();
        for (word, span) in words {
            if !word.contains('$') {
                continue;
            }
            let (_, uses) = globals.expand(word);
            for name in uses.unset {
                if known.contains(&name.as_str()) || reported.contains(&name) {
                    continue;
                }
                let hint = suggest(&name, known.iter().copied(), true)
                    .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                cx.report(
                    use_span(cx.text(), span, &name),
                    format!(
                        "`{name}` is not an ARG declared before the first FROM, so it expands to an empty string here{hint}"
                    ),
                );
                reported.push(name);
            }
        }
    }
}

//! `invalid-platform`: `FROM --platform=` that is empty or not a platform once expanded;
//! BuildKit refuses to build.

use crate::rules::prelude::*;
use crate::syntax::platform::Platform;
use crate::syntax::suggest::suggest;

pub struct InvalidPlatform;

impl Rule for InvalidPlatform {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some((value, span)) = cx.from_parts(at).and_then(|f| f.platform_value()) else {
            return;
        };
        let globals = cx.analysis().global_args();
        let (result, uses) = globals.expand(value);
        if uses.unset.iter().any(|n| globals.declared_without_value(n)) {
            return;
        }
        // BuildKit's suggestion: the first unset variable close to a global ARG's name.
        let names: Vec<&str> = globals.env.names().collect();
        let hint = uses
            .unset
            .iter()
            .find_map(|n| suggest(n, names.iter().copied(), true).map(|s| (n, s)))
            .map_or(String::new(), |(n, s)| {
                format!(" (`{n}` is not defined: did you mean `{s}`?)")
            });
        let message = match result {
            // The file's expansion budget ran out (reported as input-limit): unknown.
            Err(e) if e.exhausted => return,
            Err(e) => format!("`--platform={value}` cannot be expanded ({e})"),
            Ok(p) if p.is_empty() => format!(
                "`--platform={value}` is empty, and `docker build` stops here{hint}"
            ),
            Ok(p) => match Platform::parse(&p) {
                Ok(_) => return,
                Err(e) => format!("`--platform={value}` is not a platform: {e}{hint}"),
            },
        };
        cx.report(span, message);
    }
}

//! `invalid-base-image`: a FROM image that is empty or invalid once expanded; BuildKit refuses
//! to build.

use crate::rules::prelude::*;
use crate::syntax::image_ref::ImageRef;

pub struct InvalidBaseImage;

impl Rule for InvalidBaseImage {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(from) = cx.from_parts(at) else { return };
        let image = from.image;
        let globals = cx.analysis().global_args();
        let (result, uses) = globals.expand(&image.value);
        if uses
            .unset
            .iter()
            .any(|n| globals.declared_without_value(n))
        {
            return;
        }
        let message = match result {
            // The file's expansion budget ran out (reported as input-limit): unknown.
            Err(e) if e.exhausted => return,
            Err(e) => format!("`FROM {}` cannot be expanded ({e})", image.value),
            Ok(v) if v.is_empty() => format!(
                "`FROM {}` names no image: it expands to an empty string, and `docker build` stops here",
                image.value
            ),
            Ok(v) => match ImageRef::parse(&v) {
                Ok(_) => return,
                Err(e) => {
                    let shown = if v == image.value {
                        format!("`{v}`")
                    } else {
                        format!("`{}` (`{v}`)", image.value)
                    };
                    format!("{shown} is not a valid image name ({e}), and `docker build` stops here")
                }
            },
        };
        cx.report(image.span, message);
    }
}

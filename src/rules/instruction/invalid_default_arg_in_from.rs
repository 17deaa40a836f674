//! `invalid-default-arg-in-from`: with the ARG defaults alone, a FROM image is empty or invalid
//! (BuildKit's InvalidDefaultArgInFrom).

use crate::rules::prelude::*;
use crate::syntax::image_ref::ImageRef;

pub struct InvalidDefaultArgInFrom;

impl Rule for InvalidDefaultArgInFrom {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(from) = cx.from_parts(at) else { return };
        let image = from.image;
        let globals = cx.analysis().global_args();
        // A literal name that is not valid fails whatever the ARGs: invalid-base-image says so.
        if !globals.has_expansion(&image.value) {
            return;
        }
        let (Ok(value), _) = globals.expand_defaults(&image.value) else {
            return;
        };
        let problem = match ImageRef::parse(&value) {
            Ok(_) => return,
            Err(_) if value.is_empty() => "an empty image name".to_string(),
            Err(e) => format!("`{value}`, not a valid image name ({e})"),
        };
        cx.report(
            image.span,
            format!(
                "With the ARG defaults alone, `{}` is {problem}: the build fails unless build arguments are given; give the ARG a default that makes a valid image",
                image.value
            ),
        );
    }
}

//! `legacy-key-value-format`: `ENV key value` / `LABEL key value` (BuildKit's
//! LegacyKeyValueFormat). The fix writes `key=value`.

use crate::rules::prelude::*;
use crate::syntax::dockerfile::KeyValue;

pub struct LegacyKeyValueFormat;

impl Rule for LegacyKeyValueFormat {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Env, InstructionKind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        // BuildKit judges the instructions of stages; one before the first FROM, or inside
        // ONBUILD, is not dispatched.
        if at.onbuild || at.stage.is_none() {
            return;
        }
        let Some(ins) = cx.tree_instruction(at) else {
            return;
        };
        let text = cx.text();
        for pair in ins.pairs().iter().filter(|p| p.legacy) {
            let kw = ins.kind;
            // The value is not quoted back: it may be a credential.
            let finding = cx.report(
                pair.key.span,
                format!(
                    "`{kw} {k} …` is the legacy form, which takes the whole rest of the line as one value: write `{kw} {k}=…`",
                    k = pair.key.value,
                ),
            );
            finding.fix = fix(pair, text, at.instr.span);
        }
    }
}

/// The value written after `=` so that BuildKit reads the same value: as it is without blanks,
/// in double quotes with them. `None` when quotes or escapes would need rewriting.
fn quoted(value: &str) -> Option<String> {
    if value.contains(['"', '\'', '\\', '`']) {
        return None;
    }
    if value.contains(char::is_whitespace) {
        Some(format!("\"{value}\""))
    } else {
        Some(value.to_string())
    }
}

/// `key value` → `key=value`, for a one-line pair whose value needs no rewriting.
fn fix(pair: &KeyValue, text: &str, instruction: Span) -> Option<Fix> {
    if instruction.text(text).contains('\n') {
        return None;
    }
    // In `key=value` the key is read as a shell word too: a quote, escape or `$` in it (taken
    // literally in the legacy form) would change what it means, or leave a quote open.
    let key = &pair.key.value;
    if key.contains(['"', '\'', '\\', '`', '$', '=']) || pair.key.span.text(text) != key {
        return None;
    }
    let value = quoted(&pair.value.value)?;
    // The value as written must be the value the parser read (no continuation inside).
    if pair.value.span.text(text) != pair.value.value {
        return None;
    }
    Some(Fix {
        description: "write `key=value`".to_string(),
        applicability: Applicability::Safe,
        edits: vec![Edit::replace(
            Span::new(pair.key.span.start as usize, pair.value.span.end as usize),
            format!("{key}={value}"),
        )],
    })
}

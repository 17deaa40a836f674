//! `useradd-lastlog`: `useradd` with a high UID and without `-l`.

use crate::analysis::variables::expand_at;
use crate::rules::prelude::*;

pub struct UseraddLastlog;

/// From this UID on, the `lastlog`/`faillog` records written out in a layer weigh tens of
/// megabytes (hadolint draws the line at the same place: six digits).
const HIGH_UID: u64 = 100_000;

impl Rule for UseraddLastlog {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(df) = cx.dockerfile() else { return };
        for command in cx.analysis().posix_run_commands(at.index, at.onbuild) {
            if !command.is("useradd") || command.has_any_flag(&["-l", "--no-log-init"]) {
                continue;
            }
            let Some(uid) = command
                .flag_value("-u")
                .or_else(|| command.flag_value("--uid"))
            else {
                continue;
            };
            // Inside ONBUILD the variables are the downstream build's: only a literal counts.
            let value = if at.onbuild {
                Some(uid.value.to_string())
            } else {
                expand_at(df, at.index, uid.value)
            };
            let Some(n) = value.and_then(|v| v.trim().parse::<u64>().ok()) else {
                continue;
            };
            if n < HIGH_UID {
                continue;
            }
            let Some(name) = command.name_word() else { continue };
            let fix = (name.is_literal() && name.span.text(cx.text()) == name.as_str()).then(|| Fix {
                description: "add `-l` (no lastlog and faillog entry)".into(),
                // The image then lacks the login records: nothing in a container reads them, but the
                // layer differs, so the user confirms.
                applicability: Applicability::Unsafe,
                edits: vec![Edit::insert(name.span.end as usize, " -l")],
            });
            cx.report(
                name.span,
                format!(
                    "`useradd` with UID {n} and without `-l` writes `/var/log/lastlog` and \
                     `faillog` records sized by the UID ({} MB or more) into the layer: add `-l` \
                     (`--no-log-init`)",
                    n.saturating_mul(292) / 1_000_000
                ),
            )
            .fix = fix;
        }
    }
}

//! `wget-and-curl`: a Dockerfile that downloads with both wget and curl.

use crate::analysis::command::Command;
use crate::rules::prelude::*;

pub struct WgetAndCurl;

impl Rule for WgetAndCurl {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let analysis = cx.analysis();
        let mut wget: Vec<&Command<'_>> = Vec::new();
        let mut curl: Vec<&Command<'_>> = Vec::new();
        for (index, ins) in df.instrs.iter().enumerate() {
            if ins.kind != InstructionKind::Run {
                continue;
            }
            for command in analysis.posix_run_commands(index, false) {
                if command.is("wget") {
                    wget.push(command);
                } else if command.is("curl") {
                    curl.push(command);
                }
            }
        }
        let (Some(first_wget), Some(first_curl)) = (wget.first(), curl.first()) else {
            return;
        };
        // Flag the tool used less (on a tie, the one that comes second): switching those
        // uses is the smaller change.
        let wget_is_minor = wget.len() < curl.len()
            || wget.len() == curl.len() && first_wget.span.start > first_curl.span.start;
        let (minor, minor_name, major_name, other) = if wget_is_minor {
            (&wget, "wget", "curl", first_curl)
        } else {
            (&curl, "curl", "wget", first_wget)
        };
        let other_span = other.name_word().map_or(other.span, |w| w.span);
        for command in minor {
            let Some(word) = command.name_word() else { continue };
            cx.report(
                word.span,
                format!(
                    "this file downloads with both `{major_name}` and `{minor_name}`; one tool is enough, and the other only adds to the image (and to what must be patched): use `{major_name}` here too"
                ),
            )
            .related
            .push(Related::new(other_span, format!("`{major_name}` is used here")));
        }
    }
}

//! `ld-path-writable`: `ENV` or `ARG` points `LD_PRELOAD`, `LD_LIBRARY_PATH` or `LD_AUDIT` at a
//! place any user can write (`/tmp`, `/var/tmp`, `/dev/shm`, a directory the build made
//! world-writable), at a relative path, or (for `LD_LIBRARY_PATH`) holds an empty entry, which
//! the dynamic loader reads as the current directory.

use crate::analysis::command::effective_words;
use crate::analysis::permissions::made_world_writable;
use crate::analysis::variables::{expand_at, var_decls};
use crate::rules::prelude::*;

pub struct LdPathWritable;

/// Directories every user can write in a typical image.
const WRITABLE: &[&str] = &["/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock"];

impl Rule for LdPathWritable {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let mut world_writable: Option<Vec<String>> = None;
        for (index, ins) in df.instrs.iter().enumerate() {
            let names_one = ins.pairs.iter().any(|(k, _)| k.text.starts_with("LD_"))
                || ins.args.iter().any(|w| w.text.starts_with("LD_"));
            if !names_one || !matches!(ins.kind, InstructionKind::Env | InstructionKind::Arg) {
                continue;
            }
            for d in var_decls(ins) {
                let is_list = match d.name.as_str() {
                    "LD_LIBRARY_PATH" => true,
                    "LD_PRELOAD" | "LD_AUDIT" => false,
                    _ => continue,
                };
                let Some((value, _)) = &d.value else { continue };
                // A reference to the variable's earlier value that the file cannot see (the base
                // image's) resolves to nothing: leave such values alone.
                let Some(value) = expand_at(df, index, value) else {
                    continue;
                };
                let writable = world_writable.get_or_insert_with(|| {
                    df.instrs
                        .iter()
                        .enumerate()
                        .flat_map(|(i, _)| cx.analysis().run_commands(i, false))
                        .flat_map(|c| made_world_writable(effective_words(c)))
                        .map(|p| p.trim_end_matches('/').to_string())
                        .collect()
                });
                let Some(problem) = first_problem(&value, is_list, writable) else {
                    continue;
                };
                cx.report(
                    d.name_span,
                    format!(
                        "`{} {}={value}` {problem}: whoever can write there (any user of the \
                         container) gets code loaded into every process started with this \
                         environment, root's included; point it only at root-owned directories \
                         such as `/usr/local/lib`",
                        d.keyword, d.name
                    ),
                );
            }
        }
    }
}

/// What is wrong with the first bad entry of the value, if any.
fn first_problem(value: &str, is_list: bool, world_writable: &[String]) -> Option<String> {
    let entries: Vec<&str> = if is_list {
        value.split([':', ';']).collect()
    } else {
        value.split([':', ' ']).filter(|e| !e.is_empty()).collect()
    };
    for e in entries {
        if e.is_empty() {
            return Some(
                "has an empty entry, which the dynamic loader reads as the current directory"
                    .to_string(),
            );
        }
        if !e.starts_with('/') {
            return Some(format!(
                "names `{e}`, a relative path looked up from whatever directory a process runs in"
            ));
        }
        let under = |dir: &str| e == dir || e.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
        if let Some(dir) = WRITABLE.iter().find(|d| under(d)) {
            return Some(format!("loads from `{dir}`, which every user can write"));
        }
        if let Some(dir) = world_writable.iter().find(|d| under(d)) {
            return Some(format!(
                "loads from `{dir}`, which this Dockerfile makes writable by every user"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems() {
        let p = |v: &str, list: bool| first_problem(v, list, &["/opt/plugins".to_string()]).is_some();
        assert!(p("/usr/local/lib:", true));
        assert!(p(":/usr/local/lib", true));
        assert!(p("/usr/lib::/opt/lib", true));
        assert!(p("lib", true));
        assert!(p("/tmp/libhook.so", false));
        assert!(p("/opt/plugins/x.so", false));
        assert!(!p("/usr/local/lib:/opt/app/lib", true));
        assert!(!p("/usr/lib/libjemalloc.so.2", false));
        assert!(!p("/tmpfs/lib", true));
        assert!(!p("/opt/plugins-other", true));
    }
}

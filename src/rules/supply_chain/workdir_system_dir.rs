//! `workdir-system-dir`: `WORKDIR` set to the root, a system directory (`/bin`, `/usr`, `/etc`,
//! `/lib`, …) or anything inside a kernel filesystem (`/proc`, `/sys`, `/dev`, `/boot`), where
//! the files later steps write relative to it land among the system's.

use crate::analysis::variables::expand_at;
use crate::rules::prelude::*;

pub struct WorkdirSystemDir;

/// Directories of the operating system itself: files written into them shadow or replace the
/// system's.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/lib32",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/local/lib",
    "/etc",
    "/var",
    "/var/lib",
    "/run",
];

/// Kernel and boot filesystems: nothing of the image belongs there (runtimes mount over them).
const KERNEL_DIRS: &[&str] = &["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];

impl Rule for WorkdirSystemDir {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Workdir]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        let Some(w) = at.instr.args.first() else {
            return;
        };
        let value = match cx.dockerfile() {
            Some(df) => expand_at(df, at.index, &w.text),
            None => Some(w.text.clone()),
        };
        let Some(value) = value else { return };
        let dir = normalize(&value);
        let kernel = KERNEL_DIRS
            .iter()
            .find(|k| dir == **k || dir.strip_prefix(**k).is_some_and(|r| r.starts_with('/')));
        let why = if let Some(k) = kernel {
            format!(
                "is inside `{k}`, a kernel filesystem the container runtime mounts over: nothing \
                 the build writes there survives, and a process working there acts on the \
                 kernel's own files"
            )
        } else if SYSTEM_DIRS.contains(&dir.as_str()) {
            "is a system directory: files later steps write relative to it (`COPY . .`, build \
             output) land among the system's, where they can shadow or replace system programs \
             and libraries"
                .to_string()
        } else {
            return;
        };
        let shown = if value == w.text {
            format!("`WORKDIR {}`", w.text)
        } else {
            format!("`WORKDIR {}` (`{value}`)", w.text)
        };
        cx.report(
            w.span,
            format!("{shown} {why}; work in a directory of the application's own, such as `/app`"),
        );
    }
}

/// `/usr//bin/` -> `/usr/bin`; `/./usr` -> `/usr`.
fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if path.starts_with('/') {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

//! `expose-ssh-port`: `EXPOSE 22` (also `22/tcp`, `22/udp`, a range holding 22, or a variable
//! whose default is 22): the image declares an SSH service.

use crate::analysis::variables::expand_at;
use crate::rules::prelude::*;

pub struct ExposeSshPort;

impl Rule for ExposeSshPort {
    fn instructions(&self) -> &'static [InstructionKind] {
        &[InstructionKind::Expose]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, at: &InstructionAt<'_>) {
        for w in &at.instr.args {
            let value = match cx.dockerfile() {
                Some(df) => expand_at(df, at.index, &w.text),
                None => Some(w.text.clone()),
            };
            let Some(value) = value else { continue };
            // A variable may hold several ports.
            if !value.split_whitespace().any(holds_port_22) {
                continue;
            }
            let via = if value == w.text {
                String::new()
            } else {
                format!(" (`{}` is `{value}`)", w.text)
            };
            cx.report(
                w.span,
                format!(
                    "`EXPOSE {}`{via} announces SSH: a server in the container is another way in, \
                     with its own keys and passwords to keep safe, for what `docker exec` (or \
                     `kubectl exec`) already does; remove the port and the server",
                    w.text
                ),
            );
        }
    }
}

/// `22`, `22/tcp`, `22/udp`, `20-25`.
fn holds_port_22(spec: &str) -> bool {
    let port = spec.split('/').next().unwrap_or("");
    match port.split_once('-') {
        Some((lo, hi)) => match (lo.parse::<u32>(), hi.parse::<u32>()) {
            (Ok(lo), Ok(hi)) => (lo..=hi).contains(&22),
            _ => false,
        },
        None => port.parse::<u32>() == Ok(22),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_specs() {
        for yes in ["22", "22/tcp", "22/udp", "20-25", "022"] {
            assert!(holds_port_22(yes), "{yes}");
        }
        for no in ["2222", "222/tcp", "80", "23-30", "x", ""] {
            assert!(!holds_port_22(no), "{no}");
        }
    }
}

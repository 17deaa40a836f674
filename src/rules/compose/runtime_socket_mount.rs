//! `runtime-socket-mount`: a service given the API socket of the Docker daemon (or of
//! containerd, CRI-O, Podman): a bind mount of the socket or of the directory holding it, or
//! `use_api_socket: true`.

use crate::analysis::compose::{bind_source, per_value, raw_span, runtime_socket};
use crate::rules::prelude::*;

pub struct RuntimeSocketMount;

impl Rule for RuntimeSocketMount {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let hits = per_value(compose, |s, hit| {
            for m in &s.volumes {
                if let Some((source, path)) = bind_source(m)
                    && let Some(runtime) = runtime_socket(&path)
                {
                    hit(raw_span(source), (runtime, path));
                }
            }
            if let Some(f) = s.use_api_socket.as_ref().filter(|f| f.is_true()) {
                hit(raw_span(&f.text), ("Docker", "use_api_socket".to_string()));
            }
        });
        for hit in hits {
            let (runtime, path) = &hit.item;
            let what = if path == "use_api_socket" {
                format!("`use_api_socket: true` gives {} the {runtime} API", hit.services_phrase())
            } else {
                format!("`{path}` gives {} the {runtime} API", hit.services_phrase())
            };
            // A read-only mount does not help: connecting to a socket is not a write.
            let message = format!(
                "{what}: whoever controls the container can start a privileged container with the \
                 host's root filesystem mounted, which is root on the host, `:ro` or not. Remove \
                 it, or put a proxy that allows only the calls it needs in between"
            );
            cx.report(hit.span, message);
        }
    }
}

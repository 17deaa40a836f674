//! `extends`: a service built on another (in this file or another one), merged as compose
//! merges it. Files `extends` names come from the [`ComposeFiles`] loader, parsed once per run.

use super::*;
use crate::syntax::compose::yaml::YamlErrorKind;

/// `extends` chains longer than this are refused (real files use one or two levels).
const MAX_EXTENDS: usize = 16;

impl Cx<'_> {
    /// A service with its `extends` chain merged in, pushed onto `out` (built in place there:
    /// a service is large, and moving it through each return costs more than building it).
    pub(super) fn service_extended(
        &mut self,
        key: NodeId,
        id: NodeId,
        visiting: &mut Vec<(PathBuf, String)>,
        out: &mut Vec<Service>,
    ) {
        let tags = self.service(key, id, out);
        let Some(ext) = out.last().and_then(|s| s.extends.clone()) else {
            return;
        };
        if visiting.is_empty()
            && let Some(s) = out.last()
        {
            // The chain starts at this service (its key, as written).
            visiting.push((self.path.to_path_buf(), s.name.raw.clone()));
        }
        let base = self.extends_base(&ext, visiting);
        if let Some(base) = base
            && let Some(own) = out.pop()
        {
            let mut own = merge_service(base, own, &tags);
            if let Some(x) = own.extends.as_mut() {
                x.resolved = true;
            }
            out.push(own);
        }
    }

    fn extends_error(&mut self, span: Span, message: String) {
        self.diags.push(Diagnostic {
            kind: DiagnosticKind::Extends,
            span,
            message,
            related: Vec::new(),
        });
    }

    fn extends_base(
        &mut self,
        ext: &Extends,
        visiting: &mut Vec<(PathBuf, String)>,
    ) -> Option<Service> {
        let name = ext.service.value.clone();
        if visiting.len() > MAX_EXTENDS {
            self.extends_error(ext.span, "`extends` chain is too long".to_string());
            return None;
        }
        // Each `extends` builds its base anew (a base extended a thousand times is built a
        // thousand times), so the text built is bounded like an alias's.
        if !self
            .budget
            .allows_extends(self.remap.as_ref().map_or(ext.span, |r| r.span))
        {
            return None;
        }
        let Some(file) = &ext.file else {
            let here = (self.path.to_path_buf(), name.clone());
            if visiting.contains(&here) {
                self.extends_error(ext.span, format!("`extends` of `{name}` forms a cycle"));
                return None;
            }
            let services = self.services?;
            let Some(e) = self.yaml.lookup(services, &name) else {
                self.extends_error(
                    ext.service.span,
                    format!("`extends` names service `{name}`, which this file does not define"),
                );
                return None;
            };
            visiting.push(here);
            let mut one = Vec::with_capacity(1);
            self.entry(&e, |cx, v| {
                cx.service_extended(e.key, v, visiting, &mut one)
            });
            visiting.pop();
            return one.pop();
        };
        let dir = self.path.parent().unwrap_or(Path::new(""));
        let other = dir.join(&file.value);
        let here = (other.clone(), name.clone());
        if visiting.contains(&here) {
            self.extends_error(ext.span, format!("`extends` of `{name}` forms a cycle"));
            return None;
        }
        let parsed = match self.files.parsed(&other) {
            Ok(p) => p,
            Err(err) => {
                self.extends_error(
                    file.span,
                    format!("`extends` cannot read `{}`: {err}", other.display()),
                );
                return None;
            }
        };
        let oyaml = &parsed.yaml;
        let services = oyaml
            .documents
            .iter()
            .filter(|d| !d.refused)
            .filter_map(|d| d.root)
            .find_map(|r| oyaml.lookup(r, "services"))
            .map(|e| oyaml.resolve(e.value));
        let found = services.and_then(|s| oyaml.lookup(s, &name));
        let Some(e) = found else {
            self.extends_error(
                ext.service.span,
                format!(
                    "`extends` names service `{name}`, which `{}` does not define",
                    other.display()
                ),
            );
            return None;
        };
        if oyaml
            .errors
            .iter()
            .any(|e| e.kind != YamlErrorKind::DuplicateKey)
        {
            self.extends_error(
                file.span,
                format!(
                    "`{}` has YAML errors; `extends` read what it could",
                    other.display()
                ),
            );
        }
        // Spans of the other file mean nothing here: point them at this `extends` entry, and
        // record where each value stands there (for findings to name it).
        let span = self.remap.as_ref().map_or(ext.span, |r| r.span);
        let import = {
            let mut imports = self.imports.borrow_mut();
            imports.push(Import {
                span,
                file_span: self.remap.as_ref().map_or(file.span, |_| span),
                file: other.clone(),
                service: name.clone(),
                values: Vec::new(),
            });
            imports.len() - 1
        };
        let mut sub_diags = Vec::new();
        let mut sub = Cx {
            yaml: oyaml,
            vars: self.vars,
            files: self.files,
            budget: self.budget,
            imports: self.imports,
            path: &other,
            diags: &mut sub_diags,
            via: None,
            remap: Some(Remap {
                span,
                file: other.clone(),
                service: name.clone(),
                lines: &parsed.lines,
                text: &oyaml.text,
                import,
                imports: self.imports,
            }),
            services,
        };
        visiting.push(here);
        let mut one = Vec::with_capacity(1);
        sub.entry(&e, |cx, v| {
            cx.service_extended(e.key, v, visiting, &mut one)
        });
        visiting.pop();
        let s = one.pop()?;
        for mut d in sub_diags {
            d.span = ext.span;
            self.diags.push(d);
        }
        Some(s)
    }
}

/// Merges an `extends` base into the service that extends it, as compose does: single values
/// from the service win; lists of capabilities and such are joined; environment, labels and
/// build args merge by key; volumes and devices by target; `!override` replaces the base's value
/// and `!reset` drops it.
fn merge_service(base: Service, mut own: Service, tags: &KeyTags) -> Service {
    let reset = |k: &str| tags.reset.iter().any(|r| r == k);
    let replace = |k: &str| tags.replace.iter().any(|r| r == k);
    macro_rules! opt {
        ($($f:ident),*) => {$(
            if own.$f.is_none() && !reset(stringify!($f)) {
                own.$f = base.$f;
            }
        )*};
    }
    opt!(
        image,
        user,
        privileged,
        read_only,
        use_api_socket,
        init,
        network_mode,
        pid,
        ipc,
        userns_mode,
        uts,
        cgroup,
        cgroup_parent,
        mem_limit,
        cpus,
        cpu_quota,
        pids_limit,
        restart,
        container_name,
        platform,
        healthcheck,
        deploy,
        command,
        entrypoint,
        provider
    );
    macro_rules! join {
        ($key:expr, $f:ident, $same:expr) => {
            if !reset(stringify!($f)) && !replace(stringify!($f)) {
                let mut merged = base.$f;
                for item in std::mem::take(&mut own.$f) {
                    let same: fn(&_, &_) -> bool = $same;
                    merged.retain(|b| !same(b, &item));
                    merged.push(item);
                }
                own.$f = merged;
            }
        };
    }
    join!("cap_add", cap_add, |a: &Text, b: &Text| a.value == b.value);
    join!("cap_drop", cap_drop, |a: &Text, b: &Text| a.value
        == b.value);
    join!("security_opt", security_opt, |a: &Text, b: &Text| a.value
        == b.value);
    join!("profiles", profiles, |a: &Text, b: &Text| a.value
        == b.value);
    join!("depends_on", depends_on, |a: &Text, b: &Text| a.value
        == b.value);
    join!("networks", networks, |a: &Text, b: &Text| a.value
        == b.value);
    join!("environment", environment, |a: &KeyValue, b: &KeyValue| a
        .key
        .value
        == b.key.value);
    join!("labels", labels, |a: &KeyValue, b: &KeyValue| a.key.value
        == b.key.value);
    join!("volumes", volumes, |a: &VolumeMount, b: &VolumeMount| {
        a.target.as_ref().map(|t| &t.value) == b.target.as_ref().map(|t| &t.value)
    });
    join!("devices", devices, |a: &Device, b: &Device| {
        a.target.as_ref().map(|t| &t.value) == b.target.as_ref().map(|t| &t.value)
    });
    join!("ports", ports, |a: &Port, b: &Port| {
        a.short.as_ref().map(|t| &t.value) == b.short.as_ref().map(|t| &t.value)
            && a.short.is_some()
    });
    join!("secrets", secrets, |a: &FileRef, b: &FileRef| a
        .source
        .value
        == b.source.value);
    join!("configs", configs, |a: &FileRef, b: &FileRef| a
        .source
        .value
        == b.source.value);
    join!("env_file", env_file, |a: &EnvFile, b: &EnvFile| a
        .path
        .value
        == b.path.value);
    if !reset("build") {
        own.build = match (base.build, own.build.take()) {
            (Some(b), Some(mut o)) if !replace("build") => {
                o.context = o.context.or(b.context);
                o.dockerfile = o.dockerfile.or(b.dockerfile);
                o.dockerfile_inline = o.dockerfile_inline.or(b.dockerfile_inline);
                o.target = o.target.or(b.target);
                o.privileged = o.privileged.or(b.privileged);
                for e in b.entitlements {
                    if !o.entitlements.iter().any(|x| x.value == e.value) {
                        o.entitlements.push(e);
                    }
                }
                let mut args = b.args;
                for a in o.args {
                    args.retain(|x| x.key.value != a.key.value);
                    args.push(a);
                }
                o.args = args;
                if o.secrets.is_empty() {
                    o.secrets = b.secrets;
                }
                Some(o)
            }
            (b, o) => o.or(b),
        };
    }
    own
}

#[cfg(test)]
mod tests {
    use super::super::super::files::{ComposeFiles, FileError, MemFiles, ParsedFile};
    use super::super::super::{DiagnosticKind, Env, load};
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts what the model asks the loader for.
    struct Counting {
        inner: MemFiles,
        parsed: AtomicUsize,
    }

    impl ComposeFiles for Counting {
        fn text(&self, path: &Path) -> Result<Arc<str>, FileError> {
            self.inner.text(path)
        }

        fn parsed(&self, path: &Path) -> Result<Arc<ParsedFile>, FileError> {
            self.parsed.fetch_add(1, Ordering::Relaxed);
            self.inner.parsed(path)
        }

        fn entry(&self, path: &Path) -> Option<super::super::super::EntryKind> {
            self.inner.entry(path)
        }
    }

    #[test]
    fn a_file_extended_by_a_thousand_services_is_read_once_per_load() {
        let mut base = String::from("services:\n");
        for i in 0..2000 {
            base.push_str(&format!("  s{i}:\n    image: img:{i}\n"));
        }
        let mut text = String::from("services:\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "  app{i}:\n    extends: {{file: base.yaml, service: s{}}}\n",
                i * 2
            ));
        }
        let files = Arc::new(Counting {
            inner: MemFiles::new().with("/p/base.yaml", base),
            parsed: AtomicUsize::new(0),
        });
        let env = Env::new().with_files(files.clone());
        let f = load(&text, Path::new("/p/compose.yaml"), &env);
        assert_eq!(files.parsed.load(Ordering::Relaxed), 1);
        let images: Vec<&str> = f
            .services()
            .filter_map(|s| s.image.as_ref().map(|t| t.value.as_str()))
            .collect();
        assert_eq!(images.len(), 1000);
        assert_eq!(images[999], "img:1998");
        assert_eq!(f.imports.len(), 1000);
    }

    #[test]
    fn extends_that_multiply_a_large_base_stop_at_the_budget() {
        let mut base = String::from("services:\n  big:\n    image: x:1\n    environment:\n");
        for i in 0..20_000 {
            base.push_str(&format!("      K{i}: value-{i}\n"));
        }
        let mut text = String::from("services:\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "  s{i}:\n    extends: {{file: base.yaml, service: big}}\n"
            ));
        }
        let env = Env::new().with_files(Arc::new(MemFiles::new().with("/p/base.yaml", base)));
        let f = load(&text, Path::new("/p/compose.yaml"), &env);
        let merged = f
            .services()
            .filter(|s| s.extends.as_ref().is_some_and(|x| x.resolved))
            .count();
        assert!(merged > 0 && merged < 1000, "{merged}");
        assert!(
            f.diagnostics
                .iter()
                .any(|d| d.kind == DiagnosticKind::AliasBudget && d.message.contains("extends")),
            "{:?}",
            f.diagnostics
        );
    }
}

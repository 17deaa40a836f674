//! The message loop. It owns the open documents and never lints, reads configuration or touches
//! the network itself: those run on a worker pool whose results come back over a channel, tagged
//! with the document version (and configuration generation) they were computed for, so a result
//! that an edit or a config change has overtaken is dropped rather than shown.

use super::backend::Linted;
use super::convert;
use super::document::{Document, uri_to_path};
use super::{actions, backend, hover};
use crate::file_settings::{SettingsOptions, SettingsSource};
use crate::rules::settings::LintSettings;
use crate::source::SourceFile;
use crossbeam_channel::{Receiver, Sender, at, never, select, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionParams,
    CodeActionProviderCapability, DiagnosticOptions, DiagnosticServerCapabilities,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, FileSystemWatcher,
    FullDocumentDiagnosticReport, GlobPattern, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, MarkupContent, MarkupKind,
    MessageType, PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams,
    RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport, SaveOptions,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
    UnchangedDocumentDiagnosticReport, Uri,
};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Lints one document; [`backend::lint_document`] in the binary, a fake in unit tests.
pub type LintFn = fn(&SourceFile, &LintSettings) -> Linted;
/// Resolves an image reference to a digest for a document path.
pub type ResolveFn = fn(&str, &Path) -> Result<String, String>;

#[derive(Clone, Copy)]
pub struct Options {
    /// How long a burst of edits must pause before the document is linted.
    pub debounce: Duration,
    pub workers: usize,
    pub lint: LintFn,
    pub resolve_digest: ResolveFn,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            debounce: Duration::from_millis(150),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
            lint: backend::lint_document,
            resolve_digest: backend::resolve_digest,
        }
    }
}

/// Settings per document path, shared by the workers. A configuration or lock-file change
/// swaps in a fresh [`SettingsSource`] (the CLI's, which caches per directory) and drops every
/// cached entry.
struct SettingsCache {
    /// What `plimsoll lsp` was told (`--isolated`, `--config FILE`).
    options: SettingsOptions,
    source: Mutex<Arc<SettingsSource>>,
    /// Why `--config FILE` could not be read, to show once per reload.
    source_error: Mutex<Option<String>>,
    by_path: Mutex<HashMap<PathBuf, Arc<LintSettings>>>,
}

impl SettingsCache {
    fn new(options: SettingsOptions) -> SettingsCache {
        let (source, error) = backend::settings_source(&options);
        SettingsCache {
            options,
            source: Mutex::new(Arc::new(source)),
            source_error: Mutex::new(error),
            by_path: Mutex::default(),
        }
    }

    /// The settings for `path` and, the first time a problem is met (an invalid configuration,
    /// an unreadable lock file), what to tell the user.
    fn get(&self, path: &Path) -> (Arc<LintSettings>, Option<String>) {
        if let Some(s) = lock(&self.by_path).get(path) {
            return (s.clone(), None);
        }
        let source = self.source();
        let (settings, problem) = backend::settings_for(&source, path);
        let problem = lock(&self.source_error).take().or(problem);
        let settings = Arc::new(settings);
        lock(&self.by_path).insert(path.to_path_buf(), settings.clone());
        (settings, problem)
    }

    fn source(&self) -> Arc<SettingsSource> {
        lock(&self.source).clone()
    }

    fn clear(&self) {
        let (source, error) = backend::settings_source(&self.options);
        *lock(&self.source) = Arc::new(source);
        *lock(&self.source_error) = error;
        lock(&self.by_path).clear();
    }
}

/// A worker that panicked while holding a lock left usable data behind.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a worker hands back to the loop.
enum Done {
    /// A lint of `version` under configuration `generation`, pushed if still current. The
    /// diagnostics are converted on the worker: for a large file that is real work, and the
    /// loop must stay free for the editor.
    Lint {
        uri: Uri,
        version: i32,
        generation: u64,
        report: Arc<Linted>,
        diagnostics: Vec<lsp_types::Diagnostic>,
    },
    /// A push lint that panicked (the document is linted again on its next change).
    LintFailed(Uri),
    /// A reply to a request, sent unless the request was cancelled meanwhile.
    Reply(Response),
    /// A pull-diagnostics reply, with the report to cache.
    Pulled {
        response: Response,
        uri: Uri,
        version: i32,
        generation: u64,
        report: Arc<Linted>,
    },
    ShowWarning(String),
}

/// A document as a worker sees it.
struct Snapshot {
    uri: Uri,
    version: i32,
    generation: u64,
    file: SourceFile,
    /// The last report, when it is for this version and generation.
    cached: Option<Arc<Linted>>,
}

struct Server {
    sender: Sender<Message>,
    options: Options,
    pool: rayon::ThreadPool,
    done_tx: Sender<Done>,
    done_rx: Receiver<Done>,
    docs: HashMap<Uri, Document>,
    due: HashMap<Uri, Instant>,
    last: HashMap<Uri, (i32, u64, Arc<Linted>)>,
    settings: Arc<SettingsCache>,
    digests: Arc<Mutex<HashMap<String, String>>>,
    generation: u64,
    running: HashMap<RequestId, Arc<AtomicBool>>,
    /// Documents with a push lint running, and whether another is due when it ends: one lint
    /// per document at a time, so edits to a large file never pile lints up on the workers.
    linting: HashMap<Uri, bool>,
    pull: bool,
    refresh: bool,
    watch: bool,
    initialized: bool,
    shutdown: bool,
    next_id: i32,
}

/// Runs the server until `exit` or until the client disconnects. Returns true when the client
/// asked for `shutdown` before `exit` (exit code 0), false otherwise (exit code 1).
pub fn run(conn: &Connection, options: Options) -> bool {
    run_with_settings(conn, options, SettingsOptions::default())
}

/// [`run`], with the settings `plimsoll lsp` was given (`--isolated`, `--config FILE`).
pub fn run_with_settings(conn: &Connection, options: Options, settings: SettingsOptions) -> bool {
    let (done_tx, done_rx) = unbounded();
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(options.workers.max(1))
        .thread_name(|i| format!("plimsoll-lsp-worker-{i}"))
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("plimsoll lsp: cannot start worker threads: {e}");
            return false;
        }
    };
    let mut server = Server {
        sender: conn.sender.clone(),
        options,
        pool,
        done_tx,
        done_rx,
        docs: HashMap::new(),
        due: HashMap::new(),
        last: HashMap::new(),
        settings: Arc::new(SettingsCache::new(settings)),
        digests: Arc::default(),
        generation: 0,
        running: HashMap::new(),
        linting: HashMap::new(),
        pull: false,
        refresh: false,
        watch: false,
        initialized: false,
        shutdown: false,
        next_id: 0,
    };
    server.main_loop(&conn.receiver)
}

impl Server {
    fn main_loop(&mut self, receiver: &Receiver<Message>) -> bool {
        loop {
            let timer = match self.due.values().min() {
                Some(&deadline) => at(deadline),
                None => never(),
            };
            let done_rx = self.done_rx.clone();
            select! {
                recv(receiver) -> msg => match msg {
                    Ok(Message::Request(req)) => self.on_request(req),
                    Ok(Message::Notification(n)) if n.method == "exit" => return self.shutdown,
                    Ok(Message::Notification(n)) => self.on_notification(n),
                    Ok(Message::Response(_)) => {}
                    Err(_) => return false,
                },
                recv(done_rx) -> done => if let Ok(done) = done {
                    self.on_done(done);
                },
                recv(timer) -> _ => self.lint_due(),
            }
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // A send fails only when the writer is gone, i.e. the client disconnected.
        let _ = self.sender.send(msg.into());
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) {
        self.next_id += 1;
        let id = RequestId::from(format!("plimsoll-{}", self.next_id));
        self.send(Request::new(id, R::METHOD.to_string(), params));
    }

    fn error(&self, id: RequestId, code: ErrorCode, message: impl Into<String>) {
        self.send(Response::new_err(id, code as i32, message.into()));
    }

    fn on_request(&mut self, req: Request) {
        if req.method == "initialize" {
            return self.initialize(req);
        }
        if !self.initialized {
            return self.error(req.id, ErrorCode::ServerNotInitialized, "not initialized");
        }
        if self.shutdown {
            return self.error(req.id, ErrorCode::InvalidRequest, "shutting down");
        }
        match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                self.send(Response::new_ok(req.id, ()));
            }
            "textDocument/codeAction" => self.with_params(req, Self::code_action),
            "textDocument/hover" => self.with_params(req, Self::hover),
            "textDocument/diagnostic" => self.with_params(req, Self::pull_diagnostics),
            _ => self.error(
                req.id,
                ErrorCode::MethodNotFound,
                format!("unknown method {}", req.method),
            ),
        }
    }

    fn with_params<P: serde::de::DeserializeOwned>(
        &mut self,
        req: Request,
        handler: fn(&mut Self, RequestId, P),
    ) {
        match serde_json::from_value::<P>(req.params) {
            Ok(params) => handler(self, req.id, params),
            Err(e) => self.error(req.id, ErrorCode::InvalidParams, e.to_string()),
        }
    }

    fn initialize(&mut self, req: Request) {
        if self.initialized {
            return self.error(req.id, ErrorCode::InvalidRequest, "already initialized");
        }
        let params: InitializeParams = match serde_json::from_value(req.params) {
            Ok(p) => p,
            Err(e) => return self.error(req.id, ErrorCode::InvalidParams, e.to_string()),
        };
        self.read_capabilities(&params.capabilities);
        if let Some(ms) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("debounceMs"))
            .and_then(Value::as_u64)
        {
            self.options.debounce = Duration::from_millis(ms.min(10_000));
        }
        let result = InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "plimsoll".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        self.initialized = true;
        self.send(Response::new_ok(req.id, result));
    }

    fn read_capabilities(&mut self, caps: &ClientCapabilities) {
        self.pull = caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some());
        let ws = caps.workspace.as_ref();
        self.refresh = ws
            .and_then(|w| w.diagnostic.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        self.watch = ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
    }

    fn on_notification(&mut self, n: Notification) {
        if !self.initialized {
            return;
        }
        let method = n.method.clone();
        let result = match method.as_str() {
            "initialized" => {
                self.register_watchers();
                Ok(())
            }
            "$/cancelRequest" => self.parse(n, |s, p: lsp_types::CancelParams| {
                let id = match p.id {
                    lsp_types::NumberOrString::Number(n) => RequestId::from(n),
                    lsp_types::NumberOrString::String(s) => RequestId::from(s),
                };
                s.cancel(id)
            }),
            "textDocument/didOpen" => self.parse(n, Self::did_open),
            "textDocument/didChange" => self.parse(n, Self::did_change),
            "textDocument/didSave" => self.parse(n, Self::did_save),
            "textDocument/didClose" => self.parse(n, Self::did_close),
            "workspace/didChangeWatchedFiles" => self.parse(n, Self::did_change_watched),
            // Unknown notifications (and `$/` ones) are ignored, as the protocol asks.
            _ => Ok(()),
        };
        if let Err(e) = result {
            eprintln!("plimsoll lsp: ignored {method}: {e}");
        }
    }

    fn parse<P: serde::de::DeserializeOwned>(
        &mut self,
        n: Notification,
        handler: fn(&mut Self, P),
    ) -> Result<(), serde_json::Error> {
        handler(self, serde_json::from_value(n.params)?);
        Ok(())
    }

    fn register_watchers(&mut self) {
        if !self.watch {
            return;
        }
        let watchers = backend::watched_globs()
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        self.request::<lsp_types::request::RegisterCapability>(RegistrationParams {
            registrations: vec![Registration {
                id: "plimsoll-config-watcher".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        });
    }

    fn cancel(&mut self, id: RequestId) {
        if let Some(flag) = self.running.remove(&id) {
            flag.store(true, Ordering::Relaxed);
            self.error(id, ErrorCode::RequestCanceled, "cancelled");
        }
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        let configured = |path: &Path| backend::configured_kind(&self.settings.source(), path);
        if let Some(doc) =
            Document::open(d.uri.clone(), &d.language_id, d.version, d.text, configured)
        {
            self.docs.insert(d.uri.clone(), doc);
            self.lint_now(&d.uri);
        }
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        if let Some(doc) = self.docs.get_mut(&uri) {
            doc.apply_changes(p.text_document.version, p.content_changes);
            if !self.pull {
                self.due.insert(uri, Instant::now() + self.options.debounce);
            }
        }
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        let path = uri_to_path(&p.text_document.uri);
        // A policy is compiled with the configuration that names it: both reload together.
        if backend::is_config_file(&path) || backend::is_policy_file(&path) {
            return self.reload_config();
        }
        if backend::is_lock_file(&path) {
            // The lock file gives both "pin image digest" and unpinned-digest's fix their
            // digests: both must see the new one.
            self.clear_digests();
            return self.reload_config();
        }
        if self.docs.contains_key(&p.text_document.uri) {
            self.lint_now(&p.text_document.uri);
        }
        // The open files linted with what this one says (its compose project, the Dockerfiles
        // its services build, the compose files that build it) are linted again: their text
        // has not changed, so their last report is dropped rather than reused.
        let saved = p.text_document.uri;
        let dependents: Vec<Uri> = self
            .docs
            .iter()
            .filter(|(uri, _)| **uri != saved)
            .filter(|(_, d)| {
                // An open document's settings were resolved when it was first linted (and any
                // problem with them shown then): this only reads them back.
                let env = self.settings.get(&d.path).0.compose_env.clone();
                backend::depends_on(&d.path, d.kind, &path, &env)
            })
            .map(|(uri, _)| uri.clone())
            .collect();
        if dependents.is_empty() {
            return;
        }
        for uri in &dependents {
            self.last.remove(uri);
        }
        if self.pull {
            if self.refresh {
                self.request::<lsp_types::request::WorkspaceDiagnosticRefresh>(());
            }
            return;
        }
        for uri in &dependents {
            self.lint_now(uri);
        }
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let DidCloseTextDocumentParams { text_document } = p;
        self.due.remove(&text_document.uri);
        self.last.remove(&text_document.uri);
        if self.docs.remove(&text_document.uri).is_some() && !self.pull {
            self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
                uri: text_document.uri,
                diagnostics: Vec::new(),
                version: None,
            });
        }
    }

    fn did_change_watched(&mut self, p: DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = p.changes.iter().map(|c| uri_to_path(&c.uri)).collect();
        let lock = paths.iter().any(|p| backend::is_lock_file(p));
        if lock {
            self.clear_digests();
        }
        if lock
            || paths
                .iter()
                .any(|p| backend::is_config_file(p) || backend::is_policy_file(p))
        {
            self.reload_config();
        }
    }

    fn clear_digests(&mut self) {
        self.digests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Drops every cached setting and re-lints (push) or asks the client to pull again.
    fn reload_config(&mut self) {
        self.settings.clear();
        self.generation += 1;
        self.last.clear();
        if self.pull {
            if self.refresh {
                self.request::<lsp_types::request::WorkspaceDiagnosticRefresh>(());
            }
            return;
        }
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for uri in uris {
            self.lint_now(&uri);
        }
    }

    fn snapshot(&mut self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.docs.get_mut(uri)?;
        let cached = self
            .last
            .get(uri)
            .filter(|(v, g, _)| *v == doc.version && *g == self.generation)
            .map(|(_, _, r)| r.clone());
        Some(Snapshot {
            uri: uri.clone(),
            version: doc.version,
            generation: self.generation,
            file: doc.source(),
            cached,
        })
    }

    fn lint_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Uri> = self
            .due
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            self.lint_now(&uri);
        }
    }

    fn lint_now(&mut self, uri: &Uri) {
        self.due.remove(uri);
        if self.pull {
            return;
        }
        if let Some(again) = self.linting.get_mut(uri) {
            // The running lint is for an older text: lint again when it ends.
            *again = true;
            return;
        }
        let Some(snap) = self.snapshot(uri) else {
            return;
        };
        self.linting.insert(uri.clone(), false);
        let ctx = self.worker_context();
        self.spawn(None, move || {
            let lint = || {
                let report = ctx.lint(&snap);
                let diagnostics = convert::diagnostics(&report.report, &snap.uri);
                (report, diagnostics)
            };
            // The loop must hear that the lint ended, even when it panicked.
            Some(match catch_unwind(AssertUnwindSafe(lint)) {
                Ok((report, diagnostics)) => Done::Lint {
                    uri: snap.uri,
                    version: snap.version,
                    generation: snap.generation,
                    report,
                    diagnostics,
                },
                Err(_) => {
                    eprintln!("plimsoll lsp: internal error while linting a document");
                    Done::LintFailed(snap.uri)
                }
            })
        });
    }

    /// Runs `job` on the pool. For a request (`id`), the job is skipped if cancelled first, and a
    /// panic becomes an `InternalError` reply instead of a dead worker.
    fn spawn(
        &mut self,
        id: Option<RequestId>,
        job: impl FnOnce() -> Option<Done> + Send + 'static,
    ) {
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(id) = &id {
            self.running.insert(id.clone(), flag.clone());
        }
        let tx = self.done_tx.clone();
        self.pool.spawn(move || {
            if flag.load(Ordering::Relaxed) {
                return;
            }
            let done = match catch_unwind(AssertUnwindSafe(job)) {
                Ok(done) => done,
                Err(_) => {
                    eprintln!("plimsoll lsp: internal error while handling a document");
                    id.map(|id| {
                        Done::Reply(Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "internal error".into(),
                        ))
                    })
                }
            };
            if let Some(done) = done {
                let _ = tx.send(done);
            }
        });
    }

    fn worker_context(&self) -> WorkerContext {
        WorkerContext {
            options: self.options,
            settings: self.settings.clone(),
            digests: self.digests.clone(),
            tx: self.done_tx.clone(),
        }
    }

    fn current(&self, uri: &Uri, version: i32, generation: u64) -> bool {
        generation == self.generation && self.docs.get(uri).is_some_and(|d| d.version == version)
    }

    fn on_done(&mut self, done: Done) {
        match done {
            Done::Lint {
                uri,
                version,
                generation,
                report,
                diagnostics,
            } => {
                if self.linting.remove(&uri) == Some(true) {
                    self.lint_now(&uri);
                }
                if !self.current(&uri, version, generation) {
                    return; // overtaken by an edit, a close or a config change
                }
                self.last.insert(uri.clone(), (version, generation, report));
                self.notify::<lsp_types::notification::PublishDiagnostics>(
                    PublishDiagnosticsParams {
                        uri,
                        diagnostics,
                        version: Some(version),
                    },
                );
            }
            Done::Pulled {
                response,
                uri,
                version,
                generation,
                report,
            } => {
                if self.current(&uri, version, generation) {
                    self.last.insert(uri, (version, generation, report));
                }
                self.reply(response);
            }
            Done::LintFailed(uri) => {
                if self.linting.remove(&uri) == Some(true) {
                    self.lint_now(&uri);
                }
            }
            Done::Reply(response) => self.reply(response),
            Done::ShowWarning(message) => {
                self.notify::<lsp_types::notification::ShowMessage>(ShowMessageParams {
                    typ: MessageType::WARNING,
                    message,
                });
            }
        }
    }

    fn reply(&mut self, response: Response) {
        // Only requests still running are answered: a cancelled one has had its reply.
        if self.running.remove(&response.id).is_some() {
            self.send(response);
        }
    }

    fn code_action(&mut self, id: RequestId, p: CodeActionParams) {
        let uri = p.text_document.uri;
        let Some(snap) = self.snapshot(&uri) else {
            // Not ours: no actions rather than an error, since editors ask for every file.
            return self.send(Response::new_ok(id, Vec::<()>::new()));
        };
        let ctx = self.worker_context();
        let reply_id = id.clone();
        self.spawn(Some(id), move || {
            let linted = ctx.lint(&snap);
            let file = &linted.report.file;
            let span = crate::source::Span::new(
                convert::offset(file, p.range.start),
                convert::offset(file, p.range.end).max(convert::offset(file, p.range.start)),
            );
            let only = p.context.only.as_deref();
            let mut out = actions::finding_actions(&linted, &uri, span, only);
            if actions::wants_pin(only) {
                for image in actions::pinnable(file, span) {
                    if let Some(digest) = ctx.digest(&image.text, &file.path) {
                        out.push(actions::pin_action(file, &uri, &image, &digest));
                    }
                }
            }
            Some(Done::Reply(Response::new_ok(reply_id, out)))
        });
    }

    fn hover(&mut self, id: RequestId, p: HoverParams) {
        let pos = p.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri) else {
            return self.send(Response::new_ok(id, ()));
        };
        let reply_id = id.clone();
        self.spawn(Some(id), move || {
            let file = &snap.file;
            let offset = convert::offset(file, pos.position);
            let hit = hover::image_refs(file)
                .into_iter()
                .find(|r| r.span.start as usize <= offset && offset <= r.span.end as usize)
                .map(|r| (r.span, hover::image_markdown(&r)))
                .or_else(|| {
                    let (span, code) = hover::suppression_code_at(file, offset)?;
                    Some((span, hover::rule_markdown(&code)?))
                });
            let result = hit.map(|(span, value)| Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                }),
                range: Some(convert::range(file, span)),
            });
            Some(Done::Reply(Response::new_ok(reply_id, result)))
        });
    }

    fn pull_diagnostics(&mut self, id: RequestId, p: DocumentDiagnosticParams) {
        let uri = p.text_document.uri;
        let Some(snap) = self.snapshot(&uri) else {
            // Not a file plimsoll lints: an empty report keeps the client quiet.
            let empty = DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport::default(),
            ));
            return self.send(Response::new_ok(id, empty));
        };
        let result_id = format!("{}:{}", snap.generation, snap.version);
        if snap.cached.is_some() && p.previous_result_id.as_deref() == Some(&result_id) {
            let unchanged = DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id,
                    },
                }),
            );
            return self.send(Response::new_ok(id, unchanged));
        }
        let ctx = self.worker_context();
        let reply_id = id.clone();
        self.spawn(Some(id), move || {
            let report = ctx.lint(&snap);
            let full = DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(result_id),
                        items: convert::diagnostics(&report.report, &snap.uri),
                    },
                },
            ));
            Some(Done::Pulled {
                response: Response::new_ok(reply_id, full),
                uri: snap.uri,
                version: snap.version,
                generation: snap.generation,
                report,
            })
        });
    }
}

/// What a job needs from the server, owned so it can move to a worker.
struct WorkerContext {
    options: Options,
    settings: Arc<SettingsCache>,
    digests: Arc<Mutex<HashMap<String, String>>>,
    tx: Sender<Done>,
}

impl WorkerContext {
    fn lint(&self, snap: &Snapshot) -> Arc<Linted> {
        if let Some(report) = &snap.cached {
            return report.clone();
        }
        let (settings, error) = self.settings.get(&snap.file.path);
        if let Some(e) = error {
            let _ = self.tx.send(Done::ShowWarning(format!("plimsoll: {e}")));
        }
        let mut linted = (self.options.lint)(&snap.file, &settings);
        linted.report.sort();
        Arc::new(linted)
    }

    fn digest(&self, reference: &str, doc: &Path) -> Option<String> {
        if let Some(d) = lock(&self.digests).get(reference) {
            return Some(d.clone());
        }
        match (self.options.resolve_digest)(reference, doc) {
            Ok(d) => {
                lock(&self.digests).insert(reference.to_string(), d.clone());
                Some(d)
            }
            Err(e) => {
                eprintln!("plimsoll lsp: {e}");
                None
            }
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("plimsoll".into()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            ..DiagnosticOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    //! The loop driven in-process over an in-memory connection, with a fake linter whose
    //! findings do not depend on which rules exist: every `latest` is a finding with a fix.
    use super::*;
    use crate::finding::{Applicability, Edit, FileReport, Finding, Fix, Severity};
    use crate::rules::RuleId;
    use crate::source::Span;
    use serde_json::json;
    use std::sync::atomic::AtomicUsize;

    static LINTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    fn fake_lint(file: &SourceFile, settings: &LintSettings) -> Linted {
        lock(&LINTS).push(file.path.to_path_buf());
        if file.text.contains("SLOW") {
            std::thread::sleep(Duration::from_millis(400));
        }
        let mut findings = Vec::new();
        if !settings
            .ignore
            .iter()
            .any(|c| c == RuleId::LatestTag.code())
        {
            for (at, _) in file.text.match_indices("latest") {
                let span = Span::new(at, at + 6);
                findings.push(
                    Finding::new(
                        RuleId::LatestTag.code(),
                        RuleId::LatestTag.name(),
                        Severity::Warning,
                        span,
                        "moving tag",
                    )
                    .with_related(Span::new(0, 4), "image here")
                    .with_fix(Fix {
                        description: "Use stable".into(),
                        applicability: Applicability::Safe,
                        edits: vec![Edit::replace(span, "stable")],
                    }),
                );
            }
        }
        Linted {
            report: FileReport {
                file: file.clone(),
                findings,
            },
            statements: Vec::new(),
        }
    }

    fn fake_resolve(reference: &str, _: &Path) -> Result<String, String> {
        if reference.starts_with("debian") {
            Ok(format!("sha256:{}", "ab".repeat(32)))
        } else {
            Err("unknown".into())
        }
    }

    fn lints_of(path: &str) -> usize {
        lock(&LINTS).iter().filter(|p| p.ends_with(path)).count()
    }

    struct Client {
        conn: Connection,
        thread: Option<std::thread::JoinHandle<bool>>,
        next: AtomicUsize,
    }

    impl Client {
        fn start(caps: Value, debounce_ms: u64) -> Client {
            Client::start_linting(caps, debounce_ms, fake_lint)
        }

        fn start_linting(
            caps: Value,
            debounce_ms: u64,
            lint: fn(&SourceFile, &LintSettings) -> Linted,
        ) -> Client {
            let (server, conn) = Connection::memory();
            let options = Options {
                debounce: Duration::from_millis(debounce_ms),
                workers: 2,
                lint,
                resolve_digest: fake_resolve,
            };
            let thread = std::thread::spawn(move || run(&server, options));
            let client = Client {
                conn,
                thread: Some(thread),
                next: AtomicUsize::new(100),
            };
            let init = client.request(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": caps}),
            );
            let caps = &client.response(init)["result"]["capabilities"];
            assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
            client.notify("initialized", json!({}));
            client
        }

        fn request(&self, method: &str, params: Value) -> i32 {
            let id = self.next.fetch_add(1, Ordering::Relaxed) as i32;
            self.conn
                .sender
                .send(Request::new(id.into(), method.into(), params).into())
                .unwrap();
            id
        }

        fn notify(&self, method: &str, params: Value) {
            self.conn
                .sender
                .send(Notification::new(method.into(), params).into())
                .unwrap();
        }

        /// The next message matching `pick`, skipping others; panics after two seconds.
        fn wait(&self, what: &str, pick: impl Fn(&Message) -> bool) -> Value {
            let deadline = Instant::now() + Duration::from_secs(2);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.conn.receiver.recv_timeout(left) {
                    Ok(m) if pick(&m) => return serde_json::to_value(&m).unwrap(),
                    Ok(_) => {}
                    Err(_) => panic!("no {what} within two seconds"),
                }
            }
        }

        fn response(&self, id: i32) -> Value {
            let id = RequestId::from(id);
            self.wait(
                "response",
                |m| matches!(m, Message::Response(r) if r.id == id),
            )
        }

        fn published(&self, uri: &str) -> Value {
            self.wait("diagnostics", |m| {
                matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == uri)
            })["params"]
                .clone()
        }

        /// Nothing more arrives for `uri` within `ms`.
        fn quiet(&self, uri: &str, ms: u64) {
            let deadline = Instant::now() + Duration::from_millis(ms);
            while let Ok(m) = self
                .conn
                .receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                if let Message::Notification(n) = &m {
                    assert!(n.params["uri"] != uri, "unexpected {m:?}");
                }
            }
        }

        fn open(&self, uri: &str, lang: &str, text: &str) {
            self.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}}),
            );
        }

        fn change(&self, uri: &str, version: i32, l: u32, c0: u32, c1: u32, text: &str) {
            self.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": {"start": {"line": l, "character": c0},
                                                      "end": {"line": l, "character": c1}},
                                           "text": text}]}),
            );
        }

        fn finish(mut self, shutdown: bool) -> bool {
            if shutdown {
                let id = self.request("shutdown", Value::Null);
                assert_eq!(self.response(id)["result"], Value::Null);
            }
            self.notify("exit", Value::Null);
            self.thread.take().unwrap().join().unwrap()
        }
    }

    #[test]
    fn pushes_diagnostics_on_open_and_shuts_down_cleanly() {
        let c = Client::start(json!({}), 20);
        let uri = "file:///t1/Dockerfile";
        c.open(uri, "dockerfile", "FROM debian:latest\n");
        let p = c.published(uri);
        assert_eq!(p["version"], 1);
        let d = &p["diagnostics"][0];
        assert_eq!(d["code"], RuleId::LatestTag.code());
        assert_eq!(d["source"], "plimsoll");
        assert_eq!(d["severity"], 2);
        assert_eq!(d["range"]["start"], json!({"line": 0, "character": 12}));
        assert_eq!(d["range"]["end"], json!({"line": 0, "character": 18}));
        assert_eq!(d["relatedInformation"][0]["message"], "image here");
        assert!(
            d["codeDescription"]["href"]
                .as_str()
                .unwrap()
                .ends_with("latest-tag.md")
        );
        // Not a Dockerfile or compose file: ignored.
        c.open("file:///t1/notes.txt", "plaintext", "latest");
        c.quiet("file:///t1/notes.txt", 100);
        assert_eq!(lints_of("t1/notes.txt"), 0);
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(c.published(uri)["diagnostics"], json!([]));
        assert!(c.finish(true));
    }

    #[test]
    fn advertised_capabilities() {
        let caps = serde_json::to_string_pretty(&capabilities()).unwrap();
        crate::assert_snap!("lsp_server_capabilities", caps);
    }

    #[test]
    fn exit_without_shutdown_is_unclean() {
        let c = Client::start(json!({}), 20);
        assert!(!c.finish(false));
    }

    #[test]
    fn a_burst_of_edits_lints_once() {
        let c = Client::start(json!({}), 150);
        let uri = "file:///t2/compose.yaml";
        c.open(uri, "yaml", "services:\n  a:\n    image: x:1\n");
        assert_eq!(c.published(uri)["diagnostics"], json!([]));
        for (v, ch) in ["l", "a", "t", "e", "s", "t"].iter().enumerate() {
            c.change(uri, v as i32 + 2, 2, 13 + v as u32, 13 + v as u32, ch);
        }
        let p = c.published(uri);
        assert_eq!(p["version"], 7);
        assert_eq!(p["diagnostics"][0]["range"]["start"]["character"], 13);
        c.quiet(uri, 250);
        assert_eq!(
            lints_of("t2/compose.yaml"),
            2,
            "open + one lint for the burst"
        );
        assert!(c.finish(true));
    }

    #[test]
    fn stale_results_are_dropped() {
        let c = Client::start(json!({}), 0);
        let uri = "file:///t3/Dockerfile";
        // Version 1 lints slowly; version 2 (fast) overtakes it.
        c.open(uri, "dockerfile", "FROM SLOW:latest\n");
        c.change(uri, 2, 0, 5, 9, "fast");
        let p = c.published(uri);
        assert_eq!(p["version"], 2);
        c.quiet(uri, 600);
        assert!(c.finish(true));
    }

    #[test]
    fn code_actions_offer_fix_ignore_and_pin() {
        let c = Client::start(json!({}), 0);
        let uri = "file:///t4/Dockerfile";
        c.open(uri, "dockerfile", "FROM debian:latest\n    RUN x\n");
        c.published(uri);
        let id = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 13}, "end": {"line": 0, "character": 13}},
                   "context": {"diagnostics": []}}),
        );
        let r = c.response(id);
        let titles: Vec<&str> = r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles.len(), 3, "{titles:?}");
        assert_eq!(titles[0], "Use stable");
        assert_eq!(titles[1], "Ignore PL101 (latest-tag) on this line");
        assert!(titles[2].starts_with("Pin image digest: debian:latest@sha256:abab"));
        let edit = &r["result"][1]["edit"]["changes"][uri][0];
        assert_eq!(edit["newText"], "# plimsoll ignore=PL101\n");
        let pin = &r["result"][2]["edit"]["changes"][uri][0];
        assert_eq!(
            pin["newText"],
            format!("debian:latest@sha256:{}", "ab".repeat(32))
        );
        // Code actions for a file plimsoll does not lint: none.
        let id = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": "file:///t4/x.py"},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                   "context": {"diagnostics": []}}),
        );
        assert_eq!(c.response(id)["result"], json!([]));
        assert!(c.finish(true));
    }

    #[test]
    fn hover_shows_image_parts() {
        let c = Client::start(json!({}), 0);
        let uri = "file:///t5/Dockerfile";
        c.open(
            uri,
            "dockerfile",
            "FROM --platform=linux/amd64 ghcr.io/o/app:1.0 AS b\n",
        );
        let id = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 35}}),
        );
        let r = c.response(id);
        let md = r["result"]["contents"]["value"].as_str().unwrap();
        assert!(md.contains("`ghcr.io`") && md.contains("`o/app`") && md.contains("`1.0`"));
        assert!(md.contains("Not pinned"));
        assert_eq!(r["result"]["range"]["start"]["character"], 28);
        let id = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
        );
        assert_eq!(c.response(id)["result"], Value::Null);
        assert!(c.finish(true));
    }

    #[test]
    fn cancelled_requests_get_one_cancelled_reply() {
        let c = Client::start(json!({}), 0);
        let uri = "file:///t6/Dockerfile";
        c.open(uri, "dockerfile", "FROM SLOW:latest\n");
        let id = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                   "context": {"diagnostics": []}}),
        );
        c.notify("$/cancelRequest", json!({"id": id}));
        let r = c.response(id);
        assert_eq!(r["error"]["code"], ErrorCode::RequestCanceled as i32);
        // The worker's late answer is not sent.
        let again = c.conn.receiver.recv_timeout(Duration::from_millis(900));
        assert!(
            !matches!(&again, Ok(Message::Response(r)) if r.id == RequestId::from(id)),
            "{again:?}"
        );
        assert!(c.finish(true));
    }

    #[test]
    fn unknown_methods_and_bad_params() {
        let c = Client::start(json!({}), 0);
        c.notify("custom/whatever", json!({"x": 1}));
        c.notify("textDocument/didOpen", json!({"nonsense": true}));
        let id = c.request("custom/method", json!({}));
        assert_eq!(
            c.response(id)["error"]["code"],
            ErrorCode::MethodNotFound as i32
        );
        let id = c.request("textDocument/hover", json!({"bad": 1}));
        assert_eq!(
            c.response(id)["error"]["code"],
            ErrorCode::InvalidParams as i32
        );
        let id = c.request("initialize", json!({"capabilities": {}}));
        assert_eq!(
            c.response(id)["error"]["code"],
            ErrorCode::InvalidRequest as i32
        );
        assert!(c.finish(true));
    }

    #[test]
    fn pull_diagnostics_for_clients_that_ask() {
        let caps = json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}});
        let c = Client::start(caps, 0);
        let uri = "file:///t7/Dockerfile";
        c.open(uri, "dockerfile", "FROM a:latest\n");
        c.quiet(uri, 100); // pull clients get no pushes
        let id = c.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        let r = c.response(id)["result"].clone();
        assert_eq!(r["kind"], "full");
        assert_eq!(r["items"][0]["code"], RuleId::LatestTag.code());
        let result_id = r["resultId"].clone();
        let id = c.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": result_id}),
        );
        assert_eq!(c.response(id)["result"]["kind"], "unchanged");
        c.change(uri, 2, 0, 7, 13, "1");
        let id = c.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": result_id}),
        );
        let r = c.response(id)["result"].clone();
        assert_eq!(
            (r["kind"].as_str(), r["items"].as_array().map(Vec::len)),
            (Some("full"), Some(0))
        );
        assert!(c.finish(true));
    }

    #[test]
    fn config_changes_relint_open_documents() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("Dockerfile");
        let uri = super::super::document::path_to_uri(&doc).unwrap();
        let uri = uri.as_str();
        let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
        let c = Client::start(caps, 0);
        let reg = c.wait(
            "registration",
            |m| matches!(m, Message::Request(r) if r.method == "client/registerCapability"),
        );
        let globs = reg["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
        assert!(globs.contains("**/plimsoll.toml") && globs.contains("**/plimsoll.lock"));
        c.open(uri, "dockerfile", "FROM a:latest\n");
        assert_eq!(c.published(uri)["diagnostics"].as_array().unwrap().len(), 1);
        let config = dir.path().join("plimsoll.toml");
        std::fs::write(&config, "ignore = [\"PL101\"]\n").unwrap();
        let config_uri = super::super::document::path_to_uri(&config).unwrap();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": config_uri.as_str(), "type": 1}]}),
        );
        assert_eq!(c.published(uri)["diagnostics"], json!([]));
        // An invalid configuration: defaults, and a warning.
        std::fs::write(&config, "ignore = [[[\n").unwrap();
        c.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": config_uri.as_str()}}),
        );
        let warning = c.wait(
            "warning",
            |m| matches!(m, Message::Notification(n) if n.method == "window/showMessage"),
        );
        assert!(
            warning["params"]["message"]
                .as_str()
                .unwrap()
                .contains("configuration")
        );
        assert_eq!(c.published(uri)["diagnostics"].as_array().unwrap().len(), 1);
        assert!(c.finish(true));
    }

    #[test]
    fn a_changed_policy_is_recompiled_and_open_documents_relinted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("plimsoll.toml"),
            "select = [\"policy\"]\n[[policy]]\npath = \"policy\"\n",
        )
        .unwrap();
        let rego = dir.path().join("policy/p.rego");
        std::fs::create_dir(dir.path().join("policy")).unwrap();
        std::fs::write(&rego, "package main\ndeny contains \"first\" if true\n").unwrap();
        let doc = dir.path().join("Dockerfile");
        let uri = super::super::document::path_to_uri(&doc).unwrap();
        let uri = uri.as_str();
        let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
        // The real linter: the policies run inside it.
        let c = Client::start_linting(caps, 0, backend::lint_document);
        let reg = c.wait(
            "registration",
            |m| matches!(m, Message::Request(r) if r.method == "client/registerCapability"),
        );
        let globs = reg["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
        assert!(globs.contains("**/*.rego"), "{globs}");
        c.open(uri, "dockerfile", "FROM debian:12\n");
        let published = c.published(uri);
        assert_eq!(
            published["diagnostics"][0]["message"], "first (rego)",
            "{published}"
        );
        std::fs::write(&rego, "package main\ndeny contains \"second\" if true\n").unwrap();
        let rego_uri = super::super::document::path_to_uri(&rego).unwrap();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": rego_uri.as_str(), "type": 2}]}),
        );
        let published = c.published(uri);
        assert_eq!(
            published["diagnostics"][0]["message"], "second (rego)",
            "{published}"
        );
        assert!(c.finish(true));
    }
}

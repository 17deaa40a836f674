//! The message loop. It owns the open documents and never lints, reads configuration or touches
//! the network itself: those run on a worker pool whose results come back over a channel, tagged
//! with the document version (and configuration generation) they were computed for, so a result
//! that an edit or a config change has overtaken is dropped rather than shown.

use super::convert;
use super::document::{Document, uri_to_path};
use super::{actions, hover, seam};
use crate::finding::FileReport;
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

/// Lints one document; [`seam::lint_document`] in the binary, a fake in unit tests.
pub type LintFn = fn(&SourceFile, &LintSettings) -> FileReport;
/// Resolves an image reference to a digest for a document path.
pub type ResolveFn = fn(&str, &Path) -> Result<String, String>;
/// Resolves the settings for a document path.
pub type SettingsFn = fn(&Path) -> Result<LintSettings, String>;

#[derive(Clone, Copy)]
pub struct Options {
    /// How long a burst of edits must pause before the document is linted.
    pub debounce: Duration,
    pub workers: usize,
    pub lint: LintFn,
    pub settings: SettingsFn,
    pub resolve_digest: ResolveFn,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            debounce: Duration::from_millis(150),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
            lint: seam::lint_document,
            settings: seam::settings_for,
            resolve_digest: seam::resolve_digest,
        }
    }
}

/// Settings per directory, shared by the workers; cleared when a configuration file changes.
#[derive(Default)]
struct SettingsCache {
    by_dir: Mutex<HashMap<PathBuf, Arc<LintSettings>>>,
}

impl SettingsCache {
    /// The settings for `path` and, the first time an invalid configuration is met, its error.
    fn get(&self, path: &Path, resolve: SettingsFn) -> (Arc<LintSettings>, Option<String>) {
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        if let Some(s) = self.lock().get(&dir) {
            return (s.clone(), None);
        }
        let (settings, error) = match resolve(path) {
            Ok(s) => (Arc::new(s), None),
            Err(e) => (Arc::new(LintSettings::default()), Some(e)),
        };
        self.lock().insert(dir, settings.clone());
        (settings, error)
    }

    fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<LintSettings>>> {
        // A worker that panicked while holding the lock left a usable map behind.
        self.by_dir.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a worker hands back to the loop.
enum Done {
    /// A lint of `version` under configuration `generation`, pushed if still current.
    Lint {
        uri: Uri,
        version: i32,
        generation: u64,
        report: Arc<FileReport>,
    },
    /// A reply to a request, sent unless the request was cancelled meanwhile.
    Reply(Response),
    /// A pull-diagnostics reply, with the report to cache.
    Pulled {
        response: Response,
        uri: Uri,
        version: i32,
        generation: u64,
        report: Arc<FileReport>,
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
    cached: Option<Arc<FileReport>>,
}

struct Server {
    sender: Sender<Message>,
    options: Options,
    pool: rayon::ThreadPool,
    done_tx: Sender<Done>,
    done_rx: Receiver<Done>,
    docs: HashMap<Uri, Document>,
    due: HashMap<Uri, Instant>,
    last: HashMap<Uri, (i32, u64, Arc<FileReport>)>,
    settings: Arc<SettingsCache>,
    digests: Arc<Mutex<HashMap<String, String>>>,
    generation: u64,
    running: HashMap<RequestId, Arc<AtomicBool>>,
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
        settings: Arc::default(),
        digests: Arc::default(),
        generation: 0,
        running: HashMap::new(),
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
        let names = seam::CONFIG_FILE_NAMES
            .iter()
            .chain([&seam::LOCK_FILE_NAME]);
        let watchers = names
            .map(|name| FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{name}")),
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
        if let Some(doc) = Document::open(d.uri.clone(), &d.language_id, d.version, d.text) {
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
        if seam::is_config_file(&path) {
            return self.reload_config();
        }
        if seam::is_lock_file(&path) {
            return self.clear_digests();
        }
        if self.docs.contains_key(&p.text_document.uri) {
            self.lint_now(&p.text_document.uri);
        }
    }

    fn did_close(&mut self, p: lsp_types::DidCloseTextDocumentParams) {
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
        if paths.iter().any(|p| seam::is_lock_file(p)) {
            self.clear_digests();
        }
        if paths.iter().any(|p| seam::is_config_file(p)) {
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

    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.docs.get(uri)?;
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
        let Some(snap) = self.snapshot(uri) else {
            return;
        };
        let ctx = self.worker_context();
        self.spawn(None, move || {
            let report = ctx.lint(&snap);
            Some(Done::Lint {
                uri: snap.uri,
                version: snap.version,
                generation: snap.generation,
                report,
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
            } => {
                if !self.current(&uri, version, generation) {
                    return; // overtaken by an edit, a close or a config change
                }
                let diagnostics = convert::diagnostics(&report, &uri);
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
            let report = ctx.lint(&snap);
            let file = &report.file;
            let span = crate::source::Span::new(
                convert::offset(file, p.range.start),
                convert::offset(file, p.range.end).max(convert::offset(file, p.range.start)),
            );
            let only = p.context.only.as_deref();
            let mut out = actions::finding_actions(&report, &uri, span, only);
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
                        items: convert::diagnostics(&report, &snap.uri),
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
    fn lint(&self, snap: &Snapshot) -> Arc<FileReport> {
        if let Some(report) = &snap.cached {
            return report.clone();
        }
        let (settings, error) = self.settings.get(&snap.file.path, self.options.settings);
        if let Some(e) = error {
            let _ = self.tx.send(Done::ShowWarning(format!(
                "plimsoll: configuration error, using defaults: {e}"
            )));
        }
        let mut report = (self.options.lint)(&snap.file, &settings);
        report.sort();
        Arc::new(report)
    }

    fn digest(&self, reference: &str, doc: &Path) -> Option<String> {
        let lock = || self.digests.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = lock().get(reference) {
            return Some(d.clone());
        }
        match (self.options.resolve_digest)(reference, doc) {
            Ok(d) => {
                lock().insert(reference.to_string(), d.clone());
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

//! stdio transport that survives bad input.
//!
//! `lsp_server::Connection::stdio()` ends its reader thread on the first malformed payload, which
//! would take the server down with it. This reader answers a body that is not JSON with a JSON-RPC
//! `ParseError` and one that is not a message with `InvalidRequest` (both with `id: null` unless
//! an id can be read), skips header blocks it cannot frame, and reads on.

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, Message};
use serde_json::{Value, json};
use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

/// Messages past this size are skipped (and answered with an error), not buffered.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

pub struct IoThreads {
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Waits for the writer to flush everything the server sent. The loop returns only after
    /// `exit` or end of input, and the reader stops at both, so it is finished too.
    pub fn join(self) {
        let _ = self.writer.join();
        let _ = self.reader.join();
    }
}

/// A connection over this process's stdin and stdout.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_server, from_client) = unbounded::<Message>();
    let (to_client, from_server) = unbounded::<Message>();
    let (raw_tx, raw_rx) = unbounded::<Value>();
    let reader = std::thread::Builder::new()
        .name("plimsoll-lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            read_loop(&mut stdin.lock(), &to_server, &raw_tx);
        });
    let writer = std::thread::Builder::new()
        .name("plimsoll-lsp-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            write_loop(&mut stdout.lock(), &from_server, &raw_rx);
        });
    let (Ok(reader), Ok(writer)) = (reader, writer) else {
        // Without threads there is no server; an empty connection makes the loop end at once.
        let (tx, rx) = unbounded();
        let (dead_r, dead_w) = (std::thread::spawn(|| ()), std::thread::spawn(|| ()));
        return (
            Connection {
                sender: tx,
                receiver: rx,
            },
            IoThreads {
                reader: dead_r,
                writer: dead_w,
            },
        );
    };
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        IoThreads { reader, writer },
    )
}

fn write_loop(out: &mut impl Write, messages: &Receiver<Message>, raw: &Receiver<Value>) {
    let mut raw_open = true;
    loop {
        let result = if raw_open {
            select! {
                recv(messages) -> m => match m {
                    Ok(m) => m.write(out),
                    Err(_) => return,
                },
                recv(raw) -> v => match v {
                    Ok(v) => write_raw(out, &v),
                    Err(_) => { raw_open = false; Ok(()) }
                },
            }
        } else {
            match messages.recv() {
                Ok(m) => m.write(out),
                Err(_) => return,
            }
        };
        if result.is_err() {
            // The client is gone; nothing more can be delivered.
            return;
        }
    }
}

fn write_raw(out: &mut impl Write, v: &Value) -> io::Result<()> {
    let text = v.to_string();
    write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    out.flush()
}

/// One framed message or a reason it could not be read.
enum Frame {
    Body(Vec<u8>),
    Unframed(String),
}

/// Reads messages until end of input or `exit`.
pub fn read_loop(input: &mut impl BufRead, to_server: &Sender<Message>, raw: &Sender<Value>) {
    loop {
        let body = match read_frame(input) {
            Ok(Some(Frame::Body(b))) => b,
            Ok(Some(Frame::Unframed(why))) => {
                eprintln!("plimsoll lsp: skipped unreadable input: {why}");
                let _ = raw.send(error(Value::Null, -32700, &why));
                continue;
            }
            Ok(None) | Err(_) => return,
        };
        let value: Value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("plimsoll lsp: malformed JSON-RPC payload: {e}");
                let _ = raw.send(error(Value::Null, -32700, &format!("parse error: {e}")));
                continue;
            }
        };
        let id = value.get("id").cloned().unwrap_or(Value::Null);
        // Checked before deserialising: `{"id": 1}` alone would otherwise pass for a response.
        let shaped = value.get("method").is_some_and(Value::is_string)
            || (value.get("id").is_some()
                && (value.get("result").is_some() || value.get("error").is_some()));
        let parsed = if shaped {
            serde_json::from_value::<Message>(value).map_err(|e| e.to_string())
        } else {
            Err("neither a request, a notification nor a response".to_string())
        };
        match parsed {
            Ok(msg) => {
                let is_exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_server.send(msg).is_err() || is_exit {
                    return;
                }
            }
            Err(e) => {
                eprintln!("plimsoll lsp: invalid JSON-RPC message: {e}");
                let id = if id.is_string() || id.is_number() {
                    id
                } else {
                    Value::Null
                };
                let _ = raw.send(error(id, -32600, &format!("invalid request: {e}")));
            }
        }
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Reads one header block and its body. `Ok(None)` at end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    let mut saw_header = false;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length {:?}", value.trim())),
            );
        }
    }
    match length {
        None => Ok(Some(Frame::Unframed(
            "header block without Content-Length".into(),
        ))),
        Some(Err(why)) => Ok(Some(Frame::Unframed(why))),
        Some(Ok(n)) if n > MAX_MESSAGE => {
            io::copy(&mut input.take(n as u64), &mut io::sink())?;
            Ok(Some(Frame::Unframed(format!(
                "message of {n} bytes is too large"
            ))))
        }
        Some(Ok(n)) => {
            // Grown as bytes arrive, so a lying Content-Length cannot reserve memory up front.
            let mut body = Vec::new();
            input.take(n as u64).read_to_end(&mut body)?;
            if body.len() < n {
                return Ok(None); // input ended mid-message
            }
            Ok(Some(Frame::Body(body)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn survives_garbage_and_reads_on() {
        let input = [
            framed("this is not json"),
            "garbage line\r\n\r\n".to_string(),
            "Content-Length: nope\r\n\r\n".to_string(),
            framed(r#"{"jsonrpc":"2.0","id":7,"params":{}}"#),
            framed(r#"[1,2]"#),
            framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#),
            framed(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            framed(r#"{"jsonrpc":"2.0","method":"never-read"}"#),
        ]
        .concat();
        let (tx, rx) = unbounded();
        let (raw_tx, raw_rx) = unbounded();
        read_loop(&mut input.as_bytes(), &tx, &raw_tx);
        let msgs: Vec<_> = rx.try_iter().collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(matches!(&msgs[0], Message::Request(r) if r.method == "shutdown"));
        let errors: Vec<Value> = raw_rx.try_iter().collect();
        let codes: Vec<_> = errors.iter().map(|e| e["error"]["code"].as_i64()).collect();
        assert_eq!(
            codes,
            [
                Some(-32700),
                Some(-32700),
                Some(-32700),
                Some(-32600),
                Some(-32600)
            ]
        );
        assert_eq!(errors[3]["id"], 7);
        assert_eq!(errors[4]["id"], Value::Null);
    }

    #[test]
    fn truncated_input_ends_reading() {
        let (tx, rx) = unbounded();
        let (raw_tx, _raw_rx) = unbounded();
        read_loop(
            &mut "Content-Length: 50\r\n\r\n{\"a\"".as_bytes(),
            &tx,
            &raw_tx,
        );
        assert!(rx.try_iter().next().is_none());
    }

    #[test]
    fn writes_framed_messages() {
        let mut out = Vec::new();
        write_raw(&mut out, &json!({"a": 1})).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Content-Length: 7\r\n\r\n{\"a\":1}"
        );
    }
}

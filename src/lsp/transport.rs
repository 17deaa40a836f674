//! stdio transport that survives bad input.
//!
//! `lsp_server::Connection::stdio()` ends its reader thread on the first malformed payload, which
//! would take the server down with it. This reader answers a body that is not JSON with a JSON-RPC
//! `ParseError` and one that is not a message with `InvalidRequest` (both with `id: null` unless
//! an id can be read), skips header blocks it cannot frame, and reads on.
//!
//! A frame with a wrong or missing `Content-Length` must not cost every later message: a header
//! line is searched for `Content-Length:` anywhere in it (the tail of a body that ran short sits
//! before the next header on the same line), and a body that is not JSON but holds a
//! `Content-Length:` header (the length was too long and the body swallowed the next message) is
//! read again from there. Header lines are read in bounded memory: past [`MAX_HEADER_LINE`]
//! bytes only the line's tail is kept (where a header of the next message would be).

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, Message};
use serde_json::{Value, json};
use std::io::{self, BufRead, Write};
use std::thread::JoinHandle;

/// Messages past this size are skipped (and answered with an error), not buffered.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// The most of one header line kept in memory (real header lines are a few dozen bytes).
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// Header lines in one block before the block is given up as garbage.
const MAX_HEADER_LINES: usize = 64;

/// The input, with bytes given back to be read again ([`Input::unread`]) served first.
pub struct Input<R> {
    inner: R,
    pending: Vec<u8>,
    at: usize,
}

impl<R: BufRead> Input<R> {
    pub fn new(inner: R) -> Input<R> {
        Input {
            inner,
            pending: Vec::new(),
            at: 0,
        }
    }

    fn fill(&mut self) -> io::Result<&[u8]> {
        if self.at < self.pending.len() {
            return Ok(&self.pending[self.at..]);
        }
        self.pending.clear();
        self.at = 0;
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.at < self.pending.len() {
            self.at += n;
        } else {
            self.inner.consume(n);
        }
    }

    /// Puts `bytes` back in front of what is still to be read.
    fn unread(&mut self, bytes: &[u8]) {
        let mut rest = bytes.to_vec();
        rest.extend_from_slice(self.pending.get(self.at..).unwrap_or_default());
        self.pending = rest;
        self.at = 0;
    }

    /// Reads one line into `line` (cleared first), keeping at most [`MAX_HEADER_LINE`] bytes:
    /// the line's tail. `Ok(false)` at end of input.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        let mut any = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(any);
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            line.extend_from_slice(&buf[..take]);
            self.consume(take);
            if line.len() > MAX_HEADER_LINE {
                let cut = line.len() - MAX_HEADER_LINE;
                line.drain(..cut);
            }
            if done {
                return Ok(true);
            }
        }
    }

    /// Reads `n` bytes (fewer at end of input), growing the buffer as bytes arrive.
    fn read_body(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        while body.len() < n {
            let buf = self.fill()?;
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min(n - body.len());
            body.extend_from_slice(&buf[..take]);
            self.consume(take);
        }
        Ok(body)
    }

    /// Skips `n` bytes.
    fn skip(&mut self, mut n: usize) -> io::Result<()> {
        while n > 0 {
            let buf = self.fill()?;
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min(n);
            self.consume(take);
            n -= take;
        }
        Ok(())
    }
}

/// The position of a `Content-Length:` header in `bytes` (ASCII case ignored), followed by its
/// digits: where a message's framing starts.
fn find_length_header(bytes: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    if bytes.len() < NAME.len() {
        return None;
    }
    (0..=bytes.len() - NAME.len()).find(|&i| {
        bytes[i..i + NAME.len()].eq_ignore_ascii_case(NAME)
            && bytes[i + NAME.len()..]
                .iter()
                .find(|b| **b != b' ' && **b != b'\t')
                .is_some_and(u8::is_ascii_digit)
    })
}

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
            read_loop(&mut Input::new(stdin.lock()), &to_server, &raw_tx);
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
pub fn read_loop<R: BufRead>(
    input: &mut Input<R>,
    to_server: &Sender<Message>,
    raw: &Sender<Value>,
) {
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
                // A length too long made this body swallow the next message: read on from its
                // header. (Only a body that is not JSON is searched: a document's text may
                // well hold the words.)
                if let Some(at) = find_length_header(&body).filter(|&at| at > 0) {
                    input.unread(&body[at..]);
                }
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
fn read_frame<R: BufRead>(input: &mut Input<R>) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    let mut lines = 0usize;
    loop {
        if !input.read_line(&mut line)? {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if lines > 0 {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        lines += 1;
        // Anywhere in the line: after a body that ran short, its tail precedes the header.
        if let Some(at) = find_length_header(text.as_bytes()) {
            let value = text[at + "content-length:".len()..].trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length {value:?}")),
            );
        } else if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(Err(format!("bad Content-Length {:?}", value.trim())));
        }
        if lines > MAX_HEADER_LINES {
            return Ok(Some(Frame::Unframed(format!(
                "header block of more than {MAX_HEADER_LINES} lines"
            ))));
        }
    }
    match length {
        None => Ok(Some(Frame::Unframed(
            "header block without Content-Length".into(),
        ))),
        Some(Err(why)) => Ok(Some(Frame::Unframed(why))),
        Some(Ok(n)) if n > MAX_MESSAGE => {
            input.skip(n)?;
            Ok(Some(Frame::Unframed(format!(
                "message of {n} bytes is too large"
            ))))
        }
        Some(Ok(n)) => {
            // Grown as bytes arrive, so a lying Content-Length cannot reserve memory up front.
            let body = input.read_body(n)?;
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
        read_loop(&mut Input::new(input.as_bytes()), &tx, &raw_tx);
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

    fn request(id: i64, method: &str) -> String {
        framed(&format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#
        ))
    }

    fn methods(input: &[u8]) -> Vec<String> {
        let (tx, rx) = unbounded();
        let (raw_tx, _raw_rx) = unbounded();
        read_loop(&mut Input::new(input), &tx, &raw_tx);
        rx.try_iter()
            .filter_map(|m| match m {
                Message::Request(r) => Some(r.method),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn resynchronises_after_a_wrong_or_missing_length() {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"lost"}"#;
        // Missing: the body is read as a header line, with the next header at its end.
        let missing = format!("Content-Type: x\r\n\r\n{body}{}", request(2, "second"));
        assert_eq!(methods(missing.as_bytes()), ["second"]);
        // Too short: the body's tail and the next header share a line.
        let short = format!("Content-Length: 10\r\n\r\n{body}{}", request(2, "second"));
        assert_eq!(methods(short.as_bytes()), ["second"]);
        // Too long: the body swallows the next message, which is read again from its header.
        let long = format!(
            "Content-Length: {}\r\n\r\n{body}{}{}",
            body.len() + 30,
            request(2, "second"),
            request(3, "third")
        );
        assert_eq!(methods(long.as_bytes()), ["second", "third"]);
        // A valid body that mentions the header is left alone.
        let quoted =
            framed(r#"{"jsonrpc":"2.0","id":4,"method":"m","params":{"t":"Content-Length: 5"}}"#);
        assert_eq!(
            methods(format!("{quoted}{}", request(5, "after")).as_bytes()),
            ["m", "after"]
        );
    }

    #[test]
    fn a_header_line_is_kept_in_bounded_memory() {
        let mut input = vec![b'x'; 10 * MAX_HEADER_LINE];
        input.extend_from_slice(request(1, "after").as_bytes());
        let mut reader = Input::new(&input[..]);
        let mut line = Vec::new();
        assert!(reader.read_line(&mut line).unwrap());
        assert!(line.len() <= MAX_HEADER_LINE);
        assert!(line.ends_with(b"Content-Length: 41\r\n"));
        assert_eq!(methods(&input), ["after"]);
    }

    #[test]
    fn truncated_input_ends_reading() {
        let (tx, rx) = unbounded();
        let (raw_tx, _raw_rx) = unbounded();
        read_loop(
            &mut Input::new("Content-Length: 50\r\n\r\n{\"a\"".as_bytes()),
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

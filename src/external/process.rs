//! Running an external program under limits: a deadline and a cap on what it may print.
//!
//! The program gets no standard input, its output is read by two threads (so neither pipe can
//! fill up and stall it), and it runs in a process group of its own on Unix: when the deadline
//! passes or the output outgrows the cap, the whole group is killed, so a wrapper script's
//! children go with it and the pipes close. The calling thread never waits past the deadline.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a run may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Wall time from spawning to exit.
    pub timeout: Duration,
    /// Bytes of standard output kept; more is an error. Standard error keeps at most 64 KiB
    /// (only for messages).
    pub max_output: usize,
}

/// A program that ran to its end within the limits.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Finished {
    /// The first line of standard error, for messages (at most 200 characters).
    pub fn stderr_line(&self) -> String {
        let text = String::from_utf8_lossy(&self.stderr);
        let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        line.trim().chars().take(200).collect()
    }
}

/// Why a run gave no usable result.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot start {program}: {error}")]
    Spawn {
        program: String,
        error: std::io::Error,
    },
    #[error("timed out after {} s", .0.as_secs_f32())]
    TimedOut(Duration),
    #[error("printed more than {0} bytes")]
    OutputTooLarge(usize),
}

const MAX_STDERR: usize = 64 << 10;

/// Which pipe a reader thread drained, and what it read (`None`: the cap was passed).
type PipeResult = (Pipe, Option<Vec<u8>>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pipe {
    Out,
    Err,
}

/// Runs `cmd` (its stdin, stdout and stderr are set here) within `limits`.
pub fn run(cmd: &mut Command, limits: Limits) -> Result<Finished, RunError> {
    let start = Instant::now();
    let deadline = start + limits.timeout;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|error| RunError::Spawn {
        program: cmd.get_program().to_string_lossy().into_owned(),
        error,
    })?;
    let (tx, rx) = mpsc::channel::<PipeResult>();
    if let Some(out) = child.stdout.take() {
        drain(out, Pipe::Out, limits.max_output, tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        drain(err, Pipe::Err, MAX_STDERR, tx.clone());
    }
    drop(tx);
    let (mut stdout, mut stderr) = (None, None);
    while stdout.is_none() || stderr.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((Pipe::Out, Some(bytes))) => stdout = Some(bytes),
            Ok((Pipe::Err, Some(bytes))) => stderr = Some(bytes),
            // Standard error past its cap is cut, not an error.
            Ok((Pipe::Err, None)) => stderr = Some(Vec::new()),
            Ok((Pipe::Out, None)) => {
                kill(&mut child);
                return Err(RunError::OutputTooLarge(limits.max_output));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill(&mut child);
                return Err(RunError::TimedOut(limits.timeout));
            }
            // Both readers are gone (their pipes could not be taken): nothing more will come.
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // The pipes are closed; the program has exited or is about to.
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return Ok(Finished {
                    status,
                    stdout: stdout.unwrap_or_default(),
                    stderr: stderr.unwrap_or_default(),
                });
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
            _ => {
                kill(&mut child);
                return Err(RunError::TimedOut(limits.timeout));
            }
        }
    }
}

/// Reads `pipe` to its end on a thread of its own, keeping at most `cap` bytes, and sends what it
/// read. A reader of a killed program ends when the pipe closes; nobody waits for it.
fn drain(
    mut pipe: impl Read + Send + 'static,
    which: Pipe,
    cap: usize,
    tx: mpsc::Sender<PipeResult>,
) {
    // Without a thread the pipe is dropped with the closure: the program sees it closed.
    let _ = std::thread::Builder::new()
        .name("plimsoll-pipe".into())
        .spawn(move || {
            let mut buf = Vec::new();
            let kept = (&mut pipe).take(cap as u64 + 1).read_to_end(&mut buf);
            let result = match kept {
                Ok(_) if buf.len() <= cap => Some(buf),
                Ok(_) => {
                    // Keep draining so the program is not stopped by a full pipe before it is
                    // killed; the bytes are dropped.
                    let _ = std::io::copy(&mut pipe, &mut std::io::sink());
                    None
                }
                Err(_) => Some(buf),
            };
            let _ = tx.send((which, result));
        });
}

/// Kills the program and everything it started (its process group on Unix), then reaps it.
fn kill(child: &mut Child) {
    #[cfg(unix)]
    {
        if let Some(pid) = i32::try_from(child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(script);
        c
    }

    const LIMITS: Limits = Limits {
        timeout: Duration::from_secs(10),
        max_output: 1024,
    };

    #[test]
    fn collects_output_and_status() {
        let done = run(&mut sh("echo out; echo err >&2; exit 3"), LIMITS).unwrap();
        assert_eq!(done.stdout, b"out\n");
        assert_eq!(done.stderr_line(), "err");
        assert_eq!(done.status.code(), Some(3));
    }

    #[test]
    fn a_hung_program_and_its_children_are_killed_at_the_deadline() {
        let limits = Limits {
            timeout: Duration::from_millis(300),
            ..LIMITS
        };
        let start = Instant::now();
        // The child `sleep` holds the pipe open: only killing the group ends it.
        let r = run(&mut sh("sleep 30 & sleep 30; echo never"), limits);
        assert!(matches!(r, Err(RunError::TimedOut(_))), "{r:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn too_much_output_is_an_error() {
        let r = run(&mut sh("yes | head -c 100000"), LIMITS);
        assert!(matches!(r, Err(RunError::OutputTooLarge(1024))), "{r:?}");
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let r = run(&mut Command::new("/nonexistent/program"), LIMITS);
        assert!(matches!(r, Err(RunError::Spawn { .. })), "{r:?}");
    }
}

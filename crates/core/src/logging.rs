//! Where the log goes: stderr, through a writer that never fails. A log line that cannot be
//! written (a full disk, a closed pipe or terminal) is dropped and counted instead of
//! stopping the process: tracing-subscriber reports a failed write with `eprintln!`, which
//! panics on the same broken stream, and the panic then aborts the bot. The count is in
//! [`dropped_lines`] (`/healthz` shows it), and once stderr takes writes again the next line
//! is preceded by one saying how many were lost.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use tracing_subscriber::fmt::MakeWriter;

/// Log lines dropped since the start.
static DROPPED: AtomicU64 = AtomicU64::new(0);
/// Of those, the ones no line on stderr has mentioned yet.
static UNREPORTED: AtomicU64 = AtomicU64::new(0);

/// Whether questions' text may be logged (`ARCHIE_LOG_QUESTIONS=1`, a privacy choice).
static LOG_QUESTIONS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets the log carry the text of questions asked (off unless `ARCHIE_LOG_QUESTIONS=1`).
pub fn set_log_questions(on: bool) {
    LOG_QUESTIONS.store(on, Ordering::Relaxed);
}

/// Whether the log may carry the text of questions asked.
pub fn log_questions() -> bool {
    LOG_QUESTIONS.load(Ordering::Relaxed)
}

/// How many log lines could not be written since the process started.
pub fn dropped_lines() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// The log's writer: stderr, one [`Line`] per event.
#[derive(Debug, Clone, Copy, Default)]
pub struct LossyStderr;

impl<'a> MakeWriter<'a> for LossyStderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line { failed: false }
    }
}

/// One event's line on its way to stderr. Every write succeeds as far as the caller can
/// tell; a line whose writing failed is counted once, when it is dropped.
#[derive(Debug)]
pub struct Line {
    failed: bool,
}

impl Line {
    /// Says, before this line, how many lines were dropped while stderr failed.
    fn report_dropped(&self, err: &mut impl Write) -> io::Result<()> {
        let n = UNREPORTED.swap(0, Ordering::Relaxed);
        if n == 0 {
            return Ok(());
        }
        let note = format!("archie: {n} log line(s) were dropped: stderr could not be written\n");
        err.write_all(note.as_bytes()).inspect_err(|_| {
            UNREPORTED.fetch_add(n, Ordering::Relaxed);
        })
    }
}

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Ok(buf.len());
        }
        let mut err = io::stderr().lock();
        let written = self.report_dropped(&mut err).and_then(|()| err.write(buf));
        match written {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(_) => {
                self.failed = true;
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if self.failed {
            DROPPED.fetch_add(1, Ordering::Relaxed);
            UNREPORTED.fetch_add(1, Ordering::Relaxed);
        }
    }
}

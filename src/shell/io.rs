//! Where a command's output and error lines go.
//!
//! Output goes to standard output, or to a buffer that becomes a file's contents when the
//! command line redirects it; error lines go to standard error as they happen, after
//! flushing the output, so a terminal shows them in order.

use std::io::Write;
use vfsbox_api::Errno;

/// The two streams of one command.
pub struct Io<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

impl<'a> Io<'a> {
    /// Streams for one command.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Io<'a> {
        Io { out, err }
    }

    /// The same error stream with output going to `out` instead (a redirection).
    pub fn with_out<'b>(&'b mut self, out: &'b mut dyn Write) -> Io<'b> {
        Io {
            out,
            err: &mut *self.err,
        }
    }

    /// Writes output bytes. A stream that cannot be written (a closed pipe) loses them: the
    /// shell has nowhere better to say so.
    pub fn out(&mut self, bytes: &[u8]) {
        let _ = self.out.write_all(bytes);
    }

    /// Writes one line of output text.
    pub fn line(&mut self, text: &str) {
        self.out(text.as_bytes());
        self.out(b"\n");
    }

    /// Reports a failed call: `name: strerror (ERRNO)`.
    pub fn fail(&mut self, name: &str, errno: Errno) {
        self.message(name, &errno.to_string());
    }

    /// Reports anything else that went wrong: `name: text`.
    pub fn message(&mut self, name: &str, text: &str) {
        let _ = self.out.flush();
        let _ = writeln!(self.err, "{name}: {text}");
        let _ = self.err.flush();
    }

    /// Sends buffered output on.
    pub fn flush(&mut self) {
        let _ = self.out.flush();
        let _ = self.err.flush();
    }
}

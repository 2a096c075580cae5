//! SIGINT and SIGTERM: the first stops the listing between pages, so the output ends on a whole
//! record and the run can say where to resume; a second ends the process at once.

use std::io;

/// Which signal stopped the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    /// `kill`, or a supervisor stopping the job.
    Terminate,
}

impl Signal {
    /// 128 + the signal number, as a shell reports a process killed by it.
    pub fn exit_status(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// The installed handlers. From [`Interrupts::install`] on, the signals no longer kill the
/// process: [`Interrupts::recv`] reports them.
pub struct Interrupts {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Installs the handlers; needs a Tokio runtime with signals enabled.
    pub fn install() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Waits for the next signal.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.terminate.recv() => Signal::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }

    /// After the first signal: the next one ends the process at once, whatever it is doing.
    pub fn exit_on_next(mut self) {
        tokio::spawn(async move {
            let signal = self.recv().await;
            std::process::exit(i32::from(signal.exit_status()));
        });
    }
}

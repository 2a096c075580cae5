//! SIGINT and SIGTERM: the first stops the listing between pages, so the output ends on a whole
//! record and the run can say where to resume; a second ends the process at once.

use std::io;
use std::process::ExitCode;

use crate::report::exit;

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
/// process: [`Interrupts::recv`] reports the first, and a task on the runtime's workers ends the
/// process at the second, even while the listing's own thread is stuck writing to a stdout
/// nobody reads.
pub struct Interrupts {
    first: tokio::sync::watch::Receiver<Option<Signal>>,
}

impl Interrupts {
    /// Installs the handlers; needs a Tokio runtime with signals enabled.
    pub fn install() -> io::Result<Self> {
        let mut signals = Signals::install()?;
        let (report, first) = tokio::sync::watch::channel(None);
        tokio::spawn(async move {
            let signal = signals.recv().await;
            let _ = report.send(Some(signal));
            let second = signals.recv().await;
            std::process::exit(i32::from(second.exit_status()));
        });
        Ok(Self { first })
    }

    /// The first signal, if one came already.
    pub fn received(&self) -> Option<Signal> {
        *self.first.borrow()
    }

    /// Waits for the first signal.
    pub async fn recv(&mut self) -> Signal {
        match self.first.wait_for(Option::is_some).await {
            Ok(signal) => signal.unwrap_or(Signal::Interrupt),
            // The watching task is gone (the runtime is shutting down): no signal will come.
            Err(_) => std::future::pending().await,
        }
    }
}

/// Installs the handlers, or says why it could not: the exit status then.
pub fn install_or_report() -> Result<Interrupts, ExitCode> {
    Interrupts::install().map_err(|err| {
        eprintln!("error: could not install the SIGINT/SIGTERM handlers: {err}");
        ExitCode::from(exit::OTHER)
    })
}

/// Runs a command's request until it ends or a first SIGINT/SIGTERM comes (then it is
/// dropped), and either way waits for an OAuth refresh it had sent to complete and be stored
/// (`Client::close`). On a signal, says that nothing was written and gives the exit status.
pub async fn unless_interrupted<T>(
    client: &gong_users::Client,
    operation: impl std::future::Future<Output = T>,
) -> Result<T, ExitCode> {
    let mut interrupts = install_or_report()?;
    let outcome = tokio::select! {
        biased;
        signal = interrupts.recv() => Err(signal),
        done = operation => Ok(done),
    };
    client.close().await;
    outcome.map_err(|signal| {
        eprintln!("interrupted by {}: nothing was written", signal.name());
        ExitCode::from(signal.exit_status())
    })
}

/// The operating system's signals, as a stream.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> io::Result<Self> {
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

    async fn recv(&mut self) -> Signal {
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
}

//! Ctrl-C, SIGTERM (CI cancellation, Kubernetes) and SIGHUP (ctrlc's `termination`
//! feature) while a command runs: they cancel it, and the partial report and JUnit are
//! written, exit 3.
//!
//! The process has one handler (ctrlc installs it once), and a process may run many
//! commands (`cli::run_with` in a user's binary, or in a test crate). So the handler
//! routes each signal to the commands running when it arrives, through the cancel
//! flags they register for as long as they run; with none running, the signal ends
//! the process as it would without the handler (exit 130). A flag registered by a
//! command that has returned is never set again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};

/// The cancel flags of the commands running now.
static RUNNING: Mutex<Vec<Arc<AtomicBool>>> = Mutex::new(Vec::new());

/// While it lives, a signal sets its command's cancel flag.
pub(super) struct Cancelling {
    flag: Arc<AtomicBool>,
}

/// Registers `flag` to be set by a signal until the returned guard is dropped (at the
/// end of the command); installs the process's handler the first time.
pub(super) fn cancel_on_signal(flag: &Arc<AtomicBool>) -> Cancelling {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error here (another handler already installed by the embedding program)
        // leaves signals to that handler: the command runs to its end or its limits.
        let _ = ctrlc::set_handler(on_signal);
    });
    running().push(Arc::clone(flag));
    Cancelling {
        flag: Arc::clone(flag),
    }
}

impl Drop for Cancelling {
    fn drop(&mut self) {
        let mut running = running();
        if let Some(at) = running.iter().position(|f| Arc::ptr_eq(f, &self.flag)) {
            running.swap_remove(at);
        }
    }
}

/// The flags, whether or not a thread panicked while holding them (a `Vec` of flags
/// is whole after any panic).
fn running() -> std::sync::MutexGuard<'static, Vec<Arc<AtomicBool>>> {
    RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// ctrlc calls this on its own thread, not in the signal's context.
fn on_signal() {
    let running = running();
    if running.is_empty() {
        // No command to cancel: what the signal would have done.
        std::process::exit(130);
    }
    for flag in running.iter() {
        flag.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;
    use std::time::{Duration, Instant};

    /// In a child process (this test binary again, `SIGNALS_CHILD` set): sends SIGINT
    /// to itself with `kill`, with a command's flag registered or (`idle`) after its
    /// guard is dropped; exits 0 once the flag is set, 1 if it is not within 10 s.
    fn signalled_child(idle: bool) {
        let flag = Arc::new(AtomicBool::new(false));
        let guard = cancel_on_signal(&flag);
        if idle {
            drop(guard);
        }
        let pid = std::process::id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill runs");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if flag.load(Ordering::Relaxed) {
                std::process::exit(0);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        std::process::exit(1);
    }

    /// Runs `signalled_child(idle)` in a child process; its exit code.
    fn child_exit_code(idle: bool) -> Option<i32> {
        let test =
            "cli::signals::tests::a_signal_cancels_the_commands_running_and_ends_an_idle_process";
        let output = Command::new(std::env::current_exe().expect("the test binary"))
            .args([test, "--exact", "--nocapture", "--test-threads", "1"])
            .env("SIGNALS_CHILD", if idle { "idle" } else { "running" })
            .output()
            .expect("the child runs");
        output.status.code()
    }

    #[cfg(unix)]
    #[test]
    fn a_signal_cancels_the_commands_running_and_ends_an_idle_process() {
        match std::env::var("SIGNALS_CHILD").as_deref() {
            Ok("idle") => signalled_child(true),
            Ok(_) => signalled_child(false),
            Err(_) => {
                // A command running: its flag is set, the process goes on (exit 0).
                assert_eq!(child_exit_code(false), Some(0));
                // None running: the signal ends the process, exit 130.
                assert_eq!(child_exit_code(true), Some(130));
            }
        }
    }

    #[test]
    fn a_flag_is_registered_while_its_guard_lives() {
        let flag = Arc::new(AtomicBool::new(false));
        let registered = |flag: &Arc<AtomicBool>| running().iter().any(|f| Arc::ptr_eq(f, flag));
        {
            let _cancelling = cancel_on_signal(&flag);
            assert!(registered(&flag));
            let other = Arc::new(AtomicBool::new(false));
            let second = cancel_on_signal(&other);
            assert!(registered(&flag) && registered(&other));
            drop(second);
            assert!(registered(&flag) && !registered(&other));
        }
        assert!(!registered(&flag));
    }
}

//! The `archie` binary: parses the command line and hands off to the library. Errors
//! become one `error: …` line (exit 2); a panic, which is always a bug, becomes one line
//! asking for a report (exit 101) instead of a backtrace, and a closed pipe
//! (`archie export | head`) ends the run quietly. Both lines are written to stderr without
//! `eprintln!`, which panics when stderr cannot be written (a full disk): a panic inside the
//! panic hook would abort the process.

use archie::cli::Cli;
use std::io::Write as _;

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

fn is_broken_pipe(msg: &str) -> bool {
    msg.contains("Broken pipe") || msg.contains("os error 32")
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let msg = panic_message(info.payload());
        // A guarded index read that panics is a damaged file, logged as such by search.
        if is_broken_pipe(&msg) || archie::search::damage::in_guarded_read() {
            return;
        }
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error{at}: {msg} (this is a bug in archie; please report it with \
             the command you ran)"
        );
    }));
    // A missing .env is normal; the settings may come from the environment.
    let _ = dotenvy::dotenv();
    // Before any thread starts (it writes the environment).
    match archie::config::encoder_threads() {
        Ok(n) => archie::search::semantic::settle_thread_count(n),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            std::process::exit(2);
        }
    }
    let cli = Cli::parse_checked();
    archie::cli::init_tracing(&cli);
    match std::panic::catch_unwind(|| archie::cli::run(cli)) {
        Ok(Ok(code)) => std::process::exit(code),
        Ok(Err(e)) => {
            if e.chain().any(|c| c.to_string().contains("Broken pipe")) {
                std::process::exit(0);
            }
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            std::process::exit(2);
        }
        Err(payload) if is_broken_pipe(&panic_message(payload.as_ref())) => std::process::exit(0),
        Err(_) => std::process::exit(101),
    }
}

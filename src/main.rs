//! The `archie` binary: parses the command line and hands off to the library.

use archie::cli::Cli;
use clap::Parser;

fn main() {
    // A missing .env is normal; the settings may come from the environment.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    archie::cli::init_tracing(&cli);
    match archie::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}

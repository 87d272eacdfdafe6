//! The `archie` binary: parses the command line and hands off to the library.

use archie::cli::Cli;
use clap::Parser;

fn main() {
    let cli = Cli::parse();
    match archie::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}

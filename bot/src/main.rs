//! The `anxin` binary: parses the command line, sets up logging, and runs the command from the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    bot::telemetry::init_logging();
    let cli = bot::cli::Cli::parse();
    match bot::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

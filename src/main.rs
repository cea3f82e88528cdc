//! The `synccheck` binary. The only place that exits the process.

use clap::Parser;

fn main() {
    let cli = synccheck::cli::Cli::parse();
    let code = synccheck::cli::run(cli);
    std::process::exit(code);
}

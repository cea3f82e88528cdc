//! The command line: argument parsing, progress display, output, exit codes.
//! Only `main` exits the process; everything here returns an exit code.

mod args;
mod commands;
mod github;
pub mod junit;

pub use args::Cli;
pub use commands::run;

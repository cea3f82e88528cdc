//! The command line: argument parsing, progress display, output, exit codes.
//! Only `main` exits the process; everything here returns an exit code (but for a
//! signal that arrives while no command runs: `signals` ends the process then, as the
//! signal would have without a handler).

/// `eprintln!` that never panics: stderr may be a closed pipe, and a message lost
/// there is no reason to stop (or to change the exit code). Silent under `--quiet`
/// (results on stdout and errors on stderr, nothing else): not for errors.
macro_rules! note {
    ($($arg:tt)*) => {{
        if $crate::cli::style::verbosity() >= $crate::cli::style::Verbosity::Normal {
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("{}\n", format_args!($($arg)*)),
            );
        }
    }};
}

/// `eprint!` that never panics (see `note!`).
macro_rules! note_raw {
    ($($arg:tt)*) => {{
        let _ = std::io::Write::write_fmt(&mut std::io::stderr(), format_args!($($arg)*));
    }};
}

mod args;
mod bounds;
mod commands;
mod github;
pub mod junit;
mod signals;
mod style;

pub use args::Cli;
#[cfg(not(test))] // as `catalog::registry`
pub use commands::run;
pub use commands::run_with;

use crate::registry::Registry;
use clap::FromArgMatches;

/// The whole `synccheck` command line over `registry`'s models, as a user's own
/// binary's `main`: parses the process arguments, runs the command, exits with its
/// code (0 met/holds, 1 violated, 2 bad input, 3 incomplete).
///
/// ```no_run
/// // src/main.rs of a crate with its own protocols:
/// // fn main() { synccheck::cli::main_with(synccheck::registry![MyProtocol]) }
/// synccheck::cli::main_with(synccheck::catalog::registry());
/// ```
pub fn main_with(registry: Registry) -> ! {
    // The default hook still prints each panic; this one also keeps where it was
    // raised, for the error that ends the check it happened in.
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let (Some(message), Some(location)) = (
            crate::registry::panic_message(info.payload()),
            info.location(),
        ) {
            crate::registry::note_panic(message, location.to_string());
        }
        print(info);
    }));
    let cli = Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|error| error.exit());
    let code = run_with(cli, &registry);
    std::process::exit(code)
}

/// The command line's definition, named as this process was run: a user's own binary
/// is named in its usage, help, completions and man page, and its `--version` says
/// which synccheck it runs (`lease_check (synccheck 0.1.0)`).
pub(crate) fn command() -> clap::Command {
    use clap::CommandFactory;
    let command = Cli::command();
    let program = program_name();
    if program == "synccheck" {
        return command;
    }
    in_own_words(command, &program)
        .name(program.clone())
        .bin_name(program)
        .version(format!("(synccheck {})", env!("CARGO_PKG_VERSION")))
}

/// `command`'s help as a user's own binary, `program`, says it: the commands it names
/// run in `program` (`see `lease_check list``), and `--all` runs the plans its
/// registry holds, not the catalog's.
fn in_own_words(command: clap::Command, program: &str) -> clap::Command {
    let words = |text: &clap::builder::StyledStr| -> String {
        text.to_string()
            .replace("`synccheck ", &format!("`{program} "))
            .replace("completions/synccheck`", &format!("completions/{program}`"))
            .replace("> synccheck.1`", &format!("> {program}.1`"))
            .replace(
                "the catalog's own plans (every model, buggy and fixed variants)",
                "the plans this binary registers (`Registry::plan`)",
            )
            .replace(
                "or the whole catalog",
                "or every plan this binary registers",
            )
    };
    let command = command.mut_args(|arg| {
        let (help, long_help) = (arg.get_help().map(words), arg.get_long_help().map(words));
        let arg = match help {
            Some(help) => arg.help(help),
            None => arg,
        };
        match long_help {
            Some(long_help) => arg.long_help(long_help),
            None => arg,
        }
    });
    let (about, long_about) = (
        command.get_about().map(words),
        command.get_long_about().map(words),
    );
    let command = match about {
        Some(about) => command.about(about),
        None => command,
    };
    let command = match long_about {
        Some(long_about) => command.long_about(long_about),
        None => command,
    };
    command.mut_subcommands(|sub| in_own_words(sub, program))
}

/// The name this process was run as: `synccheck`, or a user's own binary built on
/// [`main_with`]. The replay and rerun commands it prints start with it, so they run
/// in the binary that registers the model (another one answers "unknown model").
pub(crate) fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|argument| {
            let stem = std::path::Path::new(&argument)
                .file_stem()?
                .to_str()?
                .to_string();
            Some(stem)
        })
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| "synccheck".to_string())
}

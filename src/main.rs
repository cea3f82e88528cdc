//! The `synccheck` binary: the command line over synccheck's own catalog.

fn main() {
    synccheck::cli::main_with(synccheck::catalog::registry())
}

//! The `synccheck` binary: the command line over synccheck's own catalog.

/// The binary's allocator. A search allocates and frees a state per generated
/// successor, from every worker thread; mimalloc's thread-local free lists keep that
/// off glibc malloc's shared arenas (BENCHMARKS.md, "Allocator"). The library sets
/// no allocator: a user's own binary chooses its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    synccheck::cli::main_with(synccheck::catalog::registry())
}

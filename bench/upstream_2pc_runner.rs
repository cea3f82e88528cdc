// Appended by bench/run.sh to stateright 0.31's own `examples/2pc.rs` (read from the
// cargo registry, never copied into this repository; its `fn main` and the reporter
// import it needs are cut off first). Runs that model, unchanged, through synccheck's
// runner: the "bring your own stateright model" path.
//
// Usage: upstream_2pc RMS THREADS bfs|dfs. Prints `unique_states=N`.

fn main() {
    let mut args = std::env::args().skip(1);
    let rms: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let strategy = match args.next().as_deref() {
        Some("dfs") => synccheck::check::Strategy::Dfs,
        _ => synccheck::check::Strategy::Bfs,
    };
    let options = synccheck::check::CheckOptions {
        strategy,
        threads,
        // stateright's example has no deadlock notion; its final states are quiet.
        check_deadlock: false,
        ..synccheck::check::CheckOptions::default()
    };
    let outcome = synccheck::check::run(&TwoPhaseSys { rms: 0..rms }, &options);
    for property in &outcome.properties {
        println!("{} {}", property.name, property.verdict.name());
    }
    println!(
        "unique_states={} rms={rms} threads={threads} strategy={}",
        outcome.stats.unique_states,
        strategy.name()
    );
}

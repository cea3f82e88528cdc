//! # stateright's examples, written for synccheck (benchmark only)
//!
//! The protocols of stateright 0.31's own examples, ported to synccheck's timed
//! `Protocol` so `bench/peers.sh` can run both checkers on the same protocol
//! (BENCHMARKS.md, "synccheck vs stateright's checker (issue 15)"). Registered with
//! no plan: they are not part of the catalog or of `check --all`.
//!
//! ```sh
//! cargo run --release --example peers -- check peer_abd --relax bounded_delay --threads 1
//! cargo run --release --example peers -- check peer_paxos --relax bounded_delay --threads 1
//! ```

mod abd;
mod paxos;

fn main() {
    let registry = synccheck::registry![abd::PeerAbd, paxos::PeerPaxos];
    synccheck::cli::main_with(registry)
}

//! How long `eventually` takes on large graphs of ¬P states, and that it finishes at
//! all: the benchmark behind BENCHMARKS.md, "Liveness without recursion".
//!
//! `cargo run --release --example liveness_scale`
//!
//! Three shapes of a million states each: a grid walked right and down to the corner
//! (no cycle: `holds`), a torus (one strongly connected component of every state,
//! unfair because the way out is enabled everywhere and never taken: `holds`), and a
//! chain that counts up and then loops (`violated`, the loop at the far end). A
//! recursive SCC search recurses once per state along the longest path, which
//! overflows the stack on the last two.

use stateright::Model;
use std::time::Instant;
use synccheck::liveness::{check_eventually, Fairness, LivenessResult};

/// States are grid positions; `EXIT` leaves for the state where the property holds.
#[derive(Clone, Copy)]
enum Shape {
    Grid,
    Torus,
    Chain,
}

struct Walk {
    shape: Shape,
    side: u32,
}

const EXIT: u8 = 2;
const OUT: (u32, u32) = (u32::MAX, u32::MAX);

impl Model for Walk {
    type State = (u32, u32);
    type Action = u8;
    fn init_states(&self) -> Vec<(u32, u32)> {
        vec![(0, 0)]
    }
    fn actions(&self, state: &(u32, u32), actions: &mut Vec<u8>) {
        let last = self.side - 1;
        match self.shape {
            Shape::Torus => actions.extend([0, 1, EXIT]),
            Shape::Grid => {
                actions.extend((state.0 < last).then_some(0));
                actions.extend((state.1 < last).then_some(1));
                actions.extend((*state == (last, last)).then_some(EXIT));
            }
            // Row by row to the last position, which steps to itself.
            Shape::Chain => actions.push(0),
        }
    }
    fn next_state(&self, state: &(u32, u32), action: u8) -> Option<(u32, u32)> {
        let (x, y) = *state;
        let last = self.side - 1;
        Some(match (self.shape, action) {
            (_, EXIT) => OUT,
            (Shape::Chain, _) if (x, y) == (last, last) => (x, y),
            (Shape::Chain, _) if x == last => (0, y + 1),
            (Shape::Torus, 0) => ((x + 1) % self.side, y),
            (Shape::Torus, _) => (x, (y + 1) % self.side),
            (_, 0) => (x + 1, y),
            (_, _) => (x, y + 1),
        })
    }
}

impl Fairness for Walk {
    fn fair_class(&self, action: &u8) -> Option<u64> {
        (*action == EXIT).then_some(u64::from(EXIT))
    }
}

fn main() {
    let out = |_: &Walk, state: &(u32, u32)| *state == OUT;
    for (name, shape) in [
        ("grid, no cycle", Shape::Grid),
        ("torus, one unfair SCC", Shape::Torus),
        ("chain ending in a loop", Shape::Chain),
    ] {
        let model = Walk { shape, side: 1_000 };
        let started = Instant::now();
        let verdict = match check_eventually(&model, out, 2_000_000) {
            LivenessResult::Holds => "holds".to_string(),
            LivenessResult::Violated(lasso) => format!("violated ({} steps)", lasso.path.len()),
            LivenessResult::Unknown(reason) => format!("unknown ({})", reason.describe()),
        };
        println!(
            "{name}: {verdict}, {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
}

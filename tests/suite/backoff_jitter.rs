//! Verdicts of `backoff_jitter` (docs/CATALOG.md T5): without jitter the clients collide on
//! every retry (`all_succeed` unreached); full jitter makes success reachable but not
//! certain (a lasso where every retry collides); a fair queue makes it certain.
//! Unique-state counts pinned and equal for 1 and 2 threads.

use synccheck::check::Verdict;
use synccheck::models::retry::backoff_jitter::{
    success_fraction, BackoffJitter, Jitter, Node, Server,
};
use synccheck::system::{Action, Assumption, Node as _};
use synccheck::testing::{assert_pinned, system, Pin};

fn protocol(jitter: Jitter, server: Server) -> BackoffJitter {
    BackoffJitter {
        jitter,
        server,
        max_retries: 3,
        base_backoff_ticks: 1,
    }
}

#[test]
fn without_jitter_clients_that_failed_together_collide_on_every_retry() {
    let system = system(protocol(Jitter::None, Server::Contended), &[]);
    let outcome = assert_pinned(
        &system,
        "jitter=none",
        63,
        &[
            Pin::verdict("all_succeed", Verdict::Unreached),
            Pin::lasso("eventually_all_succeed", 38, 38),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
    let lasso = outcome
        .property("eventually_all_succeed")
        .and_then(|p| p.path.as_ref())
        .expect("a lasso");
    // Four slots (the first attempt and three retries), each ending in two `Fail`s.
    let fails = lasso
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Fire { node, .. } if *node == Node::Server.index()))
        .count();
    assert_eq!(fails, 4, "every slot collides");
    assert_eq!(
        lasso.actions.last(),
        Some(&Action::Tick),
        "the loop is time passing"
    );
}

#[test]
fn full_jitter_makes_success_reachable_but_not_certain() {
    let system = system(protocol(Jitter::Full, Server::Contended), &[]);
    assert_pinned(
        &system,
        "jitter=full",
        190,
        &[
            Pin::verdict("all_succeed", Verdict::Reached),
            Pin::lasso("eventually_all_succeed", 31, 31),
            Pin::verdict("deadlock_free", Verdict::Holds),
        ],
    );
}

#[test]
fn a_fair_queue_makes_success_certain_with_or_without_jitter() {
    for jitter in [Jitter::None, Jitter::Full] {
        let system = system(protocol(jitter, Server::FairQueue), &[]);
        assert_pinned(
            &system,
            "server=fair_queue",
            16,
            &[
                Pin::verdict("all_succeed", Verdict::Reached),
                Pin::verdict("eventually_all_succeed", Verdict::Holds),
                Pin::verdict("deadlock_free", Verdict::Holds),
            ],
        );
    }
}

#[test]
fn timing_noise_is_jitter_too_network_delay_desynchronizes_plain_backoff() {
    let system = system(
        protocol(Jitter::None, Server::Contended),
        &[Assumption::BoundedDelay],
    );
    assert_pinned(
        &system,
        "jitter=none, bounded_delay relaxed",
        295,
        &[
            Pin::verdict("all_succeed", Verdict::Reached),
            Pin::lasso("eventually_all_succeed", 38, 38),
        ],
    );
}

#[test]
fn the_share_of_delay_choices_that_succeed_is_between_the_two_readings_of_a_race() {
    // Windows of 1, 2 and 4 ticks: collisions are d = 0 only (optimistic) or d <= 1.
    assert_eq!(success_fraction(3, 1, 0), (29, 30));
    assert_eq!(success_fraction(3, 1, 1), (134, 225));
    // More retries only help.
    let (good, total) = success_fraction(4, 1, 1);
    assert!(good * 225 > 134 * total);
}

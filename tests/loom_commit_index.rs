//! Loom checks of the commit index (R5, `src/sync/commit_index.rs`).
//!
//! Invariants: the commit index is monotonic (no thread sees it move back, and it
//! ends at the largest advance), and it never exceeds the durable log length (a
//! reader loading the commit index, then the durable length, never finds the first
//! larger).

mod loom_support;

use loom_support::sync::commit_index::{CommitIndex, CommitIndexVariant};
use loom_support::sync::shim::{thread, Arc};

fn two_concurrent_advances(variant: CommitIndexVariant) {
    loom_support::check(move || {
        let index = Arc::new(CommitIndex::new(2, variant));
        let advancers: Vec<_> = [1, 2]
            .into_iter()
            .map(|candidate| {
                let index = Arc::clone(&index);
                thread::spawn(move || {
                    let advanced = index.advance(candidate);
                    let seen_later = index.commit_index();
                    assert!(
                        seen_later >= advanced,
                        "commit index went backwards: {advanced} then {seen_later}"
                    );
                })
            })
            .collect();
        for advancer in advancers {
            advancer.join().unwrap();
        }
        let final_index = index.commit_index();
        assert_eq!(
            final_index, 2,
            "commit index went backwards: it ended at {final_index}"
        );
    });
}

fn append_and_commit_while_a_reader_reads(variant: CommitIndexVariant) {
    loom_support::check(move || {
        let index = Arc::new(CommitIndex::new(0, variant));
        let leader = {
            let index = Arc::clone(&index);
            thread::spawn(move || index.append_and_commit(1))
        };
        let reader = {
            let index = Arc::clone(&index);
            thread::spawn(move || {
                let commit_index = index.commit_index();
                let durable_length = index.durable_length();
                assert!(
                    commit_index <= durable_length,
                    "commit index beyond the durable log length: {commit_index} > {durable_length}"
                );
            })
        };
        assert_eq!(leader.join().unwrap(), 1);
        reader.join().unwrap();
    });
}

#[test]
fn correct_commit_index_is_monotonic() {
    two_concurrent_advances(CommitIndexVariant::Correct);
}

#[test]
#[should_panic(expected = "commit index went backwards")]
fn load_then_store_max_moves_the_commit_index_back() {
    two_concurrent_advances(CommitIndexVariant::LoadThenStoreMaxBroken);
}

#[test]
fn correct_commit_index_stays_within_the_durable_log() {
    append_and_commit_while_a_reader_reads(CommitIndexVariant::Correct);
}

#[test]
#[should_panic(expected = "commit index beyond the durable log length")]
fn publish_before_append_exposes_a_commit_index_beyond_the_durable_log() {
    append_and_commit_while_a_reader_reads(CommitIndexVariant::PublishBeforeAppendBroken);
}

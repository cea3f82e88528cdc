//! Unit tests of [`crate::sync::commit_index`], on `std`'s primitives.

use crate::sync::commit_index::*;

#[test]
fn advance_is_bounded_by_the_durable_log() {
    let index = CommitIndex::new(3, CommitIndexVariant::Correct);
    assert_eq!(index.advance(5), 3);
    assert_eq!(index.commit_index(), 3);
}

#[test]
fn advance_never_moves_back() {
    let index = CommitIndex::new(3, CommitIndexVariant::Correct);
    assert_eq!(index.advance(2), 2);
    assert_eq!(index.advance(1), 2);
    assert_eq!(index.commit_index(), 2);
}

#[test]
fn append_and_commit_commits_the_new_entries() {
    let index = CommitIndex::new(0, CommitIndexVariant::Correct);
    assert_eq!(index.append_and_commit(2), 2);
    assert_eq!(index.durable_length(), 2);
    assert_eq!(index.commit_index(), 2);
}

#[test]
fn broken_variants_agree_without_contention() {
    for variant in [
        CommitIndexVariant::LoadThenStoreMaxBroken,
        CommitIndexVariant::PublishBeforeAppendBroken,
    ] {
        let index = CommitIndex::new(1, variant);
        assert_eq!(index.advance(1), 1);
        assert_eq!(index.append_and_commit(2), 3);
        assert_eq!(index.advance(1), 3);
        assert_eq!(index.durable_length(), 3);
    }
}

//! The counters of the states a breadth-first search under subsumption has expanded,
//! kept compact ([`CoverRecords`]): a new state one of them covers is not expanded
//! (`bfs::Covering`).
//!
//! Every expanded state that has counters is recorded, so this grows with the search.
//! A map from each frame to a `Vec` of boxed counters cost the map's entry, the
//! `Vec`'s first allocation (room for four) and a box per state; here a state costs a
//! record of 24 bytes, its counters' bytes and, the first time its frame is seen, 16
//! bytes in the map. Records and counters live in chunks of fixed size, so growth
//! never copies them. A frame's records are a list in the order they were added, so
//! the coverer found for a state is the first recorded, as before. (Measured:
//! BENCHMARKS.md, "Subsumption's records and levels".)

use super::store::FingerprintHasher;
use super::Slack;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Records per chunk (1.5 MiB of them).
const RECORDS_PER_CHUNK: usize = 1 << 16;
/// Bytes of counters per chunk.
const BYTES_PER_CHUNK: usize = 1 << 20;
/// The end of a frame's list.
const END: u32 = u32::MAX;

/// One expanded state: its fingerprint, where its counters are, and the next state of
/// its frame.
#[derive(Clone, Copy)]
struct Record {
    fingerprint: u64,
    /// Chunk of `CoverRecords::counters` and offset in it.
    chunk: u32,
    offset: u32,
    /// The next record of the same frame, or [`END`].
    next: u32,
    len: u32,
}

/// The expanded states' counters by frame, in the order they were added.
#[derive(Default)]
pub(crate) struct CoverRecords {
    /// Per frame fingerprint: its first and last record.
    frames: HashMap<u64, (u32, u32), BuildHasherDefault<FingerprintHasher>>,
    records: Vec<Vec<Record>>,
    counters: Vec<Vec<u8>>,
    /// Records added so far.
    len: usize,
}

impl CoverRecords {
    /// Records an expanded state: its frame and counters, and its fingerprint. Past
    /// 2^32 − 1 records (or 2^32 − 1 counters in one state, or 2^32 chunks) a state is
    /// left out: it then covers no later state, which costs reduction, never a
    /// verdict.
    pub(crate) fn push(&mut self, own: &Slack, fingerprint: u64) {
        let (Ok(index), Ok(len)) = (u32::try_from(self.len), u32::try_from(own.counters.len()))
        else {
            return;
        };
        if index == END {
            return;
        }
        // A state's counters never straddle two chunks: one longer than a chunk gets
        // a chunk of its own.
        let room = |bytes: &Vec<u8>| bytes.capacity() - bytes.len() >= own.counters.len();
        if !self.counters.last().is_some_and(room) {
            let capacity = BYTES_PER_CHUNK.max(own.counters.len());
            self.counters.push(Vec::with_capacity(capacity));
        }
        let (Ok(chunk), Some(bytes)) = (
            u32::try_from(self.counters.len() - 1),
            self.counters.last_mut(),
        ) else {
            return;
        };
        let Ok(offset) = u32::try_from(bytes.len()) else {
            return;
        };
        bytes.extend_from_slice(&own.counters);
        if self
            .records
            .last()
            .is_none_or(|records| records.len() == RECORDS_PER_CHUNK)
        {
            self.records.push(Vec::with_capacity(RECORDS_PER_CHUNK));
        }
        if let Some(records) = self.records.last_mut() {
            records.push(Record {
                fingerprint,
                chunk,
                offset,
                next: END,
                len,
            });
        }
        self.len += 1;
        match self.frames.get_mut(&own.frame) {
            Some((_, last)) => {
                let previous = *last;
                *last = index;
                if let Some(record) = self.record_mut(previous) {
                    record.next = index;
                }
            }
            None => {
                self.frames.insert(own.frame, (index, index));
            }
        }
    }

    /// The fingerprint of the first recorded state that covers `own` (same frame,
    /// every counter at most `own`'s), if any.
    pub(crate) fn coverer(&self, own: &Slack) -> Option<u64> {
        let (mut at, _) = *self.frames.get(&own.frame)?;
        while let Some(record) = self.record(at) {
            if Slack::at_most(self.counters_of(record), &own.counters) {
                return Some(record.fingerprint);
            }
            at = record.next;
        }
        None
    }

    fn record(&self, index: u32) -> Option<&Record> {
        let index = usize::try_from(index).ok()?;
        self.records
            .get(index / RECORDS_PER_CHUNK)?
            .get(index % RECORDS_PER_CHUNK)
    }

    fn record_mut(&mut self, index: u32) -> Option<&mut Record> {
        let index = usize::try_from(index).ok()?;
        self.records
            .get_mut(index / RECORDS_PER_CHUNK)?
            .get_mut(index % RECORDS_PER_CHUNK)
    }

    fn counters_of(&self, record: &Record) -> &[u8] {
        let start = record.offset as usize;
        (self.counters.get(record.chunk as usize))
            .and_then(|bytes| bytes.get(start..start + record.len as usize))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(frame: u64, counters: &[u8]) -> Slack {
        Slack {
            frame,
            counters: counters.to_vec(),
        }
    }

    #[test]
    fn the_first_recorded_state_that_covers_is_found_within_its_frame() {
        let mut expanded = CoverRecords::default();
        expanded.push(&slack(7, &[2, 3]), 100);
        expanded.push(&slack(8, &[0, 0]), 200);
        expanded.push(&slack(7, &[1, 1]), 300);
        expanded.push(&slack(7, &[0, 0]), 400);
        assert_eq!(expanded.coverer(&slack(7, &[2, 3])), Some(100));
        assert_eq!(expanded.coverer(&slack(7, &[1, 5])), Some(300));
        assert_eq!(expanded.coverer(&slack(7, &[0, 9])), Some(400));
        assert_eq!(expanded.coverer(&slack(8, &[0, 0])), Some(200));
        assert_eq!(expanded.coverer(&slack(9, &[5, 5])), None);
        // Counters of another length never cover.
        assert_eq!(expanded.coverer(&slack(7, &[9, 9, 9])), None);
    }

    /// Records and counters on both sides of their chunks' boundaries: 65 539 states of
    /// 20 counters each fill the first 1 MiB of counters at 52 428 states and the first
    /// chunk of records at 65 536. Each state checked here has a frame of its own, so
    /// its own record and counters are read back; frame 1 has a record that does not
    /// cover before the boundary and the one that does after it, so the list is
    /// followed across.
    #[test]
    fn records_and_counters_span_chunks() {
        let mut expanded = CoverRecords::default();
        let states = RECORDS_PER_CHUNK + 3;
        let per_chunk = BYTES_PER_CHUNK / 20;
        let checked = [
            0,
            per_chunk - 1,
            per_chunk,
            RECORDS_PER_CHUNK - 1,
            RECORDS_PER_CHUNK,
            states - 1,
        ];
        let counters = |state: usize| [(state % 251) as u8; 20];
        let frame = |state: usize| {
            if checked.contains(&state) {
                1_000 + state as u64
            } else if state == 200 || state == RECORDS_PER_CHUNK + 1 {
                1
            } else {
                2
            }
        };
        for state in 0..states {
            expanded.push(&slack(frame(state), &counters(state)), state as u64);
        }
        assert_eq!(expanded.records.len(), 2);
        assert_eq!(
            expanded.counters.len(),
            2,
            "a new chunk of counters only when one is full"
        );
        for state in checked {
            let found = expanded.coverer(&slack(frame(state), &counters(state)));
            assert_eq!(found, Some(state as u64), "state {state}");
            let below = [counters(state)[0].wrapping_sub(1); 20];
            if counters(state)[0] > 0 {
                assert_eq!(
                    expanded.coverer(&slack(frame(state), &below)),
                    None,
                    "state {state}"
                );
            }
        }
        // Frame 1: state 200 (counters 200) does not cover state 65 537's counters (26);
        // state 65 537, past the boundary, does.
        let last = RECORDS_PER_CHUNK + 1;
        let between = counters(last);
        assert!(counters(200)[0] > between[0], "the test's premise");
        assert_eq!(expanded.coverer(&slack(1, &between)), Some(last as u64));
    }

    /// A state's counters longer than a chunk get a chunk of their own, and the
    /// states after it are recorded as before.
    #[test]
    fn counters_longer_than_a_chunk_get_their_own() {
        let mut expanded = CoverRecords::default();
        let long = vec![3; BYTES_PER_CHUNK + 5];
        expanded.push(&slack(1, &[1, 2]), 10);
        expanded.push(&slack(2, &long), 20);
        expanded.push(&slack(3, &[4]), 30);
        assert_eq!(expanded.counters.len(), 3);
        assert_eq!(expanded.coverer(&slack(2, &long)), Some(20));
        assert_eq!(expanded.coverer(&slack(1, &[1, 2])), Some(10));
        assert_eq!(expanded.coverer(&slack(3, &[4])), Some(30));
    }
}

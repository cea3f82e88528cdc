/*
 * TwoPhase (Gray & Lamport, "Consensus on Transaction Commit"; TLA+ module
 * TwoPhase.tla in tlaplus/Examples) in Promela, for SPIN, one TLA+ action per
 * transition: every action is one d_step whose guard is the spec's enabling
 * condition, in one process whose only control location is the loop head, so
 * SPIN's states are exactly the spec's variable valuations. Stuttering steps
 * (TmRcvPrepared of a recorded RM, RmRcv*Msg of an RM already there) are
 * transitions back to the same state and store nothing, as in TLC.
 *
 * Variables (the spec's four):
 *   rmState[rm]   WORKING / PREPARED / COMMITTED / ABORTED
 *   tmState       INIT / COMMITTED / ABORTED
 *   tmPrepared[rm]
 *   msgs          prepMsg[rm] (Prepared from rm), commitMsg, abortMsg
 *
 * Property: TCConsistent (no RM committed while another is aborted), checked
 * as an assertion after every step that can commit or abort an RM.
 *
 * N, the number of RMs (1..10), is set with spin -DN=6 (default 3).
 * Stored states with pan -m... (SAFETY, NOREDUCE not needed: one process)
 * equal TLC's distinct states: 288, 1568, 8832, 50816, 296448, 1745408 for
 * N = 3..8. See BENCHMARKS.md for the exact commands.
 */

#ifndef N
#define N 3
#endif

#define WORKING   0
#define PREPARED  1
#define COMMITTED 2
#define ABORTED   3
#define INIT      0

byte rmState[N];
byte tmState;
bit tmPrepared[N];
bit prepMsg[N];
bit commitMsg;
bit abortMsg;

/* tmPrepared = RM */
#if N == 1
#define ALL_PREPARED (tmPrepared[0])
#elif N == 2
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1])
#elif N == 3
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2])
#elif N == 4
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3])
#elif N == 5
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4])
#elif N == 6
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5])
#elif N == 7
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5] && tmPrepared[6])
#elif N == 8
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5] && tmPrepared[6] && tmPrepared[7])
#elif N == 9
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5] && tmPrepared[6] && tmPrepared[7] && tmPrepared[8])
#elif N == 10
#define ALL_PREPARED (tmPrepared[0] && tmPrepared[1] && tmPrepared[2] && tmPrepared[3] && tmPrepared[4] && tmPrepared[5] && tmPrepared[6] && tmPrepared[7] && tmPrepared[8] && tmPrepared[9])
#endif

/* TCConsistent */
#if N == 1
#define CONSISTENT (!((rmState[0] == COMMITTED) && (rmState[0] == ABORTED)))
#elif N == 2
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED)))
#elif N == 3
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED)))
#elif N == 4
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED)))
#elif N == 5
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED || rmState[4] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED || rmState[4] == ABORTED)))
#elif N == 6
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED || rmState[4] == COMMITTED || rmState[5] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED || rmState[4] == ABORTED || rmState[5] == ABORTED)))
#elif N == 7
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED || rmState[4] == COMMITTED || rmState[5] == COMMITTED || rmState[6] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED || rmState[4] == ABORTED || rmState[5] == ABORTED || rmState[6] == ABORTED)))
#elif N == 8
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED || rmState[4] == COMMITTED || rmState[5] == COMMITTED || rmState[6] == COMMITTED || rmState[7] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED || rmState[4] == ABORTED || rmState[5] == ABORTED || rmState[6] == ABORTED || rmState[7] == ABORTED)))
#elif N == 9
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED || rmState[4] == COMMITTED || rmState[5] == COMMITTED || rmState[6] == COMMITTED || rmState[7] == COMMITTED || rmState[8] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED || rmState[4] == ABORTED || rmState[5] == ABORTED || rmState[6] == ABORTED || rmState[7] == ABORTED || rmState[8] == ABORTED)))
#elif N == 10
#define CONSISTENT (!((rmState[0] == COMMITTED || rmState[1] == COMMITTED || rmState[2] == COMMITTED || rmState[3] == COMMITTED || rmState[4] == COMMITTED || rmState[5] == COMMITTED || rmState[6] == COMMITTED || rmState[7] == COMMITTED || rmState[8] == COMMITTED || rmState[9] == COMMITTED) && (rmState[0] == ABORTED || rmState[1] == ABORTED || rmState[2] == ABORTED || rmState[3] == ABORTED || rmState[4] == ABORTED || rmState[5] == ABORTED || rmState[6] == ABORTED || rmState[7] == ABORTED || rmState[8] == ABORTED || rmState[9] == ABORTED)))
#endif

/* The spec's per-RM actions: TMRcvPrepared, RMPrepare, RMChooseToAbort,
 * RMRcvCommitMsg, RMRcvAbortMsg. */
#define RM_ACTIONS(r) \
  :: d_step { tmState == INIT && prepMsg[r] -> tmPrepared[r] = 1 } \
  :: d_step { rmState[r] == WORKING -> rmState[r] = PREPARED; prepMsg[r] = 1 } \
  :: d_step { rmState[r] == WORKING -> rmState[r] = ABORTED; assert(CONSISTENT) } \
  :: d_step { commitMsg -> rmState[r] = COMMITTED; assert(CONSISTENT) } \
  :: d_step { abortMsg -> rmState[r] = ABORTED; assert(CONSISTENT) }

active proctype TwoPhase()
{
end:
  do
  :: d_step { tmState == INIT && ALL_PREPARED -> tmState = COMMITTED; commitMsg = 1 }
  :: d_step { tmState == INIT -> tmState = ABORTED; abortMsg = 1 }
  RM_ACTIONS(0)
#if N > 1
  RM_ACTIONS(1)
#endif
#if N > 2
  RM_ACTIONS(2)
#endif
#if N > 3
  RM_ACTIONS(3)
#endif
#if N > 4
  RM_ACTIONS(4)
#endif
#if N > 5
  RM_ACTIONS(5)
#endif
#if N > 6
  RM_ACTIONS(6)
#endif
#if N > 7
  RM_ACTIONS(7)
#endif
#if N > 8
  RM_ACTIONS(8)
#endif
#if N > 9
  RM_ACTIONS(9)
#endif
  od
}

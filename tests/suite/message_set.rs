//! The message set (`system::Lean::messages`, opted in by `Protocol::MESSAGE_SET`):
//! with duplication, delay and order relaxed the network is the set of messages sent,
//! and a delivery keeps its message. It changes only the number of stored states: on
//! every variant of every catalog model that opts in, with the network faults relaxed
//! (timing otherwise as the model holds it), the verdicts and the example and
//! counterexample lengths are those of the multiset network (`--no-lean`), and every
//! counterexample is a run of that network: it replays, and it names a duplicate only
//! where the run delivers a message again.

use synccheck::catalog;
use synccheck::check::{CheckOptions, StopReason};
use synccheck::model::ParamKind;
use synccheck::report::{CheckReport, FewestBreaks, Necessity};
use synccheck::request::{AssumptionChanges, CheckRequest};
use synccheck::system::PropertyKind;
use synccheck::trace::{self, ReplayOutcome};

/// The network faults the message set needs relaxed.
const NETWORK_FAULTS: [&str; 3] = ["no_duplication", "bounded_delay", "fifo_links"];
/// The catalog models with an `always` property that a message in flight may make true
/// (`Property::always_or_in_flight`): they opt in, and their safety search runs on the
/// set by each such property's network-free part, taken where it decides as it would
/// for a check with an `eventually` property. (`concurrent_failover`'s `eventually`
/// property reads the network, which is allowed.)
const IN_FLIGHT_PROPERTIES: [&str; 1] = ["at_least_once_queue"];
/// A run of the set maps to one of the multiset of the same length, and a shortest
/// counterexample of the multiset to one of the set, so the two agree on what they find
/// within any depth bound: most multiset spaces are too large to finish here
/// (`primary_backup sync`, network faults relaxed: 901 states in the message set,
/// 1 085 894 without). Each configuration: everything relaxed or the network faults
/// only, and its depth bound.
const CONFIGURATIONS: [(bool, usize); 2] = [(false, 10), (true, 7)];
const STATES_MAX: usize = 200_000;

fn run(request: &CheckRequest, depth: usize, no_lean: bool) -> CheckReport {
    let options = CheckOptions {
        max_states: Some(STATES_MAX),
        max_depth: Some(depth),
        no_lean,
        ..CheckOptions::default()
    };
    catalog::registry()
        .run(request, &options)
        .unwrap_or_else(|error| panic!("{}: {error}", request.model))
}

/// Each timed catalog model with each value of its `variant` parameter, and whether the
/// message set is used: `Some(true)` when it has no `eventually` property and no
/// in-flight property, `None` when it has one (then only a safety search whose
/// verdicts carry over runs on the set).
fn requests(relax_all: bool) -> Vec<(String, CheckRequest, Option<bool>)> {
    let registry = catalog::registry();
    let mut requests = Vec::new();
    for entry in registry.entries() {
        let description = entry.describe().expect("describes");
        if !description.timed {
            continue;
        }
        let variants: Vec<&str> = description
            .parameters
            .iter()
            .find(|p| p.name == "variant")
            .map(|p| match p.kind {
                ParamKind::Choice(values) => values.to_vec(),
                ParamKind::Integer { .. } => vec![p.default],
            })
            .unwrap_or_else(|| vec![""]);
        for variant in variants {
            let mut request = CheckRequest {
                model: description.name.to_string(),
                changes: AssumptionChanges {
                    relax_all,
                    relax: NETWORK_FAULTS.iter().map(|s| s.to_string()).collect(),
                    ..AssumptionChanges::default()
                },
                ..CheckRequest::default()
            };
            if !variant.is_empty() {
                request
                    .params
                    .insert("variant".to_string(), variant.to_string());
            }
            let safety_only = description
                .properties
                .iter()
                .all(|p| p.kind != PropertyKind::Eventually)
                && !IN_FLIGHT_PROPERTIES.contains(&description.name);
            // Every timed catalog model opts in.
            let uses_the_set = safety_only.then_some(true);
            requests.push((
                format!("{} {variant}", description.name),
                request,
                uses_the_set,
            ));
        }
    }
    requests
}

#[test]
fn the_message_set_gives_the_multiset_networks_verdicts_and_lengths_in_fewer_states() {
    let registry = catalog::registry();
    let (mut compared, mut fewer, mut replayed, mut duplicates, mut traces) = (0, 0, 0, 0, 0);
    let mut skipped = Vec::new();
    let cases = CONFIGURATIONS.iter().flat_map(|(relax_all, depth)| {
        requests(*relax_all)
            .into_iter()
            .map(move |(name, request, uses)| {
                (
                    format!("{name} ({relax_all}, {depth})"),
                    request,
                    uses,
                    *depth,
                )
            })
    });
    for (name, request, uses_the_set, depth) in cases {
        let set = run(&request, depth, false);
        let multiset = run(&request, depth, true);
        let explored = |report: &CheckReport| {
            matches!(
                report.stop_reason,
                StopReason::Complete | StopReason::DepthLimit | StopReason::AllDecided
            )
        };
        if !explored(&set) || !explored(&multiset) {
            skipped.push(format!(
                "{name} ({:?}, {:?})",
                set.stop_reason, multiset.stop_reason
            ));
            continue;
        }
        // The report says which network was checked, and the engine agrees with the
        // list above of who opts in.
        match uses_the_set {
            Some(uses) => assert_eq!(
                set.network.as_deref(),
                uses.then_some("message set"),
                "{name}"
            ),
            None => assert!(
                set.network.is_none()
                    || set.network.as_deref() == Some(synccheck::pipeline::SAFETY_PARTLY_ON_SET)
                    || set.network.as_deref()
                        == Some(if IN_FLIGHT_PROPERTIES.contains(&request.model.as_str()) {
                            synccheck::pipeline::SAFETY_ON_SET_BY_NETWORK_FREE_PARTS
                        } else {
                            synccheck::pipeline::SAFETY_ON_SET
                        }),
                "{name}: {:?}",
                set.network
            ),
        }
        assert_eq!(multiset.network, None, "{name}");
        compared += 1;
        assert!(
            set.stats.unique_states <= multiset.stats.unique_states,
            "{name}: {} states with the message set, {} without",
            set.stats.unique_states,
            multiset.stats.unique_states
        );
        fewer += usize::from(set.stats.unique_states < multiset.stats.unique_states);
        assert_eq!(set.properties.len(), multiset.properties.len(), "{name}");
        for (s, m) in set.properties.iter().zip(&multiset.properties) {
            let what = format!("{name} `{}`", s.name);
            assert_eq!(s.name, m.name, "{what}");
            assert_eq!(s.verdict, m.verdict, "{what}: verdict");
            assert_eq!(s.example_length, m.example_length, "{what}: example");
            assert_eq!(
                s.counterexample.as_ref().map(|t| t.length),
                m.counterexample.as_ref().map(|t| t.length),
                "{what}: counterexample length"
            );
            if let (Some(s), Some(m)) = (&s.counterexample, &m.counterexample) {
                // The fewest-breaks search takes its run over from the multiset network
                // as it does without the set.
                assert_eq!(
                    (s.fewest_breaks, s.breaks.len()),
                    (m.fewest_breaks, m.breaks.len()),
                    "{what}: fewest breaks (status, number)"
                );
                traces += 1;
            }
        }
        for trace in trace::traces_of(&set) {
            // A duplicate is named only where the run delivers that message again.
            for (index, step) in trace.trace.steps.iter().enumerate() {
                if uses_the_set == Some(true) && step.action_detail["kind"] == "duplicate" {
                    duplicates += 1;
                    let envelope = &step.action_detail["envelope"];
                    let same = |other: &serde_json::Value| {
                        ["src", "dst", "msg"]
                            .iter()
                            .all(|k| other[k] == envelope[k])
                    };
                    let later = trace.trace.steps[index + 1..]
                        .iter()
                        .any(|later| same(&later.action_detail["envelope"]));
                    let msg = &envelope["msg"];
                    assert!(later, "{name}: a duplicate of {msg} never delivered again");
                }
            }
            let outcome = registry.replay_file("message_set.json", &trace);
            assert!(
                matches!(outcome, Ok(ReplayOutcome::Reproduced { .. })),
                "{name}: `{}` does not replay: {outcome:?}",
                trace.property
            );
            replayed += 1;
        }
    }
    eprintln!(
        "{compared} compared ({fewer} with fewer states), {replayed} counterexamples \
         replayed ({duplicates} duplicates named), {traces} pairs of counterexamples; \
         too large: {skipped:?}"
    );
    assert!(
        compared >= 56,
        "only {compared} compared; too large: {skipped:?}"
    );
    assert!(fewer >= 36, "only {fewer} of {compared} with fewer states");
    assert!(replayed >= 20, "only {replayed} counterexamples");
    assert!(traces >= 20, "only {traces} pairs of counterexamples");
    assert!(duplicates >= 10, "only {duplicates} duplicates named");
}

/// A check with an `eventually` property keeps the multiset network, but its safety
/// search runs on the message set when that gives the multiset's verdicts: it
/// completes, every `always` property holds or is violated by a run that lifts to the
/// multiset, every example lifts to the multiset.
/// Network faults relaxed, against `--no-lean`: `concurrent_failover compare_and_set`
/// is searched on the set (431 states, 799 364 without) with the same verdicts,
/// example length and lasso; where an `always` property is violated
/// (`concurrent_failover independent`, `two_phase_commit_timed heuristic_abort`) by a
/// run that lifts to the multiset, the set's verdicts are taken too, with the same
/// counterexample lengths; `backoff_jitter fair_queue` with everything
/// relaxed stops on the set once every property is decided (3 681 states, 15 708
/// without) and is taken too. Every trace replays.
#[test]
fn a_check_with_an_eventually_property_searches_its_safety_on_the_message_set() {
    let registry = catalog::registry();
    // Model, parameters, everything relaxed (else the network faults only), the states
    // on the set and without when the set is used (None: it is not), the lasso length.
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        bool,
        Option<(usize, usize)>,
        Option<usize>,
    );
    let cases: [Case; 4] = [
        (
            "concurrent_failover",
            &[("variant", "compare_and_set")],
            false,
            Some((431, 799_364)),
            Some(15),
        ),
        // An `always` violated on the set by a run that lifts: taken too.
        (
            "concurrent_failover",
            &[("variant", "independent")],
            false,
            Some((690, 52_517)),
            Some(15),
        ),
        (
            "two_phase_commit_timed",
            &[("variant", "heuristic_abort")],
            false,
            Some((293, 595)),
            None,
        ),
        // Stopped once every property was decided (deadlock freedom by its rule), not
        // complete: taken too.
        (
            "backoff_jitter",
            &[("jitter", "none"), ("server", "fair_queue")],
            true,
            Some((3_681, 15_708)),
            Some(3),
        ),
    ];
    for (model, params, relax_all, counts, lasso) in cases {
        let name = format!("{model} {params:?}");
        let request = CheckRequest {
            model: model.to_string(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            changes: AssumptionChanges {
                relax_all,
                relax: NETWORK_FAULTS.iter().map(|s| s.to_string()).collect(),
                ..AssumptionChanges::default()
            },
        };
        let run = |no_lean| {
            // Unguided: the counts compared are the set's and the multiset's searches.
            let options = CheckOptions {
                max_states: Some(1_000_000),
                no_lean,
                class_guide: false,
                ..CheckOptions::default()
            };
            registry
                .run(&request, &options)
                .unwrap_or_else(|error| panic!("{name}: {error}"))
        };
        let (lean, plain) = (run(false), run(true));
        assert!(lean.complete && plain.complete, "{name}: incomplete");
        assert_eq!(
            lean.network.as_deref(),
            counts.map(|_| synccheck::pipeline::SAFETY_ON_SET),
            "{name}"
        );
        assert_eq!(
            (lean.stats.unique_states, plain.stats.unique_states),
            counts.unwrap_or((plain.stats.unique_states, plain.stats.unique_states)),
            "{name}: states on the set and without"
        );
        assert_eq!(lean.properties.len(), plain.properties.len(), "{name}");
        for (l, p) in lean.properties.iter().zip(&plain.properties) {
            let what = format!("{name} `{}`", l.name);
            assert_eq!(l.verdict, p.verdict, "{what}: verdict");
            assert_eq!(l.example_length, p.example_length, "{what}: example");
            assert_eq!(
                l.counterexample.as_ref().map(|t| (t.length, t.loop_start)),
                p.counterexample.as_ref().map(|t| (t.length, t.loop_start)),
                "{what}: counterexample"
            );
        }
        let eventually = lean
            .properties
            .iter()
            .find(|p| p.kind == PropertyKind::Eventually)
            .expect("an eventually property");
        assert_eq!(
            eventually.counterexample.as_ref().map(|t| t.length),
            lasso,
            "{name}: the lasso"
        );
        for file in trace::traces_of(&lean) {
            let outcome = registry.replay_file("eventually.json", &file);
            assert!(
                matches!(outcome, Ok(ReplayOutcome::Reproduced { .. })),
                "{name}: `{}` does not replay: {outcome:?}",
                file.property
            );
        }
    }
}

/// The fewest-breaks search of a message-set check: for each set of assumptions it
/// forbids, a wider search that allows the network faults too runs on the message set
/// first, and none found there shows none without them. `quorum_register` with
/// crashes, lost writes and every network fault relaxed: its 12-step counterexample
/// breaks `max_crashes` and `durable_writes`. The search allowing duplication alone
/// (delay and order forbidden) ran on the multiset, where copies pile up: unconfirmed
/// after 1 M states and 1.5 GB. The wider search settles it, and the replay of the
/// trace, which searches again, agrees.
#[test]
fn the_fewest_breaks_search_settles_on_the_message_set_what_the_multiset_could_not() {
    let mut relax: Vec<String> = NETWORK_FAULTS.iter().map(|s| s.to_string()).collect();
    relax.extend(["reliable_links", "max_crashes", "durable_writes"].map(String::from));
    let request = CheckRequest {
        model: "quorum_register".to_string(),
        changes: AssumptionChanges {
            relax,
            ..AssumptionChanges::default()
        },
        ..CheckRequest::default()
    };
    let options = CheckOptions {
        max_states: Some(1_000_000),
        ..CheckOptions::default()
    };
    let registry = catalog::registry();
    let report = registry
        .run(&request, &options)
        .unwrap_or_else(|error| panic!("quorum_register: {error}"));
    assert_eq!(report.stop_reason, StopReason::AllDecided);
    assert_eq!(report.network.as_deref(), Some("message set"));
    let property = &report.properties[0];
    assert_eq!(property.name, "linearizable");
    let trace = property.counterexample.as_ref().expect("a counterexample");
    assert_eq!(trace.length, 12);
    let breaks: Vec<(&str, Option<Necessity>)> = trace
        .breaks
        .iter()
        .map(|b| (b.assumption.as_str(), b.necessity))
        .collect();
    assert_eq!(
        breaks,
        [
            ("max_crashes", Some(Necessity::Necessary)),
            ("durable_writes", Some(Necessity::Necessary))
        ]
    );
    assert_eq!(trace.fewest_breaks, Some(FewestBreaks::Fewest));
    let file = trace::traces_of(&report)
        .into_iter()
        .find(|t| t.property == "linearizable")
        .expect("a trace file");
    let outcome = registry.replay_file("quorum.json", &file);
    assert!(
        matches!(outcome, Ok(ReplayOutcome::Reproduced { .. })),
        "{outcome:?}"
    );
}

/// A `--no-lean` check says so in its report and its traces, and `replay` checks such a
/// trace on that system (the capped multiset, every quantity stored), where the
/// trace's claims were searched; a trace of the message set says nothing and replays
/// on the network without the cap.
#[test]
fn a_no_lean_trace_records_it_and_replays_there() {
    let request = CheckRequest {
        model: "retry_non_idempotent".to_string(),
        params: [("variant".to_string(), "plain".to_string())].into(),
        changes: AssumptionChanges {
            relax_all: true,
            hold: vec![
                "max_crashes=0".to_string(),
                "bounded_skew=0".to_string(),
                "timely_timers".to_string(),
            ],
            ..AssumptionChanges::default()
        },
    };
    let registry = catalog::registry();
    for no_lean in [false, true] {
        let options = CheckOptions {
            no_lean,
            ..CheckOptions::default()
        };
        let report = registry.run(&request, &options).expect("runs");
        assert_eq!(report.no_lean, no_lean);
        assert_eq!(report.network.is_some(), !no_lean);
        let file = trace::traces_of(&report)
            .into_iter()
            .find(|t| t.property == "at_most_once")
            .expect("a trace");
        assert_eq!(file.no_lean, no_lean);
        let json = serde_json::to_value(&file).expect("serializes");
        assert_eq!(
            json.get("no_lean").is_some(),
            no_lean,
            "written only when set"
        );
        assert_eq!(file.trace.fewest_breaks, Some(FewestBreaks::Fewest));
        let outcome = registry.replay_file("retry.json", &file);
        assert!(
            matches!(outcome, Ok(ReplayOutcome::Reproduced { .. })),
            "no_lean {no_lean}: {outcome:?}"
        );
    }
}

/// A client hands one job to a server (a message sent on start); the ghost records
/// that it was sent and that it was done. `job_done_or_on_its_way` holds where the job
/// is done or its message is in flight (`Property::always_or_in_flight`): true on every
/// run of a reliable network, false once the message is lost. Its network-free part,
/// "sent implies done", is false in the initial state. With `goals`, two properties the
/// message set decides as well: the job is done on some run, and never done unsent.
#[derive(Clone, Debug)]
struct Handoff {
    goals: bool,
}

synccheck::nodes! {
    enum HandoffNode {
        Client = "client" [stable],
        Server = "server" [stable],
    }
}

/// What the ghost records of the job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
struct Job {
    sent: bool,
    done: bool,
}

impl synccheck::system::Protocol for Handoff {
    type Node = HandoffNode;
    type State = ();
    type Durable = ();
    type Msg = u8;
    type Timer = u8;
    type Ghost = Job;
    const LEAN_STATE: bool = true;
    const MESSAGE_SET: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }

    fn on_start(&self, node: HandoffNode, ctx: &mut synccheck::system::Context<'_, Self>) {
        if node == HandoffNode::Client {
            ctx.send(HandoffNode::Server, 1);
            ctx.ghost_mut().sent = true;
        }
    }

    fn on_message(
        &self,
        _: HandoffNode,
        _: &mut (),
        _: HandoffNode,
        _: &u8,
        ctx: &mut synccheck::system::Context<'_, Self>,
    ) {
        ctx.ghost_mut().done = true;
    }

    fn properties(&self) -> Vec<synccheck::system::Property<Self>> {
        use synccheck::system::Property;
        let mut properties: Vec<Property<Self>> = vec![Property::always_or_in_flight(
            "job_done_or_on_its_way",
            |_, state| !state.ghost.sent || state.ghost.done,
            |_, envelope| envelope.msg == 1,
        )];
        if self.goals {
            properties.push(Property::sometimes("job_done", |_, state| state.ghost.done));
            properties.push(Property::always("never_done_unsent", |_, state| {
                state.ghost.sent || !state.ghost.done
            }));
        }
        properties
    }
}

/// Where an in-flight property's network-free part fails on the message set, that says
/// nothing of the property: the multiset network is searched, where the message in
/// flight keeps it true (a check that took the set's verdict, or read only the
/// network-free part, would say `violated`). Once the message may be lost, it is
/// violated by the loss, and the run replays.
#[test]
fn a_message_in_flight_keeps_an_in_flight_property_true_and_a_loss_breaks_it() {
    let mut reliable = synccheck::testing::check(Handoff { goals: false });
    for fault in NETWORK_FAULTS {
        reliable = reliable.relax(fault);
    }
    let reliable = reliable.run();
    reliable.assert_holds("job_done_or_on_its_way");
    assert!(reliable.report.complete);
    assert_eq!(
        reliable.report.network, None,
        "the multiset network decides"
    );
    assert!(
        reliable.system.for_safety_search().is_some(),
        "the set was tried first"
    );

    let lossy = synccheck::testing::check(Handoff { goals: false })
        .relax_all()
        .run();
    let trace = lossy.assert_violated("job_done_or_on_its_way");
    assert_eq!(trace.length, 1, "the message is lost");
    assert_eq!(trace.breaks.len(), 1);
    assert_eq!(trace.breaks[0].assumption, "reliable_links");
    let path = lossy
        .outcome
        .property("job_done_or_on_its_way")
        .and_then(|p| p.path.as_ref())
        .expect("a path");
    synccheck::testing::assert_replays(&lossy.system, path);
}

/// Where the set's search completes but an in-flight property's network-free part
/// fails there, what the set did decide is kept (`never_done_unsent` holds, `job_done`
/// reached by a run that replays) and only the rest is searched on the multiset
/// network, where those two are not evaluated; the verdicts and lengths are those of
/// the multiset network alone (`--no-lean`).
#[test]
fn what_the_set_decided_is_kept_and_only_the_rest_searched_on_the_multiset() {
    let run = |no_lean: bool| {
        let mut check = synccheck::testing::check(Handoff { goals: true });
        for fault in NETWORK_FAULTS {
            check = check.relax(fault);
        }
        if no_lean {
            check = check.no_lean();
        }
        check.run()
    };
    let (partly, multiset) = (run(false), run(true));
    assert_eq!(
        partly.report.network.as_deref(),
        Some(synccheck::pipeline::SAFETY_PARTLY_ON_SET)
    );
    assert!(partly.report.complete);
    // Both searches' counts are reported: the set's, and the multiset's as `stats`.
    let set = partly
        .report
        .set_search
        .as_ref()
        .expect("the set search's counts");
    assert!(set.unique_states > 0 && set.generated_states > 0, "{set:?}");
    assert!(partly.report.stats.unique_states > 0);
    // Both searches' fingerprints stand behind the verdicts.
    let both = synccheck::check::collision_probability(&partly.report.stats)
        + synccheck::check::collision_probability(set);
    assert!((partly.report.fingerprint_collision_probability - both).abs() <= both * 1e-9);
    assert!(both > synccheck::check::collision_probability(&partly.report.stats));
    assert!(multiset.report.set_search.is_none());
    let text = synccheck::report::render_human(&partly.report);
    assert!(text.contains("message set search: "), "{text}");
    partly.assert_holds("job_done_or_on_its_way");
    partly.assert_holds("never_done_unsent");
    for checked in [&partly, &multiset] {
        let example = checked
            .outcome
            .property("job_done")
            .and_then(|p| p.path.as_ref())
            .expect("an example");
        assert_eq!(example.len(), 1, "the delivery");
        synccheck::testing::assert_replays(&checked.system, example);
    }
    for (p, m) in partly
        .report
        .properties
        .iter()
        .zip(&multiset.report.properties)
    {
        assert_eq!(
            (&p.name, p.verdict, p.example_length),
            (&m.name, m.verdict, m.example_length)
        );
    }
}

/// Where an in-flight property's network-free part holds on the message set, the
/// property holds on the multiset network: `at_least_once_queue idempotent_consumer`
/// with the network faults relaxed is decided on the set, in 922 states against
/// 1 044 404 without, with the same verdicts and example length.
#[test]
fn an_in_flight_property_whose_network_free_part_holds_on_the_set_is_decided_there() {
    let request = CheckRequest {
        model: "at_least_once_queue".to_string(),
        changes: AssumptionChanges {
            relax: NETWORK_FAULTS.iter().map(|s| s.to_string()).collect(),
            ..AssumptionChanges::default()
        },
        ..CheckRequest::default()
    };
    let run = |no_lean| {
        let options = CheckOptions {
            no_lean,
            ..CheckOptions::default()
        };
        catalog::registry()
            .run(&request, &options)
            .expect("a catalog model")
    };
    let (set, multiset) = (run(false), run(true));
    assert!(set.complete && multiset.complete);
    assert_eq!(
        set.network.as_deref(),
        Some(synccheck::pipeline::SAFETY_ON_SET_BY_NETWORK_FREE_PARTS)
    );
    assert_eq!(
        (set.stats.unique_states, multiset.stats.unique_states),
        (922, 1_044_404)
    );
    for (s, m) in set.properties.iter().zip(&multiset.properties) {
        assert_eq!(
            (s.name.as_str(), s.verdict, s.example_length),
            (m.name.as_str(), m.verdict, m.example_length)
        );
    }
    assert_eq!(
        set.property("effect_at_least_once").map(|p| p.verdict),
        Some(synccheck::check::Verdict::Holds)
    );
}

/// Where an in-flight property's network-free part is violated on the message set by a
/// run that, replayed on the multiset network, violates the whole property at its end,
/// the violation is taken from the set: `at_least_once_queue ack_before` with
/// everything relaxed loses the message to a crash between the delete and the `Apply`
/// (nothing in flight), and applies it twice through a duplicated `Apply`. The multiset
/// network has no finite space here; the set stops once both are found.
#[test]
fn an_in_flight_property_violated_on_the_set_by_a_run_that_lifts_is_taken_from_there() {
    use synccheck::models::retry::at_least_once_queue::{Ack, AtLeastOnceQueue};
    let queue = AtLeastOnceQueue {
        ack: Ack::Before,
        visibility_ticks: 6,
        processing_ticks: 1,
    };
    let checked = synccheck::testing::check(queue).relax_all().run();
    assert_eq!(
        checked.report.network.as_deref(),
        Some(synccheck::pipeline::SAFETY_ON_SET_BY_NETWORK_FREE_PARTS),
        "decided on the set"
    );
    // Guided by drift classes (632 states unguided, `--no-class-guide`; 511 and 768
    // before subsumption counted the late timers).
    assert_eq!(checked.report.stats.unique_states, 489);
    for (property, length, broken) in [
        ("effect_at_least_once", 4, "max_crashes"),
        ("effect_at_most_once", 6, "no_duplication"),
    ] {
        let trace = checked.assert_violated(property);
        assert_eq!(trace.length, length, "{property}");
        assert_eq!(trace.breaks.len(), 1, "{property}");
        assert_eq!(trace.breaks[0].assumption, broken, "{property}");
        let path = checked
            .outcome
            .property(property)
            .and_then(|p| p.path.as_ref())
            .expect("a path");
        assert_eq!(
            checked.system.property_holds(property, path.last_state()),
            Some(false),
            "{property} is false at the lifted run's end on the multiset network"
        );
        synccheck::testing::assert_replays(&checked.system, path);
    }
}

/// The ghost's effect count is capped at the 2 the properties tell apart: `ack_after`
/// with everything relaxed, where every duplicate of `Apply` delivered again counted
/// one more effect, is decided on the set (at-least-once holds). Uncapped, this search
/// passed 3 M states without finishing. On drift classes (the default) at-least-once
/// holds in 12 746 classes, and the violation of at-most-once is found on the set
/// within 113 states guided by them (705 unguided).
#[test]
fn ack_after_keeps_at_least_once_with_everything_relaxed() {
    use synccheck::models::retry::at_least_once_queue::{Ack, AtLeastOnceQueue};
    let queue = AtLeastOnceQueue {
        ack: Ack::After,
        visibility_ticks: 6,
        processing_ticks: 1,
    };
    let full = synccheck::testing::check(queue.clone())
        .relax_all()
        .no_drift_classes()
        .run();
    // 435 119 before subsumption counted the late timers.
    full.assert_states(92_064);
    let drift = synccheck::testing::check(queue).relax_all().run();
    let decided = drift.report.drift_classes.as_ref().expect("drift classes");
    assert_eq!(decided.decided, ["effect_at_least_once"]);
    let search = decided.search.expect("the full system searched too");
    assert_eq!(search.unique_states, 12_746);
    // The full system's search, guided by the distances in the whole class graph (382
    // states when the table stopped at the depth of the class search's finding).
    assert_eq!(drift.report.stats.unique_states, 113);
    for checked in [&full, &drift] {
        checked.assert_holds("effect_at_least_once");
        assert_eq!(checked.assert_violated("effect_at_most_once").length, 6);
    }
}

synccheck::nodes! {
    enum CrowdNode {
        Sender = "sender" [stable],
        Reader = "reader" [stable],
        Sink = "sink" [stable],
    }
}

/// A protocol that breaks `MESSAGE_SET`'s contract where only the set shows it: the
/// sender puts `X` for the reader and five `Y`s for the sink in flight at once (six:
/// no duplicate can be made on the capped network until a `Y` is delivered, and after
/// that the reader no longer counts). Its property reads whether `X` is in flight.
#[derive(Clone, Debug)]
struct Crowded;

/// What the ghost records: the sink got a `Y`; how often the reader got `X` before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
struct Counted {
    sink_got: bool,
    seen: u8,
}

impl synccheck::system::Protocol for Crowded {
    type Node = CrowdNode;
    type State = ();
    type Durable = ();
    type Msg = char;
    type Timer = u8;
    type Ghost = Counted;
    const MESSAGE_SET: bool = true;

    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }

    fn on_start(&self, node: CrowdNode, ctx: &mut synccheck::system::Context<'_, Self>) {
        if node == CrowdNode::Sender {
            ctx.send(CrowdNode::Reader, 'X');
            for _ in 0..5 {
                ctx.send(CrowdNode::Sink, 'Y');
            }
        }
    }

    fn on_message(
        &self,
        node: CrowdNode,
        _: &mut (),
        _: CrowdNode,
        _: &char,
        ctx: &mut synccheck::system::Context<'_, Self>,
    ) {
        let ghost = ctx.ghost_mut();
        match node {
            CrowdNode::Sink => ghost.sink_got = true,
            _ if !ghost.sink_got => ghost.seen = ghost.seen.saturating_add(1),
            _ => {}
        }
    }

    fn properties(&self) -> Vec<synccheck::system::Property<Self>> {
        vec![synccheck::system::Property::always(
            "counted_only_while_x_is_on_its_way",
            |_, state| state.ghost.seen == 0 || state.network.iter().any(|e| e.msg == 'X'),
        )]
    }
}

/// On every state of the capped network the property agrees with its network-free
/// part, so auditing those finds nothing; on the message set the reader's `X` stays in
/// flight once delivered, and the property holds there though the first delivery
/// violates it. The set's own states are audited too: the check is an error naming the
/// property, and without the set (`--no-lean`) it is violated in one step.
#[test]
fn a_property_reading_the_network_only_where_the_set_differs_is_caught_by_the_audit() {
    let mut crowded = synccheck::testing::check(Crowded);
    for fault in NETWORK_FAULTS {
        crowded = crowded.relax(fault);
    }
    match crowded.try_run() {
        Err(synccheck::system::SystemError::LeanContract(message)) => {
            assert!(
                message.contains("counted_only_while_x_is_on_its_way")
                    && message.contains("on the message set"),
                "{message}"
            );
        }
        Err(other) => panic!("another error: {other}"),
        Ok(checked) => panic!(
            "no error: `{}` is {}",
            "counted_only_while_x_is_on_its_way",
            checked.verdict("counted_only_while_x_is_on_its_way").name()
        ),
    }
    let mut plain = synccheck::testing::check(Crowded).no_lean();
    for fault in NETWORK_FAULTS {
        plain = plain.relax(fault);
    }
    let trace = plain
        .run()
        .assert_violated("counted_only_while_x_is_on_its_way")
        .length;
    assert_eq!(trace, 1);
}

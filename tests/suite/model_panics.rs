//! A panic in a user's own model code (a handler here) ends that model's check with an
//! error naming the model and the panic, exit code 2: not the process (exit 101), and
//! not the other checks of a plan, whose results and JUnit file are still written.

use synccheck::check::CheckOptions;
use synccheck::model::{Param, Params};
use synccheck::request::{AssumptionChanges, CheckRequest, RequestError};
use synccheck::system::{Context, Property, Protocol};

/// A sender sends one message on start; the receiver records it, or, with
/// `panics=on`, panics on it (an `unwrap` on a state the designer thought impossible).
#[derive(Clone, Debug)]
struct Fragile {
    panics: bool,
}

synccheck::nodes! {
    enum Node {
        Sender = "sender" [stable],
        Receiver = "receiver" [stable],
    }
}

impl Protocol for Fragile {
    type Node = Node;
    type State = bool;
    type Durable = ();
    type Msg = u8;
    type Timer = u8;
    type Ghost = ();
    fn largest_time_constant_ticks(&self) -> u32 {
        1
    }
    fn on_start(&self, node: Node, ctx: &mut Context<'_, Self>) -> bool {
        if node == Node::Sender {
            ctx.send(Node::Receiver, 7);
        }
        false
    }
    fn on_message(&self, _: Node, state: &mut bool, _: Node, msg: &u8, _: &mut Context<'_, Self>) {
        assert!(!self.panics, "the receiver cannot take message {msg}");
        *state = true;
    }
    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::sometimes("received", |_, s| {
            s.node_state(Node::Receiver) == Some(&true)
        })]
    }
}

impl synccheck::model::Declared for Fragile {
    const NAME: &'static str = "fragile";
    const FAMILY: &'static str = "test";
    const SUMMARY: &'static str = "a receiver whose handler may panic";
    const PARAMS: &'static [Param] = &[Param::switch("panics", false, "panic on the message")];
    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(Fragile {
            panics: params.on("panics")?,
        })
    }
}

fn request(panics: &str) -> CheckRequest {
    CheckRequest {
        model: "fragile".to_string(),
        params: [("panics".to_string(), panics.to_string())].into(),
        changes: AssumptionChanges::default(),
    }
}

#[test]
fn a_panicking_handler_is_an_error_of_its_model() {
    let registry = synccheck::registry![Fragile];
    for threads in [1, 2] {
        let options = CheckOptions {
            threads,
            ..CheckOptions::default()
        };
        match registry.run(&request("on"), &options) {
            Err(RequestError::Build { model, reason }) => {
                assert_eq!(model, "fragile");
                assert!(reason.starts_with("panicked"), "{reason}");
                assert!(
                    reason.contains(
                        ": the receiver cannot take message 7 (a bug in the model's code"
                    ),
                    "{reason}"
                );
            }
            other => panic!("{threads} threads: not an error of the model: {other:?}"),
        }
        let report = registry
            .run(&request("off"), &options)
            .expect("the check runs");
        assert_eq!(
            report.property("received").map(|p| p.verdict),
            Some(synccheck::check::Verdict::Reached)
        );
    }
}

/// Through a user's command line (`cli::run_with`, as `main_with` runs it): the plan's
/// panicking check is an error (exit 2), and the check after it still runs and is
/// written to the JUnit file.
#[test]
fn a_plan_goes_on_past_a_panicking_check() {
    use clap::Parser;
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        "[[check]]\nname = \"breaks\"\nmodel = \"fragile\"\nparams = { panics = \"on\" }\n\
         expect = { received = \"reached\" }\n\n\
         [[check]]\nname = \"works\"\nmodel = \"fragile\"\n\
         expect = { received = \"reached\" }\n",
    )
    .expect("plan written");
    let junit = dir.path().join("junit.xml");
    let (plan, junit_text) = (plan.to_string_lossy(), junit.to_string_lossy());
    let args = [
        "synccheck",
        "-q",
        "check",
        "--plan",
        &plan,
        "--junit",
        &junit_text,
    ];
    let registry = synccheck::registry![Fragile];
    let code = synccheck::cli::run_with(synccheck::cli::Cli::parse_from(args), &registry);
    assert_eq!(code, 2);
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file is written");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<error").count(), 1, "{xml}");
    assert!(xml.contains("model `fragile`: panicked"), "{xml}");
    assert!(xml.contains("the receiver cannot take message 7"), "{xml}");
    assert!(
        xml.contains("name=\"works\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"0\""),
        "{xml}"
    );
}

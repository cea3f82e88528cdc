//! A panic in a user's own model code (a handler here) ends that model's check with an
//! error naming the model and the panic, exit code 2: not the process (exit 101), and
//! not the other checks of a plan, whose results and JUnit file are still written. The
//! model is `support::one_message`'s, whose receiver panics with `panics=on`.

use crate::support::one_message::OneMessage;
use synccheck::check::CheckOptions;
use synccheck::model::{Param, Params};
use synccheck::request::{AssumptionChanges, CheckRequest, RequestError};

impl synccheck::model::Declared for OneMessage {
    const NAME: &'static str = "one_message";
    const FAMILY: &'static str = "test";
    const SUMMARY: &'static str = "a receiver whose handler may panic";
    const PARAMS: &'static [Param] = &[
        Param::switch("panics", false, "panic on the message"),
        Param::switch("reads_clock", false, "the receiver reads its clock offset"),
        Param::switch(
            "clock_property",
            false,
            "a property reads the clock offsets",
        ),
        Param::switch("leans_on_seven", false, "declare seven assumptions"),
    ];
    fn from_params(params: &Params) -> Result<Self, String> {
        Ok(OneMessage {
            panics: params.on("panics")?,
            reads_clock: params.on("reads_clock")?,
            clock_property: params.on("clock_property")?,
            leans_on_seven: params.on("leans_on_seven")?,
        })
    }
}

fn request(panics: &str) -> CheckRequest {
    CheckRequest {
        model: "one_message".to_string(),
        params: [("panics".to_string(), panics.to_string())].into(),
        changes: AssumptionChanges::default(),
    }
}

#[test]
fn a_panicking_handler_is_an_error_of_its_model() {
    let registry = synccheck::registry![OneMessage];
    for threads in [1, 2] {
        let options = CheckOptions {
            threads,
            ..CheckOptions::default()
        };
        match registry.run(&request("on"), &options) {
            Err(RequestError::Build { model, reason }) => {
                assert_eq!(model, "one_message");
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
            Some(synccheck::check::Verdict::Holds)
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
        "[[check]]\nname = \"breaks\"\nmodel = \"one_message\"\nparams = { panics = \"on\" }\n\
         expect = { received = \"holds\" }\n\n\
         [[check]]\nname = \"works\"\nmodel = \"one_message\"\n\
         expect = { received = \"holds\" }\n",
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
    let registry = synccheck::registry![OneMessage];
    let code = synccheck::cli::run_with(synccheck::cli::Cli::parse_from(args), &registry);
    assert_eq!(code, 2);
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file is written");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<error").count(), 1, "{xml}");
    assert!(xml.contains("model `one_message`: panicked"), "{xml}");
    assert!(xml.contains("the receiver cannot take message 7"), "{xml}");
    assert!(
        xml.contains("name=\"works\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"0\""),
        "{xml}"
    );
}

//! How a model declares itself to a [`Registry`](crate::registry::Registry): its name,
//! family, one-line summary and parameters, and how it is built from parameter values.
//!
//! ```
//! use synccheck::model::{Declared, Param, Params};
//!
//! #[derive(Clone, Debug)]
//! struct Heartbeat { period_ticks: u32, mode: &'static str }
//!
//! impl Declared for Heartbeat {
//!     const NAME: &'static str = "heartbeat";
//!     const FAMILY: &'static str = "recovery";
//!     const SUMMARY: &'static str = "a failure detector that suspects a silent peer";
//!     const PARAMS: &'static [Param] = &[
//!         Param::integer("period_ticks", 2, 1..=8, "ticks between heartbeats"),
//!         Param::choice("mode", "push", &["push", "pull"], "who starts the exchange"),
//!     ];
//!     fn from_params(params: &Params) -> Result<Self, String> {
//!         let mode = if params.choice("mode")? == "push" { "push" } else { "pull" };
//!         Ok(Heartbeat { period_ticks: params.integer("period_ticks")?, mode })
//!     }
//! }
//! # assert_eq!(Heartbeat::PARAMS[0].valid_values(), "an integer from 1 to 8");
//! ```

use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// What a model declares about itself. API boundary: implement it (with
/// [`Protocol`](crate::system::Protocol) for a timed model, or `stateright::Model` for a
/// plain one) and register the type (`registry![MyProtocol]`).
pub trait Declared: Sized + 'static {
    /// Public name (`synccheck check NAME`, plans, traces): a stable snake_case ID.
    const NAME: &'static str;
    /// The family `list` groups it under (`replication`, `retry`, `recovery`, or your own).
    const FAMILY: &'static str;
    /// One line for `list`.
    const SUMMARY: &'static str;
    /// Parameters (`--set NAME=VALUE`), each with its help, default and range or choices.
    const PARAMS: &'static [Param] = &[];
    /// Builds the model from validated parameter values (every declared parameter is
    /// present and within its range).
    fn from_params(params: &Params) -> Result<Self, String>;
}

/// What values a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Integer {
        /// Smallest value.
        min: u32,
        /// Largest value.
        max: u32,
    },
    /// One of the listed words.
    Choice(&'static [&'static str]),
}

/// One parameter of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Param {
    /// Its name (`--set NAME=VALUE`).
    pub name: &'static str,
    /// One phrase.
    pub help: &'static str,
    /// The default value.
    pub default: &'static str,
    /// What values it takes.
    pub kind: ParamKind,
}

/// The earlier name of [`Param`].
pub type ParamSpec = Param;

impl Param {
    /// An integer parameter: `Param::integer("lease_ticks", 5, 1..=20, "lease length")`.
    pub const fn integer(
        name: &'static str,
        default: u32,
        range: RangeInclusive<u32>,
        help: &'static str,
    ) -> Self {
        Param {
            name,
            help,
            default: integer_text(default),
            kind: ParamKind::Integer {
                min: *range.start(),
                max: *range.end(),
            },
        }
    }

    /// A choice among words: `Param::choice("variant", "all", &["none", "all"], "...")`.
    pub const fn choice(
        name: &'static str,
        default: &'static str,
        words: &'static [&'static str],
        help: &'static str,
    ) -> Self {
        Param {
            name,
            help,
            default,
            kind: ParamKind::Choice(words),
        }
    }

    /// An on/off switch (`--set NAME=on`), read with [`Params::on`].
    pub const fn switch(name: &'static str, default_on: bool, help: &'static str) -> Self {
        Param {
            name,
            help,
            default: if default_on { "on" } else { "off" },
            kind: ParamKind::Choice(&["off", "on"]),
        }
    }

    /// The values it takes, in words, for errors and `list`.
    pub fn valid_values(&self) -> String {
        match self.kind {
            ParamKind::Integer { min, max } => format!("an integer from {min} to {max}"),
            ParamKind::Choice(words) => format!("one of {}", words.join(", ")),
        }
    }

    /// The values it takes, compactly (`1..=20`, `none|writes|all`).
    pub fn range_text(&self) -> String {
        match self.kind {
            ParamKind::Choice(words) => words.join("|"),
            ParamKind::Integer { min, max } => format!("{min}..={max}"),
        }
    }

    pub(crate) fn validate(&self, value: &str) -> bool {
        match self.kind {
            ParamKind::Integer { min, max } => value
                .parse::<u32>()
                .is_ok_and(|number| (min..=max).contains(&number)),
            ParamKind::Choice(words) => words.contains(&value),
        }
    }
}

/// The decimal text of a small integer default, computed at compile time.
const fn integer_text(value: u32) -> &'static str {
    const DIGITS: [&str; 65] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
        "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
        "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46",
        "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61",
        "62", "63", "64",
    ];
    if (value as usize) < DIGITS.len() {
        DIGITS[value as usize]
    } else {
        panic!("Param::integer: write defaults above 64 with a Param literal")
    }
}

/// Validated parameter values (every parameter present).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Values as given (no validation: for tests and hand-built models).
    pub fn from_values(values: BTreeMap<String, String>) -> Self {
        Params { values }
    }

    /// An integer parameter.
    pub fn integer(&self, name: &str) -> Result<u32, String> {
        let text = self.text(name)?;
        text.parse()
            .map_err(|_| format!("parameter `{name}`: `{text}` is not an integer"))
    }

    /// A choice parameter.
    pub fn choice(&self, name: &str) -> Result<&str, String> {
        self.text(name)
    }

    /// A choice parameter mapped to a value: `params.pick("variant", &[("none", Fencing::None), ...])`.
    pub fn pick<T: Copy>(&self, name: &str, choices: &[(&str, T)]) -> Result<T, String> {
        let word = self.text(name)?;
        choices
            .iter()
            .find(|(choice, _)| *choice == word)
            .map(|(_, value)| *value)
            .ok_or_else(|| format!("parameter `{name}`: `{word}` is not a declared choice"))
    }

    /// Whether an on/off choice is `on`.
    pub fn on(&self, name: &str) -> Result<bool, String> {
        self.pick(name, &[("on", true), ("off", false)])
    }

    fn text(&self, name: &str) -> Result<&str, String> {
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("parameter `{name}` is not declared by this model"))
    }

    /// All values.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

//! Colour and verbosity at the binary's edge: `--color auto|always|never` (auto: only
//! on a terminal, and never with `NO_COLOR` set; `CLICOLOR_FORCE` forces it, as
//! anstream reads them), `-q` and `-v`.
//!
//! Reports are rendered as plain text by the library (they also go into JUnit bodies
//! and GitHub summaries); the CLI paints known markers of the human output here, and
//! anstream strips the paint again wherever colour is off.

use super::args::ColorWhen;
use anstyle::{AnsiColor, Style};
use std::sync::atomic::{AtomicU8, Ordering};

const GOOD: Style = AnsiColor::Green.on_default();
const BAD: Style = AnsiColor::Red.on_default().bold();
const UNSURE: Style = AnsiColor::Yellow.on_default();
const BREAK: Style = AnsiColor::Yellow.on_default().bold();
const LOOP: Style = AnsiColor::Cyan.on_default();
const HEADING: Style = Style::new().bold();

/// How much goes to stderr besides results and errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// `-q`: results on stdout and errors on stderr, nothing else.
    Quiet = 0,
    /// Progress, notes and each plan check's status line.
    Normal = 1,
    /// `-v`: also each plan check's search statistics.
    Verbose = 2,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// Sets colour and verbosity for the whole process (once, from the arguments).
pub(crate) fn configure(color: ColorWhen, quiet: bool, verbose: bool) {
    let choice = match color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let level = if quiet {
        Verbosity::Quiet
    } else if verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    VERBOSITY.store(level as u8, Ordering::Relaxed);
}

/// The verbosity set by [`configure`].
pub(crate) fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// The `error:` prefix, red and bold where colour is on.
pub(crate) fn error_prefix() -> String {
    paint(BAD, "error:")
}

fn verdict_style(word: &str) -> Option<Style> {
    match word {
        "holds" | "reached" | "ok" => Some(GOOD),
        "violated" | "unreached" | "MISMATCH" | "error:" => Some(BAD),
        "unknown" | "INCOMPLETE" => Some(UNSURE),
        _ => None,
    }
}

/// Paints the human output: verdicts in the verdict table, `ok`/`INCOMPLETE`/`MISMATCH` at the end
/// of plan summary rows, assumption breaks and lasso loops.
pub(crate) fn paint_human(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_table = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let newline = &line[body.len()..];
        let trimmed = body.trim_start();
        let painted = if body.starts_with("property ") && body.ends_with(" verdict") {
            in_table = true;
            paint(HEADING, body)
        } else if body.starts_with("check ") && body.ends_with(" result") {
            paint(HEADING, body)
        } else if in_table && !body.is_empty() {
            paint_table_row(body)
        } else if trimmed.starts_with("^^^") || trimmed.starts_with("!!!") {
            paint(BREAK, body)
        } else if trimmed.starts_with("--- loop")
            || trimmed.starts_with("--- back to")
            || trimmed.starts_with("┌─ loop")
            || trimmed.starts_with("└─ back to")
        {
            paint(LOOP, body)
        } else if let Some(row) = paint_summary_row(body) {
            row
        } else {
            body.to_string()
        };
        if body.is_empty() {
            in_table = false;
        }
        out.push_str(&painted);
        out.push_str(newline);
    }
    out
}

/// `name  kind  verdict (detail)`: the verdict word painted.
fn paint_table_row(row: &str) -> String {
    let words: Vec<&str> = row.split_whitespace().collect();
    let Some(verdict) = words.get(2) else {
        return row.to_string();
    };
    let Some(style) = verdict_style(verdict) else {
        return row.to_string();
    };
    match row.find(&format!("  {verdict}")) {
        Some(at) => {
            let start = at + 2;
            let end = start + verdict.len();
            format!("{}{}{}", &row[..start], paint(style, verdict), &row[end..])
        }
        None => row.to_string(),
    }
}

/// A plan summary row ending in `  ok`, `  INCOMPLETE` or `  MISMATCH`.
fn paint_summary_row(row: &str) -> Option<String> {
    for word in ["ok", "INCOMPLETE", "MISMATCH"] {
        if let Some(head) = row.strip_suffix(&format!("  {word}")) {
            let style = verdict_style(word)?;
            return Some(format!("{head}  {}", paint(style, word)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_markers_are_painted_and_nothing_else_changes() {
        let text = "model: m\n\nproperty  kind    verdict\nsafe      always  holds\nbad       always  violated (counterexample: 3 steps)\n\n  t=0  1. tick\n         ^^^ t=0: broken here\n  --- loop: steps 2–3 repeat forever ---\nc  p  holds  violated  MISMATCH\n";
        let painted = paint_human(text);
        assert!(
            painted.contains(&format!("  {}\n", paint(GOOD, "holds"))),
            "{painted}"
        );
        assert!(painted.contains(&paint(BAD, "violated")), "{painted}");
        assert!(painted.contains(&paint(BREAK, "         ^^^ t=0: broken here")));
        assert!(painted.contains(&paint(BAD, "MISMATCH")));
        // The step line outside the table is untouched; stripping the paint gives the
        // text back.
        assert!(painted.contains("\n  t=0  1. tick\n"));
        assert_eq!(anstream::adapter::strip_str(&painted).to_string(), text);
    }
}

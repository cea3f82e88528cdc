//! The sweep chart: the safe region of each property and assumption as a function of
//! a model parameter, drawn as SVG with plotters (SVG backend only, no fonts loaded:
//! text is left to the viewer).
//!
//! Each parameter value is a column; each (property, assumption) entry a lane in it.
//! A bound that holds is a green cell, the smallest violated bound a red cell (with
//! its counterexample length), the bounds above it — violated too, by monotonicity,
//! unless the entry is non-monotone — a pale red. A property that holds at every
//! bound has green up to the top and "all" above it; an unknown bound is grey.

use super::{BoundEntry, BoundStatus, SweepReport};
use plotters::prelude::*;

const GREEN: RGBColor = RGBColor(76, 175, 80);
const RED: RGBColor = RGBColor(211, 47, 47);
const PALE_RED: RGBColor = RGBColor(246, 205, 205);
const GREY: RGBColor = RGBColor(189, 189, 189);

/// The highest bound the chart shows: one above every boundary found.
fn top_bound(sweep: &SweepReport) -> u32 {
    sweep
        .rows
        .iter()
        .flat_map(|r| &r.bounds.entries)
        .filter_map(|e| {
            e.violated_from
                .or(e.unknown_at)
                .or(e.holds_again_at)
                .or(match e.status {
                    BoundStatus::HoldsUpToLimit => e.holds_up_to,
                    _ => None,
                })
        })
        .max()
        .unwrap_or(1)
        .max(1)
        + 1
}

/// Renders `sweep` as an SVG document.
pub fn render(sweep: &SweepReport) -> Result<String, String> {
    let error = |e: &dyn std::fmt::Display| format!("drawing the sweep chart: {e}");
    let (Some(first), Some(last)) = (sweep.rows.first(), sweep.rows.last()) else {
        return Err("drawing the sweep chart: the sweep has no rows".to_string());
    };
    let lanes: Vec<String> = first
        .bounds
        .entries
        .iter()
        .map(|e| format!("{} · {}", e.property, e.assumption.name()))
        .collect();
    let top = top_bound(sweep);
    let low = f64::from(first.value) - 0.5;
    let high = f64::from(last.value) + 0.5;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| error(&e))?;
        // The key goes to the right of the plot, never over its cells.
        let (plot, key) = root.split_horizontally(660);
        let assumption = first
            .bounds
            .entries
            .first()
            .map_or("bound", |e| e.assumption.name());
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!(
                    "{}: safe {assumption} against {}",
                    sweep.model, sweep.parameter
                ),
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(low..high, -0.5..f64::from(top) + 0.5)
            .map_err(|e| error(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_y_mesh()
            .x_labels(sweep.rows.len() + 1)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(top as usize + 2)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc(sweep.parameter.as_str())
            .y_desc(format!("{assumption} (bound)"))
            .draw()
            .map_err(|e| error(&e))?;
        let lane_width = 0.8 / lanes.len().max(1) as f64;
        for row in &sweep.rows {
            for (lane, entry) in row.bounds.entries.iter().enumerate() {
                let left = f64::from(row.value) - 0.4 + lane as f64 * lane_width;
                let cells = cells(entry, top);
                chart
                    .draw_series(cells.iter().map(|(bound, color)| {
                        let y = f64::from(*bound);
                        Rectangle::new(
                            [
                                (left + 0.02, y - 0.45),
                                (left + lane_width - 0.02, y + 0.45),
                            ],
                            color.filled(),
                        )
                    }))
                    .map_err(|e| error(&e))?;
                let label = match (entry.status, entry.violated_from) {
                    (BoundStatus::HoldsRelaxed | BoundStatus::HoldsUpToCap, _) => {
                        Some((f64::from(top) + 0.2, "all".to_string()))
                    }
                    (_, Some(from)) => entry
                        .counterexample
                        .as_ref()
                        .map(|t| (f64::from(from) - 0.15, format!("{}", t.trace.length))),
                    _ => None,
                };
                if let Some((y, text)) = label {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            (left + lane_width / 2.0 - 0.06, y),
                            ("sans-serif", 12).into_font().color(&BLACK),
                        )))
                        .map_err(|e| error(&e))?;
                }
            }
        }
        legend(&key, &lanes).map_err(|e| error(&e))?;
        root.present().map_err(|e| error(&e))?;
    }
    Ok(svg)
}

/// The coloured cells of one entry's lane, bottom up.
fn cells(entry: &BoundEntry, top: u32) -> Vec<(u32, RGBColor)> {
    let mut cells = Vec::new();
    let holds_to = match entry.status {
        BoundStatus::HoldsRelaxed | BoundStatus::HoldsUpToCap => Some(top),
        _ => entry.holds_up_to.map(|h| h.min(top)),
    };
    if let Some(holds_to) = holds_to {
        cells.extend((0..=holds_to).map(|b| (b, GREEN)));
    }
    if let Some(from) = entry.violated_from {
        cells.push((from, RED));
        let above = if entry.status == BoundStatus::NonMonotone {
            GREY
        } else {
            PALE_RED
        };
        cells.extend((from + 1..=top).map(|b| (b, above)));
    }
    if let Some(at) = entry.unknown_at {
        cells.push((at, GREY));
    }
    cells
}

/// The colour key and the lanes, in the panel right of the plot.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    lanes: &[String],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let key = [
        (GREEN, "holds"),
        (RED, "smallest violated bound"),
        (PALE_RED, "violated (above it)"),
        (GREY, "unknown / not monotone"),
    ];
    let font = ("sans-serif", 12).into_font().color(&BLACK);
    let mut y = 60;
    for (color, text) in key {
        root.draw(&Rectangle::new([(10, y), (24, y + 14)], color.filled()))?;
        root.draw(&Text::new(text, (32, y + 1), font.clone()))?;
        y += 22;
    }
    root.draw(&Text::new(
        "label: counterexample steps",
        (10, y + 4),
        font.clone(),
    ))?;
    y += 30;
    if lanes.len() > 1 {
        for (index, lane) in lanes.iter().enumerate() {
            let text = format!("lane {}: {lane}", index + 1);
            root.draw(&Text::new(text, (10, y), font.clone()))?;
            y += 18;
        }
    }
    Ok(())
}

//! SVG charts drawn on the server: grouped bars over months, lines over
//! months, horizontal bars. Each scales to its container (`viewBox`), names
//! every value in a `<title>` tooltip, and is described by `aria-label`.

use std::fmt::Write;

use super::html::{count, escape};

/// Bars and horizontal bars span a section; lines share one in pairs.
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 280.0;
const LINES_WIDTH: f64 = 480.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One series of a chart: its name, its CSS class (its colour), its values
/// (`None`: no value that month).
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub values: Vec<Option<f64>>,
}

/// How a chart's values read.
#[derive(Clone, Copy)]
pub enum Unit {
    Count,
    Percent,
    Days,
}

impl Unit {
    fn format(self, value: f64) -> String {
        match self {
            Unit::Count => count(value.round() as i64),
            Unit::Percent => format!("{:.1}%", value * 100.0),
            Unit::Days => format!("{value:.1} days"),
        }
    }

    fn tick(self, value: f64) -> String {
        match self {
            Unit::Count => count(value.round() as i64),
            Unit::Percent => format!("{:.0}%", value * 100.0),
            Unit::Days => format!("{value:.0}"),
        }
    }
}

/// A round top for the y axis and its step: 1, 2 or 5 × 10^n.
fn scale(max: f64, unit: Unit) -> (f64, f64) {
    if let Unit::Percent = unit {
        return (1.0, 0.25);
    }
    let max = max.max(1.0);
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    let step = match unit {
        Unit::Count => step.max(1.0),
        _ => step,
    };
    ((max / step).ceil() * step, step)
}

fn open(svg: &mut String, label: &str, width: f64) {
    let _ = write!(
        svg,
        r#"<div class="chart-box"><svg class="chart" viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">"#,
        escape(label)
    );
}

/// Horizontal grid lines and y-axis labels; returns the y of a value.
fn axis(svg: &mut String, width: f64, top: f64, step: f64, unit: Unit) -> impl Fn(f64) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    let y = move |v: f64| TOP + plot * (1.0 - v / top);
    let mut tick = 0.0;
    while tick <= top + step / 2.0 {
        let at = y(tick);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{at:.1}" y2="{at:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            width - RIGHT,
            LEFT - 6.0,
            at + 4.0,
            unit.tick(tick)
        );
        tick += step;
    }
    y
}

/// Month labels under the x axis: every one, or every few when crowded.
fn x_labels(svg: &mut String, labels: &[String], room: usize, x: impl Fn(usize) -> f64) {
    let every = labels.len().div_ceil(room).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x(i),
            HEIGHT - 8.0,
            escape(&short_month(label))
        );
    }
}

/// `2025-03` → `Mar 25`.
fn short_month(month: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match month.split_once('-') {
        Some((year, m)) => match m.parse::<usize>() {
            Ok(m @ 1..=12) => format!("{} {}", NAMES[m - 1], &year[year.len().saturating_sub(2)..]),
            _ => month.to_owned(),
        },
        None => month.to_owned(),
    }
}

fn legend(series: &[Series<'_>]) -> String {
    let mut html = String::from(r#"<ul class="legend">"#);
    for s in series {
        let _ = write!(
            html,
            r#"<li><span class="swatch {}"></span>{}</li>"#,
            s.class,
            escape(s.name)
        );
    }
    html.push_str("</ul>");
    html
}

/// Opens a chart of `width` and draws its axis, scaled to the series' largest
/// value; the value → y mapping.
fn start(
    svg: &mut String,
    label: &str,
    width: f64,
    series: &[Series<'_>],
    unit: Unit,
) -> impl Fn(f64) -> f64 {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let (top, step) = scale(max, unit);
    open(svg, label, width);
    axis(svg, width, top, step, unit)
}

/// Grouped bars, one group per label.
pub fn bars(label: &str, labels: &[String], series: &[Series<'_>], unit: Unit) -> String {
    let mut svg = String::new();
    let y = start(&mut svg, label, WIDTH, series, unit);
    let groups = labels.len().max(1) as f64;
    let group = (WIDTH - LEFT - RIGHT) / groups;
    let bar = (group * 0.8 / series.len().max(1) as f64).max(1.0);
    let x = |i: usize| LEFT + group * (i as f64 + 0.5);
    for (i, month) in labels.iter().enumerate() {
        for (k, s) in series.iter().enumerate() {
            let Some(value) = s.values.get(i).copied().flatten() else {
                continue;
            };
            let left = LEFT + group * i as f64 + group * 0.1 + bar * k as f64;
            let (top_y, base) = (y(value), y(0.0));
            let _ = write!(
                svg,
                r#"<rect class="{}" x="{left:.1}" y="{top_y:.1}" width="{:.1}" height="{:.1}"><title>{} {}: {}</title></rect>"#,
                s.class,
                (bar - 1.0).max(0.5),
                (base - top_y).max(0.0),
                escape(s.name),
                escape(month),
                unit.format(value)
            );
        }
    }
    x_labels(&mut svg, labels, 12, x);
    svg.push_str("</svg></div>");
    svg + &legend(series)
}

/// Lines with a dot per value; a gap where a month has none.
pub fn lines(label: &str, labels: &[String], series: &[Series<'_>], unit: Unit) -> String {
    let mut svg = String::new();
    let y = start(&mut svg, label, LINES_WIDTH, series, unit);
    let slot = (LINES_WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    for s in series {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, value) in s.values.iter().enumerate() {
            match value {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path class="line {}" d="{}"/>"#,
                s.class,
                path.trim_end()
            );
        }
        for (i, value) in s.values.iter().enumerate() {
            if let Some(v) = value {
                let _ = write!(
                    svg,
                    r#"<circle class="{}" cx="{:.1}" cy="{:.1}" r="3.5"><title>{} {}: {}</title></circle>"#,
                    s.class,
                    x(i),
                    y(*v),
                    escape(s.name),
                    escape(labels.get(i).map_or("", String::as_str)),
                    unit.format(*v)
                );
            }
        }
    }
    x_labels(&mut svg, labels, 6, x);
    svg.push_str("</svg></div>");
    svg + &legend(series)
}

/// One horizontal bar per item, longest first as given.
pub fn horizontal(label: &str, items: &[(String, i64)]) -> String {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let row = 28.0;
    let height = (items.len().max(1) as f64) * row + 8.0;
    let names = 220.0;
    let mut svg = format!(
        r#"<div class="chart-box"><svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">"#,
        escape(label)
    );
    if items.is_empty() {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{}" y="20" text-anchor="middle">none in this period</text>"#,
            WIDTH / 2.0
        );
    }
    for (i, (name, n)) in items.iter().enumerate() {
        let top = 4.0 + row * i as f64;
        let width = (WIDTH - names - 80.0) * (*n as f64) / max;
        let _ = write!(
            svg,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar-decline" x="{names}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}: {}</title></rect><text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
            names - 8.0,
            top + row * 0.62,
            escape(name),
            top + 3.0,
            width.max(1.0),
            row - 8.0,
            escape(name),
            count(*n),
            names + width.max(1.0) + 6.0,
            top + row * 0.62,
            count(*n)
        );
    }
    svg.push_str("</svg></div>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(scale(0.0, Unit::Count), (1.0, 1.0));
        assert_eq!(scale(937.0, Unit::Count), (1000.0, 500.0));
        assert_eq!(scale(0.7, Unit::Percent), (1.0, 0.25));
        assert_eq!(scale(6.4, Unit::Days), (8.0, 2.0));
    }

    #[test]
    fn months_are_short() {
        assert_eq!(short_month("2025-03"), "Mar 25");
        assert_eq!(short_month("junk"), "junk");
    }

    #[test]
    fn lines_leave_gaps_and_bars_skip_missing_values() {
        let labels = vec![
            "2025-01".to_owned(),
            "2025-02".to_owned(),
            "2025-03".to_owned(),
        ];
        let series = [Series {
            name: "Fill rate",
            class: "s1",
            values: vec![Some(0.8), None, Some(0.9)],
        }];
        let svg = lines("fill", &labels, &series, Unit::Percent);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches(" M").count() + svg.matches("\"M").count(), 2);
        let svg = bars("volume", &labels, &series, Unit::Count);
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}

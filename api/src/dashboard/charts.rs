//! SVG charts drawn on the server: grouped bars over months, lines over
//! months, horizontal bars. Each scales to its container (`viewBox`), names
//! every value in a `<title>` tooltip, and is described by `aria-label`.

use std::fmt::Write;

use maud::{html, Markup};

use super::html::count;

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

/// Coordinates to a tenth of a unit.
fn at(value: f64) -> String {
    format!("{value:.1}")
}

/// A chart's frame: `inside` drawn on a `width` × `height` canvas.
fn frame(label: &str, width: f64, height: f64, inside: Markup) -> Markup {
    html! {
        div.chart-box {
            svg class="chart" viewBox={ "0 0 " (width) " " (height) } role="img" aria-label=(label)
                preserveAspectRatio="xMidYMid meet" { (inside) }
        }
    }
}

/// Horizontal grid lines and y-axis labels, for values up to `top`.
fn axis(width: f64, top: f64, step: f64, unit: Unit) -> Markup {
    let y = y_of(top);
    let ticks =
        std::iter::successors(Some(0.0), |t| Some(t + step)).take_while(|t| *t <= top + step / 2.0);
    html! {
        @for tick in ticks {
            @let here = y(tick);
            line.grid x1=(LEFT) x2=(width - RIGHT) y1=(at(here)) y2=(at(here)) {}
            text.tick x=(LEFT - 6.0) y=(at(here + 4.0)) text-anchor="end" { (unit.tick(tick)) }
        }
    }
}

/// The y of a value on an axis up to `top`.
fn y_of(top: f64) -> impl Fn(f64) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    move |v: f64| TOP + plot * (1.0 - v / top)
}

/// Month labels under the x axis: every one, or every few when crowded.
fn x_labels(labels: &[String], room: usize, x: impl Fn(usize) -> f64) -> Markup {
    let every = labels.len().div_ceil(room).max(1);
    html! {
        @for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            text.tick x=(at(x(i))) y=(HEIGHT - 8.0) text-anchor="middle" { (short_month(label)) }
        }
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

fn legend(series: &[Series<'_>]) -> Markup {
    html! {
        ul.legend {
            @for s in series {
                li { span class={ "swatch " (s.class) } {} (s.name) }
            }
        }
    }
}

/// The y-axis top and step that fit the series' largest value.
fn scale_of(series: &[Series<'_>], unit: Unit) -> (f64, f64) {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    scale(max, unit)
}

/// Grouped bars, one group per label.
pub fn bars(label: &str, labels: &[String], series: &[Series<'_>], unit: Unit) -> Markup {
    let (top, step) = scale_of(series, unit);
    let y = y_of(top);
    let groups = labels.len().max(1) as f64;
    let group = (WIDTH - LEFT - RIGHT) / groups;
    let bar = (group * 0.8 / series.len().max(1) as f64).max(1.0);
    let x = |i: usize| LEFT + group * (i as f64 + 0.5);
    let inside = html! {
        (axis(WIDTH, top, step, unit))
        @for (i, month) in labels.iter().enumerate() {
            @for (k, s) in series.iter().enumerate() {
                @if let Some(value) = s.values.get(i).copied().flatten() {
                    @let left = LEFT + group * i as f64 + group * 0.1 + bar * k as f64;
                    @let (top_y, base) = (y(value), y(0.0));
                    rect class=(s.class) x=(at(left)) y=(at(top_y))
                        width=(at((bar - 1.0).max(0.5))) height=(at((base - top_y).max(0.0))) {
                        title { (s.name) " " (month) ": " (unit.format(value)) }
                    }
                }
            }
        }
        (x_labels(labels, 12, x))
    };
    html! {
        (frame(label, WIDTH, HEIGHT, inside))
        (legend(series))
    }
}

/// The path of a line through the values: a gap where a month has none.
fn path(values: &[Option<f64>], x: impl Fn(usize) -> f64, y: impl Fn(f64) -> f64) -> String {
    let mut path = String::new();
    let mut pen_down = false;
    for (i, value) in values.iter().enumerate() {
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
    path.trim_end().to_owned()
}

/// Lines with a dot per value; a gap where a month has none.
pub fn lines(label: &str, labels: &[String], series: &[Series<'_>], unit: Unit) -> Markup {
    let (top, step) = scale_of(series, unit);
    let y = y_of(top);
    let slot = (LINES_WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let inside = html! {
        (axis(LINES_WIDTH, top, step, unit))
        @for s in series {
            @let d = path(&s.values, x, &y);
            @if !d.is_empty() {
                path class={ "line " (s.class) } d=(d) {}
            }
            @for (i, value) in s.values.iter().enumerate() {
                @if let Some(v) = value {
                    circle class=(s.class) cx=(at(x(i))) cy=(at(y(*v))) r="3.5" {
                        title {
                            (s.name) " " (labels.get(i).map_or("", String::as_str)) ": " (unit.format(*v))
                        }
                    }
                }
            }
        }
        (x_labels(labels, 6, x))
    };
    html! {
        (frame(label, LINES_WIDTH, HEIGHT, inside))
        (legend(series))
    }
}

/// One horizontal bar per item, longest first as given.
pub fn horizontal(label: &str, items: &[(String, i64)]) -> Markup {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let row = 28.0;
    let height = (items.len().max(1) as f64) * row + 8.0;
    let names = 220.0;
    let inside = html! {
        @if items.is_empty() {
            text.tick x=(WIDTH / 2.0) y="20" text-anchor="middle" { "none in this period" }
        }
        @for (i, (name, n)) in items.iter().enumerate() {
            @let top = 4.0 + row * i as f64;
            @let width = ((WIDTH - names - 80.0) * (*n as f64) / max).max(1.0);
            text.label x=(at(names - 8.0)) y=(at(top + row * 0.62)) text-anchor="end" { (name) }
            rect.bar-decline x=(names) y=(at(top + 3.0)) width=(at(width)) height=(at(row - 8.0)) {
                title { (name) ": " (count(*n)) }
            }
            text.tick x=(at(names + width + 6.0)) y=(at(top + row * 0.62)) { (count(*n)) }
        }
    };
    frame(label, WIDTH, height, inside)
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
        let svg = lines("fill", &labels, &series, Unit::Percent).into_string();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches(" M").count() + svg.matches("\"M").count(), 2);
        let svg = bars("volume", &labels, &series, Unit::Count).into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}

//! A progress bar on stderr for rebuild and verify: events done, rate, ETA;
//! one line per projection, as wide as the terminal, drawn only when stderr
//! is a terminal.

use std::fmt::Write;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use projections::rebuild::RebuildProgress;
use projections::Projection;

const TEMPLATE: &str = "{prefix:<10} [{wide_bar}] {pos}/{len} events  {rate}  ETA {eta}";

pub struct Bar {
    current: Option<(Projection, ProgressBar)>,
}

impl Bar {
    pub fn new() -> Bar {
        Bar { current: None }
    }

    pub fn show(&mut self, progress: RebuildProgress) {
        let next = self
            .current
            .as_ref()
            .is_none_or(|(projection, _)| *projection != progress.projection);
        if next {
            self.finish();
            let bar =
                ProgressBar::with_draw_target(Some(progress.total), ProgressDrawTarget::stderr())
                    .with_style(style())
                    .with_prefix(progress.projection.name());
            self.current = Some((progress.projection, bar));
        }
        if let Some((_, bar)) = &self.current {
            bar.set_length(progress.total);
            bar.set_position(progress.applied);
        }
    }

    pub fn finish(&self) {
        if let Some((_, bar)) = &self.current {
            bar.finish();
            // The next bar, or the summary, starts on a line of its own.
            if !bar.is_hidden() {
                eprintln!();
            }
        }
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(TEMPLATE)
        .expect("a valid progress template")
        .progress_chars("# ")
        .with_key("rate", |state: &ProgressState, out: &mut dyn Write| {
            let _ = write!(out, "{:.0}/s", state.per_sec());
        })
}

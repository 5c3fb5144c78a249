//! A progress line on stderr for rebuild and verify: events done, rate, ETA.

use std::io::Write;
use std::time::Instant;

use projections::rebuild::RebuildProgress;

pub struct Bar {
    started: Instant,
    current: Option<projections::Projection>,
    shown: bool,
}

impl Bar {
    pub fn new() -> Bar {
        Bar {
            started: Instant::now(),
            current: None,
            shown: false,
        }
    }

    pub fn show(&mut self, progress: RebuildProgress) {
        if self.current != Some(progress.projection) {
            self.current = Some(progress.projection);
            self.started = Instant::now();
            if self.shown {
                eprintln!();
            }
        }
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = progress.applied as f64 / elapsed;
        let left = progress.total.saturating_sub(progress.applied) as f64;
        let eta = if rate > 0.0 { left / rate } else { 0.0 };
        let width = 30;
        let done = (progress.applied.min(progress.total) * width as u64)
            .checked_div(progress.total)
            .map_or(width, |d| d as usize);
        eprint!(
            "\r{:<10} [{}{}] {}/{} events  {:.0}/s  ETA {:.0} s ",
            progress.projection.name(),
            "#".repeat(done),
            " ".repeat(width - done),
            progress.applied,
            progress.total,
            rate,
            eta
        );
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    pub fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

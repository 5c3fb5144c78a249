//! How fast the MARC 21 reader reads a large file, against the least any
//! reader must do on one core: splitting the file at each record terminator
//! (benchmarks/marc_speed.sh; BENCHMARKS.md). Times are the thread's time
//! on a CPU (Linux's schedstat), so that other work on a shared machine
//! does not count; wall times are printed beside them.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use catalogue::formats::{self, Entry, Format, ItemMapping};

const BUFFER: usize = 256 * 1024;
const ROUNDS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: marc_speed FILE.mrc")?;
    let items = ItemMapping::default();
    let mut split_best = Times::MAX;
    let mut read_best = Times::MAX;
    let mut counts = (0, 0, 0);
    for _ in 0..ROUNDS {
        let started = Clock::now();
        let mut input = BufReader::with_capacity(BUFFER, File::open(&path)?);
        let mut buffer = Vec::new();
        let mut split = 0usize;
        while input.read_until(0x1D, &mut buffer)? > 0 {
            split += 1;
            buffer.clear();
        }
        split_best = split_best.min(started.elapsed()?);

        let started = Clock::now();
        let input = BufReader::with_capacity(BUFFER, File::open(&path)?);
        let (mut records, mut rejected) = (0usize, 0usize);
        for entry in formats::read(Format::Marc, input, &items)? {
            match entry? {
                Entry::Record(_) => records += 1,
                Entry::Rejected(_) => rejected += 1,
            }
        }
        read_best = read_best.min(started.elapsed()?);
        counts = (split, records, rejected);
    }
    let (split, records, rejected) = counts;
    let rate = |count: usize, time: Times| count as f64 / time.cpu.as_secs_f64();
    println!("records in the file (split at 0x1D): {split}");
    println!("read: {records} records, {rejected} rejected");
    println!(
        "baseline, split only: {:.3} s on CPU ({:.3} s wall), {:.0} records per CPU second",
        split_best.cpu.as_secs_f64(),
        split_best.wall.as_secs_f64(),
        rate(split, split_best)
    );
    println!(
        "ours, read and mapped: {:.3} s on CPU ({:.3} s wall), {:.0} records per CPU second",
        read_best.cpu.as_secs_f64(),
        read_best.wall.as_secs_f64(),
        rate(records + rejected, read_best)
    );
    println!(
        "ours ÷ baseline (records/s): {:.2}",
        rate(records + rejected, read_best) / rate(split, split_best)
    );
    Ok(())
}

/// A round's time on the CPU and on the wall.
#[derive(Clone, Copy)]
struct Times {
    cpu: Duration,
    wall: Duration,
}

impl Times {
    const MAX: Times = Times {
        cpu: Duration::MAX,
        wall: Duration::MAX,
    };

    /// The round with less CPU time.
    fn min(self, other: Times) -> Times {
        if other.cpu < self.cpu {
            other
        } else {
            self
        }
    }
}

struct Clock {
    cpu: Duration,
    wall: Instant,
}

impl Clock {
    fn now() -> Clock {
        Clock {
            cpu: thread_cpu().unwrap_or_default(),
            wall: Instant::now(),
        }
    }

    fn elapsed(&self) -> Result<Times, Box<dyn std::error::Error>> {
        Ok(Times {
            cpu: thread_cpu()? - self.cpu,
            wall: self.wall.elapsed(),
        })
    }
}

/// This thread's time on a CPU: the first field of
/// /proc/thread-self/schedstat, in nanoseconds.
fn thread_cpu() -> Result<Duration, Box<dyn std::error::Error>> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")?;
    let nanos: u64 = stat
        .split_whitespace()
        .next()
        .ok_or("empty schedstat")?
        .parse()?;
    Ok(Duration::from_nanos(nanos))
}

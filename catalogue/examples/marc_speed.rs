//! How fast the MARC 21 reader reads a large file, against the least any
//! reader must do on one core: splitting the file at each record terminator
//! (benchmarks/marc_speed.sh; BENCHMARKS.md).

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
    let mut split_best = Duration::MAX;
    let mut read_best = Duration::MAX;
    let mut counts = (0, 0, 0);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut input = BufReader::with_capacity(BUFFER, File::open(&path)?);
        let mut buffer = Vec::new();
        let mut split = 0usize;
        while input.read_until(0x1D, &mut buffer)? > 0 {
            split += 1;
            buffer.clear();
        }
        split_best = split_best.min(started.elapsed());

        let started = Instant::now();
        let input = BufReader::with_capacity(BUFFER, File::open(&path)?);
        let (mut records, mut rejected) = (0usize, 0usize);
        for entry in formats::read(Format::Marc, input, &items)? {
            match entry? {
                Entry::Record(_) => records += 1,
                Entry::Rejected(_) => rejected += 1,
            }
        }
        read_best = read_best.min(started.elapsed());
        counts = (split, records, rejected);
    }
    let (split, records, rejected) = counts;
    let rate = |count: usize, time: Duration| count as f64 / time.as_secs_f64();
    println!("records in the file (split at 0x1D): {split}");
    println!("read: {records} records, {rejected} rejected");
    println!(
        "baseline, split only: {:.3} s, {:.0} records/s",
        split_best.as_secs_f64(),
        rate(split, split_best)
    );
    println!(
        "ours, read and mapped: {:.3} s, {:.0} records/s",
        read_best.as_secs_f64(),
        rate(records + rejected, read_best)
    );
    println!(
        "ours ÷ baseline (records/s): {:.2}",
        rate(records + rejected, read_best) / rate(split, split_best)
    );
    Ok(())
}

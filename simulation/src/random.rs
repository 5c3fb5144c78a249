//! The simulation's randomness: a seeded stream per part of a shape, and
//! weighted picks from it.

/// SplitMix64: small, fast, and the same everywhere for a seed.
#[derive(Debug, Clone)]
pub(crate) struct Random(u64);

impl Random {
    /// The stream of one part of a shape: `stream` picks it.
    pub(crate) fn new(seed: u64, stream: u64) -> Random {
        let mut mix = Random(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        Random(mix.next())
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn bytes(&mut self) -> [u8; 16] {
        (u128::from(self.next()) << 64 | u128::from(self.next())).to_be_bytes()
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Log-normal around `median` (Box–Muller).
    pub(crate) fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        median * (sigma * z).exp()
    }
}

/// Weighted picks by binary search over cumulative weights.
pub(crate) struct Cumulative(Vec<f64>);

impl Cumulative {
    pub(crate) fn new(weights: impl Iterator<Item = f64>) -> Cumulative {
        let mut total = 0.0;
        Cumulative(
            weights
                .map(|w| {
                    total += w.max(0.0);
                    total
                })
                .collect(),
        )
    }

    pub(crate) fn pick(&self, random: &mut Random) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let target = random.unit() * total;
        self.0
            .partition_point(|&c| c <= target)
            .min(self.0.len().saturating_sub(1))
    }
}

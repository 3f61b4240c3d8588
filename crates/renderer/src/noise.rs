//! Stable hashing and pseudo-randomness. Everything here is our own arithmetic, so the same inputs
//! give the same numbers on every build and every Rust release (unlike `DefaultHasher`).

/// FNV-1a over bytes, finished with a splitmix64 mix so nearby inputs land far apart.
#[derive(Clone, Debug)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }

    pub(crate) fn number(&mut self, value: u64) -> &mut Self {
        self.bytes(&value.to_le_bytes())
    }

    pub(crate) fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// The hash of one string, for word-level decisions.
pub(crate) fn hash_str(text: &str) -> u64 {
    Fnv::new().bytes(text.as_bytes()).finish()
}

/// splitmix64's finaliser: a bijective scramble of 64 bits.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// splitmix64: tiny, fast and good enough for placing shapes.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[low, high)`.
    pub(crate) fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }

    pub(crate) fn chance(&mut self, probability: f32) -> bool {
        self.unit() < probability
    }

    /// An independent generator, so one layer's draws do not shift another's.
    pub(crate) fn fork(&mut self) -> Rng {
        Rng(self.next_u64())
    }
}

/// A cheap per-pixel hash (lowbias32), for grain and window lights.
pub(crate) fn pixel_hash(x: u32, y: u32, salt: u32) -> u32 {
    let mut h = x.wrapping_mul(0x9e37_79b1) ^ y.wrapping_mul(0x85eb_ca77) ^ salt;
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^ (h >> 16)
}

/// Smooth 1-D value noise: random values on integer lattice points, eased in between, repeating
/// every 256 units.
#[derive(Clone, Debug)]
pub(crate) struct ValueNoise {
    lattice: Box<[f32; 256]>,
}

impl ValueNoise {
    pub(crate) fn new(rng: &mut Rng) -> Self {
        let mut lattice = Box::new([0.0; 256]);
        for value in lattice.iter_mut() {
            *value = rng.unit();
        }
        ValueNoise { lattice }
    }

    /// In `[0, 1]`.
    pub(crate) fn sample(&self, t: f32) -> f32 {
        let floor = t.floor();
        let f = t - floor;
        let i = (floor as i64).rem_euclid(256) as usize;
        let a = self.lattice[i];
        let b = self.lattice[(i + 1) & 255];
        let eased = f * f * (3.0 - 2.0 * f);
        a + (b - a) * eased
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_published_test_vector() {
        // Pinned: a change here would change every offline picture ever made.
        assert_eq!(Fnv::new().bytes(b"a").0, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(Fnv::new().bytes(b"atelier").0, 0xe469_717a_1cb3_714f);
    }

    #[test]
    fn the_generator_repeats_itself_from_the_same_seed() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let draws_a: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let draws_b: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(draws_a, draws_b);
        assert_ne!(Rng::new(43).next_u64(), draws_a[0]);
    }

    #[test]
    fn uniform_draws_stay_in_their_range() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let unit = rng.unit();
            assert!((0.0..1.0).contains(&unit));
            assert!(rng.below(5) < 5);
            let value = rng.range(-2.0, 3.0);
            assert!((-2.0..3.0).contains(&value));
        }
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn value_noise_is_continuous_and_bounded() {
        let noise = ValueNoise::new(&mut Rng::new(1));
        let mut previous = noise.sample(-3.0);
        let mut t = -3.0;
        while t < 300.0 {
            let value = noise.sample(t);
            assert!((0.0..=1.0).contains(&value));
            assert!((value - previous).abs() < 0.05, "jump at {t}");
            previous = value;
            t += 0.01;
        }
    }
}

//! A keyed, tweakable permutation of an integer domain `[0, n)`: an alternating Feistel network
//! over `Z_p x Z_q` (`p*q >= n`) with AES-256 as the round function and cycle walking back into
//! `[0, n)`. It is a bijection by construction (every round is invertible), the same
//! construction as NIST SP 800-38G FF1 with native integers instead of numeral strings.
//!
//! What the rules use is `permute`: that permutation conjugated with a shift,
//! `x -> pi^-1((pi(x) + 1) mod n)`, a single cycle through the whole domain, so no value is ever
//! its own pseudonym (a plain keyed permutation leaves about one fixed point per domain: with
//! 250,000 members and five permuted phone digits, a few members kept their real number).

use aes::cipher::consts::U16;
use aes::cipher::typenum::Unsigned;
use aes::cipher::{
    Array, Block, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit, ParBlocks,
};
use aes::Aes256;
use strength_reduce::StrengthReducedU64;

use super::Subkey;

/// Rounds of the Feistel network (FF1 uses 10; an even number keeps the halves in place).
const ROUNDS: u8 = 12;

/// A keyed permutation family: one permutation per (tweak, domain size).
#[derive(Clone)]
pub struct Permutation {
    cipher: Aes256,
}

/// The shape of a domain `[0, n)`: `n` and its split into `p * q >= n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Domain {
    /// Size of the domain; `None` stands for 2^128.
    n: Option<u128>,
    p: u128,
    q: u128,
}

impl Domain {
    /// The domain `[0, n)`; `n` must be at least 1.
    pub fn new(n: u128) -> Domain {
        let p = ceil_sqrt(n).max(1);
        let q = n.div_ceil(p).max(1);
        Domain { n: Some(n), p, q }
    }

    /// The whole `u128` range (IPv6 addresses).
    pub fn full_u128() -> Domain {
        Domain { n: None, p: 1 << 64, q: 1 << 64 }
    }

    /// `x + 1`, wrapping to 0 at the end of the domain.
    fn successor(&self, x: u128) -> u128 {
        match self.n {
            Some(n) if x + 1 >= n => 0,
            _ => x.wrapping_add(1),
        }
    }

    /// `x - 1`, wrapping to the last value of the domain.
    fn predecessor(&self, x: u128) -> u128 {
        match (x, self.n) {
            (0, Some(n)) => n - 1,
            _ => x.wrapping_sub(1),
        }
    }

    /// Whether `x` lies in the domain.
    pub fn contains(&self, x: u128) -> bool {
        self.n.is_none_or(|n| x < n)
    }

    fn tag(&self) -> u64 {
        let n = self.n.unwrap_or(0);
        (n as u64) ^ ((n >> 64) as u64).rotate_left(17)
    }
}

fn ceil_sqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    let mut r = (n as f64).sqrt() as u128;
    while r.saturating_mul(r) > n {
        r -= 1;
    }
    while (r + 1).saturating_mul(r + 1) <= n {
        r += 1;
    }
    if r * r == n {
        r
    } else {
        r + 1
    }
}

/// The fewest values a permuted cell may have. Below it, knowing the rule's options and a few
/// pairs narrows a value down to a handful of candidates (with one, the pseudonym is the value).
/// NIST SP 800-38G asks 10^6 of FF1; cells between the two are listed in SECURITY.md.
pub const MIN_DOMAIN: u128 = 1_000;

/// FNV-1a of the tweak bytes: a stable 64-bit name for a domain cell (collisions only make two
/// cells share a permutation, which keeps each a bijection).
pub fn tweak(parts: &[&[u8]]) -> u64 {
    let mut t = Tweak::new();
    for part in parts {
        t.part(part);
    }
    t.finish()
}

/// `tweak` built part by part, for callers whose parts are computed (no list to allocate).
pub struct Tweak(u64);

impl Tweak {
    pub fn new() -> Tweak {
        Tweak(0xcbf2_9ce4_8422_2325)
    }

    /// Adds one part (its bytes, then a separator).
    pub fn part(&mut self, bytes: &[u8]) -> &mut Tweak {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        self
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Tweak {
    fn default() -> Tweak {
        Tweak::new()
    }
}

impl Permutation {
    /// The permutation family keyed by `subkey` (one subkey per rule kind).
    pub fn new(subkey: &Subkey) -> Permutation {
        let key = Array::from(*subkey.bytes());
        Permutation { cipher: Aes256::new(&key) }
    }

    /// Returns the image of `x` (which must lie in `domain`) under the permutation named by
    /// `tweak`: a bijection of the domain without fixed points (for domains of two or more).
    pub fn permute(&self, tweak: u64, domain: &Domain, x: u128) -> u128 {
        let mut lane = [Lane::new(tweak, domain, x, Direction::Permute)];
        self.cipher.encrypt_with_backend(Lanes(&mut lane));
        lane[0].value()
    }

    /// Inverse of `permute`: `invert(t, d, permute(t, d, x)) == x`.
    pub fn invert(&self, tweak: u64, domain: &Domain, y: u128) -> u128 {
        let mut lane = [Lane::new(tweak, domain, y, Direction::Invert)];
        self.cipher.encrypt_with_backend(Lanes(&mut lane));
        lane[0].value()
    }

    /// Many pseudonyms that take at most one permutation each (`Call`: tweak, domain, value),
    /// their permutations run side by side (`permute_many`): each prepared value comes back
    /// with the image of its call.
    pub fn permute_prepared<P>(&self, prepared: Vec<Option<(P, Option<Call>)>>) -> Vec<Option<(P, Option<u128>)>> {
        let mut calls: Vec<Call> = prepared.iter().flatten().filter_map(|(_, call)| *call).collect();
        self.permute_many(&mut calls);
        let mut images = calls.into_iter().map(|(_, _, y)| y);
        prepared.into_iter().map(|p| p.map(|(pending, call)| (pending, call.and_then(|_| images.next())))).collect()
    }

    /// `permute` of a prepared call, if any.
    pub fn permute_call(&self, call: Option<Call>) -> Option<u128> {
        call.map(|(tweak, domain, x)| self.permute(tweak, &domain, x))
    }

    /// `permute` of many values at once: `values[i] = permute(tweak, domain, values[i])` for
    /// each `(tweak, domain, value)`. The Feistel rounds of independent values are evaluated
    /// side by side, so the AES unit encrypts a block per value in one call (AES-NI pipelines 8,
    /// VAES 64) instead of waiting for one block at a time.
    pub fn permute_many(&self, values: &mut [(u64, Domain, u128)]) {
        let mut lanes: Vec<Lane> = values.iter().map(|&(t, d, x)| Lane::new(t, &d, x, Direction::Permute)).collect();
        self.cipher.encrypt_with_backend(Lanes(&mut lanes));
        for (slot, lane) in values.iter_mut().zip(&lanes) {
            slot.2 = lane.value();
        }
    }
}

/// One permutation a pseudonym needs: tweak, domain, and the value to permute.
pub type Call = (u64, Domain, u128);

/// Which map a lane computes: `permute` (`pi`, then the successor, then `pi^-1`) or `invert`
/// (`pi`, the predecessor, `pi^-1`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Permute,
    Invert,
}

/// One value on its way through the Feistel network: the two halves, the round it is at, and
/// whether it is in the forward network (`pi`) or the backward one (`pi^-1`).
#[derive(Clone, Copy)]
struct Lane {
    domain: Domain,
    /// The tweak mixed with the domain's tag: bytes 8..16 of every round's block.
    mixed: u64,
    direction: Direction,
    /// The moduli of even and odd rounds, `p` and `q`, ready for repeated reduction.
    p: Modulus,
    q: Modulus,
    a: u128,
    b: u128,
    /// Rounds done in the current network (0..ROUNDS).
    done: u8,
    backward: bool,
    finished: bool,
}

impl Lane {
    fn new(tweak: u64, domain: &Domain, x: u128, direction: Direction) -> Lane {
        let mut lane = Lane {
            domain: *domain,
            mixed: tweak ^ domain.tag().rotate_left(29),
            direction,
            p: Modulus::new(domain.p),
            q: Modulus::new(domain.q),
            a: 0,
            b: 0,
            done: 0,
            backward: false,
            finished: false,
        };
        lane.split(x);
        lane
    }

    fn split(&mut self, x: u128) {
        let q = self.domain.q;
        // Domains below 2^64 (every one but IPv6 and e-mail blocks) divide in 64 bits.
        (self.a, self.b) = match (u64::try_from(x), u64::try_from(q)) {
            (Ok(x), Ok(q)) => ((x / q) as u128, (x % q) as u128),
            _ => (x / q, x % q),
        };
    }

    fn joined(&self) -> u128 {
        self.a * self.domain.q + self.b
    }

    fn value(&self) -> u128 {
        debug_assert!(self.finished);
        self.joined()
    }

    /// The round the lane is at, counted as the forward network counts them.
    fn round(&self) -> u8 {
        if self.backward {
            ROUNDS - 1 - self.done
        } else {
            self.done
        }
    }

    /// The block the round function encrypts: the half it reads, the tweak, the round.
    fn block(&self) -> Block<Aes256> {
        // Bytes 0..8 the half (little-endian), 8..15 the mixed tweak's low 7 bytes, 15 the round
        // with the tweak's top nibble: built as one number, stored at once.
        let half = if self.backward { self.a } else { self.b };
        let top = u128::from(self.round() ^ ((self.mixed >> 56) as u8 & 0xf0));
        let word = u128::from(half as u64) | u128::from(self.mixed & 0x00ff_ffff_ffff_ffff) << 64 | top << 120;
        Array::from(word.to_le_bytes())
    }

    /// Applies one round, given the encryption of `block()`.
    #[inline]
    fn step(&mut self, encrypted: &Block<Aes256>) {
        let i = self.round();
        let (m, modulus) = if i % 2 == 0 { (self.domain.p, &self.p) } else { (self.domain.q, &self.q) };
        let f = modulus.reduce(encrypted);
        if self.backward {
            let prev_a = if self.b >= f { self.b - f } else { self.b + m - f };
            self.b = self.a;
            self.a = prev_a;
        } else {
            let sum = self.a + f;
            self.a = self.b;
            self.b = if sum >= m { sum - m } else { sum };
        }
        self.done += 1;
        if self.done == ROUNDS {
            self.network_done();
        }
    }

    /// After a whole network: walk again while outside the domain (cycle walking), else go on
    /// to the next stage.
    fn network_done(&mut self) {
        self.done = 0;
        let y = self.joined();
        if !self.domain.contains(y) {
            return;
        }
        if self.backward {
            self.finished = true;
            return;
        }
        let next = match self.direction {
            Direction::Permute => self.domain.successor(y),
            Direction::Invert => self.domain.predecessor(y),
        };
        self.backward = true;
        self.split(next);
    }
}

/// A round's modulus (`p` or `q`). Moduli never exceed 2^64. The round function's output is
/// reduced modulo `m` with a bias below m / 2^bits: 64 random bits for moduli up to 2^32 (bias
/// < 2^-32), all 128 above (bias < 2^-64), so halves of large domains (e-mail blocks, 10^30-value
/// cells) stay as uniform as small ones. Small moduli divide by multiplication
/// (`strength_reduce`: the exact remainder, several times faster than a division, which would
/// otherwise cost more than the AES rounds once these run side by side).
#[derive(Clone, Copy)]
enum Modulus {
    Small(StrengthReducedU64),
    Wide(u128),
    /// 2^64: the low 64 bits (the full `u128` domain).
    Full,
}

impl Modulus {
    fn new(m: u128) -> Modulus {
        match u64::try_from(m) {
            Ok(m) if m <= u32::MAX as u64 => Modulus::Small(StrengthReducedU64::new(m)),
            Ok(_) => Modulus::Wide(m),
            Err(_) => Modulus::Full,
        }
    }

    fn reduce(&self, encrypted: &Block<Aes256>) -> u128 {
        let mut out = [0u8; 16];
        out.copy_from_slice(&encrypted[..16]);
        let r = u128::from_le_bytes(out);
        match self {
            Modulus::Small(m) => u128::from(r as u64 % *m),
            Modulus::Wide(m) => r % m,
            Modulus::Full => r as u64 as u128,
        }
    }
}

/// Runs lanes to the end inside one call into the AES backend, so that the backend's set-up
/// (VAES broadcasts its 15 round keys into vector registers) is paid once, not per block.
struct Lanes<'a>(&'a mut [Lane]);

impl BlockSizeUser for Lanes<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for Lanes<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let width = B::ParBlocksSize::USIZE;
        for chunk in self.0.chunks_mut(width) {
            run_chunk(backend, chunk);
        }
    }
}

/// Fewer active lanes than this go one block at a time; more fill a whole parallel call (the
/// unused blocks are encrypted for nothing, which costs less than waiting for each block).
const PARALLEL_FROM: usize = 4;

fn run_chunk<B: BlockCipherEncBackend<BlockSize = U16>>(backend: &B, lanes: &mut [Lane]) {
    if let [lane] = lanes {
        while !lane.finished {
            let mut block = lane.block();
            backend.encrypt_block_inplace(&mut block);
            lane.step(&block);
        }
        return;
    }
    let mut active: Vec<usize> = (0..lanes.len()).collect();
    let mut blocks: ParBlocks<B> = Default::default();
    while !active.is_empty() {
        if active.len() < PARALLEL_FROM {
            for &i in &active {
                let mut block = lanes[i].block();
                backend.encrypt_block_inplace(&mut block);
                lanes[i].step(&block);
            }
        } else {
            for (k, &i) in active.iter().enumerate() {
                blocks[k] = lanes[i].block();
            }
            backend.encrypt_par_blocks_inplace(&mut blocks);
            for (k, &i) in active.iter().enumerate() {
                lanes[i].step(&blocks[k]);
            }
        }
        active.retain(|&i| !lanes[i].finished);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;

    fn perm(byte: u8) -> Permutation {
        Permutation::new(&Key::from_hex(&format!("{byte:02x}").repeat(32), "t").unwrap().subkey("test"))
    }

    #[test]
    fn is_a_bijection_on_small_and_odd_domains() {
        let p = perm(1);
        for n in [1u128, 2, 3, 7, 10, 97, 100, 499, 1000, 4096, 10_007] {
            let d = Domain::new(n);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.permute(42, &d, x);
                assert!(y < n);
                assert!(!seen[y as usize], "collision in domain {n}");
                assert!(n == 1 || y != x, "fixed point in domain {n}");
                seen[y as usize] = true;
                assert_eq!(p.invert(42, &d, y), x);
            }
        }
    }

    #[test]
    fn bijection_over_a_million_values() {
        let p = perm(2);
        let n = 1_000_000u128;
        let d = Domain::new(n);
        let mut seen = vec![false; n as usize];
        for x in 0..n {
            let y = p.permute(7, &d, x) as usize;
            assert!(!seen[y]);
            seen[y] = true;
        }
    }

    #[test]
    fn keys_and_tweaks_change_the_permutation_and_nothing_is_fixed() {
        let d = Domain::new(10_000_000);
        let (a, b) = (perm(3), perm(4));
        let xs: Vec<u128> = (0..10_000u128).map(|i| i * 997).collect();
        let diff_key = xs.iter().filter(|&&x| a.permute(1, &d, x) != b.permute(1, &d, x)).count();
        let diff_tweak = xs.iter().filter(|&&x| a.permute(1, &d, x) != a.permute(2, &d, x)).count();
        let fixed = xs.iter().filter(|&&x| a.permute(1, &d, x) == x).count();
        assert!(diff_key >= 9_990, "{diff_key}");
        assert!(diff_tweak >= 9_990, "{diff_tweak}");
        assert_eq!(fixed, 0);
    }

    #[test]
    fn handles_the_full_u128_range() {
        let p = perm(5);
        let d = Domain::full_u128();
        for x in [0u128, 1, u128::MAX, 1 << 64, 0xdead_beef_u128 << 70] {
            let y = p.permute(9, &d, x);
            assert_eq!(p.invert(9, &d, y), x);
        }
        let big = Domain::new(10u128.pow(30));
        let y = p.permute(9, &big, 123_456_789_012_345_678_901_234u128);
        assert!(y < 10u128.pow(30));
        assert_eq!(p.invert(9, &big, y), 123_456_789_012_345_678_901_234u128);
    }

    #[test]
    fn many_at_once_equals_one_at_a_time() {
        // Mixed tweaks and domains in one call, cycle walking (sizes just above a square) and
        // wide domains included, more values than one parallel call holds.
        let p = perm(6);
        let domains = [
            Domain::new(2),
            Domain::new(1001),
            Domain::new(10u128.pow(11)),
            Domain::new(41u128.pow(15)),
            Domain::full_u128(),
        ];
        let mut rng = 0x9e37_79b9_7f4a_7c15u128;
        let mut asked: Vec<(u64, Domain, u128)> = Vec::new();
        for i in 0..700u64 {
            rng = rng.wrapping_mul(0x2545_f491_4f6c_dd1d).wrapping_add(1442695040888963407);
            let d = domains[(i % 5) as usize];
            let x = match d.n {
                Some(n) => (rng >> 7) % n,
                None => rng,
            };
            asked.push((i % 3, d, x));
        }
        let mut many = asked.clone();
        p.permute_many(&mut many);
        for ((t, d, x), (_, _, y)) in asked.iter().zip(&many) {
            assert_eq!(*y, p.permute(*t, d, *x));
            assert_eq!(p.invert(*t, d, *y), *x);
        }
    }

    #[test]
    fn split_covers_the_domain() {
        for n in [1u128, 2, 5, 99, 100, 101, 10u128.pow(12), 10u128.pow(38)] {
            let d = Domain::new(n);
            assert!(d.p * d.q >= n && d.p * d.q - n < d.p.max(d.q), "{n}");
        }
    }
}

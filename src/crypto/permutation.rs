//! A keyed, tweakable permutation of an integer domain `[0, n)`: an alternating Feistel network
//! over `Z_p x Z_q` (`p*q >= n`) with AES-256 as the round function and cycle walking back into
//! `[0, n)`. It is a bijection by construction (every round is invertible), the same
//! construction as NIST SP 800-38G FF1 with native integers instead of numeral strings.
//!
//! What the rules use is `permute`: that permutation conjugated with a shift,
//! `x -> pi^-1((pi(x) + 1) mod n)`, a single cycle through the whole domain, so no value is ever
//! its own pseudonym (a plain keyed permutation leaves about one fixed point per domain: with
//! 250,000 members and five permuted phone digits, a few members kept their real number).

use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use aes::Aes256;

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

    fn round(&self, tweak: u64, domain_tag: u64, round: u8, value: u128, modulus: u128) -> u128 {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&(value as u64).to_le_bytes());
        let mixed = tweak ^ domain_tag.rotate_left(29);
        bytes[8..15].copy_from_slice(&mixed.to_le_bytes()[..7]);
        bytes[15] = round ^ ((mixed >> 56) as u8 & 0xf0);
        let mut block = Array::from(bytes);
        self.cipher.encrypt_block(&mut block);
        let mut out = [0u8; 16];
        out.copy_from_slice(&block[..16]);
        let r = u128::from_le_bytes(out);
        // Moduli never exceed 2^64. The bias of `r mod m` is below m / 2^bits: 64 random bits for
        // moduli up to 2^32 (bias < 2^-32), all 128 above (bias < 2^-64), so halves of large
        // domains (e-mail blocks, 10^30-value cells) stay as uniform as small ones.
        match u64::try_from(modulus) {
            Ok(m) if m <= u32::MAX as u64 => u128::from(r as u64 % m),
            Ok(m) => r % u128::from(m),
            Err(_) => r as u64 as u128,
        }
    }

    fn feistel(&self, tweak: u64, domain: &Domain, x: u128, forward: bool) -> u128 {
        let tag = domain.tag();
        let (p, q) = (domain.p, domain.q);
        let (mut a, mut b) = (x / q, x % q);
        if forward {
            for i in 0..ROUNDS {
                let m = if i % 2 == 0 { p } else { q };
                let sum = a + self.round(tweak, tag, i, b, m);
                let c = if sum >= m { sum - m } else { sum };
                a = b;
                b = c;
            }
        } else {
            for i in (0..ROUNDS).rev() {
                let m = if i % 2 == 0 { p } else { q };
                let f = self.round(tweak, tag, i, a, m);
                let prev_a = if b >= f { b - f } else { b + m - f };
                b = a;
                a = prev_a;
            }
        }
        a * q + b
    }

    /// The plain keyed permutation `pi` (cycle walking back into the domain).
    fn forward(&self, tweak: u64, domain: &Domain, x: u128) -> u128 {
        let mut y = self.feistel(tweak, domain, x, true);
        while !domain.contains(y) {
            y = self.feistel(tweak, domain, y, true);
        }
        y
    }

    /// `pi^-1`.
    fn backward(&self, tweak: u64, domain: &Domain, y: u128) -> u128 {
        let mut x = self.feistel(tweak, domain, y, false);
        while !domain.contains(x) {
            x = self.feistel(tweak, domain, x, false);
        }
        x
    }

    /// Returns the image of `x` (which must lie in `domain`) under the permutation named by
    /// `tweak`: a bijection of the domain without fixed points (for domains of two or more).
    pub fn permute(&self, tweak: u64, domain: &Domain, x: u128) -> u128 {
        let next = domain.successor(self.forward(tweak, domain, x));
        self.backward(tweak, domain, next)
    }

    /// Inverse of `permute`: `invert(t, d, permute(t, d, x)) == x`.
    pub fn invert(&self, tweak: u64, domain: &Domain, y: u128) -> u128 {
        let previous = domain.predecessor(self.forward(tweak, domain, y));
        self.backward(tweak, domain, previous)
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
    fn split_covers_the_domain() {
        for n in [1u128, 2, 5, 99, 100, 101, 10u128.pow(12), 10u128.pow(38)] {
            let d = Domain::new(n);
            assert!(d.p * d.q >= n && d.p * d.q - n < d.p.max(d.q), "{n}");
        }
    }
}

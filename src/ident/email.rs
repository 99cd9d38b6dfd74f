//! E-mail addresses: a keyed name-like local part and a tail that is the keyed permutation of the
//! whole original address (`first.last.<tail>`), in a domain reserved by RFC 2606, so no test
//! mail can ever reach a person and distinct addresses always get distinct pseudonyms.
//!
//! Injective needs the tail to carry the whole address, so it is about as long as the address.
//! It is written in base 36 (digits and lower-case letters), not in decimal: decimal needs 1.6
//! characters per character and would break RFC 5321's 64-character limit on the local part for
//! ordinary addresses. A keyed hash of a few digits would look nicer and merge two people in
//! every join on e-mail once a table holds a few thousand addresses.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::crypto::{Domain, Permutation, Tweak};

/// The characters most addresses are made of; any other character is written as `ESCAPE`
/// followed by its code point in four base-41 digits (a prefix code: the spelling is unique).
const ALPHABET: &[u8; 40] = b"abcdefghijklmnopqrstuvwxyz0123456789.@-_";
const RADIX: u128 = 41;
const ESCAPE: u8 = 40;
/// Symbols per permuted block: 41^23 < 2^128.
const BLOCK: usize = 23;

/// Reserved domains a pseudonymised address may use.
pub const RESERVED_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];

const FIRST: &[&str] = &[
    "jan", "luc", "marc", "peter", "bart", "tom", "koen", "lucas", "noah", "arthur", "maria", "an", "els", "sofie",
    "lotte", "emma", "marie", "hanne", "jean", "pierre", "michel", "louis", "hugo", "nathan", "julien", "nathalie",
    "isabelle", "sophie", "chloe", "lea", "camille", "louise", "klaus", "stefan", "lena", "anna",
];
const LAST: &[&str] = &[
    "peeters", "janssens", "maes", "jacobs", "mertens", "willems", "claes", "goossens", "wouters", "desmet",
    "vandamme", "dubois", "lambert", "dupont", "martin", "simon", "laurent", "leclercq", "renard", "lejeune", "denis",
    "mathieu", "lemaire", "dumont", "schmitz", "muller", "kessler", "heinen",
];

/// Whether `text` has the shape of an e-mail address.
pub fn is_email(text: &str) -> bool {
    let t = text.trim();
    let Some((local, domain)) = t.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && t.chars().all(|c| c.is_alphanumeric() || "@.!#$%&'*+/=?^_`{|}~-".contains(c))
        && !domain.contains('@')
}

/// The address as base-41 symbols.
fn symbols(canonical: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(canonical.len());
    for c in canonical.chars() {
        match ALPHABET.iter().position(|&a| c.is_ascii() && a == c as u8) {
            Some(i) => out.push(i as u8),
            None => {
                out.push(ESCAPE);
                let code = c as u32;
                for shift in [3u32, 2, 1, 0] {
                    out.push((code / 41u32.pow(shift) % 41) as u8);
                }
            }
        }
    }
    out
}

/// Base-36 digits needed for every value below 41^k.
fn width(k: usize) -> usize {
    let mut rest = RADIX.pow(k as u32) - 1;
    let mut digits = 0;
    while rest > 0 {
        rest /= 36;
        digits += 1;
    }
    digits.max(1)
}

/// `width(k)` for every block size, worked out once (each is twenty 128-bit divisions).
fn widths() -> &'static [usize; BLOCK + 1] {
    static WIDTHS: std::sync::OnceLock<[usize; BLOCK + 1]> = std::sync::OnceLock::new();
    WIDTHS.get_or_init(|| std::array::from_fn(width))
}

/// `value` in base 36, zero-padded to `width` digits (at most 40). Twelve digits at a time in
/// 64 bits (36^12 < 2^64): a 128-bit division per twelve digits instead of one per digit.
fn base36(value: u128, width: usize, out: &mut String) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    const TWELVE: u128 = 36u128.pow(12);
    let mut buf = [b'0'; 40];
    let first = buf.len() - width.min(buf.len());
    let mut at = buf.len();
    let mut rest = value;
    while at > first {
        let mut part = (rest % TWELVE) as u64;
        rest /= TWELVE;
        for _ in 0..12.min(at - first) {
            at -= 1;
            buf[at] = DIGITS[(part % 36) as usize];
            part /= 36;
        }
    }
    out.push_str(std::str::from_utf8(&buf[first..]).unwrap_or_default());
}

/// The sizes of the blocks `n` symbols are cut into: as few as fit 23 symbols each, as equal as
/// possible (a 24-symbol address gives 12 + 12, never 23 + a 1-symbol block of 41 values).
fn block_sizes(n: usize) -> Vec<usize> {
    let blocks = n.div_ceil(BLOCK).max(1);
    (0..blocks).map(|i| n / blocks + usize::from(i < n % blocks)).collect()
}

/// Names the permutation of block `index` in `pass`, given the other blocks it depends on.
fn block_tweak(pass: &[u8], total: usize, index: usize, context: &[u128]) -> u64 {
    let mut t = Tweak::new();
    t.part(pass).part(&(total as u64).to_le_bytes()).part(&(index as u64).to_le_bytes());
    for value in context {
        t.part(&value.to_le_bytes());
    }
    t.finish()
}

/// The tail of each address: the keyed permutation of the whole address in base 36. The
/// symbols are cut into blocks of at most 23, each a number below 41^len. Two passes permute them: forward, each block under a
/// tweak naming its place, the length and the blocks before it (as they were); backward, each
/// under a tweak naming the blocks after it (as they became). Each pass can be undone block by
/// block, so the whole is a bijection of the addresses of one length, and every block of the
/// result depends on every symbol of the address: addresses sharing a beginning or a domain do
/// not share parts of their tails. Each block is written with a fixed width, and the width grows
/// with every symbol (41 > 36), so the tail's length tells the number of symbols and the blocks
/// come apart: two addresses never share a tail.
///
/// Each pass's blocks of every address are permuted side by side (the forward pass's at once,
/// the backward pass's one position from the end at a time), so the AES unit works on many
/// blocks per call; an address's tail does not depend on the others.
fn tails(perm: &Permutation, canonicals: &[&str]) -> Vec<String> {
    struct Address {
        n: usize,
        sizes: Vec<usize>,
        values: Vec<u128>,
        domains: Vec<Domain>,
    }
    let mut addresses: Vec<Address> = canonicals
        .iter()
        .map(|canonical| {
            let symbols = symbols(canonical);
            let sizes = block_sizes(symbols.len());
            let mut values: Vec<u128> = Vec::with_capacity(sizes.len());
            let mut start = 0;
            for &size in &sizes {
                values.push(symbols[start..start + size].iter().fold(0u128, |acc, &s| acc * RADIX + u128::from(s)));
                start += size;
            }
            let domains = sizes.iter().map(|&k| Domain::new(RADIX.pow(k as u32))).collect();
            Address { n: symbols.len(), sizes, values, domains }
        })
        .collect();
    // The forward pass's blocks depend only on the plain blocks: all permuted side by side.
    let mut forward: Vec<(u64, Domain, u128)> = Vec::new();
    for a in &addresses {
        forward.extend(
            (0..a.values.len())
                .map(|i| (block_tweak(b"email/forward", a.n, i, &a.values[..i]), a.domains[i], a.values[i])),
        );
    }
    perm.permute_many(&mut forward);
    let mut images = forward.into_iter();
    for a in &mut addresses {
        for (value, (_, _, y)) in a.values.iter_mut().zip(images.by_ref()) {
            *value = y;
        }
    }
    // Backward, the last block first: step `k` permutes every address's `k`-th block from the end.
    let most = addresses.iter().map(|a| a.values.len()).max().unwrap_or(0);
    for k in 0..most {
        let mut asked: Vec<(usize, usize)> = Vec::new();
        let mut backward: Vec<(u64, Domain, u128)> = Vec::new();
        for (j, a) in addresses.iter().enumerate() {
            let Some(i) = a.values.len().checked_sub(k + 1) else { continue };
            asked.push((j, i));
            backward.push((block_tweak(b"email/backward", a.n, i, &a.values[i + 1..]), a.domains[i], a.values[i]));
        }
        perm.permute_many(&mut backward);
        for ((j, i), (_, _, y)) in asked.into_iter().zip(backward) {
            addresses[j].values[i] = y;
        }
    }
    addresses
        .iter()
        .map(|a| {
            let mut out = String::new();
            for (value, &size) in a.values.iter().zip(&a.sizes) {
                base36(*value, widths()[size], &mut out);
            }
            out
        })
        .collect()
}

/// Whether `domain` is one of the reserved domains or below one.
pub fn is_reserved_domain(domain: &str) -> bool {
    let d = domain.to_ascii_lowercase();
    RESERVED_DOMAINS.iter().any(|r| d == *r || d.strip_suffix(r).is_some_and(|head| head.ends_with('.')))
}

/// A name written as a word of a local part: ASCII letters and digits only (`Van den Bossche`
/// -> `vandenbossche`, `Lefèvre` -> `lefevre`).
pub fn local_word(name: &str) -> String {
    crate::refdata::fold(name).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The keyed pseudonym of an address (ASCII case-insensitive: `A@B.BE` and `a@b.be` agree;
/// distinct addresses get distinct pseudonyms). The local part is `name.tail`: `name` is the
/// row's fake names when given (`pierre.laurent`, words of `[a-z0-9]` joined by dots), else a
/// keyed pick; the tail, after the last dot, carries the address, so the pseudonym stays
/// distinct whatever the name. The local part stays within 64 characters: the name part shrinks
/// for long addresses (to its last word, then to nothing), and a tail longer than that continues
/// in labels of a subdomain of the reserved domain.
pub fn pseudonymise_text(state: &Hmac<Sha256>, perm: &Permutation, text: &str, name: Option<&str>) -> Option<String> {
    pseudonymise_many(state, perm, &[(text, name)]).pop().flatten()
}

/// `pseudonymise_text` of many addresses (each with its row's name), their tails computed
/// together (`tails`).
pub fn pseudonymise_many(
    state: &Hmac<Sha256>,
    perm: &Permutation,
    items: &[(&str, Option<&str>)],
) -> Vec<Option<String>> {
    // ASCII letters only are folded: Unicode folding merges distinct characters (the Kelvin sign
    // and `k`, the Angstrom sign and `å`), and two addresses would share a pseudonym.
    let canonicals: Vec<Option<String>> =
        items.iter().map(|(text, _)| is_email(text).then(|| text.trim().to_ascii_lowercase())).collect();
    let valid: Vec<&str> = canonicals.iter().flatten().map(String::as_str).collect();
    let mut tails = tails(perm, &valid).into_iter();
    items
        .iter()
        .zip(&canonicals)
        .map(|((_, name), canonical)| {
            let canonical = canonical.as_deref()?;
            Some(written(state, canonical, *name, &tails.next()?))
        })
        .collect()
}

/// The pseudonym of the address `canonical` given its tail.
fn written(state: &Hmac<Sha256>, canonical: &str, name: Option<&str>, tail: &str) -> String {
    let mut mac = state.clone();
    mac.update(canonical.as_bytes());
    let h = mac.finalize().into_bytes();
    let pick = |i: usize, n: usize| u16::from_le_bytes([h[i], h[i + 1]]) as usize % n;
    let keyed = format!("{}.{}", FIRST[pick(0, FIRST.len())], LAST[pick(2, LAST.len())]);
    let name = name.filter(|n| {
        !n.is_empty() && n.split('.').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric()))
    });
    let name = name.unwrap_or(&keyed);
    let domain = RESERVED_DOMAINS[pick(6, RESERVED_DOMAINS.len())];
    let last = name.rsplit('.').next().unwrap_or(name);
    let named = [format!("{name}.{tail}"), format!("{last}.{tail}")];
    if let Some(local) = named.into_iter().find(|l| l.len() <= MAX_LOCAL) {
        return format!("{local}@{domain}");
    }
    let (local, rest) = tail.split_at(tail.len().min(MAX_LOCAL));
    let labels: Vec<&str> = rest.as_bytes().chunks(MAX_LABEL).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    if labels.is_empty() {
        format!("{local}@{domain}")
    } else {
        format!("{local}@{}.{domain}", labels.join("."))
    }
}

/// RFC 5321's limits: a local part of 64 characters, a domain label of 63.
const MAX_LOCAL: usize = 64;
const MAX_LABEL: usize = 63;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;

    #[test]
    fn widths_grow_with_every_symbol() {
        let lengths: Vec<usize> = (1..=200).map(|n| block_sizes(n).iter().map(|&k| width(k)).sum()).collect();
        assert!(block_sizes(24).iter().all(|&k| k == 12) && block_sizes(200).iter().all(|&k| k >= 20));
        assert!(lengths.windows(2).all(|w| w[0] < w[1]), "the digits' length tells the symbol count");
        assert!(RADIX.checked_pow(BLOCK as u32).is_some(), "a block's domain fits u128");
    }

    #[test]
    fn base36_writes_every_digit_of_the_block() {
        let by_digit = |mut v: u128, width: usize| {
            let mut digits = vec![b'0'; width];
            for slot in digits.iter_mut().rev() {
                *slot = b"0123456789abcdefghijklmnopqrstuvwxyz"[(v % 36) as usize];
                v /= 36;
            }
            String::from_utf8(digits).unwrap()
        };
        let mut v = 1u128;
        for k in 1..=BLOCK {
            let top = RADIX.pow(k as u32) - 1;
            for value in [0, 1, 35, 36, v % top, top / 2, top - 1, top] {
                let mut out = String::new();
                base36(value, widths()[k], &mut out);
                assert_eq!(out, by_digit(value, width(k)), "{value} in {k} symbols");
            }
            v = v.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(k as u128) >> 3;
        }
    }

    #[test]
    fn many_addresses_get_the_tails_they_get_alone() {
        let key = Key::from_hex(&"17".repeat(32), "t").unwrap();
        let perm = Permutation::new(&key.subkey("email"));
        let state = key.subkey("email/keyed").hmac();
        // One to five blocks, invalid ones in between, names or none.
        let addresses: Vec<String> = (0..300)
            .map(|i| match i % 5 {
                0 => format!("a{i}@x.be"),
                1 => format!("{}@telenet.be", "jan.peeters.".repeat(1 + i % 9)),
                2 => format!("not an address {i}"),
                3 => format!("Élodie.{i}+tag@Example-{}.org", "z".repeat(i % 70)),
                _ => format!("{}{i}@{}.com", "x".repeat(i % 120), "y".repeat(i % 30)),
            })
            .collect();
        let items: Vec<(&str, Option<&str>)> =
            addresses.iter().enumerate().map(|(i, a)| (a.as_str(), (i % 3 == 0).then_some("marie.dubois"))).collect();
        let many = pseudonymise_many(&state, &perm, &items);
        assert!(many.iter().filter(|p| p.is_none()).count() == 60);
        for ((text, name), together) in items.iter().zip(&many) {
            let alone = pseudonymise_many(&state, &perm, &[(text, *name)]).pop().flatten();
            assert_eq!(&alone, together, "{text}");
            let canonical = text.trim().to_ascii_lowercase();
            if let Some(p) = together {
                // A long tail continues after `@`, in labels: compared without the dots.
                let letters: String = p.chars().filter(char::is_ascii_alphanumeric).collect();
                assert!(letters.contains(&tail_one_block_at_a_time(&perm, &canonical)), "{p}");
            }
        }
    }

    /// The tail as the two passes define it, one block after the other (not side by side).
    fn tail_one_block_at_a_time(perm: &Permutation, canonical: &str) -> String {
        let symbols = symbols(canonical);
        let sizes = block_sizes(symbols.len());
        let mut values: Vec<u128> = Vec::new();
        let mut start = 0;
        for &size in &sizes {
            values.push(symbols[start..start + size].iter().fold(0u128, |acc, &s| acc * RADIX + u128::from(s)));
            start += size;
        }
        let domains: Vec<Domain> = sizes.iter().map(|&k| Domain::new(RADIX.pow(k as u32))).collect();
        let plain = values.clone();
        for i in 0..values.len() {
            values[i] =
                perm.permute(block_tweak(b"email/forward", symbols.len(), i, &plain[..i]), &domains[i], plain[i]);
        }
        for i in (0..values.len()).rev() {
            let t = block_tweak(b"email/backward", symbols.len(), i, &values[i + 1..]);
            values[i] = perm.permute(t, &domains[i], values[i]);
        }
        let mut out = String::new();
        for (value, &size) in values.iter().zip(&sizes) {
            let mut v = *value;
            let mut digits = vec![b'0'; width(size)];
            for slot in digits.iter_mut().rev() {
                *slot = b"0123456789abcdefghijklmnopqrstuvwxyz"[(v % 36) as usize];
                v /= 36;
            }
            out.push_str(std::str::from_utf8(&digits).unwrap());
        }
        out
    }

    #[test]
    fn escapes_are_a_prefix_code() {
        assert_eq!(symbols("a.b"), vec![0, 36, 1]);
        assert_eq!(symbols("é").len(), 5);
        assert_ne!(symbols("é+"), symbols("+é"));
    }

    #[test]
    fn distinct_addresses_get_distinct_numbers_even_when_close() {
        let key = Key::from_hex(&"17".repeat(32), "t").unwrap();
        let perm = Permutation::new(&key.subkey("email"));
        let state = key.subkey("email/keyed").hmac();
        let mut seen = std::collections::HashSet::new();
        let long = "a.very.long.address.beyond.one.block.of.symbols.and.past.sixty.four.characters";
        for local in ["jan", "jan1", "jan.1", "jan_1", "jän", "j", long] {
            for domain in ["telenet.be", "skynet.be", "x.org"] {
                let out = pseudonymise_text(&state, &perm, &format!("{local}@{domain}"), None).unwrap();
                let (l, d) = out.rsplit_once('@').unwrap();
                assert!(is_email(&out) && l.len() <= MAX_LOCAL && is_reserved_domain(d), "{out}");
                assert!(d.split('.').all(|label| label.len() <= MAX_LABEL), "{out}");
                assert!(seen.insert(out.clone()), "{out} twice");
            }
        }
        assert!(is_reserved_domain("x1.example.com") && !is_reserved_domain("badexample.com"));
        let k = |a: &str| pseudonymise_text(&state, &perm, a, None).unwrap();
        assert_ne!(k("k@x.be"), k("\u{212a}@x.be"), "the Kelvin sign is not a k");
        assert_eq!(k("K@X.be"), k("k@x.BE"));
    }

    #[test]
    fn tails_share_nothing_with_a_shared_beginning_or_domain() {
        let key = Key::from_hex(&"17".repeat(32), "t").unwrap();
        let perm = Permutation::new(&key.subkey("email"));
        let tails =
            tails(&perm, &["an.peeters.1990@telenet.be", "jo.maes.19900@telenet.be", "an.peeters.1990@skynet.be"]);
        for (i, a) in tails.iter().enumerate() {
            for b in &tails[i + 1..] {
                let same_end = a.chars().rev().zip(b.chars().rev()).take_while(|(x, y)| x == y).count();
                let same_start = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
                assert!(same_end < 4 && same_start < 4, "{a} / {b}");
            }
        }
    }
}

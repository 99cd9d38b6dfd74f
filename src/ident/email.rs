//! E-mail addresses: a realistic keyed local part (`first.last42`) in a domain reserved by
//! RFC 2606, so no test mail can ever reach a person.

use hmac::{Hmac, Mac};
use sha2::Sha256;

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

/// The keyed pseudonym of an address (case-insensitive: `A@B.BE` and `a@b.be` agree).
pub fn pseudonymise_text(state: &Hmac<Sha256>, text: &str) -> Option<String> {
    if !is_email(text) {
        return None;
    }
    let mut mac = state.clone();
    mac.update(text.trim().to_lowercase().as_bytes());
    let h = mac.finalize().into_bytes();
    let pick = |i: usize, n: usize| u16::from_le_bytes([h[i], h[i + 1]]) as usize % n;
    Some(format!(
        "{}.{}{}@{}",
        FIRST[pick(0, FIRST.len())],
        LAST[pick(2, LAST.len())],
        pick(4, 1000),
        RESERVED_DOMAINS[pick(6, RESERVED_DOMAINS.len())]
    ))
}

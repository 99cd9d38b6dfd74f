//! Identifiers inside free text: one pass per cell with one combined automaton (a single regex
//! with one alternative per shape); every candidate is validated (check digits, numbering plan),
//! so amounts, dates and codes are not taken for identifiers. `free_text`, `scan`, `check` and
//! `verify` all find identifiers through this one function.

use std::sync::OnceLock;

use regex::Regex;

use super::Kind;
use crate::ident::{email, exid, iban::Iban, inami::Inami, niss::Niss, phone::Phone};

/// Digits of the shortest identifier without `@` this module finds (a Belgian landline).
const MIN_DIGITS: usize = 8;

/// One validated identifier inside a text: byte range and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

fn automaton() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?:[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})",
            r"|(?:\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?\b)",
            r"|(?:(?:\+|\b00|\b0|\b\d)[\d ./()-]{6,20}\d\b)",
        ))
        .unwrap_or_else(|e| unreachable!("the free-text pattern is valid: {e}"))
    })
}

/// The kind of a run of digits found in prose (NISS, INAMI, phone, EXID, in that order of
/// trust), `None` if it validates as none of them. `exid` is the table's EXID check, if the
/// table has an EXID column: only then is a bare 9-13 digit number taken for a member number.
pub fn number_kind(m: &str, exid: Option<exid::Check>) -> Option<Kind> {
    if Niss::parse(m, false).is_some() {
        return Some(Kind::Niss);
    }
    // In prose, only the full 11-digit INAMI form counts: 8 digits with separators is a date.
    if m.chars().filter(char::is_ascii_digit).count() == 11 && !m.contains('/') && Inami::parse(m).is_some() {
        return Some(Kind::Inami);
    }
    if Phone::parse(m).is_some() {
        return Some(Kind::Phone);
    }
    match exid {
        Some(check)
            if m.bytes().all(|b| b.is_ascii_digit()) && (9..=13).contains(&m.len()) && exid::is_valid(m, check) =>
        {
            Some(Kind::Exid)
        }
        _ => None,
    }
}

/// Every validated identifier in `text`, in order, not overlapping.
pub fn find_identifiers(text: &str, exid: Option<exid::Check>) -> Vec<Found> {
    let mut found = Vec::new();
    // Cheap exit: every identifier found here is an e-mail or has at least 8 digits (the
    // shortest is a Belgian landline, 0 + 8), so amounts, codes and short ids skip the automaton.
    if !text.contains('@') && text.bytes().filter(u8::is_ascii_digit).count() < MIN_DIGITS {
        return found;
    }
    let bytes = text.as_bytes();
    // `find_iter` runs the fast DFA; which alternative matched shows in the match itself
    // (only e-mails hold `@`, only IBANs start with letters).
    for m in automaton().find_iter(text) {
        let value = m.as_str();
        if value.contains('@') {
            if email::is_email(value) {
                found.push(Found { start: m.start(), end: m.end(), kind: Kind::Email });
            }
            continue;
        }
        if value.as_bytes()[0].is_ascii_alphabetic() {
            if Iban::parse(value).is_some() {
                found.push(Found { start: m.start(), end: m.end(), kind: Kind::Iban });
            }
            continue;
        }
        // Numbers glued to other tokens (`+++697/0824/46002+++`, `abc123`) are not identifiers.
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        let glued = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b"/+@_".contains(&b));
        if glued(before) || glued(after) {
            continue;
        }
        // A run of digits and separators may hold several numbers ("85073003328 85073006197"):
        // take the longest prefix that validates, else drop the first token, and go on.
        let mut start = m.start();
        while start < m.end() {
            let span = &text[start..m.end()];
            let ends: Vec<usize> = span
                .char_indices()
                .filter(|(i, c)| c.is_ascii_digit() && span[i + 1..].chars().next().is_none_or(|n| !n.is_ascii_digit()))
                .map(|(i, _)| i + 1)
                .collect();
            let hit = ends.iter().rev().find_map(|&end| number_kind(&span[..end], exid).map(|kind| (end, kind)));
            match hit {
                Some((end, kind)) => {
                    found.push(Found { start, end: start + end, kind });
                    start += end;
                }
                None => match span.find(|c: char| !c.is_ascii_digit() && c != '+') {
                    Some(sep) => start += sep + 1,
                    None => break,
                },
            }
            while start < m.end() && !bytes[start].is_ascii_digit() && bytes[start] != b'+' {
                start += 1;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        find_identifiers(text, None).into_iter().map(|f| (f.kind, &text[f.start..f.end])).collect()
    }

    #[test]
    fn finds_validated_identifiers_and_leaves_amounts_dates_and_references() {
        let text =
            "Lid belde op 12/03/2024 ivm 68,50 EUR (code 101010); INSZ 85.07.30-033.28, rek. BE71 0961 2345 6769, \
                    gsm 0475 12 34 56, mail jan.peeters@telenet.be, ref +++697/0824/46002+++";
        assert_eq!(
            kinds(text),
            [
                (Kind::Niss, "85.07.30-033.28"),
                (Kind::Iban, "BE71 0961 2345 6769"),
                (Kind::Phone, "0475 12 34 56"),
                (Kind::Email, "jan.peeters@telenet.be"),
            ]
        );
    }

    #[test]
    fn a_wrong_check_digit_is_not_an_identifier() {
        // The mistyped NISS is no NISS (its tail happens to be a valid landline number: scrubbing it is harmless).
        let found = kinds("INSZ 85.07.30-033.29 en BE71 0961 2345 6768");
        assert!(found.iter().all(|(k, _)| *k != Kind::Niss && *k != Kind::Iban), "{found:?}");
        assert!(kinds("rek. BE71 0961 2345 6768 en 85073003329").is_empty());
    }

    #[test]
    fn exid_only_when_the_table_has_one() {
        assert!(find_identifiers("lid 509000000004", None).is_empty());
        let found = find_identifiers("lid 509000000004", Some(exid::Check::None));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::Exid);
    }
}

//! Identifiers inside free text. Candidates first, then validation, never one greedy span:
//! e-mails and IBANs (every registry length, cut only where a group or a letter/digit change
//! ends), IPv6, then runs of digit groups (`numbers`), where what the text says is something
//! else (dates, amounts, payment references) is claimed first and every combination of whole
//! groups is tried, the search restarting right after each hit. `people` finds other people's
//! names and street addresses. `free_text`, `scan` and `check` find identifiers here; `verify`
//! deliberately does not (it looks up normalised windows of every cell instead).

pub mod numbers;
pub mod people;

use std::sync::OnceLock;

use regex::Regex;

use super::Kind;
use crate::ident::{email, exid, iban};

/// How an identifier found in text is written, when not in one of its kind's own spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A valid identifier of its kind.
    Exact,
    /// An 11-digit NISS shape with a plausible birth date whose check digits fail (a typo): it
    /// still points at its holder, so it is replaced like a NISS.
    NearMiss,
    /// An old Belgian account number (`bbb-nnnnnnn-cc`), the BBAN of a Belgian IBAN.
    Account,
}

/// One identifier inside a text: byte range, kind and form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub form: Form,
}

/// Characters that separate the groups of one identifier as people write them: space, tab,
/// no-break space, narrow no-break space, thin space, dot, dash, slash.
pub const SEPARATORS: [char; 8] = [' ', '\t', '\u{a0}', '\u{202f}', '\u{2009}', '.', '-', '/'];

/// Whether `c` separates the groups of one identifier.
pub fn is_separator(c: char) -> bool {
    SEPARATORS.contains(&c)
}

/// `text` with every separator written as a plain space or as itself (dot, dash, slash), so the
/// identifier parsers see their usual spellings; the alphanumerics keep their order.
pub fn plain(text: &str) -> String {
    text.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect()
}

fn email_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .unwrap_or_else(|e| unreachable!("the e-mail pattern is valid: {e}"))
    })
}

fn ipv6_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}")
            .unwrap_or_else(|e| unreachable!("the IPv6 pattern is valid: {e}"))
    })
}

/// Every identifier in `text`, in order, not overlapping. `exid` is the table's EXID check, if
/// the table has an EXID column: only then is a bare 9-13 digit number taken for a member number.
pub fn find_identifiers(text: &str, exid: Option<exid::Check>) -> Vec<Found> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    // Cheap exit: everything found here is an e-mail or has at least four digits.
    if !bytes.contains(&b'@') && bytes.iter().filter(|b| b.is_ascii_digit()).take(4).count() < 4 {
        return found;
    }
    if bytes.contains(&b'@') {
        for m in email_pattern().find_iter(text) {
            if email::is_email(m.as_str()) {
                found.push(Found { start: m.start(), end: m.end(), kind: Kind::Email, form: Form::Exact });
            }
        }
    }
    find_ibans(text, &mut found);
    if bytes.contains(&b':') {
        for m in ipv6_pattern().find_iter(text) {
            let glued = |i: Option<&u8>| i.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b':');
            if m.as_str().matches(':').count() >= 2
                && !glued(m.start().checked_sub(1).and_then(|i| bytes.get(i)))
                && !glued(bytes.get(m.end()))
                && m.as_str().parse::<std::net::Ipv6Addr>().is_ok()
                && !overlaps(&found, m.start(), m.end())
            {
                found.push(Found { start: m.start(), end: m.end(), kind: Kind::Ip, form: Form::Exact });
            }
        }
    }
    found.sort_by_key(|f| f.start);
    let claimed: Vec<(usize, usize)> = found.iter().map(|f| (f.start, f.end)).collect();
    found.extend(numbers::find(text, &claimed, exid));
    found.sort_by_key(|f| f.start);
    found
}

fn overlaps(found: &[Found], start: usize, end: usize) -> bool {
    found.iter().any(|f| f.start < end && start < f.end)
}

/// IBANs: two letters and two digits at a word start, then alphanumeric groups joined by one
/// separator; every registry length for the country is tried (15-34 for an unknown country),
/// ending only where a group ends or letters and digits meet, so a following word is never
/// swallowed.
fn find_ibans(text: &str, found: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if !(starts_word
            && bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && bytes[i + 2].is_ascii_digit()
            && bytes[i + 3].is_ascii_digit())
            || overlaps(found, i, i + 4)
        {
            i += 1;
            continue;
        }
        // The alphanumerics from here on: (byte offset after the character, whether a cut may
        // fall there); at most 34 of them.
        let mut chars: Vec<(usize, bool)> = Vec::with_capacity(34);
        let mut compact = String::with_capacity(34);
        let mut pos = i;
        while chars.len() < 34 {
            let Some(c) = text[pos..].chars().next() else { break };
            if c.is_ascii_alphanumeric() {
                compact.push(c.to_ascii_uppercase());
                pos += 1;
                chars.push((pos, true));
                continue;
            }
            // One separator between groups, then more alphanumerics.
            let next = text[pos + c.len_utf8()..].chars().next();
            if is_separator(c) && c != '/' && next.is_some_and(|n| n.is_ascii_alphanumeric()) && !compact.is_empty() {
                pos += c.len_utf8();
                continue;
            }
            break;
        }
        let cut_ok = |n: usize| -> bool {
            let at = chars[n - 1].0;
            match text[at..].chars().next() {
                None => true,
                Some(c) if !c.is_ascii_alphanumeric() => true,
                Some(c) => c.is_ascii_digit() != compact.as_bytes()[n - 1].is_ascii_digit(),
            }
        };
        let country = &compact[..2];
        let lengths: Vec<usize> = match iban::length_of(country) {
            Some(l) => vec![l],
            None => (15..=34).rev().collect(),
        };
        let hit = lengths
            .into_iter()
            .filter(|&l| l <= compact.len() && cut_ok(l))
            .find(|&l| crate::ident::iban::Iban::parse(&compact[..l]).is_some());
        match hit {
            Some(l) => {
                let end = chars[l - 1].0;
                found.push(Found { start: i, end, kind: Kind::Iban, form: Form::Exact });
                i = end;
            }
            None => i += 1,
        }
    }
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
    fn an_iban_followed_by_a_short_word_is_found_whole() {
        for text in [
            "Rekening BE71 0961 2345 6769 van de moeder",
            "Rekening BE71096123456769 op naam",
            "rek. be71 0961 2345 6769 en verder",
            "Rekening BE71\u{a0}0961\u{a0}2345\u{a0}6769 ok",
        ] {
            let found = kinds(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, Kind::Iban);
            assert!(found[0].1.ends_with("6769"), "{text}: {found:?}");
        }
        let found = kinds("IBAN NL91ABNA0417164300 en GB82 WEST 1234 5698 7654 32 bevestigd");
        assert_eq!(found.iter().filter(|f| f.0 == Kind::Iban).count(), 2, "{found:?}");
    }

    #[test]
    fn a_wrong_check_digit_is_not_a_valid_identifier() {
        let found = find_identifiers("rek. BE71 0961 2345 6768", None);
        assert!(found.iter().all(|f| f.kind != Kind::Iban), "{found:?}");
    }

    #[test]
    fn exid_only_when_the_table_has_one() {
        assert!(find_identifiers("lid 509000000004", None).iter().all(|f| f.kind != Kind::Exid));
        let found = find_identifiers("lid 509000000004", Some(exid::Check::None));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::Exid);
    }

    #[test]
    fn ip_addresses() {
        assert_eq!(
            kinds("vanaf 192.168.10.25 en 2001:db8::8a2e:370:7334."),
            [(Kind::Ip, "192.168.10.25"), (Kind::Ip, "2001:db8::8a2e:370:7334")]
        );
        assert!(kinds("om 14:30:00 gebeld").is_empty());
    }
}

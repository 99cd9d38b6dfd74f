//! Identifiers inside free text. Candidates first, then validation, never one greedy span:
//! e-mails and IBANs (the country's registry length, cut only where a group or a letter/digit
//! change ends), IPv6, then runs of digit groups (`numbers`), where what the text says is something
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
    /// Byte offset where the identifier starts (a `+` included).
    pub start: usize,
    /// Byte offset right after its last character.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
    /// How it is written.
    pub form: Form,
}

/// Characters that separate the groups of one identifier as people write them: any white space
/// (space, tab, no-break, narrow no-break and thin spaces, a line break), dot, slash, dash
/// (also the hyphen, non-breaking hyphen and en dash of word processors) and underscore.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace() || is_dash(c) || matches!(c, '.' | '/' | '_')
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}')
}

/// Whether the text between two groups keeps them in one written identifier: one separator,
/// two white spaces (`\r\n`, a double space), a dash or slash with a white space (a line break
/// after a dash) or between two spaces (`0475 / 12 34 56`), or the brackets of `+32 (0)475`. A
/// dot or comma before a space ends a sentence or a list instead.
pub fn joins(between: &str) -> bool {
    let mut chars = between.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(c), None, None) => is_separator(c) || c == '(' || c == ')',
        (Some(a), Some(b), None) => {
            let mark = |c: char| is_dash(c) || c == '/' || c == '(' || c == ')';
            (a.is_whitespace() && b.is_whitespace())
                || (a.is_whitespace() && mark(b) && b != ')')
                || (mark(a) && a != '(' && b.is_whitespace())
        }
        // `0475 / 12 34 56`, `850730 - 033 - 28`.
        (Some(a), Some(b), Some(c)) => chars.next().is_none() && a == ' ' && c == ' ' && (is_dash(b) || b == '/'),
        _ => false,
    }
}

/// `text` with every white space written as a plain space and every dash or underscore as `-`,
/// so the identifier parsers see their usual spellings; the alphanumerics keep their order.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_whitespace() {
                ' '
            } else if is_dash(c) || c == '_' {
                '-'
            } else {
                c
            }
        })
        .collect()
}

fn email_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}")
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

/// `text` with full-width digits and letters (`０４７５`, as some keyboards and PDFs write them)
/// in ASCII, so they are read like any other; borrowed when there are none.
pub fn ascii_width(text: &str) -> std::borrow::Cow<'_, str> {
    let wide = |c: char| {
        ('\u{ff10}'..='\u{ff19}').contains(&c)
            || ('\u{ff21}'..='\u{ff3a}').contains(&c)
            || ('\u{ff41}'..='\u{ff5a}').contains(&c)
    };
    if !text.chars().any(wide) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars().map(|c| if wide(c) { char::from_u32(c as u32 - 0xfee0).unwrap_or(c) } else { c }).collect()
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
    // E-mails come first; an IBAN or address found over one is dropped (never two replacements
    // over the same bytes).
    let mut last = 0;
    found.retain(|f| {
        let keep = f.start >= last;
        if keep {
            last = f.end;
        }
        keep
    });
    let claimed: Vec<(usize, usize)> = found.iter().map(|f| (f.start, f.end)).collect();
    found.extend(numbers::find(text, &claimed, exid));
    found.sort_by_key(|f| f.start);
    found
}

fn overlaps(found: &[Found], start: usize, end: usize) -> bool {
    found.iter().any(|f| f.start < end && start < f.end)
}

/// IBANs: two letters and two digits, then alphanumeric groups joined as numbers are; the
/// registry length of the country is tried, ending only where a group ends or letters and
/// digits meet, so a following word is never swallowed.
fn find_ibans(text: &str, found: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        // A country code, then its check digits (after one separator at most: `NL 48 ABNA`).
        // The code may be glued to a word (`rekBE21...`): the checks decide.
        if !(bytes[i].is_ascii_alphabetic() && bytes[i + 1].is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let gap =
            if bytes[i + 2].is_ascii_digit() { 0 } else { text[i + 2..].chars().next().map_or(0, char::len_utf8) };
        let digits_at = i + 2 + gap;
        let before_letter = i > 0 && bytes[i - 1].is_ascii_alphabetic();
        if !(bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && (gap == 0 || text[i + 2..].chars().next().is_some_and(is_separator))
            && bytes.get(digits_at).is_some_and(u8::is_ascii_digit)
            && bytes.get(digits_at + 1).is_some_and(u8::is_ascii_digit)
            && !(before_letter && bytes[i].is_ascii_lowercase() && bytes[i - 1].is_ascii_uppercase()))
            || (i > 0 && bytes[i - 1].is_ascii_digit())
            || overlaps(found, i, digits_at + 2)
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
            // A separator between groups (as numbers join them), then more alphanumerics.
            let gap_end =
                text[pos..].char_indices().find(|(_, g)| !is_separator(*g)).map_or(text.len(), |(at, _)| pos + at);
            let next = text[gap_end..].chars().next();
            if joins(&text[pos..gap_end]) && next.is_some_and(|n| n.is_ascii_alphanumeric()) && !compact.is_empty() {
                pos = gap_end;
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
        // The registry length of the country (an unknown country is no IBAN: with every length
        // tried, one in five words-and-numbers would pass mod 97 by chance). Letters only where
        // banks put them: a bank code of up to four letters opening the BBAN (`GB82 WEST`,
        // `nl91abna`), digits after it (`de 12 maart` is no IBAN).
        // France, Monaco, Italy and San Marino allow letters inside the account number too
        // (`FR14 2004 1010 0505 0001 3M02 606`), when the country code is written in capitals.
        let letters_anywhere = bytes[i].is_ascii_uppercase() && ["FR", "MC", "IT", "SM"].contains(&&compact[..2]);
        let letters_ok = |l: usize| {
            let bban = &compact.as_bytes()[4..l];
            let letters = bban.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let digits = bban.iter().filter(|b| b.is_ascii_digit()).count();
            (letters <= 4 && bban[letters..].iter().all(u8::is_ascii_digit)) || (letters_anywhere && digits >= 10)
        };
        let hit = iban::length_of(&compact[..2])
            .filter(|&l| l <= compact.len() && cut_ok(l) && letters_ok(l))
            .filter(|&l| crate::ident::iban::Iban::parse(&compact[..l]).is_some());
        match hit.map(|l| chars[l - 1].0).filter(|&end| !overlaps(found, i, end)) {
            Some(end) => {
                found.push(Found { start: i, end, kind: Kind::Iban, form: Form::Exact });
                i = end;
            }
            None => i += 1,
        }
    }
}

/// Byte spans of a text already claimed (by a replacement, a mention), kept as disjoint merged intervals
/// (start -> end), so whether a new span overlaps one is a lookup, not a scan.
#[derive(Default)]
pub struct Spans(std::collections::BTreeMap<usize, usize>);

impl Spans {
    /// Whether `[start, end)` overlaps no claimed span.
    pub fn free(&self, start: usize, end: usize) -> bool {
        // The claimed span that starts last before `end` is the only one that can reach into it.
        self.0.range(..end).next_back().is_none_or(|(_, &e)| e <= start)
    }

    /// Claims `[start, end)`, merged with the spans it touches.
    pub fn insert(&mut self, mut start: usize, mut end: usize) {
        while let Some((&s, &e)) = self.0.range(..=end).next_back() {
            if e < start {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            self.0.remove(&s);
        }
        self.0.insert(start, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claimed_spans_answer_overlaps_as_a_scan_would() {
        // Against a plain scan over the same spans, on a deterministic mix of spans.
        let mut taken = crate::detect::text::Spans::default();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % n) as usize
        };
        for _ in 0..2000 {
            let start = next(500);
            let end = start + 1 + next(12);
            let scan = !spans.iter().any(|&(s, e)| s < end && start < e);
            assert_eq!(taken.free(start, end), scan, "[{start}, {end}) against {spans:?}");
            if next(3) == 0 {
                taken.insert(start, end);
                spans.push((start, end));
            }
        }
        assert!(spans.len() > 100);
    }

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
        for text in [
            "rekBE71096123456769",
            "IBAN BE71  0961  2345  6769",
            "BE71/0961/2345/6769",
            "BE71\u{2013}0961\u{2013}2345\u{2013}6769",
            "IBAN NL 91 ABNA 0417 1643 00.",
            "FR14 2004 1010 0505 0001 3M02 606",
        ] {
            assert_eq!(kinds(text).first().map(|f| f.0), Some(Kind::Iban), "{text}");
        }
        // Words and numbers after a country-like word are no IBAN, whatever mod 97 says.
        assert!(kinds("op 12/03/2024 ivm 68 en de 12 maart 2024 om 10 u 30").iter().all(|f| f.0 != Kind::Iban));
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

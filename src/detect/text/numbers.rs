//! Runs of digit groups in prose (`85.07.30-033.28`, `0475 12 34 56`, `001-1234567-27`): the
//! groups of a run are joined as people join them (`text::joins`). Dates, amounts and
//! payment references (OGM) are claimed first; then, from each group on, every combination of
//! whole groups is tried, longest first, against the kinds in order of trust; the search
//! restarts right after each hit, so an adjacent identifier is never lost.

use super::{joins, plain, Form, Found};
use crate::detect::Kind;
use crate::ident::{exid, iban, inami::Inami, kbo, niss::Niss, phone::Phone};

/// Digits of the longest number tried (an international phone number written with `00`).
const MAX_DIGITS: usize = 15;

/// One group of ASCII digits: byte range.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// A run of groups; `seps[k]` is the text between groups `k` and `k + 1`.
struct Run<'t> {
    text: &'t str,
    groups: Vec<Group>,
    seps: Vec<&'t str>,
    /// Byte offset of a `+` written before the first group.
    plus: Option<usize>,
}

/// Every identifier written as a run of digit groups in `text`, outside the `claimed` ranges.
pub fn find(text: &str, claimed: &[(usize, usize)], exid: Option<exid::Check>) -> Vec<Found> {
    let mut found = Vec::new();
    for run in runs(text, claimed) {
        run.scan(exid, &mut found);
    }
    found
}

fn runs<'t>(text: &'t str, claimed: &[(usize, usize)]) -> Vec<Run<'t>> {
    let bytes = text.as_bytes();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(&(_, end)) = claimed.iter().find(|(s, e)| *s <= i && i < *e) {
            i = end;
            continue;
        }
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() && !claimed.iter().any(|(s, _)| *s == i) {
                i += 1;
            }
            groups.push(Group { start, end: i });
        } else {
            i += 1;
        }
    }
    let mut runs: Vec<Run> = Vec::new();
    for g in groups {
        if let Some(run) = runs.last_mut() {
            let last = run.groups[run.groups.len() - 1];
            let between = &text[last.end..g.start];
            if joins(between) {
                run.seps.push(between);
                run.groups.push(g);
                continue;
            }
        }
        let plus = (g.start > 0 && bytes[g.start - 1] == b'+').then(|| g.start - 1);
        runs.push(Run { text, groups: vec![g], seps: Vec::new(), plus });
    }
    runs
}

/// Whether `text` starts (`after`) or ends (else) with a currency written as a word of its own:
/// `€`, `EUR`, `euro`, `euros` (not `DEMANDEUR`, not `europese`).
fn is_currency(text: &str, after: bool) -> bool {
    let part = |c: char| c.is_alphabetic() || c == '€';
    let word = if after {
        &text[..text.find(|c: char| !part(c)).unwrap_or(text.len())]
    } else {
        &text[text.rfind(|c: char| !part(c)).map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8))..]
    };
    word == "€" || ["eur", "euro", "euros"].iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// A valid calendar date with a four-digit year in 1800-2199.
fn is_date(day: &str, month: &str, year: &str) -> bool {
    let (Ok(d), Ok(m), Ok(y)) = (day.parse::<u32>(), month.parse::<u32>(), year.parse::<u32>()) else {
        return false;
    };
    year.len() == 4 && (1800..2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// Whether the first six digits read as a birth date or a BIS date (month +20/+40, 0 unknown).
fn plausible_birth(six: &str) -> bool {
    let month: u32 = six[2..4].parse().unwrap_or(99);
    let day: u32 = six[4..6].parse().unwrap_or(99);
    matches!(month, 0..=12 | 20..=32 | 40..=52) && day <= 31
}

impl Run<'_> {
    fn group(&self, k: usize) -> &str {
        &self.text[self.groups[k].start..self.groups[k].end]
    }

    fn lens(&self, i: usize, j: usize) -> Vec<usize> {
        self.groups[i..=j].iter().map(Group::len).collect()
    }

    /// Whether all separators between groups `i..=j` are `sep`.
    fn all_seps(&self, i: usize, j: usize, sep: &[&str]) -> bool {
        self.seps[i..j].iter().all(|s| sep.contains(&plain(s).as_str()))
    }

    /// Marks what the text says is something else: dates, amounts, payment references.
    fn claims(&self) -> Vec<bool> {
        let n = self.groups.len();
        let mut claimed = vec![false; n];
        let mut i = 0;
        while i < n {
            // Dates: d/m/yyyy, d.m.yyyy, d-m-yyyy, yyyy-mm-dd, one separator throughout.
            if i + 2 < n && self.seps[i] == self.seps[i + 1] && ["/", ".", "-"].contains(&self.seps[i]) {
                let (a, b, c) = (self.group(i), self.group(i + 1), self.group(i + 2));
                let date = (a.len() <= 2 && b.len() <= 2 && is_date(a, b, c))
                    || (a.len() == 4 && b.len() <= 2 && c.len() <= 2 && is_date(c, b, a));
                if date {
                    claimed[i..=i + 2].fill(true);
                    i += 3;
                    continue;
                }
            }
            // Payment references: 3, 4 and 5 digits (`+++090/9337/55493+++`, `090 9337 55493`).
            if i + 2 < n && self.lens(i, i + 2) == [3, 4, 5] {
                claimed[i..=i + 2].fill(true);
                i += 3;
                continue;
            }
            i += 1;
        }
        // Amounts: a group followed by a decimal comma, or next to a currency word; with the
        // groups of three before it that make its thousands.
        for i in 0..n {
            let g = self.groups[i];
            let digits = self.group(i);
            // An amount has at most seven digits before its decimals and no leading zero.
            if g.len() > 7 || (digits.starts_with('0') && g.len() > 1) {
                continue;
            }
            let after = &self.text[g.end..];
            let before = self.text[..g.start].trim_end_matches(char::is_whitespace);
            let decimals = after.strip_prefix(',').is_some_and(|rest| {
                let d = rest.bytes().take_while(u8::is_ascii_digit).count();
                (1..=2).contains(&d)
            });
            // Anything but thousands before it in the run makes it part of another number
            // (`0495 98 76 14,02`).
            let mut first = i;
            while first > 0
                && self.groups[first].len() == 3
                && [".", " "].contains(&plain(self.seps[first - 1]).as_str())
                && self.groups[first - 1].len() <= 3
            {
                first -= 1;
            }
            let alone = first == 0;
            // `EUR 12,50` or `EUR 250`, not `EUR 850730 033 28` (a number that goes on).
            let currency = is_currency(after.trim_start_matches(char::is_whitespace), true)
                || (alone && (decimals || i + 1 == n) && is_currency(before, false));
            if (decimals && alone) || currency {
                claimed[first..=i].fill(true);
            }
        }
        claimed
    }

    fn candidate(&self, i: usize, j: usize) -> (usize, usize) {
        let start = if i == 0 { self.plus.unwrap_or(self.groups[0].start) } else { self.groups[i].start };
        (start, self.groups[j].end)
    }

    /// The kind of groups `i..=j`, if they form one.
    fn kind(&self, i: usize, j: usize, exid: Option<exid::Check>) -> Option<(Kind, Form)> {
        let digits: usize = self.groups[i..=j].iter().map(Group::len).sum();
        // Every kind but IPv4 (four groups of 1-3 digits) has at least eight digits: most
        // candidates (dates, amounts, codes) stop here, before anything is allocated.
        if digits < 8 && j - i != 3 {
            return None;
        }
        let lens = self.lens(i, j);
        let (start, end) = self.candidate(i, j);
        let written = plain(&self.text[start..end]);
        let compact = lens.len() == 1;
        let has_plus = i == 0 && self.plus.is_some();
        let all: String = self.groups[i..=j].iter().map(|g| &self.text[g.start..g.end]).collect();
        // A slash writes dates and payment references: no KBO or account number spans one, and
        // a NISS only in its own groupings (`850730/033/28`).
        let no_slash = !self.seps[i..j].iter().any(|s| s.contains('/'));
        let niss_ok = no_slash || matches!(lens[..], [2, 2, 2, 3, 2] | [6, 3, 2] | [2, 2, 2, 5] | [6, 5]);
        if has_plus {
            return Phone::parse(&written).is_some().then_some((Kind::Phone, Form::Exact));
        }
        // IPv4: four groups of at most three digits joined by dots.
        // (A landline written `02.512.34.56` has the same shape and goes on to the other kinds.)
        if lens.len() == 4
            && lens.iter().all(|&l| l <= 3)
            && self.all_seps(i, j, &["."])
            && written.parse::<std::net::Ipv4Addr>().is_ok()
        {
            return Some((Kind::Ip, Form::Exact));
        }
        if digits == 11 && niss_ok && Niss::parse(&all, false).is_some() {
            return Some((Kind::Niss, Form::Exact));
        }
        // A NISS whose leading zeros a spreadsheet dropped (born 2000-2009), written compact.
        if compact && (digits == 9 || digits == 10) && !all.starts_with('0') && Niss::parse(&all, true).is_some() {
            return Some((Kind::Niss, Form::Exact));
        }
        // INAMI: 11 digits (`1-23456-78-901`, also with slashes), or the 8-digit stem and check
        // written in its own grouping (`1-38912-89`).
        let inami_shape = matches!(lens[..], [1, 5, 2, 3] | [1, 5, 2]);
        if (digits == 11 && (no_slash || inami_shape) || (digits == 8 && inami_shape))
            && Inami::parse(&written).is_some()
        {
            return Some((Kind::Inami, Form::Exact));
        }
        let be_prefix = {
            let before = self.text[..start].trim_end_matches([' ', '.']);
            before.ends_with("BE") || before.ends_with("be")
        };
        let kbo_shape = (matches!(lens[..], [4, 3, 3] | [3, 3, 3]) && self.all_seps(i, j, &["."])) || be_prefix;
        // Ten digits, or the old nine (`403.170.701`).
        if (digits == 10 || digits == 9) && kbo_shape && kbo::parse(&all).is_some() {
            return Some((Kind::Kbo, Form::Exact));
        }
        if lens[..] == [3, 7, 2] && iban::is_belgian_bban(&all) {
            return Some((Kind::Iban, Form::Account));
        }
        // Phones: the national or international prefix starts the number (a first group of at
        // most four digits, or compact), the numbering plan decides the rest.
        let first = self.group(i);
        if first.starts_with('0') && (compact || first.len() <= 4) && Phone::parse(&written).is_some() {
            return Some((Kind::Phone, Form::Exact));
        }
        if digits == 10 && no_slash && all.as_bytes()[0] <= b'1' && kbo::parse(&all).is_some() {
            return Some((Kind::Kbo, Form::Exact));
        }
        // A mistyped NISS (a valid one returned above) before a member number: an EXID rule
        // without a check takes any number.
        if digits == 11 && niss_ok && plausible_birth(&all[..6]) {
            return Some((Kind::Niss, Form::NearMiss));
        }
        if let Some(check) = exid {
            if compact && (9..=13).contains(&digits) && exid::is_valid(&all, check) {
                return Some((Kind::Exid, Form::Exact));
            }
        }
        // A bare 12-digit account number; two 6-digit nomenclature codes side by side are not one.
        if compact && digits == 12 && iban::is_belgian_bban(&all) {
            return Some((Kind::Iban, Form::Account));
        }
        None
    }

    fn scan(&self, exid: Option<exid::Check>, found: &mut Vec<Found>) {
        let claimed = self.claims();
        let n = self.groups.len();
        let mut i = 0;
        while i < n {
            if claimed[i] {
                i += 1;
                continue;
            }
            let mut last = i;
            let mut digits = self.groups[i].len();
            while last + 1 < n && !claimed[last + 1] && digits + self.groups[last + 1].len() <= MAX_DIGITS {
                last += 1;
                digits += self.groups[last].len();
            }
            let hit = (i..=last).rev().find_map(|j| self.kind(i, j, exid).map(|k| (j, k)));
            match hit {
                Some((j, (kind, form))) => {
                    let (start, end) = self.candidate(i, j);
                    found.push(Found { start, end, kind, form });
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::find_identifiers;
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, Form, &str)> {
        find_identifiers(text, None).into_iter().map(|f| (f.kind, f.form, &text[f.start..f.end])).collect()
    }

    #[test]
    fn every_separator_people_type() {
        for sep in [" ", "\t", "\u{a0}", "\u{202f}", "\u{2009}", ".", "-"] {
            let text = format!("INSZ 850730{sep}033{sep}28 bevestigd");
            let found = kinds(&text);
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            assert_eq!((found[0].0, found[0].1), (Kind::Niss, Form::Exact), "{text:?}");
            assert!(found[0].2.ends_with("28"));
        }
    }

    #[test]
    fn two_numbers_joined_are_both_found() {
        let found = kinds("INSZ 85.07.30-033.28 / 85.07.30-061.97 en tel 02 512 34 56 / 0475 12 34 56");
        let written: Vec<&str> = found.iter().map(|f| f.2).collect();
        assert_eq!(written, ["85.07.30-033.28", "85.07.30-061.97", "02 512 34 56", "0475 12 34 56"], "{found:?}");
        let found = kinds("85073003328/85073006197, 85073003328 85073006197");
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn near_misses_short_niss_and_old_accounts() {
        // One digit off: the check fails, the date is plausible.
        assert_eq!(kinds("INSZ 85.07.30-033.29.")[0].1, Form::NearMiss);
        assert_eq!(kinds("nr 85073003329")[0].1, Form::NearMiss);
        // Born 2001, leading zero lost.
        let found = kinds("INSZ 1012556701 bevestigd");
        assert_eq!((found[0].0, found[0].2), (Kind::Niss, "1012556701"), "{found:?}");
        let found = kinds("oude rekening 001-1234567-27 nog actief");
        assert!(iban::is_belgian_bban("001123456727"));
        assert_eq!((found[0].0, found[0].1, found[0].2), (Kind::Iban, Form::Account, "001-1234567-27"));
        // KBO numbers, with or without the country prefix.
        assert_eq!(kinds("onderneming 0403.170.701")[0].0, Kind::Kbo);
        assert_eq!(kinds("BTW BE0403170701")[0].0, Kind::Kbo);
    }

    #[test]
    fn dates_amounts_and_references_are_claimed_first() {
        for text in [
            "op 12/03/2024 0475 12 34 56",
            "bedrag 1.234,56 EUR, gsm 0475 12 34 56",
            "€ 1 234,56 en 0475123456",
            "ref +++090/9337/55493+++ gsm 0475/12.34.56",
        ] {
            let found = kinds(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, Kind::Phone, "{text}: {found:?}");
        }
        assert!(kinds("op 12/03/2024 om 14.30 u, 68,50 EUR, code 101010, +++090/9337/55493+++").is_empty());
    }

    #[test]
    fn what_people_type_between_groups() {
        for text in [
            "INSZ 890423  077 63 ok",
            "nr 791226\u{2013}934\u{2013}29.",
            "nr 170907\u{2011}392\u{2011}41",
            "nr 020716_545_65",
            "nr 571001-\n185-82",
            "nr 921126\r\n44904",
            "nr 050501/39436",
            "op 12.03.2024.11.03.18-716.92",
        ] {
            let found = kinds(text);
            assert!(found.iter().any(|f| f.0 == Kind::Niss), "{text:?}: {found:?}");
        }
        assert_eq!(kinds("oud nr 050/2449421/91")[0].1, Form::Account, "old account with slashes");
        assert_eq!(kinds("gsm 0486\u{2013}236273")[0].0, Kind::Phone);
        assert_eq!(kinds("KBO 403.170.701")[0].0, Kind::Kbo);
        assert_eq!(kinds("tel. 02.512.34.56")[0].0, Kind::Phone);
        assert_eq!(kinds("gsm 0475 / 12 34 56")[0].2, "0475 / 12 34 56");
        assert_eq!(kinds("zoon 850730 - 033 - 28")[0].0, Kind::Niss);
        assert_eq!(kinds("EUR 850730 033 28")[0].0, Kind::Niss);
        let typo = find_identifiers("typo 60012133116", Some(exid::Check::None));
        assert_eq!((typo[0].kind, typo[0].form), (Kind::Niss, Form::NearMiss));
    }

    #[test]
    fn currencies_are_words_of_their_own() {
        for text in [
            "Terugbetaald 68,50 EUR\n42061319449 verwerkt",
            "storting 25 EUR 04081682528",
            "NISS DU DEMANDEUR 59080216404",
            "INSZ 88032623083 europese kaart",
            "INSZ 08031377424,5 kinderen",
        ] {
            assert!(kinds(text).iter().any(|f| f.0 == Kind::Niss), "{text:?}");
        }
        let found = kinds("1.250 EUR 02 267 14 01, tel 0495 98 76 14,02 503 74 67");
        let written: Vec<&str> = found.iter().map(|f| f.2).collect();
        assert_eq!(written, ["02 267 14 01", "0495 98 76 14", "02 503 74 67"], "{found:?}");
        assert!(kinds("OGM 090 9337 55493 betaald").is_empty());
        assert!(kinds("prestaties 458075 475075 en 244275 101010 op 16/02/2019").is_empty());
    }

    #[test]
    fn phones_in_their_plan() {
        for text in ["+32 (0)475 12 34 56", "0032 475 12 34 56", "+32475123456", "02/512.34.56", "+33 1 23 45 67 89"] {
            let found = kinds(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!((found[0].0, found[0].2), (Kind::Phone, text), "{text}");
        }
    }
}

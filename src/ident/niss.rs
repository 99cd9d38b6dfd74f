//! NISS / INSZ (national register and BIS numbers): check digits with the 2000 rule, parsing
//! of the usual spellings, classification, and the keyed format-preserving pseudonym.

use super::spelling::{digits, respell};
use crate::crypto::{tweak, Call, Domain, Permutation};

/// Returns the check number (1..=97) of the first nine digits `yymmddsss`; `born_2000` selects
/// the branch with a `2` prefixed (people born in or after 2000).
pub fn check_digits(first9: u64, born_2000: bool) -> u64 {
    let n = if born_2000 { 2_000_000_000 + first9 } else { first9 };
    97 - n % 97
}

/// Returns the 11-digit number for `yymmddsss`, with its check digits.
pub fn with_check(first9: u64, born_2000: bool) -> u64 {
    first9 * 100 + check_digits(first9, born_2000)
}

/// Whether the 11 digits `digits` carry valid check digits, and for which century:
/// `Some(false)` 1900s, `Some(true)` 2000s, `None` invalid. The two branches never agree.
pub fn century(digits: u64) -> Option<bool> {
    let (first9, check) = (digits / 100, digits % 100);
    if check_digits(first9, false) == check {
        Some(false)
    } else if check_digits(first9, true) == check {
        Some(true)
    } else {
        None
    }
}

/// Writes an 11-digit number in the eID spelling `YY.MM.DD-SSS.CC`.
pub fn format_eid(digits: u64) -> String {
    let s = format!("{digits:011}");
    format!("{}.{}.{}-{}.{}", &s[0..2], &s[2..4], &s[4..6], &s[6..9], &s[9..11])
}

/// Registration class, from the month field: regular, BIS with sex unknown (+20), BIS with sex known (+40).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Regular,
    Bis20,
    Bis40,
}

impl Class {
    fn offset(self) -> u64 {
        match self {
            Class::Regular => 0,
            Class::Bis20 => 20,
            Class::Bis40 => 40,
        }
    }
}

/// A valid NISS taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Niss {
    pub digits: u64,
    pub class: Class,
    pub born_2000: bool,
    pub year: u32,
    /// Month and day as written (without the BIS offset); a real date only if `real_date`.
    pub month: u32,
    pub day: u32,
    pub serial: u32,
    pub real_date: bool,
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_in_year(year: u32) -> u32 {
    if is_leap(year) {
        366
    } else {
        365
    }
}

impl Niss {
    /// Parses 11 digits; `None` when check digits or the month field are not those of a NISS.
    pub fn from_digits(digits: u64) -> Option<Niss> {
        if digits >= 100_000_000_000 {
            return None;
        }
        let born_2000 = century(digits)?;
        let yy = (digits / 1_000_000_000) as u32;
        let month_field = ((digits / 10_000_000) % 100) as u32;
        let day = ((digits / 100_000) % 100) as u32;
        let serial = ((digits / 100) % 1000) as u32;
        let (class, month) = match month_field {
            0..=12 => (Class::Regular, month_field),
            20..=32 => (Class::Bis20, month_field - 20),
            40..=52 => (Class::Bis40, month_field - 40),
            _ => return None,
        };
        let year = if born_2000 { 2000 + yy } else { 1900 + yy };
        let real_date = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        Some(Niss { digits, class, born_2000, year, month, day, serial, real_date })
    }

    /// Parses any usual spelling (`85073003328`, `85.07.30-033.28`, `850730 033 28`...);
    /// `pad_short` accepts 9 or 10 digits whose leading zeros a spreadsheet dropped.
    pub fn parse(text: &str, pad_short: bool) -> Option<Niss> {
        let trimmed = text.trim();
        if trimmed.is_empty() || !trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ' ' | '/')) {
            return None;
        }
        let d = digits(trimmed);
        let ok_len = d.len() == 11 || (pad_short && (d.len() == 9 || d.len() == 10));
        if !ok_len {
            return None;
        }
        Niss::from_digits(d.parse().ok()?)
    }
}

/// What a pseudonym keeps of the original (`keep:` option of the `niss` rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NissKeep {
    pub sex: bool,
    pub birth_year: bool,
}

impl Default for NissKeep {
    fn default() -> Self {
        NissKeep { sex: true, birth_year: true }
    }
}

/// Last birth year a pseudonym may get when the year is not kept: a fixed bound (so pseudonyms
/// do not change with the calendar) that validators comparing with today's year accept.
const LAST_FREE_YEAR: u32 = 2025;

/// How serials are walked in a domain cell.
struct Cell {
    /// Serial parity kept (`Some(1)` odd, `Some(0)` even) or any serial 001-998.
    parity: Option<u32>,
}

impl Cell {
    fn serials(&self) -> u128 {
        if self.parity.is_some() {
            499
        } else {
            998
        }
    }

    fn serial_index(&self, serial: u32) -> u128 {
        match self.parity {
            Some(1) => (serial as u128 - 1) / 2,
            Some(_) => (serial as u128 - 2) / 2,
            None => serial as u128 - 1,
        }
    }

    fn serial_at(&self, index: u128) -> u32 {
        match self.parity {
            Some(1) => (index * 2 + 1) as u32,
            Some(_) => (index * 2 + 2) as u32,
            None => (index + 1) as u32,
        }
    }
}

/// The keyed pseudonym of a NISS: same class, century and (by default) sex and birth year; a
/// real date when the input's was; serial 001-998; valid check digits. A bijection on the
/// numbers it accepts; `None` for serials 000 and 999, which are never assigned (an anomaly the
/// rule's `on_invalid` handles).
pub fn pseudonymise(perm: &Permutation, keep: NissKeep, n: &Niss) -> Option<u64> {
    let pending = Pending::new(keep, n)?;
    let (tweak, domain, index) = pending.call;
    Some(pending.complete(perm.permute(tweak, &domain, index)))
}

/// `pseudonymise` of many numbers at once (`None` in, `None` out): their permutations run side
/// by side (`Permutation::permute_prepared`), so the AES unit encrypts many blocks per call instead
/// of waiting for each of a value's 24 rounds in turn.
pub fn pseudonymise_many(perm: &Permutation, keep: NissKeep, numbers: &[Option<Niss>]) -> Vec<Option<u64>> {
    let prepared = numbers
        .iter()
        .map(|n| {
            n.as_ref().and_then(|n| Pending::new(keep, n)).map(|p| {
                let call = p.call;
                (p, Some(call))
            })
        })
        .collect();
    perm.permute_prepared(prepared).into_iter().map(|p| p.and_then(|(pending, y)| Some(pending.complete(y?)))).collect()
}

/// A NISS on its way to its pseudonym: the one permutation it takes (tweak, domain, index) and
/// what turns the permuted index back into a number.
struct Pending {
    call: Call,
    cell: Cell,
    born_2000: bool,
    shape: Shape,
}

enum Shape {
    /// No real birth date: `YYMMDD` kept, the serial permuted.
    Undated { yymmdd: u64 },
    /// A birth date and serial drawn among the years `first..`, in the class of `offset`.
    Dated { first: u32, offset: u64 },
}

impl Pending {
    fn new(keep: NissKeep, n: &Niss) -> Option<Pending> {
        let parity = keep.sex.then_some(n.serial % 2);
        if !(1..=998).contains(&n.serial) {
            return None;
        }
        let class_tag = [n.class.offset() as u8, n.born_2000 as u8];
        let cell = Cell { parity };
        if !n.real_date {
            // Unknown or fictitious dates (month or day 00, 000001, exhausted counters): keep
            // YYMMDD, permute the serial among those of the same parity.
            let yymmdd = n.digits / 100_000;
            let t = tweak(&[b"niss/undated", &class_tag, &yymmdd.to_le_bytes(), &[parity.map_or(2, |p| p as u8)]]);
            return Some(Pending {
                call: (t, Domain::new(cell.serials()), cell.serial_index(n.serial)),
                cell,
                born_2000: n.born_2000,
                shape: Shape::Undated { yymmdd },
            });
        }
        let years = if keep.birth_year {
            (n.year, n.year)
        } else if n.born_2000 && n.year <= LAST_FREE_YEAR {
            (2000, LAST_FREE_YEAR)
        } else if n.born_2000 {
            (n.year, n.year)
        } else {
            (1900, 1999)
        };
        let mut days_before = 0u128;
        for y in years.0..n.year {
            days_before += days_in_year(y) as u128;
        }
        let day_of_year: u32 = (1..n.month).map(|m| days_in_month(n.year, m)).sum::<u32>() + n.day - 1;
        let total_days: u128 = (years.0..=years.1).map(|y| days_in_year(y) as u128).sum();
        let index = (days_before + day_of_year as u128) * cell.serials() + cell.serial_index(n.serial);
        let t = tweak(&[
            b"niss/dated",
            &class_tag,
            &years.0.to_le_bytes(),
            &years.1.to_le_bytes(),
            &[parity.map_or(2, |p| p as u8)],
        ]);
        Some(Pending {
            call: (t, Domain::new(total_days * cell.serials()), index),
            cell,
            born_2000: n.born_2000,
            shape: Shape::Dated { first: years.0, offset: n.class.offset() },
        })
    }

    /// The pseudonym, given the permuted index.
    fn complete(&self, out: u128) -> u64 {
        let cell = &self.cell;
        let first9 = match self.shape {
            Shape::Undated { yymmdd } => yymmdd * 1000 + cell.serial_at(out) as u64,
            Shape::Dated { first, offset } => {
                let (mut day_index, serial_index) = ((out / cell.serials()) as u32, out % cell.serials());
                let mut year = first;
                while day_index >= days_in_year(year) {
                    day_index -= days_in_year(year);
                    year += 1;
                }
                let mut month = 1;
                while day_index >= days_in_month(year, month) {
                    day_index -= days_in_month(year, month);
                    month += 1;
                }
                let day = day_index + 1;
                (((year % 100) as u64 * 100 + month as u64 + offset) * 100 + day as u64) * 1000
                    + cell.serial_at(serial_index) as u64
            }
        };
        with_check(first9, self.born_2000)
    }
}

/// Pseudonymises the NISS written as `text` and writes it the same way; `None` if `text` is not
/// a valid NISS. 9- and 10-digit values (lost leading zeros) are accepted when `pad_short`.
pub fn pseudonymise_text(perm: &Permutation, keep: NissKeep, text: &str, pad_short: bool) -> Option<String> {
    let n = Niss::parse(text, pad_short)?;
    write_like(text, pseudonymise(perm, keep, &n)?)
}

/// `pseudonymise_text` of many texts at once, the permutations side by side (`pseudonymise_many`).
pub fn pseudonymise_texts(perm: &Permutation, keep: NissKeep, texts: &[&str], pad_short: bool) -> Vec<Option<String>> {
    let numbers: Vec<Option<Niss>> = texts.iter().map(|t| Niss::parse(t, pad_short)).collect();
    let pseudonyms = pseudonymise_many(perm, keep, &numbers);
    texts.iter().zip(pseudonyms).map(|(text, p)| p.and_then(|p| write_like(text, p))).collect()
}

/// The pseudonym `pseudonym` of the NISS `text`, written as `text` is (separators, and the
/// leading zeros a spreadsheet dropped, dropped too when the pseudonym has them).
fn write_like(text: &str, pseudonym: u64) -> Option<String> {
    let out = format!("{pseudonym:011}");
    let written = digits(text.trim()).len();
    let drop = 11 - written;
    if drop > 0 {
        if out[..drop].bytes().all(|b| b == b'0') {
            return respell(text, &out[drop..]);
        }
        return Some(out);
    }
    respell(text, &out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;

    fn perm(byte: u8) -> Permutation {
        Permutation::new(&Key::from_hex(&format!("{byte:02x}").repeat(32), "t").unwrap().subkey("niss"))
    }

    // Vectors verified with python-stdnum 2.2 (shared/reference/belgian-identifiers.md, 1.8).
    #[test]
    fn published_vectors_validate_in_their_century() {
        for (n, born_2000) in [
            (85073003328u64, false),
            (17073003384, true),
            (93051822361, false),
            (42012205181, false),
            (10100105, true),
            (10100173, false),
            (5010101497, true),
            (85073006197, false),
            (98472899765, false),
            (1490700185, true),
            (5431500280, true),
        ] {
            assert_eq!(century(n), Some(born_2000), "{n:011}");
        }
    }

    #[test]
    fn published_invalid_vectors_are_refused() {
        for n in [66041066600u64, 12345678901, 85073003329, 85133000105, 66641066692, 85823000103] {
            assert!(Niss::from_digits(n).is_none(), "{n:011}");
        }
        assert!(Niss::parse("0010100105", false).is_none());
        assert!(Niss::parse("0010100105", true).is_some());
        assert!(Niss::parse("+32470123456", true).is_none());
    }

    #[test]
    fn classifies_bis_and_unknown_dates() {
        let bis40 = Niss::parse("98472899765", false).unwrap();
        assert_eq!((bis40.class, bis40.year, bis40.month, bis40.real_date), (Class::Bis40, 1998, 7, true));
        let bis20 = Niss::parse("99200199926", false).unwrap();
        assert_eq!((bis20.class, bis20.real_date), (Class::Bis20, false));
        assert!(!Niss::parse("00000100195", false).unwrap().real_date);
        assert!(!Niss::parse("85023000125", false).unwrap().real_date, "30 February");
    }

    #[test]
    fn eid_spelling() {
        assert_eq!(format_eid(85073003328), "85.07.30-033.28");
        assert_eq!(format_eid(10100105), "00.01.01-001.05");
    }

    #[test]
    fn spelling_is_kept_and_spellings_agree() {
        let p = perm(1);
        let keep = NissKeep::default();
        let plain = pseudonymise_text(&p, keep, "85073003328", false).unwrap();
        let eid = pseudonymise_text(&p, keep, "85.07.30-033.28", false).unwrap();
        let spaced = pseudonymise_text(&p, keep, "850730 033 28", false).unwrap();
        assert_eq!(eid, format_eid(plain.parse().unwrap()));
        assert_eq!(digits(&spaced), plain);
        assert_ne!(plain, "85073003328");
    }

    #[test]
    fn short_values_are_padded_and_written_back_short() {
        let p = perm(1);
        let out = pseudonymise_text(&p, NissKeep::default(), "10100105", true);
        assert!(out.is_none(), "8 digits are not a NISS");
        let out = pseudonymise_text(&p, NissKeep::default(), "010100105", true).unwrap();
        assert_eq!(out.len(), 9);
        let full = pseudonymise_text(&p, NissKeep::default(), "00010100105", true).unwrap();
        assert_eq!(format!("00{out}"), full);
    }

    #[test]
    fn keeps_class_sex_year_century_and_real_dates() {
        let p = perm(2);
        for text in
            ["85073003328", "17073003384", "98472899765", "05431500280", "85273000106", "00000100195", "75000000122"]
        {
            let n = Niss::parse(text, false).unwrap();
            let out = Niss::from_digits(pseudonymise(&p, NissKeep::default(), &n).unwrap()).unwrap();
            assert_eq!(out.class, n.class, "{text}");
            assert_eq!(out.born_2000, n.born_2000, "{text}");
            assert_eq!(out.year, n.year, "{text}");
            assert_eq!(out.serial % 2, n.serial % 2, "{text}");
            assert_eq!(out.real_date, n.real_date, "{text}");
            assert!((1..=998).contains(&out.serial));
        }
    }
}

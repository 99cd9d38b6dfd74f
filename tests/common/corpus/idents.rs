//! Identifier arithmetic and spellings for the corpus, from `reference/belgian-identifiers.md`:
//! NISS/BIS (2000 rule), IBAN (mod 97, registry lengths, Belgian national check), old accounts,
//! INAMI, KBO, phones (Belgian numbering plan), e-mail, IPv4, and the values that must stay.

use std::ops::RangeInclusive;

use super::{Category, Gen, Lang, SplitMix};

/// Assigned Belgian bank protocol numbers, as (first, last) ranges (NBB list, as sampled in the
/// reference notes).
const BANK_CODES: &[(u64, u64)] = &[
    (0, 49),
    (50, 99),
    (103, 108),
    (310, 310),
    (363, 363),
    (390, 390),
    (419, 419),
    (435, 435),
    (630, 630),
    (645, 645),
    (735, 735),
    (750, 750),
    (890, 890),
    (979, 979),
];

const NBSP: char = '\u{a0}';
const NARROW_NBSP: char = '\u{202f}';
const THIN_SPACE: char = '\u{2009}';

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `97 - n mod 97` over the first 9 digits, with the `2` prefix for people born in or after 2000.
pub fn niss_check(first9: u64, born_2000s: bool) -> u64 {
    let n = if born_2000s { 2_000_000_000 + first9 } else { first9 };
    97 - n % 97
}

/// True when 11 digits pass the NISS check in either century.
pub fn niss_checks(digits: &str) -> bool {
    let Ok(n) = digits.parse::<u64>() else { return false };
    digits.len() == 11 && [false, true].iter().any(|&c| niss_check(n / 100, c) == n % 100)
}

/// A valid NISS born in `years`: a real date, serial 001-998, one in ten a BIS number (+20 or +40).
pub fn niss(r: &mut SplitMix, years: RangeInclusive<u64>) -> String {
    let year = r.between(*years.start(), *years.end());
    let month = r.between(1, 12);
    let day = r.between(1, days_in_month(year, month));
    let shown_month = match r.below(20) {
        0 => month + 20,
        1 => month + 40,
        _ => month,
    };
    let first9 = ((year % 100) * 10_000 + shown_month * 100 + day) * 1000 + r.between(1, 998);
    format!("{first9:09}{:02}", niss_check(first9, year >= 2000))
}

/// A NISS in one of the spellings seen in notes.
fn spell_niss(r: &mut SplitMix, d: &str) -> String {
    let sep = r.pick(&[NBSP, NARROW_NBSP, THIN_SPACE, '\t']);
    let (yy, mm, dd, sss, cc) = (&d[0..2], &d[2..4], &d[4..6], &d[6..9], &d[9..11]);
    match r.below(9) {
        0 | 1 => d.to_string(),
        2 => format!("{yy}.{mm}.{dd}-{sss}.{cc}"),
        3 => format!("{yy}{mm}{dd} {sss} {cc}"),
        4 => format!("{yy}{mm}{dd}-{sss}-{cc}"),
        5 => format!("{yy} {mm} {dd} {sss} {cc}"),
        6 => format!("{yy}{mm}{dd}{sep}{sss}{sep}{cc}"),
        7 => format!("{yy}{sep}{mm}{sep}{dd}{sep}{sss}{sep}{cc}"),
        _ => format!("{yy}.{mm}.{dd}{sep}{sss}.{cc}"),
    }
}

/// Remainder mod 97 of a string of digits and letters (A = 10 ... Z = 35).
fn mod97(s: &str) -> u64 {
    s.chars().fold(0, |acc, c| match c.to_digit(36) {
        Some(v) if v < 10 => (acc * 10 + u64::from(v)) % 97,
        Some(v) => (acc * 100 + u64::from(v)) % 97,
        None => acc,
    })
}

/// The IBAN of `country` and `bban`, with its mod 97-10 check digits.
pub fn iban(country: &str, bban: &str) -> String {
    format!("{country}{:02}{bban}", 98 - mod97(&format!("{bban}{country}00")))
}

/// True when an IBAN passes ISO 7064 mod 97-10.
pub fn iban_checks(compact: &str) -> bool {
    compact.len() > 4 && mod97(&format!("{}{}", &compact[4..], &compact[..4])) == 1
}

/// Registry length of the IBANs this corpus writes.
pub fn iban_length(country: &str) -> Option<usize> {
    match country {
        "BE" => Some(16),
        "NL" => Some(18),
        "LU" => Some(20),
        "DE" | "GB" => Some(22),
        "FR" => Some(27),
        _ => None,
    }
}

/// `first10 mod 97`, 97 when 0: the Belgian national check (accounts, OGM).
pub fn national_check(first10: u64) -> u64 {
    match first10 % 97 {
        0 => 97,
        n => n,
    }
}

/// A Belgian BBAN: assigned bank code, 7-digit account, national check.
fn be_bban(r: &mut SplitMix) -> String {
    let (low, high) = r.pick(BANK_CODES);
    let first10 = r.between(low, high) * 10_000_000 + r.below(10_000_000);
    format!("{first10:010}{:02}", national_check(first10))
}

fn digits(r: &mut SplitMix, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + r.below(10) as u8)).collect()
}

/// A foreign IBAN (NL, FR, DE, LU, GB) of the registry length.
fn foreign_iban(r: &mut SplitMix) -> String {
    match r.below(5) {
        0 => iban("NL", &format!("{}{}", r.pick(&["ABNA", "INGB", "RABO", "SNSB", "TRIO"]), digits(r, 10))),
        1 => {
            let bank: u64 = r.pick(&["30004", "30003", "20041", "10278", "30002"]).parse().unwrap_or(30004);
            let (branch, account) = (r.below(100_000), r.below(100_000_000_000));
            let key = 97 - (89 * bank + 15 * branch + 3 * account) % 97;
            iban("FR", &format!("{bank:05}{branch:05}{account:011}{key:02}"))
        }
        2 => iban("DE", &format!("{}{}", r.pick(&["37040044", "10070000", "50010517", "20050550"]), digits(r, 10))),
        3 => iban("LU", &format!("{}{}", r.pick(&["001", "002", "003", "014", "019"]), digits(r, 13))),
        _ => iban("GB", &format!("{}{}", r.pick(&["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]), digits(r, 14))),
    }
}

/// An IBAN compact, in groups of four (spaces or no-break spaces), or lowercase.
fn spell_iban(r: &mut SplitMix, compact: &str) -> String {
    let grouped = |sep: &str| {
        compact.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(sep)
    };
    match r.below(10) {
        0..=2 => compact.to_string(),
        3..=5 => grouped(" "),
        6 => grouped("\u{a0}"),
        7 => compact.to_lowercase(),
        8 => grouped(" ").to_lowercase(),
        _ => grouped("\u{202f}"),
    }
}

/// A mobile number (046x-049x): (written, national digits without the trunk 0).
fn mobile(r: &mut SplitMix) -> (String, String) {
    let prefix = r.pick(&[
        460, 465, 466, 467, 468, 470, 471, 472, 473, 474, 475, 476, 477, 478, 479, 483, 484, 485, 486, 487, 488, 489,
        490, 491, 492, 493, 494, 495, 496, 497, 498, 499,
    ]);
    let s = format!("{:06}", r.below(1_000_000));
    let (a, b, c) = (&s[0..2], &s[2..4], &s[4..6]);
    let written = match r.below(10) {
        0 | 1 => format!("0{prefix} {a} {b} {c}"),
        2 => format!("0{prefix}/{a}.{b}.{c}"),
        3 => format!("0{prefix}{s}"),
        4 => format!("+32 {prefix} {a} {b} {c}"),
        5 => format!("+32 (0){prefix} {a} {b} {c}"),
        6 => format!("0032 {prefix} {a} {b} {c}"),
        7 => format!("+32{prefix}{s}"),
        8 => format!("0{prefix}/{a} {b} {c}"),
        _ => format!("0{prefix}.{a}.{b}.{c}"),
    };
    (written, format!("{prefix}{s}"))
}

/// A landline: a 1-digit zone (02, 03, 04, 09) and 7 digits, or a 2-digit zone and 6 digits.
fn landline(r: &mut SplitMix) -> (String, String) {
    let (zone, s) = if r.chance(50) {
        let zone = r.pick(&[2u64, 2, 3, 4, 9]);
        let first = match zone {
            2 | 3 => r.between(2, 7),
            _ => r.between(2, 3),
        };
        (zone, format!("{first}{:06}", r.below(1_000_000)))
    } else {
        let zone = r.pick(&[
            10u64, 11, 12, 13, 14, 15, 16, 19, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 63, 64, 65, 67, 69, 71,
            80, 81, 82, 83, 84, 85, 86, 87, 89,
        ]);
        (zone, format!("{}{:05}", r.between(2, 8), r.below(100_000)))
    };
    // The subscriber number in groups: 3-2-2 after a 1-digit zone, 2-2-2 after a 2-digit one.
    let cut = s.len() - 4;
    let (a, b, c) = (&s[..cut], &s[cut..cut + 2], &s[cut + 2..]);
    let written = match r.below(6) {
        0 | 1 => format!("0{zone} {a} {b} {c}"),
        2 => format!("0{zone}/{a}.{b}.{c}"),
        3 => format!("0{zone}{s}"),
        4 => format!("+32 {zone} {a} {b} {c}"),
        _ => format!("0{zone}/{a} {b} {c}"),
    };
    (written, format!("{zone}{s}"))
}

/// Lowercase ASCII letters of a name, for e-mail local parts (`Frédéric` -> `frederic`).
fn ascii_fold(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'à' | 'â' | 'ä' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'î' | 'ï' => Some('i'),
            'ô' | 'ö' => Some('o'),
            'ù' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

impl Gen {
    /// A valid NISS or BIS number in one of its spellings.
    pub(crate) fn niss(&mut self) -> String {
        let d = niss(&mut self.rng, 1930..=2024);
        let written = spell_niss(&mut self.rng, &d);
        self.plant(Category::Niss, written, d)
    }

    /// A NISS-shaped value with a plausible date whose check digits fail: one digit of the serial
    /// or of the check digits off by one to nine.
    pub(crate) fn niss_mistyped(&mut self) -> String {
        let valid = niss(&mut self.rng, 1935..=2020);
        let mistyped = loop {
            let mut d = valid.clone().into_bytes();
            let i = self.rng.between(6, 10) as usize;
            d[i] = b'0' + (d[i] - b'0' + self.rng.between(1, 9) as u8) % 10;
            let d = String::from_utf8(d).unwrap_or_default();
            if !niss_checks(&d) {
                break d;
            }
        };
        let written = spell_niss(&mut self.rng, &mistyped);
        self.plant(Category::NissMistyped, written, mistyped)
    }

    /// A NISS born 2001-2009 written as 10 bare digits (its leading zero lost).
    pub(crate) fn niss_short(&mut self) -> String {
        let d = niss(&mut self.rng, 2001..=2009);
        let short = d[1..].to_string();
        self.plant(Category::NissShort, short.clone(), short)
    }

    /// A Belgian IBAN in one of its spellings.
    pub(crate) fn iban(&mut self) -> String {
        let compact = iban("BE", &be_bban(&mut self.rng));
        let written = spell_iban(&mut self.rng, &compact);
        self.plant(Category::Iban, written, compact)
    }

    /// A foreign IBAN in one of its spellings.
    pub(crate) fn foreign_iban(&mut self) -> String {
        let compact = foreign_iban(&mut self.rng);
        let written = spell_iban(&mut self.rng, &compact);
        self.plant(Category::ForeignIban, written, compact)
    }

    /// An old Belgian account number `bbb-nnnnnnn-cc` (sometimes with spaces).
    pub(crate) fn old_account(&mut self) -> String {
        let d = be_bban(&mut self.rng);
        let written = if self.rng.chance(80) {
            format!("{}-{}-{}", &d[0..3], &d[3..10], &d[10..12])
        } else {
            format!("{} {} {}", &d[0..3], &d[3..10], &d[10..12])
        };
        self.plant(Category::OldAccount, written, d)
    }

    /// A Belgian phone number: mobile six times in ten, else a landline.
    pub(crate) fn phone(&mut self) -> String {
        let (written, national) = if self.rng.chance(60) { mobile(&mut self.rng) } else { landline(&mut self.rng) };
        self.plant(Category::Phone, written, national)
    }

    /// An e-mail address built from held-out names, at a common Belgian or webmail provider.
    pub(crate) fn email(&mut self) -> String {
        let (first, last) = (ascii_fold(self.first_name(None)), ascii_fold(&self.surname()));
        let local = match self.rng.below(6) {
            0 | 1 => format!("{first}.{last}"),
            2 => format!("{first}{last}{}", self.rng.between(1, 99)),
            3 => format!("{}.{last}", &first[..1]),
            4 => format!("{last}.{first}"),
            _ => format!("{first}_{last}"),
        };
        let domain = self.rng.pick(&[
            "telenet.be",
            "skynet.be",
            "proximus.be",
            "gmail.com",
            "hotmail.com",
            "outlook.be",
            "yahoo.fr",
            "live.be",
        ]);
        let address = format!("{local}@{domain}");
        let written = if self.rng.chance(20) {
            let mut c = address.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        } else {
            address.clone()
        };
        self.plant(Category::Email, written, address)
    }

    /// An INAMI/RIZIV number with its mod 97 check, `X-XXXXX-CC-QQQ` or compact.
    pub(crate) fn inami(&mut self) -> String {
        let first6 = self.rng.pick(&[1u64, 1, 1, 3, 4, 5, 6]) * 100_000 + self.rng.below(100_000);
        let check = 97 - first6 % 97;
        let qualification = self.rng.pick(&["000", "001", "003", "004", "005", "006", "010", "470", "490", "580"]);
        let d = format!("{first6:06}{check:02}{qualification}");
        let written = if self.rng.chance(60) {
            format!("{}-{}-{}-{}", &d[0..1], &d[1..6], &d[6..8], &d[8..11])
        } else {
            d.clone()
        };
        self.plant(Category::Inami, written, d)
    }

    /// A KBO/BCE enterprise number: `0403.170.701`, `BE0403170701`, `BE 0403.170.701` or bare.
    pub(crate) fn kbo(&mut self) -> String {
        let first8 = if self.rng.chance(85) {
            self.rng.between(2_000_000, 9_999_999)
        } else {
            10_000_000 + self.rng.below(300_000)
        };
        let d = format!("{first8:08}{:02}", 97 - first8 % 97);
        let dotted = format!("{}.{}.{}", &d[0..4], &d[4..7], &d[7..10]);
        let written = match self.rng.below(5) {
            0 | 1 => dotted,
            2 => format!("BE{d}"),
            3 => format!("BE {dotted}"),
            _ => d.clone(),
        };
        self.plant(Category::Kbo, written, d)
    }

    /// A public-looking IPv4 address.
    pub(crate) fn ip(&mut self) -> String {
        let first = self.rng.pick(&[31u64, 37, 46, 62, 78, 81, 84, 85, 91, 94, 109, 141, 178, 193, 195, 212, 213, 217]);
        // Octets of two and three digits: the canonical digits are too long to appear by chance.
        let written = format!(
            "{first}.{}.{}.{}",
            self.rng.between(10, 255),
            self.rng.between(10, 255),
            self.rng.between(100, 254)
        );
        let canonical = written.replace('.', "");
        self.plant(Category::Ip, written, canonical)
    }

    /// An amount: `68,50 EUR`, `€ 1.234,56`, `1 234,56 €` (space, no-break or narrow no-break).
    pub(crate) fn amount(&mut self) -> String {
        let (units, cents) = (self.rng.between(1, 4999), self.rng.below(100));
        let grouped = |sep: &str| match units {
            u if u >= 1000 => format!("{}{sep}{:03}", u / 1000, u % 1000),
            u => u.to_string(),
        };
        let written = match self.rng.below(6) {
            0 | 1 => format!("{},{cents:02} EUR", units % 1000),
            2 => format!("€ {},{cents:02}", grouped(".")),
            3 => format!("{},{cents:02} €", grouped(self.rng.pick(&[" ", "\u{a0}", "\u{202f}"]))),
            4 => format!("EUR {},{cents:02}", grouped(".")),
            _ => format!("{},{cents:02} euro", units % 1000),
        };
        self.plant(Category::Amount, written.clone(), written)
    }

    /// A recent date: `12/03/2024`, `12.03.2024`, `2024-03-12` or `12-03-2024`.
    pub(crate) fn date(&mut self) -> String {
        let (y, m) = (self.rng.between(2019, 2025), self.rng.between(1, 12));
        let d = self.rng.between(1, days_in_month(y, m));
        let written = match self.rng.below(4) {
            0 => format!("{d:02}/{m:02}/{y}"),
            1 => format!("{d:02}.{m:02}.{y}"),
            2 => format!("{y}-{m:02}-{d:02}"),
            _ => format!("{d:02}-{m:02}-{y}"),
        };
        self.plant(Category::Date, written.clone(), written)
    }

    /// A 6-digit nomenclature code (the template writes the word before it).
    pub(crate) fn code(&mut self) -> String {
        let written = self.rng.between(101_010, 599_999).to_string();
        self.plant(Category::Nomenclature, written.clone(), written)
    }

    /// A structured payment reference: `+++090/9337/55493+++` or `***...***`, check = mod 97.
    pub(crate) fn ogm(&mut self) -> String {
        let first10 = self.rng.below(10_000_000_000);
        let d = format!("{first10:010}{:02}", national_check(first10));
        let body = format!("{}/{}/{}", &d[0..3], &d[3..7], &d[7..12]);
        let written = if self.rng.chance(70) { format!("+++{body}+++") } else { format!("***{body}***") };
        self.plant(Category::Ogm, written.clone(), written)
    }

    /// The word joining two identifiers: ` / `, `, ` or the language's `and`.
    pub(crate) fn joiner(&mut self) -> &'static str {
        let and = match self.lang {
            Lang::Nl => " en ",
            Lang::Fr => " et ",
            Lang::De => " und ",
            Lang::En => " and ",
        };
        self.rng.pick(&[" / ", ", ", and, and])
    }
}

/// True when `canonical` is a valid value of its identifier `category` by the reference rules.
pub fn valid(category: Category, canonical: &str) -> bool {
    let all_digits = canonical.bytes().all(|b| b.is_ascii_digit());
    let number = canonical.parse::<u64>().unwrap_or(0);
    match category {
        Category::Niss => niss_checks(canonical),
        Category::NissMistyped => all_digits && canonical.len() == 11 && !niss_checks(canonical),
        Category::NissShort => canonical.len() == 10 && niss_checks(&format!("0{canonical}")),
        Category::Iban => {
            canonical.len() == 16
                && canonical.starts_with("BE")
                && iban_checks(canonical)
                && canonical[4..].parse::<u64>().is_ok_and(|b| national_check(b / 100) == b % 100)
        }
        Category::ForeignIban => {
            iban_length(&canonical[..2]) == Some(canonical.len()) && &canonical[..2] != "BE" && iban_checks(canonical)
        }
        Category::OldAccount => all_digits && canonical.len() == 12 && national_check(number / 100) == number % 100,
        Category::Inami => all_digits && canonical.len() == 11 && 97 - (number / 100_000) % 97 == number / 1000 % 100,
        Category::Kbo => all_digits && canonical.len() == 10 && 97 - (number / 100) % 97 == number % 100,
        Category::Phone => {
            all_digits
                && match canonical.as_bytes()[0] {
                    b'4' if canonical.len() == 9 => (b'6'..=b'9').contains(&canonical.as_bytes()[1]),
                    _ => canonical.len() == 8,
                }
        }
        Category::Email => canonical.contains('@') && canonical == canonical.to_lowercase(),
        Category::Ip => all_digits && (9..=12).contains(&canonical.len()),
        _ => true,
    }
}

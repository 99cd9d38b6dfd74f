//! Dates as extracts write them (`YYYY-MM-DD`, `DD/MM/YYYY` with `/`, `-` or `.`, `YYYYMMDD`):
//! parsing with the layout kept, and civil-day arithmetic. A value format shared by the
//! detectors (which recognise dates) and the `date` rule (which shifts them).

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// How a date is written: which order and separator, and what follows it (a time, kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `YYYY-MM-DD` (or with `/` `.`), then anything.
    Iso(char),
    /// `DD/MM/YYYY` (or `-` `.`), then anything.
    Dmy(char),
    /// `YYYYMMDD`.
    Compact,
}

/// A date found at the start of a cell: its value, layout and the untouched rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDate<'a> {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    layout: Layout,
    rest: &'a str,
}

fn real(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && {
        let (y, m, d) = civil_from_days(days_from_civil(year, month, day));
        (y, m, d) == (year, month, day)
    }
}

/// Parses `YYYY-MM-DD[...]`, `DD/MM/YYYY[...]` (also `-` and `.`) or `YYYYMMDD`.
pub fn parse(text: &str) -> Option<ParsedDate<'_>> {
    let b = text.as_bytes();
    let num = |s: &[u8]| -> Option<u32> { std::str::from_utf8(s).ok()?.parse().ok() };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let (year, month, day, layout, used) = if b.len() >= 10
        && all_digits(&b[0..4])
        && matches!(b[4], b'-' | b'/' | b'.')
        && b[7] == b[4]
        && all_digits(&b[5..7])
        && all_digits(&b[8..10])
    {
        (num(&b[0..4])? as i64, num(&b[5..7])?, num(&b[8..10])?, Layout::Iso(b[4] as char), 10)
    } else if b.len() >= 10
        && all_digits(&b[0..2])
        && matches!(b[2], b'/' | b'-' | b'.')
        && b[5] == b[2]
        && all_digits(&b[3..5])
        && all_digits(&b[6..10])
    {
        (num(&b[6..10])? as i64, num(&b[3..5])?, num(&b[0..2])?, Layout::Dmy(b[2] as char), 10)
    } else if b.len() == 8 && all_digits(b) {
        (num(&b[0..4])? as i64, num(&b[4..6])?, num(&b[6..8])?, Layout::Compact, 8)
    } else {
        return None;
    };
    if used < b.len() && b[used].is_ascii_digit() {
        return None;
    }
    real(year, month, day).then(|| ParsedDate { year, month, day, layout, rest: &text[used..] })
}

impl ParsedDate<'_> {
    /// What follows the date in the cell (a time, usually), untouched.
    pub fn rest(&self) -> &str {
        self.rest
    }

    /// Whether what follows the date is nothing or a time of day (`13:45`, `8:05`, `T08:00:00.000Z`,
    /// ` 08:00:00+01:00`, `  8:05 PM`): the only company a date rule may keep. Anything else (a
    /// note, a NISS) makes the cell invalid for the rule.
    pub fn rest_is_time(&self) -> bool {
        let rest = self.rest.trim_end();
        if rest.is_empty() {
            return true;
        }
        let time = match rest.strip_prefix('T') {
            Some(t) => t,
            None if rest.starts_with(' ') => rest.trim_start(),
            None => return false,
        };
        let b = time.as_bytes();
        let digits_at = |i: usize, n: usize| b.len() >= i + n && b[i..i + n].iter().all(u8::is_ascii_digit);
        let value = |i: usize, n: usize| time[i..i + n].parse::<u32>().unwrap_or(99);
        // H:MM or HH:MM, then optionally :SS and a fraction.
        let hour_len = if digits_at(0, 2) {
            2
        } else if digits_at(0, 1) {
            1
        } else {
            return false;
        };
        if b.get(hour_len) != Some(&b':') || !digits_at(hour_len + 1, 2) || value(hour_len + 1, 2) > 59 {
            return false;
        }
        let hour = value(0, hour_len);
        let mut i = hour_len + 3;
        if b.get(i) == Some(&b':') {
            if !digits_at(i + 1, 2) || value(i + 1, 2) > 60 {
                return false;
            }
            i += 3;
            if matches!(b.get(i), Some(b'.' | b',')) {
                let start = i + 1;
                i = start;
                while b.get(i).is_some_and(u8::is_ascii_digit) && i - start < 9 {
                    i += 1;
                }
                if i == start {
                    return false;
                }
            }
        }
        let zone = time[i..].trim_start();
        let twelve_hour = ["AM", "PM", "am", "pm"].contains(&zone);
        if hour > 23 || (twelve_hour && !(1..=12).contains(&hour)) {
            return false;
        }
        let offset = |z: &str| {
            let digits: String = z.chars().filter(|c| *c != ':').collect();
            digits.len() == 4
                && digits.bytes().all(|c| c.is_ascii_digit())
                && digits[..2].parse::<u32>().is_ok_and(|h| h <= 14)
                && digits[2..].parse::<u32>().is_ok_and(|m| m <= 59)
                && z.matches(':').count() <= 1
        };
        zone.is_empty()
            || twelve_hour
            || zone == "Z"
            || zone == "UTC"
            || zone.strip_prefix(['+', '-']).is_some_and(offset)
    }

    /// The same layout and rest, another date.
    pub fn write(&self, year: i64, month: u32, day: u32) -> String {
        if !(0..=9999).contains(&year) || month > 99 || day > 99 {
            let date = match self.layout {
                Layout::Iso(sep) => format!("{year:04}{sep}{month:02}{sep}{day:02}"),
                Layout::Dmy(sep) => format!("{day:02}{sep}{month:02}{sep}{year:04}"),
                Layout::Compact => format!("{year:04}{month:02}{day:02}"),
            };
            return format!("{date}{}", self.rest);
        }
        // Digits pushed one by one: `format!` cost 4 % of a claims run (one date per row).
        let digit = |n: u32| char::from(b'0' + n as u8);
        let year = year as u32;
        let mut out = String::with_capacity(10 + self.rest.len());
        let push_year = |out: &mut String| {
            for d in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10] {
                out.push(digit(d));
            }
        };
        let push_two = |out: &mut String, n: u32| {
            out.push(digit(n / 10));
            out.push(digit(n % 10));
        };
        match self.layout {
            Layout::Iso(sep) => {
                push_year(&mut out);
                out.push(sep);
                push_two(&mut out, month);
                out.push(sep);
                push_two(&mut out, day);
            }
            Layout::Dmy(sep) => {
                push_two(&mut out, day);
                out.push(sep);
                push_two(&mut out, month);
                out.push(sep);
                push_year(&mut out);
            }
            Layout::Compact => {
                push_year(&mut out);
                push_two(&mut out, month);
                push_two(&mut out, day);
            }
        }
        out.push_str(self.rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_digits_one_by_one_equals_formatting() {
        for (text, layout, sep) in [
            ("2024-01-31", "iso", '-'),
            ("31/01/2024", "dmy", '/'),
            ("31.01.2024 10:00", "dmy", '.'),
            ("20240131", "compact", ' '),
        ] {
            let parsed = parse(text).expect(text);
            for (year, month, day) in
                [(2024, 2, 29), (1, 1, 1), (999, 12, 9), (9999, 10, 31), (1900, 7, 4), (10000, 1, 1), (-5, 3, 3)]
            {
                let date = match layout {
                    "iso" => format!("{year:04}{sep}{month:02}{sep}{day:02}"),
                    "dmy" => format!("{day:02}{sep}{month:02}{sep}{year:04}"),
                    _ => format!("{year:04}{month:02}{day:02}"),
                };
                assert_eq!(
                    parsed.write(year, month, day),
                    format!("{date}{}", parsed.rest),
                    "{text} {year}-{month}-{day}"
                );
            }
        }
    }
}

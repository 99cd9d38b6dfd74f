//! Dates and health fields on the demo extract: birth dates agree with the pseudonymised NISS,
//! one member's dates move by one shift in every table, ICD-10 codes are generalised.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;

fn days(y: i64, m: i64, d: i64) -> i64 {
    // Days since 1970-01-01 (Howard Hinnant's algorithm), independent of the crate.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn iso(v: &[u8]) -> i64 {
    let s = std::str::from_utf8(v).unwrap();
    days(s[0..4].parse().unwrap(), s[5..7].parse().unwrap(), s[8..10].parse().unwrap())
}

fn digits(v: &[u8]) -> String {
    v.iter().filter(|b| b.is_ascii_digit()).map(|&b| b as char).collect()
}

#[test]
fn birth_dates_follow_the_niss_and_each_member_has_one_shift() {
    let dir = tempfile::tempdir().unwrap();
    pseudata()
        .args(["sample", "--members", "1500", "--seed", "11", "--output"])
        .arg(dir.path().join("input"))
        .assert()
        .success();
    let mappings = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    let out = dir.path().join("out");
    pseudata()
        .env("PSEUDATA_KEY", KEY_A)
        .args(["run", "--quiet", "--mappings"])
        .arg(&mappings)
        .arg("--input")
        .arg(dir.path().join("input"))
        .arg("--output")
        .arg(&out)
        .assert()
        .success();
    let (m_in, m_out) = (records(&dir.path().join("input/members.csv"), b','), records(&out.join("members.csv"), b','));
    let (c_in, c_out) = (records(&dir.path().join("input/claims.csv"), b','), records(&out.join("claims.csv"), b','));
    let (birth, affiliation) = (5, 14);
    let mut shifts: HashMap<String, i64> = HashMap::new();
    let mut checked_births = 0;
    for (i, o) in m_in.iter().zip(&m_out).skip(1) {
        let n = digits(&o[0]);
        let month_field: u32 = n[2..4].parse().unwrap();
        let day: u32 = n[4..6].parse().unwrap();
        if month_field % 20 != 0 && day != 0 {
            // The pseudonymised NISS carries a date: the birth date column says the same.
            let written = std::str::from_utf8(&o[birth]).unwrap();
            assert_eq!(&written[0..2], &n[4..6], "day");
            assert_eq!(written[3..5].parse::<u32>().unwrap(), month_field % 20, "month");
            assert_eq!(&written[8..10], &n[0..2], "year");
            checked_births += 1;
        }
        // Affiliation dates are always the 1st: shifted by whole months, the day kept.
        let (a_in, a_out) =
            (std::str::from_utf8(&i[affiliation]).unwrap(), std::str::from_utf8(&o[affiliation]).unwrap());
        let months = |d: &str| d[6..10].parse::<i64>().unwrap() * 12 + d[3..5].parse::<i64>().unwrap();
        assert_eq!(&a_out[..2], &a_in[..2], "the day of the month stays");
        let moved = months(a_out) - months(a_in);
        assert!(moved != 0 && moved.abs() <= 6, "{moved} months");
    }
    assert!(checked_births > 1000, "{checked_births}");
    let mut checked_claims = 0;
    for (i, o) in c_in.iter().zip(&c_out).skip(1) {
        let shift = iso(&o[5]) - iso(&i[5]);
        assert!(shift != 0 && shift.abs() <= 30);
        let first = *shifts.entry(digits(&i[1])).or_insert(shift);
        assert_eq!(shift, first, "every claim of a member moves by the member's one shift");
        if !i[4].is_empty() {
            assert_eq!(o[4], i[4][..3], "ICD-10 category");
        }
        checked_claims += 1;
    }
    assert!(checked_claims > 5000);
}

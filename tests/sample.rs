//! `pseudata sample`: deterministic per seed, valid identifiers, the Windows dialect.

mod common;

use common::*;

fn sample(args: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    pseudata().arg("sample").args(args).arg("--output").arg(out.path()).assert().success();
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, b, c) = (
        sample(&["--members", "300", "--seed", "9"]),
        sample(&["--members", "300", "--seed", "9"]),
        sample(&["--members", "300", "--seed", "10"]),
    );
    for file in ["members.csv", "claims.csv"] {
        let read = |d: &tempfile::TempDir| std::fs::read(d.path().join(file)).unwrap();
        assert_eq!(read(&a), read(&b));
        assert_ne!(read(&a), read(&c));
    }
}

fn niss_valid(text: &[u8]) -> bool {
    let digits: String = text.iter().filter(|b| b.is_ascii_digit()).map(|&b| b as char).collect();
    if digits.len() != 11 {
        return false;
    }
    let n: u64 = digits.parse().unwrap();
    let (first9, check) = (n / 100, n % 100);
    // Independent of the crate: the published rule, both century branches.
    97 - first9 % 97 == check || 97 - (2_000_000_000 + first9) % 97 == check
}

fn iban_valid(text: &[u8]) -> bool {
    let compact: Vec<u8> = text.iter().filter(|b| !b.is_ascii_whitespace()).copied().collect();
    let rearranged = [&compact[4..], &compact[..4]].concat();
    let mut rem = 0u32;
    for b in rearranged {
        let v = (b as char).to_digit(36).unwrap();
        rem = if v < 10 { (rem * 10 + v) % 97 } else { (rem * 100 + v) % 97 };
    }
    let bban: u64 = std::str::from_utf8(&compact[4..14]).unwrap().parse().unwrap();
    let national: u64 = std::str::from_utf8(&compact[14..16]).unwrap().parse().unwrap();
    rem == 1 && (bban % 97 == national || (bban % 97 == 0 && national == 97))
}

#[test]
fn identifiers_are_valid_and_claims_join_members() {
    let out = sample(&["--members", "2000"]);
    let members = records(&out.path().join("members.csv"), b',');
    let claims = records(&out.path().join("claims.csv"), b',');
    assert_eq!(members[0][0], b"niss");
    assert_eq!(members.len(), 2001);
    let spellings: std::collections::HashSet<usize> = members.iter().skip(1).map(|m| m[0].len()).collect();
    assert!(spellings.contains(&11) && spellings.contains(&15), "plain and eID spellings");
    let mut bis = 0;
    for m in members.iter().skip(1) {
        assert!(niss_valid(&m[0]));
        assert!(iban_valid(&m[13]));
        let digits: Vec<u8> = m[0].iter().filter(|b| b.is_ascii_digit()).copied().collect();
        if digits[2] >= b'2' {
            bis += 1;
        }
    }
    assert!(bis > 20, "some BIS numbers: {bis}");
    let niss_set: std::collections::HashSet<Vec<u8>> =
        members.iter().skip(1).map(|m| m[0].iter().filter(|b| b.is_ascii_digit()).copied().collect()).collect();
    assert!(claims.len() > 8000);
    for c in claims.iter().skip(1) {
        assert!(niss_set.contains(&c[1]), "claim belongs to a member");
        let inami: u64 = std::str::from_utf8(&c[2]).unwrap().parse().unwrap();
        let (stem, check) = (inami / 100_000, (inami / 1000) % 100);
        assert!(97 - stem % 97 == check || 89 - stem % 89 == check);
    }
}

#[test]
fn windows_dialect_is_semicolon_cp1252_crlf_with_decimal_comma() {
    let out = sample(&["--members", "500", "--windows"]);
    let bytes = std::fs::read(out.path().join("members.csv")).unwrap();
    assert!(bytes.starts_with(b"niss;exid;"));
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    assert!(std::str::from_utf8(&bytes).is_err(), "accented names in Windows-1252");
    let claims = records(&out.path().join("claims.csv"), b';');
    assert!(claims.iter().skip(1).all(|c| c[6].contains(&b',')), "decimal comma");
}

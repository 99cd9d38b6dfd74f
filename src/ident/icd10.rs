//! The shape of an ICD-10(-CM/-BE) diagnosis code: a letter, two digits, optionally `.` and up to
//! four more. Shared by the detectors and the `icd10` rule.

/// Whether `code` has the shape of an ICD-10 code.
pub fn is_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_digit()
        && (b[2].is_ascii_digit() || b[2] == b'A' || b[2] == b'a')
        && match b.get(3) {
            None => true,
            Some(b'.') => b.len() > 4 && b.len() <= 8 && b[4..].iter().all(u8::is_ascii_alphanumeric),
            Some(_) => b.len() <= 7 && b[3..].iter().all(u8::is_ascii_alphanumeric),
        }
}

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

/// One ICD-10 chapter: its number, its first and last 3-character categories (ICD-10-CM
/// ranges), and its title in English, Dutch and French (`data/sheet/icd10-chapters.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    pub number: u32,
    pub first: &'static str,
    pub last: &'static str,
    /// English, Dutch, French.
    pub titles: [&'static str; 3],
}

/// The 22 chapters in code order (chapter 22, `U00-U85`, between 19 and 20).
pub fn chapters() -> &'static [Chapter] {
    static CHAPTERS: std::sync::OnceLock<Vec<Chapter>> = std::sync::OnceLock::new();
    CHAPTERS.get_or_init(|| {
        crate::refdata::tsv_rows(include_str!("../../data/sheet/icd10-chapters.tsv"))
            .filter_map(|f| {
                let [number, first, last, en, nl, fr] = f[..] else { return None };
                Some(Chapter { number: number.parse().ok()?, first, last, titles: [en, nl, fr] })
            })
            .collect()
    })
}

/// The chapter of a code (`E11.9`, `E11`) or of a chapter range as the `icd10: chapter` rule
/// writes it (`E00-E89`): by its first three characters; `None` outside every chapter.
pub fn chapter_of(code: &str) -> Option<&'static Chapter> {
    let category = code.trim().get(..3)?.to_ascii_uppercase();
    chapters().iter().find(|c| category.as_str() >= c.first && category.as_str() <= c.last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_two_chapters_in_code_order_without_overlap() {
        let all = chapters();
        assert_eq!(all.len(), 22);
        let mut numbers: Vec<u32> = all.iter().map(|c| c.number).collect();
        numbers.sort();
        assert_eq!(numbers, (1..=22).collect::<Vec<_>>());
        for pair in all.windows(2) {
            assert!(pair[0].last < pair[1].first, "{} overlaps {}", pair[0].number, pair[1].number);
        }
        for c in all {
            assert!(c.first <= c.last && c.titles.iter().all(|t| !t.is_empty()));
        }
    }

    #[test]
    fn codes_find_their_chapter() {
        // Published ICD-10-CM chapter of each code, written out here (not looked up).
        for (code, chapter) in [
            ("A09", 1),
            ("B99.9", 1),
            ("C50.9", 2),
            ("D49.2", 2),
            ("D50.0", 3),
            ("E11.9", 4),
            ("E00-E89", 4),
            ("F32.A", 5),
            ("H59.0", 7),
            ("H60.1", 8),
            ("I10", 9),
            ("J06.9", 10),
            ("O9A.1", 15),
            ("S93.401A", 19),
            ("T88.7", 19),
            ("U07.1", 22),
            ("V00.1", 20),
            ("Y99.8", 20),
            ("Z00.00", 21),
        ] {
            assert_eq!(chapter_of(code).map(|c| c.number), Some(chapter), "{code}");
        }
        for outside in ["E90", "F00", "T99", "U99", "1234", "", "E1"] {
            assert_eq!(chapter_of(outside), None, "{outside}");
        }
    }
}

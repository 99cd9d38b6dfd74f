//! A subject identifier (the column a table's rows belong to: a NISS, an EXID) as every keyed
//! per-subject choice compares it: the date shift, `--subset` and a case file's selection. One
//! normalisation, so one member is one subject in every table, however each table spells them.

/// Letters and digits only, upper case, and for an all-digit identifier its leading zeros
/// dropped (a spreadsheet drops them: `05073003328` and `5073003328` are one member).
pub fn normalise(subject: &str) -> String {
    let compact: String = subject.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
    if !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = compact.trim_start_matches('0');
        return if trimmed.is_empty() { "0".into() } else { trimmed.into() };
    }
    compact
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn spellings_of_one_subject_agree() {
        let one = normalise("85.07.30-033.28");
        for spelling in ["85073003328", " 85 07 30 033 28 ", "85/07/30-033-28"] {
            assert_eq!(normalise(spelling), one, "{spelling}");
        }
        assert_eq!(normalise("05073003328"), normalise("5073003328"));
        assert_eq!(normalise("ab-12"), "AB12");
        assert_eq!(normalise("000"), "0");
        assert_eq!(normalise(" - "), "");
        assert_ne!(normalise("A012"), normalise("A12"), "only all-digit identifiers lose zeros");
    }
}

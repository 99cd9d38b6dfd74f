//! `icd10`: keep a diagnosis code, generalise it to its 3-character category or its chapter, or
//! suppress it. Codes follow ICD-10(-CM/-BE): a letter, two digits, optionally `.` and up to 4 more.

use super::{Pseudonym, Rule, RuleError};
use crate::ident::icd10::is_code;

/// What the rule does with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icd10Level {
    Keep,
    Category,
    Chapter,
    Suppress,
}

impl Icd10Level {
    pub(super) fn parse(options: &serde_norway::Value) -> Result<Icd10Level, String> {
        match options.as_str() {
            Some("keep") => Ok(Icd10Level::Keep),
            Some("category") => Ok(Icd10Level::Category),
            Some("chapter") => Ok(Icd10Level::Chapter),
            Some("suppress") => Ok(Icd10Level::Suppress),
            _ => Err("rule `icd10` takes keep, category, chapter or suppress: `{ icd10: category }`".into()),
        }
    }
}

/// The chapter range (`E00-E89`) of a code's category (ranges in `data/sheet/icd10-chapters.tsv`).
pub fn chapter(code: &str) -> Option<String> {
    crate::ident::icd10::chapter_of(code).map(|c| format!("{}-{}", c.first, c.last))
}

/// The ICD-10 rule.
pub struct Icd10(pub Icd10Level);

impl Rule for Icd10 {
    fn apply(&self, value: &str, _inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let code = value.trim();
        if !is_code(code) {
            return Ok(Pseudonym { text: None, invalid: true });
        }
        let text = match self.0 {
            Icd10Level::Keep => Some(value.to_string()),
            Icd10Level::Category => Some(code[..3].to_string()),
            Icd10Level::Chapter => chapter(code),
            Icd10Level::Suppress => None,
        };
        Ok(Pseudonym { invalid: text.is_none() && self.0 != Icd10Level::Suppress, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalises_codes() {
        let apply = |level, v: &str| Icd10(level).apply(v, &[]).unwrap().text;
        assert_eq!(apply(Icd10Level::Category, "E11.9").as_deref(), Some("E11"));
        assert_eq!(apply(Icd10Level::Category, "S93.401A").as_deref(), Some("S93"));
        assert_eq!(apply(Icd10Level::Chapter, "E11.9").as_deref(), Some("E00-E89"));
        assert_eq!(apply(Icd10Level::Chapter, "T14.90").as_deref(), Some("S00-T88"));
        assert_eq!(apply(Icd10Level::Chapter, "O9A.1").as_deref(), Some("O00-O9A"));
        assert_eq!(apply(Icd10Level::Keep, "J45.909").as_deref(), Some("J45.909"));
        assert_eq!(apply(Icd10Level::Suppress, "J45.909"), None);
        let key = crate::crypto::Key::from_hex(&"11".repeat(32), "t").unwrap();
        let keep: serde_norway::Value = serde_norway::from_str("{ icd10: keep }").unwrap();
        assert!(super::super::ColumnRule::parse(&keep).unwrap().build(&key).is_some(), "`keep` still validates");
        let invalid = Icd10(Icd10Level::Keep).apply("diabetes", &[]).unwrap();
        assert!(invalid.invalid && invalid.text.is_none(), "free text in a code column is never kept");
    }
}

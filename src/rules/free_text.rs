//! `free_text`: notes and comments with identifiers inside. The shared detector
//! (`detect::text`) finds every validated identifier in one pass; each is replaced by exactly the pseudonym its structured rule gives, so a
//! NISS in a note matches the NISS column. The row's own names (`names_from`) become the row's
//! fake names. Amounts, dates and codes fail validation and stay as written.

use serde::Deserialize;

use super::identifier::{Identifier, IdentifierKind, IdentifierSpec, OnInvalid};
use super::people::{People, PeopleSpec};
use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;
use crate::detect::text::find_identifiers;
use crate::detect::Kind;
use crate::ident::exid;
use crate::ident::niss::NissKeep;

/// Options of `free_text`, completed from the table's other columns when the mapping is validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreeTextSpec {
    /// Columns whose values (the row's own names) are replaced in the text.
    pub names_from: Vec<String>,
    /// The people rule of each `names_from` column and the columns that rule reads.
    pub name_rules: Vec<(PeopleSpec, Vec<String>)>,
    /// Identifier rules as the table's columns configure them (defaults for kinds it lacks).
    pub identifiers: Vec<IdentifierSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFreeText {
    #[serde(default)]
    names_from: Vec<String>,
}

impl FreeTextSpec {
    pub(super) fn parse(options: &serde_norway::Value) -> Result<FreeTextSpec, String> {
        let raw: RawFreeText = if options.is_null() {
            RawFreeText::default()
        } else {
            serde_norway::from_value(options.clone()).map_err(|e| format!("rule `free_text`: {e}"))?
        };
        Ok(FreeTextSpec { names_from: raw.names_from, ..FreeTextSpec::default() })
    }

    /// Every column `apply` receives: the names, then the columns their rules read.
    pub fn inputs(&self) -> Vec<String> {
        let mut all = self.names_from.clone();
        for (_, inputs) in &self.name_rules {
            all.extend(inputs.iter().cloned());
        }
        all
    }
}

/// The keyed free-text rule.
pub struct FreeText {
    niss: Identifier,
    iban: Identifier,
    inami: Identifier,
    phone: Identifier,
    email: Identifier,
    exid: Option<(Identifier, exid::Check)>,
    names: Vec<(People, Vec<usize>)>,
}

fn spec_of(spec: &FreeTextSpec, pick: impl Fn(&IdentifierKind) -> bool, default: IdentifierKind) -> IdentifierSpec {
    let found = spec.identifiers.iter().find(|s| pick(&s.kind)).map(|s| s.kind.clone()).unwrap_or(default);
    // Inside text, a value that fails validation is simply not an identifier: never faked.
    IdentifierSpec { kind: found, on_invalid: OnInvalid::Null }
}

impl FreeText {
    pub fn new(key: &Key, spec: &FreeTextSpec) -> FreeText {
        let make = |s: IdentifierSpec| Identifier::new(key, &s);
        let exid = spec.identifiers.iter().find_map(|s| match s.kind {
            IdentifierKind::Exid { check, .. } => Some((make(s.clone()), check)),
            _ => None,
        });
        let mut offset = spec.names_from.len();
        let names = spec
            .name_rules
            .iter()
            .map(|(people, inputs)| {
                let indices = (offset..offset + inputs.len()).collect();
                offset += inputs.len();
                (People::new(key, people), indices)
            })
            .collect();
        FreeText {
            niss: make(spec_of(
                spec,
                |k| matches!(k, IdentifierKind::Niss(_)),
                IdentifierKind::Niss(NissKeep::default()),
            )),
            iban: make(spec_of(
                spec,
                |k| matches!(k, IdentifierKind::Iban { .. }),
                IdentifierKind::Iban { keep_bank: true },
            )),
            inami: make(spec_of(spec, |k| matches!(k, IdentifierKind::Inami), IdentifierKind::Inami)),
            phone: make(spec_of(spec, |k| matches!(k, IdentifierKind::Phone), IdentifierKind::Phone)),
            email: make(spec_of(spec, |k| matches!(k, IdentifierKind::Email), IdentifierKind::Email)),
            exid,
            names,
        }
    }

    /// The pseudonym of a validated identifier of `kind` found in a text.
    fn replacement(&self, kind: Kind, value: &str) -> Option<String> {
        match kind {
            Kind::Niss => self.niss.pseudonym(value),
            Kind::Iban => self.iban.pseudonym(value),
            Kind::Inami => self.inami.pseudonym(value),
            Kind::Phone => self.phone.pseudonym(value),
            Kind::Email => self.email.pseudonym(value),
            Kind::Exid => self.exid.as_ref().and_then(|(rule, _)| rule.pseudonym(value)),
            _ => None,
        }
    }

    /// The pseudonyms this rule writes for the identifiers in `text` (kind, pseudonym), names aside.
    pub fn pseudonyms_in(&self, text: &str) -> Vec<(Kind, String)> {
        find_identifiers(text, self.exid.as_ref().map(|(_, check)| *check))
            .into_iter()
            .filter_map(|f| self.replacement(f.kind, &text[f.start..f.end]).map(|p| (f.kind, p)))
            .collect()
    }

    /// Replaces every validated identifier in `text`.
    pub fn scrub(&self, text: &str) -> String {
        self.segments(text).into_iter().map(|(s, _)| s).collect()
    }

    /// `text` cut into pieces: (piece, whether it is a pseudonym written by this rule).
    fn segments(&self, text: &str) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        let mut last = 0;
        for found in find_identifiers(text, self.exid.as_ref().map(|(_, check)| *check)) {
            if let Some(new) = self.replacement(found.kind, &text[found.start..found.end]) {
                if found.start > last {
                    out.push((text[last..found.start].to_string(), false));
                }
                out.push((new, true));
                last = found.end;
            }
        }
        if last < text.len() || out.is_empty() {
            out.push((text[last..].to_string(), false));
        }
        out
    }

    /// Replaces the row's names in the pieces that are not pseudonyms already.
    fn replace_names(&self, mut pieces: Vec<(String, bool)>, inputs: &[Option<&str>]) -> String {
        for (i, (rule, indices)) in self.names.iter().enumerate() {
            let Some(name) = inputs.get(i).copied().flatten().map(str::trim).filter(|n| n.chars().count() >= 2) else {
                continue;
            };
            let rule_inputs: Vec<Option<&str>> = indices.iter().map(|&j| inputs.get(j).copied().flatten()).collect();
            let Ok(Pseudonym { text: Some(fake), .. }) = rule.apply(name, &rule_inputs) else { continue };
            for (piece, replaced) in pieces.iter_mut() {
                if !*replaced {
                    *piece = replace_word(piece, name, &fake);
                }
            }
        }
        pieces.into_iter().map(|(s, _)| s).collect()
    }
}

/// Replaces every whole-word, case-insensitive occurrence of `word` in `text` by `by`, without
/// compiling anything per row.
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let word: Vec<char> = word.chars().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let same = |a: char, b: char| a == b || a.to_lowercase().eq(b.to_lowercase());
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i + word.len() <= chars.len() {
        let boundary_before = i == 0 || !chars[i - 1].1.is_alphanumeric();
        let end = i + word.len();
        let boundary_after = end == chars.len() || !chars[end].1.is_alphanumeric();
        if boundary_before && boundary_after && word.iter().enumerate().all(|(k, &w)| same(chars[i + k].1, w)) {
            let start_byte = chars[i].0;
            let end_byte = chars.get(end).map_or(text.len(), |c| c.0);
            out.push_str(&text[copied..start_byte]);
            out.push_str(by);
            copied = end_byte;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

impl Rule for FreeText {
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let pieces = self.segments(value);
        Ok(Pseudonym::valid(self.replace_names(pieces, inputs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> FreeText {
        FreeText::new(&Key::from_hex(&"71".repeat(32), "t").unwrap(), &FreeTextSpec::default())
    }

    #[test]
    fn replaces_identifiers_and_leaves_amounts_dates_and_codes() {
        let r = rule();
        let text = "Lid belde op 12/03/2024 (17/01/2018, 17.01.2018) ivm 68,50 EUR (code 101010); INSZ 85.07.30-033.28, rek. BE71 0961 2345 6769, \
                    gsm 0475 12 34 56, mail jan.peeters@telenet.be, ref +++697/0824/46002+++";
        let out = r.scrub(text);
        for kept in
            ["12/03/2024", "17/01/2018", "17.01.2018", "68,50 EUR", "101010", "+++697/0824/46002+++", "Lid belde op"]
        {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        for gone in ["85.07.30-033.28", "BE71 0961 2345 6769", "0475 12 34 56", "jan.peeters@telenet.be"] {
            assert!(!out.contains(gone), "{gone} survived: {out}");
        }
        assert_eq!(out.matches("@example.").count(), 1);
    }

    #[test]
    fn names_are_replaced_as_whole_words_in_any_case() {
        assert_eq!(replace_word("Jan, JAN en Janssens; jan.", "Jan", "Luc"), "Luc, Luc en Janssens; Luc.");
        assert_eq!(replace_word("Émilie Dupont", "émilie", "Anne"), "Anne Dupont");
    }

    #[test]
    fn numbers_side_by_side_are_each_replaced() {
        let r = rule();
        let out = r.scrub("INSZ 85073003328 85073006197 en 0475 12 34 56");
        assert!(
            !out.contains("85073003328") && !out.contains("85073006197") && !out.contains("0475 12 34 56"),
            "{out}"
        );
    }

    #[test]
    fn a_niss_in_text_gets_the_structured_pseudonym() {
        let r = rule();
        let structured = r.niss.pseudonym("85073003328").unwrap();
        assert_eq!(r.scrub("voor 85073003328."), format!("voor {structured}."));
    }
}

//! `free_text`: notes and comments with identifiers inside. The detector (`detect::text`) finds
//! every identifier (candidates, then validation); each is replaced by exactly the pseudonym
//! its structured rule gives, in the note's own spelling, so a NISS in a note matches the NISS
//! column. The row's own names (`names_from`) become the row's fake names; other people's names
//! and street addresses (`detect::text::people`) get keyed fakes. Dates, amounts, codes and
//! payment references are claimed by the detector and stay as written.

use serde::Deserialize;

use super::identifier::{Identifier, IdentifierKind, IdentifierSpec, OnInvalid};
use super::people::{in_capitals, People, PeopleSpec, PostcodeMode};
use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;
use crate::detect::text::people::{self, Mention};
use crate::detect::text::{ascii_width, find_identifiers, plain, Form, Found};
use crate::detect::Kind;
use crate::ident::niss::{self, NissKeep};
use crate::ident::spelling::{self, compact_upper, respell};
use crate::ident::{exid, iban::belgian_from_bban};

/// Options of `free_text`, completed from the table's other columns when the mapping is validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreeTextSpec {
    /// Columns whose values (the row's own names) are replaced in the text.
    pub names_from: Vec<String>,
    /// The people rule of each `names_from` column and the columns that rule reads.
    pub name_rules: Vec<(PeopleSpec, Vec<String>)>,
    /// Identifier rules as the table's columns configure them (defaults for kinds it lacks).
    pub identifiers: Vec<IdentifierSpec>,
    /// The table's `postcode` and `city` rules: a postcode and municipality written after an
    /// address follow them (kept when the table keeps them or has no such column).
    pub place_rules: Vec<PeopleSpec>,
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
    kbo: Identifier,
    phone: Identifier,
    email: Identifier,
    ip: Identifier,
    exid: Option<(Identifier, exid::Check)>,
    /// The row's own names: the column's rule and the indices of the inputs it reads.
    names: Vec<(People, Vec<usize>)>,
    /// Other people's names and streets: the structured rules without row inputs.
    first_name: People,
    last_name: People,
    street: People,
    /// The table's `postcode` rule, for a postcode written after an address (kept without one).
    postcode: Option<People>,
    /// A fake municipality in the postcode's region (a `city` rule in the table).
    city: Option<People>,
}

fn spec_of(spec: &FreeTextSpec, pick: impl Fn(&IdentifierKind) -> bool, default: IdentifierKind) -> IdentifierSpec {
    let found = spec.identifiers.iter().find(|s| pick(&s.kind)).map(|s| s.kind.clone()).unwrap_or(default);
    // Inside text, a value that fails validation is simply not an identifier: never faked.
    IdentifierSpec::new(found, OnInvalid::Null)
}

/// A piece of the text to replace: byte range, replacement, kind.
struct Replacement {
    start: usize,
    end: usize,
    text: String,
    kind: Kind,
}

/// `pseudonym` written in the spelling of `written` (separators, case) when both have as many
/// alphanumerics, else as the rule wrote it.
fn in_spelling(written: &str, pseudonym: String) -> String {
    respell(written, &compact_upper(&pseudonym)).unwrap_or(pseudonym)
}

/// Masks every ASCII alphanumeric: the last resort when a rule gives no pseudonym for a value
/// the detector found (never expected; a leak is worse than a changed shape).
fn masked(written: &str) -> String {
    written.chars().map(|c| if c.is_ascii_alphanumeric() { 'X' } else { c }).collect()
}

impl FreeText {
    /// Keys every rule the notes need: the table's identifier rules (defaults for kinds it
    /// lacks), its name rules for the row's own names, and the people rules for other people.
    pub fn new(key: &Key, spec: &FreeTextSpec) -> FreeText {
        let make = |s: IdentifierSpec| Identifier::new(key, &s);
        let exid = spec.identifiers.iter().find_map(|s| match s.kind {
            IdentifierKind::Exid { check, .. } => Some((make(s.clone()), check)),
            _ => None,
        });
        let names = super::people::name_rules(key, spec.names_from.len(), &spec.name_rules);
        let rule_of = |kind: IdentifierKind| {
            make(spec_of(spec, |k| std::mem::discriminant(k) == std::mem::discriminant(&kind), kind.clone()))
        };
        let postcode_mode = spec.place_rules.iter().find_map(|p| match p {
            PeopleSpec::Postcode { mode } => Some(*mode),
            _ => None,
        });
        FreeText {
            niss: rule_of(IdentifierKind::Niss(NissKeep::default())),
            iban: rule_of(IdentifierKind::Iban { keep_bank: true }),
            inami: rule_of(IdentifierKind::Inami),
            kbo: rule_of(IdentifierKind::Kbo),
            phone: rule_of(IdentifierKind::Phone),
            email: rule_of(IdentifierKind::Email),
            ip: rule_of(IdentifierKind::Ip),
            exid,
            names,
            first_name: People::new(key, &PeopleSpec::FirstName { sex_from: Some(String::new()), language_from: None }),
            last_name: People::new(key, &PeopleSpec::LastName { language_from: None }),
            street: People::new(key, &PeopleSpec::Street { language_from: Some(String::new()), postcode_from: None }),
            postcode: postcode_mode.map(|mode| People::new(key, &PeopleSpec::Postcode { mode })),
            // A moved postcode takes its municipality along, with or without a `city` column.
            city: postcode_mode.is_some_and(|m| m != PostcodeMode::Keep).then(|| {
                People::new(
                    key,
                    &PeopleSpec::City {
                        language_from: None,
                        postcode_from: Some(String::new()),
                        postcode_mode: postcode_mode.unwrap_or_default(),
                    },
                )
            }),
        }
    }

    /// The pseudonym of an identifier found in a text, in its spelling there.
    fn replacement(&self, found: &Found, written: &str) -> String {
        let plain_text = plain(written);
        let rule = match found.kind {
            Kind::Niss => &self.niss,
            Kind::Iban => &self.iban,
            Kind::Inami => &self.inami,
            Kind::Kbo => &self.kbo,
            Kind::Phone => &self.phone,
            Kind::Ip => &self.ip,
            Kind::Email => &self.email,
            Kind::Exid => match &self.exid {
                Some((rule, _)) => rule,
                None => return masked(written),
            },
            _ => return masked(written),
        };
        let pseudonym = match (found.kind, found.form) {
            (Kind::Niss, Form::NearMiss) => {
                // The typo's own valid twin (same first nine digits) gets the NISS pseudonym.
                let first9: u64 = spelling::digits(written)[..9].parse().unwrap_or(0);
                rule.pseudonym(&format!("{:011}", niss::with_check(first9, false)))
            }
            (Kind::Iban, Form::Account) => {
                let bban = spelling::digits(written);
                rule.pseudonym(&belgian_from_bban(&bban)).map(|iban| iban[4..].to_string())
            }
            (Kind::Iban, _) => rule.pseudonym(&compact_upper(written)),
            (Kind::Email | Kind::Ip, _) => return rule.pseudonym(written).unwrap_or_else(|| masked(written)),
            _ => rule.pseudonym(&plain_text),
        };
        match pseudonym {
            Some(p) => in_spelling(written, p),
            None => masked(written),
        }
    }

    /// A keyed fake for another person's name (`Marie Dubois` -> first name and surname; a lone
    /// surname -> a surname), the sex taken from the title.
    fn fake_name(&self, name: &str, mention: &Mention) -> String {
        let first = |v: &str| self.first_name.apply(v, &[mention.sex()]).ok().and_then(|p| p.text).unwrap_or_default();
        let last = |v: &str| self.last_name.apply(v, &[]).ok().and_then(|p| p.text).unwrap_or_default();
        let split = match mention.surname_at {
            Some(at) => Some(at - mention.start),
            None => name.find(' ').filter(|_| name.split_whitespace().count() == 2).map(|i| i + 1),
        };
        match split {
            // `DELHAYE Herman`: the surname in capitals first, as registers write it.
            Some(at) if in_capitals(&name[..at]) && !in_capitals(&name[at..]) => {
                format!("{} {}", last(name[..at].trim()), first(&name[at..]))
            }
            Some(at) => format!("{} {}", first(name[..at].trim()), last(&name[at..])),
            None => last(name),
        }
    }

    /// A postcode and municipality (`9300 Aalst`) as the table's `postcode` and `city` rules
    /// write them (`9000 Gent` for `region`, another postcode of the province and its
    /// municipality for `same_region`), or as written when the table keeps them.
    fn place(&self, written: &str) -> String {
        let (code, town) = written.split_at(4.min(written.len()));
        let original_code = code;
        let written = match &self.postcode {
            Some(rule) => rule.apply(code, &[]).ok().and_then(|p| p.text),
            None => Some(code.to_string()),
        };
        // The place pattern finds four-digit codes from 1000, which every postcode rule writes.
        let code = written.unwrap_or_else(|| code.to_string());
        // A kept postcode keeps its municipality; a moved one is followed by the municipality of
        // the written postcode (the pair is one Statbel lists, and the real town does not stay).
        let town = match &self.city {
            Some(rule) if code != original_code => rule
                .apply(town.trim(), &[Some(original_code)])
                .ok()
                .and_then(|p| p.text)
                .map_or_else(String::new, |fake| format!(" {fake}")),
            _ => town.to_string(),
        };
        format!("{code}{town}")
    }

    /// Every replacement in `text`: identifiers first, then the row's own names, then other
    /// people's names and street addresses; in order, not overlapping.
    fn replacements(&self, text: &str, inputs: &[Option<&str>]) -> Vec<Replacement> {
        let mut out: Vec<Replacement> = find_identifiers(text, self.exid.as_ref().map(|(_, check)| *check))
            .into_iter()
            .map(|f| Replacement {
                start: f.start,
                end: f.end,
                text: self.replacement(&f, &text[f.start..f.end]),
                kind: f.kind,
            })
            .collect();
        // The spans already replaced, for overlap checks in O(log n): a long note holds thousands.
        let mut taken = crate::detect::text::Spans::default();
        for r in &out {
            taken.insert(r.start, r.end);
        }
        for (i, (rule, indices)) in self.names.iter().enumerate() {
            let Some(name) = inputs.get(i).copied().flatten().map(str::trim).filter(|n| n.chars().count() >= 2) else {
                continue;
            };
            // The fake is worked out only for a name the text holds (most notes hold none).
            let positions = word_positions(text, name);
            if positions.iter().all(|&(s, e)| !taken.free(s, e)) {
                continue;
            }
            let rule_inputs: Vec<Option<&str>> = indices.iter().map(|&j| inputs.get(j).copied().flatten()).collect();
            let Ok(Pseudonym { text: Some(fake), .. }) = rule.apply(name, &rule_inputs) else { continue };
            for (s, e) in positions {
                if taken.free(s, e) {
                    taken.insert(s, e);
                    out.push(Replacement { start: s, end: e, text: fake.clone(), kind: Kind::FullName });
                }
            }
        }
        for mention in people::find(text) {
            if !taken.free(mention.start, mention.end) {
                // The surname is the row's own (already the column's fake): the first name
                // before it still gets a fake of its own (`Mevr. Marie D'Hondt`, his wife).
                if let Some(at) = mention.surname_at.filter(|&at| taken.free(mention.start, at)) {
                    let first = text[mention.start..at].trim_end();
                    if let Ok(Pseudonym { text: Some(fake), .. }) = self.first_name.apply(first, &[mention.sex()]) {
                        taken.insert(mention.start, mention.start + first.len());
                        out.push(Replacement {
                            start: mention.start,
                            end: mention.start + first.len(),
                            text: fake,
                            kind: Kind::FirstName,
                        });
                    }
                }
                continue;
            }
            let written = &text[mention.start..mention.end];
            let replacement = match mention.kind {
                Kind::Street => {
                    let language = Some(people::street_language(written));
                    self.street.apply(written, &[language]).ok().and_then(|p| p.text).unwrap_or_else(|| masked(written))
                }
                Kind::Postcode => self.place(written),
                _ => self.fake_name(written, &mention),
            };
            taken.insert(mention.start, mention.end);
            out.push(Replacement { start: mention.start, end: mention.end, text: replacement, kind: mention.kind });
        }
        out.sort_by_key(|r| r.start);
        out
    }

    /// The pseudonyms this rule writes into `text` (kind, pseudonym): identifiers, names, streets.
    pub fn pseudonyms_in(&self, text: &str, inputs: &[Option<&str>]) -> Vec<(Kind, String)> {
        self.replacements(&ascii_width(text), inputs).into_iter().map(|r| (r.kind, r.text)).collect()
    }

    /// `text` with every identifier, name and address replaced (no row names known).
    pub fn scrub(&self, text: &str) -> String {
        self.scrub_row(text, &[])
    }

    /// `text` with every replacement written in; full-width digits are read, and written back,
    /// in ASCII (a changed spelling, never a kept number).
    fn scrub_row(&self, text: &str, inputs: &[Option<&str>]) -> String {
        let text = ascii_width(text);
        let mut out = String::with_capacity(text.len() + 16);
        let mut last = 0;
        for r in self.replacements(&text, inputs) {
            if r.start < last {
                continue;
            }
            out.push_str(&text[last..r.start]);
            out.push_str(&r.text);
            last = r.end;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// A letter without case or accent (`É` -> `e`), so `Aurelie` is found for `Aurélie`.
fn base(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// Byte ranges of every whole-word, case-insensitive occurrence of `word` in `text`.
fn word_positions(text: &str, word: &str) -> Vec<(usize, usize)> {
    if text.is_ascii() && word.is_ascii() {
        ascii_word_positions(text.as_bytes(), word.as_bytes())
    } else {
        char_word_positions(text, word)
    }
}

/// `word_positions` for any text: characters compared without case or accent.
fn char_word_positions(text: &str, word: &str) -> Vec<(usize, usize)> {
    let word: Vec<char> = word.chars().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let same = |a: char, b: char| a == b || base(a) == base(b);
    let mut found = Vec::new();
    let mut i = 0;
    while i + word.len() <= chars.len() {
        let boundary_before = i == 0 || !chars[i - 1].1.is_alphanumeric();
        let end = i + word.len();
        let boundary_after = end == chars.len() || !chars[end].1.is_alphanumeric();
        if boundary_before && boundary_after && word.iter().enumerate().all(|(k, &w)| same(chars[i + k].1, w)) {
            found.push((chars[i].0, chars.get(end).map_or(text.len(), |c| c.0)));
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// `word_positions` when both are ASCII (a character is a byte, `base` is ASCII case folding):
/// the same ranges, without a list of the text's characters.
fn ascii_word_positions(text: &[u8], word: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let Some(&first) = word.first() else { return found };
    let mut i = 0;
    while i + word.len() <= text.len() {
        let end = i + word.len();
        if text[i].eq_ignore_ascii_case(&first)
            && (i == 0 || !text[i - 1].is_ascii_alphanumeric())
            && (end == text.len() || !text[end].is_ascii_alphanumeric())
            && text[i..end].eq_ignore_ascii_case(word)
        {
            found.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

impl Rule for FreeText {
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        Ok(Pseudonym::valid(self.scrub_row(value, inputs)))
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
    fn member_numbers_with_too_few_pseudonyms_are_masked_not_kept() {
        let value: serde_norway::Value = serde_norway::from_str("{ keep_prefix: 9 }").unwrap();
        let exid = crate::rules::IdentifierSpec::parse("exid", &value).unwrap().unwrap();
        let spec = FreeTextSpec { identifiers: vec![exid], ..FreeTextSpec::default() };
        let out =
            FreeText::new(&Key::from_hex(&"71".repeat(32), "t").unwrap(), &spec).scrub("lid 509000001 en 5090000027");
        assert!(!out.contains("509000001") && !out.contains("50900000"), "{out}");
    }

    #[test]
    fn names_are_found_as_whole_words_in_any_case() {
        let text = "Jan, JAN en Janssens; jan.";
        let words: Vec<&str> = word_positions(text, "Jan").into_iter().map(|(s, e)| &text[s..e]).collect();
        assert_eq!(words, ["Jan", "JAN", "jan"]);
        assert_eq!(word_positions("Émilie Dupont", "émilie"), [(0, 7)]);
        assert_eq!(word_positions("Aurelie belde", "Aurélie"), [(0, 7)]);
    }

    proptest::proptest! {
        #[test]
        fn ascii_names_are_found_where_the_character_search_finds_them(
            text in "[aAbB1 .'-]{0,40}",
            word in "[aAbB1][aAbB1 .'-]{0,4}",
        ) {
            proptest::prop_assert_eq!(
                ascii_word_positions(text.as_bytes(), word.as_bytes()),
                char_word_positions(&text, &word)
            );
        }
    }

    #[test]
    fn other_people_and_addresses_get_keyed_fakes() {
        let r = rule();
        let out = r.scrub("Gesprek met Mevr. Marie Dubois, woont Kerkstraat 12, 9000 Gent.");
        assert!(!out.contains("Dubois") && !out.contains("Kerkstraat 12"), "{out}");
        assert!(out.contains("Mevr. ") && out.contains(", 9000 Gent."), "{out}");
        // With `postcode: region` and a `city` rule, the place follows them.
        let spec = FreeTextSpec {
            place_rules: vec![
                PeopleSpec::Postcode { mode: crate::rules::PostcodeMode::Region },
                PeopleSpec::City {
                    language_from: None,
                    postcode_from: None,
                    postcode_mode: crate::rules::PostcodeMode::Region,
                },
            ],
            ..FreeTextSpec::default()
        };
        let placed = FreeText::new(&Key::from_hex(&"71".repeat(32), "t").unwrap(), &spec)
            .scrub("woont Kerkstraat 12, 9100 Sint-Niklaas.");
        assert!(placed.contains(", 9000 Gent.") && !placed.contains("Niklaas") && !placed.contains("9100"), "{placed}");
        // With `postcode: same_region` and no `city` column, the town follows the written postcode.
        let spec = FreeTextSpec {
            place_rules: vec![PeopleSpec::Postcode { mode: crate::rules::PostcodeMode::SameRegion }],
            ..FreeTextSpec::default()
        };
        let moved = FreeText::new(&Key::from_hex(&"72".repeat(32), "t").unwrap(), &spec);
        let places = crate::refdata::places();
        let mut changed = 0;
        for (code, town) in
            [("9300", "Aalst"), ("2000", "Antwerpen"), ("4700", "Eupen"), ("6700", "Arlon"), ("8500", "Kortrijk")]
        {
            let note = moved.scrub(&format!("woont Kerkstraat 12, {code} {town}."));
            let (written, rest) = note.split_once(", ").unwrap().1.split_at(4);
            let written_town = rest.trim().trim_end_matches('.');
            let pair = places.of_postcode(written).find(|p| p.names().any(|n| n == written_town));
            assert!(pair.is_some(), "{note}: a Statbel pair");
            let province = places.of_postcode(code).next().unwrap().province;
            assert_eq!(pair.unwrap().province, province, "{note}");
            changed += usize::from(written != code);
        }
        assert!(changed >= 3, "postcodes move");
        assert_eq!(out, r.scrub("Gesprek met Mevr. Marie Dubois, woont Kerkstraat 12, 9000 Gent."));
        // The same surname elsewhere gets the same fake.
        let fake = out["Gesprek met Mevr. ".len()..].split(',').next().unwrap().to_string();
        let surname = fake.rsplit(' ').next().unwrap();
        assert!(r.scrub("Dhr. Dubois").ends_with(surname), "{fake}");
    }

    #[test]
    fn another_person_sharing_the_row_surname_keeps_no_first_name() {
        let spec = FreeTextSpec {
            names_from: vec!["last_name".into()],
            name_rules: vec![(PeopleSpec::LastName { language_from: None }, Vec::new())],
            ..FreeTextSpec::default()
        };
        let r = FreeText::new(&Key::from_hex(&"71".repeat(32), "t").unwrap(), &spec);
        let out = r.apply("Mevr. Marie Peeters, zijn vrouw", &[Some("Peeters")]).unwrap().text.unwrap();
        assert!(!out.contains("Marie") && !out.contains("Peeters"), "{out}");
    }

    #[test]
    fn near_misses_and_old_accounts_are_replaced_consistently() {
        let r = rule();
        let a = r.scrub("INSZ 85.07.30-033.29 (typo)");
        assert!(!a.contains("85.07.30-033.29") && a.starts_with("INSZ ") && a.ends_with(" (typo)"), "{a}");
        assert_eq!(a, r.scrub("INSZ 85.07.30-033.29 (typo)"));
        let wide = r.apply("INSZ ８５０７３００３３２８", &[]).unwrap().text.unwrap();
        assert_eq!(wide, r.scrub("INSZ 85073003328"), "full-width digits are read as digits");
        let old = r.scrub("rek. 001-1234567-27");
        let iban = r.scrub("rek. BE48 0011 2345 6727");
        assert!(!old.contains("1234567"), "{old}");
        assert_eq!(spelling::digits(&old), spelling::digits(&iban)[2..], "{old} vs {iban}");
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

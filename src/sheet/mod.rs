//! Case sheets: one readable page per member of a case file, for trainers. `case` writes, beside
//! the pseudonymised tables, `case-<pseudonym>.html` (self-contained: inline CSS and SVG, no
//! script, no external asset, A4 print layout) and its Markdown twin `case-<pseudonym>.md`.
//!
//! A sheet is built from the **pseudonymised tables only**, read back from the files the run
//! wrote: nothing on it can be more than those tables hold. What a column means comes from its
//! rule where the rule tells (names, address, identifiers, dates, ICD-10, free text) and
//! otherwise from the mapping's `roles:` block; a column with neither is listed under its own
//! name. Labels and ICD-10 chapter titles are data (`data/sheet/`).

mod html;
mod markdown;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::engine::RunError;
use crate::io::reader::TableReader;
use crate::io::{Cells, Format};
use crate::mapping::{ColumnRule, Role, Table};
use crate::rules::{DateSpec, IdentifierKind, PeopleSpec};

/// The language of a sheet's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetLang {
    En,
    Nl,
    Fr,
}

impl SheetLang {
    fn index(self) -> usize {
        match self {
            SheetLang::En => 0,
            SheetLang::Nl => 1,
            SheetLang::Fr => 2,
        }
    }

    /// The `lang` attribute of the page.
    pub fn code(self) -> &'static str {
        ["en", "nl", "fr"][self.index()]
    }

    /// The sheet's language for a member's language cell (`NL`, `F`, `français`...): Dutch,
    /// French, else English (there are no German labels).
    fn of_member(value: Option<&str>) -> SheetLang {
        match crate::rules::language_of(value) {
            Some(crate::refdata::Lang::Nl) => SheetLang::Nl,
            Some(crate::refdata::Lang::Fr) => SheetLang::Fr,
            _ => SheetLang::En,
        }
    }
}

fn labels() -> &'static HashMap<&'static str, [&'static str; 3]> {
    static LABELS: OnceLock<HashMap<&'static str, [&'static str; 3]>> = OnceLock::new();
    LABELS.get_or_init(|| {
        include_str!("../../data/sheet/labels.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|line| {
                let f: Vec<&'static str> = line.split('\t').collect();
                let [key, en, nl, fr] = f[..] else { return None };
                Some((key, [en, nl, fr]))
            })
            .collect()
    })
}

/// The label `key` in `lang` (the key itself if the data lacks it; a unit test makes sure none does).
fn label(lang: SheetLang, key: &'static str) -> &'static str {
    labels().get(key).map_or(key, |l| l[lang.index()])
}

/// What a column shows on a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Subject,
    FirstName,
    LastName,
    FullName,
    Street,
    HouseNumber,
    Postcode,
    City,
    Role(Role),
    /// An identifier rule other than the subject's: the label key of its kind.
    Identifier(&'static str),
    /// Nothing said: shown under the column's own name.
    Other,
}

fn identifier_label(kind: &IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::Niss(_) => "niss",
        IdentifierKind::Exid { .. } => "exid",
        IdentifierKind::Iban { .. } => "iban",
        IdentifierKind::Inami => "inami",
        IdentifierKind::Kbo => "kbo",
        IdentifierKind::Phone => "phone",
        IdentifierKind::Email => "email",
        IdentifierKind::Ip => "ip",
    }
}

/// Whether a table describes the member (one card) rather than events (a timeline).
fn is_card(table: &Table) -> bool {
    table.columns.iter().any(|(_, rule)| {
        matches!(
            rule,
            ColumnRule::People(
                PeopleSpec::FirstName { .. } | PeopleSpec::LastName { .. } | PeopleSpec::FullName { .. }
            ) | ColumnRule::Date(DateSpec::FromNiss { .. })
        )
    }) || table.roles.iter().any(|(r, _)| matches!(r, Role::Sex | Role::BirthDate | Role::MemberSince))
}

fn meaning(table: &Table, column: &str, card: bool) -> Meaning {
    if let Some((role, _)) = table.roles.iter().find(|(_, c)| c == column) {
        return Meaning::Role(*role);
    }
    if table.subject.as_deref() == Some(column) {
        return Meaning::Subject;
    }
    match table.rule(column) {
        Some(ColumnRule::People(spec)) => match spec {
            PeopleSpec::FirstName { .. } => Meaning::FirstName,
            PeopleSpec::LastName { .. } => Meaning::LastName,
            PeopleSpec::FullName { .. } => Meaning::FullName,
            PeopleSpec::Street { .. } => Meaning::Street,
            PeopleSpec::HouseNumber => Meaning::HouseNumber,
            PeopleSpec::Postcode { .. } => Meaning::Postcode,
            PeopleSpec::City { .. } => Meaning::City,
        },
        Some(ColumnRule::Date(DateSpec::FromNiss { .. })) => Meaning::Role(Role::BirthDate),
        Some(ColumnRule::Date(DateSpec::ShiftBy { .. })) if card => Meaning::Role(Role::MemberSince),
        Some(ColumnRule::Date(DateSpec::ShiftBy { .. })) => Meaning::Role(Role::Date),
        Some(ColumnRule::Icd10(_)) => Meaning::Role(Role::Diagnosis),
        Some(ColumnRule::Identifier(spec)) if matches!(spec.kind, IdentifierKind::Inami) => {
            Meaning::Role(Role::Provider)
        }
        Some(ColumnRule::Identifier(spec)) => Meaning::Identifier(identifier_label(&spec.kind)),
        Some(ColumnRule::FreeText(_)) => Meaning::Role(Role::Notes),
        _ => Meaning::Other,
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Sex => "sex",
        Role::Language => "language",
        Role::BirthDate => "age_band",
        Role::MemberSince => "member_since",
        Role::Date => "date",
        Role::Code => "code",
        Role::Diagnosis => "diagnosis",
        Role::Provider => "provider",
        Role::Amount => "amount",
        Role::Reimbursed => "reimbursed",
        Role::Notes => "notes",
    }
}

/// One output table read back in full (case files are small: a handful of members).
struct Loaded<'m> {
    table: &'m Table,
    header: Vec<String>,
    meanings: Vec<Meaning>,
    card: bool,
    subject: usize,
    /// Rows per subject key, in file order.
    rows: BTreeMap<String, Vec<Vec<Option<String>>>>,
}

/// One output file of a case run.
pub struct Written<'m> {
    /// Where the run wrote (staged) it.
    pub path: PathBuf,
    pub format: Format,
    pub table: &'m Table,
}

/// A cell of a sheet's table: its text, and a line beneath (an ICD-10 chapter's title).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub note: Option<String>,
    /// Right-aligned (amounts).
    pub number: bool,
}

/// Sums of one year of a timeline, in cents.
#[derive(Debug, Clone, PartialEq)]
pub struct YearTotal {
    /// `None` for rows without a readable date.
    pub year: Option<i64>,
    pub rows: u64,
    pub amount: Option<i64>,
    pub reimbursed: Option<i64>,
}

/// The rows of one event table for one member, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Per year, when the table has a date; empty otherwise.
    pub years: Vec<YearTotal>,
    pub has_amount: bool,
    pub has_reimbursed: bool,
}

/// Everything one member's sheet shows, already labelled in its language.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub lang: SheetLang,
    /// The file name's stem: `case-<pseudonymised subject>`.
    pub stem: String,
    pub title: String,
    /// The member's card: (label, value).
    pub card: Vec<(String, String)>,
    /// Free text of the card's tables: (label, text).
    pub notes: Vec<(String, String)>,
    pub timelines: Vec<Timeline>,
}

impl Sheet {
    fn label(&self, key: &'static str) -> &'static str {
        label(self.lang, key)
    }

    /// Formats cents as money in the sheet's language.
    fn money(&self, cents: i64) -> String {
        money(cents, self.lang)
    }
}

/// Reads the case run's output tables and writes one HTML sheet and one Markdown sheet per
/// member into `dir`. Returns the file names written, in order. `lang` overrides each member's
/// own language.
pub fn write_sheets(
    written: &[Written],
    lang: Option<SheetLang>,
    dir: &Path,
    batch_rows: usize,
) -> Result<Vec<String>, RunError> {
    let mut names = Vec::new();
    for sheet in build(written, lang, batch_rows)? {
        for (extension, text) in [("html", html::render(&sheet)), ("md", markdown::render(&sheet))] {
            let name = format!("{}.{extension}", sheet.stem);
            let path = dir.join(&name);
            crate::io::write_atomic(&path, text.as_bytes()).map_err(|source| RunError::Output { path, source })?;
            names.push(name);
        }
    }
    Ok(names)
}

fn load<'m>(file: &Written<'m>, batch_rows: usize) -> Result<Option<Loaded<'m>>, RunError> {
    let table = file.table;
    let Some(subject_name) = &table.subject else { return Ok(None) };
    let mut reader = TableReader::open(&file.path, file.format, &table.csv, batch_rows, None, |h| vec![true; h.len()])?;
    let header = reader.header().to_vec();
    let Some(subject) = header.iter().position(|h| h == subject_name) else { return Ok(None) };
    let card = is_card(table);
    let meanings = header.iter().map(|h| meaning(table, h, card)).collect();
    let mut rows: BTreeMap<String, Vec<Vec<Option<String>>>> = BTreeMap::new();
    while let Some(batch) = reader.next_batch()? {
        for row in 0..batch.rows() {
            let mut cells = Vec::with_capacity(header.len());
            for (c, name) in header.iter().enumerate() {
                let cell =
                    batch.cell(c, row).map_err(|e| crate::engine::cell_error(&file.path, batch.line(row), name, e))?;
                cells.push(cell.map(|c| c.into_owned()));
            }
            let key = cells[subject].as_deref().map(crate::ident::subject::normalise).unwrap_or_default();
            if !key.is_empty() {
                rows.entry(key).or_default().push(cells);
            }
        }
    }
    Ok(Some(Loaded { table, header, meanings, card, subject, rows }))
}

/// The sheets of every member in the case run's output, in order of their pseudonymised subject.
pub fn build(written: &[Written], lang: Option<SheetLang>, batch_rows: usize) -> Result<Vec<Sheet>, RunError> {
    let mut loaded = Vec::new();
    for file in written {
        if let Some(l) = load(file, batch_rows)? {
            loaded.push(l);
        }
    }
    let mut members: Vec<&String> = loaded.iter().flat_map(|l| l.rows.keys()).collect();
    members.sort();
    members.dedup();
    Ok(members.into_iter().map(|member| sheet(member, &loaded, lang)).collect())
}

fn value<'a>(row: &'a [Option<String>], meanings: &[Meaning], wanted: Meaning) -> Option<&'a str> {
    meanings.iter().position(|m| *m == wanted).and_then(|i| row[i].as_deref())
}

fn sheet(member: &str, loaded: &[Loaded], lang: Option<SheetLang>) -> Sheet {
    let safe: String =
        member.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    let card_rows: Vec<(&Loaded, &Vec<Option<String>>)> = loaded
        .iter()
        .filter(|l| l.card)
        .flat_map(|l| l.rows.get(member).into_iter().flatten().map(move |r| (l, r)))
        .collect();
    let lang = lang.unwrap_or_else(|| {
        SheetLang::of_member(card_rows.iter().find_map(|(l, r)| value(r, &l.meanings, Meaning::Role(Role::Language))))
    });
    let mut sheet = Sheet {
        lang,
        stem: format!("case-{safe}"),
        title: String::new(),
        card: Vec::new(),
        notes: Vec::new(),
        timelines: Vec::new(),
    };
    for l in loaded.iter().filter(|l| !l.card) {
        if let Some(rows) = l.rows.get(member) {
            sheet.timelines.push(timeline(l, rows, lang));
        }
    }
    // The latest dated event: the day the age band is given for.
    let latest = sheet.timelines.iter().flat_map(|t| t.years.iter().filter_map(|y| y.year)).max();
    for (l, row) in &card_rows {
        card(&mut sheet, l, row, latest);
    }
    if sheet.title.is_empty() {
        sheet.title = member.to_string();
    }
    sheet
}

fn card(sheet: &mut Sheet, l: &Loaded, row: &[Option<String>], latest_year: Option<i64>) {
    let lang = sheet.lang;
    let get = |m| value(row, &l.meanings, m);
    let name: Vec<&str> =
        [Meaning::FirstName, Meaning::LastName, Meaning::FullName].into_iter().filter_map(get).collect();
    if sheet.title.is_empty() && !name.is_empty() {
        sheet.title = name.join(" ");
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    if !name.is_empty() {
        fields.push((label(lang, "name").into(), name.join(" ")));
    }
    let subject_label = match l.table.subject.as_deref().and_then(|s| l.table.rule(s)) {
        Some(ColumnRule::Identifier(spec)) => identifier_label(&spec.kind),
        _ => "subject",
    };
    if let Some(subject) = row[l.subject].as_deref() {
        fields.push((label(lang, subject_label).into(), subject.into()));
    }
    if let Some(sex) = get(Meaning::Role(Role::Sex)) {
        let shown = match sex.trim().to_ascii_uppercase().as_str() {
            "M" | "H" | "1" | "MALE" | "MAN" | "HOMME" => label(lang, "male").to_string(),
            "F" | "V" | "2" | "FEMALE" | "VROUW" | "FEMME" => label(lang, "female").to_string(),
            _ => sex.to_string(),
        };
        fields.push((label(lang, "sex").into(), shown));
    }
    if let Some(birth) = get(Meaning::Role(Role::BirthDate)).and_then(crate::ident::date::parse) {
        let shown = match latest_year {
            Some(year) => {
                let low = (year - birth.year).max(0) / 10 * 10;
                format!("{low}–{} {} ({} {year})", low + 9, label(lang, "years"), label(lang, "age_at"))
            }
            None => format!("{} {}s", label(lang, "born_in"), birth.year / 10 * 10),
        };
        fields.push((label(lang, "age_band").into(), shown));
    }
    let street: Vec<&str> = [Meaning::Street, Meaning::HouseNumber].into_iter().filter_map(get).collect();
    let place: Vec<&str> = [Meaning::Postcode, Meaning::City].into_iter().filter_map(get).collect();
    let address: Vec<String> = [street.join(" "), place.join(" ")].into_iter().filter(|s| !s.is_empty()).collect();
    if !address.is_empty() {
        fields.push((label(lang, "address").into(), address.join(", ")));
    }
    for (i, (column, meaning)) in l.header.iter().zip(&l.meanings).enumerate() {
        let Some(text) = row[i].as_deref() else { continue };
        match meaning {
            Meaning::Role(Role::Notes) => sheet.notes.push((column.clone(), text.to_string())),
            Meaning::Role(role @ (Role::Language | Role::MemberSince | Role::Code | Role::Provider | Role::Date)) => {
                fields.push((label(lang, role_label(*role)).into(), text.to_string()))
            }
            Meaning::Role(Role::Diagnosis) => fields.push((label(lang, "diagnosis").into(), diagnosis(text, lang))),
            Meaning::Role(Role::Amount | Role::Reimbursed) => {
                let key = if *meaning == Meaning::Role(Role::Amount) { "amount" } else { "reimbursed" };
                let shown = cents(text).map_or_else(|| text.to_string(), |c| money(c, lang));
                fields.push((label(lang, key).into(), shown));
            }
            Meaning::Identifier(key) => fields.push((label(lang, key).into(), text.to_string())),
            Meaning::Other => fields.push((column.clone(), text.to_string())),
            // On the card above (names, subject, sex, age band, address).
            _ => {}
        }
    }
    sheet.card.extend(fields);
}

fn diagnosis(code: &str, lang: SheetLang) -> String {
    match crate::ident::icd10::chapter_of(code) {
        Some(chapter) => format!("{code} ({})", chapter.titles[lang.index()]),
        None => code.to_string(),
    }
}

/// The order of a timeline's columns: the date first, then the mapping's order, notes last.
fn rank(meaning: Meaning) -> u8 {
    match meaning {
        Meaning::Role(Role::Date) => 0,
        Meaning::Role(Role::Notes) => 2,
        _ => 1,
    }
}

fn timeline(l: &Loaded, rows: &[Vec<Option<String>>], lang: SheetLang) -> Timeline {
    let mut order: Vec<usize> = (0..l.header.len()).filter(|&i| i != l.subject).collect();
    order.sort_by_key(|&i| rank(l.meanings[i]));
    let date = l.meanings.iter().position(|m| *m == Meaning::Role(Role::Date));
    let amount = l.meanings.iter().position(|m| *m == Meaning::Role(Role::Amount));
    let reimbursed = l.meanings.iter().position(|m| *m == Meaning::Role(Role::Reimbursed));
    let day = |row: &Vec<Option<String>>| {
        date.and_then(|d| row[d].as_deref())
            .and_then(crate::ident::date::parse)
            .map(|p| crate::ident::date::days_from_civil(p.year, p.month, p.day))
    };
    let mut sorted: Vec<&Vec<Option<String>>> = rows.iter().collect();
    // Dated rows oldest first, undated ones after them, each in file order.
    sorted.sort_by_key(|row| day(row).map_or((1, 0), |d| (0, d)));
    let columns = order
        .iter()
        .map(|&i| match l.meanings[i] {
            Meaning::Role(role) if role != Role::Notes => label(lang, role_label(role)).to_string(),
            Meaning::Identifier(key) => label(lang, key).to_string(),
            _ => l.header[i].clone(),
        })
        .collect();
    let mut years: BTreeMap<(u8, i64), YearTotal> = BTreeMap::new();
    let mut out_rows = Vec::with_capacity(sorted.len());
    for row in sorted {
        let cells = order
            .iter()
            .map(|&i| {
                let text = row[i].clone().unwrap_or_default();
                match l.meanings[i] {
                    Meaning::Role(Role::Diagnosis) => Cell {
                        note: crate::ident::icd10::chapter_of(&text).map(|c| c.titles[lang.index()].to_string()),
                        text,
                        number: false,
                    },
                    Meaning::Role(Role::Amount | Role::Reimbursed) => {
                        Cell { text: cents(&text).map_or(text, |c| money(c, lang)), note: None, number: true }
                    }
                    _ => Cell { text, note: None, number: false },
                }
            })
            .collect();
        out_rows.push(cells);
        if date.is_some() {
            let year = date.and_then(|d| row[d].as_deref()).and_then(crate::ident::date::parse).map(|p| p.year);
            let entry = years.entry(year.map_or((1, 0), |y| (0, y))).or_insert(YearTotal {
                year,
                rows: 0,
                amount: None,
                reimbursed: None,
            });
            entry.rows += 1;
            let add = |sum: &mut Option<i64>, column: Option<usize>| {
                if let Some(c) = column.and_then(|c| row[c].as_deref()).and_then(cents) {
                    *sum = Some(sum.unwrap_or(0) + c);
                }
            };
            add(&mut entry.amount, amount);
            add(&mut entry.reimbursed, reimbursed);
        }
    }
    Timeline {
        table: l.table.name.clone(),
        columns,
        rows: out_rows,
        years: years.into_values().collect(),
        has_amount: amount.is_some(),
        has_reimbursed: reimbursed.is_some(),
    }
}

/// An amount as written in an extract (`336,46`, `1.234,56`, `1,234.56`, `-12`, `€ 5`) in cents;
/// `None` when it is not one.
pub fn cents(text: &str) -> Option<i64> {
    let t: String =
        text.trim().trim_start_matches('€').trim_end_matches('€').trim().replace(['\u{a0}', ' ', '\u{202f}'], "");
    let t = t.strip_suffix("EUR").unwrap_or(&t).to_string();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    // The decimal separator is the last `.` or `,` followed by one or two digits at the end.
    let decimal = t.rfind(['.', ',']).filter(|&i| (1..=2).contains(&(t.len() - i - 1)));
    let (whole, fraction) = match decimal {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    let whole: String = whole.chars().filter(|c| *c != '.' && *c != ',').collect();
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let units: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let value = units.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -value } else { value })
}

/// Cents as money in `lang`: `€1,234.56`, `€ 1.234,56`, `1 234,56 €`.
pub fn money(cents: i64, lang: SheetLang) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let (units, fraction) = (abs / 100, abs % 100);
    let group = match lang {
        SheetLang::En => ',',
        SheetLang::Nl => '.',
        SheetLang::Fr => '\u{202f}',
    };
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    match lang {
        SheetLang::En => format!("{sign}€{grouped}.{fraction:02}"),
        SheetLang::Nl => format!("{sign}€ {grouped},{fraction:02}"),
        SheetLang::Fr => format!("{sign}{grouped},{fraction:02} €"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_the_code_uses_exists_in_three_languages() {
        let source = [include_str!("mod.rs"), include_str!("html.rs"), include_str!("markdown.rs")].concat();
        // Every `label(lang, "key")`, `self.label("key")` and label-key string literal the sheet uses.
        let mut used = Vec::new();
        for part in source.split("label(").skip(1) {
            if let Some(start) = part.find('"') {
                if part[..start].len() < 20 && !part[..start].contains(')') {
                    let rest = &part[start + 1..];
                    used.push(rest[..rest.find('"').unwrap()].to_string());
                }
            }
        }
        assert!(used.len() > 15, "{used:?}");
        for role in Role::ALL {
            used.push(role_label(role).to_string());
        }
        for key in ["niss", "exid", "iban", "inami", "kbo", "phone", "email", "ip", "subject"] {
            used.push(key.to_string());
        }
        for key in used {
            let l = labels().get(key.as_str()).unwrap_or_else(|| panic!("label `{key}` missing"));
            assert!(l.iter().all(|t| !t.is_empty()), "{key}");
        }
    }

    #[test]
    fn amounts_in_every_spelling() {
        for (text, expected) in [
            ("336,46", Some(33646)),
            ("336.46", Some(33646)),
            ("1.234,56", Some(123456)),
            ("1,234.56", Some(123456)),
            ("1 234,5", Some(123450)),
            ("-12", Some(-1200)),
            ("€ 5", Some(500)),
            ("5 EUR", Some(500)),
            ("1.234", Some(123400)),
            ("12abc", None),
            ("", None),
            ("-", None),
        ] {
            assert_eq!(cents(text), expected, "{text}");
        }
        assert_eq!(money(123456, SheetLang::En), "€1,234.56");
        assert_eq!(money(123456, SheetLang::Nl), "€ 1.234,56");
        assert_eq!(money(-5, SheetLang::Fr), "-0,05 €");
        assert_eq!(money(100_000_000, SheetLang::En), "€1,000,000.00");
    }

    #[test]
    fn member_language_picks_the_labels() {
        assert_eq!(SheetLang::of_member(Some("NL")), SheetLang::Nl);
        assert_eq!(SheetLang::of_member(Some("fr")), SheetLang::Fr);
        assert_eq!(SheetLang::of_member(Some("DE")), SheetLang::En);
        assert_eq!(SheetLang::of_member(None), SheetLang::En);
        assert_eq!(label(SheetLang::Nl, "timeline"), "Tijdlijn");
    }
}

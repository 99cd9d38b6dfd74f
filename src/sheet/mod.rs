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
        crate::refdata::tsv_rows(include_str!("../../data/sheet/labels.tsv"))
            .filter_map(|f| {
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
    /// An identifier rule other than the subject's: its rule's name, which is its label's key.
    Identifier(&'static str),
    /// Nothing said: shown under the column's own name.
    Other,
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

/// The meaning of each column of `header`. A role the mapping's `roles:` gives one column is
/// never also inferred for another from its rule; of a table's `shift_by` dates, the first is the
/// timeline's date, and on a card the only one is the membership's start (with several, each is
/// shown under its own name unless `roles:` says which is which).
fn meanings(table: &Table, header: &[String], card: bool) -> Vec<Meaning> {
    let shifted: Vec<&String> =
        header.iter().filter(|h| matches!(table.rule(h), Some(ColumnRule::Date(DateSpec::ShiftBy { .. })))).collect();
    header
        .iter()
        .map(|h| {
            let declared = table.roles.iter().any(|(_, c)| c == h);
            match meaning(table, h, card, &shifted) {
                Meaning::Role(role) if !declared && table.roles.iter().any(|(r, _)| *r == role) => Meaning::Other,
                m => m,
            }
        })
        .collect()
}

fn meaning(table: &Table, column: &str, card: bool, shifted: &[&String]) -> Meaning {
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
        Some(ColumnRule::Date(DateSpec::ShiftBy { .. })) if card && shifted.len() == 1 => {
            Meaning::Role(Role::MemberSince)
        }
        Some(ColumnRule::Date(DateSpec::ShiftBy { .. })) if !card && shifted.first().is_some_and(|c| *c == column) => {
            Meaning::Role(Role::Date)
        }
        Some(ColumnRule::Icd10(_)) => Meaning::Role(Role::Diagnosis),
        Some(ColumnRule::Identifier(spec)) if matches!(spec.kind, IdentifierKind::Inami) => {
            Meaning::Role(Role::Provider)
        }
        Some(ColumnRule::Identifier(spec)) => Meaning::Identifier(spec.kind.name()),
        Some(ColumnRule::FreeText(_)) => Meaning::Role(Role::Notes),
        _ => Meaning::Other,
    }
}

/// The label key of a role: its name, but for the birth date, shown as an age band.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::BirthDate => "age_band",
        role => role.name(),
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
    /// How to read it: the table's dialect when the run kept the format, else plain CSV.
    pub csv: crate::mapping::CsvOptions,
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
    /// Amount cells that are not a number (or overflow the sum), left out of the sums above.
    pub unsummed: u64,
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
    /// The latest readable date of the table's date column.
    pub latest: Option<(i64, u32, u32)>,
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
    let mut reader =
        TableReader::open_written(&file.path, file.format, &file.csv, table, batch_rows, |h| vec![true; h.len()])?;
    let header = reader.header().to_vec();
    let Some(subject) = header.iter().position(|h| h == subject_name) else { return Ok(None) };
    let card = is_card(table);
    let meanings = meanings(table, &header, card);
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

impl Loaded<'_> {
    /// Takes in the rows of another file of the same table (`claims_2023.csv` after
    /// `claims_2024.csv`): one timeline per table, whatever the number of its files. Columns are
    /// matched by name; one only the other file has is added.
    fn absorb(&mut self, other: Loaded) {
        for (name, meaning) in other.header.iter().zip(&other.meanings) {
            if !self.header.contains(name) {
                self.header.push(name.clone());
                self.meanings.push(*meaning);
                for row in self.rows.values_mut().flatten() {
                    row.push(None);
                }
            }
        }
        let from: Vec<Option<usize>> = self.header.iter().map(|h| other.header.iter().position(|o| o == h)).collect();
        for (key, rows) in other.rows {
            let into = self.rows.entry(key).or_default();
            for row in rows {
                into.push(from.iter().map(|i| i.and_then(|i| row[i].clone())).collect());
            }
        }
    }
}

/// The sheets of every member in the case run's output, in order of their pseudonymised subject.
pub fn build(written: &[Written], lang: Option<SheetLang>, batch_rows: usize) -> Result<Vec<Sheet>, RunError> {
    let mut loaded: Vec<Loaded> = Vec::new();
    for file in written {
        if let Some(l) = load(file, batch_rows)? {
            match loaded.iter_mut().find(|e| e.table.name == l.table.name) {
                Some(existing) => existing.absorb(l),
                None => loaded.push(l),
            }
        }
    }
    let mut members: Vec<&String> = loaded.iter().flat_map(|l| l.rows.keys()).collect();
    members.sort();
    members.dedup();
    let mut sheets: Vec<Sheet> = members.into_iter().map(|member| sheet(member, &loaded, lang)).collect();
    // Two subjects whose pseudonyms differ only in other characters than ASCII letters and
    // digits: a suffix, never one sheet written over another.
    let mut used = std::collections::HashSet::new();
    for sheet in &mut sheets {
        let stem = sheet.stem.clone();
        let mut n = 1;
        while !used.insert(sheet.stem.clone()) {
            n += 1;
            sheet.stem = format!("{stem}-{n}");
        }
    }
    Ok(sheets)
}

fn value<'a>(row: &'a [Option<String>], meanings: &[Meaning], wanted: Meaning) -> Option<&'a str> {
    meanings.iter().position(|m| *m == wanted).and_then(|i| row[i].as_deref())
}

fn sheet(member: &str, loaded: &[Loaded], lang: Option<SheetLang>) -> Sheet {
    // The file is named after the pseudonym as the tables write it (a card's first, else any
    // row's), in ASCII letters and digits: `85.07.30-033.28` gives `case-85073003328`.
    let written = loaded
        .iter()
        .filter(|l| l.card)
        .chain(loaded.iter().filter(|l| !l.card))
        .find_map(|l| l.rows.get(member)?.first()?[l.subject].clone())
        .unwrap_or_else(|| member.to_string());
    let mut safe: String = written.chars().filter(char::is_ascii_alphanumeric).collect();
    if safe.is_empty() {
        safe = "member".into();
    }
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
    let latest = sheet.timelines.iter().filter_map(|t| t.latest).max();
    for (l, row) in &card_rows {
        card(&mut sheet, l, row, latest);
    }
    if sheet.title.is_empty() {
        sheet.title = member.to_string();
    }
    sheet
}

fn card(sheet: &mut Sheet, l: &Loaded, row: &[Option<String>], latest: Option<(i64, u32, u32)>) {
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
        Some(ColumnRule::Identifier(spec)) => spec.kind.name(),
        _ => "subject",
    };
    if let Some(subject) = row[l.subject].as_deref() {
        fields.push((label(lang, subject_label).into(), subject.into()));
    }
    if let Some(sex) = get(Meaning::Role(Role::Sex)) {
        let shown = match crate::rules::sex_of(Some(sex)) {
            Some(crate::rules::Sex::Male) => label(lang, "male").to_string(),
            Some(crate::rules::Sex::Female) => label(lang, "female").to_string(),
            None => sex.to_string(),
        };
        fields.push((label(lang, "sex").into(), shown));
    }
    if let Some(birth) = get(Meaning::Role(Role::BirthDate)).and_then(crate::ident::date::parse) {
        let shown = match latest {
            Some((year, month, day)) => {
                let age = year - birth.year - i64::from((month, day) < (birth.month, birth.day));
                let low = age.max(0) / 10 * 10;
                format!(
                    "{low}–{} {} ({} {year:04}-{month:02}-{day:02})",
                    low + 9,
                    label(lang, "years"),
                    label(lang, "age_at")
                )
            }
            None => label(lang, "born_in").replace("{}", &(birth.year / 10 * 10).to_string()),
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
    let mut latest = None;
    for row in sorted {
        if let Some(p) = date.and_then(|d| row[d].as_deref()).and_then(crate::ident::date::parse) {
            latest = latest.max(Some((p.year, p.month, p.day)));
        }
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
                unsummed: 0,
            });
            entry.rows += 1;
            let mut unsummed = 0;
            let mut add = |sum: &mut Option<i64>, column: Option<usize>| {
                let Some(text) = column.and_then(|c| row[c].as_deref()) else { return };
                match cents(text).and_then(|c| sum.unwrap_or(0).checked_add(c)) {
                    Some(total) => *sum = Some(total),
                    None => unsummed += 1,
                }
            };
            add(&mut entry.amount, amount);
            add(&mut entry.reimbursed, reimbursed);
            entry.unsummed += unsummed;
        }
    }
    Timeline {
        table: l.table.name.clone(),
        columns,
        rows: out_rows,
        years: years.into_values().collect(),
        has_amount: amount.is_some(),
        has_reimbursed: reimbursed.is_some(),
        latest,
    }
}

/// An amount as written in an extract in cents: a decimal comma or point (`336,46`, `336.46`,
/// `12,3456` rounded to the cent), thousands grouped by the other one or a space (`1.234,56`,
/// `1,234.56`, `1 234,56`), a sign and a euro sign or `EUR` before or after. `None` for anything
/// else (`1.2.3`, `12abc`, `1,23,4`) and for amounts beyond 10^16 euro.
pub fn cents(text: &str) -> Option<i64> {
    let mut t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
    let mut negative = false;
    loop {
        let before = t.len();
        for affix in ["€", "EUR", "eur", "Eur"] {
            if let Some(rest) = t.strip_prefix(affix) {
                t = rest.to_string();
            }
            if let Some(rest) = t.strip_suffix(affix) {
                t = rest.to_string();
            }
        }
        if let Some(rest) = t.strip_prefix('-') {
            negative = !negative;
            t = rest.to_string();
        } else if let Some(rest) = t.strip_prefix('+') {
            t = rest.to_string();
        }
        if t.len() == before {
            break;
        }
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        return None;
    }
    let last = t.rfind(['.', ',']);
    let both = t.contains('.') && t.contains(',');
    // The decimal separator: the last separator when both kinds appear; else a separator that
    // appears once and is not followed by exactly three digits after one to three (`1.234` is
    // a thousand), or follows a lone 0 (`0,125`).
    let decimal = last.filter(|&i| {
        let sep = t.as_bytes()[i];
        let once = t.bytes().filter(|&b| b == sep).count() == 1;
        let after = t.len() - i - 1;
        both || (once && (after != 3 || &t[..i] == "0" || i > 3))
    });
    let (whole, fraction) = match decimal {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t.as_str(), ""),
    };
    if decimal.is_some() && fraction.is_empty() {
        return None;
    }
    // What is left of the decimal separator: digits, or groups of three after one to three digits.
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    let grouped = groups.len() > 1;
    let separators: Vec<u8> = whole.bytes().filter(|b| !b.is_ascii_digit()).collect();
    if grouped
        && (groups[0].is_empty()
            || groups[0].len() > 3
            || groups[1..].iter().any(|g| g.len() != 3)
            || separators.windows(2).any(|w| w[0] != w[1])
            || decimal.is_some_and(|i| separators.first() == Some(&t.as_bytes()[i])))
    {
        return None;
    }
    let digits: String = groups.concat();
    if digits.is_empty() || digits.len() > 16 || fraction.len() > 9 {
        return None;
    }
    let units: i64 = digits.parse().ok()?;
    // Rounded half away from zero to the cent.
    let mut fraction = format!("{fraction:0<3}");
    fraction.truncate(3);
    let thousandths: i64 = fraction.parse().ok()?;
    let value = units.checked_mul(100)?.checked_add((thousandths + 5) / 10)?;
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
        // Every label key the sheet asks for by name, in the three source files.
        let mut used = Vec::new();
        for marker in ["label(lang, \"", ".label(\""] {
            for part in source.split(marker).skip(1) {
                used.push(part[..part.find('"').unwrap()].to_string());
            }
        }
        assert!(used.len() > 15, "{used:?}");
        for role in Role::ALL {
            used.push(role_label(role).to_string());
        }
        for key in
            ["niss", "exid", "iban", "inami", "kbo", "phone", "email", "ip", "subject", "row_count", "rows_count"]
        {
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
            ("1.234.567", Some(123456700)),
            ("-12", Some(-1200)),
            ("+12", Some(1200)),
            ("€ 5", Some(500)),
            ("-€5", Some(-500)),
            ("EUR 5", Some(500)),
            ("5 eur", Some(500)),
            ("1.234", Some(123400)),
            ("1234.567", Some(123457)),
            ("0,125", Some(13)),
            ("12,3456", Some(1235)),
            ("1.2.3", None),
            ("1,23,4", None),
            ("1.234.5678", None),
            ("1,234,56", None),
            ("12345.678,9", None),
            ("5,", None),
            ("12abc", None),
            ("", None),
            ("-", None),
            ("99999999999999999", None),
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

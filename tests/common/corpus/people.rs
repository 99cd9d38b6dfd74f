//! Names and street addresses for the corpus: held-out names with and without titles, and
//! street names built from a root and a suffix, so no fixed list can know them.

use super::{Category, Gen, Lang, Sex};

const DUTCH_ROOTS: &[&str] = &[
    "Beuken",
    "Eiken",
    "Berken",
    "Kastanje",
    "Populieren",
    "Wilgen",
    "Hazelaar",
    "Hoog",
    "Zand",
    "Veld",
    "Bos",
    "Heide",
    "Brug",
    "Dijk",
    "Akker",
    "Weide",
    "Vijver",
    "Bloemen",
    "Tuin",
    "Meersen",
    "Abdij",
    "Kasteel",
    "Pastorij",
    "Vlas",
    "Klooster",
    "Leeuwerik",
    "Merel",
    "Zwaluw",
    "Rozen",
    "Tulpen",
    "Kouter",
    "Koning Albert",
    "Koningin Astrid",
    "Prins Boudewijn",
    "Pater Damiaan",
    "Jan Frans Willems",
];
const DUTCH_SUFFIXES: &[&str] = &["straat", "straat", "laan", "steenweg", "plein", "dreef", "lei", "weg"];
const FRENCH_COMPLEMENTS: &[&str] = &[
    "de la Loi",
    "de la Fontaine",
    "de la Chapelle",
    "de la Croix",
    "de la Paix",
    "de la Liberté",
    "de la Victoire",
    "de la Ferme",
    "de la Source",
    "de la Sablonnière",
    "de la Forge",
    "de la Citadelle",
    "du Chêne",
    "du Pont",
    "du Marché",
    "du Château",
    "du Parc",
    "du Centenaire",
    "du Travail",
    "des Cerisiers",
    "des Roses",
    "des Alouettes",
    "des Pinsons",
    "des Champs",
    "des Bouleaux",
    "des Hêtres",
    "des Peupliers",
    "de Waterloo",
    "de Namur",
    "de Wavre",
    "de Charleroi",
    "de Mons",
    "de Louvain",
    "de Tervuren",
    "de Ninove",
    "Brugmann",
    "Churchill",
    "Tirou",
    "Saint-Lambert",
    "Émile Vandervelde",
    "Reine Astrid",
];
const FRENCH_TYPES: &[&str] = &["Rue", "Rue", "Rue", "Avenue", "Avenue", "Chaussée", "Boulevard", "Place"];
const GERMAN_PLACES: &[&str] = &["Eupener", "Malmedyer", "Herbesthaler", "Raerener", "Lontzener", "Bütgenbacher"];
const GERMAN_ROOTS: &[&str] =
    &["Wald", "Berg", "Wiesen", "Garten", "Schul", "Mühlen", "Rosen", "Burg", "Feld", "Kapellen", "Tal"];
const GERMAN_SUFFIXES: &[&str] = &["straße", "straße", "weg", "platz", "gasse"];
const PLACES: &[(&str, &str, Lang)] = &[
    ("9000", "Gent", Lang::Nl),
    ("2000", "Antwerpen", Lang::Nl),
    ("3000", "Leuven", Lang::Nl),
    ("8000", "Brugge", Lang::Nl),
    ("2800", "Mechelen", Lang::Nl),
    ("3500", "Hasselt", Lang::Nl),
    ("9300", "Aalst", Lang::Nl),
    ("1000", "Bruxelles", Lang::Fr),
    ("4000", "Liège", Lang::Fr),
    ("5000", "Namur", Lang::Fr),
    ("6000", "Charleroi", Lang::Fr),
    ("7000", "Mons", Lang::Fr),
    ("1300", "Wavre", Lang::Fr),
    ("4700", "Eupen", Lang::De),
    ("4780", "Sankt Vith", Lang::De),
    ("4760", "Büllingen", Lang::De),
];

impl Gen {
    /// A title and a held-out name: `Dhr. Patrick Martens`, `Mme Leroy`, `Herr SMETS Johan`.
    /// The planted item is the name without its title.
    pub(crate) fn titled(&mut self) -> String {
        let titles: &[&str] = match self.lang {
            Lang::Nl => &["Dhr.", "Dhr.", "Mevr.", "Mevrouw", "Meneer", "Dr."],
            Lang::Fr => &["M.", "Mme", "Mme", "Madame", "Monsieur", "Dr", "Dr."],
            Lang::De => &["Herr", "Herr", "Frau", "Frau", "Dr."],
            Lang::En => &["Mr", "Mr.", "Mrs", "Mrs", "Dr."],
        };
        let title = self.rng.pick(titles);
        self.titled_as(title)
    }

    /// `title` and a held-out name of the title's sex (the planted item is the name).
    pub(crate) fn titled_as(&mut self, title: &str) -> String {
        let sex = match title {
            "Mevr." | "Mevrouw" | "Mme" | "Madame" | "Frau" | "Mrs" => Some(Sex::Female),
            "Dr." | "Dr" => None,
            _ => Some(Sex::Male),
        };
        let (first, last) = (self.first_name(sex), self.surname());
        let name = match self.rng.below(10) {
            0..=4 => format!("{first} {last}"),
            5..=7 => last,
            _ => format!("{} {first}", last.to_uppercase()),
        };
        let name = self.plant(Category::TitledName, name.clone(), name);
        format!("{title} {name}")
    }

    /// An untitled `First Last` from the held-out lists.
    pub(crate) fn person(&mut self) -> String {
        self.person_of(None)
    }

    /// An untitled `First Last` with a first name of `sex` when given (`zoon`, `sa fille`).
    pub(crate) fn person_of(&mut self, sex: Option<Sex>) -> String {
        let name = format!("{} {}", self.first_name(sex), self.surname());
        self.plant(Category::UntitledName, name.clone(), name)
    }

    /// A street and house number in the note's language (a box number and the postcode and
    /// municipality sometimes follow). The planted canonical form is street and number.
    pub(crate) fn address(&mut self) -> String {
        let lang = match self.lang {
            Lang::En => self.rng.pick(&[Lang::Nl, Lang::Fr, Lang::De]),
            l => l,
        };
        let street = match lang {
            Lang::Fr => format!("{} {}", self.rng.pick(FRENCH_TYPES), self.rng.pick(FRENCH_COMPLEMENTS)),
            Lang::De if self.rng.chance(40) => format!("{} Straße", self.rng.pick(GERMAN_PLACES)),
            Lang::De => format!("{}{}", self.rng.pick(GERMAN_ROOTS), self.rng.pick(GERMAN_SUFFIXES)),
            _ => format!("{}{}", self.rng.pick(DUTCH_ROOTS), self.rng.pick(DUTCH_SUFFIXES)),
        };
        let mut number = self.rng.between(1, 250).to_string();
        if self.rng.chance(25) {
            let b = self.rng.between(1, 12);
            number += &match lang {
                Lang::Fr => format!(" bte {b}"),
                Lang::De => format!("/{b}"),
                _ => format!(" bus {b}"),
            };
        }
        let canonical = format!("{street} {number}");
        let mut written = canonical.clone();
        if self.rng.chance(40) {
            let local: Vec<_> = PLACES.iter().filter(|p| p.2 == lang).collect();
            let (postcode, city, _) = self.rng.pick(&local);
            written += &format!(", {postcode} {city}");
        }
        self.plant(Category::Address, written, canonical)
    }
}

//! Word lists for the synthetic extract: Belgian first names, surnames, streets and municipalities.
//! Hand-picked common Belgian names and street names (not an extract of Statbel statistics):
//! plausible for demos and for the people rules, but short, so fakes repeat often.

pub const MALE_NL: &[&str] = &[
    "Jan", "Luc", "Marc", "Peter", "Bart", "Tom", "Wim", "Koen", "Pieter", "Lucas", "Noah", "Arthur", "Jef", "Stijn",
    "Dirk", "Gert", "Jonas", "Liam", "Wout", "Ward",
];
pub const FEMALE_NL: &[&str] = &[
    "Maria", "An", "Els", "Sofie", "Katrien", "Lotte", "Emma", "Marie", "Hanne", "Lien", "Griet", "Leen", "Anke",
    "Nina", "Fien", "Elise", "Lore", "Ine", "Sarah", "Julie",
];
pub const MALE_FR: &[&str] = &[
    "Jean",
    "Pierre",
    "Michel",
    "Philippe",
    "Louis",
    "Hugo",
    "Nathan",
    "Julien",
    "François",
    "Benoît",
    "Grégory",
    "Olivier",
    "Sébastien",
    "Thierry",
    "Luc",
    "Gabriel",
    "Maxime",
    "Antoine",
    "Raphaël",
    "Éric",
];
pub const FEMALE_FR: &[&str] = &[
    "Marie",
    "Nathalie",
    "Isabelle",
    "Catherine",
    "Sophie",
    "Chloé",
    "Léa",
    "Camille",
    "Anne",
    "Françoise",
    "Hélène",
    "Céline",
    "Aurélie",
    "Émilie",
    "Manon",
    "Louise",
    "Juliette",
    "Valérie",
    "Martine",
    "Inès",
];
pub const MALE_DE: &[&str] = &["Jürgen", "Klaus", "Stefan", "Andreas", "Thomas", "Lukas", "Jonas", "Matthias"];
pub const FEMALE_DE: &[&str] = &["Ursula", "Monika", "Sabine", "Andrea", "Katharina", "Lena", "Anna", "Jana"];
pub const SURNAMES_NL: &[&str] = &[
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Van Damme",
    "Vermeulen",
    "Van den Broeck",
    "Hermans",
    "Aerts",
    "De Clercq",
    "Pauwels",
    "Verhoeven",
    "Van de Velde",
    "D'Hondt",
];
pub const SURNAMES_FR: &[&str] = &[
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Simon",
    "Laurent",
    "Leclercq",
    "Renard",
    "Lejeune",
    "François",
    "Collard",
    "Denis",
    "Mathieu",
    "Michaux",
    "Lemaire",
    "Gilson",
    "Hubert",
    "Dumont",
    "Léonard",
    "Delvaux",
];
pub const SURNAMES_DE: &[&str] = &["Schmitz", "Müller", "Kessler", "Lentz", "Heinen", "Kohnen", "Mreyen", "Cremer"];
pub const STREETS_NL: &[&str] = &[
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Molenstraat",
    "Nieuwstraat",
    "Schoolstraat",
    "Kapelstraat",
    "Beekstraat",
    "Lindenlaan",
    "Grote Markt",
];
pub const STREETS_FR: &[&str] = &[
    "Rue de la Station",
    "Rue de l'Église",
    "Chaussée de Bruxelles",
    "Avenue des Tilleuls",
    "Rue du Moulin",
    "Place communale",
    "Rue Haute",
    "Rue des Écoles",
    "Rue de la Gare",
    "Avenue Louise",
];
pub const STREETS_DE: &[&str] = &["Hauptstraße", "Kirchstraße", "Bahnhofstraße", "Aachener Straße"];

/// (postcode, municipality, language) for a spread of Belgian municipalities.
pub const PLACES: &[(&str, &str, Lang)] = &[
    ("1000", "Bruxelles", Lang::Fr),
    ("1030", "Schaerbeek", Lang::Fr),
    ("1070", "Anderlecht", Lang::Fr),
    ("1300", "Wavre", Lang::Fr),
    ("1800", "Vilvoorde", Lang::Nl),
    ("2000", "Antwerpen", Lang::Nl),
    ("2800", "Mechelen", Lang::Nl),
    ("3000", "Leuven", Lang::Nl),
    ("3500", "Hasselt", Lang::Nl),
    ("4000", "Liège", Lang::Fr),
    ("4700", "Eupen", Lang::De),
    ("4780", "Sankt Vith", Lang::De),
    ("5000", "Namur", Lang::Fr),
    ("6000", "Charleroi", Lang::Fr),
    ("6700", "Arlon", Lang::Fr),
    ("7000", "Mons", Lang::Fr),
    ("8000", "Brugge", Lang::Nl),
    ("8500", "Kortrijk", Lang::Nl),
    ("9000", "Gent", Lang::Nl),
    ("9300", "Aalst", Lang::Nl),
];

/// Language of a member's file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    Fr,
    De,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "NL",
            Lang::Fr => "FR",
            Lang::De => "DE",
        }
    }
}

/// Assigned Belgian bank protocol codes (NBB list, as shipped by python-stdnum).
pub const BANK_CODES: &[u64] = &[1, 14, 35, 63, 68, 96, 103, 310, 363, 390, 419, 435, 630, 645, 735, 750, 890, 979];
pub const EMAIL_DOMAINS: &[&str] =
    &["gmail.com", "telenet.be", "skynet.be", "hotmail.com", "proximus.be", "outlook.be"];
/// INAMI nomenclature codes (6 digits) frequent in ambulatory care.
pub const NOMENCLATURE: &[&str] = &[
    "101010", "101032", "101076", "102771", "103110", "475075", "560011", "560033", "301011", "424012", "590111",
    "350372",
];
/// ICD-10 codes (with dot after the third character) and their share of empties.
pub const ICD10: &[&str] =
    &["E11.9", "I10", "J45.909", "M54.5", "F32.9", "K21.9", "Z00.00", "J06.9", "N39.0", "E78.5", "M17.11", "S93.401A"];
/// Two-digit phone zones (with trunk 0) valid in the Belgian numbering plan.
pub const ZONES: &[&str] = &[
    "050", "011", "016", "013", "014", "015", "053", "056", "057", "058", "059", "060", "061", "063", "064", "065",
    "067", "069", "071", "080", "081", "082", "083", "085", "086", "087", "089",
];

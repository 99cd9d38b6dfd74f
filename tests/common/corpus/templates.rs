//! The sentence templates: notes as an agent of a mutuality types them, 11 to 12 per language.
//!
//! Each template writes its items in text order through [`Gen`], which records what it planted.
//! Identifiers sit next to short and long words, punctuation, quotes, brackets, line breaks and
//! sentence ends, and pairs of them are joined by ` / `, `, ` or the language's `and`.

use super::{Category, Gen, Lang, Sex};

/// A template: writes one note through the generator.
pub(crate) type Template = fn(&mut Gen) -> String;

/// Every template with its language.
pub(crate) const ALL: &[(Lang, Template)] = &[
    (Lang::Nl, |g| {
        let (t, d, a, n, i, p) = (g.titled(), g.date(), g.amount(), g.niss(), g.iban(), g.phone());
        format!("{t} belde op {d} ivm terugbetaling van {a}. INSZ {n}, rek. {i}. Terugbellen op {p}.")
    }),
    (Lang::Nl, |g| {
        let (ip, d, o, i, p, e) = (g.ip(), g.date(), g.old_account(), g.iban(), g.phone(), g.email());
        format!("inlog vanaf IP {ip} geblokkeerd op {d}\nklant belt: rek. {o} wordt {i} bevestigd\ngsm {p} / mail {e}")
    }),
    (Lang::Nl, |g| {
        let (ad, d, n, p) = (g.address(), g.date(), g.niss(), g.phone());
        let n = g.wrap(n);
        format!("Adreswijziging: {ad} vanaf {d}.\nRRN {n}\nTel {p}")
    }),
    (Lang::Nl, |g| {
        let title = g.rng.pick(&["Mevr.", "Mevrouw"]);
        let (t, m, c, s, e) =
            (g.titled_as(title), g.niss_mistyped(), g.person_of(Some(Sex::Male)), g.niss_short(), g.email());
        format!("{t} (rijksregisternr. {m}) meldt dat zoon {c} ({s}) nog niet is ingeschreven. Contact: {e}.")
    }),
    (Lang::Nl, |g| {
        let (k, c, a, i, o, d) = (g.kbo(), g.code(), g.amount(), g.iban(), g.ogm(), g.date());
        format!("Factuur ziekenhuis (KBO {k}) voor prestatie {c}: {a}, te betalen op {i} met mededeling {o} voor {d}.")
    }),
    (Lang::Nl, |g| {
        let (t, r, d, c, pair) =
            (g.titled_as("Dr."), g.inami(), g.date(), g.code(), g.pair(Category::Niss, Category::Niss));
        format!("{t}, RIZIV-nr {r}, diende attest in op {d} voor nomenclatuur {c}. Patiënt en partner: {pair}.")
    }),
    (Lang::Nl, |g| {
        let (c, e, d, n, a, i) = (g.person(), g.email(), g.date(), g.niss(), g.amount(), g.iban());
        format!(
            "Van: {c} <{e}>\nVerzonden: {d}\nOnderwerp: terugbetaling\n\nGoeiedag, mijn rijksregisternummer is {n}. \
             Gelieve de {a} terug te storten op {i}. Mvg"
        )
    }),
    (Lang::Nl, |g| {
        let (a, f, t, ad) = (g.amount(), g.foreign_iban(), g.titled(), g.address());
        format!("Terugstorting {a} naar buitenlandse rekening {f} op vraag van {t}. Nieuw adres: {ad}")
    }),
    (Lang::Nl, |g| {
        let (n, d, a, c, i, p) = (g.niss(), g.date(), g.amount(), g.person(), g.iban(), g.phone());
        format!("{n} overleden op {d}. Uitbetaling {a} aan erfgenaam {c} op {i}, tel erfgenaam {p}")
    }),
    (Lang::Nl, |g| {
        let (m, n, i, p, ad, c, d) =
            (g.niss_mistyped(), g.niss(), g.iban(), g.phone(), g.address(), g.code(), g.date());
        format!(
            "Gegevens nagekeken (INSZ {m} was fout):\n- INSZ:{n}\n- IBAN: {i}\n- GSM: {p}\n- adres: {ad}\n\
             - laatste prestatie {c} op {d}"
        )
    }),
    (Lang::Nl, |g| {
        let (c1, c2, pair, o, a) =
            (g.person(), g.person(), g.pair(Category::Niss, Category::Phone), g.ogm(), g.amount());
        format!("gesprek met {c1} en {c2}, nrs {pair}. overschrijving {o} ontvangen ({a}) ok")
    }),
    (Lang::Fr, |g| {
        let (t, d, a, n, i, p) = (g.titled(), g.date(), g.amount(), g.niss(), g.iban(), g.phone());
        format!("Appel de {t} le {d} : demande le remboursement de {a}. NISS {n} – compte {i}. Rappeler au {p} svp")
    }),
    (Lang::Fr, |g| {
        let (e, d, o, f, p) = (g.email(), g.date(), g.old_account(), g.foreign_iban(), g.phone());
        let e = g.wrap(e);
        format!(
            "Mail de {e} du {d} : le membre a déménagé, remplacer l'ancien compte {o} par son compte à \
             l'étranger {f}. Tél. {p}"
        )
    }),
    (Lang::Fr, |g| {
        let (ad, d, n, p) = (g.address(), g.date(), g.niss(), g.phone());
        let n = g.wrap(n);
        format!("Nouvelle adresse : {ad} à partir du {d}.\nN° national {n}\nGSM {p}")
    }),
    (Lang::Fr, |g| {
        let title = g.rng.pick(&["Mme", "Madame"]);
        let (t, m, c, s, e) =
            (g.titled_as(title), g.niss_mistyped(), g.person_of(Some(Sex::Female)), g.niss_short(), g.email());
        format!(
            "{t} (registre national {m}) signale que sa fille {c}, n° {s}, n'est pas encore inscrite.\nContact : {e}"
        )
    }),
    (Lang::Fr, |g| {
        let (k, c, a, i, o, d) = (g.kbo(), g.code(), g.amount(), g.iban(), g.ogm(), g.date());
        format!(
            "Facture de la clinique BCE {k} pour la prestation {c} : {a}, à verser sur le {i} avec la communication \
             {o} avant le {d}."
        )
    }),
    (Lang::Fr, |g| {
        let title = g.rng.pick(&["Dr", "Dr."]);
        let (d, t, r, c, pair) =
            (g.date(), g.titled_as(title), g.inami(), g.code(), g.pair(Category::Niss, Category::Niss));
        format!(
            "Attestation reçue le {d} du {t} (n° INAMI {r}), code nomenclature {c}. NISS patient et \
             conjoint : {pair}."
        )
    }),
    (Lang::Fr, |g| {
        let (ip, d, c, e, p) = (g.ip(), g.date(), g.person(), g.email(), g.phone());
        format!(
            "Tentative de connexion depuis l'IP {ip} le {d} sur le dossier de {c} ; confirmé par mail ({e}) et \
             au {p}."
        )
    }),
    (Lang::Fr, |g| {
        let (t, a, i, o, ad) = (g.titled(), g.amount(), g.iban(), g.old_account(), g.address());
        format!("{t} demande le remboursement de {a} sur {i} et non plus sur {o}.\nNouvelle adresse : {ad}")
    }),
    (Lang::Fr, |g| {
        let (m, n, e, d) = (g.niss_mistyped(), g.niss(), g.email(), g.date());
        format!("Le NISS « {m} » était mal encodé, le bon est {n}. Voir le mail de {e} du {d}.")
    }),
    (Lang::Fr, |g| {
        let (d, c, a, code, pair, k) =
            (g.date(), g.person(), g.amount(), g.code(), g.pair(Category::Phone, Category::Phone), g.kbo());
        format!(
            "Note du {d} : {c} conteste le remboursement de {a} (prestation {code}). Joignable au {pair}. \
             Employeur : n° d'entreprise {k}"
        )
    }),
    (Lang::Fr, |g| {
        let (c, e, d, n, i, a) = (g.person(), g.email(), g.date(), g.niss(), g.iban(), g.amount());
        format!(
            "De : {c} <{e}>\nEnvoyé : {d}\nObjet : remboursement\n\nBonjour,\nvoici mon numéro national : {n}\n\
             et mon compte : {i}\nMerci de me rembourser les {a}.\nCordialement"
        )
    }),
    (Lang::Fr, |g| {
        let (c1, c2, pair, o, a) =
            (g.person(), g.person(), g.pair(Category::Niss, Category::Phone), g.ogm(), g.amount());
        format!("Entretien avec {c1} et {c2} ; numéros : {pair}. Virement {o} bien reçu ({a}).")
    }),
    (Lang::De, |g| {
        let title = g.rng.pick(&["Herr", "Frau"]);
        let (t, d, a, n, i, p) = (g.titled_as(title), g.date(), g.amount(), g.niss(), g.iban(), g.phone());
        format!("{t} rief am {d} an wegen der Erstattung von {a}. NISS {n}, Konto {i}. Rückruf unter {p}.")
    }),
    (Lang::De, |g| {
        let (o, i, d, p, e) = (g.old_account(), g.iban(), g.date(), g.phone(), g.email());
        format!("Kontoänderung: alt {o}, neu {i} (bestätigt am {d}). Handy {p} und E-Mail {e}")
    }),
    (Lang::De, |g| {
        let (d, ad, n, p) = (g.date(), g.address(), g.niss(), g.phone());
        let n = g.wrap(n);
        format!("Neue Anschrift ab dem {d}: {ad}\nNationalregisternummer: {n}\nTel. {p}")
    }),
    (Lang::De, |g| {
        let (t, m, c, s, e) =
            (g.titled_as("Frau"), g.niss_mistyped(), g.person_of(Some(Sex::Male)), g.niss_short(), g.email());
        format!("{t} (Nationalnummer {m}) meldet, dass ihr Sohn {c} ({s}) noch nicht eingeschrieben ist. Kontakt: {e}")
    }),
    (Lang::De, |g| {
        let (k, c, a, i, o, d) = (g.kbo(), g.code(), g.amount(), g.iban(), g.ogm(), g.date());
        format!(
            "Rechnung der Klinik (Unternehmensnummer {k}) für Leistung {c}: {a}, zu überweisen auf {i} mit \
             Mitteilung {o} bis zum {d}."
        )
    }),
    (Lang::De, |g| {
        let (t, r, d, c, pair) =
            (g.titled_as("Dr."), g.inami(), g.date(), g.code(), g.pair(Category::Niss, Category::Niss));
        format!(
            "{t} (LIKIV-Nr. {r}) hat die Bescheinigung am {d} für Nomenklaturcode {c} eingereicht. Patient und \
             Partner: {pair}."
        )
    }),
    (Lang::De, |g| {
        let (ip, d, c, e, p) = (g.ip(), g.date(), g.person(), g.email(), g.phone());
        format!("Anmeldeversuch von IP-Adresse {ip} am {d} für die Akte von {c}; bestätigt über {e} und {p}.")
    }),
    (Lang::De, |g| {
        let (a, f, t, ad) = (g.amount(), g.foreign_iban(), g.titled(), g.address());
        format!("Rückzahlung von {a} auf das ausländische Konto „{f}“ auf Wunsch von {t}. Neue Adresse: {ad}")
    }),
    (Lang::De, |g| {
        let (m, n, e, d) = (g.niss_mistyped(), g.niss(), g.email(), g.date());
        format!("NISS {m} war falsch erfasst, richtig ist {n}. Siehe Mail von {e} vom {d}.")
    }),
    (Lang::De, |g| {
        let (d, a, c, i, p, ad) = (g.date(), g.amount(), g.code(), g.iban(), g.phone(), g.address());
        format!("Mail vom {d}: beantragt Erstattung {a} (Leistung {c}) auf Konto {i}\nHandy: {p}\nAdresse: {ad}")
    }),
    (Lang::De, |g| {
        let (c1, c2, pair, o, a) =
            (g.person(), g.person(), g.pair(Category::Niss, Category::Phone), g.ogm(), g.amount());
        format!("Gespräch mit {c1} und {c2}: Nummern {pair}. Überweisung {o} erhalten ({a}).")
    }),
    (Lang::En, |g| {
        let (t, d, a, n, i, p) = (g.titled(), g.date(), g.amount(), g.niss(), g.iban(), g.phone());
        format!("{t} called on {d} re refund of {a}. NISS {n}, account {i}. Call back on {p} pls")
    }),
    (Lang::En, |g| {
        let (o, i, d, p, e) = (g.old_account(), g.iban(), g.date(), g.phone(), g.email());
        format!("Member wants her account changed from {o} to {i}, confirmed {d}. Mobile {p} / email <{e}>")
    }),
    (Lang::En, |g| {
        let (d, ad, n, p) = (g.date(), g.address(), g.niss(), g.phone());
        format!("New address from {d}: {ad}\nNational number: {n}\nPhone: {p}")
    }),
    (Lang::En, |g| {
        let (t, m, c, s, e) =
            (g.titled_as("Mrs"), g.niss_mistyped(), g.person_of(Some(Sex::Male)), g.niss_short(), g.email());
        format!("{t} (national number {m}) says her son {c} ({s}) is not registered yet. Contact: {e}.")
    }),
    (Lang::En, |g| {
        let (k, c, a, i, o, d) = (g.kbo(), g.code(), g.amount(), g.iban(), g.ogm(), g.date());
        format!(
            "Hospital invoice, company number {k}, for service {c}: {a}, to pay to {i} with structured reference {o} \
             before {d}."
        )
    }),
    (Lang::En, |g| {
        let (t, r, d, c, pair) =
            (g.titled_as("Dr."), g.inami(), g.date(), g.code(), g.pair(Category::Niss, Category::Niss));
        format!(
            "Certificate from {t} (RIZIV/INAMI {r}) received {d} for nomenclature code {c}. Patient and partner: \
             {pair}."
        )
    }),
    (Lang::En, |g| {
        let (ip, d, c, e, p) = (g.ip(), g.date(), g.person(), g.email(), g.phone());
        let ip = g.wrap(ip);
        format!("Login attempt from IP {ip} on {d} for the file of {c}; confirmed via {e} and {p}.")
    }),
    (Lang::En, |g| {
        let (a, f, t, ad) = (g.amount(), g.foreign_iban(), g.titled(), g.address());
        format!("Refund of {a} to the foreign account {f} at the request of {t}. New address: {ad}")
    }),
    (Lang::En, |g| {
        let (m, n, e, d) = (g.niss_mistyped(), g.niss(), g.email(), g.date());
        format!("NISS {m} keyed in wrongly, correct one is '{n}'. See mail from {e} dated {d}.")
    }),
    (Lang::En, |g| {
        let (d, a, c, s, pair, ad) =
            (g.date(), g.amount(), g.code(), g.niss_short(), g.pair(Category::Phone, Category::Email), g.address());
        format!(
            "Mail dated {d}: asks refund of {a} (code {c}) for his daughter, nat. no. {s}\nreach him on {pair}\n\
             Address: {ad}"
        )
    }),
    (Lang::En, |g| {
        let (c1, c2, pair, o, a, k) =
            (g.person(), g.person(), g.pair(Category::Niss, Category::Phone), g.ogm(), g.amount(), g.kbo());
        format!("Call with {c1} and {c2}: numbers {pair}. Transfer {o} received ({a}) from employer {k}")
    }),
];

impl Gen {
    /// An identifier of `category`, planted.
    pub(crate) fn identifier(&mut self, category: Category) -> String {
        match category {
            Category::Niss => self.niss(),
            Category::Phone => self.phone(),
            Category::Email => self.email(),
            Category::Iban => self.iban(),
            _ => unreachable!("no template pairs {category:?}"),
        }
    }

    /// Two identifiers joined by ` / `, `, ` or the language's `and`.
    pub(crate) fn pair(&mut self, a: Category, b: Category) -> String {
        let a = self.identifier(a);
        let joiner = self.joiner();
        let b = self.identifier(b);
        format!("{a}{joiner}{b}")
    }

    /// `text` bare, or in brackets or the language's quotes.
    pub(crate) fn wrap(&mut self, text: String) -> String {
        match (self.rng.below(8), self.lang) {
            (0, _) => format!("({text})"),
            (1, _) => format!("[{text}]"),
            (2, Lang::Fr) => format!("« {text} »"),
            (3, Lang::Fr) => format!("«{text}»"),
            (2 | 3, Lang::De) => format!("„{text}“"),
            (2, _) => format!("\"{text}\""),
            (3, _) => format!("'{text}'"),
            _ => text,
        }
    }
}

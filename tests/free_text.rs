//! `free_text` on generated notes: every NISS, IBAN, e-mail and phone in many spellings is
//! replaced by the pseudonym its structured column gets; amounts, dates and codes are untouched.

mod common;

use std::collections::HashMap;

use common::*;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn niss(r: &mut Lcg) -> String {
    let first9 = ((40 + r.next(60)) * 10_000 + (1 + r.next(12)) * 100 + 1 + r.next(28)) * 1000 + 1 + r.next(998);
    format!("{:011}", first9 * 100 + 97 - first9 % 97)
}

fn iban(r: &mut Lcg) -> String {
    let first10 = [1u64, 63, 96, 310, 419, 735][r.next(6) as usize] * 10_000_000 + r.next(10_000_000);
    let national = if first10 % 97 == 0 { 97 } else { first10 % 97 };
    let bban = format!("{first10:010}{national:02}");
    let rem = format!("{bban}111400").bytes().fold(0u32, |a, b| (a * 10 + (b - b'0') as u32) % 97);
    format!("BE{:02}{bban}", 98 - rem)
}

fn spell_niss(s: &str, how: u64) -> String {
    match how {
        0 => s.to_string(),
        1 => format!("{}.{}.{}-{}.{}", &s[0..2], &s[2..4], &s[4..6], &s[6..9], &s[9..11]),
        _ => format!("{} {} {}", &s[0..6], &s[6..9], &s[9..11]),
    }
}

fn spell_iban(s: &str, how: u64) -> String {
    if how == 0 {
        s.to_string()
    } else {
        s.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ")
    }
}

fn spell_phone(sub: u64, how: u64) -> (String, String) {
    let s = format!("{sub:06}");
    let canonical = format!("0475{s}");
    let written = match how {
        0 => format!("0475 {} {} {}", &s[0..2], &s[2..4], &s[4..6]),
        1 => format!("+32 475 {} {} {}", &s[0..2], &s[2..4], &s[4..6]),
        2 => format!("0475/{}.{}.{}", &s[0..2], &s[2..4], &s[4..6]),
        _ => format!("+32475{s}"),
    };
    (canonical, written)
}

#[test]
fn notes_are_scrubbed_with_the_structured_pseudonyms_and_nothing_else_changes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    let mut r = Lcg(42);
    let mut csv = csv::Writer::from_path(dir.path().join("input/notes.csv")).unwrap();
    csv.write_record(["niss", "iban", "phone", "email", "first_name", "last_name", "note"]).unwrap();
    let mut rows = Vec::new();
    for i in 0..3000u64 {
        let (n, b) = (niss(&mut r), iban(&mut r));
        let (phone, phone_written) = spell_phone(r.next(1_000_000), r.next(4));
        let email = format!("member{i}@telenet.be");
        let amount = format!("{},{:02} EUR", r.next(900), r.next(100));
        let date = format!("{:02}/{:02}/20{:02}", 1 + r.next(28), 1 + r.next(12), r.next(25));
        let code = format!("{}", 101_010 + r.next(800_000));
        let note = format!(
            "Op {date} belde Jan Peeters ({}) over {amount} voor prestatie {code}; rekening {}, gsm {phone_written}, mail {email}. Terugbetaling {amount}.",
            spell_niss(&n, r.next(3)),
            spell_iban(&b, r.next(2)),
        );
        csv.write_record([n.as_str(), b.as_str(), phone.as_str(), email.as_str(), "Jan", "Peeters", note.as_str()])
            .unwrap();
        rows.push((n, b, phone, email, amount, date, code));
    }
    csv.flush().unwrap();
    drop(csv);
    std::fs::write(
        dir.path().join("mappings/notes.yaml"),
        "table: notes\nfiles: [notes.csv]\ncolumns:\n  niss: niss\n  iban: iban\n  phone: phone\n  email: email\n  first_name: first_name\n  last_name: last_name\n  note: { free_text: { names_from: [first_name, last_name] } }\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    let output = records(&out.path().join("notes.csv"), b',');
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let mut pseudonyms: HashMap<String, String> = HashMap::new();
    let (mut found, mut total) = (0usize, 0usize);
    for (row, (n, b, phone, email, amount, date, code)) in output.iter().skip(1).zip(&rows) {
        let note = String::from_utf8(row[6].clone()).unwrap();
        let note_digits = digits(&note);
        for original in [n.as_str(), &b[4..], &phone[1..]] {
            total += 1;
            if !note_digits.contains(original) {
                found += 1;
            }
        }
        total += 1;
        if !note.contains(email.as_str()) {
            found += 1;
        }
        // The structured pseudonyms appear in the note, in the note's spelling.
        assert!(note_digits.contains(&digits(&String::from_utf8(row[0].clone()).unwrap())), "NISS pseudonym in note");
        assert!(
            note_digits.contains(&digits(&String::from_utf8(row[1].clone()).unwrap())[2..]),
            "IBAN pseudonym in note"
        );
        assert!(
            note.contains(std::str::from_utf8(&row[3]).unwrap()),
            "e-mail pseudonym in note: {note} vs {}",
            String::from_utf8_lossy(&row[3])
        );
        assert!(
            note.contains(std::str::from_utf8(&row[4]).unwrap()) && !note.contains("Jan Peeters"),
            "names replaced"
        );
        for kept in [amount.as_str(), date.as_str(), code.as_str()] {
            assert!(note.contains(kept), "{kept} changed in: {note}");
        }
        pseudonyms.insert(n.clone(), String::from_utf8(row[0].clone()).unwrap());
    }
    assert_eq!(found, total, "every planted identifier is replaced");
    assert!(pseudonyms.len() > 2900);
}

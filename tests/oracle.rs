//! The oracle nobody here wrote: 100,000 NISS/BIS pseudonyms and 100,000 IBAN pseudonyms,
//! validated by python-stdnum 2.2 (`stdnum.be.ssn`, `stdnum.iban` with its Belgian bank list).
//! Belgian phone pseudonyms are checked with phonenumbers (libphonenumber metadata).
//! `.ci/test` installs both into `.venv` and points `PSEUDATA_PYTHON` at it.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use pseudata::crypto::Key;
use pseudata::rules::{ColumnRule, Rule};

fn python() -> PathBuf {
    common::python_with("stdnum, phonenumbers")
}

fn rule(name: &str) -> Box<dyn Rule> {
    let key = Key::from_hex(&"c7".repeat(32), "oracle").unwrap();
    ColumnRule::parse(&serde_norway::Value::String(name.into())).unwrap().build(&key).unwrap()
}

fn niss_inputs() -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while out.len() < 100_000 {
        i += 1;
        let year = 1930 + (i * 7) % 96; // up to 2025
        let month = 1 + (i * 5) % 12;
        let day = 1 + (i * 11) % 28;
        let serial = 1 + (i * 13) % 998;
        let (month_field, day_field) = match i % 10 {
            0..=5 => (month, day),   // regular
            6 => (month + 40, day),  // BIS, sex known
            7 => (month + 20, day),  // BIS, sex unknown
            8 => (0, (i / 10) % 32), // month unknown (and day 00 at times)
            _ => (20, day),          // BIS, month unknown
        };
        let first9 = ((year % 100) * 10_000 + month_field * 100 + day_field) * 1000 + serial;
        let n = first9 * 100 + if year >= 2000 { 97 - (2_000_000_000 + first9) % 97 } else { 97 - first9 % 97 };
        let s = format!("{n:011}");
        out.push(if i % 3 == 0 {
            format!("{}.{}.{}-{}.{}", &s[0..2], &s[2..4], &s[4..6], &s[6..9], &s[9..11])
        } else {
            s
        });
    }
    out
}

fn iban_inputs() -> Vec<String> {
    let banks = [1u64, 14, 35, 63, 68, 96, 103, 310, 363, 390, 419, 435, 630, 645, 735, 750, 890, 979];
    (0..100_000u64)
        .map(|i| {
            let first10 = banks[(i % banks.len() as u64) as usize] * 10_000_000 + (i * 7_919) % 10_000_000;
            let national = if first10 % 97 == 0 { 97 } else { first10 % 97 };
            let bban = format!("{first10:010}{national:02}");
            let rem = format!("{bban}111400").bytes().fold(0u32, |r, b| (r * 10 + (b - b'0') as u32) % 97);
            format!("BE{:02}{bban}", 98 - rem)
        })
        .collect()
}

#[test]
fn python_stdnum_accepts_every_niss_and_iban_pseudonym() {
    let python = python();
    let (niss, iban) = (rule("niss"), rule("iban"));
    let iban_keep_false = {
        let key = Key::from_hex(&"c7".repeat(32), "oracle").unwrap();
        let spec: serde_norway::Value = serde_norway::from_str("{ iban: { keep_bank: false } }").unwrap();
        ColumnRule::parse(&spec).unwrap().build(&key).unwrap()
    };
    let mut lines = String::new();
    let mut inputs_checked = 0;
    for value in niss_inputs() {
        let p = niss.apply(&value, &[]).unwrap();
        assert!(!p.invalid, "test input is a valid NISS");
        lines.push_str(&format!("in-niss {value}\nniss {}\n", p.text.unwrap()));
        inputs_checked += 1;
    }
    for (i, value) in iban_inputs().into_iter().enumerate() {
        let rule = if i % 2 == 0 { &iban } else { &iban_keep_false };
        let p = rule.apply(&value, &[]).unwrap();
        assert!(!p.invalid, "test input is a valid IBAN");
        lines.push_str(&format!("in-iban {value}\niban {}\n", p.text.unwrap()));
    }
    let script = r#"
import sys
from stdnum.be import ssn
from stdnum import iban
counts, bad = {}, []
for line in sys.stdin:
    kind, value = line.rstrip("\n").split(" ", 1)
    ok = ssn.is_valid(value) if kind.endswith("niss") else iban.is_valid(value)
    counts[kind] = counts.get(kind, 0) + 1
    if not ok:
        bad.append(line.strip())
print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
print("invalid", len(bad))
for b in bad[:20]:
    print(b)
"#;
    let mut child =
        Command::new(python).args(["-c", script]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}");
    assert!(report.contains("niss=100000") && report.contains("iban=100000"), "{report}");
    assert!(report.contains("in-niss=100000") && report.contains("in-iban=100000"), "{report}");
    assert!(report.lines().nth(1) == Some("invalid 0"), "python-stdnum rejects some values:\n{report}");
    assert_eq!(inputs_checked, 100_000);
}

fn run_python(python: &std::path::Path, script: &str, input: &str) -> String {
    let mut child =
        Command::new(python).args(["-c", script]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{text}");
    text
}

#[test]
fn phonenumbers_accepts_mobile_and_geographic_phone_pseudonyms() {
    let python = python();
    // libphonenumber (phonenumbers 9.0.43) draws 20,000 valid Belgian mobile and geographic numbers.
    let generate = r#"
import random, phonenumbers
random.seed(7)
zones = ["2", "3", "4", "9"] + [str(z) for z in range(10, 100) if z not in (70, 77, 78, 80, 90)]
out = []
while len(out) < 20000:
    if random.random() < 0.5:
        v = "04%02d%06d" % (random.randint(60, 99), random.randint(0, 999999))
    else:
        z = random.choice(zones)
        v = "0" + z + "".join(random.choice("0123456789") for _ in range(8 - len(z)))
    try:
        if phonenumbers.is_valid_number(phonenumbers.parse(v, "BE")):
            out.append(v if len(out) % 2 else "+32 " + v[1:])
    except Exception:
        pass
print("\n".join(out))
"#;
    let inputs = run_python(&python, generate, "");
    let phone = rule("phone");
    let outputs: Vec<String> = inputs
        .lines()
        .map(|v| {
            let p = phone.apply(v, &[]).unwrap();
            assert!(!p.invalid, "valid input reported invalid");
            p.text.unwrap()
        })
        .collect();
    assert_eq!(outputs.len(), 20_000);
    let validate = r#"
import sys, phonenumbers
bad = [l.strip() for l in sys.stdin if not phonenumbers.is_valid_number(phonenumbers.parse(l.strip(), "BE"))]
print("invalid", len(bad))
print("\n".join(bad[:20]))
"#;
    let report = run_python(&python, validate, &outputs.join("\n"));
    assert!(report.starts_with("invalid 0\n"), "phonenumbers rejects some pseudonyms:\n{report}");
}

//! Identifier rules over large samples: every pseudonym valid under the published rules
//! (checked here by code independent of the crate), the documented parts kept, a bijection over
//! at least 10^6 distinct inputs per kind, deterministic, and changed by another key.

use std::collections::HashSet;

use pseudata::crypto::Key;
use pseudata::rules::{ColumnRule, Rule};

const MILLION: usize = 1_000_000;

fn rule(yaml: &str, key_byte: u8) -> Box<dyn Rule> {
    let spec: serde_norway::Value = serde_norway::from_str(yaml).unwrap();
    let key = Key::from_hex(&format!("{key_byte:02x}").repeat(32), "test").unwrap();
    ColumnRule::parse(&spec).unwrap().build(&key).unwrap()
}

fn apply(rule: &dyn Rule, value: &str) -> String {
    let p = rule.apply(value, &[]).unwrap();
    assert!(!p.invalid, "valid input reported invalid: {value}");
    p.text.unwrap()
}

/// Asserts the outputs are distinct and all moved (no fixed point), and that another key changes at least 99%
/// of them (`other_key[i]` is the other key's pseudonym of `inputs[i * step]`).
fn assert_bijective_and_keyed(inputs: &[String], outputs: &[String], other_key: &[String], step: usize) {
    assert!(inputs.len() >= MILLION, "{} inputs", inputs.len());
    let distinct_in: HashSet<&String> = inputs.iter().collect();
    assert_eq!(distinct_in.len(), inputs.len(), "inputs are distinct");
    let distinct_out: HashSet<&String> = outputs.iter().collect();
    assert_eq!(distinct_out.len(), outputs.len(), "two inputs share a pseudonym");
    let fixed = inputs.iter().zip(outputs).filter(|(a, b)| a == b).count();
    assert_eq!(fixed, 0, "no value may be its own pseudonym");
    assert_eq!(other_key.len(), inputs.len().div_ceil(step));
    let changed = outputs.iter().step_by(step).zip(other_key).filter(|(a, b)| a != b).count();
    assert!(changed * 100 >= other_key.len() * 99, "another key changed only {changed} of {}", other_key.len());
}

// ---- independent validators (published rules, not the crate's code) ----

fn niss_century(d: u64) -> Option<bool> {
    let (first9, check) = (d / 100, d % 100);
    if 97 - first9 % 97 == check {
        Some(false)
    } else if 97 - (2_000_000_000 + first9) % 97 == check {
        Some(true)
    } else {
        None
    }
}

fn is_real_date(year: u64, month: u64, day: u64) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&month) && day >= 1 && day <= days[month as usize - 1]
}

fn iban_ok(compact: &str) -> bool {
    let rearranged: String = compact[4..].chars().chain(compact[..4].chars()).collect();
    let mut rem = 0u32;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap();
        rem = if v < 10 { (rem * 10 + v) % 97 } else { (rem * 100 + v) % 97 };
    }
    rem == 1
}

#[test]
fn niss_over_a_million_regular_bis_and_2000_numbers() {
    let (r, other) = (rule("niss", 1), rule("niss", 2));
    let mut inputs = Vec::with_capacity(MILLION);
    // 2,000 consecutive dates from 1998-06-01 (crossing into the 2000 rule) x 500 serials,
    // written in three classes and three spellings.
    let mut date = (1998u64, 6u64, 1u64);
    for day in 0..2000 {
        for serial in 1..=500u64 {
            let class = [0, 40, 20][((day + serial) % 3) as usize];
            let first9 = ((date.0 % 100) * 10_000 + (date.1 + class) * 100 + date.2) * 1000 + serial;
            let n = first9 * 100 + if date.0 >= 2000 { 97 - (2_000_000_000 + first9) % 97 } else { 97 - first9 % 97 };
            let s = format!("{n:011}");
            inputs.push(match serial % 3 {
                0 => s,
                1 => format!("{}.{}.{}-{}.{}", &s[0..2], &s[2..4], &s[4..6], &s[6..9], &s[9..11]),
                _ => format!("{} {} {}", &s[0..6], &s[6..9], &s[9..11]),
            });
        }
        date.2 += 1;
        if !is_real_date(date.0, date.1, date.2) {
            date = if date.1 == 12 { (date.0 + 1, 1, 1) } else { (date.0, date.1 + 1, 1) };
        }
    }
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for (input, output) in inputs.iter().zip(&outputs) {
        assert_eq!(input.len(), output.len());
        assert_eq!(
            input.replace(|c: char| c.is_ascii_digit(), "9"),
            output.replace(|c: char| c.is_ascii_digit(), "9"),
            "spelling kept"
        );
        let (i, o): (u64, u64) = (digits(input).parse().unwrap(), digits(output).parse().unwrap());
        let (ci, co) = (niss_century(i).unwrap(), niss_century(o).expect("valid check digits"));
        assert_eq!(ci, co, "century kept");
        assert_eq!(i / 1_000_000_000, o / 1_000_000_000, "birth year kept");
        let (mi, mo) = ((i / 10_000_000) % 100, (o / 10_000_000) % 100);
        assert_eq!(mi / 20, mo / 20, "class kept (month offset 0, 20, 40)");
        let year = if co { 2000 } else { 1900 } + o / 1_000_000_000;
        assert!(is_real_date(year, mo % 20, (o / 100_000) % 100), "real date kept: {output}");
        let (si, so) = ((i / 100) % 1000, (o / 100) % 1000);
        assert_eq!(si % 2, so % 2, "sex parity kept");
        assert!((1..=998).contains(&so));
    }
    let other_out: Vec<String> = inputs.iter().step_by(50).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 50);
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn niss_without_kept_parts_still_valid_and_bijective() {
    let r = rule("{ niss: { keep: [] } }", 3);
    let mut outputs = HashSet::new();
    for i in 0..28 * 998u64 {
        let first9 = (850_101u64 + (i % 28)) * 1000 + 1 + i / 28;
        let n = first9 * 100 + 97 - first9 % 97;
        let out: u64 = apply(r.as_ref(), &format!("{n:011}")).parse().unwrap();
        let century = niss_century(out).expect("valid");
        assert!(!century, "a 1900s number stays in the 1900s");
        assert!(outputs.insert(out));
    }
}

#[test]
fn iban_over_a_million_belgian_accounts() {
    let (r, other) = (rule("iban", 1), rule("iban", 2));
    let banks = [1u64, 14, 35, 63, 96, 103, 310, 363, 390, 419, 435, 630, 645, 735, 750, 890, 979];
    let mut inputs = Vec::with_capacity(MILLION);
    for i in 0..MILLION as u64 {
        let bank = banks[(i % banks.len() as u64) as usize];
        let account = (i / banks.len() as u64) * 131 % 10_000_000;
        let first10 = bank * 10_000_000 + account;
        let national = match first10 % 97 {
            0 => 97,
            r => r,
        };
        let bban = format!("{first10:010}{national:02}");
        let check = {
            let mut rem = 0u32;
            for c in format!("{bban}111400").chars() {
                rem = (rem * 10 + c.to_digit(10).unwrap()) % 97;
            }
            98 - rem
        };
        let compact = format!("BE{check:02}{bban}");
        assert!(iban_ok(&compact));
        inputs.push(if i % 2 == 0 {
            compact
        } else {
            compact.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ")
        });
    }
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for (input, output) in inputs.iter().zip(&outputs) {
        assert_eq!(input.len(), output.len(), "spelling kept");
        let c: String = output.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(iban_ok(&c), "IBAN check: {output}");
        let first10: u64 = c[4..14].parse().unwrap();
        let national: u64 = c[14..16].parse().unwrap();
        assert_eq!(if first10 % 97 == 0 { 97 } else { first10 % 97 }, national, "national check");
        assert_eq!(&digits(input)[2..5], &c[4..7], "bank kept");
    }
    let other_out: Vec<String> = inputs.iter().step_by(50).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 50);
}

#[test]
fn iban_without_kept_bank_draws_assigned_codes_and_keeps_foreign_countries() {
    let r = rule("{ iban: { keep_bank: false } }", 4);
    let banks: HashSet<String> = (0..20_000u64)
        .map(|i| {
            let first10 = 96 * 10_000_000 + i;
            let national = if first10 % 97 == 0 { 97 } else { first10 % 97 };
            let bban = format!("{first10:010}{national:02}");
            let mut rem = 0u32;
            for c in format!("{bban}111400").chars() {
                rem = (rem * 10 + c.to_digit(10).unwrap()) % 97;
            }
            let out = apply(r.as_ref(), &format!("BE{:02}{bban}", 98 - rem));
            assert!(iban_ok(&out));
            out[4..7].to_string()
        })
        .collect();
    assert!(banks.len() > 50, "banks drawn: {}", banks.len());
    let foreign = apply(r.as_ref(), "GB82 WEST 1234 5698 7654 32");
    assert!(foreign.starts_with("GB") && foreign.contains("WEST"));
    assert!(iban_ok(&foreign.replace(' ', "")));
}

#[test]
fn inami_over_a_million_numbers_in_both_schemes() {
    let (r, other) = (rule("inami", 1), rule("inami", 2));
    let mut inputs = Vec::with_capacity(MILLION + 100_000);
    for profession in 1..=9u64 {
        for seq in 0..100_000u64 {
            let stem = profession * 100_000 + seq;
            let qualification = ["000", "580", "003"][(seq % 3) as usize];
            let mut checks = vec![97 - stem % 97];
            if seq % 8 == 0 && 89 - stem % 89 != 97 - stem % 97 {
                checks.push(89 - stem % 89);
            }
            for check in checks {
                inputs.push(if seq % 2 == 0 {
                    format!("{stem:06}{check:02}{qualification}")
                } else {
                    format!("{}-{:05}-{check:02}-{qualification}", profession, seq)
                });
            }
        }
    }
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for (input, output) in inputs.iter().zip(&outputs) {
        let (i, o) = (digits(input), digits(output));
        assert_eq!(input.len(), output.len());
        assert_eq!(&i[..1], &o[..1], "profession kept");
        assert_eq!(&i[8..], &o[8..], "qualification kept");
        let (si, so): (u64, u64) = (i[..6].parse().unwrap(), o[..6].parse().unwrap());
        let (ci, co): (u64, u64) = (i[6..8].parse().unwrap(), o[6..8].parse().unwrap());
        let scheme_in = if 97 - si % 97 == ci { 97 } else { 89 };
        let expected = if scheme_in == 97 { 97 - so % 97 } else { 89 - so % 89 };
        assert_eq!(co, expected, "check digits in the input's scheme: {input} -> {output}");
    }
    let other_out: Vec<String> = inputs.iter().step_by(10).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 10);
}

#[test]
fn kbo_over_a_million_enterprise_numbers() {
    let (r, other) = (rule("kbo", 1), rule("kbo", 2));
    let inputs: Vec<String> = (0..MILLION as u64)
        .map(|i| {
            let first8 = 4_000_000 + i * 3;
            let n = first8 * 100 + 97 - first8 % 97;
            let s = format!("{n:010}");
            if i % 2 == 0 {
                s
            } else {
                format!("{}.{}.{}", &s[0..4], &s[4..7], &s[7..10])
            }
        })
        .collect();
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for (input, output) in inputs.iter().zip(&outputs) {
        assert_eq!(input.len(), output.len());
        let o: u64 = digits(output).parse().unwrap();
        assert_eq!(97 - (o / 100) % 97, o % 100, "mod 97: {output}");
        assert_eq!(&input[..1], &output[..1], "first digit kept");
    }
    let other_out: Vec<String> = inputs.iter().step_by(10).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 10);
}

#[test]
fn phone_over_a_million_mobile_numbers() {
    let (r, other) = (rule("phone", 1), rule("phone", 2));
    let inputs: Vec<String> = (0..MILLION as u64)
        .map(|i| {
            let op = 70 + i % 30;
            let sub = i / 30 * 7 % 1_000_000;
            let s = format!("{sub:06}");
            if i % 2 == 0 {
                format!("04{op} {} {} {}", &s[0..2], &s[2..4], &s[4..6])
            } else {
                format!("+32 4{op} {}", s)
            }
        })
        .collect();
    let distinct: HashSet<String> =
        inputs.iter().map(|v| digits(v).trim_start_matches("32").trim_start_matches('0').to_string()).collect();
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for (input, output) in inputs.iter().zip(&outputs) {
        assert_eq!(input.replace(|c: char| c.is_ascii_digit(), "9"), output.replace(|c: char| c.is_ascii_digit(), "9"));
        assert_eq!(&input[..input.len() - 9], &output[..output.len() - 9], "prefix and operator kept");
    }
    // Distinct numbers (whatever the spelling) get distinct subscriber digits.
    let national: HashSet<String> =
        outputs.iter().map(|v| digits(v).trim_start_matches("32").trim_start_matches('0').to_string()).collect();
    assert_eq!(national.len(), distinct.len());
    let other_out: Vec<String> = inputs.iter().step_by(10).map(|v| apply(other.as_ref(), v)).collect();
    let changed = other_out.iter().zip(outputs.iter().step_by(10)).filter(|(a, b)| a != b).count();
    assert!(changed * 100 >= other_out.len() * 99);
}

#[test]
fn exid_over_a_million_member_numbers() {
    let (r, other) = (rule("{ exid: { keep_prefix: 1 } }", 1), rule("{ exid: { keep_prefix: 1 } }", 2));
    let inputs: Vec<String> = (0..MILLION as u64).map(|i| format!("5{:011}", i * 37)).collect();
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for output in &outputs {
        assert_eq!(output.len(), 12);
        assert!(output.starts_with('5') && output.bytes().all(|b| b.is_ascii_digit()));
    }
    let other_out: Vec<String> = inputs.iter().step_by(10).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 10);
}

/// An e-mail address as RFC 5322's dot-atom reads it (independent of the crate's own check).
fn email_ok(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    let atom =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b));
    local.len() <= 64 && local.split('.').all(atom) && domain.split('.').all(atom)
}

#[test]
fn email_over_a_million_addresses_distinct_and_reserved() {
    let (r, other) = (rule("email", 1), rule("email", 2));
    // Close neighbours on purpose: one digit, one letter, one domain apart.
    let domains = ["telenet.be", "skynet.be", "gmail.com", "mutualite.be"];
    let inputs: Vec<String> = (0..MILLION)
        .map(|i| {
            format!("{}.{}{}@{}", ["jan", "marie", "an", "jean-luc"][i % 4], "peeters", i / 16, domains[i / 4 % 4])
        })
        .collect();
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    for output in outputs.iter().step_by(97) {
        assert!(email_ok(output), "{output}");
        let domain = output.rsplit_once('@').unwrap().1;
        assert!(["example.com", "example.net", "example.org"].contains(&domain), "{output}: RFC 2606 domains only");
    }
    assert_eq!(apply(r.as_ref(), "Jan.Peeters1@Telenet.BE"), apply(r.as_ref(), "jan.peeters1@telenet.be"));
    let other_out: Vec<String> = inputs.iter().step_by(10).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 10);
}

/// Lower case ASCII letters of a name, as an address writes it (independent of the crate's folding).
fn ascii_letters(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(c),
            'à' | 'á' | 'â' | 'ä' | 'ã' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'ï' | 'î' | 'í' => Some('i'),
            'ô' | 'ö' | 'ó' => Some('o'),
            'ü' | 'û' | 'ú' | 'ù' => Some('u'),
            'ç' => Some('c'),
            'ÿ' | 'ý' => Some('y'),
            'ñ' => Some('n'),
            _ => None,
        })
        .collect()
}

#[test]
fn email_with_the_rows_names_over_a_million_addresses_distinct() {
    use pseudata::rules::{IdentifierKind, IdentifierSpec, OnInvalid, People, PeopleSpec};
    let key = Key::from_hex(&"07".repeat(32), "test").unwrap();
    let first = PeopleSpec::FirstName { sex_from: None, language_from: None };
    let last = PeopleSpec::LastName { language_from: None };
    let spec = IdentifierSpec {
        names_from: vec!["first_name".into(), "last_name".into()],
        name_rules: vec![(first.clone(), vec![]), (last.clone(), vec![])],
        ..IdentifierSpec::new(IdentifierKind::Email, OnInvalid::Fake)
    };
    let email = pseudata::rules::Identifier::new(&key, &spec);
    let surname_rule = People::new(&key, &last);
    // Few people, many addresses: every fake name is shared by thousands of addresses, so only
    // the tail can keep them apart.
    let firsts = ["Jan", "Marie", "Jean-Luc", "Anne", "Mohamed", "Sofie", "Pierre", "Lotte"];
    let lasts = ["Peeters", "Dubois", "Van den Bossche", "D'Hondt", "Lefèvre", "Yilmaz", "Maes", "Dupont-Renard"];
    let domains = ["telenet.be", "skynet.be", "gmail.com", "mutualite.be"];
    let mut seen = HashSet::with_capacity(MILLION);
    let mut with_surname = 0usize;
    for i in 0..MILLION {
        let (f, l) = (firsts[i % 8], lasts[i / 8 % 8]);
        let address = format!("{}.{}{}@{}", f.to_lowercase(), i / 64, l.len(), domains[i / 16 % 4]);
        let out = email.apply(&address, &[Some(f), Some(l)]).unwrap();
        assert!(!out.invalid, "{address}");
        let out = out.text.unwrap();
        if i % 101 == 0 {
            assert!(email_ok(&out), "{out}");
            let domain = out.rsplit_once('@').unwrap().1;
            assert!(["example.com", "example.net", "example.org"].contains(&domain), "{out}");
        }
        let fake_surname = surname_rule.apply(l, &[]).unwrap().text.unwrap();
        with_surname += usize::from(out.split('@').next().unwrap().contains(&ascii_letters(&fake_surname)));
        assert!(seen.insert(out), "two addresses share a pseudonym ({address})");
    }
    assert!(with_surname * 100 >= MILLION * 95, "{with_surname} of {MILLION} carry the fake surname");
    // The rule without the row's names still pseudonymises (keyed name part).
    let out = email.apply("jan@telenet.be", &[None, None]).unwrap();
    assert!(email_ok(out.text.as_deref().unwrap()));
}

#[test]
fn ipv4_over_a_million_addresses_and_ipv6_family_kept() {
    let (r, other) = (rule("ip", 1), rule("ip", 2));
    let inputs: Vec<String> =
        (0..MILLION as u32).map(|i| std::net::Ipv4Addr::from(0x0a00_0000 + i * 3).to_string()).collect();
    let outputs: Vec<String> = inputs.iter().map(|v| apply(r.as_ref(), v)).collect();
    assert!(outputs.iter().all(|o| o.parse::<std::net::Ipv4Addr>().is_ok()));
    let other_out: Vec<String> = inputs.iter().step_by(10).map(|v| apply(other.as_ref(), v)).collect();
    assert_bijective_and_keyed(&inputs, &outputs, &other_out, 10);
    let v6 = apply(r.as_ref(), "2001:db8::1");
    assert!(v6.parse::<std::net::Ipv6Addr>().is_ok());
    assert_ne!(v6, "2001:db8::1");
}

#[test]
fn every_identifier_rule_is_deterministic_across_instances() {
    let examples: [(&str, Vec<String>); 8] = [
        (
            "niss",
            (0..5000u64)
                .map(|i| {
                    let first9 = (850_101 + i % 28) * 1000 + 1 + i / 28;
                    format!("{:011}", first9 * 100 + 97 - first9 % 97)
                })
                .collect(),
        ),
        ("exid", (0..5000u64).map(|i| format!("A{:07}-x", i)).collect()),
        ("iban", vec!["BE71 0961 2345 6769".into(), "GB82WEST12345698765432".into()]),
        ("inami", vec!["1-23456-25-580".into(), "12345676580".into()]),
        ("kbo", vec!["BE0403019261".into(), "2.147.812.701".into()]),
        ("phone", vec!["+32 2 511 11 11".into(), "0475/12.34.56".into()]),
        ("email", vec!["jan@telenet.be".into()]),
        ("ip", vec!["192.168.1.20".into(), "fe80::1".into()]),
    ];
    for (kind, values) in examples {
        let (a, b) = (rule(kind, 9), rule(kind, 9));
        for v in &values {
            let (x, y) = (apply(a.as_ref(), v), apply(b.as_ref(), v));
            assert_eq!(x, y, "{kind}");
            assert_ne!(&x, v, "{kind}");
        }
    }
}

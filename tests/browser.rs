//! The demo's case sheet and audit report rendered by a real browser: headless Chromium (the
//! Debian package `chromium`, which `.ci/test` installs) takes a screenshot, which must not be
//! blank, and dumps the DOM, whose text must hold the pseudonymised NISS, every claim of the
//! member or every column of every file, and no original value of the demo input.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{demo_originals, demo_pseudonyms, text_records};

/// The Chromium binary: `$PSEUDATA_CHROMIUM`, else `chromium` (Debian) or `chromium-browser` on
/// the `PATH`. The test fails when there is none: `bash .ci/test` installs it.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("PSEUDATA_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            if dir.join(name).is_file() {
                return dir.join(name);
            }
        }
    }
    panic!("Chromium not found: install the Debian package `chromium` (`bash .ci/test` does) or set PSEUDATA_CHROMIUM");
}

/// Runs headless Chromium on `page` with `args`; returns its standard output. Fails after two
/// minutes rather than hanging the suite.
fn chromium_on(page: &Path, args: &[String]) -> Vec<u8> {
    use std::os::unix::process::CommandExt;
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=1000,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group, so a timeout ends the renderer and helper processes too.
        .process_group(0)
        .spawn()
        .expect("Chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).unwrap();
        bytes
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            // Helpers still holding standard output would keep the reader waiting.
            let _ =
                Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).stderr(Stdio::null()).status();
            assert!(status.success(), "Chromium failed on {}", page.display());
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            panic!("Chromium took more than two minutes on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// Share of the screenshot's pixels that are not (near) white.
fn inked_share(png_path: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let inked = pixels.chunks(channels).filter(|p| p.iter().take(3).any(|&c| c < 235)).count();
    inked as f64 / (pixels.len() / channels) as f64
}

/// Screenshot and DOM of `page`; the screenshot is also kept beside the page for a person to look at.
fn render(page: &Path) -> (f64, String) {
    let png = page.with_extension("png");
    chromium_on(page, &[format!("--screenshot={}", png.display())]);
    let share = inked_share(&png);
    eprintln!("{}: {:.1}% of the screenshot inked", png.display(), share * 100.0);
    let dom = String::from_utf8(chromium_on(page, &["--dump-dom".to_string()])).unwrap();
    (share, dom)
}

/// The DOM's text with tags removed and entities that matter here decoded.
fn text_of(dom: &str) -> String {
    let mut text = String::with_capacity(dom.len());
    let mut in_tag = false;
    for c in dom.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u{a0}")
}

fn assert_no_original(dom: &str, originals: &[String], excused: &std::collections::HashSet<String>, what: &str) {
    let text = text_of(dom);
    for original in originals.iter().filter(|o| !excused.contains(*o)) {
        assert!(
            !dom.contains(original.as_str()) && !text.contains(original.as_str()),
            "{what} shows an original value"
        );
    }
}

#[test]
fn case_sheet_renders_in_chromium_with_every_claim_and_no_original() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let member = common::busiest_member(&input);
    let output = dir.path().join("case");
    common::demo_job("case", dir.path(), &output).args(["--quiet", "--subject", &member]).assert().code(0);

    let out_members = text_records(&output.join("members.csv"), b';');
    let pseudonym = &out_members[1][0];
    let out_claims = text_records(&output.join("claims.csv"), b';');
    let theirs = out_claims[1..].iter().filter(|r| r[1] == *pseudonym).count();
    assert!(theirs >= 5, "the busiest member has claims");

    let page = output.join(format!("case-{pseudonym}.html"));
    let (inked, dom) = render(&page);
    assert!(inked > 0.03, "the screenshot is blank ({:.2}% inked)", inked * 100.0);
    assert!(text_of(&dom).contains(pseudonym.as_str()), "the pseudonymised NISS is on the page");
    assert_eq!(dom.matches("<tr class=\"row\">").count(), theirs, "every claim of the member");
    assert!(dom.contains("<svg"), "the chart");
    let mut excused = demo_pseudonyms(&output);
    let full = dir.path().join("full");
    common::demo_job("run", dir.path(), &full).arg("--quiet").assert().code(0);
    excused.extend(demo_pseudonyms(&full));
    assert_no_original(&dom, &demo_originals(&input), &excused, "the case sheet");
}

#[test]
fn audit_report_renders_in_chromium_with_every_column_and_no_original() {
    let dir = common::demo_copy();
    let input = dir.path().join("input");
    let output = dir.path().join("out");
    common::demo_job("run", dir.path(), &output).arg("--quiet").assert().code(0);
    let page = dir.path().join("audit.html");
    common::demo_verify(dir.path(), &output).args(["--format", "html"]).arg("--report").arg(&page).assert().code(0);
    let (inked, dom) = render(&page);
    assert!(inked > 0.03, "the screenshot is blank ({:.2}% inked)", inked * 100.0);
    let text = text_of(&dom);
    assert!(text.contains("CLEAN"), "the verdict");
    for file in ["members.csv", "claims.csv"] {
        for column in &text_records(&output.join(file), b';')[0] {
            assert!(dom.contains(&format!("<tr class=\"column\"><td>{column}</td>")), "{file}: {column}");
        }
    }
    assert!(dom.contains("k-histogram") && dom.contains("k = 5"), "the k-anonymity histogram with its threshold");
    assert_no_original(&dom, &demo_originals(&input), &demo_pseudonyms(&output), "the audit report");
}

//! The database road, with a real PostgreSQL: the demo extract is loaded into a "production"
//! database whose schema declares primary keys, unique keys (member number, IBAN), a foreign key
//! from claims to members on the normalised NISS, and `date` and `numeric` columns; a "test"
//! database with the same schema is refreshed table by table through `COPY ... TO STDOUT |
//! pseudata pipe | COPY ... FROM STDIN`. Every constraint must hold, row counts and the claims'
//! join to members must match production, and no production NISS may reach the test database.
//! A pipe that fails half-way must leave its target table empty.
//!
//! The cluster is a throwaway: `initdb` into a temporary directory, listening on a Unix socket
//! only (no TCP), run as the unprivileged `postgres` user when the tests run as root, stopped at
//! the end. `.ci/test` installs the Debian package `postgresql`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MEMBER_COLUMNS: &str = "niss, exid, last_name, first_name, sex, birth_date, language, street, house_number, \
     postcode, city, phone, email, iban, affiliation_date, notes";
const CLAIM_COLUMNS: &str = "claim_id, niss, provider_inami, nomenclature_code, icd10, care_date, amount_eur, comment";

const SCHEMA: &str = r"
set client_min_messages = warning;
create table members (
    niss text not null,
    niss_norm text generated always as (regexp_replace(niss, '[^0-9]', '', 'g')) stored unique,
    exid text primary key,
    last_name text not null,
    first_name text not null,
    sex text,
    birth_date date not null,
    language text,
    street text,
    house_number text,
    postcode text,
    city text,
    phone text,
    email text unique,
    iban text not null,
    iban_norm text generated always as (upper(regexp_replace(iban, '\s', '', 'g'))) stored unique,
    affiliation_date date,
    notes text
);
create table claims (
    claim_id bigint primary key,
    niss text not null,
    niss_norm text generated always as (regexp_replace(niss, '[^0-9]', '', 'g')) stored
        not null references members (niss_norm),
    provider_inami text,
    nomenclature_code text,
    icd10 text,
    care_date date not null,
    amount_eur numeric(12, 2) not null,
    comment text
);
";

/// PostgreSQL's server programs: `initdb`, `pg_ctl` (Debian keeps them out of the `PATH`).
fn pg_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("PostgreSQL's initdb not found under /usr/lib/postgresql: install the Debian package `postgresql` (`bash .ci/test` does)")
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A throwaway cluster on a Unix socket in a temporary directory, stopped when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    root: bool,
}

impl Cluster {
    fn start() -> Cluster {
        let bin = pg_bin();
        let root = is_root();
        // Under /tmp: the `postgres` user must reach it, and a socket path has at most 107 bytes.
        let dir = tempfile::Builder::new().prefix("pseudata-pg-").tempdir_in("/tmp").unwrap();
        if root {
            // initdb refuses to run as root: the cluster belongs to the `postgres` user.
            assert!(Command::new("chown").arg("-R").arg("postgres").arg(dir.path()).status().unwrap().success());
        }
        let cluster = Cluster { dir, bin, root };
        let data = cluster.dir.path().join("data");
        cluster.server(
            &cluster.bin.join("initdb"),
            &["-D", data.to_str().unwrap(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"],
        );
        let options = format!("-k {} -c listen_addresses='' -c fsync=off", cluster.dir.path().display());
        let log = cluster.dir.path().join("log");
        cluster.server(
            &cluster.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-o", &options, "-l", log.to_str().unwrap(), "-w", "start"],
        );
        for db in ["prod", "test"] {
            cluster.sql("postgres", &format!("create database {db}"));
            cluster.sql(db, SCHEMA);
        }
        cluster
    }

    /// Runs a server program (as `postgres` when root), asserting success.
    fn server(&self, program: &Path, args: &[&str]) {
        let mut cmd = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        let out = cmd.args(args).output().unwrap();
        assert!(out.status.success(), "{}: {}", program.display(), String::from_utf8_lossy(&out.stderr));
    }

    /// The `psql` command line for `db`, as a shell word list.
    fn psql(&self, db: &str) -> String {
        format!("psql -X -q -v ON_ERROR_STOP=1 -h {} -U postgres -d {db}", self.dir.path().display())
    }

    /// Runs SQL in `db`; returns its unaligned output.
    fn sql(&self, db: &str, sql: &str) -> String {
        let mut child = Command::new("bash")
            .arg("-c")
            .arg(format!("{} -A -t -f -", self.psql(db)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "psql {db}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Runs a shell pipeline with `pipefail`; returns (success, stderr).
    fn pipeline(&self, script: &str) -> (bool, String) {
        let out = Command::new("bash").arg("-c").arg(format!("set -o pipefail; {script}")).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let mut cmd = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let _ = cmd.arg("-D").arg(&data).args(["-m", "immediate", "stop"]).output();
    }
}

/// Loads the demo extract (`;`, Windows-1252, D/M/Y dates, decimal commas) into `prod`.
fn load_production(cluster: &Cluster, demo: &Path) {
    let members = demo.join("members.csv");
    let claims = demo.join("claims.csv");
    let text = |name: &str, columns: &str| {
        format!(
            "create temporary table {name} ({});",
            columns.split(", ").map(|c| format!("{c} text")).collect::<Vec<_>>().join(", ")
        )
    };
    let script = format!(
        "{}\n{}\n\\copy stage_members from '{}' with (format csv, header, delimiter ';', encoding 'WIN1252')\n\
         \\copy stage_claims from '{}' with (format csv, header, delimiter ';', encoding 'WIN1252')\n\
         insert into members ({MEMBER_COLUMNS}) select niss, exid, last_name, first_name, sex, to_date(birth_date, 'DD/MM/YYYY'), \
         language, street, house_number, postcode, city, phone, email, iban, to_date(affiliation_date, 'DD/MM/YYYY'), notes from stage_members;\n\
         insert into claims ({CLAIM_COLUMNS}) select claim_id::bigint, niss, provider_inami, nomenclature_code, icd10, care_date::date, \
         replace(amount_eur, ',', '.')::numeric, comment from stage_claims;\n",
        text("stage_members", MEMBER_COLUMNS),
        text("stage_claims", CLAIM_COLUMNS),
        members.display(),
        claims.display()
    );
    cluster.sql("prod", &script);
}

/// `COPY table TO STDOUT` from prod, through `pseudata pipe`, `COPY table FROM STDIN` into test,
/// in one transaction; `through` is put between the export and pseudata (a fault to inject).
fn refresh(cluster: &Cluster, dir: &Path, table: &str, columns: &str, through: &str, extra: &str) -> (bool, String) {
    let export =
        format!("{} -c \"\\copy {table} ({columns}) to stdout with (format csv, header)\"", cluster.psql("prod"));
    load(cluster, dir, table, columns, &format!("{export} {through}"), extra)
}

/// `source | pseudata pipe | COPY table FROM STDIN` into test, in one transaction.
fn load(cluster: &Cluster, dir: &Path, table: &str, columns: &str, source: &str, extra: &str) -> (bool, String) {
    let pseudata = env!("CARGO_BIN_EXE_pseudata");
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key");
    let import =
        format!("{} -1 -c \"\\copy {table} ({columns}) from stdin with (format csv, header)\"", cluster.psql("test"));
    cluster.pipeline(&format!(
        "{source} | {pseudata} pipe -q -m {} --table {table} --key-file {} {extra} | {import}",
        dir.join("mappings").display(),
        key.display()
    ))
}

fn lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn a_test_database_refreshed_through_pipe_keeps_every_constraint_and_join() {
    let dir = common::demo_copy();
    let cluster = Cluster::start();
    load_production(&cluster, &dir.path().join("input"));
    let count = |db: &str, sql: &str| cluster.sql(db, sql);
    assert_eq!(count("prod", "select count(*) from members"), "300");
    assert_eq!(count("prod", "select count(*) from claims"), "2440");

    // No TCP: the server listens on its Unix socket only.
    assert_eq!(count("prod", "show listen_addresses"), "");

    let (ok, stderr) = refresh(&cluster, dir.path(), "members", MEMBER_COLUMNS, "", "");
    assert!(ok, "members: {stderr}");

    // A pipe that fails half-way (a malformed record after 1,000 claims; batches of 100 rows,
    // so ten batches went out before the failure) leaves the target table empty.
    let (ok, stderr) = refresh(
        &cluster,
        dir.path(),
        "claims",
        CLAIM_COLUMNS,
        "| awk 'NR == 1002 { print \"1,2\" } { print }'",
        "--batch-rows 100",
    );
    assert!(!ok, "the load of a failed pipe must fail");
    // After whole records, the failure lines' empty line lacks the table's columns.
    assert!(stderr.contains("missing data for column"), "{stderr}");
    assert_eq!(count("test", "select count(*) from claims"), "0");

    // A pipe that fails before writing anything (the export died, the key file is missing):
    // its failure lines are not taken for a header and an empty table; the load fails.
    let (ok, stderr) = load(&cluster, dir.path(), "claims", CLAIM_COLUMNS, "true", "");
    assert!(!ok && stderr.contains("unterminated CSV quoted field"), "{stderr}");
    let (ok, stderr) = load(&cluster, dir.path(), "claims", CLAIM_COLUMNS, "echo claim_id", "--subset 0");
    assert!(!ok && stderr.contains("unterminated CSV quoted field"), "{stderr}");
    // A command line pseudata refuses (here a second --key-file) ends the stream the same way.
    let (ok, stderr) = load(&cluster, dir.path(), "claims", CLAIM_COLUMNS, "true", "--key-file /nonexistent");
    assert!(!ok && stderr.contains("unterminated CSV quoted field"), "{stderr}");
    assert_eq!(count("test", "select count(*) from claims"), "0");

    let (ok, stderr) = refresh(&cluster, dir.path(), "claims", CLAIM_COLUMNS, "", "");
    assert!(ok, "claims: {stderr}");

    // Row counts, and the join of claims to members, as in production.
    for sql in [
        "select count(*) from members",
        "select count(*) from claims",
        "select count(*) from claims c join members m using (niss_norm)",
        "select count(distinct niss_norm) from claims",
        "select sum(amount_eur) from claims",
    ] {
        assert_eq!(count("test", sql), count("prod", sql), "{sql}");
    }
    // Every key was declared and held while loading; pseudonymised, not copied.
    let prod_niss = lines(&count("prod", "select niss_norm from members"));
    let test_niss = lines(&count("test", "select niss_norm from members"));
    assert_eq!(test_niss.len(), 300);
    assert!(
        test_niss.iter().all(|n| prod_niss.binary_search(n).is_err()),
        "a production NISS reached the test database"
    );
    let prod_iban = lines(&count("prod", "select iban_norm from members"));
    let test_iban = lines(&count("test", "select iban_norm from members"));
    assert!(
        test_iban.iter().all(|n| prod_iban.binary_search(n).is_err()),
        "a production IBAN reached the test database"
    );
    // Dates are dates, amounts numbers: each care date moved by 1 to 30 days, amounts kept.
    assert_eq!(count("test", "select count(*) from claims where care_date is null or amount_eur is null"), "0");
    let by_claim = |db: &str| -> std::collections::BTreeMap<String, (String, String)> {
        count(db, "select claim_id, care_date - date '2000-01-01', amount_eur from claims")
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                (f[0].to_string(), (f[1].to_string(), f[2].to_string()))
            })
            .collect()
    };
    let (prod, test) = (by_claim("prod"), by_claim("test"));
    assert_eq!(prod.len(), test.len());
    for (claim, (day, amount)) in &prod {
        let (shifted, kept) = &test[claim];
        let moved = shifted.parse::<i64>().unwrap() - day.parse::<i64>().unwrap();
        assert!(moved != 0 && moved.abs() <= 30, "care date moved by {moved} days");
        assert_eq!(kept, amount);
    }
}

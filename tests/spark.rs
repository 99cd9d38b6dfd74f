//! The Spark integration (`integrations/spark/pseudata_spark.py`) in a real Spark on `local[2]`
//! (pyspark from PyPI and a Java runtime, both installed by `.ci/test`): the typed demo extract,
//! read by Spark and repartitioned into 1, 3 and 4 partitions, pseudonymised through
//! `mapInArrow` and `pipe --format arrow`, gives the rows `pseudata run` writes for the same
//! files (as a multiset, with and without `--subset 30`), and the result passes `verify`.
//! The checks themselves are in `tests/spark_check.py`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn key() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key")
}

/// Runs `command` in its own process group to its end, or for at most `limit`; then ends the
/// group (Spark's JVM and Python workers with it). Returns (success, stdout, stderr).
fn wait_for(mut command: Command, limit: Duration) -> (bool, String, String) {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let mut child =
        command.process_group(0).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("python starts");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let kill_group = |pid: u32| {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
    };
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            kill_group(child.id());
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // A JVM still holding the pipes would keep the readers waiting.
    kill_group(child.id());
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.is_some(), "Spark did not finish within {limit:?}:\n{stdout}");
    (status.is_some_and(|s| s.success()), stdout, stderr)
}

#[test]
fn spark_partitions_give_the_rows_run_writes_and_pass_verify() {
    let python = common::python_with("pyarrow, pyspark, pandas");
    let java = Command::new("java").arg("-version").output();
    assert!(
        java.is_ok_and(|o| o.status.success()),
        "no Java runtime: `bash .ci/test` installs Debian's default-jre-headless"
    );
    let dir = common::demo_copy();
    let root = dir.path();
    let mappings = root.join("mappings");
    let typed = common::typed_demo(root);
    common::run_demo_key(&mappings, &typed, &root.join("run-all"), None);
    common::run_demo_key(&mappings, &typed, &root.join("run-subset"), Some("30"));
    // Mappings that refuse an invalid NISS, and a claims file with one in row 1501.
    let strict = root.join("strict");
    common::refuse_invalid(&mappings, &strict, "niss", "niss");
    let bad = root.join("bad.parquet");
    common::plant_invalid_niss(&typed.join("claims.parquet"), &bad);

    let verify = root.join("verify");
    let mut check = Command::new(&python);
    check.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spark_check.py"));
    check.arg(env!("CARGO_BIN_EXE_pseudata")).arg(&mappings).arg(key()).arg(&typed);
    check.arg(root.join("run-all")).arg(root.join("run-subset")).arg(&verify).arg(&strict).arg(&bad);
    check.env_remove("PSEUDATA_KEY").env("PYSPARK_PYTHON", &python).env("SPARK_LOCAL_IP", "127.0.0.1");
    let (ok, stdout, stderr) = wait_for(check, Duration::from_secs(900));
    let tail = &stderr[stderr.len().saturating_sub(4000)..];
    assert!(ok && stdout.trim_end().ends_with("done"), "{stdout}\n{tail}");
    // 2 tables x 2 subsets x 3 partition counts, and the refused value.
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok ")).count(), 13, "{stdout}");

    for (tag, subset) in [("all", None), ("subset", Some("30"))] {
        let mut cmd = common::pseudata();
        cmd.args(["verify", "-m"]).arg(&mappings).arg("-i").arg(verify.join(format!("in-{tag}")));
        cmd.arg("-o").arg(verify.join(format!("out-{tag}"))).arg("--key-file").arg(key());
        if let Some(pct) = subset {
            cmd.args(["--subset", pct]);
        }
        let out = cmd.output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "verify of the Spark output ({tag}):\n{report}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

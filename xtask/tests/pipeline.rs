//! End-to-end tests of `reproduce-fig1` on a tiny configuration: every output file's shape and
//! header, resumption after an interruption, refusal of a different configuration.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sgntk-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

const TINY: [&str; 6] = ["--networks", "4", "--width", "48", "--steps", "1000"];

fn run_fig1(out: &Path, extra: &[&str]) -> std::process::Output {
    xtask()
        .arg("reproduce-fig1")
        .args(TINY)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("xtask runs")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn numeric_rows(text: &str, skip_header: bool) -> Vec<Vec<f64>> {
    text.lines()
        .skip(usize::from(skip_header))
        .map(|l| {
            l.split(',')
                .map(|c| c.parse::<f64>().expect("numeric cell"))
                .collect()
        })
        .collect()
}

#[test]
fn tiny_run_writes_every_output() {
    let out = tmpdir("outputs");
    let o = run_fig1(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("RMS(ensemble mean - GP mean)"), "{stdout}");

    let fig1 = read(&out.join("fig1.csv"));
    assert_eq!(
        fig1.lines().next().unwrap(),
        "alpha,target,gp_mean,gp_std,nngp_mean,ensemble_mean,ensemble_std"
    );
    let rows = numeric_rows(&fig1, true);
    assert_eq!(rows.len(), 100);
    assert!(
        rows.iter()
            .all(|r| r.len() == 7 && r.iter().all(|v| v.is_finite()))
    );
    // The GP interpolates its training points: mean = target, sd = 0 there (t = infinity).
    let train = numeric_rows(&read(&out.join("train.csv")), true);
    assert_eq!(train.len(), 15);
    for t in &train {
        let r = &rows[t[0] as usize];
        assert!(
            (r[2] - r[1]).abs() < 1e-8 * (1.0 + r[1].abs()),
            "GP mean at a training point: {r:?}"
        );
        assert!(r[3] < 1e-4, "GP sd at a training point: {}", r[3]);
    }

    let nets = read(&out.join("networks.csv"));
    let net_rows = numeric_rows(&nets, true);
    assert_eq!(net_rows.len(), 4);
    assert!(net_rows.iter().all(|r| r.len() == 100));
    for f in ["sgntk.csv", "nngp.csv"] {
        let m = numeric_rows(&read(&out.join(f)), false);
        assert_eq!(m.len(), 100, "{f}");
        assert!(m.iter().all(|r| r.len() == 100), "{f}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    for k in [
        "rms_ensemble_vs_gp",
        "rms_monte_carlo_expected",
        "rms_ensemble_vs_nngp",
        "band_fraction_all",
        "band_fraction_off_train",
        "mean_std_ratio_off_train",
        "train_loss_median",
    ] {
        assert!(
            summary["metrics"][k].is_number(),
            "summary.json lacks metrics.{k}"
        );
    }
    assert_eq!(summary["config"]["width"], 48);
    for f in ["fig1.png", "fig1.svg"] {
        let len = std::fs::metadata(out.join(f)).unwrap().len();
        assert!(len > 10_000, "{f} is only {len} bytes");
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn resumed_run_equals_uninterrupted_run() {
    let full = tmpdir("full");
    assert!(run_fig1(&full, &[]).status.success());

    // Interrupt a real run: start it with more work, kill it once a checkpoint exists.
    let part = tmpdir("part");
    let mut child = xtask()
        .arg("reproduce-fig1")
        .args([
            "--networks",
            "4",
            "--width",
            "48",
            "--steps",
            "1000",
            "--threads",
            "1",
        ])
        .arg("--out")
        .arg(&part)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ck = part.join("checkpoints");
    let t0 = Instant::now();
    loop {
        let n = std::fs::read_dir(&ck).map(|d| d.count()).unwrap_or(0);
        if n >= 1 || t0.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    // Whatever the interruption left, a rerun completes to the same result.
    let o = run_fig1(&part, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        read(&full.join("networks.csv")),
        read(&part.join("networks.csv"))
    );
    assert_eq!(read(&full.join("fig1.csv")), read(&part.join("fig1.csv")));

    // Deleting some checkpoints (networks in flight at Ctrl-C) retrains exactly those.
    for k in [1, 3] {
        std::fs::remove_file(part.join("checkpoints").join(format!("net-{k:06}.json"))).unwrap();
    }
    let o = run_fig1(&part, &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("resuming: 2 of 4"));
    assert_eq!(
        read(&full.join("networks.csv")),
        read(&part.join("networks.csv"))
    );

    // A different configuration in the same directory is refused, unless --fresh.
    let o = xtask()
        .args([
            "reproduce-fig1",
            "--networks",
            "4",
            "--width",
            "48",
            "--steps",
            "1001",
            "--out",
        ])
        .arg(&part)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("different configuration") && err.contains("steps"),
        "{err}"
    );
    let o = xtask()
        .args([
            "reproduce-fig1",
            "--networks",
            "2",
            "--width",
            "48",
            "--steps",
            "1001",
            "--fresh",
            "--out",
        ])
        .arg(&part)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&full).ok();
    std::fs::remove_dir_all(&part).ok();
}

#[test]
fn bad_flags_are_clear_errors() {
    let out = tmpdir("bad");
    for (args, want) in [
        (vec!["--train-indices", "1,2,100"], "outside the test grid"),
        (vec!["--train-indices", "1,1"], "duplicate"),
        (vec!["--surrogate", "fast-sigmoid:-1"], "fast-sigmoid:-1"),
        (vec!["--lr=-0.1"], "--lr"),
    ] {
        let o = xtask()
            .arg("reproduce-fig1")
            .args(&args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn companion_figures_run_on_tiny_configurations() {
    let out = tmpdir("kernelfig");
    let run_kernel_fig = || {
        xtask()
            .args([
                "reproduce-sgntk-convergence",
                "--m",
                "2,5",
                "--widths",
                "8,32",
                "--networks",
                "2",
                "--steps",
                "20",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap()
    };
    let o = run_kernel_fig();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mse = read(&out.join("mse.csv"));
    assert_eq!(mse.lines().next().unwrap(), "m,width,mse_start,mse_end");
    assert_eq!(numeric_rows(&mse, true).len(), 4);
    let emp = numeric_rows(&read(&out.join("empirical.csv")), true);
    assert_eq!(emp.len(), 2 * 2 * 2 * 2); // m x width x network x {start, end}
    assert!(emp.iter().all(|r| r.len() == 4 + 100));
    assert_eq!(
        numeric_rows(&read(&out.join("analytic.csv")), true).len(),
        2
    );
    assert!(out.join("sgntk-convergence.png").exists() && out.join("summary.json").exists());
    // Rerun: everything is resumed from checkpoints, same data.
    let before = read(&out.join("empirical.csv"));
    let o = run_kernel_fig();
    assert!(o.status.success());
    assert_eq!(before, read(&out.join("empirical.csv")));

    let out3 = tmpdir("fig3b");
    let o = xtask()
        .args([
            "reproduce-fig3b",
            "--widths",
            "8,16",
            "--networks",
            "3",
            "--steps",
            "50",
            "--out",
        ])
        .arg(&out3)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "fig3b.png",
        "fig3b.svg",
        "summary.json",
        "width-8/fig1.csv",
        "width-16/networks.csv",
    ] {
        assert!(out3.join(f).exists(), "{f} missing");
    }
    std::fs::remove_dir_all(&out).ok();
    std::fs::remove_dir_all(&out3).ok();
}

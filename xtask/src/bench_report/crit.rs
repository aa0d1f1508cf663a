//! Running the criterion benches of `sgntk-benches` and reading criterion's own result files
//! (`target/criterion/<group>/<id>/new/{estimates,benchmark,sample}.json`) rather than its text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::machine::{RunOutcome, run_logged};

/// One criterion result.
#[derive(Debug, Clone)]
pub struct CritResult {
    /// Median of the per-iteration times, ns (criterion's `median.point_estimate`).
    pub median_ns: f64,
    /// Bootstrap confidence interval of the median, ns.
    pub ci_ns: (f64, f64),
    /// Throughput elements per iteration, if the bench declares `Throughput::Elements`.
    pub elements: Option<f64>,
    /// Number of samples criterion took, and the total iterations over them.
    pub samples: usize,
    /// Total iterations over all samples.
    pub iters: f64,
}

impl CritResult {
    /// Median time in seconds.
    pub fn secs(&self) -> f64 {
        self.median_ns * 1e-9
    }
    /// Elements per second at the median time.
    pub fn per_s(&self) -> Option<f64> {
        self.elements.map(|e| e / self.secs())
    }
}

/// Criterion's output directory (`$CARGO_TARGET_DIR/criterion` or `<root>/target/criterion`).
pub fn criterion_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"))
        .join("criterion")
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Builds the bench binaries (so that compile time stays out of the bench runs).
pub fn build(root: &Path, log: &Path) -> RunOutcome {
    let mut c = Command::new(cargo());
    c.current_dir(root)
        .args(["bench", "-p", "sgntk-benches", "--no-run"]);
    run_logged(c, Duration::from_secs(3600), log)
}

/// Runs `cargo bench -p sgntk-benches --bench <bench> -- <filter> <criterion args>`.
pub fn run_bench(
    root: &Path,
    bench: &str,
    filter: &str,
    crit_args: &[String],
    limit: Duration,
    log: &Path,
) -> RunOutcome {
    let mut c = Command::new(cargo());
    c.current_dir(root)
        .args([
            "bench",
            "-p",
            "sgntk-benches",
            "--bench",
            bench,
            "--",
            filter,
            "--noplot",
        ])
        .args(crit_args);
    run_logged(c, limit, log)
}

fn read_json(p: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "new") {
                let b = p.join("benchmark.json");
                if b.is_file() {
                    out.push(p);
                }
            } else {
                walk(&p, out);
            }
        }
    }
}

/// All results written at or after `since`, keyed by criterion's full id (e.g.
/// `kernel/ntk-erf:2-erf:1-depth2/n1000`). Older files (an earlier run) are ignored, so a bench
/// that did not run this time is missing rather than stale.
pub fn collect(crit_dir: &Path, since: SystemTime) -> BTreeMap<String, CritResult> {
    let mut dirs = Vec::new();
    walk(crit_dir, &mut dirs);
    let mut out = BTreeMap::new();
    for d in dirs {
        let est_path = d.join("estimates.json");
        let fresh = std::fs::metadata(&est_path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since);
        if !fresh {
            continue;
        }
        let (Some(b), Some(e)) = (read_json(&d.join("benchmark.json")), read_json(&est_path))
        else {
            continue;
        };
        let Some(id) = b["full_id"].as_str() else {
            continue;
        };
        let Some(median_ns) = e["median"]["point_estimate"].as_f64() else {
            continue;
        };
        let ci = &e["median"]["confidence_interval"];
        let ci_ns = (
            ci["lower_bound"].as_f64().unwrap_or(f64::NAN),
            ci["upper_bound"].as_f64().unwrap_or(f64::NAN),
        );
        let elements = b["throughput"]["Elements"].as_f64();
        let (samples, iters) = read_json(&d.join("sample.json"))
            .and_then(|s| {
                let it = s["iters"].as_array()?;
                Some((it.len(), it.iter().filter_map(Value::as_f64).sum()))
            })
            .unwrap_or((0, 0.0));
        out.insert(
            id.to_string(),
            CritResult {
                median_ns,
                ci_ns,
                elements,
                samples,
                iters,
            },
        );
    }
    out
}

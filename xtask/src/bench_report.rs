//! `cargo xtask bench-report`: our throughput (criterion benches of `sgntk-benches`) beside the
//! Python peers' (`benches/peers/`, run in a virtual environment this task creates) on the same
//! machine in the same run, and beside the machine's measured FMA peak; writes
//! `docs/benchmarks.md` and the scaling figure `docs/benchmarks/scaling.png`.
//!
//! Every figure of ours comes from criterion's result files (median of the samples) or, for the
//! depth scaling, from a direct timing labelled as such. A peer that fails is reported as "not
//! measured: <reason>"; nothing is invented or hard-coded. Only timing statistics are computed
//! here (medians, ratios, slopes).

mod crit;
mod direct;
mod machine;
mod markdown;
mod peers;
mod scaling;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;
use clap::Args;
use serde_json::Value;

use crit::CritResult;
use direct::Timing;
use machine::{Machine, RunOutcome};
use peers::PeerEnv;

/// Options of `cargo xtask bench-report`.
#[derive(Args, Debug, Clone)]
pub struct BenchReportArgs {
    /// Short runs: criterion's --quick mode and 3 peer repeats (a few minutes in all).
    #[arg(long)]
    pub quick: bool,
    /// Do not run the Python peers (they are reported as not measured).
    #[arg(long)]
    pub skip_peers: bool,
    /// Virtual environment for the peers, created with `python3 -m venv` and
    /// `pip install -r benches/peers/requirements.txt` if it does not exist (relative paths
    /// are taken from the workspace root).
    #[arg(long, default_value = "target/peers-venv")]
    pub venv: PathBuf,
    /// Output file (relative to the workspace root); the figure goes to `benchmarks/scaling.png`
    /// next to it.
    #[arg(long, default_value = "docs/benchmarks.md")]
    pub out: PathBuf,
    /// Criterion measurement time per bench in seconds (ignored with --quick; a bench group
    /// that sets its own time keeps it).
    #[arg(long, default_value_t = 5)]
    pub measurement_time: u64,
    /// Repeats of each peer measurement and of the direct depth timings (median reported);
    /// default 7, or 3 with --quick.
    #[arg(long)]
    pub repeats: Option<usize>,
}

/// The criterion benches the report runs: (bench target, criterion filter regex).
pub const BENCHES: [(&str, &str); 4] = [
    ("peak", "^peak/"),
    (
        "sgl",
        r"^sgl/sgl-(ref-n(100|500|1000)-p15-f32|ens-n(100|500|1000)-p15-f32-t[0-9]+)$",
    ),
    ("kernel", "^kernel/"),
    ("gp", r"^gp/(inf-full|gf-eta0\.1-t1000-full|nngp-full)/"),
];

/// SGL widths (reference configuration, P = 15, f32).
pub const SGL_WIDTHS: [usize; 3] = [100, 500, 1000];
/// Kernel sizes N and GP training sizes P.
pub const SIZES: [usize; 2] = [1000, 4000];
/// Depths of the direct kernel timing.
pub const DEPTHS: [usize; 4] = [1, 2, 4, 8];
/// Minimum repeats of each direct depth timing.
pub const DEPTH_REPEATS: usize = 11;
/// Points of the direct depth timing.
pub const DEPTH_N: usize = 1000;

/// (multiply-adds, flipped units) per step, or why not measured.
pub type SglWork = Result<(f64, f64), String>;
/// JAX peer run: width, (ensemble, steps), the script's JSON or why not measured.
pub type JaxRun = (usize, (usize, usize), Result<Value, String>);

/// Everything measured, handed to the markdown writer and the figure.
pub struct Measurements {
    /// Options of this run.
    pub args: BenchReportArgs,
    /// Repeats used for peers and direct timings.
    pub repeats: usize,
    /// Machine facts.
    pub machine: Machine,
    /// Load averages at start and end.
    pub load: (Option<[f64; 3]>, Option<[f64; 3]>),
    /// CPU seconds used by other processes during the report (machine busy time from
    /// `/proc/stat` minus this report's own processes), if measurable.
    pub others_cpu_s: Option<f64>,
    /// Total wall time of the report, seconds.
    pub wall_s: f64,
    /// Criterion arguments used.
    pub crit_args: Vec<String>,
    /// Per bench: (name, filter, outcome).
    pub bench_runs: Vec<(String, String, RunOutcome)>,
    /// Build failure, if the benches did not compile.
    pub build_error: Option<String>,
    /// Criterion results of this run by full id.
    pub crit: BTreeMap<String, CritResult>,
    /// Direct depth timings.
    pub depths: Vec<Result<Timing, String>>,
    /// SGL work per step by width: (mul-adds, flips) per step.
    pub sgl_work: Vec<(usize, SglWork)>,
    /// Steps over which the work was averaged.
    pub sgl_work_steps: usize,
    /// Peer environment (or why none).
    pub peer_env: Result<PeerEnv, String>,
    /// neural-tangents kernel peer output.
    pub nt: Result<Value, String>,
    /// numpy/scipy GP peer output.
    pub np_gp: Result<Value, String>,
    /// JAX SGL peer output per width, with the (ensemble, steps) used.
    pub jax: Vec<JaxRun>,
    /// Where the logs are.
    pub log_dir: PathBuf,
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn resolve(root: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    }
}

/// JAX peer (ensemble, steps) per width: about the same work per timed run at each width.
fn jax_plan(width: usize, quick: bool) -> (usize, usize) {
    let steps = match width {
        w if w <= 100 => 400,
        w if w <= 500 => 150,
        _ => 50,
    };
    (16, if quick { steps / 2 } else { steps })
}

/// Runs the whole report.
pub fn run(a: &BenchReportArgs) -> Result<()> {
    let t0 = std::time::Instant::now();
    let root = workspace_root();
    let out = resolve(&root, &a.out);
    let venv = resolve(&root, &a.venv);
    let repeats = a.repeats.unwrap_or(if a.quick { 3 } else { 7 }).max(1);
    let log_dir = root.join("target/bench-report");
    std::fs::create_dir_all(&log_dir)?;
    for e in std::fs::read_dir(&log_dir)?.flatten() {
        if e.path().extension().is_some_and(|x| x == "log") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let load_start = machine::loadavg();
    let busy_start = machine::machine_busy_s();
    let own_start = machine::own_cpu_s();
    let machine = Machine::probe(&root);
    eprintln!(
        "bench-report: {} ({} CPUs), load {:?}; logs in {}",
        machine.cpu,
        machine.cpus,
        load_start,
        log_dir.display()
    );

    // 1. ours: criterion
    let since = SystemTime::now();
    let crit_args: Vec<String> = if a.quick {
        vec!["--quick".into(), "--measurement-time".into(), "2".into()]
    } else {
        vec![
            "--warm-up-time".into(),
            "1".into(),
            "--measurement-time".into(),
            a.measurement_time.to_string(),
        ]
    };
    eprintln!("bench-report: building the benches");
    let build = crit::build(&root, &log_dir.join("build.log"));
    let build_error = build.result.err();
    // Run every bench even if the joint build failed: `--bench <name>` builds only that one,
    // so one broken bench file costs only its own figures.
    let mut bench_runs = Vec::new();
    {
        let limit = Duration::from_secs(if a.quick { 900 } else { 3600 });
        for (bench, filter) in BENCHES {
            eprintln!("bench-report: cargo bench --bench {bench} -- '{filter}'");
            let o = crit::run_bench(
                &root,
                bench,
                filter,
                &crit_args,
                limit,
                &log_dir.join(format!("bench-{bench}.log")),
            );
            eprintln!(
                "bench-report:   {:.0} s{}",
                o.wall_s,
                o.result
                    .as_ref()
                    .err()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
            bench_runs.push((bench.to_string(), filter.to_string(), o));
        }
    }
    // only the groups this task ran (another process may be benching other groups meanwhile)
    let mut crit = crit::collect(&crit::criterion_dir(&root), since);
    crit.retain(|id, _| {
        let group = id.split('/').next().unwrap_or("");
        BENCHES.iter().any(|(b, _)| *b == group)
    });

    // 2. ours: direct measurements through the facade
    eprintln!("bench-report: direct depth timings and SGL work counts");
    // each call takes milliseconds: more repeats than the peers get, for a stable median
    let depths = direct::kernel_depths(DEPTH_N, &DEPTHS, repeats.max(DEPTH_REPEATS));
    let sgl_work_steps = 1024;
    let sgl_work = SGL_WIDTHS
        .iter()
        .map(|&w| (w, direct::sgl_mul_adds(w, sgl_work_steps)))
        .collect();

    // 3. peers
    fn skipped<T>() -> Result<T, String> {
        Err("skipped (--skip-peers)".to_string())
    }
    let (peer_env, nt, np_gp, jax) = if a.skip_peers {
        let jax = SGL_WIDTHS
            .iter()
            .map(|&w| (w, jax_plan(w, a.quick), skipped()))
            .collect();
        (skipped(), skipped(), skipped(), jax)
    } else {
        let plog = log_dir.join("peers.log");
        let env = peers::prepare(&root, &venv, &plog);
        let limit = Duration::from_secs(if a.quick { 600 } else { 1800 });
        let rep = repeats.to_string();
        let sizes: Vec<String> = SIZES.iter().map(|s| s.to_string()).collect();
        let run = |script: &str, extra: &[String]| -> Result<Value, String> {
            let env = env
                .as_ref()
                .map_err(|_| "peer environment unavailable (see Machine)".to_string())?;
            eprintln!("bench-report: peer {script} {}", extra.join(" "));
            peers::run_script(env, &root, script, extra, limit, &plog)
        };
        let mut args = vec!["--repeats".to_string(), rep.clone(), "--sizes".into()];
        args.extend(sizes.iter().cloned());
        let nt = run("nt_kernel.py", &args);
        let np_gp = run("numpy_gp.py", &args);
        let jax = SGL_WIDTHS
            .iter()
            .map(|&w| {
                let (k, s) = jax_plan(w, a.quick);
                let r = run(
                    "jax_sgl.py",
                    &[
                        "--width".into(),
                        w.to_string(),
                        "--ensemble".into(),
                        k.to_string(),
                        "--steps".into(),
                        s.to_string(),
                        "--repeats".into(),
                        rep.clone(),
                    ],
                );
                (w, (k, s), r)
            })
            .collect();
        (env, nt, np_gp, jax)
    };

    let m = Measurements {
        args: a.clone(),
        repeats,
        load: (load_start, machine::loadavg()),
        others_cpu_s: match (
            busy_start,
            own_start,
            machine::machine_busy_s(),
            machine::own_cpu_s(),
        ) {
            (Some(b0), Some(o0), Some(b1), Some(o1)) => Some(((b1 - b0) - (o1 - o0)).max(0.0)),
            _ => None,
        },
        machine,
        wall_s: t0.elapsed().as_secs_f64(),
        crit_args,
        bench_runs,
        build_error,
        crit,
        depths,
        sgl_work,
        sgl_work_steps,
        peer_env,
        nt,
        np_gp,
        jax,
        log_dir,
    };

    // 4. figure and report
    let fig_stem = out
        .parent()
        .unwrap_or(Path::new("."))
        .join("benchmarks")
        .join("scaling");
    let fig = markdown::scaling_figure(&m);
    let fig_note = match crate::plot::save_figure(&fig, &fig_stem, (1200, 900)) {
        Ok(()) => Ok(fig_stem.with_extension("png")),
        Err(e) => Err(format!("{e:#}")),
    };
    let text = markdown::render(&m, &root, &out, &fig_note);
    crate::io::write_atomic(&out, text.as_bytes())?;
    eprintln!("bench-report: wrote {} in {:.0} s", out.display(), m.wall_s);
    Ok(())
}

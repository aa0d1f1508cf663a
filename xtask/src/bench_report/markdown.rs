//! Rendering `docs/benchmarks.md` and assembling the scaling figure from the measurements.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::crit::CritResult;
use super::scaling::{Panel, Scaling, Series, loglog_slope};
use super::{BENCHES, DEPTH_N, Measurements, SGL_WIDTHS, SIZES};

/// Kernel benches (function id in group `kernel`, label, the peer's kernel name in
/// `nt_kernel.py`'s output or why there is no peer).
type KernelRow = (
    &'static str,
    &'static str,
    Result<&'static str, &'static str>,
);
const KERNEL_ROWS: [KernelRow; 4] = [
    ("ntk-erf:2-erf:1-depth2", "NTK, erf(2x)", Ok("ntk-erf")),
    (
        "ntk-erf:2-erf:1-depth2-into",
        "NTK, erf(2x), into a reused buffer",
        Ok("ntk-erf"),
    ),
    (
        "sgntk-sign-erf:1-depth2",
        "SG-NTK, sign / erf(1) surrogate",
        Err("no peer: neural-tangents has no SG-NTK"),
    ),
    ("nngp-sign-erf:1-depth2", "NNGP, sign", Ok("nngp-sign")),
];
/// Quadrature-fallback kernel benches.
const KERNEL_QUAD: [(&str, &str); 6] = [
    (
        "kernel/ntk-tanh-erf:1-depth2/n64",
        "NTK, tanh (quadrature, direct)",
    ),
    (
        "kernel/ntk-tanh-erf:1-depth2/n1000",
        "NTK, tanh (quadrature, tabulated)",
    ),
    (
        "kernel/ntk-tanh-erf:1-depth2/n4000",
        "NTK, tanh (quadrature, tabulated)",
    ),
    (
        "kernel/sgntk-sign-fast-sigmoid:25-depth2/n64",
        "SG-NTK, sign / fast-sigmoid(25) (quadrature, direct)",
    ),
    (
        "kernel/sgntk-sign-fast-sigmoid:25-depth2/n1000",
        "SG-NTK, sign / fast-sigmoid(25) (quadrature, tabulated)",
    ),
    (
        "kernel/sgntk-sign-fast-sigmoid:25-depth2/n4000",
        "SG-NTK, sign / fast-sigmoid(25) (quadrature, tabulated)",
    ),
];
/// GP benches (function id in group `gp`, label).
const GP_ROWS: [(&str, &str); 3] = [
    ("inf-full", "t = inf (LU)"),
    ("gf-eta0.1-t1000-full", "gradient flow, eta 0.1, t = 1000"),
    ("nngp-full", "NNGP regression (Cholesky)"),
];
const GP_N: usize = 1000;

fn sci(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let e = x.abs().log10().floor() as i32;
    if (-2..=5).contains(&e) {
        let digits = (3 - 1 - e).max(0) as usize;
        format!("{x:.digits$}")
    } else {
        format!("{:.2}e{e}", x / 10f64.powi(e))
    }
}

fn dur(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} us", s * 1e6)
    }
}

fn nm(reason: &str) -> String {
    format!(
        "not measured: {}",
        reason.replace('|', "/").replace('\n', " ")
    )
}

fn ratio(x: f64) -> String {
    format!("{x:.2}x")
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "not met" }
}

/// Criterion result of `id` from this run, or why not.
fn ours<'a>(m: &'a Measurements, id: &str) -> Result<&'a CritResult, String> {
    if let Some(r) = m.crit.get(id) {
        return Ok(r);
    }
    let group = id.split('/').next().unwrap_or("");
    let run = m
        .bench_runs
        .iter()
        .find(|(b, f, _)| b == group || f.contains(group));
    Err(match run {
        Some((_, _, o)) => match &o.result {
            Err(e) => format!("criterion run failed ({e})"),
            Ok(_) => "this run of the bench produced no result for this id".into(),
        },
        None => "bench not run".into(),
    })
}

fn samples(r: &CritResult) -> String {
    format!("{} samples / {} iters", r.samples, r.iters)
}

/// neural-tangents entries/s at N.
fn nt_at(m: &Measurements, n: usize, kernel: &str) -> Result<(f64, f64), String> {
    let v = m.nt.as_ref().map_err(|e| e.clone())?;
    let r = v["results"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|r| {
                // rows without a kernel name come from the NTK-only version of the script
                r["n"].as_u64() == Some(n as u64)
                    && r["kernel"].as_str().unwrap_or("ntk-erf") == kernel
            })
        })
        .ok_or_else(|| format!("no {kernel} result for N = {n} in the peer's output"))?;
    match (r["entries_per_s"].as_f64(), r["median_s"].as_f64()) {
        (Some(e), Some(s)) => Ok((e, s)),
        _ => Err("malformed peer output".into()),
    }
}

fn np_at(m: &Measurements, id: &str, p: usize) -> Result<f64, String> {
    let v = m.np_gp.as_ref().map_err(|e| e.clone())?;
    v["results"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r["id"].as_str() == Some(id) && r["p"].as_u64() == Some(p as u64))
        })
        .and_then(|r| r["median_s"].as_f64())
        .ok_or_else(|| format!("no result for {id} at P = {p} in the peer's output"))
}

fn jax_at(m: &Measurements, w: usize) -> Result<(f64, &Value), String> {
    let (_, _, r) = m
        .jax
        .iter()
        .find(|(x, _, _)| *x == w)
        .ok_or_else(|| "not run".to_string())?;
    let v = r.as_ref().map_err(|e| e.clone())?;
    v["network_steps_per_s"]
        .as_f64()
        .map(|x| (x, v))
        .ok_or_else(|| "malformed peer output".into())
}

fn kernel_id(f: &str, n: usize) -> String {
    format!("kernel/{f}/n{n}")
}
fn gp_id(f: &str, p: usize) -> String {
    format!("gp/{f}/p{p}-n{GP_N}")
}
fn sgl_id(w: usize) -> String {
    format!("sgl/sgl-ref-n{w}-p15-f32")
}

/// The criterion id of the all-threads ensemble bench at width `w` (its suffix `-t<T>` is the
/// thread count of that run), if this run produced one.
fn sgl_ens_id(m: &Measurements, w: usize) -> Option<String> {
    let prefix = format!("sgl/sgl-ens-n{w}-p15-f32-t");
    m.crit.keys().find(|k| k.starts_with(&prefix)).cloned()
}

fn link(root: &Path, out: &Path, target: &Path) -> String {
    let base = out.parent().unwrap_or(root);
    match target.strip_prefix(base) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => target
            .strip_prefix(root)
            .map(|r| format!("/{}", r.display()))
            .unwrap_or_else(|_| target.display().to_string()),
    }
}

/// The scaling figure from this run's numbers.
pub fn scaling_figure(m: &Measurements) -> Scaling {
    let kernel = KERNEL_ROWS
        .iter()
        .map(|(f, label, _)| Series {
            label: label.to_string(),
            points: SIZES
                .iter()
                .filter_map(|&n| ours(m, &kernel_id(f, n)).ok().map(|r| (n as f64, r.secs())))
                .collect(),
        })
        .collect();
    let gp = GP_ROWS
        .iter()
        .map(|(f, label)| Series {
            label: label.to_string(),
            points: SIZES
                .iter()
                .filter_map(|&p| ours(m, &gp_id(f, p)).ok().map(|r| (p as f64, r.secs())))
                .collect(),
        })
        .collect();
    let sgl = vec![Series {
        label: "SGL step, P = 15, f32, 1 thread".into(),
        points: SGL_WIDTHS
            .iter()
            .filter_map(|&w| ours(m, &sgl_id(w)).ok().map(|r| (w as f64, r.secs())))
            .collect(),
    }];
    let depth = vec![Series {
        label: format!("NTK erf(2x), N = {DEPTH_N} (direct timing)"),
        points: m
            .depths
            .iter()
            .filter_map(|t| t.as_ref().ok().map(|t| (t.depth as f64, t.median_s)))
            .collect(),
    }];
    Scaling {
        panels: vec![
            Panel {
                title: "kernel: N x N matrix (criterion)".into(),
                x_desc: "N".into(),
                y_desc: "seconds per matrix".into(),
                series: kernel,
            },
            Panel {
                title: format!("GP prediction, {GP_N} test points (criterion)"),
                x_desc: "P (training points)".into(),
                y_desc: "seconds per prediction".into(),
                series: gp,
            },
            Panel {
                title: "SGL training (criterion)".into(),
                x_desc: "width n".into(),
                y_desc: "seconds per network-step".into(),
                series: sgl,
            },
            Panel {
                title: "kernel vs depth (direct timing)".into(),
                x_desc: "hidden layers L".into(),
                y_desc: "seconds per matrix".into(),
                series: depth,
            },
        ],
    }
}

/// The report text.
pub fn render(m: &Measurements, root: &Path, out: &Path, fig: &Result<PathBuf, String>) -> String {
    let mut s = String::new();
    let w = &mut s;
    let mc = &m.machine;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Generated by `cargo xtask bench-report{}{}` on {} (commit {}) in {:.0} s. Do not edit by \
         hand; rerun the task. Our figures come from the criterion benches in `benches/benches/` \
         (criterion's median over its samples, read from `target/criterion/*/new/estimates.json`; \
         the bench id is given beside each figure); the peers are the scripts in \
         `benches/peers/`, run in the same session (median of {} runs each).\n",
        if m.args.quick { " --quick" } else { "" },
        if m.args.skip_peers {
            " --skip-peers"
        } else {
            ""
        },
        mc.date,
        mc.commit,
        m.wall_s,
        m.repeats
    );

    // machine
    let _ = writeln!(w, "## Machine\n");
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| CPU | {} |", mc.cpu);
    let _ = writeln!(w, "| logical CPUs available | {} |", mc.cpus);
    if let Some(t) = &mc.topology {
        let _ = writeln!(w, "| topology | {t} |");
    }
    if let Some(g) = mc.mem_gib {
        let _ = writeln!(w, "| memory | {g:.1} GiB |");
    }
    let _ = writeln!(w, "| OS | {} |", mc.os);
    let _ = writeln!(w, "| Rust | {} |", mc.rustc);
    let la = |l: Option<[f64; 3]>| {
        l.map_or("unknown".into(), |l| {
            format!("{:.2} / {:.2} / {:.2}", l[0], l[1], l[2])
        })
    };
    let _ = writeln!(
        w,
        "| load average (1/5/15 min) at start | {} |",
        la(m.load.0)
    );
    let _ = writeln!(w, "| load average (1/5/15 min) at end | {} |", la(m.load.1));
    match &m.peer_env {
        Ok(e) => {
            let v: Vec<String> = e.versions.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(w, "| peer environment | {}; {} |", v.join(", "), e.how);
        }
        Err(e) => {
            let _ = writeln!(w, "| peer environment | {} |", nm(e));
        }
    }
    let _ = writeln!(w);
    let max_load = [m.load.0, m.load.1]
        .iter()
        .flatten()
        .map(|l| l[0])
        .fold(0.0f64, f64::max);
    let capacity = m.wall_s * mc.cpus.max(1) as f64;
    match m.others_cpu_s {
        Some(other) if other <= 0.05 * capacity => {
            let _ = writeln!(
                w,
                "The machine was otherwise idle: other processes used {other:.0} CPU-seconds of \
                 the {capacity:.0} available during the run ({:.1}%; machine busy time from \
                 `/proc/stat` minus this report's own processes). The load averages above \
                 include the report's own benches and peers.\n",
                100.0 * other / capacity
            );
        }
        Some(other) => {
            let _ = writeln!(
                w,
                "**The machine was shared with other jobs during this run**: other processes \
                 used {other:.0} CPU-seconds of the {capacity:.0} available ({:.0}%; machine \
                 busy time from `/proc/stat` minus this report's own processes). Wall-clock \
                 figures of both sides are depressed by the competition, unevenly over time; the \
                 ratios, taken minutes apart in the same run, are more meaningful than the \
                 absolute figures. The CPU time each bench run received is listed under \
                 [Runs](#runs).\n",
                100.0 * other / capacity
            );
        }
        None if max_load > 0.5 * mc.cpus.max(1) as f64 => {
            let _ = writeln!(
                w,
                "**The machine may have been shared with other jobs during this run** (1-minute \
                 load average up to {max_load:.1} on {} CPUs, which includes the report's own \
                 work; other processes' CPU time could not be measured here).\n",
                mc.cpus
            );
        }
        None => {
            let _ = writeln!(
                w,
                "The machine was otherwise idle (1-minute load average at most {max_load:.1} on \
                 {} CPUs).\n",
                mc.cpus
            );
        }
    }

    // kernel
    let _ = writeln!(w, "## Kernel throughput\n");
    let _ = writeln!(
        w,
        "Full N x N kernel of a network with 2 hidden layers (sigma_w 1, sigma_b 0.1) on N points \
         of the unit circle, f64, entries per second. Peer: neural-tangents' `kernel_fn(x, None, \
         'ntk')` (erf network) and `kernel_fn(x, None, 'nngp')` (sign network, `stax.Sign()`) \
         under `jax.jit` on the CPU, float64 (`benches/peers/nt_kernel.py`, the same \
         architectures). For K(X, X) sgntk computes the NNGP and NTK on and below the diagonal \
         and mirrors the rest (both are symmetric); the SG-NTK is never symmetric and is computed \
         in full. A fresh output matrix is allocated and zero-filled in parallel on every call \
         (the `-into` row reuses one buffer, as a caller computing many kernels of one size \
         would). Quadrature-fallback pairs (no closed form) on points of one norm are \
         answered from per-layer Chebyshev tables in the angle (built from ~1500 quadratures per \
         layer, checked to 1e-11; `crates/sgntk-kernel/src/table.rs`); at N = 64 the matrix is \
         too small to amortise a table and every entry is a quadrature. Target (issue 6): at \
         least 3x neural-tangents.\n"
    );
    let _ = writeln!(
        w,
        "| kernel | N | sgntk entries/s | criterion id | neural-tangents entries/s | ratio | target |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|");
    for (f, label, peer) in KERNEL_ROWS {
        for n in SIZES {
            let id = kernel_id(f, n);
            let o = ours(m, &id);
            let ours_s = match &o {
                Ok(r) => r.per_s().map_or("no throughput".into(), sci),
                Err(e) => nm(e),
            };
            let (peer_s, rat, tgt) = match peer {
                Err(why) => (why.to_string(), "-".into(), "-".into()),
                Ok(kernel) => match (&o, nt_at(m, n, kernel)) {
                    (Ok(r), Ok((e, _))) => match r.per_s() {
                        Some(x) => (sci(e), ratio(x / e), verdict(x / e >= 3.0).to_string()),
                        None => (sci(e), "-".into(), "unknown".into()),
                    },
                    (_, Ok((e, _))) => (sci(e), "-".into(), "unknown".into()),
                    (_, Err(e)) => (nm(&e), "-".into(), "unknown".into()),
                },
            };
            let _ = writeln!(
                w,
                "| {label} | {n} | {ours_s} | `{id}` | {peer_s} | {rat} | {tgt} |"
            );
        }
    }
    for (id, label) in KERNEL_QUAD {
        let ours_s = match ours(m, id) {
            Ok(r) => r.per_s().map_or("no throughput".into(), |x| {
                format!("{} ({} per matrix)", sci(x), dur(r.secs()))
            }),
            Err(e) => nm(&e),
        };
        let n = id.rsplit("/n").next().unwrap_or("?");
        let _ = writeln!(w, "| {label} | {n} | {ours_s} | `{id}` | no peer | - | - |");
    }
    let _ = writeln!(w);

    // GP
    let _ = writeln!(w, "## GP prediction\n");
    let _ = writeln!(
        w,
        "One full prediction (mean and {GP_N} x {GP_N} covariance) from P training points, f64, \
         on kernel-like synthetic matrices (the same construction in `benches/benches/gp.rs` and \
         `benches/peers/numpy_gp.py`). Median seconds per prediction; ratio = numpy/scipy time \
         / sgntk time (above 1: sgntk faster). Target (issue 6): no slower than numpy/scipy.\n"
    );
    let _ = writeln!(
        w,
        "| case | P | sgntk | criterion id | numpy/scipy | ratio | target |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|");
    for (f, label) in GP_ROWS {
        for p in SIZES {
            let id = gp_id(f, p);
            let o = ours(m, &id);
            let ours_s = match &o {
                Ok(r) => dur(r.secs()),
                Err(e) => nm(e),
            };
            let (peer_s, rat, tgt): (String, String, String) = match (&o, np_at(m, f, p)) {
                (Ok(r), Ok(t)) => (dur(t), ratio(t / r.secs()), verdict(t >= r.secs()).into()),
                (_, Ok(t)) => (dur(t), "-".into(), "unknown".into()),
                (_, Err(e)) => (nm(&e), "-".into(), "unknown".into()),
            };
            let _ = writeln!(
                w,
                "| {label} | {p} | {ours_s} | `{id}` | {peer_s} | {rat} | {tgt} |"
            );
        }
    }
    let _ = writeln!(w);

    // SGL
    let _ = writeln!(w, "## Training throughput\n");
    let _ = writeln!(
        w,
        "Network-steps per second of full-batch SGL on the reference configuration (2 hidden \
         layers of width n, P = 15 points on the unit circle, sign activation, erf(1) surrogate, \
         f32, lr 0.1). Ours: one network on one thread (`Trainer::step`), and an ensemble of 8 \
         networks stepped in parallel on all threads (what `train_ensemble` and \
         `reproduce-fig1` do). Peer: JAX jit + vmap over an ensemble, steps inside `lax.scan` \
         (`benches/peers/jax_sgl.py`), compilation excluded, all threads XLA uses. The ratio \
         compares like with like: our all-threads ensemble against JAX's. Target (issue 5, \
         reference width 500): at least 7e3 network-steps/s and at least 6x JAX.\n"
    );
    let _ = writeln!(
        w,
        "| width | sgntk steps/s, 1 thread | sgntk steps/s, all threads | criterion ids | JAX steps/s | JAX ensemble x steps | ratio (all threads) | target |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    for wd in SGL_WIDTHS {
        let id = sgl_id(wd);
        let o = ours(m, &id);
        let ours_s = match &o {
            Ok(r) => r.per_s().map_or("no throughput".into(), |x| {
                format!("{} ({}/step)", sci(x), dur(r.secs()))
            }),
            Err(e) => nm(e),
        };
        let ens_id = sgl_ens_id(m, wd);
        let ens = match &ens_id {
            Some(i) => ours(m, i),
            None => Err("this run of the bench produced no ensemble result".to_string()),
        };
        let ens_rate = ens.as_ref().ok().and_then(|r| r.per_s());
        let ens_s = match (&ens, ens_rate) {
            (Ok(_), Some(x)) => sci(x),
            (Ok(_), None) => "no throughput".into(),
            (Err(e), _) => nm(e),
        };
        let ids = match &ens_id {
            Some(i) => format!("`{id}`, `{i}`"),
            None => format!("`{id}`"),
        };
        let plan = m
            .jax
            .iter()
            .find(|j| j.0 == wd)
            .map_or("-".into(), |j| format!("{} x {}", j.1.0, j.1.1));
        let j = jax_at(m, wd);
        let (peer_s, rat) = match (&j, ens_rate) {
            (Ok((x, _)), Some(y)) => (sci(*x), ratio(y / x)),
            (Ok((x, _)), None) => (sci(*x), "-".into()),
            (Err(e), _) => (nm(e), "-".into()),
        };
        let tgt = if wd == 500 {
            let abs = ens_rate.map(|y| y >= 7e3);
            let rel = match (&j, ens_rate) {
                (Ok((x, _)), Some(y)) => Some(y / x >= 6.0),
                _ => None,
            };
            let f = |b: Option<bool>| b.map_or("unknown", verdict);
            format!(">= 7e3/s: {}; >= 6x JAX: {}", f(abs), f(rel))
        } else {
            "-".into()
        };
        let _ = writeln!(
            w,
            "| {wd} | {ours_s} | {ens_s} | {ids} | {peer_s} | {plan} | {rat} | {tgt} |"
        );
    }
    let _ = writeln!(w);

    // peak and achieved
    let _ = writeln!(w, "## Against the machine's limit\n");
    let _ = writeln!(
        w,
        "FMA peak from `benches/benches/peak.rs` (12 independent vector FMA chains per thread, \
         widest SIMD level chosen at run time, 2 FLOP per lane-FMA; wall clock, so on a loaded \
         machine it measures the share of the cores this process received, not the silicon).\n"
    );
    let _ = writeln!(w, "| probe | GFLOP/s | criterion id | samples |");
    let _ = writeln!(w, "|---|---|---|---|");
    for (t, th) in [("f32", 1), ("f32", 2), ("f64", 1), ("f64", 2)] {
        let id = format!("peak/fma-{t}-t{th}");
        let (v, smp) = match ours(m, &id) {
            Ok(r) => (
                r.per_s().map_or("-".into(), |x| format!("{:.1}", x / 1e9)),
                samples(r),
            ),
            Err(e) => (nm(&e), "-".into()),
        };
        let _ = writeln!(w, "| {t} FMA, {th} thread(s) | {v} | `{id}` | {smp} |");
    }
    let _ = writeln!(w);
    let peak1 = ours(m, "peak/fma-f32-t1").ok().and_then(|r| r.per_s());
    let _ = writeln!(
        w,
        "Achieved FLOP rate of the SGL step: multiply-adds per step counted by \
         `sgntk::sgl::Trainer::stats` (averaged over the first {} steps of the same network the \
         bench trains; the fast step reuses cached products, so it does fewer multiply-adds \
         than a naive step), times 2 FLOP, times the criterion steps/s above; compared with the \
         one-thread f32 peak.\n",
        m.sgl_work_steps
    );
    let _ = writeln!(
        w,
        "| width | multiply-adds / step | flipped units / step | GFLOP/s | % of f32 peak (1 thread) |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|");
    for (wd, work) in &m.sgl_work {
        let rate = ours(m, &sgl_id(*wd)).ok().and_then(|r| r.per_s());
        match work {
            Ok((ma, fl)) => {
                let g = rate.map(|r| 2.0 * ma * r / 1e9);
                let pct = match (g, peak1) {
                    (Some(g), Some(p)) => format!("{:.0}%", 100.0 * g * 1e9 / p),
                    _ => "-".into(),
                };
                let _ = writeln!(
                    w,
                    "| {wd} | {} | {fl:.2} | {} | {pct} |",
                    sci(*ma),
                    g.map_or("-".into(), |g| format!("{g:.1}"))
                );
            }
            Err(e) => {
                let _ = writeln!(w, "| {wd} | {} | - | - | - |", nm(e));
            }
        }
    }
    let _ = writeln!(w);

    // scaling
    let _ = writeln!(w, "## Scaling\n");
    match fig {
        Ok(p) => {
            let _ = writeln!(
                w,
                "![cost against N, P, width and depth]({})\n",
                link(root, out, p)
            );
        }
        Err(e) => {
            let _ = writeln!(w, "Figure not drawn: {e}\n");
        }
    }
    let _ = writeln!(
        w,
        "Growth exponents (slope of log cost against log size between the smallest and largest \
         size measured):\n"
    );
    let _ = writeln!(w, "| cost | sizes | exponent | source |");
    let _ = writeln!(w, "|---|---|---|---|");
    let figd = scaling_figure(m);
    for (panel, src) in figd.panels.iter().zip([
        "criterion",
        "criterion",
        "criterion",
        "direct timing (below)",
    ]) {
        for se in &panel.series {
            let sizes: Vec<String> = se.points.iter().map(|p| format!("{}", p.0)).collect();
            let k = loglog_slope(&se.points).map_or("-".into(), |k| format!("{k:.2}"));
            let _ = writeln!(
                w,
                "| {}: {} | {} = {} | {k} | {src} |",
                panel.title.split(':').next().unwrap_or(""),
                se.label,
                panel.x_desc,
                sizes.join(", ")
            );
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "No criterion bench varies the depth, so the report times the erf(2x) NTK (N = {DEPTH_N}, \
         sigma_w 1, sigma_b 0.1) through the `sgntk` facade itself: one untimed call, then the \
         median of {} wall-clock timings per depth.\n",
        m.depths
            .iter()
            .flatten()
            .map(|t| t.runs_s.len())
            .max()
            .unwrap_or(0)
    );
    let _ = writeln!(w, "| hidden layers | median | runs |");
    let _ = writeln!(w, "|---|---|---|");
    for (d, t) in super::DEPTHS.iter().zip(&m.depths) {
        match t {
            Ok(t) => {
                let runs: Vec<String> = t.runs_s.iter().map(|r| dur(*r)).collect();
                let _ = writeln!(w, "| {d} | {} | {} |", dur(t.median_s), runs.join(", "));
            }
            Err(e) => {
                let _ = writeln!(w, "| {d} | {} | - |", nm(e));
            }
        }
    }
    let _ = writeln!(w);

    // other results
    let known: Vec<String> = KERNEL_ROWS
        .iter()
        .flat_map(|(f, _, _)| SIZES.iter().map(move |&n| kernel_id(f, n)))
        .chain(KERNEL_QUAD.iter().map(|(i, _)| i.to_string()))
        .chain(
            GP_ROWS
                .iter()
                .flat_map(|(f, _)| SIZES.iter().map(move |&p| gp_id(f, p))),
        )
        .chain(SGL_WIDTHS.iter().map(|&wd| sgl_id(wd)))
        .chain(SGL_WIDTHS.iter().filter_map(|&wd| sgl_ens_id(m, wd)))
        .collect();
    let extra: Vec<_> = m
        .crit
        .iter()
        .filter(|(id, _)| !known.contains(id) && !id.starts_with("peak/"))
        .collect();
    if !extra.is_empty() {
        let _ = writeln!(w, "Other results of this run:\n");
        let _ = writeln!(w, "| criterion id | median | throughput (elements/s) |");
        let _ = writeln!(w, "|---|---|---|");
        for (id, r) in extra {
            let _ = writeln!(
                w,
                "| `{id}` | {} | {} |",
                dur(r.secs()),
                r.per_s().map_or("-".into(), sci)
            );
        }
        let _ = writeln!(w);
    }

    // runs
    let _ = writeln!(w, "## Runs\n");
    let _ = writeln!(
        w,
        "Criterion arguments: `{}` (a bench group that sets its own warm-up or measurement time \
         keeps it). Cores used = CPU seconds of the bench process (and cargo) / wall seconds. \
         Logs: `{}`.\n",
        m.crit_args.join(" "),
        m.log_dir.strip_prefix(root).unwrap_or(&m.log_dir).display()
    );
    if let Some(e) = &m.build_error {
        let _ = writeln!(
            w,
            "Building all benches at once failed ({e}); each bench was then run on its own.\n"
        );
    }
    let _ = writeln!(w, "| bench | filter | wall | cores used | outcome |");
    let _ = writeln!(w, "|---|---|---|---|---|");
    for (b, f, o) in &m.bench_runs {
        let cores = o
            .cpu_s
            .map_or("-".into(), |c| format!("{:.2}", c / o.wall_s.max(1e-9)));
        let outcome = match &o.result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.replace('|', "/"),
        };
        let _ = writeln!(
            w,
            "| {b} | `{f}` | {:.0} s | {cores} | {outcome} |",
            o.wall_s
        );
    }
    if m.bench_runs.is_empty() && m.build_error.is_none() {
        let _ = writeln!(w, "| - | - | - | - | no bench run |");
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "Samples behind our figures:\n");
    let _ = writeln!(
        w,
        "| criterion id | median | 95% CI of the median | samples |"
    );
    let _ = writeln!(w, "|---|---|---|---|");
    for (id, r) in &m.crit {
        let _ = writeln!(
            w,
            "| `{id}` | {} | {} - {} | {} |",
            dur(r.secs()),
            dur(r.ci_ns.0 * 1e-9),
            dur(r.ci_ns.1 * 1e-9),
            samples(r)
        );
    }
    let _ = writeln!(w);
    if m.args.quick {
        let _ = writeln!(
            w,
            "With `--quick`, criterion stops sampling once two successive timings agree to 5% or \
             its time budget is spent, so a slow bench may rest on very few iterations; run \
             without `--quick` for the full sampling.\n"
        );
    }

    // notes
    let notes_dir = root.join("docs/benchmarks");
    let mut notes: Vec<PathBuf> = std::fs::read_dir(&notes_dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    notes.sort();
    if !notes.is_empty() {
        let _ = writeln!(w, "## Per-crate notes\n");
        let _ = writeln!(
            w,
            "Hand-written analyses (work per step, kernels, peers in more detail) by crate:\n"
        );
        for p in notes {
            let name = p.file_stem().and_then(|n| n.to_str()).unwrap_or("?");
            let _ = writeln!(w, "- [{name}]({})", link(root, out, &p));
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "## Reproduce\n");
    let _ = writeln!(w, "```text");
    let _ = writeln!(
        w,
        "cargo xtask bench-report            # full sampling, 7 peer repeats"
    );
    let _ = writeln!(w, "cargo xtask bench-report --quick    # a few minutes");
    let _ = writeln!(
        w,
        "cargo xtask bench-report --venv .venv --skip-peers   # options"
    );
    for (b, f) in BENCHES {
        let _ = writeln!(w, "cargo bench -p sgntk-benches --bench {b} -- '{f}'");
    }
    let _ = writeln!(w, "```");
    s
}

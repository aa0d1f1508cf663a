//! `cargo xtask reproduce-fig1`: the paper's Fig. 3a (SPEC section 6) end to end.
//!
//! 1. Analytic side: NNGP and SG-NTK of the sign network on the 100-point circle grid
//!    (`sgntk::kernel`), the SG-NTK Gaussian process at t = infinity and the NNGP regression
//!    mean (`sgntk::gp`).
//! 2. Simulation side: an ensemble of independently initialised finite networks trained with
//!    SGL (`sgntk::sgl`), checkpointed network by network so that a run can be resumed.
//! 3. Verdict metrics, CSV outputs, `summary.json` and the figure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use sgntk::gauss::{Activation, Surrogate};

use crate::analytic::{self, AnalyticSetup};
use crate::io::{csv_string, write_atomic};
use crate::metrics::{self, Fig1Metrics};
use crate::problem::{self, N_TEST, PAPER_TRAIN_INDICES};
use crate::rundir::RunDir;
use crate::{figures, progress};

/// Flags of `reproduce-fig1` (every one optional: the default is the paper's configuration).
#[derive(clap::Args, Debug, Clone)]
pub struct Fig1Args {
    /// Number of independently initialised networks [paper: 500; --quick: 200].
    #[arg(long)]
    pub networks: Option<usize>,
    /// Width n of both hidden layers [paper: 500].
    #[arg(long)]
    pub width: Option<usize>,
    /// Full-batch gradient-descent steps [paper: 30000; --quick: 10000].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Learning rate eta [paper: 0.1].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Base seed; network k is initialised from a seed derived from (seed, k) [default: 0].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Training points as indices into the 100-point test grid, comma-separated
    /// [paper: 54,69,18,41,23,50,65,82,63,3,0,4,58,79,95].
    #[arg(long, value_delimiter = ',')]
    pub train_indices: Option<Vec<usize>>,
    /// Surrogate derivative, e.g. erf:1, fast-sigmoid:25, atan:2 [paper: erf:1].
    #[arg(long)]
    pub surrogate: Option<String>,
    /// Activation of the hidden layers [paper: sign].
    #[arg(long)]
    pub activation: Option<String>,
    /// Output directory [default: results/fig1, or results/fig1-quick with --quick].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A reduced preset that finishes in about 3 minutes on 2 cores (200 networks, 10000 steps;
    /// the GP comparison then uses the finite-time GP as well as t = infinity).
    #[arg(long)]
    pub quick: bool,
    /// Delete results of an earlier, different configuration in the output directory.
    #[arg(long)]
    pub fresh: bool,
    /// Worker threads for the ensemble [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Everything that determines the results (the checkpoint identity). The ensemble size is not
/// part of it: network k depends only on (seed, k), so a run can be extended to more networks.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Fig1Config {
    /// Input dimension (2: the unit circle).
    pub input_dim: usize,
    /// Hidden layers.
    pub depth: usize,
    /// Hidden width.
    pub width: usize,
    /// Weight scale.
    pub sigma_w: f64,
    /// Bias scale.
    pub sigma_b: f64,
    /// Output-layer factor.
    pub kappa: f64,
    /// Activation text form.
    pub activation: String,
    /// Surrogate text form.
    pub surrogate: String,
    /// Learning rate.
    pub lr: f64,
    /// Gradient-descent steps.
    pub steps: usize,
    /// Base seed.
    pub seed: u64,
    /// Training indices into the test grid.
    pub train_indices: Vec<usize>,
    /// Floating-point type of the simulation.
    pub precision: String,
}

/// One trained network, as checkpointed.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct NetCheckpoint {
    /// Network index in the ensemble.
    pub index: usize,
    /// Predictions on the 100 test points after training.
    pub test: Vec<f64>,
    /// Final training loss (0.5 x mean squared error).
    pub train_loss: f64,
}

impl Fig1Args {
    fn resolve(&self) -> Result<(Fig1Config, usize, PathBuf)> {
        let quick = self.quick;
        let networks = self.networks.unwrap_or(if quick { 200 } else { 500 });
        let steps = self.steps.unwrap_or(if quick { 10_000 } else { 30_000 });
        let train_indices = self
            .train_indices
            .clone()
            .unwrap_or_else(|| PAPER_TRAIN_INDICES.to_vec());
        if train_indices.is_empty() {
            bail!("--train-indices: give at least one index");
        }
        if let Some(&bad) = train_indices.iter().find(|&&i| i >= N_TEST) {
            bail!(
                "--train-indices: index {bad} is outside the test grid 0..{}",
                N_TEST - 1
            );
        }
        let mut sorted = train_indices.clone();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            bail!("--train-indices: duplicate indices give a singular kernel matrix");
        }
        if networks == 0 {
            bail!("--networks must be at least 1");
        }
        let activation: Activation = self.activation.as_deref().unwrap_or("sign").parse()?;
        let surrogate: Surrogate = self.surrogate.as_deref().unwrap_or("erf:1").parse()?;
        let lr = self.lr.unwrap_or(0.1);
        if !(lr.is_finite() && lr > 0.0) {
            bail!("--lr must be a positive number, got {lr}");
        }
        let cfg = Fig1Config {
            input_dim: 2,
            depth: 2,
            width: self.width.unwrap_or(500),
            sigma_w: 1.0,
            sigma_b: 0.1,
            kappa: 1.0,
            activation: activation.to_string(),
            surrogate: surrogate.to_string(),
            lr,
            steps,
            seed: self.seed.unwrap_or(0),
            train_indices,
            precision: "f32".into(),
        };
        let out = self.out.clone().unwrap_or_else(|| {
            PathBuf::from(if quick {
                "results/fig1-quick"
            } else {
                "results/fig1"
            })
        });
        Ok((cfg, networks, out))
    }
}

/// Runs the experiment; returns the metrics.
pub fn run(args: &Fig1Args) -> Result<Fig1Metrics> {
    let t_total = Instant::now();
    let (cfg, networks, out) = args.resolve()?;
    let dir = RunDir::open(&out, &cfg, args.fresh)?;
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .ok();
    }
    eprintln!(
        "reproduce-fig1{}: {} networks, {} sign-layers of width {}, activation {}, surrogate {}, \
         eta = {}, {} steps, seed {}, {} training points -> {}",
        if args.quick {
            " (quick preset: fewer networks and steps than the paper)"
        } else {
            ""
        },
        networks,
        cfg.depth,
        cfg.width,
        cfg.activation,
        cfg.surrogate,
        cfg.lr,
        cfg.steps,
        cfg.seed,
        cfg.train_indices.len(),
        out.display()
    );

    // --- analytic side ---------------------------------------------------------------------
    let t0 = Instant::now();
    let setup = AnalyticSetup::from_fig1(&cfg)?;
    let an = analytic::compute(&setup)?;
    let t_analytic = t0.elapsed().as_secs_f64();
    eprintln!("analytic kernels and GP: {t_analytic:.2} s");

    // --- ensemble ----------------------------------------------------------------------------
    let t0 = Instant::now();
    let mut done: Vec<Option<NetCheckpoint>> = (0..networks)
        .map(|k| {
            dir.load::<NetCheckpoint>(&net_name(k))
                .filter(|c| c.test.len() == N_TEST)
        })
        .collect();
    let todo: Vec<usize> = (0..networks).filter(|&k| done[k].is_none()).collect();
    let resumed = networks - todo.len();
    if resumed > 0 {
        eprintln!(
            "resuming: {resumed} of {networks} networks already trained in {}",
            out.display()
        );
    }
    if !todo.is_empty() {
        let pb = progress::bar(networks as u64, resumed as u64, "networks");
        let results = Mutex::new(Vec::<NetCheckpoint>::new());
        let cancelled = Arc::new(AtomicBool::new(false));
        let spec = setup.network_spec(cfg.width)?;
        let train = sgntk::sgl::TrainSpec {
            lr: cfg.lr,
            steps: cfg.steps,
            record_steps: vec![],
        };
        sgntk::sgl::train_ensemble::<f32>(
            &spec,
            &train,
            cfg.seed,
            &todo,
            &setup.train_set()?,
            &setup.test_inputs()?,
            |net| {
                let ck = NetCheckpoint {
                    index: net.index,
                    test: net.final_test_predictions.clone(),
                    train_loss: net.final_train_loss,
                };
                if let Err(e) = dir.save(&net_name(ck.index), &ck) {
                    cancelled.store(true, Ordering::Relaxed);
                    eprintln!("checkpoint failed: {e:#}");
                }
                results.lock().expect("poisoned").push(ck);
                pb.inc(1);
                Ok(())
            },
        )
        .context("training the ensemble")?;
        pb.finish_and_clear();
        for ck in results.into_inner().expect("poisoned") {
            let k = ck.index;
            done[k] = Some(ck);
        }
    }
    let nets: Vec<NetCheckpoint> = done
        .into_iter()
        .map(|c| c.expect("every network trained"))
        .collect();
    let t_train = t0.elapsed().as_secs_f64();
    let new_steps = (todo.len() * cfg.steps) as f64;
    eprintln!(
        "ensemble: {t_train:.1} s ({} networks trained now{})",
        todo.len(),
        if todo.is_empty() {
            String::new()
        } else {
            format!(", {:.0} network-steps/s", new_steps / t_train)
        }
    );

    // --- verdict, outputs --------------------------------------------------------------------
    let m = metrics::fig1(&an, &nets, &cfg.train_indices);
    write_outputs(&dir, &setup, &an, &nets)?;
    let fig = figures::Fig1Figure::new(&setup, &an, &nets, &m, &cfg, networks);
    crate::plot::save_figure(&fig, &dir.file("fig1"), (1200, 800))?;
    let summary = serde_json::json!({
        "experiment": "Eilers, Memmesheimer & Goedeke (NeurIPS 2024), Fig. 3a",
        "software": { "sgntk": env!("CARGO_PKG_VERSION") },
        "config": cfg,
        "networks": networks,
        "quick": args.quick,
        "timings_s": {
            "analytic": t_analytic,
            "ensemble": t_train,
            "ensemble_networks_trained_now": todo.len(),
            "ensemble_network_steps_per_s": if todo.is_empty() { serde_json::Value::Null } else { (new_steps / t_train).into() },
            "total": t_total.elapsed().as_secs_f64(),
        },
        "gp": { "condition_estimate": an.gp.condition_estimate, "nngp_condition_estimate": an.nngp.condition_estimate },
        "metrics": m,
    });
    write_atomic(
        &dir.file("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    print_table(&m, networks, &out);
    Ok(m)
}

fn net_name(k: usize) -> String {
    format!("net-{k:06}")
}

fn write_outputs(
    dir: &RunDir,
    setup: &AnalyticSetup,
    an: &analytic::Analytic,
    nets: &[NetCheckpoint],
) -> Result<()> {
    let (ens_mean, ens_std) = metrics::ensemble_mean_std(nets);
    let gp_std = an.gp.std();
    let rows = (0..N_TEST).map(|i| {
        vec![
            setup.test_angles[i],
            setup.test_targets[i],
            an.gp.mean[i],
            gp_std[i],
            an.nngp.mean[i],
            ens_mean[i],
            ens_std[i],
        ]
    });
    write_atomic(
        &dir.file("fig1.csv"),
        csv_string(
            &[
                "alpha",
                "target",
                "gp_mean",
                "gp_std",
                "nngp_mean",
                "ensemble_mean",
                "ensemble_std",
            ],
            rows,
        )
        .as_bytes(),
    )?;
    let header: Vec<String> = (0..N_TEST).map(|i| format!("x{i}")).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    write_atomic(
        &dir.file("networks.csv"),
        csv_string(&header, nets.iter().map(|n| n.test.clone())).as_bytes(),
    )?;
    let mat_rows = |m: &faer::Mat<f64>| {
        (0..m.nrows())
            .map(|i| (0..m.ncols()).map(|j| m[(i, j)]).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    write_atomic(
        &dir.file("sgntk.csv"),
        csv_string(&[], mat_rows(&an.sgntk_test)).as_bytes(),
    )?;
    write_atomic(
        &dir.file("nngp.csv"),
        csv_string(&[], mat_rows(&an.nngp_test)).as_bytes(),
    )?;
    let train_rows = setup.train_indices.iter().map(|&i| {
        let x = problem::circle_point(setup.test_angles[i]);
        vec![
            i as f64,
            setup.test_angles[i],
            x[0],
            x[1],
            setup.test_targets[i],
        ]
    });
    write_atomic(
        &dir.file("train.csv"),
        csv_string(&["index", "alpha", "x0", "x1", "target"], train_rows).as_bytes(),
    )?;
    Ok(())
}

fn print_table(m: &Fig1Metrics, networks: usize, out: &std::path::Path) {
    println!();
    println!("verdict ({networks} networks)                         value");
    println!(
        "  RMS(ensemble mean - GP mean)                {:>10.4}",
        m.rms_ensemble_vs_gp
    );
    println!(
        "  Monte-Carlo error expected for that RMS     {:>10.4}",
        m.rms_monte_carlo_expected
    );
    println!(
        "  RMS(ensemble mean - NNGP mean)              {:>10.4}",
        m.rms_ensemble_vs_nngp
    );
    println!(
        "  RMS(ensemble mean - finite-time GP mean)    {:>10.4}",
        m.rms_ensemble_vs_gp_finite_t
    );
    println!(
        "  outputs in GP mean +- 2 sd, all points      {:>9.1}%",
        100.0 * m.band_fraction_all
    );
    println!(
        "  outputs in GP mean +- 2 sd, off training    {:>9.1}%",
        100.0 * m.band_fraction_off_train
    );
    println!(
        "  mean ensemble sd / GP sd (off training)     {:>10.3}",
        m.mean_std_ratio_off_train
    );
    println!(
        "  final training loss: median {:.3e}, max {:.3e}",
        m.train_loss_median, m.train_loss_max
    );
    println!("figure: {}", out.join("fig1.png").display());
}

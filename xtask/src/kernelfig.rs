//! Paper Figs. 1 and 2: empirical kernels of finite erf(m) networks against the analytic kernel.
//!
//! `reproduce-ntk-divergence` (Fig. 1): the empirical NTK `J J^T` of erf(m) networks,
//! m = 2, 5, 20, widths 10, 100, 500, 1000, 10 networks each, at t = 0 and after 10 000 steps,
//! against the analytic NTK Theta_m, which grows without bound as m grows (the sign limit has no
//! NTK). `reproduce-sgntk-convergence` (Fig. 2): the same for the SG-NTK `J J~^T` with the erf(1)
//! surrogate at t = 0 and after 1 000 steps, against the analytic SG-NTK, which stays finite.
//! Shown is the kernel row of x = x_50 against all 100 test points, on an asinh scale.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use faer::Mat;
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use sgntk::gauss::{Activation, Surrogate};
use sgntk::kernel::{Architecture, KernelKind};
use sgntk::sgl::{Dataset, EmpiricalKind, Network, NetworkSpec, Trainer, empirical_kernel};

use crate::io::{csv_string, write_atomic};
use crate::plot::{Figure, perr, save_figure};
use crate::problem::{self, PAPER_KERNEL_ANGLES};
use crate::progress;
use crate::rundir::RunDir;

/// Which paper figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Which {
    /// Fig. 1: the NTK diverges as m grows.
    NtkDivergence,
    /// Fig. 2: the SG-NTK converges.
    SgntkConvergence,
}

/// Flags of the kernel figures.
#[derive(clap::Args, Debug, Clone)]
pub struct KernelFigArgs {
    /// Steepness values m of erf(m x), comma-separated [default: 2,5,20].
    #[arg(long, value_delimiter = ',')]
    pub m: Option<Vec<f64>>,
    /// Hidden widths, comma-separated [default: 10,100,500,1000].
    #[arg(long, value_delimiter = ',')]
    pub widths: Option<Vec<usize>>,
    /// Networks per (m, width) [default: 10].
    #[arg(long)]
    pub networks: Option<usize>,
    /// Training steps [default: 10000 for the NTK figure, 1000 for the SG-NTK figure].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Learning rate [default: 0.1].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Base seed [default: 0].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory [default: results/ntk-divergence or results/sgntk-convergence].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A reduced preset (widths 10,100,500, 3 networks, a tenth of the steps).
    #[arg(long)]
    pub quick: bool,
    /// Delete results of a different configuration in the output directory.
    #[arg(long)]
    pub fresh: bool,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Config {
    which: Which,
    m: Vec<f64>,
    widths: Vec<usize>,
    steps: usize,
    lr: f64,
    seed: u64,
    sigma_w: f64,
    sigma_b: f64,
    depth: usize,
    surrogate: String,
    row_index: usize,
    precision: String,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct Ckpt {
    start: Vec<f64>,
    end: Vec<f64>,
}

/// Index of the kernel row shown (x_50).
const ROW: usize = 50;

/// Runs Fig. 1 or Fig. 2.
pub fn run(which: Which, a: &KernelFigArgs) -> Result<()> {
    let t_total = Instant::now();
    let (name, default_steps) = match which {
        Which::NtkDivergence => ("ntk-divergence", 10_000),
        Which::SgntkConvergence => ("sgntk-convergence", 1_000),
    };
    let quick = a.quick;
    let cfg = Config {
        which,
        m: a.m.clone().unwrap_or_else(|| vec![2.0, 5.0, 20.0]),
        widths: a.widths.clone().unwrap_or_else(|| {
            if quick {
                vec![10, 100, 500]
            } else {
                vec![10, 100, 500, 1000]
            }
        }),
        steps: a.steps.unwrap_or(if quick {
            default_steps / 10
        } else {
            default_steps
        }),
        lr: a.lr.unwrap_or(0.1),
        seed: a.seed.unwrap_or(0),
        sigma_w: 1.0,
        sigma_b: 0.1,
        depth: 2,
        surrogate: "erf:1".into(),
        row_index: ROW,
        precision: "f32".into(),
    };
    let networks = a.networks.unwrap_or(if quick { 3 } else { 10 });
    let out = a.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "results/{name}{}",
            if quick { "-quick" } else { "" }
        ))
    });
    let dir = RunDir::open(&out, &cfg, a.fresh)?;
    let surrogate: Surrogate = cfg.surrogate.parse()?;
    let (kind, ekind) = match which {
        Which::NtkDivergence => (KernelKind::Ntk, EmpiricalKind::Ntk),
        Which::SgntkConvergence => (KernelKind::SgNtk, EmpiricalKind::SgNtk),
    };
    eprintln!(
        "reproduce-{name}: m = {:?}, widths {:?}, {networks} networks each, {} steps (eta = {}) -> {}",
        cfg.m,
        cfg.widths,
        cfg.steps,
        cfg.lr,
        out.display()
    );

    let angles = problem::test_angles();
    let grid = Dataset::new(problem::inputs(&angles), 2, vec![])?;
    let row = Dataset::new(problem::inputs(&angles[ROW..=ROW]), 2, vec![])?;
    let train_targets = PAPER_KERNEL_ANGLES
        .iter()
        .map(|&a| problem::target(problem::circle_point(a)))
        .collect();
    let train = Dataset::new(problem::inputs(&PAPER_KERNEL_ANGLES), 2, train_targets)?;

    // Analytic kernel rows.
    let xg = Mat::from_fn(angles.len(), 2, |i, j| problem::circle_point(angles[i])[j]);
    let xr = Mat::from_fn(1, 2, |_, j| problem::circle_point(angles[ROW])[j]);
    let mut analytic = Vec::new();
    for &m in &cfg.m {
        let arch = Architecture::new(
            2,
            cfg.depth,
            cfg.sigma_w,
            cfg.sigma_b,
            Activation::erf(m)?,
            surrogate.clone(),
        )?;
        let k = arch
            .kernel(kind, xr.as_ref(), xg.as_ref())
            .with_context(|| format!("analytic kernel, m = {m}"))?;
        analytic.push((0..angles.len()).map(|j| k[(0, j)]).collect::<Vec<f64>>());
    }

    // Empirical kernels, one checkpoint per (m, width, network).
    let jobs: Vec<(usize, usize, usize)> = (0..cfg.m.len())
        .flat_map(|mi| {
            cfg.widths
                .iter()
                .enumerate()
                .flat_map(move |(wi, _)| (0..networks).map(move |k| (mi, wi, k)))
        })
        .collect();
    let ck_name =
        |(mi, wi, k): (usize, usize, usize)| format!("m{}-n{}-k{k}", cfg.m[mi], cfg.widths[wi]);
    let done = jobs
        .iter()
        .filter(|j| dir.load::<Ckpt>(&ck_name(**j)).is_some())
        .count();
    let pb = progress::bar(jobs.len() as u64, done as u64, "networks");
    // Large widths first: they are the slow ones, so the tail of the run stays short.
    let mut todo: Vec<_> = jobs
        .iter()
        .copied()
        .filter(|j| dir.load::<Ckpt>(&ck_name(*j)).is_none())
        .collect();
    todo.sort_by_key(|&(_, wi, _)| std::cmp::Reverse(cfg.widths[wi]));
    todo.par_iter().try_for_each(|&(mi, wi, k)| -> Result<()> {
        let spec = NetworkSpec::new(
            2,
            vec![cfg.widths[wi]; cfg.depth],
            cfg.sigma_w,
            cfg.sigma_b,
            Activation::erf(cfg.m[mi])?,
            surrogate.clone(),
        )?;
        let net = Network::<f32>::init(
            &spec,
            cfg.seed ^ ((mi as u64) << 32) ^ ((wi as u64) << 40),
            k,
        );
        let start = empirical_kernel(&net, ekind, &row, &grid)?;
        let mut tr = Trainer::new(net, &train, cfg.lr)?;
        for _ in 0..cfg.steps {
            tr.step();
        }
        let end = empirical_kernel(&tr.network(), ekind, &row, &grid)?;
        dir.save(&ck_name((mi, wi, k)), &Ckpt { start, end })?;
        pb.inc(1);
        Ok(())
    })?;
    pb.finish_and_clear();

    // Collect, write data and figure.
    let mut rows = Vec::new();
    let mut mse = Vec::new(); // (mi, wi, mse_start, mse_end)
    let mut curves = vec![vec![Vec::new(); cfg.widths.len()]; cfg.m.len()];
    for &(mi, wi, k) in &jobs {
        let c: Ckpt = dir
            .load(&ck_name((mi, wi, k)))
            .context("missing checkpoint")?;
        for (t, v) in [(0.0, &c.start), (cfg.steps as f64, &c.end)] {
            let mut r = vec![cfg.m[mi], cfg.widths[wi] as f64, k as f64, t];
            r.extend(v.iter().copied());
            rows.push(r);
        }
        curves[mi][wi].push(c);
    }
    for (mi, per_w) in curves.iter().enumerate() {
        for (wi, cs) in per_w.iter().enumerate() {
            let err = |f: &dyn Fn(&Ckpt) -> &Vec<f64>| {
                cs.iter()
                    .flat_map(|c| f(c).iter().zip(&analytic[mi]).map(|(e, a)| (e - a).powi(2)))
                    .sum::<f64>()
                    / (cs.len() * angles.len()) as f64
            };
            mse.push((mi, wi, err(&|c| &c.start), err(&|c| &c.end)));
        }
    }
    let mut header = vec![
        "m".to_string(),
        "width".into(),
        "network".into(),
        "step".into(),
    ];
    header.extend((0..angles.len()).map(|j| format!("x{j}")));
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    write_atomic(&dir.file("empirical.csv"), csv_string(&h, rows).as_bytes())?;
    let arows = cfg.m.iter().zip(&analytic).map(|(&m, v)| {
        let mut r = vec![m];
        r.extend(v.iter().copied());
        r
    });
    let mut ah = vec!["m".to_string()];
    ah.extend((0..angles.len()).map(|j| format!("x{j}")));
    let ah: Vec<&str> = ah.iter().map(String::as_str).collect();
    write_atomic(&dir.file("analytic.csv"), csv_string(&ah, arows).as_bytes())?;
    let mrows = mse
        .iter()
        .map(|&(mi, wi, s, e)| vec![cfg.m[mi], cfg.widths[wi] as f64, s, e]);
    write_atomic(
        &dir.file("mse.csv"),
        csv_string(&["m", "width", "mse_start", "mse_end"], mrows).as_bytes(),
    )?;
    let fig = KernelFigure {
        cfg: cfg.clone(),
        angles,
        analytic,
        curves,
        mse: mse.clone(),
    };
    save_figure(&fig, &dir.file(name), (1500, 1100))?;
    let summary = serde_json::json!({
        "experiment": match which { Which::NtkDivergence => "paper Fig. 1 (NTK of erf(m) networks)", Which::SgntkConvergence => "paper Fig. 2 (SG-NTK, erf(1) surrogate)" },
        "software": { "sgntk": env!("CARGO_PKG_VERSION") },
        "config": cfg,
        "networks_per_cell": networks,
        "analytic_diagonal_at_row": fig.analytic.iter().map(|v| v[ROW]).collect::<Vec<_>>(),
        "mse": mse.iter().map(|&(mi, wi, s, e)| serde_json::json!({"m": cfg.m[mi], "width": cfg.widths[wi], "mse_start": s, "mse_end": e})).collect::<Vec<_>>(),
        "timings_s": { "total": t_total.elapsed().as_secs_f64() },
    });
    write_atomic(
        &dir.file("summary.json"),
        serde_json::to_string_pretty(&summary)?.as_bytes(),
    )?;
    println!("\n  m     width   MSE(t=0)      MSE(t={})", cfg.steps);
    for &(mi, wi, s, e) in &mse {
        println!(
            "  {:<5} {:<7} {:<13.4e} {:.4e}",
            cfg.m[mi], cfg.widths[wi], s, e
        );
    }
    println!("figure: {}", dir.file(&format!("{name}.png")).display());
    Ok(())
}

struct KernelFigure {
    cfg: Config,
    angles: Vec<f64>,
    analytic: Vec<Vec<f64>>,
    curves: Vec<Vec<Vec<Ckpt>>>,
    mse: Vec<(usize, usize, f64, f64)>,
}

const WIDTH_COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

impl Figure for KernelFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let name = match self.cfg.which {
            Which::NtkDivergence => "NTK",
            Which::SgntkConvergence => "SG-NTK (erf:1 surrogate)",
        };
        let root = root.titled(
            &format!("Empirical {name} of erf(m x) networks vs analytic kernel (black); row x_50, asinh scale"),
            ("sans-serif", 22),
        ).map_err(perr)?;
        let (panels, mse_area) = root.split_horizontally(1080);
        let cells = panels.split_evenly((self.cfg.m.len(), 2));
        let all_values = || {
            self.analytic
                .iter()
                .flatten()
                .chain(
                    self.curves
                        .iter()
                        .flatten()
                        .flatten()
                        .flat_map(|c| c.start.iter().chain(&c.end)),
                )
                .map(|v| v.asinh())
        };
        let ymax = all_values().fold(1.0f64, f64::max);
        let ymin = all_values().fold(0.0f64, f64::min);
        let pad = 0.05 * (ymax - ymin);
        for (mi, m) in self.cfg.m.iter().enumerate() {
            for (ti, tlabel) in [
                (0usize, "t = 0".to_string()),
                (1, format!("t = {}", self.cfg.steps)),
            ]
            .into_iter()
            {
                let area = &cells[mi * 2 + ti];
                let mut chart = ChartBuilder::on(area)
                    .caption(format!("m = {m}, {tlabel}"), ("sans-serif", 16))
                    .margin(8)
                    .x_label_area_size(30)
                    .y_label_area_size(45)
                    .build_cartesian_2d(
                        -std::f64::consts::PI..std::f64::consts::PI,
                        ymin - pad..ymax + pad,
                    )
                    .map_err(perr)?;
                chart
                    .configure_mesh()
                    .x_desc("alpha")
                    .y_desc("asinh(kernel)")
                    .label_style(("sans-serif", 12))
                    .light_line_style(TRANSPARENT)
                    .draw()
                    .map_err(perr)?;
                for (wi, cs) in self.curves[mi].iter().enumerate() {
                    let col = WIDTH_COLORS[wi % WIDTH_COLORS.len()];
                    for (k, c) in cs.iter().enumerate() {
                        let v = if ti == 0 { &c.start } else { &c.end };
                        let s = chart
                            .draw_series(LineSeries::new(
                                self.angles.iter().zip(v).map(|(&a, &y)| (a, y.asinh())),
                                col.mix(0.6),
                            ))
                            .map_err(perr)?;
                        if k == 0 && mi == 0 && ti == 0 {
                            s.label(format!("n = {}", self.cfg.widths[wi])).legend(
                                move |(x, y)| {
                                    PathElement::new(vec![(x, y), (x + 15, y)], col.stroke_width(2))
                                },
                            );
                        }
                    }
                }
                chart
                    .draw_series(LineSeries::new(
                        self.angles
                            .iter()
                            .zip(&self.analytic[mi])
                            .map(|(&a, &y)| (a, y.asinh())),
                        BLACK.stroke_width(2),
                    ))
                    .map_err(perr)?;
                if mi == 0 && ti == 0 {
                    chart
                        .configure_series_labels()
                        .position(SeriesLabelPosition::UpperLeft)
                        .background_style(WHITE.mix(0.8))
                        .label_font(("sans-serif", 12))
                        .draw()
                        .map_err(perr)?;
                }
            }
        }
        // MSE panel: log-log MSE against width, per m, at t = 0 (solid) and t = T (dashed).
        let lo = self
            .mse
            .iter()
            .flat_map(|&(_, _, s, e)| [s, e])
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .mse
            .iter()
            .flat_map(|&(_, _, s, e)| [s, e])
            .fold(0.0f64, f64::max);
        let (wlo, whi) = (
            *self.cfg.widths.iter().min().unwrap_or(&1) as f64,
            *self.cfg.widths.iter().max().unwrap_or(&10) as f64,
        );
        let mut chart = ChartBuilder::on(&mse_area)
            .caption("MSE vs analytic", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (wlo * 0.8..whi * 1.25).log_scale(),
                (lo.max(1e-300) * 0.5..hi * 2.0).log_scale(),
            )
            .map_err(perr)?;
        let widths = self.cfg.widths.clone();
        chart
            .configure_mesh()
            .x_desc("width n")
            .y_desc("MSE")
            .label_style(("sans-serif", 12))
            .light_line_style(TRANSPARENT)
            .x_labels(widths.len().max(2))
            .x_label_formatter(&|v| {
                if widths.iter().any(|&w| (w as f64 - v).abs() < 1e-6 * v) {
                    format!("{v}")
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(perr)?;
        for (mi, m) in self.cfg.m.iter().enumerate() {
            let col = WIDTH_COLORS[(mi + 3) % WIDTH_COLORS.len()];
            let pts = |t: usize| {
                self.mse
                    .iter()
                    .filter(|r| r.0 == mi)
                    .map(move |&(_, wi, s, e)| {
                        (self.cfg.widths[wi] as f64, if t == 0 { s } else { e })
                    })
                    .collect::<Vec<_>>()
            };
            chart
                .draw_series(LineSeries::new(pts(0), col.stroke_width(2)))
                .map_err(perr)?
                .label(format!("m = {m}, t = 0"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 15, y)], col.stroke_width(2))
                });
            chart
                .draw_series(DashedLineSeries::new(pts(1), 5, 4, col.stroke_width(2)))
                .map_err(perr)?
                .label(format!("m = {m}, t = {}", self.cfg.steps))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 6, y)], col.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.8))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(perr)?;
        Ok(())
    }
}

//! Measurements the report takes itself through the `sgntk` facade (no numerics of its own):
//! wall-clock timings of the kernel at several depths (no depth-varying criterion bench exists),
//! and the SGL step's work counter (`Trainer::stats`, multiply-adds per step).

use std::time::Instant;

use faer::Mat;
use sgntk::kernel::{Architecture, KernelKind};
use sgntk::sgl::{Dataset, Network, NetworkSpec, Trainer};

use crate::problem;

/// One direct timing: the parameter, the median and all runs (seconds).
#[derive(Debug, Clone)]
pub struct Timing {
    /// Depth (hidden layers).
    pub depth: usize,
    /// Median wall time, seconds.
    pub median_s: f64,
    /// All runs, seconds.
    pub runs_s: Vec<f64>,
}

/// Median of a non-empty slice (mean of the middle pair for even lengths).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.is_empty() {
        f64::NAN
    } else if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    }
}

/// `n` points on the unit circle, the same grid as `benches/benches/kernel.rs`.
fn circle(n: usize) -> Mat<f64> {
    Mat::from_fn(n, 2, |i, j| {
        let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64 - std::f64::consts::PI;
        if j == 0 { a.sin() } else { a.cos() }
    })
}

/// Wall time of the full `n x n` erf(2 x) NTK (sigma_w 1, sigma_b 0.1, the kernel bench's
/// architecture) at each depth: one untimed call, then the median of `repeats` calls.
pub fn kernel_depths(n: usize, depths: &[usize], repeats: usize) -> Vec<Result<Timing, String>> {
    let x = circle(n);
    depths
        .iter()
        .map(|&depth| {
            let arch = Architecture::new(
                2,
                depth,
                1.0,
                0.1,
                "erf:2".parse().map_err(|e| format!("{e}"))?,
                "erf:1".parse().map_err(|e| format!("{e}"))?,
            )
            .map_err(|e| format!("{e}"))?;
            let call = || arch.kernel(KernelKind::Ntk, x.as_ref(), x.as_ref());
            call().map_err(|e| format!("{e}"))?;
            let mut runs_s = Vec::with_capacity(repeats);
            for _ in 0..repeats {
                let t0 = Instant::now();
                let k = call().map_err(|e| format!("{e}"))?;
                runs_s.push(t0.elapsed().as_secs_f64());
                std::hint::black_box(k);
            }
            Ok(Timing {
                depth,
                median_s: median(&runs_s),
                runs_s,
            })
        })
        .collect()
}

/// Multiply-adds per step of the SGL reference configuration at `width` (2 hidden layers,
/// sign / erf:1, P = 15 paper points, lr 0.1, f32, seed as in `benches/benches/sgl.rs`),
/// averaged over the first `steps` steps, as counted by `Trainer::stats`; also the average
/// number of flipped units per step.
pub fn sgl_mul_adds(width: usize, steps: usize) -> Result<(f64, f64), String> {
    let angles = problem::test_angles();
    let train: Vec<f64> = problem::PAPER_TRAIN_INDICES
        .iter()
        .map(|&i| angles[i])
        .collect();
    let x = problem::inputs(&train);
    let y: Vec<f64> = train
        .iter()
        .map(|&a| problem::target(problem::circle_point(a)))
        .collect();
    let data = Dataset::new(x, 2, y).map_err(|e| format!("{e}"))?;
    let spec = NetworkSpec::new(
        2,
        vec![width, width],
        1.0,
        0.1,
        "sign".parse().map_err(|e| format!("{e}"))?,
        "erf:1".parse().map_err(|e| format!("{e}"))?,
    )
    .map_err(|e| format!("{e}"))?;
    let mut tr =
        Trainer::new(Network::<f32>::init(&spec, 1, 0), &data, 0.1).map_err(|e| format!("{e}"))?;
    for _ in 0..steps {
        tr.step();
    }
    let s = tr.stats();
    if s.steps == 0 {
        return Err("Trainer::stats counted no steps".into());
    }
    Ok((
        s.mul_adds as f64 / s.steps as f64,
        s.flips as f64 / s.steps as f64,
    ))
}

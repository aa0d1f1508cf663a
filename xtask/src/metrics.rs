//! The verdict of `reproduce-fig1`: how well the trained ensemble matches the SG-NTK GP.
//!
//! These are summary statistics of the run's outputs (means, RMS, fractions), not model
//! numerics.

use serde::Serialize;

use crate::analytic::Analytic;
use crate::fig1::NetCheckpoint;

/// The metrics written to `summary.json` and printed at the end of a run.
#[derive(Serialize, Debug, Clone)]
pub struct Fig1Metrics {
    /// `sqrt(mean_i (ensemble_mean_i - gp_mean_i)^2)` over the 100 test points (GP at t = inf).
    pub rms_ensemble_vs_gp: f64,
    /// The RMS expected from Monte-Carlo error alone if the networks were exact GP samples:
    /// `sqrt(mean_i gp_var_i / K)` for K networks.
    pub rms_monte_carlo_expected: f64,
    /// The same from the ensemble's own spread: `sqrt(mean_i ens_var_i / K)`.
    pub rms_monte_carlo_empirical: f64,
    /// `RMS(ensemble mean - NNGP regression mean)`.
    pub rms_ensemble_vs_nngp: f64,
    /// `RMS(GP mean - NNGP mean)`: how far apart the two predictions are.
    pub rms_gp_vs_nngp: f64,
    /// `RMS(ensemble mean - GP mean after the run's T discrete steps)`.
    pub rms_ensemble_vs_gp_finite_t: f64,
    /// `RMS(GP mean at T steps - GP mean at t = inf)`: how far training is from its limit.
    pub rms_gp_finite_t_vs_gp: f64,
    /// Fraction of all (network, test point) outputs within GP mean +- 2 sd.
    pub band_fraction_all: f64,
    /// The same, excluding the training points (where the band has zero width).
    pub band_fraction_off_train: f64,
    /// Fraction of outputs off the training points within the finite-time GP's +- 2 sd band.
    pub band_fraction_off_train_finite_t: f64,
    /// Mean over test points off the training set of ensemble sd / GP sd.
    pub mean_std_ratio_off_train: f64,
    /// Mean final training loss (0.5 x MSE).
    pub train_loss_mean: f64,
    /// Median final training loss.
    pub train_loss_median: f64,
    /// Largest final training loss.
    pub train_loss_max: f64,
    /// Number of networks.
    pub networks: usize,
}

/// Per-point ensemble mean and (unbiased) standard deviation.
pub fn ensemble_mean_std(nets: &[NetCheckpoint]) -> (Vec<f64>, Vec<f64>) {
    let n = nets.first().map_or(0, |c| c.test.len());
    let k = nets.len() as f64;
    let mean: Vec<f64> = (0..n)
        .map(|i| nets.iter().map(|c| c.test[i]).sum::<f64>() / k)
        .collect();
    let std = (0..n)
        .map(|i| {
            let ss: f64 = nets.iter().map(|c| (c.test[i] - mean[i]).powi(2)).sum();
            (ss / (k - 1.0).max(1.0)).sqrt()
        })
        .collect();
    (mean, std)
}

fn rms(a: &[f64], b: &[f64]) -> f64 {
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}

fn band_fraction(nets: &[NetCheckpoint], mean: &[f64], std: &[f64], points: &[usize]) -> f64 {
    let mut inside = 0usize;
    for c in nets {
        for &i in points {
            if (c.test[i] - mean[i]).abs() <= 2.0 * std[i] {
                inside += 1;
            }
        }
    }
    inside as f64 / (nets.len() * points.len()).max(1) as f64
}

/// Computes the verdict.
pub fn fig1(an: &Analytic, nets: &[NetCheckpoint], train_indices: &[usize]) -> Fig1Metrics {
    let n = an.gp.mean.len();
    let k = nets.len() as f64;
    let (ens_mean, ens_std) = ensemble_mean_std(nets);
    let gp_std = an.gp.std();
    let gp_finite_std = an.gp_finite.std();
    let all: Vec<usize> = (0..n).collect();
    let off: Vec<usize> = (0..n).filter(|i| !train_indices.contains(i)).collect();
    let mean_sq = |v: &[f64]| v.iter().map(|s| s * s).sum::<f64>() / v.len() as f64;
    let ratio = off.iter().map(|&i| ens_std[i] / gp_std[i]).sum::<f64>() / off.len().max(1) as f64;
    let mut losses: Vec<f64> = nets.iter().map(|c| c.train_loss).collect();
    losses.sort_by(f64::total_cmp);
    Fig1Metrics {
        rms_ensemble_vs_gp: rms(&ens_mean, &an.gp.mean),
        rms_monte_carlo_expected: (mean_sq(&gp_std) / k).sqrt(),
        rms_monte_carlo_empirical: (mean_sq(&ens_std) / k).sqrt(),
        rms_ensemble_vs_nngp: rms(&ens_mean, &an.nngp.mean),
        rms_gp_vs_nngp: rms(&an.gp.mean, &an.nngp.mean),
        rms_ensemble_vs_gp_finite_t: rms(&ens_mean, &an.gp_finite.mean),
        rms_gp_finite_t_vs_gp: rms(&an.gp_finite.mean, &an.gp.mean),
        band_fraction_all: band_fraction(nets, &an.gp.mean, &gp_std, &all),
        band_fraction_off_train: band_fraction(nets, &an.gp.mean, &gp_std, &off),
        band_fraction_off_train_finite_t: band_fraction(
            nets,
            &an.gp_finite.mean,
            &gp_finite_std,
            &off,
        ),
        mean_std_ratio_off_train: ratio,
        train_loss_mean: losses.iter().sum::<f64>() / k,
        train_loss_median: losses[losses.len() / 2],
        train_loss_max: *losses.last().unwrap_or(&f64::NAN),
        networks: nets.len(),
    }
}

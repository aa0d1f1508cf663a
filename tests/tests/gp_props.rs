//! Cross-crate properties of the GP prediction (sgntk-gp, SPEC section 5): proptest over random
//! kernel-like matrices, and the SG-NTK of the reference experiment (SPEC section 6) computed by
//! sgntk-kernel.

use faer::{Mat, MatRef, Par};
use proptest::prelude::*;
use sgntk::gp::{GpOptions, TestKernels, Time, TrainingKernels, nngp_regression, predict};

/// Unit roundoff of f64.
const U: f64 = f64::EPSILON / 2.0;

/// SplitMix64 + Box–Muller (seeded, dependency free).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next(), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Random features Phi (symmetric PSD Sigma = Phi Phi^T / k + b) and an asymmetric
/// I = Sigma + c * (Psi1 Psi2^T / k) with correlated, positive derivative-like features
/// (tanh' for the true derivative, exp(-u^2) for the surrogate), on P + N points.
fn kernels(seed: u64, m: usize, c: f64) -> (Mat<f64>, Mat<f64>) {
    let (d, k) = (2usize, 40usize);
    let mut rng = Rng(seed ^ 0x5DEE_CE66);
    let w: Vec<f64> = (0..d * k).map(|_| rng.normal()).collect();
    let b: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
    let z: Vec<f64> = (0..m * d).map(|_| rng.normal()).collect();
    let pre = Mat::from_fn(m, k, |i, f| {
        (0..d).map(|r| z[i * d + r] * w[r * k + f]).sum::<f64>() + 0.3 * b[f]
    });
    let dot = |a: &dyn Fn(f64) -> f64, bf: &dyn Fn(f64) -> f64, i: usize, j: usize| {
        (0..k)
            .map(|f| a(pre[(i, f)]) * bf(pre[(j, f)]))
            .sum::<f64>()
            / k as f64
    };
    let sigma = Mat::from_fn(m, m, |i, j| dot(&|u| u.tanh(), &|u| u.tanh(), i, j) + 0.1);
    let ntk = Mat::from_fn(m, m, |i, j| {
        sigma[(i, j)] + c * dot(&|u| 1.0 - u.tanh().powi(2), &|u| (-u * u).exp(), i, j)
    });
    (sigma, ntk)
}

fn max_abs(m: MatRef<'_, f64>) -> f64 {
    let mut out = 0.0_f64;
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            out = out.max(m[(i, j)].abs());
        }
    }
    out
}

fn min_eig(c: MatRef<'_, f64>) -> f64 {
    c.self_adjoint_eigenvalues(faer::Side::Lower)
        .unwrap()
        .into_iter()
        .fold(f64::INFINITY, f64::min)
}

fn opts() -> GpOptions {
    GpOptions {
        par: Par::Seq,
        ..GpOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// t = infinity interpolates; the covariance is PSD at any time; small t is first order.
    #[test]
    fn gp_properties(seed in any::<u64>(), p in 2usize..20, n in 1usize..8, c in 0.2f64..2.0) {
        let (sigma, ntk) = kernels(seed, p + n, c);
        let mut rng = Rng(seed);
        let y: Vec<f64> = (0..p).map(|_| rng.normal()).collect();
        let train = TrainingKernels {
            i_train_train: ntk.as_ref().submatrix(0, 0, p, p),
            sigma_train_train: sigma.as_ref().submatrix(0, 0, p, p),
            targets: &y,
        };
        let test = TestKernels {
            i_test_train: ntk.as_ref().submatrix(p, 0, n, p),
            sigma_test_train: sigma.as_ref().submatrix(p, 0, n, p),
            sigma_test_test: sigma.as_ref().submatrix(p, p, n, n),
        };
        let at_train = TestKernels {
            i_test_train: train.i_train_train,
            sigma_test_train: train.sigma_train_train,
            sigma_test_test: train.sigma_train_train,
        };
        let ymax = y.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let scale = max_abs(test.sigma_test_test);
        match predict(&train, &at_train, Time::Infinity, &opts()) {
            Ok(pred) => {
                let kappa = pred.condition_estimate;
                let err = pred.mean.iter().zip(&y).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                // backward-stable solve: residual-level error c P u kappa
                prop_assert!(err <= 16.0 * p as f64 * U * kappa.max(1.0) * ymax, "{err:e} kappa {kappa:e}");
                let v = pred.variance().into_iter().fold(0.0_f64, |a, x| a.max(x.abs()));
                prop_assert!(v <= 16.0 * p as f64 * U * kappa.max(1.0) * max_abs(train.sigma_train_train) * 4.0);
            }
            // near-duplicate random points: must be the typed error, never NaN
            Err(e) => prop_assert!(matches!(e, sgntk::gp::GpError::IllConditioned { .. }), "{e:?}"),
        }
        for time in [
            Time::GradientFlow { eta: 0.5, t: 20.0 },
            Time::GradientDescent { eta: 0.5, steps: 20 },
        ] {
            let pred = predict(&train, &test, time, &opts()).unwrap();
            let lmin = min_eig(pred.covariance.as_ref());
            // C = Cov[f(x) - A f(X)] is PSD; A is bounded here (finite time: ||G|| <= s)
            prop_assert!(lmin >= -64.0 * (p * n) as f64 * U * scale * (1.0 + 10.0 * max_abs(train.i_train_train)).powi(2),
                "{time:?}: {lmin:e}");
            prop_assert!(pred.std().iter().all(|s| s.is_finite()));
        }
        // first order in s = eta t / P: G = s Id - s^2 M / 2 + O(s^3)
        let s = 1e-5;
        let pred = predict(&train, &test, Time::GradientFlow { eta: 1.0, t: s * p as f64 }, &opts()).unwrap();
        let mnorm = max_abs(train.i_train_train) * p as f64;
        for i in 0..n {
            let first: f64 = (0..p).map(|j| s * test.i_test_train[(i, j)] * y[j]).sum();
            let bound = s * s * max_abs(test.i_test_train) * p as f64 * mnorm * ymax;
            prop_assert!((pred.mean[i] - first).abs() <= bound + 64.0 * U * s * ymax * p as f64);
        }
    }
}

/// The reference experiment (SPEC section 6): sign network, erf(1) surrogate, L = 2,
/// sigma_w = 1, sigma_b = 0.1, 15 training points on the circle; and the same with inputs of
/// different norms (radius 0.5 .. 1.5). On the circle every input has the same Sigma(x, x), the
/// Gaussian pair (u, v) is exchangeable and I(X, X) comes out symmetric; off the circle it is
/// not. In both cases the GP at t = infinity interpolates, its variance vanishes at the training
/// points, its band is finite and PSD on the whole test grid; NNGP regression also interpolates.
#[test]
fn reference_experiment_kernels() -> anyhow::Result<()> {
    reference_case(false)?;
    reference_case(true)
}

fn reference_case(vary_radius: bool) -> anyhow::Result<()> {
    use sgntk::kernel::{Activation, Architecture, KernelKind, Surrogate};
    let positive = sgntk::gauss::Positive::new("m", 1.0)?;
    let arch = Architecture::new(2, 2, 1.0, 0.1, Activation::Sign, Surrogate::Erf(positive))?;
    let alpha: Vec<f64> = (0..100)
        .map(|i| 2.0 * std::f64::consts::PI * i as f64 / 100.0 - std::f64::consts::PI)
        .collect();
    let radius = |i: usize| {
        if vary_radius {
            0.5 + (i * 37 % 100) as f64 / 100.0
        } else {
            1.0
        }
    };
    let xs = Mat::from_fn(100, 2, |i, j| {
        radius(i)
            * if j == 0 {
                alpha[i].sin()
            } else {
                alpha[i].cos()
            }
    });
    let idx = [54usize, 69, 18, 41, 23, 50, 65, 82, 63, 3, 0, 4, 58, 79, 95];
    let xtr = Mat::from_fn(idx.len(), 2, |i, j| xs[(idx[i], j)]);
    let target = |x0: f64, x1: f64| {
        4.0 * x0 * x1 * x1 - 0.8 * x0.powi(3) + 1.2 * x1 * x1 - 0.8 * x0 * x0 * x1
    };
    let y: Vec<f64> = (0..idx.len())
        .map(|i| target(xtr[(i, 0)], xtr[(i, 1)]))
        .collect();
    let (s_tt, i_tt) = arch.nngp_and(KernelKind::SgNtk, xtr.as_ref(), xtr.as_ref())?;
    let (s_xt, i_xt) = arch.nngp_and(KernelKind::SgNtk, xs.as_ref(), xtr.as_ref())?;
    let s_xx = arch.kernel(KernelKind::Nngp, xs.as_ref(), xs.as_ref())?;
    let asym = max_abs((&i_tt - i_tt.transpose()).as_ref()) / max_abs(i_tt.as_ref());
    if vary_radius {
        assert!(asym > 1e-3, "SG-NTK expected asymmetric, got {asym:e}");
    } else {
        // exchangeable pair on the circle: symmetric up to rounding
        assert!(
            asym < 1e-12,
            "SG-NTK on the circle expected symmetric, got {asym:e}"
        );
    }
    let ev = i_tt.as_ref().eigenvalues().expect("eigenvalues");
    assert!(ev.iter().all(|z| z.re > 0.0), "{ev:?}");
    let train = TrainingKernels {
        i_train_train: i_tt.as_ref(),
        sigma_train_train: s_tt.as_ref(),
        targets: &y,
    };
    let test = TestKernels {
        i_test_train: i_xt.as_ref(),
        sigma_test_train: s_xt.as_ref(),
        sigma_test_test: s_xx.as_ref(),
    };
    let pred = predict(&train, &test, Time::Infinity, &GpOptions::default())?;
    let kappa = pred.condition_estimate;
    let scale = max_abs(s_xx.as_ref());
    for (k, &i) in idx.iter().enumerate() {
        assert!(
            (pred.mean[i] - y[k]).abs() <= 16.0 * 15.0 * U * kappa * 4.0,
            "mean at x_{i}"
        );
        assert!(
            pred.covariance[(i, i)].abs() <= 16.0 * 15.0 * U * kappa * scale,
            "variance at x_{i}"
        );
    }
    let lmin = min_eig(pred.covariance.as_ref());
    assert!(lmin >= -1e4 * U * scale * kappa, "min eigenvalue {lmin:e}");
    assert!(pred.std().iter().all(|s| s.is_finite()));
    // the gradient-flow prediction at the paper's t = 30000 steps, eta = 0.1, is close to t = inf
    let late = predict(
        &train,
        &test,
        Time::GradientFlow {
            eta: 0.1,
            t: 30_000.0,
        },
        &GpOptions::default(),
    )?;
    let d = late
        .mean
        .iter()
        .zip(&pred.mean)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    // s lambda_min = (0.1 * 30000 / 15) * 0.3 = 60: exp(-60) is far below rounding
    assert!(d <= 16.0 * 15.0 * U * kappa * 4.0, "{d:e}");
    println!(
        "radius varies: {vary_radius}; asymmetry {asym:.2e}; kappa {kappa:.3e}; \
         |mu_30000 - mu_inf| = {d:.3e}; min Re eigenvalue {:.3}",
        ev.iter().map(|z| z.re).fold(f64::INFINITY, f64::min)
    );
    let nngp = nngp_regression(
        s_tt.as_ref(),
        s_xt.as_ref(),
        s_xx.as_ref(),
        &y,
        0.0,
        &GpOptions::default(),
    )?;
    for (k, &i) in idx.iter().enumerate() {
        assert!((nngp.mean[i] - y[k]).abs() <= 16.0 * 15.0 * U * nngp.condition_estimate * 4.0);
    }
    Ok(())
}

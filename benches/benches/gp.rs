//! Criterion benchmarks of sgntk-gp: one full GP prediction (mean and full N x N covariance).
//!
//! Ids encode the parameters: `gp/<time>-full/p<P>-n<N>` with `<time>` one of `inf` (t =
//! infinity: LU of I(X,X), transposed solve, products) and `gf-eta0.1-t1000` (gradient flow:
//! expm1-form scaling and squaring plus the LU solve, s ||M||_1 ~ 45 for both sizes; the
//! `-series` variant is the solve-free phi_1 route, at P = 1000 only), and `nngp-full`
//! (Cholesky). The
//! kernel matrices are kernel-like synthetic matrices (random tanh features plus a diagonal
//! nugget, an asymmetric I(X,X); the same construction as `benches/peers/numpy_gp.py`, whose
//! timings of the same solves with numpy/scipy are compared in `docs/benchmarks/gp.md`). Setup
//! stays outside the timed closure; faer runs with `Par::rayon(0)` (all cores).
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use sgntk::gp::{
    FiniteTimeMethod, GpOptions, TestKernels, Time, TrainingKernels, nngp_regression, predict,
};

/// SplitMix64 + Box–Muller (seeded).
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Sigma = Phi Phi^T / k + 0.1 + 0.5 Id, I = Sigma + (Z Z^T / d + 0.1) * (Psi1 Psi2^T / k) on
/// m = P + N points (training points first).
fn kernels(m: usize, seed: u64) -> (Mat<f64>, Mat<f64>) {
    let (d, k) = (3usize, 64usize);
    let mut rng = Rng(seed);
    let z = Mat::from_fn(m, d, |_, _| rng.normal());
    let w = Mat::from_fn(d, k, |_, _| rng.normal() / (d as f64).sqrt());
    let b: Vec<f64> = (0..k).map(|_| 0.3 * rng.normal()).collect();
    let mut pre = Mat::zeros(m, k);
    matmul(
        pre.as_mut(),
        Accum::Replace,
        z.as_ref(),
        w.as_ref(),
        1.0,
        Par::rayon(0),
    );
    let phi = Mat::from_fn(m, k, |i, f| (pre[(i, f)] + b[f]).tanh());
    let psi1 = Mat::from_fn(m, k, |i, f| 1.0 - (pre[(i, f)] + b[f]).tanh().powi(2));
    let psi2 = Mat::from_fn(m, k, |i, f| (-(pre[(i, f)] + b[f]).powi(2)).exp());
    let mut sigma = Mat::zeros(m, m);
    matmul(
        sigma.as_mut(),
        Accum::Replace,
        phi.as_ref(),
        phi.transpose(),
        1.0 / k as f64,
        Par::rayon(0),
    );
    for j in 0..m {
        for i in 0..m {
            sigma[(i, j)] += if i == j { 0.6 } else { 0.1 };
        }
    }
    let mut lin = Mat::zeros(m, m);
    matmul(
        lin.as_mut(),
        Accum::Replace,
        z.as_ref(),
        z.transpose(),
        1.0 / d as f64,
        Par::rayon(0),
    );
    let mut cross = Mat::zeros(m, m);
    matmul(
        cross.as_mut(),
        Accum::Replace,
        psi1.as_ref(),
        psi2.transpose(),
        1.0 / k as f64,
        Par::rayon(0),
    );
    let ntk = Mat::from_fn(m, m, |i, j| {
        sigma[(i, j)] + (lin[(i, j)] + 0.1) * cross[(i, j)]
    });
    (sigma, ntk)
}

fn bench_gp(c: &mut Criterion) {
    let n = 1000;
    let mut g = c.benchmark_group("gp");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    let opts = GpOptions {
        par: Par::rayon(0),
        ..GpOptions::default()
    };
    for p in [1000usize, 4000] {
        let (sigma, ntk) = kernels(p + n, 7);
        let mut rng = Rng(99);
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
        let id = format!("p{p}-n{n}");
        let check =
            predict(&train, &test, Time::Infinity, &opts).expect("well-conditioned bench case");
        eprintln!("p{p}: condition estimate {:.3e}", check.condition_estimate);
        g.bench_with_input(BenchmarkId::new("inf-full", &id), &p, |bch, _| {
            bch.iter(|| predict(&train, &test, Time::Infinity, &opts).unwrap())
        });
        let time = Time::GradientFlow {
            eta: 0.1,
            t: 1000.0,
        };
        g.bench_with_input(
            BenchmarkId::new("gf-eta0.1-t1000-full", &id),
            &p,
            |bch, _| bch.iter(|| predict(&train, &test, time, &opts).unwrap()),
        );
        if p <= 1000 {
            // the kappa-independent series route (no solve), for comparison
            let series = GpOptions {
                finite_time: FiniteTimeMethod::Series,
                ..opts
            };
            g.bench_with_input(
                BenchmarkId::new("gf-eta0.1-t1000-series-full", &id),
                &p,
                |bch, _| bch.iter(|| predict(&train, &test, time, &series).unwrap()),
            );
        }
        g.bench_with_input(BenchmarkId::new("nngp-full", &id), &p, |bch, _| {
            bch.iter(|| {
                nngp_regression(
                    train.sigma_train_train,
                    test.sigma_test_train,
                    test.sigma_test_test,
                    &y,
                    0.0,
                    &opts,
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_gp);
criterion_main!(benches);

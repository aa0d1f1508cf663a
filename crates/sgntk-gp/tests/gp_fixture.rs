//! Comparison with a direct dense evaluation of SPEC section 5 in 50-digit arithmetic
//! (test_data/gen_fixture.py, mpmath): an independent route (explicit inverse, mpmath.expm,
//! explicit product of T factors, unsymmetrised four-term covariance).

mod common;

use common::*;
use faer::Par;
use sgntk_gp::{
    FiniteTimeMethod, GpOptions, TestKernels, Time, TrainingKernels, nngp_regression, predict,
};

/// Unit roundoff of f64.
const U: f64 = f64::EPSILON / 2.0;

fn opts() -> GpOptions {
    GpOptions {
        par: Par::Seq,
        ..GpOptions::default()
    }
}

/// Relative (to the largest reference entry) error of mean and covariance.
fn errors(pred: &sgntk_gp::Prediction, case: &FixtureCase, prefix: &str) -> (f64, f64) {
    let mean_ref = case.column(&format!("{prefix}_mean"));
    let cov_ref = case.get(&format!("{prefix}_cov"));
    let e_mean = vec_max_abs_diff(&pred.mean, &mean_ref) / vec_max_abs(&mean_ref);
    let e_cov =
        max_abs_diff(pred.covariance.as_ref(), cov_ref.as_ref()) / max_abs(cov_ref.as_ref());
    (e_mean, e_cov)
}

#[test]
fn matches_high_precision_reference() {
    let cases = load_fixture();
    assert_eq!(cases.len(), 3);
    for case in &cases {
        let targets = case.column("targets");
        let train = TrainingKernels {
            i_train_train: case.get("i_train_train").as_ref(),
            sigma_train_train: case.get("sigma_train_train").as_ref(),
            targets: &targets,
        };
        let test = TestKernels {
            i_test_train: case.get("i_test_train").as_ref(),
            sigma_test_train: case.get("sigma_test_train").as_ref(),
            sigma_test_test: case.get("sigma_test_test").as_ref(),
        };
        let p = targets.len() as f64;
        let kappa = case.scalar("condition_1");
        // Forward error of a backward-stable solve: <= c P u kappa; c = 16 covers the constant
        // of LU with partial pivoting at these sizes and the products that follow.
        let tol_inf = 16.0 * p * U * kappa;
        let pred = predict(&train, &test, Time::Infinity, &opts()).unwrap();
        let (em, ec) = errors(&pred, case, "inf");
        println!(
            "{} inf: mean {em:.2e} cov {ec:.2e} tol {tol_inf:.2e}",
            case.name
        );
        assert!(em <= tol_inf && ec <= tol_inf, "{}: t = inf", case.name);
        // The condition estimate is a lower bound of kappa_1 within a small factor.
        assert!(pred.condition_estimate <= kappa * (1.0 + 1e-12));
        assert!(pred.condition_estimate >= kappa / 3.0, "{}", case.name);

        // Finite time: no inverse is formed; the error is that of ~30 matrix products on
        // matrices of norm ~ s ||M|| (gradient flow) or a sum of T powers (gradient descent):
        // c P u (1 + s ||M||_1) with c = 64.
        let (eta, t) = (case.scalar("gf_eta"), case.scalar("gf_t"));
        let (eta_gd, steps) = (case.scalar("gd_eta"), case.scalar("gd_steps") as u64);
        let norm = norm1(case.get("i_train_train"));
        let s = eta * t / p;
        for method in [FiniteTimeMethod::Series, FiniteTimeMethod::Solve] {
            let o = GpOptions {
                finite_time: method,
                ..opts()
            };
            // Series route: no solve; the error is that of ~30 matrix products on matrices of
            // norm ~ s ||M|| (gradient flow) or T h ||M|| (descent): c P u (1 + s ||M||_1),
            // c = 64. Solve route: in addition the backward-stable solve, c P u kappa.
            let solve_part = match method {
                FiniteTimeMethod::Solve => tol_inf,
                _ => 0.0,
            };
            let tol_gf = 64.0 * p * U * (1.0 + s * norm) + solve_part;
            let pred = predict(&train, &test, Time::GradientFlow { eta, t }, &o).unwrap();
            let (em, ec) = errors(&pred, case, "gf");
            println!(
                "{} gf {method:?}: mean {em:.2e} cov {ec:.2e} tol {tol_gf:.2e}",
                case.name
            );
            assert!(
                em <= tol_gf && ec <= tol_gf,
                "{}: gradient flow {method:?}",
                case.name
            );

            let tol_gd = 64.0 * p * U * (1.0 + steps as f64 * eta_gd / p * norm) + solve_part;
            let time = Time::GradientDescent { eta: eta_gd, steps };
            let pred = predict(&train, &test, time, &o).unwrap();
            let (em, ec) = errors(&pred, case, "gd");
            println!(
                "{} gd {method:?}: mean {em:.2e} cov {ec:.2e} tol {tol_gd:.2e}",
                case.name
            );
            assert!(
                em <= tol_gd && ec <= tol_gd,
                "{}: gradient descent {method:?}",
                case.name
            );
        }

        let noise = case.scalar("noise");
        let pred = nngp_regression(
            train.sigma_train_train,
            test.sigma_test_train,
            test.sigma_test_test,
            &targets,
            noise,
            &opts(),
        )
        .unwrap();
        let tol_nngp = 16.0 * p * U * pred.condition_estimate;
        let (em, ec) = errors(&pred, case, "nngp");
        println!(
            "{} nngp: mean {em:.2e} cov {ec:.2e} tol {tol_nngp:.2e}",
            case.name
        );
        assert!(em <= tol_nngp && ec <= tol_nngp, "{}: nngp", case.name);
    }
}

fn norm1(m: &faer::Mat<f64>) -> f64 {
    (0..m.ncols())
        .map(|j| (0..m.nrows()).map(|i| m[(i, j)].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

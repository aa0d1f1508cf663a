//! Properties of the trained-network GP and NNGP regression (SPEC section 5) on kernel-like
//! random matrices, and the error paths.

mod common;

use common::*;
use faer::{Mat, Par};
use sgntk_gp::{
    FiniteTimeMethod, GpError, GpOptions, TestKernels, Time, TrainingKernels, nngp_regression,
    predict,
};

/// Unit roundoff of f64.
const U: f64 = f64::EPSILON / 2.0;

fn seq() -> GpOptions {
    GpOptions {
        par: Par::Seq,
        ..GpOptions::default()
    }
}

fn par2() -> GpOptions {
    GpOptions {
        par: Par::rayon(2),
        ..GpOptions::default()
    }
}

#[test]
fn infinity_interpolates_and_variance_vanishes_at_training_points() {
    for seed in 0..5 {
        let k = Kernels::random(seed, 30, 0);
        let pred = predict(&k.train(), &k.test_at_train(), Time::Infinity, &seq()).unwrap();
        let kappa = pred.condition_estimate;
        assert!(
            kappa < 1e6,
            "well-conditioned case expected, kappa {kappa:.2e}"
        );
        let rel = vec_max_abs_diff(&pred.mean, &k.targets) / vec_max_abs(&k.targets);
        // required: <= 1e-9 on well-conditioned cases (kappa u ~ 1e-10 at most here)
        assert!(rel <= 1e-9, "seed {seed}: interpolation error {rel:.2e}");
        let scale = max_abs(k.train().sigma_train_train);
        let cov_max = max_abs(pred.covariance.as_ref());
        assert!(
            cov_max <= 1e-9 * scale,
            "seed {seed}: covariance {cov_max:.2e} at training points"
        );
        // std() clamps rounding negatives to zero, never NaN
        assert!(pred.std().iter().all(|s| s.is_finite() && *s >= 0.0));
    }
}

#[test]
fn time_zero_is_the_prior() {
    let k = Kernels::random(11, 20, 7);
    for time in [
        Time::GradientFlow { eta: 0.5, t: 0.0 },
        Time::GradientDescent { eta: 0.5, steps: 0 },
    ] {
        let pred = predict(&k.train(), &k.test(), time, &seq()).unwrap();
        assert!(
            pred.mean.iter().all(|m| m.abs() == 0.0),
            "mean is exactly 0 at t = 0"
        );
        // covariance = Sigma(x, x) up to the symmetrisation (Sigma(x,x) is exactly symmetric
        // here, so up to one rounding of (a + a)/2, which is exact)
        let d = max_abs_diff(pred.covariance.as_ref(), k.test().sigma_test_test);
        assert!(d <= 4.0 * U * max_abs(k.test().sigma_test_test), "{d:.2e}");
    }
}

#[test]
fn finite_time_tends_to_infinity() {
    let k = Kernels::random(3, 25, 6);
    let inf = predict(&k.train(), &k.test(), Time::Infinity, &seq()).unwrap();
    let ev = k.train().i_train_train.eigenvalues().unwrap();
    let lambda_min = ev.iter().map(|z| z.re).fold(f64::INFINITY, f64::min);
    assert!(lambda_min > 0.0);
    assert!(ev.iter().all(|z| z.re > 0.0));
    let p = k.p as f64;
    let eta = 0.1;
    let mut prev = f64::INFINITY;
    // distance to t = inf decays like exp(-eta t lambda_min / P) (up to the eigenvector
    // conditioning); at s lambda_min = 60 it is below rounding.
    for s_lambda in [1.0, 4.0, 16.0, 60.0] {
        let t = s_lambda * p / (eta * lambda_min);
        let pred = predict(&k.train(), &k.test(), Time::GradientFlow { eta, t }, &seq()).unwrap();
        let d = vec_max_abs_diff(&pred.mean, &inf.mean) / vec_max_abs(&inf.mean);
        let dc = max_abs_diff(pred.covariance.as_ref(), inf.covariance.as_ref())
            / max_abs(k.test().sigma_test_test);
        println!("s lambda_min {s_lambda}: mean {d:.2e} cov {dc:.2e}");
        assert!(d < prev || d < 1e-12);
        prev = d;
        if s_lambda >= 60.0 {
            // kappa u with kappa the condition estimate, times a modest constant
            let tol = 64.0 * p * U * inf.condition_estimate;
            assert!(
                d <= tol && dc <= tol,
                "mean {d:.2e} cov {dc:.2e} tol {tol:.2e}"
            );
        }
    }
    // t = +infinity given to GradientFlow is Time::Infinity
    let pred = predict(
        &k.train(),
        &k.test(),
        Time::GradientFlow {
            eta,
            t: f64::INFINITY,
        },
        &seq(),
    )
    .unwrap();
    assert!(vec_max_abs_diff(&pred.mean, &inf.mean) <= 0.0 + f64::MIN_POSITIVE);
}

#[test]
fn gradient_descent_approaches_gradient_flow_at_rate_eta() {
    // With h = eta / P, (Id - h M)^T = exp(T log(Id - h M)) = exp(-T h M) (Id - T h^2 M^2 / 2 +
    // O(T h^3, T^2 h^4)), so at fixed eta T the gap to gradient flow is O(h): halving eta
    // (doubling T) halves it.
    let k = Kernels::random(5, 15, 5);
    let (eta0, t0) = (1.0, 40.0);
    let gf = predict(
        &k.train(),
        &k.test(),
        Time::GradientFlow { eta: eta0, t: t0 },
        &seq(),
    )
    .unwrap();
    let mut errs = Vec::new();
    for j in 0..5 {
        let f = (1u64 << j) as f64;
        let time = Time::GradientDescent {
            eta: eta0 / f,
            steps: (t0 * f) as u64,
        };
        let gd = predict(&k.train(), &k.test(), time, &seq()).unwrap();
        errs.push(vec_max_abs_diff(&gd.mean, &gf.mean) / vec_max_abs(&gf.mean));
    }
    println!("{errs:?}");
    for w in errs.windows(2) {
        let ratio = w[0] / w[1];
        assert!(
            (1.8..2.2).contains(&ratio),
            "ratio {ratio} (errors {errs:?})"
        );
    }
    assert!(errs[4] < 0.02);
}

#[test]
fn gradient_descent_matches_step_by_step_recursion() {
    // Binary powering vs the literal recursion f_{k+1}(X) = f_k(X) - h M (f_k(X) - Y) on the
    // mean at the training points, for every T up to 40 (all bit patterns of 6 bits).
    let k = Kernels::random(8, 9, 0);
    let p = k.p;
    let m = k.train().i_train_train;
    let eta = 0.7;
    let h = eta / p as f64;
    let mut f = vec![0.0; p];
    for steps in 0..=40u64 {
        let pred = predict(
            &k.train(),
            &k.test_at_train(),
            Time::GradientDescent { eta, steps },
            &seq(),
        )
        .unwrap();
        let err = vec_max_abs_diff(&pred.mean, &f) / vec_max_abs(&k.targets);
        // both routes are O(T) products of norm-1 factors: error <= c T P u
        assert!(
            err <= 16.0 * (steps as f64 + 1.0) * p as f64 * U,
            "T = {steps}: {err:.2e}"
        );
        let r: Vec<f64> = (0..p).map(|i| f[i] - k.targets[i]).collect();
        for i in 0..p {
            f[i] -= h * (0..p).map(|j| m[(i, j)] * r[j]).sum::<f64>();
        }
    }
}

#[test]
fn gradient_flow_matches_eigendecomposition_for_symmetric_kernels() {
    // For symmetric M (the plain NTK of a smooth activation) G = V diag((1 - e^{-s l}) / l) V^T
    // with -expm1 for the numerator: an independent, cancellation-free route.
    let k = Kernels::random(21, 12, 4);
    let p = k.p;
    let m = k.train().sigma_train_train.to_owned(); // symmetric PSD, used as I here
    let eig = m.as_ref().self_adjoint_eigen(faer::Side::Lower).unwrap();
    let (v, l) = (eig.U(), eig.S());
    let i_xx = k.test().sigma_test_train;
    for s in [1e-12, 1e-6, 1e-2, 1.0, 30.0] {
        let eta = 1.0;
        let t = s * p as f64 / eta;
        let train = TrainingKernels {
            i_train_train: m.as_ref(),
            sigma_train_train: m.as_ref(),
            targets: &k.targets,
        };
        let test = TestKernels {
            i_test_train: i_xx,
            sigma_test_train: i_xx,
            sigma_test_test: k.test().sigma_test_test,
        };
        let g = Mat::from_fn(p, p, |a, b| {
            (0..p)
                .map(|r| {
                    let lam = l[r];
                    v[(a, r)] * (-(-s * lam).exp_m1() / lam) * v[(b, r)]
                })
                .sum::<f64>()
        });
        let gy: Vec<f64> = (0..p)
            .map(|a| (0..p).map(|b| g[(a, b)] * k.targets[b]).sum())
            .collect();
        let mean: Vec<f64> = (0..k.n)
            .map(|i| (0..p).map(|a| i_xx[(i, a)] * gy[a]).sum())
            .collect();
        let kappa = l[p - 1] / l[0];
        for method in [FiniteTimeMethod::Series, FiniteTimeMethod::Solve] {
            let o = GpOptions {
                finite_time: method,
                ..seq()
            };
            let pred = predict(&train, &test, Time::GradientFlow { eta, t }, &o).unwrap();
            let err = vec_max_abs_diff(&pred.mean, &mean) / vec_max_abs(&mean);
            // symmetric eigensolver: O(P u) relative to ||M||, amplified by at most kappa for
            // the smallest eigenvalues when s is large (g -> 1/l); the solve route adds its own
            // c P u kappa.
            let solve_part = if method == FiniteTimeMethod::Solve {
                kappa
            } else {
                0.0
            };
            let tol = 64.0 * p as f64 * U * (1.0 + (s * l[p - 1]).min(kappa) + solve_part);
            println!("s {s:e} {method:?}: rel err {err:.2e} tol {tol:.2e}");
            assert!(err <= tol, "s = {s} {method:?}: {err:.2e} > {tol:.2e}");
        }
    }
}

#[test]
fn covariance_is_symmetric_psd_with_asymmetric_kernel() {
    for seed in 0..4 {
        let k = Kernels::random(100 + seed, 20, 15);
        let m = k.train().i_train_train;
        let asym = max_abs_diff(m, m.transpose()) / max_abs(m);
        assert!(
            asym > 1e-3,
            "the test needs an asymmetric I, got {asym:.1e}"
        );
        for time in [
            Time::Infinity,
            Time::GradientFlow { eta: 0.3, t: 50.0 },
            Time::GradientDescent {
                eta: 0.3,
                steps: 50,
            },
        ] {
            let pred = predict(&k.train(), &k.test(), time, &seq()).unwrap();
            let c = pred.covariance.as_ref();
            assert!(max_abs_diff(c, c.transpose()) == 0.0);
            let scale = max_abs(k.test().sigma_test_test);
            let lmin = min_eigenvalue(c);
            // C = Cov[f(x) - A f(X)] is PSD; rounding of the O(N P) sums: N P u scale, times the
            // growth ||A||^2 of the terms A Sigma A^T.
            let a_growth = (1.0 + pred.condition_estimate).min(1e4);
            let tol = (k.n * k.p) as f64 * U * scale * a_growth;
            assert!(
                lmin >= -tol,
                "seed {seed} {time:?}: min eigenvalue {lmin:.2e} tol {tol:.2e}"
            );
        }
    }
}

#[test]
fn diagonal_only_matches_full_covariance() {
    let k = Kernels::random(31, 18, 9);
    let diag = Mat::from_fn(k.n, 1, |i, _| k.test().sigma_test_test[(i, i)]);
    for time in [Time::Infinity, Time::GradientFlow { eta: 0.2, t: 10.0 }] {
        let full = predict(&k.train(), &k.test(), time, &seq()).unwrap();
        let mut test = k.test();
        test.sigma_test_test = diag.as_ref();
        let d = predict(&k.train(), &test, time, &seq()).unwrap();
        assert_eq!(d.covariance.ncols(), 1);
        let err = vec_max_abs_diff(&full.variance(), &d.variance());
        // same sums in another order: a few ulps of the largest term
        assert!(
            err <= 64.0 * k.p as f64 * U * max_abs(diag.as_ref()),
            "{err:.2e}"
        );
        assert!(vec_max_abs_diff(&full.mean, &d.mean) <= 0.0 + f64::MIN_POSITIVE);
    }
    // NNGP regression: the diagonal-only route sums V's columns in another order.
    let (tr, te) = (k.train(), k.test());
    for opts in [seq(), par2()] {
        let nngp = |stt| {
            nngp_regression(
                tr.sigma_train_train,
                te.sigma_test_train,
                stt,
                tr.targets,
                0.01,
                &opts,
            )
            .unwrap()
        };
        let full = nngp(te.sigma_test_test);
        let d = nngp(diag.as_ref());
        assert_eq!(d.covariance.ncols(), 1);
        let err = vec_max_abs_diff(&full.variance(), &d.variance());
        assert!(
            err <= 64.0 * k.p as f64 * U * max_abs(diag.as_ref()),
            "nngp {:?}: {err:.2e}",
            opts.par
        );
        assert!(vec_max_abs_diff(&full.mean, &d.mean) <= 0.0 + f64::MIN_POSITIVE);
    }
}

#[test]
fn thread_count_changes_only_rounding() {
    let k = Kernels::random(41, 120, 40);
    for time in [Time::Infinity, Time::GradientFlow { eta: 0.2, t: 100.0 }] {
        let a = predict(&k.train(), &k.test(), time, &seq()).unwrap();
        let b = predict(
            &k.train(),
            &k.test(),
            time,
            &GpOptions {
                par: Par::rayon(2),
                ..GpOptions::default()
            },
        )
        .unwrap();
        let tol = 16.0 * k.p as f64 * U * a.condition_estimate;
        let dm = vec_max_abs_diff(&a.mean, &b.mean) / vec_max_abs(&a.mean);
        let dc = max_abs_diff(a.covariance.as_ref(), b.covariance.as_ref())
            / max_abs(k.test().sigma_test_test);
        assert!(
            dm <= tol && dc <= tol,
            "{time:?}: {dm:.2e} {dc:.2e} tol {tol:.2e}"
        );
    }
    let (tr, te) = (k.train(), k.test());
    let nngp = |opts: &GpOptions| {
        nngp_regression(
            tr.sigma_train_train,
            te.sigma_test_train,
            te.sigma_test_test,
            tr.targets,
            0.01,
            opts,
        )
        .unwrap()
    };
    let (a, b) = (nngp(&seq()), nngp(&par2()));
    let tol = 16.0 * k.p as f64 * U * a.condition_estimate;
    let dm = vec_max_abs_diff(&a.mean, &b.mean) / vec_max_abs(&a.mean);
    let dc =
        max_abs_diff(a.covariance.as_ref(), b.covariance.as_ref()) / max_abs(te.sigma_test_test);
    assert!(
        dm <= tol && dc <= tol,
        "nngp: {dm:.2e} {dc:.2e} tol {tol:.2e}"
    );
    // The condition estimate is a deterministic function of the factors: equal up to rounding.
    assert!((a.condition_estimate / b.condition_estimate - 1.0).abs() <= 1e-6);
}

/// Kernels with training point 1 duplicated into slot 0 (and a near-duplicate variant).
fn with_duplicate(k: &Kernels, delta: f64) -> Kernels {
    let m = k.p + k.n;
    let mix = |a: &Mat<f64>| {
        // row/column 0 := row/column 1 (+ delta times the old row/column 0)
        let mut out = a.clone();
        for j in 0..m {
            out[(0, j)] = a[(1, j)] + delta * a[(0, j)];
        }
        for i in 0..m {
            out[(i, 0)] = out[(i, 1)] + delta * a[(i, 0)];
        }
        out[(0, 0)] = out[(1, 1)] + delta * a[(0, 0)];
        out
    };
    let mut sigma = mix(&k.sigma);
    // keep Sigma exactly symmetric
    for i in 0..m {
        for j in 0..i {
            sigma[(j, i)] = sigma[(i, j)];
        }
    }
    Kernels {
        p: k.p,
        n: k.n,
        sigma,
        ntk: mix(&k.ntk),
        targets: k.targets.clone(),
    }
}

#[test]
fn duplicate_training_inputs_are_a_typed_error_or_opt_in_jitter() {
    let base = Kernels::random(51, 16, 5);
    for delta in [0.0, 1e-14] {
        let k = with_duplicate(&base, delta);
        let err = predict(&k.train(), &k.test(), Time::Infinity, &seq()).unwrap_err();
        match &err {
            GpError::IllConditioned {
                condition,
                jitter: None,
                ..
            } => assert!(*condition > 1e12),
            other => panic!("expected IllConditioned, got {other:?}"),
        }
        assert!(err.to_string().contains("duplicate"));
        let opts = GpOptions {
            jitter: Some(1e-8),
            ..seq()
        };
        let pred = predict(&k.train(), &k.test(), Time::Infinity, &opts).unwrap();
        let j = pred.jitter.expect("jitter reported");
        assert!(j > 0.0 && pred.condition_estimate <= 1e12);
        assert!(pred.mean.iter().all(|x| x.is_finite()));
        // finite time needs no inverse: well-defined without jitter
        let pred = predict(
            &k.train(),
            &k.test(),
            Time::GradientFlow { eta: 0.5, t: 1e3 },
            &seq(),
        )
        .unwrap();
        assert!(pred.jitter.is_none() && pred.condition_estimate > 1e12);
        assert!(pred.std().iter().all(|s| s.is_finite()));
        // NNGP without noise: error; with noise: fine
        let e = nngp_regression(
            k.train().sigma_train_train,
            k.test().sigma_test_train,
            k.test().sigma_test_test,
            &k.targets,
            0.0,
            &seq(),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                GpError::IllConditioned { .. } | GpError::NotPositiveDefinite { .. }
            ),
            "{e:?}"
        );
        nngp_regression(
            k.train().sigma_train_train,
            k.test().sigma_test_train,
            k.test().sigma_test_test,
            &k.targets,
            1e-4,
            &seq(),
        )
        .unwrap();
    }
}

#[test]
fn invalid_input_is_a_typed_error() {
    let k = Kernels::random(61, 6, 3);
    let train = k.train();
    let test = k.test();
    // shapes
    let short = &k.targets[..5];
    let e = predict(
        &TrainingKernels {
            targets: short,
            ..train
        },
        &test,
        Time::Infinity,
        &seq(),
    )
    .unwrap_err();
    assert!(
        matches!(e, GpError::ShapeMismatch { found_rows: 5, .. }),
        "{e:?}"
    );
    let wrong = k.sigma.as_ref().submatrix(0, 0, 3, 5);
    let e = predict(
        &train,
        &TestKernels {
            sigma_test_train: wrong,
            ..test
        },
        Time::Infinity,
        &seq(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("3 x 5") && e.to_string().contains("3 x 6"),
        "{e}"
    );
    let e = predict(
        &train,
        &TestKernels {
            sigma_test_test: wrong,
            ..test
        },
        Time::Infinity,
        &seq(),
    )
    .unwrap_err();
    assert!(matches!(e, GpError::ShapeMismatch { .. }));
    // non-finite
    // (the first in column-major order is named, also when columns are scanned in parallel)
    let mut bad = train.i_train_train.to_owned();
    bad[(2, 3)] = f64::NAN;
    bad[(1, 4)] = f64::INFINITY;
    bad[(0, 3)] = f64::NEG_INFINITY;
    for opts in [seq(), par2()] {
        let e = predict(
            &TrainingKernels {
                i_train_train: bad.as_ref(),
                ..train
            },
            &test,
            Time::Infinity,
            &opts,
        )
        .unwrap_err();
        assert!(
            matches!(e, GpError::NonFinite { row: 0, col: 3, .. }),
            "{e:?}"
        );
    }
    let mut y = k.targets.clone();
    y[1] = f64::INFINITY;
    let e = predict(
        &TrainingKernels {
            targets: &y,
            ..train
        },
        &test,
        Time::Infinity,
        &seq(),
    )
    .unwrap_err();
    assert!(matches!(e, GpError::NonFinite { .. }));
    // asymmetric Sigma
    let e = predict(
        &TrainingKernels {
            sigma_train_train: train.i_train_train,
            ..train
        },
        &test,
        Time::Infinity,
        &seq(),
    )
    .unwrap_err();
    assert!(matches!(e, GpError::NotSymmetric { .. }), "{e:?}");
    // parameters
    for time in [
        Time::GradientFlow { eta: 0.0, t: 1.0 },
        Time::GradientFlow {
            eta: f64::NAN,
            t: 1.0,
        },
        Time::GradientFlow { eta: 1.0, t: -1.0 },
        Time::GradientFlow {
            eta: 1.0,
            t: f64::NAN,
        },
        Time::GradientDescent {
            eta: -1.0,
            steps: 3,
        },
    ] {
        let e = predict(&train, &test, time, &seq()).unwrap_err();
        assert!(
            matches!(e, GpError::InvalidParameter { .. }),
            "{time:?}: {e:?}"
        );
    }
    let e = nngp_regression(
        train.sigma_train_train,
        test.sigma_test_train,
        test.sigma_test_test,
        &k.targets,
        -1.0,
        &seq(),
    )
    .unwrap_err();
    assert!(matches!(e, GpError::InvalidParameter { name: "noise", .. }));
    // divergent gradient descent: eta lambda_max / P >> 2
    let e = predict(
        &train,
        &test,
        Time::GradientDescent {
            eta: 1e6,
            steps: 1 << 20,
        },
        &seq(),
    )
    .unwrap_err();
    assert!(matches!(e, GpError::Divergent { .. }), "{e:?}");
    // empty training set
    let empty = Mat::<f64>::zeros(0, 0);
    let e = nngp_regression(
        empty.as_ref(),
        Mat::<f64>::zeros(1, 0).as_ref(),
        Mat::<f64>::zeros(1, 1).as_ref(),
        &[],
        0.0,
        &seq(),
    )
    .unwrap_err();
    assert_eq!(e, GpError::NoTrainingPoints);
}

#[test]
fn nngp_interpolates_and_matches_a_dense_solve() {
    let k = Kernels::random(71, 25, 8);
    let pred = nngp_regression(
        k.train().sigma_train_train,
        k.test_at_train().sigma_test_train,
        k.test_at_train().sigma_test_test,
        &k.targets,
        0.0,
        &seq(),
    )
    .unwrap();
    let rel = vec_max_abs_diff(&pred.mean, &k.targets) / vec_max_abs(&k.targets);
    assert!(
        rel <= 1e-9,
        "{rel:.2e} (kappa {:.2e})",
        pred.condition_estimate
    );
    assert!(max_abs(pred.covariance.as_ref()) <= 1e-9 * max_abs(k.train().sigma_train_train));
    // with noise, against faer's high-level LU (another factorization, no symmetry used)
    use faer::linalg::solvers::Solve;
    let noise = 0.05;
    let test = k.test();
    let pred = nngp_regression(
        k.train().sigma_train_train,
        test.sigma_test_train,
        test.sigma_test_test,
        &k.targets,
        noise,
        &seq(),
    )
    .unwrap();
    let mut kk = k.train().sigma_train_train.to_owned();
    for i in 0..k.p {
        kk[(i, i)] += noise;
    }
    let lu = kk.partial_piv_lu();
    let w = lu.solve(test.sigma_test_train.transpose()); // K^{-1} Sigma(X, x)
    let y = Mat::from_fn(k.p, 1, |i, _| k.targets[i]);
    let mean = test.sigma_test_train * lu.solve(&y);
    let cov = test.sigma_test_test - test.sigma_test_train * &w;
    let tol = 16.0 * k.p as f64 * U * pred.condition_estimate;
    let mean: Vec<f64> = (0..k.n).map(|i| mean[(i, 0)]).collect();
    assert!(vec_max_abs_diff(&pred.mean, &mean) / vec_max_abs(&mean) <= tol);
    assert!(
        max_abs_diff(pred.covariance.as_ref(), cov.as_ref()) / max_abs(test.sigma_test_test) <= tol
    );
    assert!(min_eigenvalue(pred.covariance.as_ref()) >= -(k.n as f64) * U * 16.0);
}

#[test]
fn empty_test_set_gives_an_empty_prediction() {
    let k = Kernels::random(81, 7, 0);
    for time in [Time::Infinity, Time::GradientFlow { eta: 0.1, t: 3.0 }] {
        let pred = predict(&k.train(), &k.test(), time, &seq()).unwrap();
        assert!(pred.mean.is_empty() && pred.covariance.nrows() == 0);
        assert!(pred.condition_estimate.is_finite());
    }
}

/// The symmetry check walks tiles; the entry it names must still be the first offending one
/// below the diagonal in column-major order, wherever the violations lie relative to the tiles.
#[test]
fn asymmetry_error_names_the_first_entry_in_column_major_order() {
    let n = 200;
    let base = Mat::from_fn(n, n, |i, j| 1.0 / (1.0 + (i as f64 - j as f64).abs()));
    let y = vec![0.0; n];
    let st = Mat::<f64>::zeros(1, n);
    let stt = Mat::<f64>::zeros(1, 1);
    // (violations as (row, col) below the diagonal, the expected first one)
    for (bad, want) in [
        (vec![(150, 3), (70, 40)], (150, 3)),
        (vec![(10, 5), (150, 3)], (150, 3)),
        (vec![(199, 64), (65, 64), (130, 70)], (65, 64)),
        (vec![(199, 198)], (199, 198)),
    ] {
        let mut s = base.clone();
        for &(i, j) in &bad {
            s[(i, j)] += 1e-3;
        }
        // Sequential and parallel (tile columns on two threads) walks name the same entry.
        for opts in [seq(), par2()] {
            let e =
                nngp_regression(s.as_ref(), st.as_ref(), stt.as_ref(), &y, 0.0, &opts).unwrap_err();
            match e {
                GpError::NotSymmetric { row, col, .. } => {
                    assert_eq!((row, col), want, "{bad:?} {:?}", opts.par)
                }
                e => panic!("{e:?}"),
            }
        }
    }
    // Symmetric up to 1e-12 relative rounding: accepted.
    let mut s = base.clone();
    s[(150, 3)] *= 1.0 + 1e-12;
    assert!(nngp_regression(s.as_ref(), st.as_ref(), stt.as_ref(), &y, 0.0, &seq()).is_ok());
}

//! The trained-network GP: mean mu_t and covariance C_t of SPEC section 5.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use crate::dense::{Dense, Lu, join, norm1};
use crate::matfun::{
    gradient_descent_d, gradient_descent_g, gradient_flow_dt_times, gradient_flow_g, mul,
};
use crate::validate;
use crate::{FiniteTimeMethod, GpError, GpOptions, Prediction, TestKernels, Time, TrainingKernels};

/// Predicts the network trained for `time` on `train`, at the test points of `test`.
///
/// Implements (SPEC section 5), with M = I(X,X), P = number of training points:
///
/// ```text
/// A      = I(x,X) G,   G = M^{-1} (Id - E)                       (N x P)
/// mean   = A Y
/// C      = Sigma(x,x) - A Sigma(X,x) - Sigma(x,X) A^T + A Sigma(X,X) A^T
///        = Sigma(x,x) + sym((A Sigma(X,X) - 2 Sigma(x,X)) A^T),   sym(K) = (K + K^T) / 2
/// ```
///
/// The second form is exact: A Sigma(X,X) A^T is symmetric because Sigma(X,X) is, and
/// A Sigma(X,x) = (Sigma(x,X) A^T)^T, so the two middle terms are each other's transpose and equal
/// the symmetric part of 2 Sigma(x,X) A^T. C is moreover positive semidefinite whatever A is:
/// it is the covariance of f(x) - A f(X) for f ~ GP(0, Sigma). Symmetrisation therefore only
/// removes rounding.
///
/// - `Time::Infinity`: G = M^{-1}, from an LU factorization with partial pivoting of M (solves
///   with M^T give A^T = M^{-T} I(x,X)^T). A condition estimate above `opts.max_condition` is an
///   error unless `opts.jitter` is set.
/// - `Time::GradientFlow { eta, t }`, s = eta t / P: either (route [`FiniteTimeMethod::Solve`])
///   D = exp(-s M) - Id by scaling and squaring in expm1 form and G = -M^{-1} D with the LU of M,
///   or (route [`FiniteTimeMethod::Series`]) G = s phi_1(-s M) by scaling and squaring, with no
///   solve at all. Neither forms Id - E, so neither suffers cancellation for s lambda << 1; the
///   first costs fewer products, the second is insensitive to the conditioning of M. The
///   default ([`FiniteTimeMethod::Auto`]) picks the first when kappa_1(M) <= 1e6. See
///   `docs/gp.md`.
/// - `Time::GradientDescent { eta, steps }`: the same two routes with D_T = (Id - h M)^T - Id
///   or G = h sum_{k<T} (Id - h M)^k, h = eta / P, by binary powering.
///
/// `test.sigma_test_test` may be N x N (full covariance returned) or N x 1 (its diagonal; only
/// variances are computed, in O(N P) after the products that the mean needs).
///
/// # Errors
/// Shape mismatches, non-finite entries, an asymmetric Sigma, invalid `eta`/`t`, an
/// ill-conditioned I(X,X) at t = infinity, and a non-finite result (divergent gradient descent).
pub fn predict(
    train: &TrainingKernels<'_>,
    test: &TestKernels<'_>,
    time: Time,
    opts: &GpOptions,
) -> Result<Prediction, GpError> {
    let p = train.i_train_train.nrows();
    if p == 0 {
        return Err(GpError::NoTrainingPoints);
    }
    let n = test.i_test_train.nrows();
    validate::shape("I(X, X) (i_train_train)", train.i_train_train, p, p)?;
    validate::shape(
        "Sigma(X, X) (sigma_train_train)",
        train.sigma_train_train,
        p,
        p,
    )?;
    validate::vector("Y (targets)", train.targets, p)?;
    validate::shape("I(x, X) (i_test_train)", test.i_test_train, n, p)?;
    validate::shape(
        "Sigma(x, X) (sigma_test_train)",
        test.sigma_test_train,
        n,
        p,
    )?;
    let par = opts.par;
    // ||I(X,X)||_1 (for the condition estimates) from the finiteness pass's column sums
    let norm1_m = validate::finite_stats("I(X, X) (i_train_train)", train.i_train_train, par)?
        .abs_sums
        .iter()
        .fold(0.0, |a: f64, &b| a.max(b));
    let what = "Sigma(X, X) (sigma_train_train)";
    let stats = validate::finite_stats(what, train.sigma_train_train, par)?;
    validate::symmetric(what, train.sigma_train_train, stats.max_abs, par)?;
    validate::finite("I(x, X) (i_test_train)", test.i_test_train, par)?;
    validate::finite("Sigma(x, X) (sigma_test_train)", test.sigma_test_train, par)?;
    let full = validate::test_test(test.sigma_test_test, n, par)?;
    if opts.max_condition.is_nan() || opts.max_condition <= 1.0 {
        return Err(GpError::InvalidParameter {
            name: "max_condition",
            value: opts.max_condition,
            reason: "must be > 1 (or +infinity)",
        });
    }
    if let Some(eps) = opts.jitter {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(GpError::InvalidParameter {
                name: "jitter",
                value: eps,
                reason: "must be finite and > 0",
            });
        }
    }
    let time = match time {
        Time::GradientFlow { t, .. } if t == f64::INFINITY => Time::Infinity,
        other => other,
    };
    let m = train.i_train_train;

    // a = A^T (P x N): columns are A(x_i)^T.
    let (a_t, condition, jitter) = match time {
        Time::Infinity => {
            // A^T = M^{-T} I(x,X)^T, solved in place in a copy of I(x,X) viewed transposed
            // (beside the condition estimate; discarded if the estimate rejects M).
            let solve = |lu: &Lu| {
                let mut a = Dense::copy_of(test.i_test_train, 1.0, false, 0.0, par);
                lu.solve_in_place(a.as_mut().transpose_mut(), true);
                a
            };
            let (a, condition, jitter) = factor_checked(m, norm1_m, opts, solve)?;
            (ATransposed::Of(a), condition, jitter)
        }
        Time::GradientFlow { eta, t } => {
            validate::eta(eta)?;
            if t.is_nan() || t < 0.0 {
                return Err(GpError::InvalidParameter {
                    name: "t",
                    value: t,
                    reason: "the training time must be >= 0",
                });
            }
            let s = eta * t / p as f64;
            finite_time(
                m,
                norm1_m,
                test.i_test_train,
                opts,
                |w, par| gradient_flow_dt_times(m, s, w, par),
                |par| gradient_flow_g(m, s, par),
            )
        }
        Time::GradientDescent { eta, steps } => {
            validate::eta(eta)?;
            let h = eta / p as f64;
            finite_time(
                m,
                norm1_m,
                test.i_test_train,
                opts,
                |w, par| {
                    mul(
                        gradient_descent_d(m, h, steps, par).as_ref().transpose(),
                        w,
                        par,
                    )
                },
                |par| gradient_descent_g(m, h, steps, par),
            )
        }
    };
    let mut pred = assemble(a_t.view(), train, test, full, par);
    pred.condition_estimate = condition;
    pred.jitter = jitter;
    check_finite(&pred)?;
    Ok(pred)
}

/// A^T at finite time, by the route of `opts.finite_time`: `d` gives D = E - Id, `g` gives
/// G = M^{-1} (Id - E) directly. Returns (A^T, condition estimate of M, no jitter).
fn finite_time(
    m: MatRef<'_, f64>,
    norm1_m: f64,
    i_test_train: MatRef<'_, f64>,
    opts: &GpOptions,
    dt_times: impl FnOnce(MatRef<'_, f64>, Par) -> Dense,
    g: impl FnOnce(Par) -> Dense,
) -> (ATransposed, f64, Option<f64>) {
    let par = opts.par;
    let lu = Lu::new(m, par);
    let condition = lu.condition_estimate(norm1_m);
    let solve = match opts.finite_time {
        FiniteTimeMethod::Auto => condition <= FiniteTimeMethod::AUTO_SOLVE_MAX_CONDITION,
        FiniteTimeMethod::Solve => condition.is_finite(),
        FiniteTimeMethod::Series => false,
    };
    if solve {
        // A^T = G^T I(x,X)^T = -D^T M^{-T} I(x,X)^T   (G = -M^{-1} D, D commutes with M)
        // (M^{-T} I(x,X)^T solved in place in a copy of I(x,X) viewed transposed)
        let mut w = Dense::copy_of(i_test_train, 1.0, false, 0.0, par);
        lu.solve_in_place(w.as_mut().transpose_mut(), true);
        let mut a_t = dt_times(w.as_ref().transpose(), par);
        a_t.for_each_col_mut(par, |_, col| col.iter_mut().for_each(|x| *x = -*x));
        (ATransposed::Plain(a_t), condition, None)
    } else {
        let g = g(par);
        (
            ATransposed::Plain(times_transpose(g.as_ref(), i_test_train, par)),
            condition,
            None,
        )
    }
}

/// A^T (P x N), stored as itself or as the transpose of an N x P matrix.
enum ATransposed {
    Plain(Dense),
    Of(Dense),
}

impl ATransposed {
    fn view(&self) -> MatRef<'_, f64> {
        match self {
            Self::Plain(m) => m.as_ref(),
            Self::Of(a) => a.as_ref().transpose(),
        }
    }
}

/// A^T = G^T I(x,X)^T for A = I(x,X) G.
fn times_transpose(g: MatRef<'_, f64>, i_test_train: MatRef<'_, f64>, par: Par) -> Dense {
    mul(g.transpose(), i_test_train.transpose(), par)
}

/// LU of M with the conditioning policy of [`GpOptions`], and `solve(&lu)` computed beside the
/// condition estimate (two threads unless `opts.par` is `Par::Seq`): returns the solve's
/// result, the condition estimate and the jitter added, if any.
fn factor_checked<T: Send>(
    m: MatRef<'_, f64>,
    norm1_m: f64,
    opts: &GpOptions,
    solve: impl Fn(&Lu) -> T + Sync,
) -> Result<(T, f64, Option<f64>), GpError> {
    const WHAT: &str = "I(X, X) (i_train_train)";
    let attempt = |mm: MatRef<'_, f64>, norm: f64| {
        let lu = Lu::new(mm, opts.par);
        let (condition, x) = join(opts.par, || lu.condition_estimate(norm), || solve(&lu));
        (x, condition)
    };
    let (x, condition) = attempt(m, norm1_m);
    if condition <= opts.max_condition {
        return Ok((x, condition, None));
    }
    let Some(eps) = opts.jitter else {
        return Err(GpError::IllConditioned {
            what: WHAT,
            condition,
            max_condition: opts.max_condition,
            jitter: None,
        });
    };
    let p = m.nrows();
    let mean_diag = (0..p).map(|i| m[(i, i)].abs()).sum::<f64>() / p as f64;
    let amount = eps * mean_diag;
    let mut mj = m.to_owned();
    for i in 0..p {
        mj[(i, i)] += amount;
    }
    let norm_j = norm1(mj.as_ref());
    let (x, condition) = attempt(mj.as_ref(), norm_j);
    if condition <= opts.max_condition {
        Ok((x, condition, Some(amount)))
    } else {
        Err(GpError::IllConditioned {
            what: WHAT,
            condition,
            max_condition: opts.max_condition,
            jitter: Some(amount),
        })
    }
}

/// Mean and covariance from A^T (P x N).
fn assemble(
    a_t: MatRef<'_, f64>,
    train: &TrainingKernels<'_>,
    test: &TestKernels<'_>,
    full: bool,
    par: Par,
) -> Prediction {
    let (p, n) = (a_t.nrows(), a_t.ncols());
    let y = Mat::from_fn(p, 1, |i, _| train.targets[i]);
    let mut mean = Mat::zeros(n, 1);
    matmul(
        mean.as_mut(),
        Accum::Replace,
        a_t.transpose(),
        y.as_ref(),
        1.0,
        par,
    );
    // B^T = Sigma(X,X) A^T - 2 Sigma(x,X)^T  (P x N; Sigma(X,X) symmetric), formed as
    // -B^T / 2 = Sigma(x,X)^T - Sigma(X,X) A^T / 2 in a copy of Sigma(x,X) viewed transposed.
    let mut b = Dense::copy_of(test.sigma_test_train, 1.0, false, 0.0, par);
    matmul(
        b.as_mut().transpose_mut(),
        Accum::Add,
        train.sigma_train_train,
        a_t,
        -0.5,
        par,
    );
    let b_t = b.as_ref().transpose();
    let covariance = if full {
        // C = Sigma(x,x) + sym(B A^T)
        let mut k = Mat::zeros(n, n);
        matmul(k.as_mut(), Accum::Replace, b_t.transpose(), a_t, -2.0, par);
        let s = test.sigma_test_test;
        Mat::from_fn(n, n, |i, j| {
            0.5 * (s[(i, j)] + s[(j, i)]) + 0.5 * (k[(i, j)] + k[(j, i)])
        })
    } else {
        // diag(B A^T)_i = sum_r B_ir A_ir, accumulated row by row of B^T and A^T (contiguous
        // when they are transposed views of column-major N x P matrices, as at t = infinity).
        let mut acc = vec![0.0; n];
        for r in 0..p {
            for ((s, &b), &a) in acc.iter_mut().zip(b_t.row(r).iter()).zip(a_t.row(r).iter()) {
                *s += b * a;
            }
        }
        Mat::from_fn(n, 1, |i, _| test.sigma_test_test[(i, 0)] - 2.0 * acc[i])
    };
    Prediction {
        mean: (0..n).map(|i| mean[(i, 0)]).collect(),
        covariance,
        condition_estimate: f64::NAN,
        jitter: None,
    }
}

pub(crate) fn check_finite(pred: &Prediction) -> Result<(), GpError> {
    let cov = &pred.covariance;
    let cov_ok = (0..cov.ncols()).all(|j| (0..cov.nrows()).all(|i| cov[(i, j)].is_finite()));
    if pred.mean.iter().all(|x| x.is_finite()) && cov_ok {
        Ok(())
    } else {
        Err(GpError::Divergent {
            reason: "the training dynamics blow up (for gradient descent: eta * lambda_max(I(X,X)) / P > 2; \
                     otherwise I(X,X) has an eigenvalue with negative real part)",
        })
    }
}

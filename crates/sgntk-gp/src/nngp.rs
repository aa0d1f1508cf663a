//! NNGP (Bayesian) regression: the posterior of the prior GP(0, Sigma) given noisy observations.

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, Mat, MatRef};

use crate::dense::{Cholesky, Dense, join};
use crate::predict::check_finite;
use crate::validate;
use crate::{GpError, GpOptions, Prediction};

/// NNGP regression with observation-noise variance `noise` >= 0 (SPEC section 5, the dashed
/// curve of the reference figure):
///
/// ```text
/// K    = Sigma(X,X) + noise Id = L L^T                 (Cholesky)
/// V    = L^{-1} Sigma(X,x)
/// mean = Sigma(x,X) K^{-1} Y = V^T (L^{-1} Y)
/// C    = Sigma(x,x) - V^T V                          (symmetric by construction)
/// ```
///
/// `sigma_test_test` may be N x N (full covariance) or N x 1 (its diagonal; variances only).
///
/// # Errors
/// Shape mismatches, non-finite entries, asymmetric Sigma, `noise` < 0, and a K that is not
/// numerically positive definite or has a condition estimate above `opts.max_condition`
/// (duplicate training inputs with zero noise) unless `opts.jitter` is set.
pub fn nngp_regression(
    sigma_train_train: MatRef<'_, f64>,
    sigma_test_train: MatRef<'_, f64>,
    sigma_test_test: MatRef<'_, f64>,
    targets: &[f64],
    noise: f64,
    opts: &GpOptions,
) -> Result<Prediction, GpError> {
    const WHAT: &str = "Sigma(X, X) + noise Id";
    let p = sigma_train_train.nrows();
    if p == 0 {
        return Err(GpError::NoTrainingPoints);
    }
    let n = sigma_test_train.nrows();
    validate::shape("Sigma(X, X) (sigma_train_train)", sigma_train_train, p, p)?;
    validate::vector("Y (targets)", targets, p)?;
    validate::shape("Sigma(x, X) (sigma_test_train)", sigma_test_train, n, p)?;
    let par = opts.par;
    let what_s = "Sigma(X, X) (sigma_train_train)";
    let stats = validate::finite_stats(what_s, sigma_train_train, par)?;
    validate::symmetric(what_s, sigma_train_train, stats.max_abs, par)?;
    validate::finite("Sigma(x, X) (sigma_test_train)", sigma_test_train, par)?;
    let full = validate::test_test(sigma_test_test, n, par)?;
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(GpError::InvalidParameter {
            name: "noise",
            value: noise,
            reason: "the noise variance must be finite and >= 0",
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
    // ||Sigma + d Id||_1 from the column sums of Sigma.
    let norm_k = |d: f64| {
        (0..p)
            .map(|j| {
                let s = sigma_train_train[(j, j)];
                stats.abs_sums[j] - s.abs() + (s + d).abs()
            })
            .fold(0.0, f64::max)
    };
    // One copy of the lower triangle of Sigma(X, X) + noise Id, factorized in place; then
    // W = V^T = Sigma(x,X) L^{-T}, i.e. L W^T = Sigma(X,x), solved in place in a copy of
    // Sigma(x,X) (N x P) viewed transposed (no transposed copy is formed), while another
    // thread estimates the condition number (a few memory-bound single-column solves).
    let attempt = |extra: f64| -> Result<(Cholesky, f64, Dense), GpError> {
        let d = noise + extra;
        let k = Dense::copy_of(sigma_train_train, 1.0, true, d, par);
        let chol = Cholesky::from_owned(k, par)
            .map_err(|index| GpError::NotPositiveDefinite { what: WHAT, index })?;
        let mut w = Dense::copy_of(sigma_test_train, 1.0, false, 0.0, par);
        let (condition, ()) = join(
            par,
            || chol.condition_estimate(norm_k(d)),
            || chol.solve_lower_in_place(w.as_mut().transpose_mut()),
        );
        Ok((chol, condition, w))
    };
    let first = attempt(0.0);
    let (chol, condition, w, jitter) = match first {
        Ok((chol, condition, w)) if condition <= opts.max_condition => (chol, condition, w, None),
        other => {
            let Some(eps) = opts.jitter else {
                return Err(match other {
                    Ok((_, condition, _)) => GpError::IllConditioned {
                        what: WHAT,
                        condition,
                        max_condition: opts.max_condition,
                        jitter: None,
                    },
                    Err(e) => e,
                });
            };
            let mean_diag = (0..p)
                .map(|i| (sigma_train_train[(i, i)] + noise).abs())
                .sum::<f64>()
                / p as f64;
            let amount = eps * mean_diag;
            let (chol, condition, w) = attempt(amount)?;
            if condition > opts.max_condition {
                return Err(GpError::IllConditioned {
                    what: WHAT,
                    condition,
                    max_condition: opts.max_condition,
                    jitter: Some(amount),
                });
            }
            (chol, condition, w, Some(amount))
        }
    };
    // mean = Sigma(x,X) K^{-1} Y = W (L^{-1} Y): one forward sweep instead of a full solve.
    let mut alpha = Mat::from_fn(p, 1, |i, _| targets[i]);
    chol.solve_lower_in_place(alpha.as_mut());
    let w = w.as_ref();
    let mut mean = Mat::zeros(n, 1);
    matmul(mean.as_mut(), Accum::Replace, w, alpha.as_ref(), 1.0, par);
    let covariance = if full {
        // -V^T V = -W W^T is symmetric: only its lower triangle is computed (half the
        // products).
        let mut c = Mat::zeros(n, n);
        triangular::matmul(
            c.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Replace,
            w,
            BlockStructure::Rectangular,
            w.transpose(),
            BlockStructure::Rectangular,
            -1.0,
            par,
        );
        let s = sigma_test_test;
        Mat::from_fn(n, n, |i, j| {
            0.5 * (s[(i, j)] + s[(j, i)]) + c[(i.max(j), i.min(j))]
        })
    } else {
        let mut vv = vec![0.0; n];
        for r in 0..p {
            for (acc, &x) in vv.iter_mut().zip(w.col(r).iter()) {
                *acc += x * x;
            }
        }
        Mat::from_fn(n, 1, |i, _| sigma_test_test[(i, 0)] - vv[i])
    };
    let pred = Prediction {
        mean: (0..n).map(|i| mean[(i, 0)]).collect(),
        covariance,
        condition_estimate: condition,
        jitter,
    };
    check_finite(&pred)?;
    Ok(pred)
}

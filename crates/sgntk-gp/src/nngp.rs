//! NNGP (Bayesian) regression: the posterior of the prior GP(0, Sigma) given noisy observations.

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, Mat, MatRef};

use crate::dense::{Cholesky, norm1};
use crate::predict::check_finite;
use crate::validate;
use crate::{GpError, GpOptions, Prediction};

/// NNGP regression with observation-noise variance `noise` >= 0 (SPEC section 5, the dashed
/// curve of the reference figure):
///
/// ```text
/// K    = Sigma(X,X) + noise Id = L L^T                 (Cholesky)
/// mean = Sigma(x,X) K^{-1} Y
/// C    = Sigma(x,x) - V^T V,   V = L^{-1} Sigma(X,x)   (symmetric by construction)
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
    validate::finite("Sigma(X, X) (sigma_train_train)", sigma_train_train)?;
    validate::symmetric("Sigma(X, X) (sigma_train_train)", sigma_train_train)?;
    validate::finite("Sigma(x, X) (sigma_test_train)", sigma_test_train)?;
    let full = validate::test_test(sigma_test_test, n)?;
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
    let par = opts.par;
    let build = |extra: f64| {
        let mut k = sigma_train_train.to_owned();
        for i in 0..p {
            k[(i, i)] += noise + extra;
        }
        k
    };
    // One copy of Sigma(X, X) (+ noise), factorized in place.
    let attempt = |extra: f64| -> Result<(Cholesky, f64), GpError> {
        let k = build(extra);
        let norm = norm1(k.as_ref());
        let chol = Cholesky::from_owned(k, par)
            .map_err(|index| GpError::NotPositiveDefinite { what: WHAT, index })?;
        let condition = chol.condition_estimate(norm);
        Ok((chol, condition))
    };
    let first = attempt(0.0);
    let (chol, condition, jitter) = match first {
        Ok((chol, condition)) if condition <= opts.max_condition => (chol, condition, None),
        other => {
            let Some(eps) = opts.jitter else {
                return Err(match other {
                    Ok((_, condition)) => GpError::IllConditioned {
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
            let (chol, condition) = attempt(amount)?;
            if condition > opts.max_condition {
                return Err(GpError::IllConditioned {
                    what: WHAT,
                    condition,
                    max_condition: opts.max_condition,
                    jitter: Some(amount),
                });
            }
            (chol, condition, Some(amount))
        }
    };
    // mean = Sigma(x,X) K^{-1} Y
    let mut alpha = Mat::from_fn(p, 1, |i, _| targets[i]);
    chol.solve_in_place(alpha.as_mut());
    let mut mean = Mat::zeros(n, 1);
    matmul(
        mean.as_mut(),
        Accum::Replace,
        sigma_test_train,
        alpha.as_ref(),
        1.0,
        par,
    );
    // V = L^{-1} Sigma(X,x)
    let mut v = sigma_test_train.transpose().to_owned();
    chol.solve_lower_in_place(v.as_mut());
    let covariance = if full {
        // -V^T V is symmetric: only its lower triangle is computed (half the products).
        let mut c = Mat::zeros(n, n);
        triangular::matmul(
            c.as_mut(),
            BlockStructure::TriangularLower,
            Accum::Replace,
            v.transpose(),
            BlockStructure::Rectangular,
            v.as_ref(),
            BlockStructure::Rectangular,
            -1.0,
            par,
        );
        let s = sigma_test_test;
        Mat::from_fn(n, n, |i, j| {
            0.5 * (s[(i, j)] + s[(j, i)]) + c[(i.max(j), i.min(j))]
        })
    } else {
        Mat::from_fn(n, 1, |i, _| {
            let vv: f64 = (0..p).map(|r| v[(r, i)] * v[(r, i)]).sum();
            sigma_test_test[(i, 0)] - vv
        })
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

//! Gaussian-process prediction of wide networks trained by (surrogate) gradient descent
//! (SPEC section 5), from kernel matrices computed elsewhere.
//!
//! Given P training inputs X with targets Y, N test inputs x, the SG-NTK I and the output NNGP
//! Sigma, the network after training time t is a Gaussian process with
//!
//! ```text
//! A_t(x)    = I(x,X) I(X,X)^{-1} (Id - E_t)
//! mu_t(x)   = A_t(x) Y
//! C_t(x,x') = Sigma(x,x') - A_t(x) Sigma(X,x') - Sigma(x,X) A_t(x')^T + A_t(x) Sigma(X,X) A_t(x')^T
//! E_t       = exp(-eta t I(X,X) / P)       gradient flow       (Time::GradientFlow)
//!           = (Id - eta I(X,X) / P)^T     T steps of GD       (Time::GradientDescent)
//!           = 0                           t = infinity        (Time::Infinity)
//! ```
//!
//! [`predict`] evaluates these; [`nngp_regression`] gives the Bayesian (NNGP) posterior
//! Sigma(x,X) (Sigma(X,X) + noise Id)^{-1} Y. I(X,X) is not symmetric in general: it is factored
//! by LU with partial pivoting; Sigma(X,X) + noise Id by Cholesky. At finite time no inverse of
//! I(X,X) is formed at all (see [`Time`] and `docs/gp.md`). Every result carries a 1-norm
//! condition-number estimate; near-singular systems (duplicate or nearly duplicate training
//! inputs) are rejected with [`GpError::IllConditioned`] unless an opt-in jitter is requested
//! ([`GpOptions::jitter`]), which is then reported in [`Prediction::jitter`].
//!
//! All linear algebra is done by faer with the parallelism of [`GpOptions::par`].
#![warn(missing_docs)]

mod dense;
mod matfun;
mod nngp;
mod predict;
mod validate;

use faer::{Mat, MatRef, Par};

pub use nngp::nngp_regression;
pub use predict::predict;

/// Training time of the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Time {
    /// t = infinity: E = 0, A(x) = I(x,X) I(X,X)^{-1} (the limit the paper's figure uses).
    Infinity,
    /// Gradient flow with learning rate `eta` for (continuous) time `t`, measured in steps:
    /// E_t = exp(-eta t I(X,X) / P). `t = 0` is the prior; `t = f64::INFINITY` is
    /// [`Time::Infinity`].
    GradientFlow {
        /// Learning rate eta > 0.
        eta: f64,
        /// Number of (continuous) steps t >= 0.
        t: f64,
    },
    /// `steps` full-batch gradient-descent steps with learning rate `eta` on the loss
    /// 1/(2P) sum_p (f(x_p) - y_p)^2: E_T = (Id - eta I(X,X) / P)^T. Diverges (an error, not a
    /// NaN) when eta lambda / P > 2 for an eigenvalue lambda of I(X,X).
    GradientDescent {
        /// Learning rate eta > 0.
        eta: f64,
        /// Number of steps T.
        steps: u64,
    },
}

/// How [`predict`] evaluates G = I(X,X)^{-1} (Id - E) at finite time (both routes avoid the
/// cancellation of Id - E for small eta t lambda / P; see `docs/gp.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FiniteTimeMethod {
    /// [`FiniteTimeMethod::Solve`] when the condition estimate of I(X,X) is at most
    /// [`FiniteTimeMethod::AUTO_SOLVE_MAX_CONDITION`], [`FiniteTimeMethod::Series`] otherwise.
    #[default]
    Auto,
    /// D = E - Id in expm1 form (scaling and squaring, one product per squaring), then
    /// G = -I(X,X)^{-1} D with the LU factors: the fewest products; relative error ~ u kappa(I).
    Solve,
    /// G = s phi_1(-s M) (gradient flow) or h sum_{k<T} B^k (descent): no solve at all, error
    /// independent of kappa(I) (well defined even for duplicate training inputs); about twice as
    /// many products in the squaring phase.
    Series,
}

impl FiniteTimeMethod {
    /// Largest condition estimate for which [`FiniteTimeMethod::Auto`] uses the solve route
    /// (its error u kappa then stays below ~1e-10).
    pub const AUTO_SOLVE_MAX_CONDITION: f64 = 1e6;
}

/// Options shared by [`predict`] and [`nngp_regression`].
#[derive(Clone, Copy, Debug)]
pub struct GpOptions {
    /// Opt-in diagonal jitter, relative: when the matrix to be inverted (I(X,X) at t = infinity,
    /// Sigma(X,X) + noise Id for NNGP regression) has a condition estimate above
    /// `max_condition` (or is singular / not positive definite), `eps * mean(|diag|)` is added to
    /// its diagonal and the absolute amount is reported in [`Prediction::jitter`]. With `None`
    /// (the default) such input is an error.
    pub jitter: Option<f64>,
    /// Largest accepted 1-norm condition estimate (default 1e12: the forward error of the solve
    /// is then at most about kappa * 1.1e-16 ~ 1e-4 relative).
    pub max_condition: f64,
    /// faer parallelism for every factorization and product (default `Par::rayon(0)`: all
    /// threads of the global rayon pool). Results agree across settings up to rounding.
    pub par: Par,
    /// Finite-time evaluation route (default [`FiniteTimeMethod::Auto`]).
    pub finite_time: FiniteTimeMethod,
}

impl Default for GpOptions {
    fn default() -> Self {
        Self {
            jitter: None,
            max_condition: 1e12,
            par: Par::rayon(0),
            finite_time: FiniteTimeMethod::Auto,
        }
    }
}

/// Kernel matrices on the training set, and the targets.
#[derive(Clone, Copy, Debug)]
pub struct TrainingKernels<'a> {
    /// I(X, X), P x P, not necessarily symmetric: entry (i, j) = I(x_i, x_j), the true
    /// derivative belongs to the first argument and the surrogate to the second.
    pub i_train_train: MatRef<'a, f64>,
    /// Sigma(X, X), P x P, symmetric positive semidefinite.
    pub sigma_train_train: MatRef<'a, f64>,
    /// Y, length P.
    pub targets: &'a [f64],
}

/// Kernel matrices between test and training inputs, and among test inputs.
#[derive(Clone, Copy, Debug)]
pub struct TestKernels<'a> {
    /// I(x, X), N x P.
    pub i_test_train: MatRef<'a, f64>,
    /// Sigma(x, X), N x P.
    pub sigma_test_train: MatRef<'a, f64>,
    /// Sigma(x, x): either the full N x N matrix (full covariance is computed) or an N x 1
    /// column holding only its diagonal (only the variances are computed; cheaper).
    pub sigma_test_test: MatRef<'a, f64>,
}

/// A Gaussian-process prediction at N test points.
#[derive(Clone, Debug)]
pub struct Prediction {
    /// Posterior / trained-network mean at each test point, length N.
    pub mean: Vec<f64>,
    /// Covariance: N x N (symmetric) when the full Sigma(x, x) was given, otherwise N x 1 holding
    /// the variances.
    pub covariance: Mat<f64>,
    /// 1-norm condition estimate kappa_1 of the training matrix (I(X,X) for [`predict`], after
    /// jitter if any; Sigma(X,X) + noise Id for [`nngp_regression`]). At finite time no inverse
    /// is formed and the estimate is informative only.
    pub condition_estimate: f64,
    /// Absolute jitter added to the diagonal of the inverted matrix, if any (see
    /// [`GpOptions::jitter`]).
    pub jitter: Option<f64>,
}

impl Prediction {
    /// The variances diag C(x, x).
    pub fn variance(&self) -> Vec<f64> {
        let c = &self.covariance;
        if c.ncols() == c.nrows() {
            (0..c.nrows()).map(|i| c[(i, i)]).collect()
        } else {
            (0..c.nrows()).map(|i| c[(i, 0)]).collect()
        }
    }

    /// Standard deviations sqrt(diag C(x, x)); variances that are negative (only by rounding:
    /// C is positive semidefinite) are clamped to 0.
    pub fn std(&self) -> Vec<f64> {
        self.variance()
            .into_iter()
            .map(|v| v.max(0.0).sqrt())
            .collect()
    }
}

/// Errors of the GP crate.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum GpError {
    /// A matrix or vector has the wrong shape.
    #[error("{what} has shape {found_rows} x {found_cols}, expected {expected}")]
    ShapeMismatch {
        /// Which input.
        what: &'static str,
        /// Rows found.
        found_rows: usize,
        /// Columns found.
        found_cols: usize,
        /// The expected shape, in words (e.g. "15 x 15").
        expected: String,
    },
    /// There are no training points.
    #[error("no training points (P = 0)")]
    NoTrainingPoints,
    /// An input entry is NaN or infinite.
    #[error("{what} has a non-finite entry {value} at ({row}, {col})")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
        /// The entry.
        value: f64,
    },
    /// A matrix that must be symmetric is not (beyond a relative 1e-8 of its largest entry).
    #[error("{what} is not symmetric: entries ({row}, {col}) and ({col}, {row}) differ")]
    NotSymmetric {
        /// Which input.
        what: &'static str,
        /// Row of the offending entry.
        row: usize,
        /// Column of the offending entry.
        col: usize,
    },
    /// A scalar parameter is out of range.
    #[error("parameter {name} = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value.
        value: f64,
        /// What is required.
        reason: &'static str,
    },
    /// The training matrix is singular or nearly so, typically because training inputs are
    /// duplicated or nearly duplicated.
    #[error(
        "{what} is ill-conditioned (1-norm condition estimate {condition:.3e} > {max_condition:.1e}): \
         duplicate or nearly duplicate training inputs? Remove them, or opt in to a diagonal \
         jitter with GpOptions::jitter{}",
        match jitter { Some(j) => format!(" (jitter {j:.3e} was already added)"), None => String::new() }
    )]
    IllConditioned {
        /// Which matrix.
        what: &'static str,
        /// Its condition estimate (infinity when exactly singular).
        condition: f64,
        /// The accepted maximum ([`GpOptions::max_condition`]).
        max_condition: f64,
        /// The jitter already added, if any.
        jitter: Option<f64>,
    },
    /// A matrix that must be positive definite is not numerically so.
    #[error(
        "{what} is not positive definite (Cholesky pivot {index} not positive): duplicate training \
         inputs with zero noise? Add noise or opt in to GpOptions::jitter"
    )]
    NotPositiveDefinite {
        /// Which matrix.
        what: &'static str,
        /// Index of the failing pivot.
        index: usize,
    },
    /// The result is not finite: the dynamics diverge (e.g. gradient descent with
    /// eta lambda_max / P > 2, or an I(X,X) with eigenvalues of negative real part).
    #[error("the prediction is not finite: {reason}")]
    Divergent {
        /// Explanation.
        reason: &'static str,
    },
}

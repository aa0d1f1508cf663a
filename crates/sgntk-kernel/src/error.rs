//! The one error type of `sgntk-kernel`.

use sgntk_gauss::GaussError;

use crate::KernelKind;

/// Everything that can go wrong when building an [`crate::Architecture`] or computing a kernel.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// A parameter of the architecture is outside its domain.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// Name of the parameter (`"sigma_w"`, `"sigma_b"`, `"kappa"`, `"depth"`, ...).
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What the parameter must satisfy.
        reason: &'static str,
    },
    /// A matrix or list does not have the shape the architecture requires.
    #[error("dimension mismatch in {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// Which argument (`"x1 columns"`, `"sigma_w values"`, ...).
        what: &'static str,
        /// The required size.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// An input coordinate is NaN or infinite.
    #[error("input {which} has a non-finite value {value} at row {row}, column {col}")]
    NonFiniteInput {
        /// `"x1"` or `"x2"`.
        which: &'static str,
        /// Row (point index) of the offending value.
        row: usize,
        /// Column (coordinate) of the offending value.
        col: usize,
        /// The value.
        value: f64,
    },
    /// The kernel entry `(row, col)` does not exist (is infinite): two point masses of the true
    /// derivative meet on a degenerate covariance, e.g. the plain NTK of a sign network on the
    /// diagonal (SPEC section 3). Use the SG-NTK or a smooth activation instead.
    #[error("the {kind} kernel diverges at entry ({row}, {col}) (layer {layer}): {detail}")]
    Divergent {
        /// Which kernel.
        kind: KernelKind,
        /// Row of the entry (index into x1).
        row: usize,
        /// Column of the entry (index into x2).
        col: usize,
        /// The layer `l + 1` whose `Sdot` diverges (2..=L+1).
        layer: usize,
        /// The expectation that diverges.
        detail: String,
    },
    /// A Gaussian expectation failed for the entry `(row, col)` (quadrature did not converge, a
    /// user-defined function returned a non-finite value, ...).
    #[error("expectation failed at kernel entry ({row}, {col}), layer {layer}: {source}")]
    Expectation {
        /// Row of the entry (index into x1).
        row: usize,
        /// Column of the entry (index into x2).
        col: usize,
        /// The layer `l + 1` being computed (2..=L+1).
        layer: usize,
        /// The underlying error.
        #[source]
        source: GaussError,
    },
    /// A kernel name that is not `nngp`, `ntk`, `sgntk` or `surrogate`.
    #[error("unknown kernel `{token}`; valid kernels: nngp, ntk, sgntk, surrogate")]
    UnknownKind {
        /// The token that failed to parse.
        token: String,
    },
    /// An error of the expectation crate outside any particular entry (e.g. while resolving a
    /// pair).
    #[error(transparent)]
    Gauss(#[from] GaussError),
}

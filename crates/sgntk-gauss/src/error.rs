//! The one error type of `sgntk-gauss`.

/// Everything that can go wrong when building a catalogue entry or evaluating an expectation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GaussError {
    /// A numeric parameter is outside its domain (`m <= 0`, a negative variance, a NaN, ...).
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// Name of the parameter, e.g. `"m"`, `"a"` (variance of u), `"k"`.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What the parameter must satisfy.
        reason: &'static str,
    },
    /// The 2x2 covariance `[[a, c], [c, b]]` is not positive semidefinite beyond rounding.
    #[error(
        "covariance [[{a}, {c}], [{c}, {b}]] is not positive semidefinite (c^2 > a*b beyond rounding)"
    )]
    NotPositiveSemidefinite {
        /// Variance of u.
        a: f64,
        /// Variance of v.
        b: f64,
        /// Covariance of u and v.
        c: f64,
    },
    /// The expectation is infinite: two point masses meet on a degenerate (|rho| = 1) covariance.
    /// This is why the plain NTK of jump activations does not exist (SPEC section 3).
    #[error("divergent expectation: {what}")]
    Divergent {
        /// Which product diverges.
        what: String,
    },
    /// A text form such as `erf:3` could not be parsed.
    #[error("cannot parse {kind} `{token}`: {reason}; valid forms: {valid}")]
    Parse {
        /// `"activation"` or `"surrogate"`.
        kind: &'static str,
        /// The token that failed.
        token: String,
        /// What is wrong with it.
        reason: String,
        /// The list of valid forms.
        valid: &'static str,
    },
    /// Numerical integration did not reach the requested accuracy.
    #[error("quadrature did not converge: estimated error {error_estimate:e} for {what}")]
    QuadratureFailed {
        /// Which integral.
        what: String,
        /// The integrator's final error estimate.
        error_estimate: f64,
    },
    /// A user-defined function returned a non-finite value.
    #[error("user-defined function `{name}` returned a non-finite value at x = {x}")]
    NonFinite {
        /// Name of the user-defined function.
        name: String,
        /// Where it was evaluated.
        x: f64,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, GaussError>;

//! `sgntk-gauss` computes two-dimensional Gaussian expectations of activations and (surrogate)
//! derivatives, the building block of every infinite-width kernel in sgntk.
//!
//! It also owns **the catalogue**: the single definition of every activation function
//! ([`Activation`]) and surrogate derivative ([`Surrogate`]) that the kernels and the simulator
//! use, with their compact text forms (`sign`, `erf:3`, `fast-sigmoid:25`, ...).
//!
//! For a centred Gaussian pair (u, v) with covariance `[[a, c], [c, b]]` ([`Cov2`]) the crate
//! evaluates `E[phi(u) psi(v)]` for activations and `E[alpha(u) beta(v)]` for derivative
//! functions ([`Derivative`]), where true derivatives of jump activations carry point masses
//! (`sign' = 2 delta`, `step' = delta`). A point mass of weight `w` at `t` contributes
//! `w p_u(t) E[beta(v) | u = t]` (SPEC section 3). Closed forms are used where they exist
//! (erf/sign/step, relu, identity, and point masses or erf-type bumps against the erf, identity,
//! relu', triangle, boxcar and piecewise-exp derivatives); every other pair falls back to
//! quadrature: an outer integral over one variable of a one-dimensional inner expectation that is
//! exact where possible (closed forms for triangle, boxcar, piecewise-exp and atan; pole
//! expansions for tanh, tanh' and sigmoid, and for a conditional Gaussian wide against their
//! poles a moment expansion or a Fourier integral; for fast-sigmoid an incomplete-gamma series
//! and the solution of its differential equations in the mean, tabulated once per pair), with
//! the outer integral over a half line for two even bumps, a Mehler
//! (Hermite) series or an interpolant of the inner expectation elsewhere, tanh-sinh
//! split at every jump and kink, a trapezoid rule where the integrand is analytic, and
//! conditional 1-D integrals for point masses. Derivations, the quadrature scheme and measured
//! accuracy: `docs/gauss.md`; timings: `docs/benchmarks/gauss.md`.
//!
//! A degenerate expectation (a point mass meeting a point mass on a degenerate covariance, or a
//! point mass on a zero-variance variable) is [`GaussError::Divergent`], never inf or NaN.
//!
//! This crate knows nothing of networks, layers or linear algebra.
#![warn(missing_docs)]

pub mod catalogue;
mod closed;
mod error;
pub mod expect;
mod narrow;
mod numeric;
mod poles;
mod quad;
mod rules;

/// The numeric rows of a committed reference table `test_data/<name>` (header skipped).
#[cfg(test)]
pub(crate) fn test_rows(name: &str) -> Vec<Vec<f64>> {
    let path = format!("{}/test_data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .map(|line| line.split(',').map(|t| t.parse().unwrap()).collect())
        .collect()
}

pub use catalogue::{
    Activation, CustomActivation, CustomSurrogate, Derivative, PointMass, Positive, RealFn,
    Surrogate,
};
pub use error::{GaussError, Result};
pub use expect::{ActPair, Cov2, DerivPair, Method};

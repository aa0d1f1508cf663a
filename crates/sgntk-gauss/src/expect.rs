//! Two-dimensional Gaussian expectations `E[phi(u) psi(v)]` and `E[alpha(u) beta(v)]`.
//!
//! The public API is three types: a validated covariance [`Cov2`], and two pair evaluators,
//! [`ActPair`] (activation x activation, the NNGP step) and [`DerivPair`] (derivative x
//! derivative, the NTK / SG-NTK step). A pair is resolved once (closed form or quadrature) and
//! then evaluated for many covariances, which is what the kernel recursion does in its inner loop.

use crate::catalogue::{Activation, Derivative, Surrogate};
use crate::error::{GaussError, Result};

/// Relative slack allowed in `c^2 <= a b` before a covariance is rejected as not PSD
/// (a few ulps of the products involved; kernels computed in f64 land within this).
const PSD_SLACK: f64 = 1e-12;

/// A validated covariance `[[a, c], [c, b]]` of a centred Gaussian pair (u, v).
///
/// Invariants: `a, b >= 0` and finite, `c` finite, `c^2 <= a b` (a `c` that exceeds
/// `sqrt(a b)` only by rounding is clamped onto the boundary).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cov2 {
    a: f64,
    b: f64,
    c: f64,
}

impl Cov2 {
    /// Validates and builds the covariance; errors name the offending entry.
    pub fn new(a: f64, b: f64, c: f64) -> Result<Self> {
        for (name, v) in [("a", a), ("b", b)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(GaussError::InvalidParameter {
                    name,
                    value: v,
                    reason: "variance must be finite and >= 0",
                });
            }
        }
        if !c.is_finite() {
            return Err(GaussError::InvalidParameter {
                name: "c",
                value: c,
                reason: "covariance must be finite",
            });
        }
        let bound = (a * b).sqrt();
        if c.abs() > bound {
            if c.abs() <= bound * (1.0 + PSD_SLACK) + f64::MIN_POSITIVE {
                return Ok(Self {
                    a,
                    b,
                    c: bound.copysign(c),
                });
            }
            return Err(GaussError::NotPositiveSemidefinite { a, b, c });
        }
        Ok(Self { a, b, c })
    }

    /// Variance of u.
    #[inline]
    pub fn a(&self) -> f64 {
        self.a
    }

    /// Variance of v.
    #[inline]
    pub fn b(&self) -> f64 {
        self.b
    }

    /// Covariance of u and v.
    #[inline]
    pub fn c(&self) -> f64 {
        self.c
    }

    /// The covariance with u and v exchanged.
    #[inline]
    pub fn swapped(&self) -> Self {
        Self {
            a: self.b,
            b: self.a,
            c: self.c,
        }
    }
}

/// How a pair is evaluated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// A closed form where one exists, quadrature otherwise.
    #[default]
    Auto,
    /// Always quadrature (used to cross-check the closed forms).
    Quadrature,
}

/// Smoothing parameter of the erf/sign family: `s_m = 1/(2 m^2)`, `s = 0` for sign.
fn erf_family_s(a: &Activation) -> Option<f64> {
    match a {
        Activation::Erf(m) => Some(0.5 / (m.get() * m.get())),
        Activation::Sign => Some(0.0),
        _ => None,
    }
}

/// A derivative of the erf/sign family: the (2m/sqrt(pi)) exp(-m^2 x^2) kernel with `s_m`, or a
/// point mass `2 delta` with `s = 0`.
fn erf_family_deriv_s(d: &Derivative) -> Option<f64> {
    match d {
        Derivative::True(a) => erf_family_s(a),
        Derivative::Surrogate(Surrogate::Erf(m)) => Some(0.5 / (m.get() * m.get())),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug)]
enum ActKind {
    /// `(2/pi) asin(c / sqrt((s1 + a)(s2 + b)))`.
    ErfErf { s1: f64, s2: f64 },
    /// `c` (identity x identity).
    IdId,
    /// No closed form: quadrature.
    Quadrature,
}

/// Evaluator of `E[phi(u) psi(v)]` for a fixed pair of activations.
#[derive(Clone, Debug)]
pub struct ActPair {
    phi: Activation,
    psi: Activation,
    kind: ActKind,
}

impl ActPair {
    /// Resolves the pair (closed form or quadrature, per `method`).
    pub fn new(phi: &Activation, psi: &Activation, method: Method) -> Self {
        let kind = match method {
            Method::Quadrature => ActKind::Quadrature,
            Method::Auto => match (phi, psi) {
                (Activation::Identity, Activation::Identity) => ActKind::IdId,
                _ => match (erf_family_s(phi), erf_family_s(psi)) {
                    (Some(s1), Some(s2)) => ActKind::ErfErf { s1, s2 },
                    _ => ActKind::Quadrature,
                },
            },
        };
        Self {
            phi: phi.clone(),
            psi: psi.clone(),
            kind,
        }
    }

    /// Whether a closed form is used.
    pub fn has_closed_form(&self) -> bool {
        !matches!(self.kind, ActKind::Quadrature)
    }

    /// `E[phi(u) psi(v)]` for `(u, v) ~ N(0, cov)`.
    #[inline]
    pub fn expect(&self, cov: &Cov2) -> Result<f64> {
        match self.kind {
            ActKind::ErfErf { s1, s2 } => {
                let den = ((s1 + cov.a) * (s2 + cov.b)).sqrt();
                if den > 0.0 {
                    Ok(std::f64::consts::FRAC_2_PI * (cov.c / den).clamp(-1.0, 1.0).asin())
                } else {
                    // sign(0) sign(v) with a = 0: u = 0 almost surely and sign(0) = 0.
                    Ok(0.0)
                }
            }
            ActKind::IdId => Ok(cov.c),
            ActKind::Quadrature => Err(GaussError::QuadratureFailed {
                what: format!(
                    "E[{}(u) {}(v)] (quadrature not implemented yet)",
                    self.phi, self.psi
                ),
                error_estimate: f64::INFINITY,
            }),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum DerivKind {
    /// `(2/pi) [(s1 + a)(s2 + b) - c^2]^(-1/2)`, divergent when both are point masses and the
    /// bracket vanishes.
    ErfErf { s1: f64, s2: f64 },
    /// `sqrt(2/pi) (s + a)^(-1/2)` (erf-family derivative of u times 1).
    ErfOne { s: f64 },
    /// `1 x erf-family derivative of v`.
    OneErf { s: f64 },
    /// `1`.
    OneOne,
    /// No closed form: quadrature.
    Quadrature,
}

/// Is `d` the constant function 1 (identity activation's derivative or the straight-through
/// surrogate)?
fn is_one(d: &Derivative) -> bool {
    matches!(
        d,
        Derivative::True(Activation::Identity) | Derivative::Surrogate(Surrogate::Identity)
    )
}

/// Evaluator of `E[alpha(u) beta(v)]` for a fixed pair of derivative functions.
#[derive(Clone, Debug)]
pub struct DerivPair {
    alpha: Derivative,
    beta: Derivative,
    kind: DerivKind,
}

impl DerivPair {
    /// Resolves the pair (closed form or quadrature, per `method`).
    pub fn new(alpha: &Derivative, beta: &Derivative, method: Method) -> Self {
        let kind = match method {
            Method::Quadrature => DerivKind::Quadrature,
            Method::Auto => {
                match (
                    erf_family_deriv_s(alpha),
                    erf_family_deriv_s(beta),
                    is_one(alpha),
                    is_one(beta),
                ) {
                    (Some(s1), Some(s2), _, _) => DerivKind::ErfErf { s1, s2 },
                    (Some(s), None, _, true) => DerivKind::ErfOne { s },
                    (None, Some(s), true, _) => DerivKind::OneErf { s },
                    (_, _, true, true) => DerivKind::OneOne,
                    _ => DerivKind::Quadrature,
                }
            }
        };
        Self {
            alpha: alpha.clone(),
            beta: beta.clone(),
            kind,
        }
    }

    /// Whether a closed form is used.
    pub fn has_closed_form(&self) -> bool {
        !matches!(self.kind, DerivKind::Quadrature)
    }

    /// `E[alpha(u) beta(v)]` for `(u, v) ~ N(0, cov)`; [`GaussError::Divergent`] when two point
    /// masses meet on a degenerate covariance.
    #[inline]
    pub fn expect(&self, cov: &Cov2) -> Result<f64> {
        match self.kind {
            DerivKind::ErfErf { s1, s2 } => {
                let bracket = (s1 + cov.a) * (s2 + cov.b) - cov.c * cov.c;
                if bracket > 0.0 {
                    Ok(std::f64::consts::FRAC_2_PI / bracket.sqrt())
                } else {
                    Err(GaussError::Divergent {
                        what: format!(
                            "E[{a}(u) {b}(v)] with a = {}, b = {}, c = {}: delta x delta on a degenerate covariance",
                            cov.a,
                            cov.b,
                            cov.c,
                            a = deriv_name(&self.alpha),
                            b = deriv_name(&self.beta),
                        ),
                    })
                }
            }
            DerivKind::ErfOne { s } => one_sided(s, cov.a, &self.alpha),
            DerivKind::OneErf { s } => one_sided(s, cov.b, &self.beta),
            DerivKind::OneOne => Ok(1.0),
            DerivKind::Quadrature => Err(GaussError::QuadratureFailed {
                what: format!(
                    "E[{}(u) {}(v)] (quadrature not implemented yet)",
                    deriv_name(&self.alpha),
                    deriv_name(&self.beta)
                ),
                error_estimate: f64::INFINITY,
            }),
        }
    }
}

fn one_sided(s: f64, var: f64, d: &Derivative) -> Result<f64> {
    let t = s + var;
    if t > 0.0 {
        Ok((std::f64::consts::FRAC_2_PI).sqrt() / t.sqrt())
    } else {
        Err(GaussError::Divergent {
            what: format!(
                "E[{}(u)] with zero variance: a point mass at a deterministic 0",
                deriv_name(d)
            ),
        })
    }
}

/// Display name of a derivative: `sign'` for true derivatives, `~erf:1` for surrogates.
pub(crate) fn deriv_name(d: &Derivative) -> String {
    match d {
        Derivative::True(a) => format!("{a}'"),
        Derivative::Surrogate(s) => format!("~{s}"),
    }
}

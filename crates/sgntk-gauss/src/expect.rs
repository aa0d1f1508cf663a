//! Two-dimensional Gaussian expectations `E[phi(u) psi(v)]` and `E[alpha(u) beta(v)]`.
//!
//! The public API is three types: a validated covariance [`Cov2`], and two pair evaluators,
//! [`ActPair`] (activation x activation, the NNGP step) and [`DerivPair`] (derivative x
//! derivative, the NTK / SG-NTK step). A pair is resolved once (closed form or quadrature) and
//! then evaluated for many covariances, which is what the kernel recursion does in its inner loop.

use crate::catalogue::{Activation, Derivative};
use crate::closed::{self, AFactor, DFactor, DOut};
use crate::error::{GaussError, Result};
use crate::quad::{self, DerivQuad};

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

/// Resolution of an activation pair.
#[derive(Clone, Copy, Debug)]
enum ActKind {
    /// A closed form (see `docs/gauss.md`).
    Closed(AFactor, AFactor),
    /// No closed form (or [`Method::Quadrature`]): nested quadrature.
    Quadrature,
}

/// Evaluator of `E[phi(u) psi(v)]` for a fixed pair of activations.
///
/// Closed forms (derivations in `docs/gauss.md`), with `s_m = 1/(2 m^2)` for `erf(m .)` and
/// `s = 0` for sign, `rho = c / sqrt(a b)`, `theta = arccos(rho)`:
/// * erf/sign x erf/sign: `(2/pi) asin(c / sqrt((s1 + a)(s2 + b)))`;
/// * step = (1 + sign)/2: step x step `1/4 + asin(rho)/(2 pi)` (orthant probability),
///   step x erf `(1/pi) asin(c / sqrt(a (s + b)))`;
/// * relu x relu: `sqrt(a b) (sin theta + (pi - theta) cos theta) / (2 pi)` (arc-cosine kernel,
///   Cho & Saul 2009); relu(u) x step(v): `sqrt(a) (1 + rho) / (2 sqrt(2 pi))` generalised to
///   `alpha sqrt(a/(2 pi)) + beta c / sqrt(2 pi (b + s))` for `alpha + beta sign_s`;
/// * identity(u) x g(v): `c E[g'(v)]` (Stein's lemma): `beta c sqrt(2/pi) / sqrt(b + s)` for the
///   erf/sign/step family, `c/2` for relu, `c` for identity.
///
/// Everything else (tanh, user-defined) uses quadrature.
#[derive(Clone, Debug)]
pub struct ActPair {
    phi: Activation,
    psi: Activation,
    kind: ActKind,
}

impl ActPair {
    /// Resolves the pair (closed form or quadrature, per `method`).
    pub fn new(phi: &Activation, psi: &Activation, method: Method) -> Self {
        let kind = match (method, AFactor::of(phi), AFactor::of(psi)) {
            (Method::Auto, Some(l), Some(r)) => ActKind::Closed(l, r),
            _ => ActKind::Quadrature,
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
    ///
    /// Errors only on the quadrature path: [`GaussError::NonFinite`] when a user-defined
    /// function returns inf/NaN, [`GaussError::QuadratureFailed`] when an integral does not
    /// converge.
    #[inline]
    pub fn expect(&self, cov: &Cov2) -> Result<f64> {
        match self.kind {
            ActKind::Closed(l, r) => Ok(closed::act_expect(l, r, cov)),
            ActKind::Quadrature => quad::act_pair(&self.phi, &self.psi, cov),
        }
    }
}

/// Resolution of a derivative pair.
#[derive(Clone, Copy, Debug)]
enum DerivKind {
    /// A closed form (see `docs/gauss.md`).
    Closed(DFactor, DFactor),
    /// Nested quadrature plus conditional 1-D integrals for the point masses.
    Quadrature,
}

/// Evaluator of `E[alpha(u) beta(v)]` for a fixed pair of derivative functions.
///
/// Closed forms (derivations in `docs/gauss.md`): every erf-family derivative is a Gaussian
/// density `w N(x; 0, s)` (`sign' = 2 N(.; 0, 0) = 2 delta`, `step' = delta`,
/// `erf(m)' = erf:m surrogate = 2 N(.; 0, s_m)`), and
/// * `E[w1 N(u; 0, s1) w2 N(v; 0, s2)] = w1 w2 / (2 pi sqrt((a + s1)(b + s2) - c^2))`,
///   divergent when the bracket vanishes (delta x delta on the diagonal);
/// * `E[w N(u; 0, s) beta(v)] = w / sqrt(2 pi (a + s)) E[beta(V)]`,
///   `V ~ N(0, b - c^2/(a + s))`, with `E[beta(V)]` in closed form for beta = 1, relu' (1/2),
///   triangle (Gaussian partial moments), boxcar (`erf`) and piecewise-exp (`erfcx`);
/// * `E[1 beta(v)] = E[beta(v)]`, and relu' x relu' = `1/4 + asin(rho)/(2 pi)`.
///
/// Everything else (tanh', fast-sigmoid, sigmoid, atan, user-defined) uses quadrature.
#[derive(Clone, Debug)]
pub struct DerivPair {
    alpha: Derivative,
    beta: Derivative,
    kind: DerivKind,
    quad: Option<DerivQuad>,
}

impl DerivPair {
    /// Resolves the pair (closed form or quadrature, per `method`).
    pub fn new(alpha: &Derivative, beta: &Derivative, method: Method) -> Self {
        let kind = match (method, DFactor::of(alpha), DFactor::of(beta)) {
            (Method::Auto, Some(l), Some(r)) if DFactor::pair_closed(l, r) => {
                DerivKind::Closed(l, r)
            }
            _ => DerivKind::Quadrature,
        };
        let quad = match kind {
            DerivKind::Quadrature => Some(DerivQuad::new(alpha, beta)),
            DerivKind::Closed(..) => None,
        };
        Self {
            alpha: alpha.clone(),
            beta: beta.clone(),
            kind,
            quad,
        }
    }

    /// Whether a closed form is used.
    pub fn has_closed_form(&self) -> bool {
        !matches!(self.kind, DerivKind::Quadrature)
    }

    /// `E[alpha(u) beta(v)]` for `(u, v) ~ N(0, cov)`; [`GaussError::Divergent`] when two point
    /// masses meet on a degenerate covariance, or a point mass sits on a variable of zero
    /// variance.
    #[inline]
    pub fn expect(&self, cov: &Cov2) -> Result<f64> {
        match self.kind {
            DerivKind::Closed(l, r) => match closed::deriv_expect(l, r, cov) {
                DOut::Value(v) => Ok(v),
                DOut::Divergent => Err(self.divergent(cov)),
            },
            DerivKind::Quadrature => match &self.quad {
                Some(q) => q.expect(cov),
                None => Err(GaussError::QuadratureFailed {
                    what: "quadrature evaluator missing".into(),
                    error_estimate: f64::INFINITY,
                }),
            },
        }
    }

    #[cold]
    fn divergent(&self, cov: &Cov2) -> GaussError {
        GaussError::Divergent {
            what: format!(
                "E[{a}(u) {b}(v)] with a = {}, b = {}, c = {}: a point mass meets a point mass or \
                 a zero-variance variable",
                cov.a,
                cov.b,
                cov.c,
                a = deriv_name(&self.alpha),
                b = deriv_name(&self.beta),
            ),
        }
    }
}

/// Display name of a derivative: `sign'` for true derivatives, `~erf:1` for surrogates.
pub(crate) fn deriv_name(d: &Derivative) -> String {
    match d {
        Derivative::True(a) => format!("{a}'"),
        Derivative::Surrogate(s) => format!("~{s}"),
    }
}

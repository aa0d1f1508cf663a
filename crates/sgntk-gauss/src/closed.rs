//! Closed forms of two-dimensional Gaussian expectations (derivations in `docs/gauss.md`).
//!
//! Activations and derivative functions that admit closed forms are reduced, once, to small
//! `Copy` descriptors ([`AFactor`], [`DFactor`]); evaluating a pair is then a `match` on two
//! descriptors and a few elementary functions, without allocation.
//!
//! Two observations carry most of the catalogue:
//! * `erf(m x) = E_eps[sign(x + sqrt(s_m) eps)]` with `s_m = 1/(2 m^2)` and `eps ~ N(0, 1)`, so an
//!   `erf(m .)` factor is a `sign` factor acting on a variable whose variance is increased by
//!   `s_m`; `step = (1 + sign)/2`.
//! * `(2m/sqrt(pi)) exp(-m^2 x^2) = 2 N(x; 0, s_m)` and `sign' = 2 delta = 2 N(x; 0, 0)`, so every
//!   erf-family derivative is a Gaussian density of weight `w` and variance `s >= 0`, and
//!   `E[w N(u; 0, s) beta(v)] = w p_{u'}(0) E[beta(v) | u' = 0]` with `u' = u + sqrt(s) eps`.

use crate::catalogue::{Activation, Derivative, Surrogate};
use crate::expect::Cov2;
use crate::numeric::{
    INV_SQRT_2PI, SQRT_2_OVER_PI, boxcar_centred, pwexp_centred, triangle_centred,
};

/// Relative size below which `ab - c^2` (or a conditional variance) counts as zero: a few
/// ulps of the products involved, so that `Cov2(a, a, a)` is exactly degenerate however `a`
/// rounds.
pub(crate) const DEGENERATE: f64 = 8.0 * f64::EPSILON;

/// An activation with closed-form expectations.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AFactor {
    /// `alpha + beta sign_s(x)` where `sign_s` is `sign` on a variance increased by `s`:
    /// sign (0, 1, 0), step (1/2, 1/2, 0), erf(m) (0, 1, s_m). Every member has `phi(0) = 0`.
    Jump { alpha: f64, beta: f64, s: f64 },
    /// `max(0, x)`.
    Relu,
    /// `x`.
    Identity,
}

impl AFactor {
    pub(crate) fn of(a: &Activation) -> Option<Self> {
        Some(match a {
            Activation::Sign => Self::Jump {
                alpha: 0.0,
                beta: 1.0,
                s: 0.0,
            },
            Activation::Step => Self::Jump {
                alpha: 0.5,
                beta: 0.5,
                s: 0.0,
            },
            Activation::Erf(m) => Self::Jump {
                alpha: 0.0,
                beta: 1.0,
                s: 0.5 / (m.get() * m.get()),
            },
            Activation::Relu => Self::Relu,
            Activation::Identity => Self::Identity,
            _ => return None,
        })
    }

    fn rank(self) -> u8 {
        match self {
            Self::Jump { .. } => 0,
            Self::Relu => 1,
            Self::Identity => 2,
        }
    }
}

/// `E[phi(u) psi(v)]` for two closed-form activations.
#[inline]
pub(crate) fn act_expect(l: AFactor, r: AFactor, cov: &Cov2) -> f64 {
    if l.rank() > r.rank() {
        act_ordered(r, l, cov.b(), cov.a(), cov.c())
    } else {
        act_ordered(l, r, cov.a(), cov.b(), cov.c())
    }
}

#[inline]
fn act_ordered(l: AFactor, r: AFactor, a: f64, b: f64, c: f64) -> f64 {
    use AFactor::*;
    match (l, r) {
        (
            Jump {
                alpha: a1,
                beta: b1,
                s: s1,
            },
            Jump {
                alpha: a2,
                beta: b2,
                s: s2,
            },
        ) => {
            // alpha1 alpha2 + beta1 beta2 (2/pi) asin(c / sqrt((a+s1)(b+s2))); phi(0) = 0 when
            // a variance (plus smoothing) vanishes.
            let den = ((a + s1) * (b + s2)).sqrt();
            if den > 0.0 {
                let r = (c / den).clamp(-1.0, 1.0);
                // Exact comparison on purpose: both are the catalogue's constants (1/2 * 1/2).
                #[allow(clippy::float_cmp)]
                let step_step = a1 * a2 > 0.0 && a1 * a2 == b1 * b2;
                if step_step {
                    // step x step: 1/4 + asin(r)/(2 pi) = acos(-r)/(2 pi), no cancellation at
                    // r -> -1.
                    a1 * a2 * std::f64::consts::FRAC_2_PI * (-r).acos()
                } else {
                    a1 * a2 + b1 * b2 * std::f64::consts::FRAC_2_PI * r.asin()
                }
            } else {
                0.0
            }
        }
        (Jump { alpha, beta, s }, Relu) => {
            // E[(alpha + beta sign(u')) relu(v)] = alpha sqrt(b/(2 pi)) + beta c / sqrt(2 pi (a+s)).
            let t = a + s;
            if t > 0.0 {
                INV_SQRT_2PI * (alpha * b.sqrt() + beta * c / t.sqrt())
            } else {
                0.0
            }
        }
        (Jump { beta, s, .. }, Identity) => {
            // Stein: E[v g(u)] = c E[g'(u)] = c beta 2 p_{u'}(0).
            let t = a + s;
            if t > 0.0 {
                beta * c * SQRT_2_OVER_PI / t.sqrt()
            } else {
                0.0
            }
        }
        (Relu, Relu) => {
            // Arc-cosine kernel of order 1 (Cho & Saul 2009).
            let ab = (a * b).sqrt();
            if ab > 0.0 {
                let rho = (c / ab).clamp(-1.0, 1.0);
                let theta = rho.acos();
                ab * (theta.sin() + (std::f64::consts::PI - theta) * rho)
                    / (2.0 * std::f64::consts::PI)
            } else {
                0.0
            }
        }
        // Stein: E[v relu(u)] = c E[step(u)] = c/2 (0 when u is deterministic 0).
        (Relu, Identity) => {
            if a > 0.0 {
                0.5 * c
            } else {
                0.0
            }
        }
        (Identity, Identity) => c,
        // Unreachable after ordering by rank; answer by symmetry.
        (l, r) => act_ordered(r, l, b, a, c),
    }
}

/// A derivative function with closed-form expectations.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DFactor {
    /// `w N(x; 0, s)`: `sign'` (2, 0), `step'` (1, 0), `erf(m)'` and the erf surrogate
    /// (2, s_m). A point mass when `s = 0`.
    Gauss { w: f64, s: f64 },
    /// The constant 1: `identity'` and the straight-through surrogate.
    One,
    /// `1[x > 0]`: `relu'`.
    Heaviside,
    /// Triangle surrogate of half-width `w`.
    Triangle(f64),
    /// Boxcar surrogate of half-width `w`.
    Boxcar(f64),
    /// Piecewise-exponential surrogate with rate `alpha`.
    PwExp(f64),
}

impl DFactor {
    pub(crate) fn of(d: &Derivative) -> Option<Self> {
        Some(match d {
            Derivative::True(a) => match a {
                Activation::Sign => Self::Gauss { w: 2.0, s: 0.0 },
                Activation::Step => Self::Gauss { w: 1.0, s: 0.0 },
                Activation::Erf(m) => Self::Gauss {
                    w: 2.0,
                    s: 0.5 / (m.get() * m.get()),
                },
                Activation::Identity => Self::One,
                Activation::Relu => Self::Heaviside,
                _ => return None,
            },
            Derivative::Surrogate(s) => match s {
                Surrogate::Erf(m) => Self::Gauss {
                    w: 2.0,
                    s: 0.5 / (m.get() * m.get()),
                },
                Surrogate::Identity => Self::One,
                Surrogate::Triangle(w) => Self::Triangle(w.get()),
                Surrogate::Boxcar(w) => Self::Boxcar(w.get()),
                Surrogate::PiecewiseExp(a) => Self::PwExp(a.get()),
                _ => return None,
            },
        })
    }

    fn rank(self) -> u8 {
        match self {
            Self::Gauss { .. } => 0,
            Self::One => 1,
            Self::Heaviside => 2,
            _ => 3,
        }
    }

    /// `E[f(sigma Z)]` for `sigma > 0` where it is known in closed form (the centred 1-D
    /// Gaussian expectation); `Heaviside` returns the value 1/2.
    fn centred(self, var: f64) -> Option<f64> {
        let sd = var.sqrt();
        Some(match self {
            Self::Gauss { w, s } => w * INV_SQRT_2PI / (var + s).sqrt(),
            Self::One => 1.0,
            Self::Heaviside => 0.5,
            Self::Triangle(w) => triangle_centred(w, sd),
            Self::Boxcar(w) => boxcar_centred(w, sd),
            Self::PwExp(a) => pwexp_centred(a, sd),
        })
    }

    /// Value at 0 (a deterministic zero variable).
    fn at_zero(self) -> Option<f64> {
        match self {
            Self::Gauss { .. } => None,
            Self::One => Some(1.0),
            Self::Heaviside => Some(0.0),
            Self::Triangle(w) => Some(1.0 / w),
            Self::Boxcar(w) => Some(0.5 / w),
            Self::PwExp(a) => Some(0.5 * a),
        }
    }

    /// Whether a pair of these has a closed form.
    pub(crate) fn pair_closed(l: Self, r: Self) -> bool {
        let (l, r) = if l.rank() > r.rank() { (r, l) } else { (l, r) };
        matches!(
            (l, r),
            (Self::Gauss { .. }, _) | (Self::One, _) | (Self::Heaviside, Self::Heaviside)
        )
    }
}

/// Outcome of a derivative closed form: a value, or a divergence (a point mass meeting a
/// point mass or a deterministic zero).
pub(crate) enum DOut {
    Value(f64),
    Divergent,
}

/// `E[alpha(u) beta(v)]` for two closed-form derivatives (`pair_closed` must hold).
#[inline]
pub(crate) fn deriv_expect(l: DFactor, r: DFactor, cov: &Cov2) -> DOut {
    if l.rank() > r.rank() {
        deriv_ordered(r, l, cov.b(), cov.a(), cov.c())
    } else {
        deriv_ordered(l, r, cov.a(), cov.b(), cov.c())
    }
}

#[inline]
fn deriv_ordered(l: DFactor, r: DFactor, a: f64, b: f64, c: f64) -> DOut {
    use DFactor::*;
    match (l, r) {
        (Gauss { w: w1, s: s1 }, Gauss { w: w2, s: s2 }) => {
            // w1 w2 / (2 pi sqrt((a+s1)(b+s2) - c^2)): the density of (u', v') at the origin.
            // A bracket within rounding of 0 (c^2 = ab up to a few ulps) is a degenerate
            // covariance, not a huge finite density.
            let prod = (a + s1) * (b + s2);
            let bracket = prod - c * c;
            if bracket > DEGENERATE * prod {
                DOut::Value(w1 * w2 / (2.0 * std::f64::consts::PI * bracket.sqrt()))
            } else {
                DOut::Divergent
            }
        }
        (Gauss { w, s }, r) => {
            // w p_{u'}(0) E[beta(v) | u' = 0],  v | u' = 0 ~ N(0, b - c^2/(a+s)).
            let t = a + s;
            if t <= 0.0 {
                return DOut::Divergent;
            }
            let p = w * INV_SQRT_2PI / t.sqrt();
            if b == 0.0 {
                // v is a deterministic 0.
                return DOut::Value(p * r.at_zero().unwrap_or(0.0));
            }
            let var = b - c * c / t;
            let var = if var > DEGENERATE * b { var } else { 0.0 };
            let e = if var > 0.0 {
                r.centred(var).unwrap_or(0.0)
            } else {
                // Conditional law is a point at 0: beta(0), with the jump of Heaviside at 0
                // taken at its midpoint (the limit as the covariance degenerates).
                match r {
                    Heaviside => 0.5,
                    r => r.at_zero().unwrap_or(0.0),
                }
            };
            DOut::Value(p * e)
        }
        (One, r) => DOut::Value(if b > 0.0 {
            r.centred(b).unwrap_or(0.0)
        } else {
            r.at_zero().unwrap_or(0.0)
        }),
        (Heaviside, Heaviside) => {
            // Orthant probability P(u > 0, v > 0) = 1/4 + asin(rho)/(2 pi) = acos(-rho)/(2 pi).
            let ab = (a * b).sqrt();
            DOut::Value(if ab > 0.0 {
                (-(c / ab).clamp(-1.0, 1.0)).acos() / (2.0 * std::f64::consts::PI)
            } else {
                0.0
            })
        }
        (l, r) if l.rank() > r.rank() => deriv_ordered(r, l, b, a, c),
        // Pairs without closed form never reach here (checked by `pair_closed`).
        _ => DOut::Value(f64::NAN),
    }
}

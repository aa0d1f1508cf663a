//! The inlined closed forms of the erf / sign family (SPEC section 4), used when the activation
//! is `erf(m x)` or `sign` and every derivative in play is an erf-family derivative or the
//! straight-through surrogate `1`, and the method is [`sgntk_gauss::Method::Auto`].
//!
//! With `s_m = 1/(2 m^2)` (`s = 0` for sign), `P = (s + a)(s + b)` and `r = sqrt(P - c^2)`:
//!
//! ```text
//! E[phi(u) phi(v)]          = (2/pi) asin(c / sqrt(P)) = (2/pi) atan2(c, r)
//! E[alpha(u) beta(v)]       = (2/pi) [(s1 + a)(s2 + b) - c^2]^(-1/2)    (both erf-family)
//! E[alpha(u) * 1]           = sqrt(2/pi) (s1 + a)^(-1/2)                (straight-through)
//! ```
//!
//! The atan2 form shares `r` with the NTK's derivative term, so one square root and one
//! inverse trigonometric function per layer cover both kernels. The same formulas live in
//! `sgntk-gauss` (`ActPair` / `DerivPair`); tests check that both evaluators agree.

use std::f64::consts::FRAC_2_PI;

use sgntk_gauss::{Activation, GaussError, Method, Surrogate};

use crate::arch::{Architecture, KernelKind};
use crate::engine::{MAX_TANGENT, Pairs};

/// One erf-family derivative: the Gaussian bump `(2m/sqrt(pi)) exp(-m^2 x^2)` with its `s_m`
/// (`s = 0`: the point mass `2 delta` of sign), or the constant 1.
#[derive(Clone, Copy, Debug)]
enum D {
    Bump(f64),
    One,
}

#[derive(Clone, Copy, Debug)]
enum DPair {
    BumpBump { s1: f64, s2: f64, same_as_act: bool },
    BumpOne { s: f64 },
    OneBump { s: f64 },
    OneOne,
}

/// The erf/sign family evaluator.
#[derive(Clone, Debug)]
pub(crate) struct ErfPairs {
    s: f64,
    derivs: [DPair; MAX_TANGENT],
    names: Vec<String>,
}

fn act_s(a: &Activation) -> Option<f64> {
    match a {
        Activation::Erf(m) => Some(0.5 / (m.get() * m.get())),
        Activation::Sign => Some(0.0),
        _ => None,
    }
}

fn sur_d(s: &Surrogate) -> Option<D> {
    match s {
        Surrogate::Erf(m) => Some(D::Bump(0.5 / (m.get() * m.get()))),
        Surrogate::Identity => Some(D::One),
        _ => None,
    }
}

impl ErfPairs {
    /// `None` when the architecture is outside the family (the general evaluator is used).
    pub(crate) fn new(arch: &Architecture, tangents: &[KernelKind]) -> Option<Self> {
        if arch.method() != Method::Auto || tangents.len() > MAX_TANGENT {
            return None;
        }
        let s = act_s(arch.activation())?;
        let t = D::Bump(s);
        let mut derivs = [DPair::OneOne; MAX_TANGENT];
        let mut names = Vec::new();
        for (k, kind) in tangents.iter().enumerate() {
            let (alpha, beta, name) = match kind {
                KernelKind::Ntk => (t, t, format!("{0}'(u) {0}'(v)", arch.activation())),
                KernelKind::SgNtk => (
                    t,
                    sur_d(arch.surrogate())?,
                    format!("{}'(u) ~{}(v)", arch.activation(), arch.surrogate()),
                ),
                KernelKind::Surrogate => {
                    let d = sur_d(arch.surrogate())?;
                    (d, d, format!("~{0}(u) ~{0}(v)", arch.surrogate()))
                }
                KernelKind::Nngp => return None,
            };
            derivs[k] = match (alpha, beta) {
                (D::Bump(s1), D::Bump(s2)) => DPair::BumpBump {
                    s1,
                    s2,
                    same_as_act: s1.to_bits() == s.to_bits() && s2.to_bits() == s.to_bits(),
                },
                (D::Bump(s), D::One) => DPair::BumpOne { s },
                (D::One, D::Bump(s)) => DPair::OneBump { s },
                (D::One, D::One) => DPair::OneOne,
            };
            names.push(name);
        }
        Some(Self { s, derivs, names })
    }

    #[cold]
    fn divergent(&self, k: usize, a: f64, b: f64, c: f64) -> (Option<usize>, GaussError) {
        (
            Some(k),
            GaussError::Divergent {
                what: format!(
                    "E[{}] with a = {a}, b = {b}, c = {c}: delta x delta on a degenerate covariance",
                    self.names[k]
                ),
            },
        )
    }
}

impl Pairs for ErfPairs {
    #[inline(always)]
    fn step(
        &self,
        a: f64,
        b: f64,
        c: f64,
        d: &mut [f64],
    ) -> Result<f64, (Option<usize>, GaussError)> {
        let p = (self.s + a) * (self.s + b);
        // r^2 = P - c^2 >= 0 because c^2 <= ab <= P (s >= 0); max() guards rounding.
        let r = (p - c * c).max(0.0).sqrt();
        // atan2(0, 0) = 0: sign(0) sign(v) with a = 0 has expectation 0.
        let e = FRAC_2_PI * c.atan2(r);
        for (k, out) in d.iter_mut().enumerate() {
            *out = match self.derivs[k] {
                DPair::BumpBump {
                    s1,
                    s2,
                    same_as_act,
                } => {
                    let rr = if same_as_act {
                        r
                    } else {
                        ((s1 + a) * (s2 + b) - c * c).max(0.0).sqrt()
                    };
                    if rr > 0.0 {
                        FRAC_2_PI / rr
                    } else {
                        return Err(self.divergent(k, a, b, c));
                    }
                }
                DPair::BumpOne { s } => {
                    one_sided(s + a).ok_or_else(|| self.divergent(k, a, b, c))?
                }
                DPair::OneBump { s } => {
                    one_sided(s + b).ok_or_else(|| self.divergent(k, a, b, c))?
                }
                DPair::OneOne => 1.0,
            };
        }
        Ok(e)
    }
}

/// `sqrt(2/pi) t^(-1/2)`, `None` for `t = 0` (a point mass at a deterministic 0).
#[inline(always)]
fn one_sided(t: f64) -> Option<f64> {
    if t > 0.0 {
        Some((FRAC_2_PI / t).sqrt())
    } else {
        None
    }
}

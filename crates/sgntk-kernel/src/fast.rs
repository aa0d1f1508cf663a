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
//! `atan2` is evaluated by [`atan2_nonneg`], a branch-free Cephes-style rational approximation
//! (accurate to a few ulps) that compiles to vector code, so that whole blocks of entries of an
//! output column are computed with SIMD instructions ([`Pairs::block`]).
//!
//! The atan2 form shares `r` with the NTK's derivative term, so one square root and one
//! inverse trigonometric function per layer cover both kernels. The same formulas live in
//! `sgntk-gauss` (`ActPair` / `DerivPair`); tests check that both evaluators agree.

use std::f64::consts::FRAC_2_PI;

use sgntk_gauss::{Activation, GaussError, Method, Surrogate};

use crate::arch::{Architecture, KernelKind};
use crate::engine::{BLOCK, Block, BlockOut, MAX_TANGENT, Pairs};

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
                    "E[{}] with a = {a}, b = {b}, c = {c} is infinite: a point mass meets a degenerate covariance",
                    self.names[k]
                ),
            },
        )
    }
}

impl Pairs for ErfPairs {
    fn block(&self, blk: &Block<'_>, out: &mut BlockOut) -> bool {
        // Runtime dispatch to the widest SIMD instruction set available (AVX-512, AVX2+FMA,
        // SSE2; AVX-512 needs `pulp`'s `x86-v4` feature, enabled in this crate's manifest:
        // 1.3x on Zen 4): `fill` is inlined into a function compiled for it and
        // auto-vectorised.
        // FMA contraction never happens implicitly in Rust, so every instruction set gives the
        // same, bit-identical results as the scalar `step`.
        pulp::Arch::new().dispatch(Fill {
            pairs: self,
            blk,
            out,
        })
    }

    #[inline(always)]
    fn step(
        &self,
        a: f64,
        b: f64,
        c: f64,
        d: &mut [f64],
    ) -> Result<f64, (Option<usize>, GaussError)> {
        let p = (self.s + a) * (self.s + b);
        // r^2 = P - c^2 >= 0 because c^2 <= ab <= P (s >= 0) up to rounding; c is not clamped
        // (saves a square root): max() clips any rounding excess onto the boundary r = 0.
        let r = (p - c * c).max(0.0).sqrt();
        // atan2(0, 0) = 0: sign(0) sign(v) with a = 0 has expectation 0.
        let e = FRAC_2_PI * atan2_nonneg(c, r);
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

const TAN_PI_8: f64 = 0.414_213_562_373_095_03;
// Cephes atan.c: atan(x) = x + x z P(z)/Q(z), z = x^2, |x| <= 0.66, relative error ~1e-16.
const P0: f64 = -8.750_608_600_031_904e-1;
const P1: f64 = -1.615_753_718_733_365e1;
const P2: f64 = -7.500_855_792_314_705e1;
const P3: f64 = -1.228_866_684_490_136_2e2;
const P4: f64 = -6.485_021_904_942_025e1;
const Q0: f64 = 2.485_846_490_142_306e1;
const Q1: f64 = 1.650_270_098_316_988_5e2;
const Q2: f64 = 4.328_810_604_912_903e2;
const Q3: f64 = 4.853_903_996_359_137e2;
const Q4: f64 = 1.945_506_571_482_614e2;

/// `atan2(y, x)` for `x >= 0` (result in `[-pi/2, pi/2]`; `atan2(0, 0) = 0`), branch-free so
/// that loops over it vectorise. Reduction: `t = min(|y|, x) / max(|y|, x)` in `[0, 1]`, then
/// `u = (t - 1)/(t + 1)` above `tan(pi/8)`, so `|u| <= tan(pi/8)`; Cephes' rational
/// approximation there; then `pi/4 + .`, `pi/2 - .` and the sign of `y` undo the reduction.
#[inline(always)]
pub(crate) fn atan2_nonneg(y: f64, x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};
    let ay = y.abs();
    let big = ay > x;
    let num = if big { x } else { ay };
    let den = if big { ay } else { x };
    let hi = num > TAN_PI_8 * den;
    let nn = if hi { num - den } else { num };
    // den = 0 means num = 0 too: 0 / MIN_POSITIVE = 0.
    let dd = if hi {
        num + den
    } else {
        den.max(f64::MIN_POSITIVE)
    };
    let u = nn / dd;
    let z = u * u;
    let p = (((P0 * z + P1) * z + P2) * z + P3) * z + P4;
    let q = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
    let mut r = u + u * (z * p / q);
    r += if hi { FRAC_PI_4 } else { 0.0 };
    r = if big { FRAC_PI_2 - r } else { r };
    r.copysign(y)
}

impl ErfPairs {
    /// The vectorised block: the same arithmetic as [`Pairs::step`] through
    /// `Engine::entry`, layer by layer over arrays of `BLOCK` rows.
    #[inline(always)]
    fn fill(&self, blk: &Block<'_>, out: &mut BlockOut) -> bool {
        let n = blk.len;
        // Slices of exactly `n` elements, so that the loops below have no bounds checks and
        // vectorise.
        let s_arr = &mut out.s[..n];
        // Layer 1: <x, x'> summed in the order of `engine::dot`.
        s_arr.fill(0.0);
        for (k, &xk) in blk.xb.iter().enumerate() {
            let col = &blk.x1t[k * blk.n1 + blk.i0..][..n];
            for (d, &x) in s_arr.iter_mut().zip(col) {
                *d += x * xk;
            }
        }
        for d in s_arr.iter_mut() {
            *d = blk.w_in * *d + blk.b_in;
        }
        for t in out.th[..blk.n_tangent].iter_mut() {
            t[..n].copy_from_slice(s_arr);
        }
        let mut r_buf = [0.0f64; BLOCK];
        let mut c_buf = [0.0f64; BLOCK];
        let (r, c) = (&mut r_buf[..n], &mut c_buf[..n]);
        for (l, &(w, b)) in blk.steps.iter().enumerate() {
            let va = &blk.v1t[l * blk.n1 + blk.i0..][..n];
            let vb = blk.vb[l];
            let sb = self.s + vb;
            for i in 0..n {
                let a = va[i];
                let ci = s_arr[i];
                let p = (self.s + a) * sb;
                let ri = (p - ci * ci).max(0.0).sqrt();
                c[i] = ci;
                r[i] = ri;
                s_arr[i] = w * (FRAC_2_PI * atan2_nonneg(ci, ri)) + b;
            }
            for k in 0..blk.n_tangent {
                let t = &mut out.th[k][..n];
                let ok = match self.derivs[k] {
                    DPair::BumpBump {
                        same_as_act: true, ..
                    } => {
                        let mut bad = 0u32;
                        for i in 0..n {
                            bad |= u32::from(r[i] <= 0.0);
                            t[i] = s_arr[i] + t[i] * (w * (FRAC_2_PI / r[i]));
                        }
                        bad == 0
                    }
                    DPair::BumpBump { s1, s2, .. } => {
                        let mut bad = 0u32;
                        let s2b = s2 + vb;
                        for i in 0..n {
                            let rr = ((s1 + va[i]) * s2b - c[i] * c[i]).max(0.0).sqrt();
                            bad |= u32::from(rr <= 0.0);
                            t[i] = s_arr[i] + t[i] * (w * (FRAC_2_PI / rr));
                        }
                        bad == 0
                    }
                    DPair::BumpOne { s } => {
                        let mut bad = 0u32;
                        for i in 0..n {
                            let u = s + va[i];
                            bad |= u32::from(u <= 0.0);
                            t[i] = s_arr[i] + t[i] * (w * (FRAC_2_PI / u).sqrt());
                        }
                        bad == 0
                    }
                    DPair::OneBump { s } => match one_sided(s + vb) {
                        Some(d) => {
                            for i in 0..n {
                                t[i] = s_arr[i] + t[i] * (w * d);
                            }
                            true
                        }
                        None => false,
                    },
                    DPair::OneOne => {
                        for i in 0..n {
                            t[i] = s_arr[i] + t[i] * (w * 1.0);
                        }
                        true
                    }
                };
                if !ok {
                    return false;
                }
            }
        }
        true
    }
}

/// [`ErfPairs::fill`] under `pulp`'s runtime SIMD dispatch.
struct Fill<'a, 'b> {
    pairs: &'a ErfPairs,
    blk: &'a Block<'b>,
    out: &'a mut BlockOut,
}

impl pulp::WithSimd for Fill<'_, '_> {
    type Output = bool;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> bool {
        self.pairs.fill(self.blk, self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::atan2_nonneg;

    /// Against the correctly rounded-ish libm `atan2`: within 2 ulps of pi/2 absolute and
    /// 4 ulps relative (Cephes' approximation error is below 1 ulp; the reductions add one or
    /// two roundings).
    #[test]
    fn atan2_nonneg_matches_std() {
        let n = 2000;
        for i in 0..=n {
            for j in 0..=n {
                let y = -3.0 + 6.0 * i as f64 / n as f64;
                let x = 3.0 * (j as f64 / n as f64).powi(3);
                let want = y.atan2(x);
                let got = atan2_nonneg(y, x);
                let err = (got - want).abs();
                assert!(
                    err <= 2.0 * f64::EPSILON * want.abs().max(0.5) * 2.0,
                    "atan2({y}, {x}): {got} vs {want}"
                );
            }
        }
        assert_eq!(atan2_nonneg(0.0, 0.0).to_bits(), 0.0f64.to_bits());
        assert!((atan2_nonneg(1e-300, 1.0) - 1e-300).abs() <= 1e-315);
        assert!((atan2_nonneg(-2.0, 0.0) + std::f64::consts::FRAC_PI_2).abs() <= 1e-16);
    }
}

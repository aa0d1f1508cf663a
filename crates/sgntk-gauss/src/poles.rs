//! Gaussian expectations `E[f(m + s Z)]` of `tanh` and `sech^2` through their pole
//! (Mittag-Leffler) expansions and the Faddeeva function (`docs/gauss.md`, section 4).
//!
//! With `c_n = pi (n + 1/2)`, `tanh x = sum_{n >= 0} t_n(x)`, `t_n(x) = 2x/(x^2 + c_n^2)`
//! (simple poles at `+-i c_n`, residue 1), and `sech^2 x = sum_{n >= 0} u_n(x)`,
//! `u_n(x) = -2 Re (x - i c_n)^-2 = 2 (c_n^2 - x^2)/(x^2 + c_n^2)^2` (double poles). For
//! `x ~ N(m, s^2)` and `z_n = (m + i c_n)/(s sqrt 2)`:
//! `E[t_n(x)] = sqrt(2 pi) Im w(z_n) / s` and `E[u_n(x)] = sqrt(pi) Im w'(z_n) / s^2`,
//! `w'(z) = -2 (z w(z) - i/sqrt(pi))`.
//! The pole sum converges slowly, so only the first `N` pole pairs are taken in closed form;
//! the remainder `f - sum_{n < N} t_n` is analytic in the strip `|Im x| < c_N` and its
//! expectation is a short Gauss-Hermite sum (error models: the Cauchy bound of `panel.rs`,
//! `4 M n! q^(2n)` with `q = 2 s / dist`, `dist` the distance from `[m - 9s, m + 9s]` to the
//! nearest remaining pole, `M` a bound of the remainder on the disks of radius `dist/2`, and a
//! strip model fitted against mpmath, see [`plan_cost`]). `N` and the order `n` are chosen by a
//! cost model (a Faddeeva evaluation ~ 60 ns, a node pair ~ 5 ns plus 3 ns per removed pole
//! pair, see [`Plan::eval`]); when the conditional Gaussian is wide against the pole spacing
//! (`s` beyond about 3) no choice meets the tolerance and the caller falls back to its
//! quadrature.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

use crate::catalogue::{Activation, Derivative, Surrogate};
use crate::narrow;
use crate::numeric::faddeeva_zw;
use crate::quad::Func;
use crate::rules::{GH_MAX, gh, gh_order_max};

/// Which function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pole {
    /// `tanh x`.
    Tanh,
    /// `sech^2 x = tanh' x`.
    Sech2,
}

/// Modelled cost of one Gauss-Hermite node pair of [`Plan::eval`] (ns; a few divisions).
const NODE_NS: f64 = 5.0;

/// Most pole pairs taken in closed form.
const N_MAX: usize = 8;
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;
const SQRT_PI: f64 = 1.772_453_850_905_516;

/// `sech^2 x` without overflow (`4 e / (1 + e)^2`, `e = exp(-2|x|)`; 0 on underflow).
#[inline]
fn sech2(x: f64) -> f64 {
    let e = (-2.0 * x.abs()).exp();
    4.0 * e / ((1.0 + e) * (1.0 + e))
}

/// `f(x)`.
pub(crate) fn value(kind: Pole, x: f64) -> f64 {
    match kind {
        Pole::Tanh => x.tanh(),
        Pole::Sech2 => sech2(x),
    }
}

/// The number of pole pairs `N` and the Gauss-Hermite order `n` meeting the absolute
/// tolerance `tol` most cheaply, or `None`.
fn plan(kind: Pole, m: f64, s: f64, tol: f64) -> Option<(usize, usize)> {
    plan_cost(kind, m, s, tol, true).map(|b| (b.0, b.1))
}

/// Modelled cost (ns) of one evaluation of the moment expansion (`narrow.rs`) with `n` orders:
/// an `exp` (and an `erf` for tanh) and three flops per order.
fn narrow_cost(n: usize) -> f64 {
    40.0 + 1.5 * n as f64
}

impl Pole {
    fn narrow(self) -> narrow::Kind {
        match self {
            Pole::Tanh => narrow::Kind::Tanh,
            Pole::Sech2 => narrow::Kind::Sech2,
        }
    }
}

/// A plan valid for every mean `m`: the cheapest of the pole plan (its error model at `m = 0`,
/// where the remaining poles are nearest, without the odd factor of tanh, and the rounding gate
/// at its largest over `m`) and the moment expansion for a wide Gaussian (`narrow.rs`, from
/// `2s ~ 9` on) or the Fourier integral (every `s`), with its modelled cost (ns), or
/// `None` where none meets `tol`.
pub(crate) fn uniform(kind: Pole, s: f64, tol: f64) -> Option<(Plan, f64)> {
    // The cheaper of the pole plan and the moment expansion by their modelled costs, the
    // pole plan's nodes built only if it is kept.
    let (poles, moments, best_cost) = candidates(kind, s, tol);
    let estimate = fourier_cost(narrow::Fourier::estimate(kind.narrow(), s, tol) as usize);
    if offer_fourier(best_cost, estimate) {
        if let Some(f) = narrow::Fourier::new(kind.narrow(), s, tol) {
            let c = fourier_cost(f.len());
            if best_cost.is_none_or(|b| c < b) {
                return Some((Plan::with(s, Wide::Fourier(f)), c));
            }
        }
    }
    match (poles, moments) {
        (Some(p), Some(m)) if p.2 <= m.1 => Some((Plan::new(s, p.0, p.1), p.2)),
        (_, Some((n, c))) => Some((Plan::with(s, Wide::Moments(n)), c)),
        (Some(p), None) => Some((Plan::new(s, p.0, p.1), p.2)),
        (None, None) => None,
    }
}

/// The modelled cost (ns) of the plan [`uniform`] would choose, without building it (the
/// Fourier integral by its estimated length); `None` where every form declines.
pub(crate) fn uniform_cost(kind: Pole, s: f64, tol: f64) -> Option<f64> {
    let (_, _, best) = candidates(kind, s, tol);
    let estimate = fourier_cost(narrow::Fourier::estimate(kind.narrow(), s, tol) as usize);
    if offer_fourier(best, estimate) {
        Some(estimate)
    } else {
        best
    }
}

/// The pole plan (`plan_cost`'s `(nn, n, cost)`) and the moment expansion (`(orders, cost)`)
/// for [`uniform`], and the cheaper of their modelled costs.
type Candidates = (
    Option<(usize, usize, f64)>,
    Option<(usize, f64)>,
    Option<f64>,
);

fn candidates(kind: Pole, s: f64, tol: f64) -> Candidates {
    let poles = plan_cost(kind, 0.0, s, tol, false);
    let moments = narrow::orders(kind.narrow(), s, tol).map(|n| (n, narrow_cost(n)));
    let best = (poles.map(|p| p.2).into_iter())
        .chain(moments.map(|m| m.1))
        .reduce(f64::min);
    (poles, moments, best)
}

/// Whether the Fourier integral, of estimated cost `estimate` (ns), is offered against the best
/// of the other two forms: where that one declines, or costs over `FOURIER_FROM` and more than
/// the estimate. (Building it costs an `exp` and a `sinh` per term, which a pair's hundred
/// evaluations do not repay against a cheap pole plan; measured, the NTK of a tanh network at
/// n = 64, `kernel/ntk-tanh-erf:1-depth2/n64`: 81 ms offering it always, 67-72 ms offering it
/// only above 300 ns or without it.)
fn offer_fourier(best: Option<f64>, estimate: f64) -> bool {
    best.is_none_or(|b| b > FOURIER_FROM && estimate < b)
}

/// See [`offer_fourier`].
const FOURIER_FROM: f64 = 300.0;

/// Modelled cost (ns) of one evaluation of a [`narrow::Fourier`] plan of `n` terms (a
/// `sin_cos` and a complex rotation per term, and an `erf` for tanh; measured 60-250 ns for
/// 26-120 terms).
fn fourier_cost(n: usize) -> f64 {
    30.0 + 2.3 * n as f64
}

/// The forms for a Gaussian wide against the pole spacing (`narrow.rs`).
#[derive(Clone, Debug)]
pub(crate) enum Wide {
    /// The moment expansion with `n` orders.
    Moments(usize),
    /// The Fourier integral by the trapezoid rule.
    Fourier(narrow::Fourier),
}

/// [`plan`] with its modelled cost in nanoseconds; `odd_gain: false` leaves out the factor
/// `|m| / (dist/2)` of the odd tanh (a plan valid for every `|m| <= 9 s`).
pub(crate) fn plan_cost(
    kind: Pole,
    m: f64,
    s: f64,
    tol: f64,
    odd_gain: bool,
) -> Option<(usize, usize, f64)> {
    let off = (m.abs() - 9.0 * s).max(0.0);
    let mut best: Option<(usize, usize, f64)> = None;
    for nn in 0..=N_MAX {
        let fixed = 60.0 * nn as f64;
        if best.is_some_and(|b| fixed >= b.2) {
            break;
        }
        let c = PI * (nn as f64 + 0.5);
        let dist = off.hypot(c);
        // Bound of the remainder on the disks: |tanh|, |sech^2| <= 2 on |Im x| <= c_0/2 away
        // from the real axis' neighbourhood of a pole, plus the removed terms (each at most
        // 2 / (c_N - c_n) there); for the odd tanh the error is an odd analytic function of m,
        // so by Schwarz's lemma it is at most |m| / (dist/2) times the bound for |m| < dist/2.
        let mut big_m = 2.0 + 2.0 * nn as f64;
        if kind == Pole::Tanh && odd_gain {
            big_m *= (2.0 * m.abs() / dist).min(1.0);
        }
        if big_m == 0.0 {
            return Some((0, 1, 12.0));
        }
        // Rounding: the removed terms and their expectations are of size 2|m|/(m^2 + c_0^2)
        // (tanh) or 2/(m^2 + c_0^2) (sech^2) each, and cancel where f is small (sech^2 far
        // out); allow up to 8 tol of rounding at 2e-16 of their sum.
        if nn > 0 {
            let c0 = 0.5 * PI;
            let size = match kind {
                // (At most 1/c_0, at |m| = c_0: the bound of a uniform plan.)
                Pole::Tanh if !odd_gain => 1.0 / c0,
                Pole::Tanh => 2.0 * m.abs() / (m * m + c0 * c0),
                Pole::Sech2 => 2.0 / (m * m + c0 * c0),
            };
            if 2e-16 * nn as f64 * size > 8.0 * tol {
                break;
            }
        }
        // Two error models, the smaller order wins: the Taylor (Cauchy) bound of `panel.rs`,
        // `4 M n! q^(2n)`, `q = 2 s / dist` (narrow Gaussians), and the strip model
        // `32 M exp(d^2/8 - d sqrt(2n))`, `d = dist / s` the half-width of the strip of
        // analyticity in z units (fitted to the sech^2 and tanh remainders at s = 0.1..4,
        // N = 0..3, m = 0..2, n = 4..24 against mpmath: the actual truncation errors are at
        // most 17 times exp(d^2/8 - d sqrt(2n)) (d = 10.5, N = 0), far below it at d < 3 and
        // d > 13, where they sit at the rounding floor).
        let q = 2.0 * s / dist;
        let taylor = gh_order_max(q, tol / (4.0 * big_m), GH_MAX);
        let d = dist / s;
        let l = ((32.0 * big_m / tol).ln().max(0.0) + 0.125 * d * d) / d;
        let strip = ((0.5 * l * l).ceil() as usize).max(1);
        let order = match taylor {
            Some(t) => Some(t.min(strip)),
            None => (strip <= GH_MAX).then_some(strip),
        };
        if let Some(n) = order {
            let cost = fixed + n as f64 * (NODE_NS + 3.0 * nn as f64);
            if best.is_none_or(|b| cost < b.2) {
                best = Some((nn, n, cost));
            }
        }
    }
    best
}

/// Sum of the removed terms at `m + a` and `m - a` (`t_n` or `u_n`, `n < nn`), in a form that
/// keeps the relative accuracy of the odd `t_n` sum at small `m`.
#[inline]
fn removed_pair(kind: Pole, nn: usize, m: f64, a: f64) -> f64 {
    let mut r = 0.0;
    for j in 0..nn {
        let c = PI * (j as f64 + 0.5);
        let c2 = c * c;
        match kind {
            Pole::Tanh => {
                let (lo, hi) = ((m - a) * (m - a) + c2, (m + a) * (m + a) + c2);
                r += 4.0 * m * ((m - a) * (m + a) + c2) / (lo * hi);
            }
            Pole::Sech2 => {
                for x in [m - a, m + a] {
                    let d = x * x + c2;
                    r += 2.0 * (c - x) * (c + x) / (d * d);
                }
            }
        }
    }
    r
}

/// `E[f(m + s Z)]`, `Z ~ N(0, 1)`, to the absolute tolerance `tol` (see the module docs), or
/// `None` when no plan meets it (`s` wide against the pole spacing, or a `tol` below what the
/// error model can certify).
pub(crate) fn pole_gauss(kind: Pole, m: f64, s: f64, tol: f64) -> Option<f64> {
    if s == 0.0 || (kind == Pole::Tanh && m == 0.0) {
        // (E[tanh(sZ)] = 0 by symmetry.)
        return Some(value(kind, m));
    }
    if !(s > 0.0 && s.is_finite() && m.is_finite() && tol > 0.0) {
        return None;
    }
    // A wide Gaussian: the moment expansion (where it applies the pole plan is dearer or
    // declines).
    if let Some(n) = narrow::orders(kind.narrow(), s, tol) {
        return Some(narrow::eval(kind.narrow(), m, s, n));
    }
    let (nn, n) = plan(kind, m, s, tol)?;
    Some(pole_gauss_with(kind, m, s, nn, n))
}

/// `E[f(m + s Z)]`, `s > 0`, with `nn` pole pairs in closed form and the `n`-point
/// Gauss-Hermite rule on the remainder (a plan of [`uniform`] or [`pole_gauss`]).
pub(crate) fn pole_gauss_with(kind: Pole, m: f64, s: f64, nn: usize, n: usize) -> f64 {
    Plan::new(s, nn, n).eval(kind, m)
}

/// A plan with its node data, for repeated evaluation at one `s` (one pair): the half-nodes
/// `a_i = s |z_i|`, their weights, and `cosh(2 a_i)`-type factors `e^(2 a_i) + e^(-2 a_i)` and
/// `e^(-2 a_i)`, so that an evaluation costs one `exp` and one `expm1` of `m` besides the
/// Faddeeva calls.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    s: f64,
    nn: usize,
    /// `(a_i, w_i, e^(-2 a_i), min(e^(2 a_i) + e^(-2 a_i), 1e300))` for the node pairs.
    pairs: Vec<(f64, f64, f64, f64)>,
    /// The weight of the middle node `z = 0` (odd orders), else 0.
    mid: f64,
    /// One of the wide forms (`narrow.rs`) instead, if any.
    wide: Option<Wide>,
}

impl Plan {
    /// The plan `(nn, n)` at width `s`.
    pub(crate) fn new(s: f64, nn: usize, n: usize) -> Self {
        let (z, wt) = gh(n);
        // Symmetric nodes: pair z and -z (the rule's nodes are sorted; take |z|).
        let pairs = (0..n / 2)
            .map(|i| {
                let a = s * z[i].abs();
                let e = (-2.0 * a).exp();
                (a, wt[i], e, (e + 1.0 / e).min(1e300))
            })
            .collect();
        let mid = if n % 2 == 1 { wt[n / 2] } else { 0.0 };
        Self {
            s,
            nn,
            pairs,
            mid,
            wide: None,
        }
    }

    /// A plan of one of the wide forms at width `s`.
    pub(crate) fn with(s: f64, wide: Wide) -> Self {
        Self {
            s,
            nn: 0,
            pairs: Vec::new(),
            mid: 0.0,
            wide: Some(wide),
        }
    }

    /// `E[f(m + s Z)]`. Evaluated at `|m|` (tanh is odd, sech^2 even); with `P = e^(-2|m|)`:
    /// `tanh(m + a) + tanh(m - a) = 2 (1 - P^2)/(1 + P (e^(2a) + e^(-2a)) + P^2)` (`1 - P^2` by
    /// `expm1`, so small `m` keeps its relative accuracy) and `sech^2(m +- a) = 4q/(1 + q)^2`
    /// with `q = P e^(-+2a)`, replaced by `1/q` when above 1 (the form is symmetric in them).
    pub(crate) fn eval(&self, kind: Pole, m: f64) -> f64 {
        match &self.wide {
            Some(Wide::Moments(n)) => return narrow::eval(kind.narrow(), m, self.s, *n),
            Some(Wide::Fourier(f)) => return f.eval(m),
            None => {}
        }
        if m.abs() > 1e100 {
            // (`s` is at most a few units wherever a plan exists: the expectation is +-1 or
            // underflows to 0; the rational terms below would overflow.)
            return value(kind, m);
        }
        let (sign, m) = match kind {
            Pole::Tanh => (m.signum(), m.abs()),
            Pole::Sech2 => (1.0, m.abs()),
        };
        if m == 0.0 && kind == Pole::Tanh {
            return 0.0;
        }
        let s = self.s;
        let mut sum = 0.0;
        let r = FRAC_1_SQRT_2 / s;
        for j in 0..self.nn {
            let c = PI * (j as f64 + 0.5);
            let (w, zw) = faddeeva_zw(m * r, c * r);
            sum += match kind {
                Pole::Tanh => SQRT_2PI * w.1 / s,
                Pole::Sech2 => -2.0 * SQRT_PI * zw.1 / (s * s),
            };
        }
        let p = (-2.0 * m).exp();
        let one_m_p2 = -(-4.0 * m).exp_m1();
        let mut rem = 0.0;
        for &(a, w, e, ch) in &self.pairs {
            let f = match kind {
                Pole::Tanh => 2.0 * one_m_p2 / (1.0 + p * ch + p * p),
                Pole::Sech2 => {
                    let q1 = p * e;
                    let q2 = if e > 0.0 { p / e } else { f64::INFINITY };
                    let q2 = if q2 > 1.0 { 1.0 / q2 } else { q2 };
                    4.0 * q1 / ((1.0 + q1) * (1.0 + q1)) + 4.0 * q2 / ((1.0 + q2) * (1.0 + q2))
                }
            };
            rem += w * (f - removed_pair(kind, self.nn, m, a));
        }
        if self.mid != 0.0 {
            rem += self.mid * (value(kind, m) - 0.5 * removed_pair(kind, self.nn, m, 0.0));
        }
        sign * (sum + rem)
    }
}

/// A rough magnitude of `E[f(m + s Z)]` (the scale of [`pole_gauss`]'s relative tolerance when
/// used on its own): the probit approximation `E[tanh] ~ erf(b m / sqrt(1 + 2 b^2 s^2))`,
/// `b = sqrt(pi)/2`, and its derivative for `sech^2`, whichever is smaller than the exact
/// value at the centre; never above the true order of magnitude, so the tolerance is strict.
pub(crate) fn magnitude(kind: Pole, m: f64, s: f64) -> f64 {
    let g = 1.0 + 0.5 * PI * s * s;
    match kind {
        Pole::Tanh => 0.5 * crate::numeric::erf(0.5 * SQRT_PI * m / g.sqrt()).abs(),
        Pole::Sech2 => {
            let gauss = (-0.25 * PI * m * m / g).exp() / g.sqrt();
            // The tails of sech^2 (4 exp(-2|x|)) dominate far out: E >= 0.997 sech^2(|m| + 3s).
            0.25 * gauss.max(sech2(m.abs() + 3.0 * s))
        }
    }
}

impl Func {
    /// `f(x) = v poles::value(kind, r x)` for the functions with a pole-expansion form
    /// (`tanh`: `(Tanh, 1, 1)`; `tanh' = sech^2`: `(Sech2, 1, 1)`; the sigmoid(k) surrogate
    /// `k s(kx)(1 - s(kx)) = (k/4) sech^2(kx/2)`: `(Sech2, k/2, k/4)`).
    pub(crate) fn pole(&self) -> Option<(Pole, f64, f64)> {
        match self {
            Self::Act(Activation::Tanh) => Some((Pole::Tanh, 1.0, 1.0)),
            Self::Smooth(Derivative::True(Activation::Tanh)) => Some((Pole::Sech2, 1.0, 1.0)),
            Self::Smooth(Derivative::Surrogate(Surrogate::Sigmoid(k))) => {
                Some((Pole::Sech2, 0.5 * k.get(), 0.25 * k.get()))
            }
            _ => None,
        }
    }

    /// Whether `self` inside, at conditional standard deviation `tau`, has a much cheaper
    /// uniform plan than `other` at `tau_other`, both pole forms: under half its width (checked
    /// first: the cost models are not free; within a factor 2 the costs are alike) and under a
    /// quarter of its modelled cost ([`uniform_cost`]).
    pub(crate) fn much_cheaper_plan(&self, tau: f64, other: &Func, tau_other: f64) -> bool {
        let (Some((kf, rf, vf)), Some((kg, rg, vg))) = (self.pole(), other.pole()) else {
            return false;
        };
        let (xf, xg) = (rf * tau, rg * tau_other);
        if xf >= 0.5 * xg {
            return false;
        }
        let cost = |kind, x: f64, v: f64| uniform_cost(kind, x.max(1e-300), 1e-16 / v);
        matches!((cost(kf, xf, vf), cost(kg, xg, vg)), (Some(a), Some(b)) if 4.0 * a < b)
    }

    /// [`Self::closed_1d`] for the pole-expansion functions to the absolute tolerance `tol`
    /// (`None`: relative to [`magnitude`], 1e-15); `None` when the form declines.
    pub(crate) fn pole_1d(&self, mu: f64, tau: f64, tol: Option<f64>) -> Option<f64> {
        let (kind, r, v) = self.pole()?;
        let (m, s) = (r * mu, r * tau);
        let tol = match tol {
            Some(t) => t / v,
            None => 1e-15 * magnitude(kind, m, s),
        };
        pole_gauss(kind, m, s, tol).map(|e| v * e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `faddeeva_zw` against 30-digit mpmath (`test_data/faddeeva_zw.csv`, written by
    /// `make_poles_1d.py`): each component of `w` within 2e-15 of `Re w(iy) = erfcx(y)` (the
    /// peak over x, >= |w|: the accuracy `faddeeva_re` has), of `z w - i/sqrt(pi)` within 2e-15
    /// of `max(|z w - i/sqrt(pi)|, |z| erfcx(y))` (inside `|z| < 7` it is formed directly, a
    /// cancellation of up to `|z|^2 < 49` ulps of its modulus).
    #[test]
    fn faddeeva_complex_matches_mpmath() {
        let (mut ew, mut ez): (f64, f64) = (0.0, 0.0);
        for v in crate::test_rows("faddeeva_zw.csv") {
            let (w, zw) = faddeeva_zw(v[0], v[1]);
            // Scales: Weideman's error is absolute against the peak Re w(iy) = erfcx(y) >= |w|,
            // and `z w` carries |z| times it.
            let peak = crate::numeric::erfcx(v[1]).max(v[2].hypot(v[3]));
            let (mw, mz) = (peak, v[4].hypot(v[5]).max(v[0].hypot(v[1]) * peak));
            let e1 = (w.0 - v[2]).abs().max((w.1 - v[3]).abs()) / mw;
            let e2 = (zw.0 - v[4]).abs().max((zw.1 - v[5]).abs()) / mz;
            assert!(
                e1 < 2e-15 && e2 < 2e-15,
                "{v:?}: {w:?} {zw:?} ({e1:e}, {e2:e})"
            );
            ew = ew.max(e1);
            ez = ez.max(e2);
        }
        eprintln!("faddeeva_zw: worst {ew:e} (w), {ez:e} (z w - i/sqrt pi)");
    }

    /// No NaN at huge means (the rational terms would overflow).
    #[test]
    fn huge_means() {
        for m in [1e150, -1e200, 1e300] {
            let t = pole_gauss_with(Pole::Tanh, m, 0.5, 2, 12);
            let u = pole_gauss_with(Pole::Sech2, m, 0.5, 2, 12);
            assert!((t - m.signum()).abs() < 1e-300 && u == 0.0, "{m}: {t} {u}");
        }
    }

    /// Check of the pole expansions themselves at a few points (1e-14: the partial sums up to
    /// 2e6 terms plus the integral of the tail).
    #[test]
    fn pole_sums() {
        for x in [0.0, 0.3, -1.7, 4.0] {
            let (mut t, mut u) = (0.0, 0.0);
            let nmax = 2_000_000;
            for n in (0..nmax).rev() {
                let c = PI * (n as f64 + 0.5);
                t += 2.0 * x / (x * x + c * c);
                u += 2.0 * (c * c - x * x) / ((x * x + c * c) * (x * x + c * c));
            }
            // Tails: sum_{n >= N} 2x/c_n^2 ~ 2x/(pi^2 N), sum 2/c_n^2 ~ 2/(pi^2 N).
            let tail = 2.0 / (PI * PI * nmax as f64);
            assert!((t + x * tail - x.tanh()).abs() < 1e-12, "tanh({x})");
            assert!((u + tail - sech2(x)).abs() < 1e-12, "sech2({x})");
        }
    }
}
#[cfg(test)]
mod cost {
    use super::*;

    /// Prints the plan and the measured time per call at a few widths and tolerances (the
    /// data behind `POLE_COST` in `quad.rs`; run with `--ignored --nocapture`).
    #[test]
    #[ignore]
    fn plan_costs() {
        for kind in [Pole::Tanh, Pole::Sech2] {
            for s in [0.1, 0.2, 0.3, 0.44, 0.6, 0.9, 1.2, 2.0, 3.0] {
                for tol in [1e-16, 1e-14] {
                    let p = plan_cost(kind, 0.0, s, tol, false);
                    let Some((nn, n, _)) = p else { continue };
                    // One plan, evaluated at many means (as inside a pair).
                    let plan = Plan::new(s, nn, n);
                    let t = std::time::Instant::now();
                    let mut acc = 0.0;
                    for i in 0..100000 {
                        acc += plan.eval(kind, (i % 17) as f64 * 0.5 - 4.0);
                    }
                    eprintln!(
                        "{kind:?} s {s} tol {tol:e}: {p:?} {:.0} ns ({acc:.3})",
                        t.elapsed().as_nanos() as f64 / 1e5
                    );
                }
            }
        }
    }
}

//! `E[f(m + s Z)]`, `Z ~ N(0, 1)`, for `f = sech^2 = tanh'` and `f = tanh` when the Gaussian is
//! wide against the function's scale (`docs/gauss.md`, section 4): the expansion in the
//! moments of the logistic distribution, the complement of the pole expansion (`poles.rs`), whose
//! cost grows with `s` (the sigmoid(k) surrogate is `(k/4) sech^2(k x/2)`, so sigmoid:25 at
//! conditional standard deviation 0.3 has `s = 3.8`).
//!
//! `sech^2(y)/2` is the logistic density of scale `1/2`, whose even moments are
//! `E[X^(2j)] = (2j)! 2 eta(2j) / 2^(2j)` (`eta` the Dirichlet eta function, `2 eta(0) = 1`).
//! Expanding `phi_s(y - m)` in Taylor series about `y = 0` (its derivatives are
//! `He_n(x) phi(x)/s^(n+1)`, `x = m/s`, up to sign),
//!
//! `E[sech^2(m + s Z)] = (2 phi(x)/s) sum_(j >= 0) 2 eta(2j) He_(2j)(x) / (2s)^(2j)`,
//!
//! and with `tanh = sign - d`, `d(y) = sign(y) 2/(1 + e^(2|y|))`, whose odd moments are
//! `int y^(2j+1) d(y) dy = (2j+1)! 4 eta(2j+2) / 2^(2j+2)`,
//!
//! `E[tanh(m + s Z)] = erf(x/sqrt 2) - (2 phi(x)/s) sum_(j >= 0) eta(2j+2) He_(2j+1)(x) / (2s)^(2j+1)`.
//!
//! Both series are asymptotic (the terms grow like `sqrt(n!)/(2s)^n` beyond `n ~ 4 s^2`), but the
//! Taylor remainder after the terms of order below `n` is at most `E|X|^n/n! sup|phi_s^(n)|`, and
//! Cramer's inequality `|He_n(x)| exp(-x^2/4) <= K sqrt(n!)`, `K = 1.086435`, makes that
//! `(2/s) c_n K sqrt(n!) / ((2s)^n sqrt(2 pi))` (`c_n` the moment coefficient above), uniformly in
//! `m`: the sum stops at the first order where this bound is below the tolerance, and the form
//! declines where the bound never gets there (from `2s >= 9` on it reaches 1e-17 of `1/s`).

use std::sync::OnceLock;

use crate::numeric::{INV_SQRT_2PI, erf};

/// Cramer's constant: `|He_n(x)| exp(-x^2/4) <= K sqrt(n!)` for all real `x`.
const K: f64 = 1.086_435;
/// Highest order of the expansion.
const N_MAX: usize = 120;

/// `eta(n)` for `n = 0 ..= N_MAX + 2` (`eta(0) = 1/2`, `eta(1) = ln 2`): the closed forms
/// `eta(2j) = (1 - 2^(1-2j)) zeta(2j)` for `2j <= 8`, else the alternating sum, whose tail
/// beyond 200 terms is below `201^-10 < 1e-23`.
fn eta() -> &'static [f64; N_MAX + 3] {
    static T: OnceLock<[f64; N_MAX + 3]> = OnceLock::new();
    T.get_or_init(|| {
        use std::f64::consts::PI;
        let p2 = PI * PI;
        std::array::from_fn(|n| match n {
            0 => 0.5,
            1 => std::f64::consts::LN_2,
            2 => p2 / 12.0,
            4 => 7.0 * p2 * p2 / 720.0,
            6 => 31.0 * p2 * p2 * p2 / 30240.0,
            8 => 127.0 * p2 * p2 * p2 * p2 / 1_209_600.0,
            _ => {
                // Alternating sum, largest terms last for accuracy: eta(n) = sum (-1)^(i-1) i^-n,
                // i <= 200 (the tail is below 201^-n < 1e-21 for n >= 10; n = 3, 5, 7, 9 are not
                // used).
                (1..=200)
                    .rev()
                    .map(|i| {
                        let t = (i as f64).powi(-(n as i32));
                        if i % 2 == 1 { t } else { -t }
                    })
                    .sum()
            }
        })
    })
}

/// The two functions of this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `sech^2`: even orders `n = 2j`, coefficient `2 eta(2j)` (`1` at `j = 0`).
    Sech2,
    /// `tanh - sign`: odd orders `n = 2j + 1`, coefficient `-eta(2j + 2)`.
    Tanh,
}

impl Kind {
    /// The coefficient of `He_n(x)/(2s)^n` in the sum (times `2 phi(x)/s`).
    fn coef(self, n: usize) -> f64 {
        let e = eta();
        match self {
            Kind::Sech2 if n == 0 => 1.0,
            Kind::Sech2 => 2.0 * e[n],
            Kind::Tanh => -e[n + 1],
        }
    }
    /// The first order of the sum.
    fn first(self) -> usize {
        match self {
            Kind::Sech2 => 0,
            Kind::Tanh => 1,
        }
    }
}

/// The number of orders (the last order used plus 2) for which the remainder bound is below
/// `tol` at width `s`, or `None`.
pub(crate) fn orders(kind: Kind, s: f64, tol: f64) -> Option<usize> {
    if !(s > 0.0 && s.is_finite() && tol > 0.0) {
        return None;
    }
    let inv = 1.0 / (2.0 * s);
    // bound(n) = (2/s) |coef|(n) K sqrt(n!) inv^n / sqrt(2 pi), for the orders of this kind.
    let mut sqrt_fact_pow = 1.0; // sqrt(n!) inv^n
    let mut prev = f64::INFINITY;
    for n in 0..=N_MAX {
        if n > 0 {
            sqrt_fact_pow *= (n as f64).sqrt() * inv;
        }
        if n < kind.first() || (n - kind.first()) % 2 == 1 {
            continue;
        }
        let b = 2.0 / s * kind.coef(n).abs() * K * sqrt_fact_pow * INV_SQRT_2PI;
        if b <= tol {
            return Some(n);
        }
        if b > prev {
            return None; // past the smallest term of the asymptotic series
        }
        prev = b;
    }
    None
}

/// `E[f(m + s Z)]` with the orders below `n` ([`orders`]).
pub(crate) fn eval(kind: Kind, m: f64, s: f64, n: usize) -> f64 {
    let x = m / s;
    let inv = 1.0 / (2.0 * s);
    // He_0 = 1, He_1 = x, He_(i+1) = x He_i - i He_(i-1); p = inv^i.
    let (mut h0, mut h1) = (1.0, x);
    let mut p = 1.0;
    let mut sum = 0.0;
    for i in 0..n {
        let h = if i == 0 { h0 } else { h1 };
        if i >= kind.first() && (i - kind.first()) % 2 == 0 {
            sum += kind.coef(i) * h * p;
        }
        if i > 0 {
            let h2 = x * h1 - i as f64 * h0;
            h0 = h1;
            h1 = h2;
        }
        p *= inv;
    }
    let g = 2.0 * INV_SQRT_2PI * (-0.5 * x * x).exp() / s * sum;
    match kind {
        Kind::Sech2 => g,
        Kind::Tanh => erf(x * std::f64::consts::FRAC_1_SQRT_2) + g,
    }
}

/// `E[sech^2(m + s Z)]` and `E[tanh(m + s Z)]` by their Fourier integrals, for the widths
/// between the pole expansion and the moment expansion (`s` about 1.3 to 4.5). With `sech^2`'s
/// transform `pi w / sinh(pi w/2)`,
///
/// `E[sech^2] = (1/pi) int_0^inf g(w) cos(w m) dw`, `g(w) = pi w / sinh(pi w/2) exp(-s^2 w^2/2)`,
///
/// and with `tanh = sign - d` (`d` odd, `d(y) = 2/(1 + e^(2y))` for `y > 0`, transform
/// `-i (2/w - pi/sinh(pi w/2))`),
///
/// `E[tanh] = erf(m/(s sqrt 2)) - (1/pi) int_0^inf G(w) sin(w m) dw`,
/// `G(w) = (2/w - pi/sinh(pi w/2)) exp(-s^2 w^2/2)`,
///
/// each by the trapezoid rule of step `h`, which by Poisson's formula is exactly the sum of the
/// expectation (of `sech^2`, of `d`) over the means `m + 2 pi n/h`: with `2 pi/h = 2 D` and the
/// expectation below `tol/10` beyond `|m| = D` (`E <= 8 exp(2 s^2 - 2|m|)` from the tails
/// `4 exp(-2|y|)` (`2 exp(-2|y|)` for `d`), and `E <= 2 Phi(-|m|/(2s)) + 4 exp(-|m|)`, half the
/// Gaussian's mass within `|m|/2` of its centre), the images add below `tol/5` for `|m| < D`;
/// beyond `D` the expectation is 0 (`erf` for tanh) to `tol`. The sum stops where the weights
/// fall below `tol/100` (`g` decreases; `G` rises to a peak below `w = 2` and then decreases, so
/// the stop waits for `w > 4`).
#[derive(Clone, Debug)]
pub(crate) struct Fourier {
    kind: Kind,
    /// The width `s`.
    s: f64,
    /// The step `h`.
    h: f64,
    /// `D`.
    d: f64,
    /// The weights `h g(j h)/pi` (halved at `j = 0`), or `h G(j h)/pi` (`j >= 1`).
    w: Vec<f64>,
}

/// Most terms of a [`Fourier`] plan.
const FOURIER_MAX: usize = 400;

impl Fourier {
    /// The plan at width `s` for the absolute tolerance `tol`, or `None` if it would need more
    /// than `FOURIER_MAX` terms.
    pub(crate) fn new(kind: Kind, s: f64, tol: f64) -> Option<Self> {
        use std::f64::consts::PI;
        if !(s > 0.0 && s.is_finite() && tol > 0.0 && tol < 1.0) {
            return None;
        }
        if Self::estimate(kind, s, tol) > FOURIER_MAX as f64 {
            return None;
        }
        let d = Self::reach(s, 0.1 * tol);
        let h = PI / d;
        let weight = |w: f64| {
            let x = 0.5 * PI * w;
            let gauss = (-0.5 * s * s * w * w).exp();
            match kind {
                Kind::Sech2 if x == 0.0 => 2.0,
                Kind::Sech2 => 2.0 * x / x.sinh() * gauss,
                // 2/w - pi/sinh(pi w/2) = (2/w)(sinh x - x)/sinh x, with sinh x - x by its
                // series (positive terms, x^(2k+1)/(2k+1)!, k = 1..10: below 1e-19 of the sum
                // for x < 1) where the difference would cancel.
                Kind::Tanh => {
                    let sh = x.sinh();
                    let diff = if x < 1.0 {
                        let x2 = x * x;
                        let (mut t, mut sum) = (x, 0.0);
                        for k in 1..=10 {
                            t *= x2 / ((2 * k) as f64 * (2 * k + 1) as f64);
                            sum += t;
                        }
                        sum
                    } else {
                        sh - x
                    };
                    (2.0 / w) * (diff / sh) * gauss
                }
            }
        };
        let mut w = vec![match kind {
            Kind::Sech2 => h / PI,
            Kind::Tanh => 0.0,
        }];
        for j in 1..=FOURIER_MAX {
            let t = h * weight(j as f64 * h) / PI;
            if t < 0.01 * tol && (kind == Kind::Sech2 || j as f64 * h > 4.0) {
                return Some(Self { kind, s, h, d, w });
            }
            w.push(t);
        }
        None
    }

    /// `D`: the smaller of the two bounds' solutions for `E <= eps` (`8 exp(2 s^2 - 2m)`, and
    /// `2 Phi(-m/(2s)) + 4 exp(-m) <= exp(-m^2/(8 s^2)) + 4 exp(-m)`, each term at most
    /// `eps/2`).
    fn reach(s: f64, eps: f64) -> f64 {
        let tail = s * s + 0.5 * (8.0 / eps).ln();
        let gauss = (8.0 / eps)
            .ln()
            .max(2.0 * std::f64::consts::SQRT_2 * s * (2.0 / eps).ln().sqrt());
        tail.min(gauss)
    }

    /// The number of terms a plan at width `s` would have (estimated without building it:
    /// the weights are at most `2 exp(-s^2 w^2/2)`, and for `sech^2` at most
    /// `2 pi w exp(-pi w/2)`).
    pub(crate) fn estimate(kind: Kind, s: f64, tol: f64) -> f64 {
        let d = Self::reach(s, 0.1 * tol);
        let l = (200.0 / tol).ln();
        let gauss = (2.0 * l).sqrt() / s;
        let w = match kind {
            Kind::Sech2 => gauss.min(2.0 * (l + 4.0) / std::f64::consts::PI),
            Kind::Tanh => gauss.max(4.0),
        };
        w * d / std::f64::consts::PI
    }

    /// The number of terms.
    pub(crate) fn len(&self) -> usize {
        self.w.len()
    }

    /// `E[sech^2(m + s Z)]` or `E[tanh(m + s Z)]`.
    pub(crate) fn eval(&self, m: f64) -> f64 {
        let sign = match self.kind {
            Kind::Sech2 => 0.0,
            Kind::Tanh => erf(m / self.s * std::f64::consts::FRAC_1_SQRT_2),
        };
        if m.abs() >= self.d {
            return sign;
        }
        // cos(j theta), sin(j theta) by complex rotation (error about j ulps; the weights fall
        // off fast).
        let (sn, cs) = (self.h * m).sin_cos();
        let (mut re, mut im) = (1.0, 0.0);
        let (mut cos_sum, mut sin_sum) = (0.0, 0.0);
        for &w in &self.w {
            cos_sum += w * re;
            sin_sum += w * im;
            (re, im) = (re * cs - im * sn, re * sn + im * cs);
        }
        match self.kind {
            Kind::Sech2 => cos_sum,
            Kind::Tanh => sign - sin_sum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `E[f(m + s Z)]` by composite 16-point Gauss-Legendre on panels of width at most 1/4
    /// over `m +- 12 s`, split at 0 (`sech^2` and `tanh` have their poles at `+-i pi/2`, two
    /// panel widths off the axis, so each panel is exact to rounding; the Gaussian beyond 12 s
    /// is below 1e-31). For `tanh` the rule integrates the small `tanh - sign`, kinked at 0,
    /// and adds `E[sign] = erf(x/sqrt 2)`, so that rounding stays at the scale of that part.
    fn reference(kind: Kind, m: f64, s: f64) -> f64 {
        let (z, w) = crate::rules::legendre(16);
        let (lo, hi) = (m - 12.0 * s, m + 12.0 * s);
        let mut sum = 0.0;
        for (a, b) in [(lo, hi.min(0.0)), (lo.max(0.0), hi)] {
            if b <= a {
                continue;
            }
            let panels = ((b - a) / 0.25).ceil() as usize;
            let h = (b - a) / panels as f64;
            for p in 0..panels {
                let c = a + (p as f64 + 0.5) * h;
                for (&zi, &wi) in z.iter().zip(&w) {
                    let y = c + 0.5 * h * zi;
                    let f = match kind {
                        Kind::Sech2 => 1.0 / y.cosh().powi(2),
                        Kind::Tanh => y.tanh() - y.signum(),
                    };
                    let t = (y - m) / s;
                    sum += 0.5 * h * wi * f * INV_SQRT_2PI * (-0.5 * t * t).exp() / s;
                }
            }
        }
        match kind {
            Kind::Sech2 => sum,
            Kind::Tanh => erf(m / s * std::f64::consts::FRAC_1_SQRT_2) + sum,
        }
    }

    /// Against direct quadrature, `2s` from 9 to 16, means up to 12 standard deviations:
    /// within the tolerance asked, 1e-15 absolute (both functions are bounded by 1; the
    /// quadrature's own rounding is about 1e-16); also against the pole expansion
    /// (`poles::pole_gauss_with`) where a plan exists (only far in the tails here: the plans
    /// decline from `2s ~ 9` on, where this form takes over).
    #[test]
    fn matches_quadrature_and_pole_form() {
        use crate::poles::{Pole, plan_cost, pole_gauss_with};
        let (mut worst, mut worst_pole, mut n_pole): (f64, f64, usize) = (0.0, 0.0, 0);
        for (kind, pole) in [(Kind::Sech2, Pole::Sech2), (Kind::Tanh, Pole::Tanh)] {
            for i in 0..=14 {
                let s = 4.5 + 0.25 * i as f64;
                let n = orders(kind, s, 1e-16).expect("the form applies from 2s = 9");
                for j in 0..=48 {
                    let m = s * (-12.0 + 0.5 * j as f64);
                    let a = eval(kind, m, s, n);
                    let b = reference(kind, m, s);
                    worst = worst.max((a - b).abs());
                    assert!((a - b).abs() < 1e-15, "{kind:?} s={s} m={m}: {a} vs {b}");
                    let plan = plan_cost(pole, m, s, 1e-16, true);
                    if let Some(c) = plan.map(|p| pole_gauss_with(pole, m, s, p.0, p.1)) {
                        n_pole += 1;
                        worst_pole = worst_pole.max((a - c).abs());
                        assert!((a - c).abs() < 1e-15, "{kind:?} s={s} m={m}: {a} vs {c}");
                    }
                }
            }
        }
        eprintln!(
            "narrow vs quadrature: worst {worst:e}; vs pole form: {n_pole} values, worst {worst_pole:e}"
        );
    }

    /// The Fourier plans against the same quadrature, `s` from 0.5 to 6, means up to 15
    /// standard deviations (beyond `D` for the wider ones): within 1e-15 absolute.
    #[test]
    fn fourier_matches_quadrature() {
        let mut worst: f64 = 0.0;
        for kind in [Kind::Sech2, Kind::Tanh] {
            for i in 0..=22 {
                let s = 0.5 + 0.25 * i as f64;
                let f = Fourier::new(kind, s, 1e-16).expect("a plan");
                for j in 0..=60 {
                    let m = s * (-15.0 + 0.5 * j as f64);
                    let a = f.eval(m);
                    let b = reference(kind, m, s);
                    worst = worst.max((a - b).abs());
                    assert!((a - b).abs() < 1e-15, "{kind:?} s={s} m={m}: {a} vs {b}");
                }
            }
        }
        eprintln!("fourier vs quadrature: worst {worst:e}");
    }

    /// Where the form declines: the bound cannot reach 1e-16 below `2s = 8.5` or so.
    #[test]
    fn declines_when_narrow() {
        assert!(orders(Kind::Sech2, 2.0, 1e-16).is_none());
        assert!(orders(Kind::Tanh, 2.0, 1e-16).is_none());
        assert!(orders(Kind::Sech2, 4.5, 1e-16).is_some());
    }
}

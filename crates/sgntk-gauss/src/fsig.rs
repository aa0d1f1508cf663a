//! `E[fsig_k(mu + tau Z)]`, `Z ~ N(0, 1)`, for the fast-sigmoid surrogate
//! `fsig_k(x) = 1/(1 + k|x|)^2` (`docs/gauss.md`, section 4): the one-dimensional form that lets a
//! pair with a fast-sigmoid factor inside become a single outer integral.
//!
//! With `m = k mu`, `s = k tau` and `y = 1 + k|x|` the expectation is
//! `H = J(m) + J(-m)`, `J(m) = int_1^inf phi_s(y - 1 - m) y^-2 dy`, the two half lines of the
//! kink (`phi_s` the centred normal density of standard deviation `s`). It has no closed form in
//! the usual special functions (by parts it reduces to `int_1^inf phi_s(y - c)/y dy`, an
//! incomplete Goodwin-Staton integral). For `s >= 1` each half line is one of two cheap exact
//! forms: for `-2 s <= c <= 10 s` (`c = 1 + m`) the incomplete-gamma series [`half_series`],
//! whose coefficients depend on `s` alone and are tabulated once per `s`; for `-10 s <= c <
//! -2 s` (the Gaussian's centre left of the kink: the smaller half line) the solution
//! [`half_ode`] of the linear differential equations the half-line integrals satisfy in `c`,
//! with a Chebyshev interpolant per `s`. Each costs 0.05-0.3 us, so a pair's hundred inner
//! expectations share two small tables. For `s <= 1` with `1 + |m| >= 9 s` (the Gaussian
//! narrow against the distance of its centre from the pole at `y = 0`) both half lines are
//! Taylor expansions of `y^-2` against truncated Gaussian moments (`fsig_taylor.rs`, 0.1-0.3 us).
//! Elsewhere (`s < 1`, the centre within `9 s - 1` of the kink) each half line is a fixed
//! Gauss-Legendre sum on a short list of panels chosen from `(m, s)` alone: panels at most `ALPHA s` wide where the
//! Gaussian sets the scale (`BETA y >= ALPHA s`), else geometric in `y` (`y -> (1 + BETA) y`, nodes
//! uniform in `ln y`: the integrand `e^-v phi_s(e^v - c)` of `v = ln y` is entire, and `1/y^2`
//! varies on the scale `y`). The Gaussian is cut at `LT` standard deviations from its centre, or,
//! when the centre lies left of the kink (`m < 0`), where it has fallen by `exp(-LT^2/2)` from its
//! value at `y = 1`. Positions are carried as pairs `(y, y - c)`, both accumulated from exact
//! starts, so that neither `1/y^2` near the kink nor the Gaussian offset of a narrow Gaussian far
//! from it loses digits to cancellation. Every exponent is clamped at `-700` (`exp_fast`'s range;
//! the clamped terms are below `1e-304` of the result). Measured against 40-digit mpmath over
//! `s = 1e-4 .. 1e3`, `|m|` up to `1e6 s` (`test_data/fsig_1d.csv`): see the test below.

use std::sync::OnceLock;

use crate::numeric::{INV_SQRT_2PI, exp_fast};
use crate::rules::{gh, gh_order};

#[path = "fsig_taylor.rs"]
mod taylor;

/// Whether [`fsig_at`] at this `s = k tau` takes its panel rule near the kink (`1/TQ < s < 1`:
/// 0.4-0.6 us a value there; elsewhere the Taylor form or the series, 0.1-0.25 us).
pub(super) fn near_kink_panels(s: f64) -> bool {
    s * taylor::TQ > 1.0 && s < 1.0
}

/// Gauss-Legendre order per panel.
const N: usize = 24;
/// Widest panel, in standard deviations of the Gaussian.
const ALPHA: f64 = 8.0;
/// Widest panel relative to its left end `y` (the pole of `1/y^2` is at `y = 0`).
const BETA: f64 = 5.0;
/// Truncation of the Gaussian in standard deviations: the neglected mass is below
/// `2 Phi(-9) = 2.3e-19` of the integrand's scale.
const LT: f64 = 9.0;

/// The `N`-point Gauss-Legendre rule mapped to `[0, 1]`: nodes and weights.
fn rule() -> &'static ([f64; N], [f64; N]) {
    static R: OnceLock<([f64; N], [f64; N])> = OnceLock::new();
    R.get_or_init(legendre)
}

/// `(1 + BETA)^t - 1` at the nodes `t` of [`rule`]: the offsets `y ((1 + BETA)^t - 1)` of a full
/// geometric panel starting at `y`.
fn geometric() -> &'static [f64; N] {
    static R: OnceLock<[f64; N]> = OnceLock::new();
    R.get_or_init(|| rule().0.map(|t| ((1.0 + BETA).ln() * t).exp_m1()))
}

/// The `N`-point Gauss-Legendre rule of [`crate::rules`] mapped from `[-1, 1]` to `[0, 1]`.
fn legendre() -> ([f64; N], [f64; N]) {
    let (x, w) = crate::rules::legendre(N);
    (
        std::array::from_fn(|i| 0.5 * (1.0 + x[i])),
        std::array::from_fn(|i| 0.5 * w[i]),
    )
}

/// `E[1/(1 + k|mu + tau Z|)^2]`, `k > 0`, `tau > 0`; finite for every finite input.
pub(crate) fn fsig_at(k: f64, mu: f64, tau: f64) -> f64 {
    let (m, s) = (k * mu, k * tau);
    if !(s < 1e150 && m.is_finite()) {
        // Far outside every use (tau and mu come from variances below 1e300): the limits.
        return if s >= 1e150 { 0.0 } else { fsig_point(m) };
    }
    if s < 1e-100 {
        // A point mass, to relative error O(s).
        return fsig_point(m);
    }
    // The Gaussian entirely on one side of the kink (beyond LT standard deviations): a
    // Gauss-Hermite sum of the analytic branch `1/(1 + |m| + s z)^2`, whose pole lies
    // `R = (1 + |m|)/s` standard deviations away; the order from the error model `n! q^(2n)` of
    // `rules::gh_order`, `q = 2/R`. That model is pessimistic here: from `|m| >= 10 s` on
    // (`R > 10`) 24 nodes are used where it asks for more, justified by the cruder Taylor bound
    // `sum_(j >= n) (2j + 1) R^(-2j) (2j - 1)!!` (1.2e-16 at `R = 10`, `n = 24`). Checked against
    // mpmath: below 5e-16 wherever either applies (at `|m| = 9 s` 16 nodes err by up to 4e-14,
    // from the Gaussian mass beyond the kink, at `|m| = 10 s` by at most 4e-16). The nodes stay
    // within `|z| < 7`, on the Gaussian's side of the kink.
    let am = m.abs();
    if am >= LT * s {
        let q = 2.0 * s / (1.0 + am);
        let n = gh_order(q, 1e-16).or((am >= (LT + 1.0) * s).then_some(24));
        if let Some(n) = n {
            let (z, w) = gh(n);
            return z
                .iter()
                .zip(w)
                .map(|(&z, &w)| {
                    let d = 1.0 + (am + s * z).abs();
                    w / (d * d)
                })
                .sum();
        }
    }
    // A Gaussian narrow against the pole distance of its branch: Taylor expansions against
    // truncated moments (`fsig_taylor.rs`).
    if s <= 1.0 && 1.0 + am >= taylor::TQ * s {
        return taylor::fsig_taylor(am, s);
    }
    // The half line on the Gaussian's side first: the other one need only be accurate to
    // 1e-17 of it (`half_panels`' floor).
    let major = half(am, s, 0.0);
    (major + half(-am, s, 1e-17 * major)) * INV_SQRT_2PI / s
}

/// `1/(1 + |m|)^2`.
fn fsig_point(m: f64) -> f64 {
    let d = 1.0 + m.abs();
    1.0 / (d * d)
}

/// Widest Gaussian, relative to the pole distance, for which [`half`] uses panels on the near side
/// of the kink: from `s >= S_SERIES` on (and a centre `c = 1 + m` with `-R_NEG s <= c <= R_SERIES
/// s`) the incomplete-gamma series [`half_series`] is cheaper.
const S_SERIES: f64 = 1.0;
/// See [`S_SERIES`]: the series needs about `2 (c/s)^2 + 30` terms (230 at `c = 10 s`, about
/// 0.3 us with the tabulated coefficients, against 0.7-1.5 us for the panels there), and its
/// coefficients are scaled for `c/s <= Q_SCALE`.
const R_SERIES: f64 = 10.0;
/// Most negative `c/s` for the series: its terms alternate there, and the largest exceeds the
/// sum by about `exp(c^2/s^2)` (55 at `c = -2 s`, a loss of under two digits).
const R_NEG: f64 = 2.0;
/// Scale of the tabulated coefficients in `q = c/s` (`Q_SCALE >= R_SERIES + 1/S_SERIES`; a
/// power of 2, so that `q/Q_SCALE` is exact).
const Q_SCALE: f64 = 16.0;
/// The same scale in `r = sqrt(2) q`: `SCALE = sqrt(2) Q_SCALE`, `SCALE^2 = 512` exactly.
const SCALE: f64 = std::f64::consts::SQRT_2 * Q_SCALE;
const SCALE_SQ: f64 = 2.0 * Q_SCALE * Q_SCALE;
/// Longest table (the series stops by about `n = 2 (c/s)^2 + 40`, about 280 for `c <= 11 s`).
const N_MAX: usize = 400;

/// The coefficients `e_n = Gamma((n - 1)/2, x) SCALE^n / n!` of [`half_series`] for one `s`
/// (`x = 1/(2 s^2)`), extended on demand; cached per thread for the last `s` (a pair's inner
/// expectations share one `s`).
struct Series {
    s_bits: u64,
    /// `e_n` for `n < e.len()`.
    e: Vec<f64>,
    /// The recurrence state for the next two `n` (one per parity): the scaled
    /// `Gamma((n - 1)/2, x) SCALE^n / n!` and `x^((n - 1)/2) e^-x SCALE^n / n!`.
    g: [f64; 2],
    q: [f64; 2],
    /// `Gamma(1/2, x) = sqrt(pi) erfc(sqrt x)`.
    g_half: f64,
}

impl Series {
    fn new(s: f64) -> Self {
        let x = 0.5 / (s * s);
        let ex = (-x).exp();
        let sx = x.sqrt();
        let g_half = crate::numeric::erfc(sx) * std::f64::consts::PI.sqrt();
        let e1 = e1_small(x);
        // n = 0: Gamma(-1/2, x) = 2 (e^-x/sqrt x - Gamma(1/2, x)), x^(-1/2) e^-x;
        // n = 1: Gamma(0, x) = E1(x), e^-x (times SCALE/1!).
        Self {
            s_bits: s.to_bits(),
            e: Vec::with_capacity(N_MAX),
            g: [2.0 * (ex / sx - g_half), e1 * SCALE],
            q: [ex / sx, ex * SCALE],
            g_half,
        }
    }

    /// Extends the table to `n` entries: `Gamma(a + 1, x) = a Gamma(a, x) + x^a e^-x` (positive
    /// terms, stable), each step of a parity class scaled by `SCALE^2/((n + 1)(n + 2))`.
    fn extend(&mut self, n: usize, x: f64) {
        while self.e.len() < n.min(N_MAX) {
            let n = self.e.len();
            let i = n & 1;
            self.e.push(self.g[i]);
            let a = (n as f64 - 1.0) * 0.5;
            let d = SCALE_SQ / ((n + 1) as f64 * (n + 2) as f64);
            // (From n = 0 the step would be Gamma(1/2) = -Gamma(-1/2)/2 + x^(-1/2) e^-x, which
            // cancels to 3 digits at s = 1000 and spoils every even term after it: direct.)
            self.g[i] = if n == 0 {
                self.g_half * d
            } else {
                (a * self.g[i] + self.q[i]) * d
            };
            self.q[i] *= x * d;
        }
    }
}

/// `E1(x) = -gamma - ln x - sum_(k >= 1) (-x)^k/(k k!)` for `0 < x <= 1/2` (20 terms leave below
/// 1e-20).
fn e1_small(x: f64) -> f64 {
    let mut e1 = -0.577_215_664_901_532_9 - x.ln();
    let mut p = 1.0;
    for k in 1..=20 {
        p *= -x / k as f64;
        e1 -= p / k as f64;
    }
    e1
}

thread_local! {
    static SERIES: std::cell::RefCell<Option<Series>> = const { std::cell::RefCell::new(None) };
}

/// `int_1^inf exp(-(y - c)^2/(2 s^2)) y^-2 dy` for `-R_NEG s <= c <= R_SERIES s`, `s >= 1`, by
/// expanding `exp(c y/s^2)`: with `x = 1/(2 s^2)` and `int_1^inf y^(n-2) exp(-y^2/(2 s^2)) dy =
/// (s sqrt 2)^(n-1) Gamma((n-1)/2, x)/2`, it is `exp(-c^2/(2 s^2))/(2 sqrt(2) s) sum_n r^n/n!
/// Gamma((n-1)/2, x)`, `r = sqrt(2) c/s`. For `c >= 0` every term is positive (no cancellation);
/// the upper incomplete gammas follow from `Gamma(a + 1, x) = a Gamma(a, x) + x^a e^-x` (positive
/// terms, stable) starting at `Gamma(0, x) = E1(x)` (its power series, `x <= 1/2`: 20 terms leave
/// below 1e-20) and `Gamma(1/2, x) = sqrt(pi) erfc(sqrt x)`,
/// `Gamma(-1/2, x) = 2 (e^-x/sqrt x - Gamma(1/2, x))` (no cancellation for `x <= 1/2`: the first
/// term is at least 2.6 times the second), tabulated once per `s` with the factor
/// `SCALE^n/n!` ([`Series`]; the sum then runs over powers of `r/SCALE <= 1`, so that neither
/// the gammas nor the powers overflow). Summed to a relative `1e-17` past the largest term.
fn half_series(c: f64, s: f64) -> f64 {
    // (The sum always converges within the table for c <= R_SERIES s: `series_matches_panels`.)
    series_sum(c, s).unwrap_or_else(|| half_panels(c - 1.0, s, 0.0))
}

/// [`half_series`], or `None` if the table ends before the sum converges.
fn series_sum(c: f64, s: f64) -> Option<f64> {
    let x = 0.5 / (s * s);
    // Everything from the one rounded q = c/s (the sum grows like exp(q^2), so a separately
    // rounded r = sqrt(2) q, or q^2, would cost about q^2 ulps, 1e-14 at q = 9): the powers of
    // the exact u = q/Q_SCALE, and exp(-q^2/2) with q^2 split exactly into hi + lo (Dekker).
    let q = c / s;
    let u = q / Q_SCALE;
    let (hi, lo) = two_square(q);
    let peak = 2.0 * hi;
    let sum = SERIES.with_borrow_mut(|slot| {
        let t = match slot {
            Some(t) if t.s_bits == s.to_bits() => t,
            _ => slot.insert(Series::new(s)),
        };
        // Terms grow while n < r^2/2 (ratio about r^2/(2n) per two steps) and have fallen by
        // 1e-8 of the largest at n = r^2 (r = 14), so `1.5 r^2 + 40` leaves a margin.
        t.extend((1.5 * peak + 40.0) as usize, x);
        // Eight terms a step on eight accumulators (powers u^j, j < 8, each advanced by u^8):
        // short dependency chains. The stopping test, on the last term of a
        // step, as before: past the peak and below 1e-17 of the sum.
        let (u2, u4) = (u * u, u * u * u * u);
        let u8 = u4 * u4;
        let mut p = [1.0, u, u2, u2 * u, u4, u4 * u, u4 * u2, u4 * u2 * u];
        let mut acc = [0.0f64; 8];
        let chunks = t.e.chunks_exact(8);
        let rest = chunks.remainder();
        for (i, e) in chunks.enumerate() {
            let last = (p[7] * e[7]).abs();
            for j in 0..8 {
                acc[j] += p[j] * e[j];
                p[j] *= u8;
            }
            if (8 * i + 7) as f64 > peak {
                let sum: f64 = acc.iter().sum();
                if last <= 1e-17 * sum.abs() {
                    return Some(sum);
                }
            }
        }
        // The table's last few terms one by one.
        let n0 = t.e.len() - rest.len();
        let mut sum: f64 = acc.iter().sum();
        let mut pw = p[0];
        for (n, &e) in rest.iter().enumerate() {
            let term = pw * e;
            sum += term;
            if (n0 + n) as f64 > peak && term.abs() <= 1e-17 * sum.abs() {
                return Some(sum);
            }
            pw *= u;
        }
        None
    })?;
    Some((-0.5 * hi).exp() * (1.0 - 0.5 * lo) * sum / (2.0 * std::f64::consts::SQRT_2 * s))
}

/// `q^2 = hi + lo` exactly (Dekker's product: `q` split into two 26-bit halves).
fn two_square(q: f64) -> (f64, f64) {
    let hi = q * q;
    let t = 134_217_729.0 * q; // 2^27 + 1
    let qh = t - (t - q);
    let ql = q - qh;
    (hi, ((qh * qh - hi) + 2.0 * qh * ql) + ql * ql)
}

/// `int_1^inf exp(-(y - 1 - m)^2/(2 s^2)) y^-2 dy` (without the factor `1/(s sqrt(2 pi))`),
/// to an absolute error of about `floor` beyond the rule's own (see [`half_panels`]).
fn half(m: f64, s: f64, floor: f64) -> f64 {
    let c = 1.0 + m;
    if s >= S_SERIES && c >= -R_NEG * s && c <= R_SERIES * s {
        return half_series(c, s);
    }
    if s >= S_SERIES && c >= -R_ODE * s && c < 0.0 {
        if far_bound(m, s) <= floor {
            return 0.0;
        }
        return half_ode(c, s);
    }
    half_panels(m, s, floor)
}

/// Lowest `c/s` for [`half_ode`] (`fsig_at` calls the half lines only for `|m| < 10 s`).
const R_ODE: f64 = 10.0;
/// Chebyshev points of [`Ode`]'s interpolant of `F`.
const N_ODE: usize = 40;

/// The per-`s` part of [`half_ode`]: `A(0)`, `B(0)` and the Chebyshev coefficients of
/// `P(c) = int_c^0 (u - c) F(u) du` on `[-R_ODE s, 0]`.
struct Ode {
    s_bits: u64,
    a0: f64,
    b0: f64,
    /// `P(c) = sum_k p_k T_k(1 + 2 c/(R_ODE s))`.
    p: Vec<f64>,
}

impl Ode {
    fn new(s: f64) -> Self {
        use std::f64::consts::PI;
        let x = 0.5 / (s * s);
        // B(0) = int_1^inf exp(-y^2/(2 s^2))/y dy = E1(x)/2.
        let e1 = e1_small(x);
        // F(u) = exp(u^2/(2 s^2)) Q(u), Q(u) = s sqrt(pi/2) erfc((1 - u)/(s sqrt 2)), at the
        // Chebyshev points of the first kind on [lo, 0], then its coefficients.
        let n = N_ODE;
        let hw = 0.5 * R_ODE * s;
        let fu: Vec<f64> = (0..n)
            .map(|j| {
                let u = -hw + hw * (PI * (j as f64 + 0.5) / n as f64).cos();
                let z = (1.0 - u) / (s * std::f64::consts::SQRT_2);
                s * (0.5 * PI).sqrt() * crate::numeric::erfc(z) * (0.5 * (u / s) * (u / s)).exp()
            })
            .collect();
        let mut a: Vec<f64> = (0..n)
            .map(|k| {
                let sum: f64 = (0..n)
                    .map(|j| fu[j] * (PI * k as f64 * (j as f64 + 0.5) / n as f64).cos())
                    .sum();
                2.0 * sum / n as f64
            })
            .collect();
        a[0] *= 0.5;
        // Twice the antiderivative vanishing at u = 0 (x = 1): then P(c) is the second
        // (P(0) = P'(0) = 0, P'' = F).
        let b = integrate(&a, hw);
        let p = integrate(&b, hw);
        Self {
            s_bits: s.to_bits(),
            a0: series_sum(0.0, s).unwrap_or(f64::NAN),
            b0: 0.5 * e1,
            p,
        }
    }
}

/// The Chebyshev coefficients of the antiderivative (in `u = hw (x - 1)`, vanishing at `x = 1`)
/// of `sum_k a_k T_k(x)`: `b_k = hw (a_(k-1) - a_(k+1))/(2k)` (`2 a_0` for `a_(k-1)` at
/// `k = 1`), `b_0 = -sum_(k >= 1) b_k`.
fn integrate(a: &[f64], hw: f64) -> Vec<f64> {
    let n = a.len();
    let at = |k: usize| if k < n { a[k] } else { 0.0 };
    let mut b: Vec<f64> = (0..=n)
        .map(|k| match k {
            0 => 0.0,
            1 => hw * (2.0 * a[0] - at(2)) / 2.0,
            _ => hw * (at(k - 1) - at(k + 1)) / (2.0 * k as f64),
        })
        .collect();
    b[0] = -b[1..].iter().sum::<f64>();
    b
}

thread_local! {
    static ODE: std::cell::RefCell<Option<Ode>> = const { std::cell::RefCell::new(None) };
}

/// `A(c) = int_1^inf exp(-(y - c)^2/(2 s^2)) y^-2 dy` for `-R_ODE s <= c < 0`, `s >= 1`, from the
/// linear differential equations in `c` (`docs/gauss.md`, section 4): with
/// `B(c) = int_1^inf exp(-(y - c)^2/(2 s^2)) y^-1 dy` and `Q(c)` the same without the power,
/// `s^2 A' = B - c A` and `s^2 B' = Q - c B`, so that with `E = exp(c^2/(2 s^2))`,
/// `(A E)' = E B/s^2` and `(B E)' = E Q/s^2`; integrating twice from 0,
/// `A(c) = exp(-c^2/(2 s^2)) [A(0) + c B(0)/s^2 + P(c)/s^4]`, `P(c) = int_c^0 (u - c) F(u) du`,
/// `F = E Q` (smooth: `Q` is a normal tail, and `F` varies on the scale `s`). `P` is the
/// double antiderivative of a Chebyshev interpolant of `F` ([`Ode`], once per `s`), `A(0)` the
/// series at `c = 0` and `B(0) = E1(1/(2 s^2))/2`. The three terms cancel by up to a factor
/// `exp(|c|/s^2) A(0)/A(c) E(c)` (about 10 at `s = 11`, `c = -10 s`; more at `s` near 1, where
/// `A(c)` is negligible against the other half line).
fn half_ode(c: f64, s: f64) -> f64 {
    ODE.with_borrow_mut(|slot| {
        let t = match slot {
            Some(t) if t.s_bits == s.to_bits() => t,
            _ => slot.insert(Ode::new(s)),
        };
        let x = 1.0 + 2.0 * c / (R_ODE * s);
        // Clenshaw.
        let (mut b1, mut b2) = (0.0, 0.0);
        for &pk in t.p.iter().skip(1).rev() {
            let b0 = 2.0 * x * b1 - b2 + pk;
            b2 = b1;
            b1 = b0;
        }
        let p = x * b1 - b2 + t.p[0];
        let s2 = s * s;
        (-0.5 * (c / s) * (c / s)).exp() * (t.a0 + c * t.b0 / s2 + p / (s2 * s2))
    })
}

/// For a centre left of the kink (`m < 0`): `exp(-m^2/(2 s^2)) s^2/|m|`, a bound on the whole
/// half line (see [`half_panels`]).
fn far_bound(m: f64, s: f64) -> f64 {
    (-0.5 * (m / s) * (m / s)).exp() * s * (s / -m)
}

/// [`half`] by Gauss-Legendre panels (module docs). Where the centre lies left of the kink
/// (`m < 0`) the part of the integral below `floor` may be dropped: the integrand is at most
/// `G0 exp(-(|m| u + u^2/2)/s^2)`, `u = y - 1`, `G0 = exp(-m^2/(2 s^2))`, so the whole half line
/// is at most `G0 s^2/|m|` (0 is returned when that is below `floor`) and the part beyond `u1`
/// at most `G0 exp(-Q/s^2) s^2/|m|`, `Q = |m| u1 + u1^2/2`: the rule stops where that reaches
/// `floor` (or `exp(-LT^2/2)` of `G0`, whichever comes first).
fn half_panels(m: f64, s: f64, floor: f64) -> f64 {
    // Below the kink by more than 40 standard deviations: every term underflows against the
    // other half line (which is at least phi(LT)/(1 + |m| + LT s)^2 of it).
    if m < -40.0 * s {
        return 0.0;
    }
    // Start (y, e = y - c) and end offset e1 of the integration, c = 1 + m.
    let (mut y, mut e, e1) = if m >= LT * s {
        (1.0 + (m - LT * s), -LT * s, LT * s)
    } else if m >= 0.0 {
        (1.0, -m, LT * s)
    } else {
        // Centre left of the kink: e(u) = u - m falls off as exp(-(|m| u + u^2/2)/s^2); stop
        // where that reaches exp(-Q/s^2), 2 Q = q below.
        let bound = far_bound(m, s);
        if bound <= floor {
            return 0.0;
        }
        let q = if floor > 0.0 {
            (2.0 * (bound / floor).ln()).min(LT * LT) * s * s
        } else {
            LT * LT * s * s
        };
        (1.0, -m, -m + q / (-m + (m * m + q).sqrt()))
    };
    let (t, w) = rule();
    let inv = -0.5 / (s * s);
    let mut sum = 0.0;
    for _ in 0..256 {
        if e >= e1 {
            break;
        }
        let lin = ALPHA * s <= BETA * y;
        let mut width = if lin { ALPHA * s } else { BETA * y };
        // The last panel runs to the end (at most 1.3 times the width).
        let last = e1 - (e + width) < 0.3 * width;
        if last {
            width = e1 - e;
        }
        // Values first (a loop without a carried dependency, which vectorises), then the sum.
        let mut v = [0.0; N];
        let scale = if lin {
            for i in 0..N {
                let (yy, ee) = (y + width * t[i], e + width * t[i]);
                v[i] = w[i] * exp_fast((inv * ee * ee).max(-700.0)) / (yy * yy);
            }
            width
        } else {
            // Nodes uniform in ln y: y (e^(lw t) - 1) added to both coordinates (tabulated for
            // a full panel, lw = ln(1 + BETA)).
            let lw = (width / y).ln_1p();
            let g = geometric();
            for i in 0..N {
                let q = y * if !last {
                    g[i]
                } else {
                    exp_fast(lw * t[i]) - 1.0
                };
                let (yy, ee) = (y + q, e + q);
                v[i] = w[i] * exp_fast((inv * ee * ee).max(-700.0)) / yy;
            }
            lw
        };
        sum += scale * v.iter().sum::<f64>();
        y += width;
        e += width;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against 40-digit mpmath (`test_data/fsig_1d.csv`, `make_fsig_1d.py`: `mpmath.quad` on
    /// `x`, split at the kink `x = 0` and at the Gaussian's centre and a few standard deviations
    /// around it, an independent route). The tolerance 1e-13 relative is the accuracy the
    /// single outer integral needs for its 1e-10 target, with a margin of 1000.
    #[test]
    fn fsig_matches_mpmath() {
        let (mut n, mut worst) = (0, 0.0f64);
        for v in crate::test_rows("fsig_1d.csv") {
            let (k, mu, tau, want) = (v[0], v[1], v[2], v[3]);
            let got = fsig_at(k, mu, tau);
            let err = (got / want - 1.0).abs();
            worst = worst.max(err);
            assert!(err < 1e-13, "{v:?}: {got} ({err:e})");
            n += 1;
        }
        assert!(n >= 150, "{n}");
        eprintln!("fsig_at: {n} points, worst relative error {worst:e}");
    }

    /// The series (`s >= 1`, `-2 s <= c <= 10 s`) against the panels on a dense grid: two
    /// independent routes for the same half-line integral, to 1e-13 relative up to `c = 3.5 s`
    /// (measured 2.3e-14), 1e-12 beyond (see below).
    #[test]
    fn series_matches_panels() {
        let mut worst: f64 = 0.0;
        for i in 0..=40 {
            let s = 10f64.powf(3.0 * i as f64 / 40.0);
            for j in 0..=55 {
                let m = -1.0 + (-R_NEG + (R_SERIES + R_NEG) * j as f64 / 55.0) * s;
                let a = series_sum(1.0 + m, s).expect("the series converges within its table");
                let b = half_panels(m, s, 0.0);
                let err = (a / b - 1.0).abs();
                // Beyond c = 3.5 s the panels are the less accurate side: against 40-digit
                // mpmath they err by up to 4.6e-13 there (s = 841, c = 7.6 s), the series by
                // 8e-16 (and `fsig_matches_mpmath` checks the series range to 1e-13).
                let tol = if 1.0 + m <= 3.5 * s { 1e-13 } else { 1e-12 };
                assert!(err < tol, "s={s} m={m}: {a} vs {b}");
                worst = worst.max(err);
            }
        }
        eprintln!("series vs panels: worst {worst:e}");
    }

    /// The differential-equation form (`c` from `-10 s` to `-2 s`) against the panels, over
    /// `s = 1 .. 1e3`: the error relative to `H`, i.e. to the sum of both half lines (the
    /// other, `c' = 2 - c`, by the series), below 1e-14 (measured worst 7.3e-16; relative to
    /// the half line alone up to 9e-11 at `s = 1`, `c = -10 s`, where it is 1e-23 of `H`).
    #[test]
    fn ode_matches_panels() {
        let mut worst: f64 = 0.0;
        for i in 0..=30 {
            let s = 10f64.powf(3.0 * i as f64 / 30.0);
            for j in 0..=40 {
                let c = (-2.0 - 8.0 * j as f64 / 40.0) * s;
                let a = half_ode(c, s);
                let b = half_panels(c - 1.0, s, 0.0);
                let major = half(1.0 - c, s, 0.0);
                let err = (a - b).abs() / (major + b);
                assert!(err < 1e-14, "s={s} c={c}: {a} vs {b} (other half {major})");
                worst = worst.max(err);
            }
        }
        eprintln!("differential-equation form vs panels: worst {worst:e} of H");
    }

    /// The Taylor form (`fsig_taylor.rs`, `s <= 1`, `1 + |m| >= 9 s`, `|m| < 9 s`) against the
    /// panels on a dense grid over `s = 1e-4 .. 1`: to 1e-12 relative, the panels being the less
    /// accurate side (measured worst 5.6e-13, at `s = 0.63`, `m = 8 s`, where against 30-digit
    /// mpmath the Taylor form errs by 6e-16 and the panels by 5.6e-13; the mpmath points of
    /// `fsig_taylor.csv` include `m = 7.6 s` there, the panels' error 4.3e-13).
    #[test]
    fn taylor_matches_panels() {
        let mut worst: f64 = 0.0;
        let mut n = 0;
        for i in 0..=40 {
            let s = 10f64.powf(-4.0 + 4.0 * i as f64 / 40.0);
            for j in 0..=45 {
                let m = 9.0 * s * j as f64 / 45.0;
                if 1.0 + m < taylor::TQ * s || m >= LT * s {
                    continue;
                }
                let a = taylor::fsig_taylor(m, s);
                let b = (half_panels(m, s, 0.0) + half_panels(-m, s, 0.0)) * INV_SQRT_2PI / s;
                let err = (a / b - 1.0).abs();
                assert!(err < 1e-12, "s={s} m={m}: {a} vs {b}");
                worst = worst.max(err);
                n += 1;
            }
        }
        assert!(n > 1000, "{n}");
        eprintln!("Taylor vs panels: {n} points, worst {worst:e}");
    }

    /// The Gauss-Hermite branch (`|m| >= 9 s`) against the panels, which do not use it, from
    /// `|m| = 9 s` to `20 s` over `s = 1e-4 .. 1e3`: to 1e-13 relative, the accuracy the form
    /// needs (measured worst 5.3e-14; the panels alone err by up to 2.3e-14,
    /// `series_matches_panels`).
    #[test]
    fn hermite_matches_panels() {
        let mut worst: f64 = 0.0;
        for i in 0..=28 {
            let s = 10f64.powf(-4.0 + 7.0 * i as f64 / 28.0);
            for t in [9.0, 9.5, 10.0, 10.5, 11.0, 12.0, 14.0, 17.0, 20.0] {
                let m = t * s;
                let a = fsig_at(1.0, m, s);
                let b = (half_panels(m, s, 0.0) + half_panels(-m, s, 0.0)) * INV_SQRT_2PI / s;
                worst = worst.max((a / b - 1.0).abs());
                assert!((a / b - 1.0).abs() < 1e-13, "s={s} m={m}: {a} vs {b}");
            }
        }
        eprintln!("Gauss-Hermite vs panels: worst {worst:e}");
    }

    /// Limits: a point mass for tau -> 0 and the total mass `2/k` spread over `tau` for
    /// tau -> inf (`H ~ 2 phi(mu/tau)/(k tau)`); never NaN.
    #[test]
    fn fsig_limits() {
        let k = 25.0;
        let h = fsig_at(k, 0.3, 1e-12);
        assert!((h / fsig_point(k * 0.3) - 1.0).abs() < 1e-12, "{h}");
        let tau = 1e7;
        let h = fsig_at(k, 0.0, tau);
        // Relative correction O(ln(k tau)/(k tau)) from the 1/x^2 tails.
        let want = 2.0 * INV_SQRT_2PI / (k * tau);
        assert!((h / want - 1.0).abs() < 1e-6, "{h} {want}");
        for (mu, tau) in [(1e300, 1.0), (0.0, 1e-300), (-1e10, 1e-10), (0.0, 1e200)] {
            assert!(fsig_at(k, mu, tau).is_finite(), "{mu} {tau}");
        }
    }
}

#[cfg(test)]
/// Cost per call (`cargo test --release -p sgntk-gauss --lib -- --ignored fsig_cost
/// --nocapture`): wall ns at s = k tau in 0.035 .. 100, means over |m| <= 3 s, 3 s .. 9 s and
/// over |m| <= 225 (the outer range at unit variances, k = 25); run on an idle host (the timing
/// harness, `tests/timing.rs`, reads thread CPU time instead).
#[test]
#[ignore]
fn fsig_cost() {
    for s in [0.035, 0.1, 0.5, 1.0, 3.5, 15.0, 100.0] {
        for (lo, r) in [(0.0, 3.0 * s), (3.0 * s, 9.0 * s), (0.0, 225.0)] {
            let t0 = std::time::Instant::now();
            let mut acc = 0.0;
            let n = 200_000;
            for i in 0..n {
                let mu = (lo + (r - lo) * i as f64 / n as f64) / 25.0;
                acc += fsig_at(25.0, std::hint::black_box(mu), s / 25.0);
            }
            let ns = t0.elapsed().as_secs_f64() * 1e9 / n as f64;
            eprintln!("s = {s}, {lo} <= |m| <= {r}: {ns:.0} ns per call ({acc:e})");
        }
    }
}

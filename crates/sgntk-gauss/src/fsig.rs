//! `E[fsig_k(mu + tau Z)]`, `Z ~ N(0, 1)`, for the fast-sigmoid surrogate
//! `fsig_k(x) = 1/(1 + k|x|)^2` (`docs/gauss.md`, section 4): the one-dimensional form that lets a
//! pair with a fast-sigmoid factor inside become a single outer integral.
//!
//! With `m = k mu`, `s = k tau` and `y = 1 + k|x|` the expectation is
//! `H = J(m) + J(-m)`, `J(m) = int_1^inf phi_s(y - 1 - m) y^-2 dy`, the two half lines of the
//! kink (`phi_s` the centred normal density of standard deviation `s`). It has no closed form in
//! the usual special functions (by parts it reduces to `int_1^inf phi_s(y - c)/y dy`, an
//! incomplete Goodwin-Staton integral), so each half line is a fixed Gauss-Legendre sum on a
//! short list of panels chosen from `(m, s)` alone: panels at most `ALPHA s` wide where the
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
    (half(m, s) + half(-m, s)) * INV_SQRT_2PI / s
}

/// `1/(1 + |m|)^2`.
fn fsig_point(m: f64) -> f64 {
    let d = 1.0 + m.abs();
    1.0 / (d * d)
}

/// Widest Gaussian, relative to the pole distance, for which [`half`] uses panels on the near side
/// of the kink: from `s >= S_SERIES` on (and a centre `c = 1 + m` with `0 <= c <= R_SERIES s`)
/// the incomplete-gamma series [`half_series`] is cheaper.
const S_SERIES: f64 = 1.0;
/// See [`S_SERIES`]: the series needs about `2 (c/s)^2 + 30` terms.
const R_SERIES: f64 = 3.5;
/// Most negative `c/s` for the series: its terms alternate there, and the largest exceeds the
/// sum by about `exp(c^2/s^2)` (55 at `c = -2 s`, a loss of under two digits).
const R_NEG: f64 = 2.0;

/// `int_1^inf exp(-(y - c)^2/(2 s^2)) y^-2 dy` for `c >= 0`, `s >= 1`, by expanding
/// `exp(c y/s^2)`: with `x = 1/(2 s^2)` and `int_1^inf y^(n-2) exp(-y^2/(2 s^2)) dy =
/// (s sqrt 2)^(n-1) Gamma((n-1)/2, x)/2`, it is `exp(-c^2/(2 s^2))/(2 sqrt(2) s) sum_n r^n/n!
/// Gamma((n-1)/2, x)`, `r = sqrt(2) c/s`. Every term is positive (no cancellation); the upper
/// incomplete gammas follow from `Gamma(a + 1, x) = a Gamma(a, x) + x^a e^-x` (positive terms,
/// stable) starting at `Gamma(0, x) = E1(x)` (its power series, `x <= 1/2`: 20 terms leave
/// below 1e-20) and `Gamma(1/2, x) = sqrt(pi) erfc(sqrt x)`,
/// `Gamma(-1/2, x) = 2 (e^-x/sqrt x - Gamma(1/2, x))` (no cancellation for `x <= 1/2`: the first
/// term is at least 2.6 times the second). Summed to a relative `1e-17` past the largest term.
fn half_series(c: f64, s: f64) -> f64 {
    let x = 0.5 / (s * s);
    let ex = (-x).exp();
    let sx = x.sqrt();
    let g_half = crate::numeric::erfc(sx) * std::f64::consts::PI.sqrt();
    // E1(x) = -gamma - ln x - sum_k (-x)^k/(k k!).
    let mut e1 = -0.577_215_664_901_532_9 - x.ln();
    let mut p = 1.0;
    for k in 1..=20 {
        p *= -x / k as f64;
        e1 -= p / k as f64;
    }
    // G[n] = Gamma((n - 1)/2, x) and q[n] = x^((n - 1)/2) e^-x, both for the current parity.
    let mut g = [2.0 * (ex / sx - g_half), e1];
    let mut q = [ex / sx, ex];
    let r = std::f64::consts::SQRT_2 * c / s;
    let mut t = 1.0;
    let mut sum = 0.0;
    let peak = r * r;
    for n in 0..400usize {
        let term = t * g[n & 1];
        sum += term;
        if n as f64 > peak && term.abs() <= 1e-17 * sum.abs() {
            break;
        }
        // Advance the parity class of n to n + 2: Gamma(a + 1) = a Gamma(a) + x^a e^-x.
        let a = (n as f64 - 1.0) * 0.5;
        g[n & 1] = a * g[n & 1] + q[n & 1];
        q[n & 1] *= x;
        t *= r / (n + 1) as f64;
    }
    (-0.5 * (c / s) * (c / s)).exp() * sum / (2.0 * std::f64::consts::SQRT_2 * s)
}

/// `int_1^inf exp(-(y - 1 - m)^2/(2 s^2)) y^-2 dy` (without the factor `1/(s sqrt(2 pi))`).
fn half(m: f64, s: f64) -> f64 {
    let c = 1.0 + m;
    if s >= S_SERIES && c >= -R_NEG * s && c <= R_SERIES * s {
        return half_series(c, s);
    }
    half_panels(m, s)
}

/// [`half`] by Gauss-Legendre panels (module docs).
fn half_panels(m: f64, s: f64) -> f64 {
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
        // where that reaches exp(-LT^2/2).
        let q = LT * LT * s * s;
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
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/fsig_1d.csv");
        let text = std::fs::read_to_string(path).expect("fsig_1d.csv");
        let (mut n, mut worst) = (0, 0.0f64);
        for line in text.lines().skip(1) {
            let v: Vec<f64> = line.split(',').map(|t| t.parse().unwrap()).collect();
            let (k, mu, tau, want) = (v[0], v[1], v[2], v[3]);
            let got = fsig_at(k, mu, tau);
            let err = (got / want - 1.0).abs();
            worst = worst.max(err);
            assert!(err < 1e-13, "{line}: {got} ({err:e})");
            n += 1;
        }
        assert!(n >= 150, "{n}");
        eprintln!("fsig_at: {n} points, worst relative error {worst:e}");
    }

    /// The series (`s >= 1`, `0 <= c <= 3.5 s`) against the panels on a dense grid: two
    /// independent routes for the same half-line integral, to 1e-14 relative.
    #[test]
    fn series_matches_panels() {
        let mut worst: f64 = 0.0;
        for i in 0..=40 {
            let s = 10f64.powf(3.0 * i as f64 / 40.0);
            for j in 0..=55 {
                let m = -1.0 + (-R_NEG + (R_SERIES + R_NEG) * j as f64 / 55.0) * s;
                let a = half_series(1.0 + m, s);
                let b = half_panels(m, s);
                worst = worst.max((a / b - 1.0).abs());
                assert!((a / b - 1.0).abs() < 1e-13, "s={s} m={m}: {a} vs {b}");
            }
        }
        eprintln!("series vs panels: worst {worst:e}");
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
                let b = (half_panels(m, s) + half_panels(-m, s)) * INV_SQRT_2PI / s;
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
/// --nocapture`): thread CPU ns at s = k tau in 0.1 .. 100, means over |m| <= 10 s and over
/// |m| <= 225 (the outer range at unit variances, k = 25).
#[test]
#[ignore]
fn fsig_cost() {
    fn cpu() -> f64 {
        let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
        let f: Vec<&str> = s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let p = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
        (p(11) + p(12)) / 100.0
    }
    for s in [0.1, 1.0, 3.5, 15.0, 100.0] {
        for r in [10.0 * s, 225.0] {
            let c0 = cpu();
            let mut acc = 0.0;
            let n = 200_000;
            for i in 0..n {
                let mu = (i as f64 / n as f64 - 0.5) * 2.0 * r / 25.0;
                acc += fsig_at(25.0, std::hint::black_box(mu), s / 25.0);
            }
            let ns = (cpu() - c0) * 1e9 / n as f64;
            eprintln!("s = {s}, |m| <= {r}: {ns:.0} ns per call ({acc:e})");
        }
    }
}

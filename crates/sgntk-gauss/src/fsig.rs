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
    R.get_or_init(|| {
        let (mut t, mut w) = ([0.0; N], [0.0; N]);
        for i in 0..N.div_ceil(2) {
            // Newton on the three-term recurrence from the usual initial guess.
            let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                let (mut p1, mut p2) = (1.0, 0.0);
                for j in 0..N {
                    let p3 = p2;
                    p2 = p1;
                    p1 = ((2 * j + 1) as f64 * z * p2 - j as f64 * p3) / (j + 1) as f64;
                }
                dp = N as f64 * (z * p1 - p2) / (z * z - 1.0);
                let dz = p1 / dp;
                z -= dz;
                if dz.abs() <= 1e-16 {
                    break;
                }
            }
            let wi = 1.0 / ((1.0 - z * z) * dp * dp);
            t[i] = 0.5 * (1.0 - z);
            t[N - 1 - i] = 0.5 * (1.0 + z);
            w[i] = wi;
            w[N - 1 - i] = wi;
        }
        (t, w)
    })
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
    (half(m, s) + half(-m, s)) * INV_SQRT_2PI / s
}

/// `1/(1 + |m|)^2`.
fn fsig_point(m: f64) -> f64 {
    let d = 1.0 + m.abs();
    1.0 / (d * d)
}

/// `int_1^inf exp(-(y - 1 - m)^2/(2 s^2)) y^-2 dy` (without the factor `1/(s sqrt(2 pi))`).
fn half(m: f64, s: f64) -> f64 {
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
        if e1 - (e + width) < 0.3 * width {
            width = e1 - e;
        }
        let mut acc = 0.0;
        if lin {
            for i in 0..N {
                let (yy, ee) = (y + width * t[i], e + width * t[i]);
                acc += w[i] * exp_fast((inv * ee * ee).max(-700.0)) / (yy * yy);
            }
            sum += width * acc;
        } else {
            // Nodes uniform in ln y: y (e^(lw t) - 1) added to both coordinates.
            let lw = (width / y).ln_1p();
            for i in 0..N {
                let q = y * (exp_fast(lw * t[i]) - 1.0);
                let (yy, ee) = (y + q, e + q);
                acc += w[i] * exp_fast((inv * ee * ee).max(-700.0)) / yy;
            }
            sum += lw * acc;
        }
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

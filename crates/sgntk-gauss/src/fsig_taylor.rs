//! `E[1/(1 + |m + s Z|)^2]` for a Gaussian narrow against its distance to the pole of the
//! branch it straddles, `1 + |m| >= TQ s` (`docs/gauss.md`, section 4, "Fast-sigmoid: narrow
//! Gaussians"): both half lines by Taylor expansion of `y^-2` against truncated Gaussian moments,
//! about 10-100 multiply-adds each instead of the 24-48 exponentials of a panel rule.
//!
//! With `m >= 0` (the expectation is even in `m`), `H = A + B`:
//! - the major half line `A = int_(-m)^inf phi_s(e) (c + e)^-2 de`, `c = 1 + m` (the Gaussian's
//!   side of the kink), expanded about the centre: `(c + e)^-2 = sum_n (n + 1) (-e)^n / c^(n+2)`
//!   for `|e| < c`, against the moments `M_n = int_(-m)^inf e^n phi_s(e) de`, which follow from
//!   `M_(n+1) = n s^2 M_(n-1) + s^2 (-m)^n phi_s(m)` (integration by parts; `M_0` a normal tail,
//!   `M_1 = s^2 phi_s(m)`; forward, every step adds, no cancellation worse than the lower tail
//!   of an even moment);
//! - the minor half line `B = int_0^inf phi_s(u + m) (1 + u)^-2 du` (beyond the kink, the
//!   Gaussian's centre `m` to its left), expanded about the kink: `(1 + u)^-2 = sum_n (n + 1)
//!   (-u)^n`, against `T_n = int_0^inf u^n phi_s(u + m) du`, `T_(n+1) = -m T_n + n s^2 T_(n-1)`,
//!   `T_0` a normal tail, `T_1 = s^2 phi_s(m) - m T_0`. `T_n` is the recessive solution of that
//!   recurrence (the other grows faster by about `exp(2 (m/s) sqrt n)`): forward for
//!   `m <= MU_FWD s`; beyond, the half line directly by Gauss-Laguerre in `w = m u/s^2`, its
//!   order from the accuracy asked of it (at most `Phi(-m/s)` of the total).
//!
//! Both expansions diverge where `y` passes the pole at `y = 0`, i.e. beyond `|e| = c` and
//! `u = 1`: they are asymptotic, and the Gaussian mass past those points, `exp(-c^2/(2 s^2))`
//! relative, is their error floor; `1 + m >= TQ s` puts it at `exp(-TQ^2/2) = 2.6e-18`. The
//! part of the moments next to the kink converges only like `(m/c)^n`, fast enough for
//! `s <= 1` (`fsig_at` takes this form there only; at `s = 32`, `m = 9 s`, it erred by
//! 5.6e-13). Each sum stops once two consecutive terms are below `TOL` of the total (or, for
//! the minor half line, of the major), or at its smallest pair. Checked against 30-digit
//! mpmath over `s = 0.005 .. 1`, `m = 0 .. 9 s` (tests below), and against the panel rule
//! over a dense grid (`fsig.rs`).

use crate::numeric::{INV_SQRT_2PI, erfc, exp_fast};

/// Smallest `(1 + |m|)/s` for the expansions (their error floor `exp(-TQ^2/2)`).
pub(super) const TQ: f64 = 9.0;
/// Terms are summed until two consecutive ones are below this fraction of the total.
const TOL: f64 = 1e-17;
/// Largest `m/s` for the forward recurrence of the minor half line (measured: forward errs by
/// 3e-16 of `H` at `m/s = 3`, 6e-12 at `m/s = 4`; beyond, Gauss-Laguerre).
const MU_FWD: f64 = 3.0;
/// Most terms of either sum (the smallest term comes first wherever `1 + m >= TQ s`).
const N_CAP: usize = 400;

/// `E[1/(1 + |m + s Z|)^2]`, `Z ~ N(0, 1)`, for `m >= 0`, `0 < s`, `1 + m >= TQ s`.
pub(super) fn fsig_taylor(m: f64, s: f64) -> f64 {
    let mu = m / s;
    // The two normal tails beyond the kink (the larger one as 1 minus the smaller: absolute
    // error below 1.1e-16 on a value of at least 1/2).
    let tail_hi = 0.5 * erfc(mu * std::f64::consts::FRAC_1_SQRT_2);
    let tail_lo = 1.0 - tail_hi;
    // phi_s(m), the Gaussian density at the kink.
    let pk = exp_fast((-0.5 * mu * mu).max(-700.0)) * INV_SQRT_2PI / s;
    let a = major(m, s, tail_lo, pk);
    // The minor half line is at most phi_s(m) s^2/m (`fsig::far_bound`): skip it when that is
    // negligible against the major.
    if m > 0.0 && pk * s * (s / m) <= TOL * a {
        return a;
    }
    a + minor(m, s, tail_hi, pk, TOL * a)
}

/// The major half line (module docs), in units of `c = 1 + m`: with `sigma = s/c`,
/// `alpha = -m/c` and `N_n = M_n/c^n`, `N_(n+1) = n sigma^2 N_(n-1) + sigma^2 alpha^n c phi_s(m)`
/// and `A = c^-2 sum_n (n + 1) (-1)^n N_n` (every power below 1: nothing overflows). The two
/// parity chains are independent; each loop step advances both, and the even and odd terms are
/// summed apart (short dependency chains).
fn major(m: f64, s: f64, m0: f64, pk: f64) -> f64 {
    let c = 1.0 + m;
    let sig2 = (s / c) * (s / c);
    let alpha = -m / c;
    let mut w = sig2 * c * pk; // sigma^2 c phi_s(m) alpha^(n - 1) for the step to n + 1
    let (mut even, mut odd) = (m0, w); // N_0, N_1
    w *= alpha;
    let mut n = 1.0; // the index of `odd`
    let sum = alternating(
        m0,
        2.0 * odd,
        |sum| TOL * sum,
        || {
            even = n * sig2 * even + w;
            w *= alpha;
            odd = (n + 1.0) * sig2 * odd + w;
            w *= alpha;
            let t = ((n + 2.0) * even, (n + 3.0) * odd);
            n += 2.0;
            t
        },
    );
    sum / (c * c)
}

/// `sum_n (-1)^n t_n` from `t_0`, `t_1` and the later terms two at a time from `next` (even
/// and odd terms summed apart: short dependency chains), stopped once a pair of terms is at
/// most `floor(partial sum)`, or above the pair before it (the smallest terms of an asymptotic
/// sum passed).
fn alternating(
    t0: f64,
    t1: f64,
    floor: impl Fn(f64) -> f64,
    mut next: impl FnMut() -> (f64, f64),
) -> f64 {
    let (mut se, mut so) = (t0, t1);
    let mut last = f64::INFINITY;
    for _ in 0..N_CAP / 2 {
        let (te, to) = next();
        let pair = te.abs() + to.abs();
        if pair <= floor(se - so) || pair > last {
            break;
        }
        last = pair;
        se += te;
        so += to;
    }
    se - so
}

/// The minor half line (module docs) to an absolute `floor`; `t0` its normal tail
/// `int_m^inf phi_s`, `pk = phi_s(m)`.
fn minor(m: f64, s: f64, t0: f64, pk: f64, floor: f64) -> f64 {
    let s2 = s * s;
    if m <= MU_FWD * s {
        // Forward, two terms a step.
        let (mut prev, mut cur) = (t0, s2 * pk - m * t0);
        let mut n = 1.0; // the index of `cur`
        return alternating(
            t0,
            2.0 * cur,
            |_| floor,
            || {
                prev = -m * cur + n * s2 * prev;
                cur = -m * prev + (n + 1.0) * s2 * cur;
                let t = ((n + 2.0) * prev, (n + 3.0) * cur);
                n += 2.0;
                t
            },
        );
    }
    // Beyond: B = phi_s(m) (s/mu) int_0^inf e^-w exp(-w^2/(2 mu^2)) (1 + s w/mu)^-2 dw
    // (u = s w/mu), by Gauss-Laguerre; the order from the accuracy asked of B, about
    // `floor/T_0` relative (measured with the pole of the last factor at w = -15 .. -100:
    // 24 nodes err by 7e-15 at mu = 3, 20 by 5e-15 from 3.5, 16 by 7e-15 from 4, 12 by 3e-14
    // from 5, 10 by 3e-14 from 6, 8 by 1e-12 from 7, where `T_0 = Phi(-mu)` is 1.3e-3, 2.3e-4,
    // 3.2e-5, 2.9e-7, 1e-9, 1.3e-12 of the total).
    let mu = m / s;
    let n = match mu {
        x if x < 3.5 => 24,
        x if x < 4.0 => 20,
        x if x < 5.0 => 16,
        x if x < 6.0 => 12,
        x if x < 7.0 => 10,
        _ => 8,
    };
    let (x, w) = crate::rules::glag(n);
    let (a, b) = (-0.5 / (mu * mu), s / mu);
    let sum: f64 = x
        .iter()
        .zip(w)
        .map(|(&x, &w)| {
            let d = 1.0 + b * x;
            w * exp_fast(a * x * x) / (d * d)
        })
        .sum();
    pk * b * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30-digit mpmath values of `H` (`test_data/fsig_taylor.csv`, made by
    /// `make_fsig_taylor.py`: `mpmath.quad` split at the kink and around the centre, an
    /// independent route) at `s = 0.005 .. 1`, `m = 0 .. 9 s`, `1 + m >= TQ s`: to 2e-15
    /// relative.
    #[test]
    fn taylor_matches_mpmath() {
        let (mut n, mut worst) = (0, 0.0f64);
        for v in crate::test_rows("fsig_taylor.csv") {
            let (s, m, want) = (v[0], v[1], v[2]);
            assert!(1.0 + m >= TQ * s);
            let got = fsig_taylor(m, s);
            let err = (got / want - 1.0).abs();
            worst = worst.max(err);
            assert!(err < 2e-15, "s={s} m={m}: {got} vs {want} ({err:e})");
            n += 1;
        }
        assert!(n >= 100, "{n}");
        eprintln!("fsig_taylor: {n} points, worst relative error {worst:e}");
    }
}

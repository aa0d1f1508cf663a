//! Scalar special functions used by the closed forms: the normal density and distribution
//! function, a numerically stable scaled complementary error function `erfcx`, the real part of
//! the Faddeeva function, a vectorisable `exp`, and the one-dimensional Gaussian expectations
//! `E[beta(sigma Z)]` and `E[beta(mu + tau Z)]` of the surrogates that have them.

use special::Error as _;

/// `1 / sqrt(2 pi)`.
pub(crate) const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// `sqrt(2 / pi)`.
pub(crate) const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// `1 / sqrt(pi)`.
const INV_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// `erf(x)`.
#[inline]
pub(crate) fn erf(x: f64) -> f64 {
    x.error()
}

/// `erfc(x) = 1 - erf(x)`, accurate in the right tail.
#[inline]
pub(crate) fn erfc(x: f64) -> f64 {
    x.compl_error()
}

/// `exp(x)` for `-700 <= x <= 700`, branch-free so that loops over it vectorise (the Gaussian
/// weights of the panel rules are most of the cost of the nested quadrature): `x = n ln 2 + r`
/// with `n` rounded to nearest by the `1.5 2^52` trick and `ln 2` split in two (Cody-Waite, the
/// fdlibm constants, exact products for `|n| < 2^11`), `|r| <= ln2/2`, then the Taylor
/// polynomial of degree 13 (truncation `0.347^14/14! = 4e-18`) by Horner and `2^n` built in the
/// exponent bits. Relative error below 4e-16 (unit test against `f64::exp`).
#[inline(always)]
pub(crate) fn exp_fast(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    // fdlibm's split of ln 2: 0.693147180369123816490 (21 trailing zero bits) and the rest.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const C: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let t = x * std::f64::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut p = C[13];
    for c in C[..13].iter().rev() {
        p = p * r + c;
    }
    // The low bits of t hold n (two's complement); 2^n has exponent field n + 1023.
    let e = t.to_bits().wrapping_sub(MAGIC.to_bits()).wrapping_add(1023) << 52;
    p * f64::from_bits(e)
}

/// Standard normal density `phi(x) = exp(-x^2/2) / sqrt(2 pi)`.
#[inline]
pub(crate) fn npdf(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// Standard normal distribution function `Phi(x) = erfc(-x / sqrt 2) / 2` (accurate in the
/// left tail).
#[inline]
pub(crate) fn ncdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Scaled complementary error function `erfcx(y) = exp(y^2) erfc(y)` for `y >= 0`, without
/// overflow or underflow: `exp(y^2) erfc(y)` directly for `y < 12` (relative error about
/// `y^2` ulps from rounding `y^2`, below 4e-14), the asymptotic series
/// `1/(y sqrt(pi)) sum_n (-1)^n (2n-1)!! / (2 y^2)^n` beyond (14 terms: truncation error below
/// 1e-18 for `y >= 12`).
/// For `y < 0`, `2 exp(y^2) - erfcx(-y)` (finite for `y > -26`).
pub(crate) fn erfcx(y: f64) -> f64 {
    if y < 0.0 {
        return 2.0 * (y * y).exp() - erfcx(-y);
    }
    if y < 12.0 {
        (y * y).exp() * erfc(y)
    } else {
        let t = 1.0 / (2.0 * y * y);
        let mut term = 1.0;
        let mut sum = 1.0;
        for n in 1..15 {
            term *= -((2 * n - 1) as f64) * t;
            sum += term;
        }
        sum * INV_SQRT_PI / y
    }
}

/// `E[tri_w(sigma Z)]` for the triangle surrogate `max(0, 1 - |x|/w)/w`, `sigma > 0`:
/// `(2/w) [Phi(x) - 1/2 - phi(0) (1 - exp(-x^2/2)) / x]` with `x = w / sigma` (Gaussian partial
/// moments of order 0 and 1 on `[0, w]`), written with `erf` and `expm1` so that neither
/// `sigma >> w` nor `sigma << w` cancels.
pub(crate) fn triangle_centred(w: f64, sigma: f64) -> f64 {
    if sigma == 0.0 {
        return 1.0 / w;
    }
    let x = w / sigma;
    let m0 = 0.5 * erf(x * std::f64::consts::FRAC_1_SQRT_2);
    let m1 = INV_SQRT_2PI * (-(-0.5 * x * x).exp_m1()) / x;
    (2.0 / w) * (m0 - m1)
}

/// `E[box_w(sigma Z)]` for the boxcar surrogate `1/(2w) 1[|x| < w]`:
/// `erf(w / (sigma sqrt 2)) / (2w)`.
pub(crate) fn boxcar_centred(w: f64, sigma: f64) -> f64 {
    if sigma == 0.0 {
        return 0.5 / w;
    }
    erf(w / (sigma * std::f64::consts::SQRT_2)) * 0.5 / w
}

/// `E[(alpha/2) exp(-alpha |sigma Z|)] = (alpha/2) erfcx(alpha sigma / sqrt 2)` (complete the
/// square on each half line).
pub(crate) fn pwexp_centred(alpha: f64, sigma: f64) -> f64 {
    0.5 * alpha * erfcx(alpha * sigma * std::f64::consts::FRAC_1_SQRT_2)
}

/// `E[(Z - s)_+] = phi(s) - s Phi(-s)` for `s >= 0` (the Gaussian ramp tail), without the
/// cancellation of the two terms for large `s` (they agree to about `1/s^2` of each other):
/// directly for `s < 6` (loss below a factor 40, about `s^2`: relative error ~1e-14), by the
/// asymptotic series `phi(s) sum_(n >= 1) (-1)^(n-1) (2n-1)!!/s^(2n)` (18 terms) for `s >= 12`,
/// else `phi(s) c/(s + c)` with `c = 1/(s + 2/(s + 3/(s + ...)))` from Laplace's continued fraction
/// for the Mills ratio `Phi(-s)/phi(s) = 1/(s + c)` (so `1 - s Phi(-s)/phi(s) = c/(s + c)`),
/// evaluated backwards from `500/s^2 + 8` levels (relative error below 2e-16 for `s >= 3`,
/// checked against 40-digit mpmath); 0 beyond `s = 38.5`, where `phi(s)/s^2` underflows.
pub(crate) fn ramp_tail(s: f64) -> f64 {
    if s < 6.0 {
        return npdf(s) - s * ncdf(-s);
    }
    if s > 38.5 {
        return 0.0;
    }
    if s >= 12.0 {
        // The asymptotic series G(s)/phi(s) = sum_(n >= 1) (-1)^(n-1) (2n-1)!!/s^(2n): 16 terms
        // reach 2e-16 at s = 12 (mpmath), 18 are used (multiplications only, no division chain).
        let q = 1.0 / (s * s);
        let (mut t, mut sum) = (q, q);
        for n in 2..=18 {
            t *= -((2 * n - 1) as f64) * q;
            sum += t;
        }
        return npdf(s) * sum;
    }
    let n = (500.0 / (s * s)) as usize + 8;
    let mut c = 0.0;
    for j in (2..=n).rev() {
        c = j as f64 / (s + c);
    }
    let c = 1.0 / (s + c);
    npdf(s) * c / (s + c)
}

/// `E[tri_w(mu + tau Z)]` for the triangle surrogate `tri_w(x) = max(0, 1 - |x|/w)/w`, `tau > 0`.
/// The triangle is a second difference of ramps, `w^2 tri_w(x) = (x + w)_+ - 2 x_+ + (x - w)_+`,
/// and `E[(m + tau Z)_+] = m_+ + tau G(|m|/tau)` with `G = ` [`ramp_tail`], so
/// `w^2 E = (w - |mu|)_+ + tau [G(|t+|) - 2 G(|t0|) + G(|t-|)]`, `t0 = mu/tau`,
/// `t+- = (mu +- w)/tau`: no overflow, and no cancellation beyond a factor
/// `1/max(r^2, (r t0)^2)` with `r = w/tau`. Where that would lose digits (`r <= 1/4` and
/// `|r t0| <= 1`: a wide Gaussian against a narrow triangle) the Taylor series of the Gaussian
/// density over the triangle is used instead: with the even moments
/// `int tri_w(x) x^(2j) dx = 2 w^(2j) / ((2j + 1)(2j + 2))`,
/// `E = phi(t0)/tau sum_j He_2j(t0) r^(2j) 2/(2j + 2)!`; there the sum is at least `e^(-1.03)`
/// and the terms are below `(1 + r sqrt(2j))^(2j) 2/(2j + 2)!`, so 16 terms leave less than 1e-18.
pub(crate) fn triangle_at(w: f64, mu: f64, tau: f64) -> f64 {
    let (r, t0) = (w / tau, mu / tau);
    if r <= 0.25 && (r * t0).abs() <= 1.0 {
        let r2 = r * r;
        // He_n(t0) by the recurrence He_(n+1) = t He_n - n He_(n-1); q_j = r^(2j) 2/(2j+2)!.
        let (mut he0, mut he1) = (1.0, t0);
        let (mut q, mut sum) = (1.0, 1.0);
        for j in 1..16 {
            let n = (2 * j) as f64;
            let he2 = t0 * he1 - (n - 1.0) * he0;
            let he3 = t0 * he2 - n * he1;
            q *= r2 / ((n + 1.0) * (n + 2.0));
            sum += q * he2;
            (he0, he1) = (he2, he3);
        }
        return npdf(t0) / tau * sum;
    }
    let g = ramp_tail(((mu + w) / tau).abs()) - 2.0 * ramp_tail(t0.abs())
        + ramp_tail(((mu - w) / tau).abs());
    ((w - mu.abs()).max(0.0) + tau * g) / (w * w)
}

/// `E[(alpha/2) exp(-alpha |mu + tau Z|)]`, `tau > 0`. Completing the square on each half line,
/// `E[exp(-alpha x) 1(x > 0)] = exp(-alpha mu + s^2/2) Phi(t - s)` with `t = mu/tau`,
/// `s = alpha tau`, which is `exp(-t^2/2) erfcx((s - t)/sqrt 2) / 2`; the other half line is
/// the same with `-t`. So `E = (alpha/4) [e(t) + e(-t)]` with `e(t) = exp(-t^2/2) erfcx(y)`,
/// `y = (s - t)/sqrt 2`, and for `y < 0` (where `exp(y^2)` may overflow)
/// `e(t) = 2 exp(s (s/2 - t)) - exp(-t^2/2) erfcx(-y)` (the reflection `erfcx(y) =
/// 2 exp(y^2) - erfcx(-y)`, with the exponent `y^2 - t^2/2 = s (s/2 - t) < 0` formed directly).
pub(crate) fn pwexp_at(alpha: f64, mu: f64, tau: f64) -> f64 {
    let (t, s) = (mu / tau, alpha * tau);
    let e = |t: f64| {
        let y = (s - t) * std::f64::consts::FRAC_1_SQRT_2;
        if y >= 0.0 {
            (-0.5 * t * t).exp() * erfcx(y)
        } else {
            2.0 * (s * (0.5 * s - t)).exp() - (-0.5 * t * t).exp() * erfcx(-y)
        }
    };
    0.25 * alpha * (e(t) + e(-t))
}

/// Order of Weideman's rational approximation in [`faddeeva_re`].
const WEIDEMAN_N: usize = 36;

/// Coefficients `a_1 .. a_N` and the parameter `L = sqrt(N / sqrt 2)` of Weideman's
/// approximation (computed once; a 144-point cosine transform, after Weideman's `cef.m`).
fn weideman() -> &'static ([f64; WEIDEMAN_N], f64) {
    static C: std::sync::OnceLock<([f64; WEIDEMAN_N], f64)> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        let n = WEIDEMAN_N;
        let m = 2 * n;
        let m2 = 2 * m;
        let l = (n as f64 / std::f64::consts::SQRT_2).sqrt();
        // f = [0, f(k) for k = -m+1 .. m-1], then fftshift (rotate by m) and the real part of
        // the DFT divided by 2m.
        let mut f = vec![0.0; m2];
        for (i, k) in (1 - m as i64..m as i64).enumerate() {
            let t = l * (k as f64 * std::f64::consts::PI / m as f64 / 2.0).tan();
            f[i + 1] = (-t * t).exp() * (l * l + t * t);
        }
        let g: Vec<f64> = (0..m2).map(|i| f[(i + m) % m2]).collect();
        let mut a = [0.0; WEIDEMAN_N];
        for (j, aj) in a.iter_mut().enumerate() {
            let q = j + 1;
            let s: f64 = g
                .iter()
                .enumerate()
                .map(|(i, &gi)| {
                    let ph = 2.0 * std::f64::consts::PI * ((i * q) % m2) as f64 / m2 as f64;
                    gi * ph.cos()
                })
                .sum();
            *aj = s / m2 as f64;
        }
        (a, l)
    })
}

/// `Re w(x + i y)`, `y >= 0`, of the Faddeeva function `w(z) = exp(-z^2) erfc(-i z)`
/// (`Re w` is the Voigt profile up to scaling). For `|z| < 7` Weideman's rational
/// approximation of order 36 (J. A. C. Weideman, SIAM J. Numer. Anal. 31, 1994:
/// `w = 2 p(Z)/(L - iz)^2 + pi^(-1/2)/(L - iz)`, `Z = (L + iz)/(L - iz)`, `p` of degree 35),
/// beyond it Laplace's continued fraction `w = (i/sqrt pi)/(z - (1/2)/(z - 1/(z - (3/2)/...)))`
/// with 16 levels at `|z| = 7` down to 6 beyond 50 (one real division each; `|z|^2` must not
/// overflow: `|z| < 1e150`, far beyond the `1e9` the quadrature can produce). Weideman's
/// polynomial runs as two interleaved Horner chains in `Z^2`. Error against 30-digit mpmath
/// below 1e-15 of `Re w(i y)` (the peak over x)
/// for `|z| < 7` and below 5e-14 of `|w|` beyond (unit test `faddeeva_matches_mpmath`).
pub(crate) fn faddeeva_re(x: f64, y: f64) -> f64 {
    let r = x.hypot(y);
    if r >= 7.0 {
        let t = laplace_tail(x, y, r);
        // (i/sqrt pi) / (z - t): the real part is Im(z - t)/|z - t|^2/sqrt(pi).
        let (dx, dy) = (x - t.0, y - t.1);
        return INV_SQRT_PI * dy / (dx * dx + dy * dy);
    }
    let (p, inv, inv2) = weideman_parts(x, y);
    // 2 p inv^2 + inv/sqrt(pi), real part.
    2.0 * (p.0 * inv2.0 - p.1 * inv2.1) + INV_SQRT_PI * inv.0
}

/// The tail `t` of Laplace's continued fraction at `z = x + i y`, `|z| = r >= 7`, with
/// `w = (i/sqrt pi)/(z - t)`. Levels for 4e-16 relative (measured against mpmath over the
/// quarter circle): 14 at |z| = 7, 10 at 8.5, 8 at 12, 6 at 20, 4 at 50; a margin of two.
fn laplace_tail(x: f64, y: f64, r: f64) -> (f64, f64) {
    let levels = match r {
        r if r < 8.5 => 16,
        r if r < 12.0 => 12,
        r if r < 20.0 => 10,
        r if r < 50.0 => 8,
        _ => 6,
    };
    // t <- (k/2)/(z - t) = (k/2) conj(z - t)/|z - t|^2: one real division per level.
    let mut t = (0.0, 0.0);
    for k in (1..=levels).rev() {
        let (dx, dy) = (x - t.0, y - t.1);
        let s = 0.5 * k as f64 / (dx * dx + dy * dy);
        t = (s * dx, -s * dy);
    }
    t
}

/// Weideman's rational form at `z = x + i y`, `|z| < 7`: `(p(Z), 1/(L - iz), 1/(L - iz)^2)`,
/// with `w = 2 p inv^2 + inv/sqrt(pi)`.
#[allow(clippy::type_complexity)]
fn weideman_parts(x: f64, y: f64) -> ((f64, f64), (f64, f64), (f64, f64)) {
    let (a, l) = weideman();
    // L - iz = (L + y) - ix, L + iz = (L - y) + ix.
    let lm = (l + y, -x);
    // 1/(L - iz) once (|L - iz| >= L > 0, no overflow for |z| < 7).
    let m2 = lm.0 * lm.0 + lm.1 * lm.1;
    let inv = (lm.0 / m2, -lm.1 / m2);
    let zz = ((l - y) * inv.0 - x * inv.1, (l - y) * inv.1 + x * inv.0);
    // p(Z) = sum_{n < N} a_(n+1) Z^n as pe(Z^2) + Z po(Z^2): two independent Horner chains.
    let z2 = (zz.0 * zz.0 - zz.1 * zz.1, 2.0 * zz.0 * zz.1);
    let (mut pe, mut po) = ((0.0, 0.0), (0.0, 0.0));
    for j in (0..WEIDEMAN_N / 2).rev() {
        let (ce, co) = (a[2 * j], a[2 * j + 1]);
        pe = (pe.0 * z2.0 - pe.1 * z2.1 + ce, pe.0 * z2.1 + pe.1 * z2.0);
        po = (po.0 * z2.0 - po.1 * z2.1 + co, po.0 * z2.1 + po.1 * z2.0);
    }
    let p = (
        pe.0 + zz.0 * po.0 - zz.1 * po.1,
        pe.1 + zz.0 * po.1 + zz.1 * po.0,
    );
    let inv2 = (inv.0 * inv.0 - inv.1 * inv.1, 2.0 * inv.0 * inv.1);
    (p, inv, inv2)
}

/// `(w(z), z w(z) - i/sqrt(pi))` for `z = x + i y`, `y >= 0`, as `((re, im), (re, im))`: the
/// Faddeeva function and the combination behind its derivative `w'(z) = -2 (z w(z) - i/sqrt(pi))`.
/// Same two branches as [`faddeeva_re`]; beyond `|z| = 7` the second component comes from the
/// continued fraction's tail `t` without cancellation: `z w - i/sqrt(pi) = (i/sqrt(pi)) t/(z - t)`
/// when `w = (i/sqrt(pi))/(z - t)`. Inside, it is formed directly (a cancellation of at most
/// `|z|^2 < 49` ulps relative). Checked against mpmath (`faddeeva_complex_matches_mpmath`).
pub(crate) fn faddeeva_zw(x: f64, y: f64) -> ((f64, f64), (f64, f64)) {
    let r = x.hypot(y);
    if r >= 7.0 {
        let t = laplace_tail(x, y, r);
        // 1/(z - t) = conj(z - t)/|z - t|^2.
        let (dx, dy) = (x - t.0, y - t.1);
        let q = 1.0 / (dx * dx + dy * dy);
        let inv = (dx * q, -dy * q);
        // w = (i/sqrt pi) inv; z w - i/sqrt pi = (i/sqrt pi) t inv.
        let w = (-INV_SQRT_PI * inv.1, INV_SQRT_PI * inv.0);
        let ti = (t.0 * inv.0 - t.1 * inv.1, t.0 * inv.1 + t.1 * inv.0);
        return (w, (-INV_SQRT_PI * ti.1, INV_SQRT_PI * ti.0));
    }
    let (p, inv, inv2) = weideman_parts(x, y);
    let w = (
        2.0 * (p.0 * inv2.0 - p.1 * inv2.1) + INV_SQRT_PI * inv.0,
        2.0 * (p.0 * inv2.1 + p.1 * inv2.0) + INV_SQRT_PI * inv.1,
    );
    let zw = (x * w.0 - y * w.1, x * w.1 + y * w.0 - INV_SQRT_PI);
    (w, zw)
}

/// `E[atan_a(mu + tau Z)]` for the atan surrogate `(a/2)/(1 + (pi a x/2)^2)`, `tau > 0`: it is
/// the Cauchy (Lorentzian) density of half-width `gamma = 2/(pi a)`, so the expectation is the
/// Voigt profile `Re w((mu + i gamma)/(tau sqrt 2)) / (tau sqrt(2 pi))`.
pub(crate) fn atan_at(a: f64, mu: f64, tau: f64) -> f64 {
    let gamma = 2.0 / (std::f64::consts::PI * a);
    let s = tau * std::f64::consts::SQRT_2;
    faddeeva_re(mu / s, gamma / s) * INV_SQRT_2PI / tau
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `exp_fast` against `f64::exp` on `[-700, 700]` (the panel rules use `[-72, 0]`).
    #[test]
    fn exp_fast_matches_std() {
        let mut worst: f64 = 0.0;
        for i in 0..=200_000 {
            let x = -700.0 + 1400.0 * i as f64 / 200_000.0;
            worst = worst.max((exp_fast(x) / x.exp() - 1.0).abs());
        }
        for i in 0..=100_000 {
            let x = -72.0 * i as f64 / 100_000.0;
            worst = worst.max((exp_fast(x) / x.exp() - 1.0).abs());
        }
        // Two roundings in the reduction and Horner: a few ulps.
        assert!(worst < 4e-16, "{worst:e}");
    }

    /// `faddeeva_re` against 30-digit mpmath (`test_data/faddeeva.csv`, `make_faddeeva.py`):
    /// within 2e-15 of the peak `Re w(iy)` for `|z| < 7` (Weideman) and 1e-13 of `|w|` beyond
    /// (continued fraction), the accuracy the Voigt form needs (its error relative to the
    /// magnitude of `E[atan(mu + tau Z)]`, which peaks at `mu = 0`).
    #[test]
    fn faddeeva_matches_mpmath() {
        let (mut n, mut worst) = (0, [0.0f64; 2]);
        for v in crate::test_rows("faddeeva.csv") {
            let (x, y, re, abs, peak) = (v[0], v[1], v[2], v[3], v[4]);
            let got = faddeeva_re(x, y);
            let inner = x.hypot(y) < 7.0;
            let (err, tol) = if inner {
                ((got - re).abs() / peak, 2e-15)
            } else {
                ((got - re).abs() / abs, 1e-13)
            };
            worst[usize::from(!inner)] = worst[usize::from(!inner)].max(err);
            assert!(err < tol, "{v:?}: {got} ({err:e})");
            n += 1;
        }
        assert!(n >= 100, "{n}");
        eprintln!(
            "faddeeva: worst {:e} (inner), {:e} (outer)",
            worst[0], worst[1]
        );
    }

    /// erfcx against 60-digit mpmath values `erfc(y) exp(y^2)` on both sides of the switch at 12,
    /// and the exact value at 0.
    #[test]
    fn erfcx_branches_agree() {
        assert!((erfcx(0.0) - 1.0).abs() < 1e-16);
        for (y, want) in [
            (5.0, 0.110_704_637_733_068_63),
            (11.99, 0.046_893_031_655_408_32),
            (12.0, 0.046_854_221_014_893_76),
            (24.9, 0.022_639_987_776_049_506),
        ] {
            // Direct branch: ~y^2 ulps = 3e-14 at the switch.
            assert!((erfcx(y) / want - 1.0).abs() < 5e-14, "{y}");
        }
        // erfcx(y) ~ 1/(y sqrt(pi)) for very large y.
        let y = 1e8;
        assert!((erfcx(y) * y * std::f64::consts::PI.sqrt() - 1.0).abs() < 1e-15);
        // Negative argument via the reflection identity.
        assert!((erfcx(-1.0) - 1.0f64.exp() * (1.0 + erf(1.0))).abs() < 1e-14);
    }
}

//! Scalar special functions used by the closed forms: the normal density and distribution
//! function, a numerically stable scaled complementary error function `erfcx`, and the
//! one-dimensional Gaussian expectations `E[beta(sigma Z)]` of the surrogates that have them.

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

#[cfg(test)]
mod tests {
    use super::*;

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

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

/// Number of Gauss-Hermite nodes used where both factors are analytic on the Gaussian's scale.
pub(crate) const GH_N: usize = 64;

/// Gauss-Hermite rule for the standard normal: `E[f(Z)] ~ sum_i w_i f(z_i)`, exact for
/// polynomials of degree `2 GH_N - 1`. Nodes by Newton's method on the orthonormal Hermite
/// recurrence (Golub-Welsch normalisation), computed once.
pub(crate) fn gauss_hermite() -> &'static ([f64; GH_N], [f64; GH_N]) {
    static RULE: std::sync::OnceLock<([f64; GH_N], [f64; GH_N])> = std::sync::OnceLock::new();
    RULE.get_or_init(|| {
        // Physicists' rule for exp(-x^2) (Numerical Recipes `gauher`), then z = sqrt(2) x and
        // w / sqrt(pi).
        let n = GH_N;
        let pim4 = std::f64::consts::PI.powf(-0.25);
        let mut x = [0.0; GH_N];
        let mut w = [0.0; GH_N];
        let m = n.div_ceil(2);
        let nf = n as f64;
        let mut z = 0.0f64;
        for i in 0..m {
            z = match i {
                0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-0.16667),
                1 => z - 1.14 * nf.powf(0.426) / z,
                2 => 1.86 * z - 0.86 * x[0],
                3 => 1.91 * z - 0.91 * x[1],
                _ => 2.0 * z - x[i - 2],
            };
            let mut pp = 0.0;
            for _ in 0..100 {
                let mut p1 = pim4;
                let mut p2 = 0.0;
                for j in 0..n {
                    let p3 = p2;
                    p2 = p1;
                    let jf = j as f64;
                    p1 = z * (2.0 / (jf + 1.0)).sqrt() * p2 - (jf / (jf + 1.0)).sqrt() * p3;
                }
                pp = (2.0 * nf).sqrt() * p2;
                let z1 = z;
                z = z1 - p1 / pp;
                if (z - z1).abs() <= 1e-15 * z.abs().max(1.0) {
                    break;
                }
            }
            x[i] = z;
            x[n - 1 - i] = -z;
            w[i] = 2.0 / (pp * pp);
            w[n - 1 - i] = w[i];
        }
        let mut zs = [0.0; GH_N];
        let mut ws = [0.0; GH_N];
        for i in 0..n {
            zs[i] = std::f64::consts::SQRT_2 * x[i];
            ws[i] = w[i] / std::f64::consts::PI.sqrt();
        }
        (zs, ws)
    })
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
            (5.0, 0.110_704_637_733_068_626),
            (11.99, 0.046_893_031_655_408_324),
            (12.0, 0.046_854_221_014_893_762),
            (24.9, 0.022_639_987_776_049_506_286),
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

    /// The Gauss-Hermite rule integrates the normal moments E[Z^(2j)] = (2j-1)!! exactly
    /// (to rounding) up to degree 2 GH_N - 2, and E[cos(Z)] = exp(-1/2).
    #[test]
    fn gauss_hermite_moments() {
        let (z, w) = gauss_hermite();
        let mom = |k: i32| z.iter().zip(w).map(|(z, w)| w * z.powi(k)).sum::<f64>();
        assert!((mom(0) - 1.0).abs() < 1e-14);
        let mut df = 1.0;
        for j in 1..20 {
            df *= (2 * j - 1) as f64;
            assert!((mom(2 * j) / df - 1.0).abs() < 1e-12, "moment {}", 2 * j);
            assert!(mom(2 * j - 1).abs() < 1e-12 * df);
        }
        let c: f64 = z.iter().zip(w).map(|(z, w)| w * z.cos()).sum();
        assert!((c - (-0.5f64).exp()).abs() < 1e-15);
    }
}

//! `f32` fast paths: the fused backward-product / weight-update kernel of a dense middle layer,
//! and the vectorised erf surrogate.

/// `back = G W`, `W += coef G^T A` in `f32` (see [`crate::Float::backward_update`]).
pub(crate) fn backward_update_f32(
    w: &mut [f32],
    n_out: usize,
    n_in: usize,
    g: &[f32],
    a: &[f32],
    coef: f32,
    back: &mut [f32],
) {
    crate::linalg::backward_update_faer(w, n_out, n_in, g, a, coef, back);
}

/// `back *= (2m/sqrt(pi)) exp(-(m h)^2)` in `f32`.
pub(crate) fn erf_surrogate_mul_f32(back: &mut [f32], h: &[f32], m: f32) {
    let c = std::f64::consts::FRAC_2_SQRT_PI * f64::from(m);
    for (b, &x) in back.iter_mut().zip(h) {
        let y = f64::from(m) * f64::from(x);
        *b *= (c * (-y * y).exp()) as f32;
    }
}

//! `f32` fast paths: the fused backward-product / weight-update kernel of a dense middle layer,
//! and the vectorised erf surrogate. Both run inside `pulp::Arch::dispatch`, which selects the
//! best instruction set at run time (AVX2+FMA or scalar here), so the plain loops below are
//! compiled with those features enabled and vectorised.

use pulp::{Arch, Simd, WithSimd};

/// Columns of `W` per strip: two AVX2 vectors.
const JW: usize = 16;
/// Rows of `W` per tile: a `IB x JW` tile (8 KiB) stays in L1 between the backward passes and
/// the update.
const IB: usize = 96;
/// Training points per backward register block (`PC x JW` accumulators = 12 AVX2 registers).
const PC: usize = 6;
/// Rows per update register block (`RB x JW` = 8 registers).
const RB: usize = 4;

/// `back = G W`, `W += coef G^T A` in `f32` (see [`crate::Float::backward_update`]), in one
/// sweep over `W`: for each `IB x JW` tile, first its contribution to `back` (old weights),
/// then its rank-`P` update. Every `back` entry is an FMA chain over the rows in order, every
/// weight an FMA chain over the points in order, so the result does not depend on the SIMD
/// width.
pub(crate) fn backward_update_f32(
    w: &mut [f32],
    n_out: usize,
    n_in: usize,
    g: &[f32],
    a: &[f32],
    coef: f32,
    back: &mut [f32],
) {
    let p = g.len() / n_out;
    assert!(
        w.len() == n_out * n_in && a.len() == p * n_in && back.len() == p * n_in,
        "backward_update_f32: shapes"
    );
    // u[i][q] = coef * g[q][i], unit-major for the update.
    let mut u = vec![0.0f32; n_out * p];
    for q in 0..p {
        for i in 0..n_out {
            u[i * p + q] = coef * g[q * n_out + i];
        }
    }
    Arch::new().dispatch(Fused {
        w,
        n_out,
        n_in,
        g,
        a,
        u: &u,
        back,
        p,
    });
}

struct Fused<'a> {
    w: &'a mut [f32],
    n_out: usize,
    n_in: usize,
    g: &'a [f32],
    a: &'a [f32],
    u: &'a [f32],
    back: &'a mut [f32],
    p: usize,
}

/// A strided view of one column strip: `w[i * ws + wo ..][..JW]` is row `i`, likewise `a`
/// (stride `as_`) and `back` (stride `bs`) with offset `o`.
struct Strip<'a> {
    w: &'a mut [f32],
    ws: usize,
    wo: usize,
    a: &'a [f32],
    as_: usize,
    ao: usize,
    back: &'a mut [f32],
    bs: usize,
    bo: usize,
}

impl WithSimd for Fused<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) {
        let Fused {
            w,
            n_out,
            n_in,
            g,
            a,
            u,
            back,
            p,
        } = self;
        back.fill(0.0);
        let full = n_in / JW * JW;
        for j0 in (0..full).step_by(JW) {
            strip(
                Strip {
                    w: &mut *w,
                    ws: n_in,
                    wo: j0,
                    a,
                    as_: n_in,
                    ao: j0,
                    back: &mut *back,
                    bs: n_in,
                    bo: j0,
                },
                n_out,
                g,
                u,
                p,
            );
        }
        let rest = n_in - full;
        if rest > 0 {
            // Zero-padded copies of the last columns, run through the same kernel.
            let mut wt = vec![0.0f32; n_out * JW];
            let mut at = vec![0.0f32; p * JW];
            let mut bt = vec![0.0f32; p * JW];
            for i in 0..n_out {
                wt[i * JW..i * JW + rest].copy_from_slice(&w[i * n_in + full..(i + 1) * n_in]);
            }
            for q in 0..p {
                at[q * JW..q * JW + rest].copy_from_slice(&a[q * n_in + full..(q + 1) * n_in]);
            }
            strip(
                Strip {
                    w: &mut wt,
                    ws: JW,
                    wo: 0,
                    a: &at,
                    as_: JW,
                    ao: 0,
                    back: &mut bt,
                    bs: JW,
                    bo: 0,
                },
                n_out,
                g,
                u,
                p,
            );
            for i in 0..n_out {
                w[i * n_in + full..(i + 1) * n_in].copy_from_slice(&wt[i * JW..i * JW + rest]);
            }
            for q in 0..p {
                back[q * n_in + full..(q + 1) * n_in].copy_from_slice(&bt[q * JW..q * JW + rest]);
            }
        }
    }
}

#[inline(always)]
fn strip(s: Strip<'_>, n_out: usize, g: &[f32], u: &[f32], p: usize) {
    let Strip {
        w,
        ws,
        wo,
        a,
        as_,
        ao,
        back,
        bs,
        bo,
    } = s;
    for i0 in (0..n_out).step_by(IB) {
        let i1 = (i0 + IB).min(n_out);
        // Backward: back[q][strip] += sum_i g[q][i] w[i][strip], PC points at a time.
        let mut q0 = 0;
        while q0 + PC <= p {
            back_block::<PC>(w, ws, wo, g, n_out, back, bs, bo, q0, i0, i1);
            q0 += PC;
        }
        match p - q0 {
            0 => {}
            1 => back_block::<1>(w, ws, wo, g, n_out, back, bs, bo, q0, i0, i1),
            2 => back_block::<2>(w, ws, wo, g, n_out, back, bs, bo, q0, i0, i1),
            3 => back_block::<3>(w, ws, wo, g, n_out, back, bs, bo, q0, i0, i1),
            4 => back_block::<4>(w, ws, wo, g, n_out, back, bs, bo, q0, i0, i1),
            _ => back_block::<5>(w, ws, wo, g, n_out, back, bs, bo, q0, i0, i1),
        }
        // Update: w[i][strip] += sum_q u[i][q] a[q][strip], RB rows at a time.
        let mut i = i0;
        while i + RB <= i1 {
            update_block::<RB>(w, ws, wo, a, as_, ao, u, p, i);
            i += RB;
        }
        while i < i1 {
            update_block::<1>(w, ws, wo, a, as_, ao, u, p, i);
            i += 1;
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn back_block<const N: usize>(
    w: &[f32],
    ws: usize,
    wo: usize,
    g: &[f32],
    n_out: usize,
    back: &mut [f32],
    bs: usize,
    bo: usize,
    q0: usize,
    i0: usize,
    i1: usize,
) {
    let mut acc = [[0.0f32; JW]; N];
    for (k, acc) in acc.iter_mut().enumerate() {
        let o = (q0 + k) * bs + bo;
        acc.copy_from_slice(&back[o..o + JW]);
    }
    for i in i0..i1 {
        let wr: &[f32; JW] = w[i * ws + wo..i * ws + wo + JW].try_into().unwrap();
        for (k, acc) in acc.iter_mut().enumerate() {
            let gq = g[(q0 + k) * n_out + i];
            for t in 0..JW {
                acc[t] = gq.mul_add(wr[t], acc[t]);
            }
        }
    }
    for (k, acc) in acc.iter().enumerate() {
        let o = (q0 + k) * bs + bo;
        back[o..o + JW].copy_from_slice(acc);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn update_block<const R: usize>(
    w: &mut [f32],
    ws: usize,
    wo: usize,
    a: &[f32],
    as_: usize,
    ao: usize,
    u: &[f32],
    p: usize,
    i: usize,
) {
    let mut acc = [[0.0f32; JW]; R];
    for (r, acc) in acc.iter_mut().enumerate() {
        let o = (i + r) * ws + wo;
        acc.copy_from_slice(&w[o..o + JW]);
    }
    for q in 0..p {
        let ar: &[f32; JW] = a[q * as_ + ao..q * as_ + ao + JW].try_into().unwrap();
        for (r, acc) in acc.iter_mut().enumerate() {
            let uq = u[(i + r) * p + q];
            for t in 0..JW {
                acc[t] = uq.mul_add(ar[t], acc[t]);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        let o = (i + r) * ws + wo;
        w[o..o + JW].copy_from_slice(acc);
    }
}

const LOG2E: f32 = std::f32::consts::LOG2_E;
// ln 2 split so that k * LN2_HI is exact for |k| < 2^8 (Cody-Waite).
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
/// 1.5 * 2^23: adding it rounds to an integer (ties to even) in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;

/// `exp(-t)` for `t >= 0` (and `t` not NaN), accurate to a few ulp: Cody-Waite reduction
/// `-t = k ln 2 + r`, `|r| <= ln2/2`, degree-7 Taylor polynomial (truncation `0.35^8/8! ~ 5e-9`,
/// below half an ulp), scaling by `2^k` through the exponent bits; 0 below `exp(-87)`.
#[inline(always)]
pub(crate) fn exp_neg(t: f32) -> f32 {
    let x = (-t).max(-87.0);
    let kf = x.mul_add(LOG2E, MAGIC);
    let ki = kf.to_bits() as i32 - MAGIC.to_bits() as i32;
    let k = kf - MAGIC;
    let r = k.mul_add(-LN2_LO, k.mul_add(-LN2_HI, x));
    let mut p: f32 = 1.0 / 5040.0;
    p = p.mul_add(r, 1.0 / 720.0);
    p = p.mul_add(r, 1.0 / 120.0);
    p = p.mul_add(r, 1.0 / 24.0);
    p = p.mul_add(r, 1.0 / 6.0);
    p = p.mul_add(r, 0.5);
    p = p.mul_add(r, 1.0);
    p = p.mul_add(r, 1.0);
    let scale = f32::from_bits(((ki + 127) << 23) as u32);
    if t > 87.0 { 0.0 } else { p * scale }
}

struct ErfSurrogate<'a> {
    back: &'a mut [f32],
    h: &'a [f32],
    m: f32,
    c: f32,
}

impl WithSimd for ErfSurrogate<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) {
        let (m, c) = (self.m, self.c);
        for (b, &x) in self.back.iter_mut().zip(self.h) {
            let y = m * x;
            *b *= c * exp_neg(y * y);
        }
    }
}

/// `back *= (2m/sqrt(pi)) exp(-(m h)^2)` in `f32`.
pub(crate) fn erf_surrogate_mul_f32(back: &mut [f32], h: &[f32], m: f32) {
    let c = (std::f64::consts::FRAC_2_SQRT_PI * f64::from(m)) as f32;
    Arch::new().dispatch(ErfSurrogate { back, h, m, c });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-blocked kernel against the two faer products, on sizes with column tails and
    /// point counts that are not multiples of the register blocks. Both are f32 sums of
    /// `n` (backward) or `P` (update) products of O(1) numbers in different orders: agreement to
    /// `8 eps sqrt(n)` relative to the largest entry.
    #[test]
    fn fused_kernel_matches_faer() {
        for (n_out, n_in, p) in [(37, 45, 15), (100, 16, 7), (5, 3, 1), (96, 97, 13)] {
            let w: Vec<f32> = (0..n_out * n_in)
                .map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5)
                .collect();
            let g: Vec<f32> = (0..p * n_out)
                .map(|i| ((i * 31) % 97) as f32 * 1e-2 - 0.4)
                .collect();
            let a: Vec<f32> = (0..p * n_in).map(|i| ((i * 13) % 7) as f32 - 3.0).collect();
            let (mut w1, mut w2) = (w.clone(), w);
            let (mut b1, mut b2) = (vec![0.0; p * n_in], vec![0.0; p * n_in]);
            backward_update_f32(&mut w1, n_out, n_in, &g, &a, -0.3, &mut b1);
            crate::linalg::backward_update_faer(&mut w2, n_out, n_in, &g, &a, -0.3, &mut b2);
            let tol = 8.0 * f32::EPSILON * (n_out.max(p) as f32).sqrt();
            for (x, y) in [(&w1, &w2), (&b1, &b2)] {
                let scale = y.iter().fold(1.0f32, |m, v| m.max(v.abs()));
                for (u, v) in x.iter().zip(y.iter()) {
                    assert!(
                        (u - v).abs() <= tol * scale,
                        "{n_out}x{n_in} P={p}: {u} vs {v}"
                    );
                }
            }
        }
    }

    /// The fast surrogate agrees with the catalogue (f64, rounded) to a few f32 ulp. The
    /// argument `(m x)^2` is rounded in f32 (relative 6e-8), which moves `exp(-t)` by
    /// `t * 6e-8` relative per rounding (m, m x and the square): the tolerance is `4 eps + 3 t eps`.
    #[test]
    fn erf_surrogate_matches_catalogue() {
        let sur: sgntk_gauss::Surrogate = "erf:1.7".parse().unwrap();
        let h: Vec<f32> = (-6000..=6000).map(|i| i as f32 * 1e-3).collect();
        let mut back = vec![1.0f32; h.len()];
        erf_surrogate_mul_f32(&mut back, &h, 1.7);
        let eps = f64::from(f32::EPSILON);
        for (&x, &b) in h.iter().zip(&back) {
            let want = sur.value(f64::from(x));
            let t = (1.7 * f64::from(x)).powi(2);
            let tol = (4.0 * eps + 3.0 * t * eps) * want + 1e-37;
            assert!((f64::from(b) - want).abs() <= tol, "x = {x}: {b} vs {want}");
        }
        // Exact by construction: underflow is flushed to 0, and r = 0, k = 0 give p = 1.
        #[allow(clippy::float_cmp)]
        let exact = exp_neg(100.0) == 0.0 && exp_neg(0.0) == 1.0;
        assert!(exact);
    }
}

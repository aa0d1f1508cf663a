//! The training-time matrix function G = I(X,X)^{-1} (Id - E) at finite time, without inverting
//! I(X,X) and without cancellation.
//!
//! Gradient flow: with M = I(X,X) and s = eta t / P,
//!
//! ```text
//! G = M^{-1} (Id - exp(-s M)) = s * phi_1(-s M),   phi_1(Z) = sum_{k>=0} Z^k / (k+1)!
//! ```
//!
//! phi_1 is entire, so G exists for singular M and its eigenvalue-wise form
//! g(lambda) = (1 - exp(-s lambda)) / lambda has no removable singularity to fight. We evaluate it
//! by scaling and squaring on the pair (F, D) = (phi_1(Z), exp(Z) - Id):
//! Z_j = Z / 2^j with ||Z_j||_1 <= THETA, F = Taylor polynomial of degree [`TAYLOR_DEGREE`]
//! (Paterson–Stockmeyer, 8 matrix products), D = Z_j F, then j times
//!
//! ```text
//! phi_1(2Z) = phi_1(Z) (exp(Z) + Id) / 2  =>  F <- F + F D / 2
//! exp(2Z) - Id = 2 D + D^2                =>  D <- 2 D + D D
//! ```
//!
//! Carrying exp(Z) - Id instead of exp(Z) is the matrix analogue of `expm1`: nothing of the form
//! Id - (Id + small) is ever formed, so eigenvalues s lambda << 1 keep full relative accuracy.
//!
//! Discrete gradient descent: with h = eta / P and B = Id - h M (one step of the residual
//! recursion r_{k+1} = B r_k),
//!
//! ```text
//! G_T = M^{-1} (Id - B^T) = h sum_{k=0}^{T-1} B^k,
//! ```
//!
//! a polynomial in M evaluated by binary powering on (S_n, D_n) = (sum_{k<n} B^k, B^n - Id):
//!
//! ```text
//! doubling:  S_2n = 2 S_n + S_n D_n,  D_2n = 2 D_n + D_n^2
//! increment: S_n+1 = S_n + Id + D_n,  D_n+1 = D_n + D_1 + D_n D_1,   D_1 = -h M
//! ```
//!
//! at most 3 log2(T) matrix products and, again, no cancellation for small h.
//!
//! Solve route ([`crate::FiniteTimeMethod::Solve`]): the same recursions carried for
//! D = E - Id alone (`gradient_flow_d`: the [13/13] Padé approximant of Higham (2005) in expm1
//! form, (V - U)^{-1} (2U), at ||Z||_1 <= 5.37 or at a bound from ||Z^4||_1 and ||Z^6||_1 (see
//! `gradient_flow_start`), then D <- 2 D + D^2, one product per squaring;
//! `gradient_descent_d`: doubling and increment of
//! D_n), after which the caller forms G = -M^{-1} D with the LU factors of M. Again nothing of
//! the form Id - E is formed: D is accurate in every eigen-direction, and the only extra error is
//! that of the solve, ~ u kappa(M).

use faer::linalg::matmul::matmul;
use faer::{Accum, MatRef, Par};

use rayon::prelude::*;

use crate::dense::{Dense, norm1};

/// Degree of the truncated Taylor series of phi_1 at the scaled argument.
pub(crate) const TAYLOR_DEGREE: usize = 24;
/// Scaling threshold: ||Z_j||_1 <= THETA. The truncation error of the degree-24 Taylor series of
/// phi_1 is at most sum_{k>24} THETA^k/(k+1)! <= 1.1 * 2^25 / 26! < 1e-19, far below the unit
/// roundoff 1.1e-16, for every matrix of 1-norm <= 2 (whatever its spectrum or non-normality).
pub(crate) const THETA: f64 = 2.0;
/// Paterson–Stockmeyer block size: powers Z^1..Z^5 and a Horner scheme in Z^5.
const PS_BLOCK: usize = 5;

/// A fresh `a b`.
pub(crate) fn mul(a: MatRef<'_, f64>, b: MatRef<'_, f64>, par: Par) -> Dense {
    let mut out = Dense::zeros(a.nrows(), b.ncols());
    matmul(out.as_mut(), Accum::Replace, a, b, 1.0, par);
    out
}

/// `a <- alpha a + beta b + gamma c` (c optional), columns in parallel.
fn lincomb(
    a: &mut Dense,
    alpha: f64,
    (beta, b): (f64, &Dense),
    c: Option<(f64, &Dense)>,
    par: Par,
) {
    a.for_each_col_mut(par, |j, col| {
        let bj = b.col_as_slice(j);
        match c {
            Some((gamma, c)) => {
                for ((o, x), y) in col.iter_mut().zip(bj).zip(c.col_as_slice(j)) {
                    *o = alpha * *o + beta * x + gamma * y;
                }
            }
            None => {
                for (o, x) in col.iter_mut().zip(bj) {
                    *o = alpha * *o + beta * x;
                }
            }
        }
    });
}

fn add_identity(m: &mut Dense, alpha: f64) {
    for i in 0..m.nrows() {
        m[(i, i)] += alpha;
    }
}

/// sum_k c_k Z^k for the `TAYLOR_DEGREE + 1` coefficients `c` (Paterson–Stockmeyer: powers
/// Z^2..Z^5 and a Horner scheme in Z^5, 8 matrix products).
fn taylor(z: MatRef<'_, f64>, c: &[f64; TAYLOR_DEGREE + 1], par: Par) -> Dense {
    let n = z.nrows();
    // powers[r] = Z^r, r = 0..=PS_BLOCK
    let mut powers: Vec<Dense> = Vec::with_capacity(PS_BLOCK + 1);
    powers.push(Dense::identity(n));
    powers.push(Dense::copy_of(z, 1.0, false, 0.0, par));
    for r in 2..=PS_BLOCK {
        let next = mul(powers[r - 1].as_ref(), z, par);
        powers.push(next);
    }
    let n_blocks = TAYLOR_DEGREE / PS_BLOCK + 1; // 5 blocks of 5 coefficients: degree 24
    let block = |b: usize| -> Dense {
        // sum_{r=0}^{PS_BLOCK-1} c_{b*PS_BLOCK + r} Z^r
        let mut out = Dense::zeros(n, n);
        for (r, power) in powers.iter().enumerate().take(PS_BLOCK) {
            let k = b * PS_BLOCK + r;
            if k > TAYLOR_DEGREE {
                break;
            }
            let ck = c[k];
            if ck == 0.0 {
                continue;
            }
            let p = power.as_ref();
            for j in 0..n {
                for i in 0..n {
                    out[(i, j)] += ck * p[(i, j)];
                }
            }
        }
        out
    };
    let mut acc = block(n_blocks - 1);
    for b in (0..n_blocks - 1).rev() {
        let mut next = block(b);
        matmul(
            next.as_mut(),
            Accum::Add,
            powers[PS_BLOCK].as_ref(),
            acc.as_ref(),
            1.0,
            par,
        );
        acc = next;
    }
    acc
}

/// phi_1(Z) = sum_k Z^k / (k+1)! truncated at degree [`TAYLOR_DEGREE`], for ||Z||_1 <= [`THETA`].
fn phi1_taylor(z: MatRef<'_, f64>, par: Par) -> Dense {
    let mut c = [0.0_f64; TAYLOR_DEGREE + 1];
    let mut fact = 1.0;
    for (k, ck) in c.iter_mut().enumerate() {
        fact *= (k + 1) as f64;
        *ck = 1.0 / fact;
    }
    taylor(z, &c, par)
}

/// Number of halvings j with ||Z||_1 / 2^j <= theta.
fn halvings(nu: f64, theta: f64) -> i32 {
    let mut j: i32 = 0;
    if nu > theta {
        j = (nu / theta).log2().ceil() as i32;
        // guard against rounding in log2
        while nu / 2f64.powi(j) > theta {
            j += 1;
        }
    }
    j
}

/// Scaling threshold of the degree-13 Padé approximant (Higham 2005, theta_13): for
/// ||Z||_1 <= THETA_13 its backward error is below the unit roundoff.
const THETA_13: f64 = 5.371_920_351_148_152;

/// Padé 13 coefficients b_0..b_13 (Higham 2005).
const PADE_13: [f64; 14] = [
    64_764_752_532_480_000.0,
    32_382_376_266_240_000.0,
    7_771_770_303_897_600.0,
    1_187_353_796_428_800.0,
    129_060_195_264_000.0,
    10_559_470_521_600.0,
    670_442_572_800.0,
    33_522_128_640.0,
    1_323_241_920.0,
    40_840_800.0,
    960_960.0,
    16_380.0,
    182.0,
    1.0,
];

/// `out = c6 Z6 + c4 Z4 + c2 Z2 + c0 Id`, column by column (contiguous, no allocation,
/// columns in parallel).
fn comb_into(
    out: &mut Dense,
    (z6, z4, z2): (&Dense, &Dense, &Dense),
    (c6, c4, c2, c0): (f64, f64, f64, f64),
    par: Par,
) {
    out.for_each_col_mut(par, |c, col| {
        let (a6, a4, a2) = (z6.col_as_slice(c), z4.col_as_slice(c), z2.col_as_slice(c));
        for (r, o) in col.iter_mut().enumerate() {
            *o = c6 * a6[r] + c4 * a4[r] + c2 * a2[r];
        }
        col[c] += c0;
    });
}

/// exp(Z / 2^r) - Id by the [13/13] Padé approximant in expm1 form, given Z and its powers
/// Z^2, Z^4, Z^6 (the scaling by 2^-r is folded into the coefficients, so the powers serve
/// every r): with r = (V - U)^{-1} (V + U), U the odd and V the even part of the numerator,
/// r - Id = (V - U)^{-1} (2 U), and U = Z * (even polynomial) keeps full relative accuracy for
/// small Z (3 more products and one LU solve; the buffers are reused in place).
fn expm1_pade13(z: &Dense, z2: &Dense, z4: &Dense, z6: &Dense, r: i32, par: Par) -> Dense {
    let n = z.nrows();
    let b = &PADE_13;
    let (h1, h2, h4, h6) = (
        2f64.powi(-r),
        2f64.powi(-2 * r),
        2f64.powi(-4 * r),
        2f64.powi(-6 * r),
    );
    let zs = (z6, z4, z2);
    // inner = lo6 Z6 + lo4 Z4 + lo2 Z2 + lo0 Id + Z6 (hi6 Z6 + hi4 Z4 + hi2 Z2), w as scratch
    // (all powers of the scaled Z / 2^r)
    let even = |inner: &mut Dense, w: &mut Dense, lo: [f64; 4], hi: [f64; 3]| {
        comb_into(inner, zs, (lo[0] * h6, lo[1] * h4, lo[2] * h2, lo[3]), par);
        comb_into(w, zs, (hi[0] * h6, hi[1] * h4, hi[2] * h2, 0.0), par);
        matmul(inner.as_mut(), Accum::Add, z6.as_ref(), w.as_ref(), h6, par);
    };
    let mut inner = Dense::zeros(n, n);
    let mut w = Dense::zeros(n, n);
    // U = Z [Z6 (b13 Z6 + b11 Z4 + b9 Z2) + b7 Z6 + b5 Z4 + b3 Z2 + b1 Id]
    even(
        &mut inner,
        &mut w,
        [b[7], b[5], b[3], b[1]],
        [b[13], b[11], b[9]],
    );
    let mut u = Dense::zeros(n, n);
    matmul(
        u.as_mut(),
        Accum::Replace,
        z.as_ref(),
        inner.as_ref(),
        h1,
        par,
    );
    // V = Z6 (b12 Z6 + b10 Z4 + b8 Z2) + b6 Z6 + b4 Z4 + b2 Z2 + b0 Id, in the same buffers
    even(
        &mut inner,
        &mut w,
        [b[6], b[4], b[2], b[0]],
        [b[12], b[10], b[8]],
    );
    // Q = V - U (in V's buffer), D = 2 U (in U's), D <- Q^{-1} D (LU in place)
    Dense::for_each_col_mut2(&mut inner, &mut u, par, |qc, uc| {
        for (q, x) in qc.iter_mut().zip(uc.iter_mut()) {
            *q -= *x;
            *x *= 2.0;
        }
    });
    crate::dense::Lu::from_owned(inner, par).solve_in_place(u.as_mut(), false);
    u
}

/// Scaling threshold applied to eta(Z) = max(||Z^4||_1^{1/4}, ||Z^6||_1^{1/6}): the value
/// Al-Mohy & Higham (2009, Algorithm 5.1) use for their (similar) alpha-based choice, below
/// Higham's theta_13 = 5.37 up to which the truncation bound alone would allow.
const THETA_13_ETA: f64 = 4.25;

/// log2 |c_27|: c_27 = (13!)^2 / (26! 27!) is the leading coefficient of the backward-error
/// series h_27(x) = log(exp(-x) r_13(x)) of the [13/13] Padé approximant.
const LOG2_C27: f64 = -116.447_004_251_763;

/// An upper bound on log2 || |Z|^27 ||_1 from a few power steps (Perron–Frobenius): for the
/// nonnegative C = |Z| and any positive v with C^T v <= lambda v (componentwise),
/// (C^T)^27 1 <= lambda^27 v / min(v), so ||C^27||_1 = max_j ((C^T)^27 1)_j
/// <= lambda^27 max(v) / min(v). v is C^T applied four times to the ones vector (each pass a
/// column dot product, columns in parallel), lambda = max_i (C^T v)_i / v_i; on kernel matrices
/// lambda is then within a few per cent of the Perron root. Never above the trivial bound
/// 27 log2 ||Z||_1 (as || |Z| ||_1 = ||Z||_1; the caller passes log2 ||Z||_1); five passes
/// over Z in all.
fn log2_norm1_abs_power27_bound(z: &Dense, log2_norm1_z: f64, par: Par) -> f64 {
    let n = z.nrows();
    let trivial = 27.0 * log2_norm1_z;
    let pass = |v: &[f64], out: &mut [f64]| {
        let dot = |(c, o): (usize, &mut f64)| {
            *o = z
                .col_as_slice(c)
                .iter()
                .zip(v)
                .map(|(a, x)| a.abs() * x)
                .sum::<f64>();
        };
        match par {
            Par::Seq => out.iter_mut().enumerate().for_each(dot),
            Par::Rayon(_) => out
                .par_iter_mut()
                .enumerate()
                .with_min_len(64)
                .for_each(dot),
        }
    };
    let mut v = vec![1.0f64; n];
    let mut w = vec![0.0f64; n];
    for _ in 0..4 {
        pass(&v, &mut w);
        let top = w.iter().fold(0.0f64, |a, &x| a.max(x));
        if !(top > 0.0 && top.is_finite()) {
            return trivial;
        }
        for (x, y) in v.iter_mut().zip(&w) {
            *x = y / top;
        }
    }
    pass(&v, &mut w);
    let (mut lambda, mut vmin) = (0.0f64, f64::INFINITY);
    for (x, y) in v.iter().zip(&w) {
        lambda = lambda.max(y / x);
        vmin = vmin.min(*x);
    }
    // max(v) = 1 after the normalisation; a zero or non-finite entry leaves the trivial bound
    let bound = 27.0 * lambda.log2() - vmin.log2();
    if bound.is_finite() {
        bound.min(trivial)
    } else {
        trivial
    }
}

/// The Padé start of the gradient-flow D: (exp(Z) - Id at Z = -s M / 2^j, j), with j the
/// number of squarings D <- 2 D + D^2 that give exp(-s M) - Id.
///
/// With r_13(X) = exp(X + h(X)), h(x) = sum_{k>=27} c_k x^k, the relative backward error of
/// the approximant is ||h(X)||_1 / ||X||_1 <= sum_k |c_k| ||X^k||_1 / ||X||_1 (Higham 2005).
/// j is the smaller of two choices that keep it below the unit roundoff u:
/// - Higham (2005): ||X||_1 <= theta_13 = 5.37, where h~(theta)/theta = u for
///   h~(x) = sum |c_k| x^k;
/// - from the powers the approximant needs anyway: with eta = max(d4, d6), d_k = ||X^k||_1^{1/k},
///   every even q >= 26 is 4a + 6b, so ||X^q||_1 <= eta^q; hence for odd k >= 27
///   ||X^k|| <= ||X|| eta^(k-1), and for even k ||X^k|| <= eta^k <= ||X|| eta^(k-1) (as
///   eta <= ||X||). The relative backward error is then at most h~(eta)/eta <= u for
///   eta <= 5.37; we require eta <= 4.25 (the margin of Al-Mohy & Higham 2009, whose
///   Algorithm 5.1 makes the same kind of choice with estimated norms) and add their `ell`
///   squarings where |c_27| || |X|^27 ||_1 / ||X||_1 exceeds u (their guard against rounding
///   errors in r_13 when ||X||_1 is much larger than eta, for strongly non-normal matrices).
///
/// For kernel matrices d_k approaches the spectral radius, below ||M||_1 (on the benchmark
/// matrices eta ~ 29.6 s against s ||M||_1 ~ 48 s: one squaring fewer, 2 n^3 flops).
fn gradient_flow_start(m: MatRef<'_, f64>, s: f64, par: Par) -> (Dense, usize) {
    let nu = s * norm1(m);
    let j_norm = halvings(nu, THETA_13);
    // Pre-scale so that the powers up to X^6 cannot overflow (||X||_1 <= 5.37 * 64); the
    // remaining `rest` halvings are folded into the Padé coefficients.
    let j_pre = (j_norm - 6).max(0);
    let mut rest = j_norm - j_pre;
    let z = Dense::copy_of(m, -s / 2f64.powi(j_pre), false, 0.0, par);
    // log2 ||Z||_1 (the scaling by 2^-j_pre is exact)
    let log2_norm1_z = nu.log2() - f64::from(j_pre);
    let z2 = mul(z.as_ref(), z.as_ref(), par);
    let z4 = mul(z2.as_ref(), z2.as_ref(), par);
    let z6 = mul(z4.as_ref(), z2.as_ref(), par);
    if rest > 0 {
        // log2 of eta (0 norms give -inf: no squarings needed on that account)
        let eta = (norm1(z4.as_ref()).log2() / 4.0).max(norm1(z6.as_ref()).log2() / 6.0);
        let mut j_eta = halvings(eta.exp2(), THETA_13_ETA);
        if j_eta < rest {
            // ell(X, 13) of Al-Mohy & Higham (2009), eq. (5.1), X = Z / 2^j_eta, u = 2^-53,
            // with an upper bound on || |X|^27 ||_1 (so ell can only come out larger)
            let log2_alpha = LOG2_C27 + log2_norm1_abs_power27_bound(&z, log2_norm1_z, par)
                - 26.0 * f64::from(j_eta)
                - log2_norm1_z;
            let ell = ((log2_alpha + 53.0) / 26.0).ceil().clamp(0.0, 64.0);
            j_eta += ell as i32;
            rest = rest.min(j_eta);
        }
    }
    (
        expm1_pade13(&z, &z2, &z4, &z6, rest, par),
        (j_pre + rest) as usize,
    )
}

/// `times` squarings D <- 2 D + D^2 in place (one spare buffer).
fn square_times(d: &mut Dense, times: usize, par: Par) {
    if times == 0 {
        return;
    }
    let n = d.nrows();
    let mut next = Dense::zeros(n, n);
    for _ in 0..times {
        let dd: &Dense = d;
        next.for_each_col_mut(par, |c, col| {
            for (o, x) in col.iter_mut().zip(dd.col_as_slice(c)) {
                *o = 2.0 * x;
            }
        });
        matmul(next.as_mut(), Accum::Add, d.as_ref(), d.as_ref(), 1.0, par);
        std::mem::swap(d, &mut next);
    }
}

/// D = exp(-s M) - Id (gradient flow, s = eta t / P), without forming exp(-s M): the Padé 13
/// approximant in expm1 form at Z = -s M / 2^j with ||Z||_1 <= [`THETA_13`], then j times
/// D <- 2 D + D^2. (The reference for [`gradient_flow_dt_times`] in the tests.)
#[cfg(test)]
pub(crate) fn gradient_flow_d(m: MatRef<'_, f64>, s: f64, par: Par) -> Dense {
    let n = m.nrows();
    if s == 0.0 {
        return Dense::zeros(n, n);
    }
    let (mut d, j) = gradient_flow_start(m, s, par);
    square_times(&mut d, j, par);
    d
}

/// `D^T X` for D = exp(-s M) - Id (n x n) and a block X (n x k), with the last r squarings
/// applied to the block instead of the matrix: f_0(X) = D_{j-r}^T X and
/// f_{i+1}(X) = (2 D_i + D_i^2)^T X = 2 f_i(X) + f_i(f_i(X)), i.e. 2^r block products
/// (2 n^2 k flops each) in place of r squarings (2 n^3 each) and one block product. r
/// minimises (j - r) n + 2^r k; for k = n / 4 (P = 4000 training and 1000 test points) r = 2
/// saves about 1.25 squarings. Same recursion, same accuracy (nothing of the form Id - E).
pub(crate) fn gradient_flow_dt_times(
    m: MatRef<'_, f64>,
    s: f64,
    x: MatRef<'_, f64>,
    par: Par,
) -> Dense {
    let (n, k) = (m.nrows(), x.ncols());
    if s == 0.0 {
        return Dense::zeros(n, k);
    }
    let (mut d, j) = gradient_flow_start(m, s, par);
    let r = (0..=j.min(6))
        .min_by_key(|&r| (j - r) * n + (1usize << r) * k)
        .unwrap_or(0);
    square_times(&mut d, j - r, par);
    apply_t_squared(d.as_ref(), r, x, par)
}

/// f_r(X) of [`gradient_flow_dt_times`].
fn apply_t_squared(d: MatRef<'_, f64>, r: usize, x: MatRef<'_, f64>, par: Par) -> Dense {
    if r == 0 {
        return mul(d.transpose(), x, par);
    }
    let y = apply_t_squared(d, r - 1, x, par);
    let mut z = apply_t_squared(d, r - 1, y.as_ref(), par);
    z.for_each_col_mut(par, |c, col| {
        for (o, v) in col.iter_mut().zip(y.col_as_slice(c)) {
            *o += 2.0 * v;
        }
    });
    z
}

/// D_T = (Id - h M)^T - Id (T = `steps` of gradient descent, h = eta / P) by binary powering on
/// D_n = B^n - Id: D_2n = 2 D_n + D_n^2, D_n+1 = D_n + D_1 + D_n D_1.
pub(crate) fn gradient_descent_d(m: MatRef<'_, f64>, h: f64, steps: u64, par: Par) -> Dense {
    let n = m.nrows();
    let mut d = Dense::zeros(n, n);
    if steps == 0 {
        return d;
    }
    let d1 = Dense::copy_of(m, -h, false, 0.0, par);
    let bits = 64 - steps.leading_zeros();
    let mut count: u64 = 0;
    for b in (0..bits).rev() {
        if count > 0 {
            let dd = mul(d.as_ref(), d.as_ref(), par);
            lincomb(&mut d, 2.0, (1.0, &dd), None, par);
            count *= 2;
        }
        if (steps >> b) & 1 == 1 {
            if count == 0 {
                d = d1.clone();
            } else {
                let dd1 = mul(d.as_ref(), d1.as_ref(), par);
                lincomb(&mut d, 1.0, (1.0, &d1), Some((1.0, &dd1)), par);
            }
            count += 1;
        }
    }
    debug_assert_eq!(count, steps);
    d
}

/// G = M^{-1} (Id - exp(-s M)) = s phi_1(-s M) for s >= 0 (gradient flow, s = eta t / P).
pub(crate) fn gradient_flow_g(m: MatRef<'_, f64>, s: f64, par: Par) -> Dense {
    let n = m.nrows();
    if s == 0.0 {
        return Dense::zeros(n, n);
    }
    let j = halvings(s * norm1(m), THETA);
    let scale = -s / 2f64.powi(j);
    let z = Dense::copy_of(m, scale, false, 0.0, par);
    let mut f = phi1_taylor(z.as_ref(), par);
    if j > 0 {
        let mut d = mul(z.as_ref(), f.as_ref(), par); // exp(Z) - Id = Z phi_1(Z)
        for step in 0..j {
            // F <- F + F D / 2
            let fd = mul(f.as_ref(), d.as_ref(), par);
            lincomb(&mut f, 1.0, (0.5, &fd), None, par);
            if step + 1 < j {
                // D <- 2 D + D D
                let dd = mul(d.as_ref(), d.as_ref(), par);
                lincomb(&mut d, 2.0, (1.0, &dd), None, par);
            }
        }
    }
    f.for_each_col_mut(par, |_, col| col.iter_mut().for_each(|x| *x *= s));
    f
}

/// G_T = M^{-1} (Id - (Id - h M)^T) = h sum_{k<T} (Id - h M)^k (discrete gradient descent,
/// h = eta / P, T = `steps`).
pub(crate) fn gradient_descent_g(m: MatRef<'_, f64>, h: f64, steps: u64, par: Par) -> Dense {
    let n = m.nrows();
    let mut s_acc = Dense::zeros(n, n); // S_n
    let mut d = Dense::zeros(n, n); // D_n = B^n - Id
    if steps == 0 {
        return s_acc;
    }
    let d1 = Dense::copy_of(m, -h, false, 0.0, par);
    let bits = 64 - steps.leading_zeros();
    let mut count: u64 = 0;
    for b in (0..bits).rev() {
        let last = b == 0;
        if count > 0 {
            // doubling
            let sd = mul(s_acc.as_ref(), d.as_ref(), par);
            lincomb(&mut s_acc, 2.0, (1.0, &sd), None, par);
            let bit_set = (steps >> b) & 1 == 1;
            if !last || bit_set {
                let dd = mul(d.as_ref(), d.as_ref(), par);
                lincomb(&mut d, 2.0, (1.0, &dd), None, par);
            }
            count *= 2;
        }
        if (steps >> b) & 1 == 1 {
            // increment: S <- S + Id + D, D <- D + D1 + D D1
            lincomb(&mut s_acc, 1.0, (1.0, &d), None, par);
            add_identity(&mut s_acc, 1.0);
            if !last {
                if count == 0 {
                    d = d1.clone();
                } else {
                    let dd1 = mul(d.as_ref(), d1.as_ref(), par);
                    lincomb(&mut d, 1.0, (1.0, &d1), Some((1.0, &dd1)), par);
                }
            }
            count += 1;
        }
    }
    debug_assert_eq!(count, steps);
    s_acc.for_each_col_mut(par, |_, col| col.iter_mut().for_each(|x| *x *= h));
    s_acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    /// D^T X with the last r squarings applied to the block equals (full D)^T X: the same
    /// recursion reassociated, so agreement to rounding (1e-12 of ||D||_1 ||X||_1, far above
    /// the few-ulp reassociation error and far below any algorithmic slip, e.g. a missing
    /// factor 2 changes the result at O(1)). Sizes chosen so that r = 0, 1, 2 and 3 occur.
    #[test]
    fn block_squarings_match_full_squarings() {
        let mut seed = 1u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let mut seen = std::collections::BTreeSet::new();
        for (n, k, s) in [(40, 40, 3.0), (60, 12, 20.0), (60, 3, 40.0), (80, 2, 200.0)] {
            // A nonsymmetric matrix with eigenvalues of positive real part: Id + small noise.
            let m = Mat::from_fn(
                n,
                n,
                |i, j| if i == j { 1.0 } else { 0.0 } + 0.3 * rnd() / n as f64,
            );
            let x = Mat::from_fn(n, k, |_, _| rnd());
            let j = halvings(s * norm1(m.as_ref()), THETA_13);
            let r = (0..=(j as usize).min(6))
                .min_by_key(|&r| (j as usize - r) * n + (1usize << r) * k)
                .unwrap();
            seen.insert(r);
            let d = gradient_flow_d(m.as_ref(), s, Par::Seq);
            let want = mul(d.as_ref().transpose(), x.as_ref(), Par::Seq);
            let got = gradient_flow_dt_times(m.as_ref(), s, x.as_ref(), Par::Seq);
            let tol = 1e-12 * norm1(d.as_ref()) * norm1(x.as_ref());
            for c in 0..k {
                for i in 0..n {
                    assert!(
                        (got[(i, c)] - want[(i, c)]).abs() <= tol,
                        "n {n} k {k} s {s} r {r}: {} vs {}",
                        got[(i, c)],
                        want[(i, c)]
                    );
                }
            }
        }
        assert!(seen.len() >= 3, "r values exercised: {seen:?}");
    }

    /// exp(Z) - Id for Z = -s M, M block diagonal with 2 x 2 upper triangular blocks
    /// [[a, b], [0, c]]: exp([[x, y], [0, w]]) = [[e^x, y (e^x - e^w) / (x - w)], [0, e^w]].
    fn blocks_exact(blocks: &[(f64, f64, f64)], s: f64) -> (Mat<f64>, Mat<f64>) {
        let n = 2 * blocks.len();
        let mut m = Mat::zeros(n, n);
        let mut d = Mat::zeros(n, n);
        for (i, &(a, b, c)) in blocks.iter().enumerate() {
            let k = 2 * i;
            (m[(k, k)], m[(k, k + 1)], m[(k + 1, k + 1)]) = (a, b, c);
            let (x, y, w) = (-s * a, -s * b, -s * c);
            d[(k, k)] = x.exp_m1();
            d[(k + 1, k + 1)] = w.exp_m1();
            // (e^x - e^w) / (x - w) = e^w expm1(x - w) / (x - w)
            // (x - w == 0 exactly when a == c: the confluent case)
            d[(k, k + 1)] = if a.to_bits() == c.to_bits() {
                y * x.exp()
            } else {
                y * w.exp() * (x - w).exp_m1() / (x - w)
            };
        }
        (m, d)
    }

    /// The eta-based choice of squarings against closed forms, on matrices where it matters:
    /// strongly non-normal blocks (||M||_1 ~ b far above the eigenvalues a, c, so eta << ||X||_1
    /// and the `ell` guard decides) and normal-ish ones. The reference is exact; the computed D
    /// carries the backward error u of the approximant plus the rounding of j squarings, each of
    /// which can amplify the error by the condition of the squaring (~ ||D||): we require
    /// 1e-13 of max(1, ||D||_1) per entry, far below what one squaring too few gives (the
    /// truncation error of r_13 at eta ~ 2 * 4.25 is ~1e-10 relative; a mutation check that
    /// takes one squaring fewer fails on the growing cases).
    #[test]
    fn squaring_choice_matches_closed_forms() {
        type Blocks<'a> = &'a [(f64, f64, f64)];
        let cases: [(Blocks, f64); 7] = [
            // negative eigenvalues (growing modes): here one squaring too few shows, as the
            // truncation error c_27 x^27 of r_13 at x ~ 8 is 2e-11 relative
            (&[(-1.0, 0.0, -1.0), (-0.9, 0.5, -0.8)], 16.0),
            (&[(-1.0, 3.0, -0.5), (0.5, 0.5, 0.4)], 7.0),
            (&[(1.0, 1e3, 2.0), (0.5, -3e2, 0.1), (3.0, 0.0, 3.0)], 1.0),
            (&[(1.0, 1e3, 2.0), (0.5, -3e2, 0.1), (3.0, 0.0, 3.0)], 20.0),
            (&[(1.0, 10.0, 1.5), (0.2, 5.0, 0.3)], 30.0),
            (&[(0.01, 1e6, 0.02), (1.0, 1.0, 1.0)], 0.5),
            (&[(2.0, 0.0, 1.0), (0.3, 0.1, 0.2)], 5.0),
        ];
        for (blocks, s) in cases {
            let (m, want) = blocks_exact(blocks, s);
            let got = gradient_flow_d(m.as_ref(), s, Par::Seq);
            let tol = 1e-13 * norm1(want.as_ref()).max(1.0);
            for c in 0..m.ncols() {
                for r in 0..m.nrows() {
                    let err = (got[(r, c)] - want[(r, c)]).abs();
                    assert!(
                        err <= tol,
                        "s {s} blocks {blocks:?} ({r},{c}): {} vs {} (err {err:e}, tol {tol:e})",
                        got[(r, c)],
                        want[(r, c)]
                    );
                }
            }
        }
    }

    /// On a kernel-like matrix with entries of both signs (a two-frequency shift-invariant
    /// kernel plus an asymmetric part and a nugget: spectral radius ~33 against ||M||_1 ~ 60,
    /// eta/||M||_1 = 0.68) the eta-based choice takes fewer squarings than the norm-based one,
    /// and D agrees with the independent solve-free route (degree-24 Taylor series of phi_1 at
    /// ||X||_1 <= 2, D = -s M phi_1(-s M)) to rounding: 1e-12 of ||D||_1 (both routes are
    /// backward stable to ~u per product, over ~20 products).
    #[test]
    fn eta_choice_saves_a_squaring_on_kernel_like_matrices() {
        let n = 64;
        let x = |i: usize| {
            2.0 * std::f64::consts::PI * i as f64 / n as f64 + 0.3 * (1.7 * i as f64).sin()
        };
        let m = Mat::from_fn(n, n, |i, j| {
            let (a, b) = (x(i), x(j));
            (a - b).cos()
                + (2.0 * (a - b)).cos()
                + 0.2 * a.sin() * (2.0 * b).cos()
                + if i == j { 0.3 } else { 0.0 }
        });
        let s = 0.77;
        let j_norm = halvings(s * norm1(m.as_ref()), THETA_13) as usize;
        let (_, j) = gradient_flow_start(m.as_ref(), s, Par::Seq);
        assert!(j < j_norm, "j {j} vs norm-based {j_norm}");
        let d = gradient_flow_d(m.as_ref(), s, Par::Seq);
        let g = gradient_flow_g(m.as_ref(), s, Par::Seq);
        let want = mul(m.as_ref(), g.as_ref(), Par::Seq);
        let tol = 1e-12 * norm1(d.as_ref());
        for c in 0..n {
            for r in 0..n {
                let err = (d[(r, c)] + want[(r, c)]).abs();
                assert!(err <= tol, "({r},{c}): {} vs {}", d[(r, c)], -want[(r, c)]);
            }
        }
    }

    /// The Perron bound on log2 || |Z|^27 ||_1 is an upper bound (against the exact value from
    /// 27 matrix-vector products in a different association, rounding 1e-9 in log2) and a
    /// tight one on a kernel-like matrix (within 2 bits: ell's threshold moves by 26 bits per
    /// squaring), on a non-normal matrix and on one with a zero column.
    #[test]
    fn abs_power_bound_is_an_upper_bound() {
        let n = 48;
        let kernel = Mat::from_fn(n, n, |i, j| {
            let (a, b) = (i as f64 * 0.13, j as f64 * 0.13);
            (a - b).cos() + 0.3 * (2.0 * a).sin() * b.cos() + if i == j { 0.2 } else { 0.0 }
        });
        let nonnormal = Mat::from_fn(n, n, |i, j| {
            if j > i {
                3.0 / (1.0 + (j - i) as f64)
            } else if i == j {
                -0.5
            } else {
                0.0
            }
        });
        let zero_col = Mat::from_fn(n, n, |i, j| {
            if j == 3 {
                0.0
            } else {
                1.0 / (1 + i + j) as f64
            }
        });
        for (name, m, slack) in [
            ("kernel", kernel, 2.0),
            ("nonnormal", nonnormal, 40.0),
            ("zero column", zero_col, 40.0),
        ] {
            let z = Dense::copy_of(m.as_ref(), 0.1, false, 0.0, Par::Seq);
            let abs = Mat::from_fn(n, n, |i, j| z[(i, j)].abs());
            let mut v = vec![1.0f64; n];
            let mut log2 = 0.0;
            for _ in 0..27 {
                let w: Vec<f64> = (0..n)
                    .map(|c| (0..n).map(|r| abs[(r, c)] * v[r]).sum())
                    .collect();
                let top = w.iter().fold(0.0f64, |a, &x| a.max(x));
                log2 += top.log2();
                v = w.iter().map(|x| x / top).collect();
            }
            let bound = log2_norm1_abs_power27_bound(&z, norm1(z.as_ref()).log2(), Par::Seq);
            assert!(
                bound >= log2 - 1e-9,
                "{name}: bound {bound} below exact {log2}"
            );
            assert!(
                bound <= log2 + slack,
                "{name}: bound {bound} vs exact {log2}"
            );
        }
    }
}

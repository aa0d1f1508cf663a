//! Tabulated recursion steps for point sets of one norm (the quadrature fallback at scale).
//!
//! When every point of both sets has the same variance `v_l = Sigma^(l)(x, x)` at layer `l` (the
//! unit circle or sphere of the paper, normalised inputs), each step of the recursion depends on
//! the correlation `rho = c / v_l` only. Writing `rho = cos(theta)`, `theta in [0, pi]`, the step
//! outputs `E[phi(u) phi(v)]` and `E[alpha_k(u) beta_k(v)]` are interpolated by Chebyshev
//! polynomials in `theta` (not in `rho`: the arc-cosine and arcsine kernels of kinked and jump
//! activations have `(1 - rho)^(k/2)` terms that are smooth in `theta`, e.g. the sign network's
//! `arcsin(cos theta) = pi/2 - theta`).
//!
//! Construction, per layer: `theta in (0, pi/2]` and `pi - theta` are each cut into dyadic pieces
//! `[2^-(j+1), 2^-j] pi/2`, `j = 0..PIECES` (graded toward `rho = +-1`, where kinked surrogates
//! such as fast-sigmoid(k) make the steps smooth but not analytic: a singularity at the end of
//! the range is at a distance from each piece proportional to the piece's width, so a fixed
//! number of Chebyshev points gives the same geometric accuracy on every piece). Each piece is
//! interpolated at 16 (else 32) Chebyshev points of the first kind and accepted when the
//! interpolant matches the direct evaluation at the interior midpoints to within [`TABLE_TOL`]
//! times the piece's largest magnitude; a piece that fails, or a step with `theta` below the
//! last piece (`|rho| > 1 - 4e-15`), takes the direct path. Entries with `c^2 >= a b` (the
//! diagonal, where the NTK of jump activations diverges) always take the direct path, so errors
//! and diagonal values are those of the direct evaluation. Cost: ~1500 direct evaluations per
//! layer to build, then ~16 multiply-adds per function and entry instead of a quadrature.

use sgntk_gauss::GaussError;

use crate::engine::{MAX_TANGENT, Pairs};

/// Accuracy of an accepted piece: the interpolant's deviation at the check points, relative to
/// the piece's largest magnitude of the tabulated function (1e-11: below the 1e-10 / 1e-8
/// accuracy of the quadrature fallback it replaces).
pub(crate) const TABLE_TOL: f64 = 1e-11;

/// Relative tolerance for treating two variances as the same (rounding of `|x|^2` between points
/// of one norm; the induced error in a step is of the same relative size, ~1e-13).
pub(crate) const SAME_VARIANCE: f64 = 1e-13;

/// Smallest number of kernel entries for which tabulating pays (a table costs ~1500 direct
/// evaluations per layer).
pub(crate) const TABLE_MIN_ENTRIES: usize = 10_000;

/// Ulps of `rho` allowed for in the sensitivity term of the check (the rounding of `c` and of
/// `c / sqrt(ab)`).
const ROUNDING_ULPS: f64 = 8.0;

/// Dyadic pieces per half of the `theta` range.
const PIECES: usize = 24;

const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;

/// Number of successful table builds (tests check that the tabulated path really ran).
#[cfg(test)]
pub(crate) static TABLE_BUILDS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// Chebyshev coefficients of the step functions on one piece.
struct Piece {
    /// Coefficients per function.
    n: usize,
    /// Function-major: function `f` (0: activation pair, `1 + k`: tangent `k`) at
    /// `coef[f * n..(f + 1) * n]`.
    coef: Vec<f64>,
}

/// The tables of one layer: pieces `0..PIECES` for `theta <= pi/2` (distance `x = theta` from
/// `rho = 1`), `PIECES..2 PIECES` for `theta > pi/2` (`x = pi - theta`).
struct LayerTable {
    /// The common variance `v_l`.
    v: f64,
    pieces: Vec<Option<Piece>>,
}

/// Interval `[lo, hi]` of `x` covered by piece `j` of a half.
#[inline]
fn bounds(j: usize) -> (f64, f64) {
    let hi = HALF_PI * 0.5f64.powi(j as i32);
    (0.5 * hi, hi)
}

/// `sum_k c_k T_k(t)` by Clenshaw's recurrence.
#[inline]
fn clenshaw(c: &[f64], t: f64) -> f64 {
    let (mut b1, mut b2) = (0.0, 0.0);
    let tt = 2.0 * t;
    for &ck in c.iter().skip(1).rev() {
        let b0 = ck + tt * b1 - b2;
        b2 = b1;
        b1 = b0;
    }
    c[0] + t * b1 - b2
}

/// The step functions at `rho = +-cos(x)` for variance `v`: `[E phi phi, E alpha_k beta_k..]`.
fn sample<P: Pairs>(
    pairs: &P,
    v: f64,
    nt: usize,
    upper: bool,
    x: f64,
) -> Option<[f64; 1 + MAX_TANGENT]> {
    let rho = if upper { -x.cos() } else { x.cos() };
    let mut d = [0.0; MAX_TANGENT];
    let e = pairs.step(v, v, v * rho, &mut d[..nt]).ok()?;
    let mut out = [0.0; 1 + MAX_TANGENT];
    out[0] = e;
    out[1..=nt].copy_from_slice(&d[..nt]);
    out.iter().all(|x| x.is_finite()).then_some(out)
}

/// Interpolates piece `j` of one half at `n` points; `None` if an evaluation fails or the
/// check at the midpoints does not pass.
fn build_piece<P: Pairs>(
    pairs: &P,
    v: f64,
    nt: usize,
    upper: bool,
    j: usize,
    n: usize,
) -> Option<Piece> {
    let nf = 1 + nt;
    let (lo, hi) = bounds(j);
    let x_of = |t: f64| 0.5 * (lo + hi) + 0.5 * (hi - lo) * t;
    let mut vals = Vec::with_capacity(n);
    for q in 0..n {
        let t = ((q as f64 + 0.5) * std::f64::consts::PI / n as f64).cos();
        vals.push(sample(pairs, v, nt, upper, x_of(t))?);
    }
    let mut coef = vec![0.0; nf * n];
    for f in 0..nf {
        for k in 0..n {
            let mut s = 0.0;
            for (q, val) in vals.iter().enumerate() {
                s += val[f]
                    * ((k as f64) * (q as f64 + 0.5) * std::f64::consts::PI / n as f64).cos();
            }
            coef[f * n + k] = s * 2.0 / n as f64 * if k == 0 { 0.5 } else { 1.0 };
        }
    }
    let piece = Piece { n, coef };
    let mut checks = Vec::with_capacity(n - 1);
    let mut scale = [0.0f64; 1 + MAX_TANGENT];
    for val in &vals {
        for f in 0..nf {
            scale[f] = scale[f].max(val[f].abs());
        }
    }
    for q in 1..n {
        let t = (q as f64 * std::f64::consts::PI / n as f64).cos();
        let direct = sample(pairs, v, nt, upper, x_of(t))?;
        for f in 0..nf {
            scale[f] = scale[f].max(direct[f].abs());
        }
        checks.push((t, direct));
    }
    // Near rho = +-1 the sampled correlation fl(cos x) carries only ~eps / x^2 relative
    // information about x, and the direct evaluation at it differs from the step at x by the
    // step's sensitivity to that rounding, |df/dx| eps |cot x| (the same uncertainty every
    // kernel entry has through the rounding of its own c). That is allowed on top of
    // TABLE_TOL, with |df/dx| estimated from neighbouring check points.
    let ok = (0..checks.len()).all(|q| {
        let (t, direct) = &checks[q];
        let x = x_of(*t);
        let cot = x.cos() / x.sin();
        (0..nf).all(|f| {
            let slope = [q.wrapping_sub(1), q + 1]
                .iter()
                .filter_map(|&r| checks.get(r))
                .map(|(tr, dr)| ((dr[f] - direct[f]) / (x_of(*tr) - x)).abs())
                .fold(0.0, f64::max);
            let approx = clenshaw(&piece.coef[f * n..(f + 1) * n], *t);
            (approx - direct[f]).abs()
                <= TABLE_TOL * scale[f] + ROUNDING_ULPS * f64::EPSILON * slope * cot
        })
    });
    ok.then_some(piece)
}

fn build_layer<P: Pairs>(pairs: &P, v: f64, nt: usize) -> LayerTable {
    let pieces = (0..2 * PIECES)
        .map(|p| {
            let (upper, j) = (p >= PIECES, p % PIECES);
            build_piece(pairs, v, nt, upper, j, 16)
                .or_else(|| build_piece(pairs, v, nt, upper, j, 32))
        })
        .collect();
    LayerTable { v, pieces }
}

/// The per-layer variances shared by every point of both sets (layers `1..=L`), if any.
pub(crate) fn common_variances(
    var1: &[f64],
    var2: &[f64],
    width: usize,
    depth: usize,
) -> Option<Vec<f64>> {
    let first = var1.get(..width)?;
    let same = |row: &[f64]| {
        (0..depth).all(|l| (row[l] - first[l]).abs() <= SAME_VARIANCE * first[l].abs())
    };
    if var1.chunks(width).all(same) && var2.chunks(width).all(same) {
        Some(first[..depth].to_vec())
    } else {
        None
    }
}

/// An evaluator answering steps at the tabulated variances from the tables and everything else
/// from `inner`.
pub(crate) struct TablePairs<'a, P> {
    inner: &'a P,
    nt: usize,
    layers: Vec<LayerTable>,
}

impl<'a, P: Pairs> TablePairs<'a, P> {
    /// Tables for the layer variances `vars` (one per step) and `nt` tangent kernels; `None` when
    /// no piece of any layer could be tabulated.
    pub(crate) fn build(inner: &'a P, vars: &[f64], nt: usize) -> Option<Self> {
        let mut layers: Vec<LayerTable> = Vec::new();
        for &v in vars {
            // The same variance twice (bit for bit): one table serves both layers.
            if layers.iter().any(|t| t.v.to_bits() == v.to_bits()) {
                continue;
            }
            layers.push(build_layer(inner, v, nt));
        }
        layers.retain(|t| t.pieces.iter().any(Option::is_some));
        #[cfg(test)]
        if !layers.is_empty() {
            TABLE_BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        (!layers.is_empty()).then_some(Self { inner, nt, layers })
    }

    /// The piece answering correlation `rho` at a layer table, and the local coordinate.
    #[inline]
    fn locate(table: &LayerTable, rho: f64) -> Option<(&Piece, f64)> {
        let upper = rho < 0.0;
        // x = distance of theta from the nearer end: acos(|rho|) (exact for either half).
        let x = rho.abs().acos();
        // x is NaN only for |rho| > 1 (excluded by the caller); x = 0 is rho = +-1.
        if x.is_nan() || x <= 0.0 {
            return None;
        }
        let j = (HALF_PI / x).log2().floor().max(0.0) as usize;
        if j >= PIECES {
            return None;
        }
        let (lo, hi) = bounds(j);
        let t = (2.0 * x - lo - hi) / (hi - lo);
        let piece = table.pieces[if upper { PIECES + j } else { j }].as_ref()?;
        Some((piece, t))
    }
}

impl<P: Pairs> Pairs for TablePairs<'_, P> {
    #[inline]
    fn step(
        &self,
        a: f64,
        b: f64,
        c: f64,
        d: &mut [f64],
    ) -> Result<f64, (Option<usize>, GaussError)> {
        if d.len() <= self.nt && c * c < a * b {
            let near = |x: f64, v: f64| (x - v).abs() <= SAME_VARIANCE * v.abs();
            if let Some(table) = self.layers.iter().find(|t| near(a, t.v) && near(b, t.v)) {
                if let Some((piece, t)) = Self::locate(table, c / (a * b).sqrt()) {
                    let n = piece.n;
                    for (k, out) in d.iter_mut().enumerate() {
                        *out = clenshaw(&piece.coef[(1 + k) * n..(2 + k) * n], t);
                    }
                    return Ok(clenshaw(&piece.coef[..n], t));
                }
            }
        }
        self.inner.step(a, b, c, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::GaussPairs;
    use crate::{Architecture, KernelKind};

    /// Every tabulated step against the direct evaluation at 400 correlations spread over
    /// [-1, 1] (denser near +-1, where kinked pairs are least smooth): within TABLE_TOL of the
    /// function's scale, plus the rounding of the Clenshaw sum (n terms of size <= scale).
    #[test]
    fn tables_match_direct_steps() {
        let cases = [
            ("tanh", "erf:1", vec![KernelKind::Ntk, KernelKind::SgNtk]),
            (
                "sign",
                "fast-sigmoid:25",
                vec![KernelKind::SgNtk, KernelKind::Surrogate],
            ),
            (
                "relu",
                "atan:2",
                vec![KernelKind::Ntk, KernelKind::SgNtk, KernelKind::Surrogate],
            ),
            ("step", "triangle:1", vec![KernelKind::SgNtk]),
        ];
        for (act, sur, kinds) in cases {
            let arch =
                Architecture::new(2, 2, 1.2, 0.3, act.parse().unwrap(), sur.parse().unwrap())
                    .unwrap();
            let g = GaussPairs::new(&arch, &kinds);
            let nt = kinds.len();
            for v in [0.37, 1.0, 2.9] {
                let t = TablePairs::build(&g, &[v], nt)
                    .unwrap_or_else(|| panic!("{act}/{sur} v{v} does not tabulate"));
                let lt = &t.layers[0];
                assert!(
                    lt.pieces.iter().all(Option::is_some),
                    "{act}/{sur} v{v}: some piece did not converge"
                );
                let mut pts = Vec::new();
                for i in 0..400 {
                    let s = -1.0 + 2.0 * (i as f64 + 0.5) / 400.0;
                    // rho = sin(pi s / 2): clusters toward +-1
                    let rho = (0.5 * std::f64::consts::PI * s).sin();
                    let mut d = [0.0; MAX_TANGENT];
                    let e = g.step(v, v, rho * v, &mut d[..nt]).unwrap();
                    let mut dt = [0.0; MAX_TANGENT];
                    let et = t.step(v, v, rho * v, &mut dt[..nt]).unwrap();
                    pts.push((rho, e, et, d, dt));
                }
                // Per piece the interpolant is within TABLE_TOL of the piece's largest
                // magnitude at the check points; between them the same order (checked here at
                // other points) plus the rounding of a 16-32 term Clenshaw sum. The pieces'
                // magnitudes are not known here: use the value's own size or, near a zero of
                // the function, the largest value over its piece's neighbours (0.01 of the
                // function's overall size is far below every piece's maximum in these cases).
                let scale: Vec<f64> = (0..=nt)
                    .map(|f| {
                        pts.iter()
                            .map(|p| if f == 0 { p.1.abs() } else { p.3[f - 1].abs() })
                            .fold(0.0, f64::max)
                    })
                    .collect();
                // Plus the sensitivity to the rounding of rho (see build_piece), with the slope
                // df/drho from a central difference of the direct evaluation.
                let slope = |f: usize, rho: f64| {
                    let h = 1e-4 * (1.0 - rho.abs()).max(1e-12);
                    let ev = |r: f64| {
                        let mut d = [0.0; MAX_TANGENT];
                        let e = g.step(v, v, r * v, &mut d[..nt]).unwrap();
                        if f == 0 { e } else { d[f - 1] }
                    };
                    ((ev(rho + h) - ev(rho - h)) / (2.0 * h)).abs()
                };
                let tol = |f: usize, x: f64, rho: f64| {
                    (2.0 * TABLE_TOL + 64.0 * f64::EPSILON) * x.abs().max(0.01 * scale[f])
                        + 4.0 * ROUNDING_ULPS * f64::EPSILON * slope(f, rho) * rho.abs()
                };
                for (rho, e, et, d, dt) in pts {
                    assert!(
                        (e - et).abs() <= tol(0, e, rho),
                        "{act} v{v} rho {rho}: {e} vs {et}"
                    );
                    for k in 0..nt {
                        assert!(
                            (d[k] - dt[k]).abs() <= tol(1 + k, d[k], rho),
                            "{act}/{sur} {} v{v} rho {rho}: {} vs {}",
                            kinds[k],
                            d[k],
                            dt[k]
                        );
                    }
                }
            }
        }
    }

    /// Steps off the tabulated variance, and on the diagonal, go to the direct evaluation
    /// (bit-identical), so diagonal divergences are still reported.
    #[test]
    fn untabulated_steps_are_direct() {
        let arch = Architecture::new(
            2,
            2,
            1.0,
            0.1,
            "sign".parse().unwrap(),
            "erf:1".parse().unwrap(),
        )
        .unwrap()
        .with_method(sgntk_gauss::Method::Quadrature);
        let kinds = [KernelKind::SgNtk];
        let g = GaussPairs::new(&arch, &kinds);
        let t = TablePairs::build(&g, &[1.0], 1).expect("tabulates");
        for (a, b, c) in [(1.5, 1.0, 0.4), (1.0, 1.0, 1.0), (1.0, 0.5, -0.2)] {
            let (mut d1, mut d2) = ([0.0], [0.0]);
            let e1 = g.step(a, b, c, &mut d1).unwrap();
            let e2 = t.step(a, b, c, &mut d2).unwrap();
            assert_eq!(
                (e1.to_bits(), d1[0].to_bits()),
                (e2.to_bits(), d2[0].to_bits())
            );
        }
        // The sign NTK diverges on the diagonal: no table for it is accepted there, and the
        // direct path reports the divergence.
        let g = GaussPairs::new(&arch, &[KernelKind::Ntk]);
        match TablePairs::build(&g, &[1.0], 1) {
            Some(t) => assert!(t.step(1.0, 1.0, 1.0, &mut [0.0]).is_err()),
            None => assert!(g.step(1.0, 1.0, 1.0, &mut [0.0]).is_err()),
        }
    }
}

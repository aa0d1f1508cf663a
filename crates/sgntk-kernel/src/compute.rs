//! Kernel matrices: validation of the point sets, per-point variances, and the parallel loop
//! over the entries (rayon over the columns of the output, i.e. over the points of `x2`; each
//! task walks all points of `x1`, so every column of the column-major `faer` output is written
//! contiguously by one thread). Memory is `O(N1 N2)` per requested matrix; the per-layer
//! matrices are only materialised by [`Architecture::kernel_layers`].

use faer::reborrow::ReborrowMut;
use faer::{Col, Mat, MatMut, MatRef};
use rayon::prelude::*;
use sgntk_gauss::GaussError;

use crate::arch::{Architecture, KernelKind};
use crate::engine::{
    BLOCK, Block, BlockOut, Engine, EntryError, GaussPairs, MAX_TANGENT, Pairs, dot,
};
use crate::error::KernelError;
use crate::fast::ErfPairs;
use crate::table::{TABLE_MIN_ENTRIES, TablePairs, common_variances};

/// A point set copied to row-major order, with its per-point variances `Sigma^(l)(x, x)`,
/// `l = 1..=L+1` (row-major, `L + 1` per point).
struct Points {
    rows: Vec<f64>,
    var: Vec<f64>,
    dim: usize,
    n: usize,
}

impl Points {
    #[inline]
    fn x(&self, i: usize) -> &[f64] {
        &self.rows[i * self.dim..(i + 1) * self.dim]
    }

    #[inline]
    fn v(&self, i: usize, depth: usize) -> &[f64] {
        &self.var[i * (depth + 1)..(i + 1) * (depth + 1)]
    }

    /// Coordinate-major copy of the points and layer-major copy of the variances (the layout
    /// of the vectorised path).
    fn transposed(&self, depth: usize) -> (Vec<f64>, Vec<f64>) {
        let (n, d, w) = (self.n, self.dim, depth + 1);
        let xt = (0..d * n).map(|q| self.rows[(q % n) * d + q / n]).collect();
        let vt = (0..w * n).map(|q| self.var[(q % n) * w + q / n]).collect();
        (xt, vt)
    }
}

/// Where a tangent kernel's value comes from in the per-entry engine.
#[derive(Clone, Copy)]
pub(crate) enum Source {
    Sigma,
    Theta(usize),
}

/// The tangent kinds (deduplicated, in order of first appearance) and each requested kind's
/// source.
pub(crate) fn plan(kinds: &[KernelKind]) -> (Vec<KernelKind>, Vec<Source>) {
    let mut tangents: Vec<KernelKind> = Vec::new();
    let sources = kinds
        .iter()
        .map(|&k| {
            if k == KernelKind::Nngp {
                Source::Sigma
            } else if let Some(p) = tangents.iter().position(|&t| t == k) {
                Source::Theta(p)
            } else {
                tangents.push(k);
                Source::Theta(tangents.len() - 1)
            }
        })
        .collect();
    (tangents, sources)
}

fn entry_error(e: EntryError, tangents: &[KernelKind], row: usize, col: usize) -> KernelError {
    let kind = e.tangent.map_or(KernelKind::Nngp, |k| tangents[k]);
    match e.error {
        GaussError::Divergent { what } => KernelError::Divergent {
            kind,
            row,
            col,
            layer: e.layer,
            detail: what,
        },
        source => KernelError::Expectation {
            row,
            col,
            layer: e.layer,
            source,
        },
    }
}

/// Contiguous mutable column slices of each matrix, regrouped per column:
/// `result[j][k]` is column `j` of `mats[k]`.
fn columns<'a>(mats: &'a mut [MatMut<'_, f64>]) -> Vec<Vec<&'a mut [f64]>> {
    let n2 = mats.first().map_or(0, |m| m.ncols());
    let mut iters: Vec<_> = mats
        .iter_mut()
        .map(|m| {
            m.rb_mut().col_iter_mut().map(|c| {
                c.try_as_col_major_mut()
                    .expect("callers pass column-major matrices")
                    .as_slice_mut()
            })
        })
        .collect();
    (0..n2)
        .map(|_| {
            iters
                .iter_mut()
                .map(|it| it.next().expect("all matrices have n2 columns"))
                .collect()
        })
        .collect()
}

/// Runs `job(j, columns_j)` for every column in parallel; returns the error of the first failing
/// column (in column order, so the result does not depend on the thread count).
fn par_columns<F>(mats: &mut [MatMut<'_, f64>], job: F) -> Result<(), KernelError>
where
    F: Fn(usize, &mut [&mut [f64]]) -> Result<(), KernelError> + Sync,
{
    match columns(mats)
        .into_par_iter()
        .enumerate()
        .map(|(j, mut cols)| job(j, &mut cols))
        .filter_map(Result::err)
        .find_first(|_| true)
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A zero `n1 x n2` matrix, zero-filled in parallel.
///
/// `Mat::zeros` writes its zeros on one thread, and for a large output that is dominated by the
/// page faults of the fresh allocation: 67 ms for 4000 x 4000 (128 MB) on the 2-core reference
/// machine, as long as computing the erf NTK into it. Filling the columns from all rayon threads
/// spreads those faults. This is the crate's only `unsafe`: the allocation is viewed as
/// `MaybeUninit<f64>` (no validity requirement), every element of the `n1 x n2` part is written
/// before the dimensions are set, which is exactly `Mat::set_dims`'s contract.
#[allow(unsafe_code)]
pub(crate) fn zeros_parallel(n1: usize, n2: usize) -> Mat<f64> {
    use std::mem::MaybeUninit;
    let mut m = Mat::<f64>::with_capacity(n1, n2);
    // `with_capacity` allocates `row_capacity * n2` elements (the row capacity padded up to the
    // alignment); the column stride of the buffer is the row capacity.
    let stride = m.col_stride().unsigned_abs();
    // (`with_capacity` documents "the minimum capacity for `row_capacity` rows and
    // `col_capacity` columns"; a stride below n1 would mean faer changed its layout.)
    assert!(stride >= n1, "faer's row capacity below the requested rows");
    if n1 > 0 && n2 > 0 {
        // SAFETY: `m` owns an allocation of at least `stride * n2` elements starting at its
        // pointer (nrows = ncols = 0 so far, so no reference to its contents exists);
        // `MaybeUninit<f64>` has the layout of `f64` and accepts uninitialised memory.
        let buf: &mut [MaybeUninit<f64>] = unsafe {
            std::slice::from_raw_parts_mut(m.as_ptr_mut().cast::<MaybeUninit<f64>>(), stride * n2)
        };
        buf.par_chunks_mut(stride)
            .with_min_len(8)
            .for_each(|col| col[..n1].fill(MaybeUninit::new(0.0)));
    }
    // SAFETY: n1 <= row capacity, n2 <= column capacity, and every element of the n1 x n2 part
    // was initialised above.
    unsafe { m.set_dims(n1, n2) };
    m
}

/// Fills the entries above the computed part of a symmetric kernel: column `j` was computed
/// from row `first_row(j)` down (`first_row` non-decreasing, `first_row(j) <= j`), and
/// `K[i, j] = K[j, i]` for `i < first_row(j)` reads row `j` of column `i`, which lies in the
/// computed part because `j > i >= first_row(i)`. Parallel over groups of 8 columns, so every
/// row read uses a whole cache line of the source column.
fn mirror(mut out: MatMut<'_, f64>, first_row: impl Fn(usize) -> usize + Sync) {
    const GROUP: usize = 8;
    let mut uppers: Vec<&mut [f64]> = Vec::with_capacity(out.ncols());
    let mut lowers: Vec<&[f64]> = Vec::with_capacity(out.ncols());
    for (j, c) in out.rb_mut().col_iter_mut().enumerate() {
        let c = c
            .try_as_col_major_mut()
            .expect("callers pass column-major matrices")
            .as_slice_mut();
        let (u, l) = c.split_at_mut(first_row(j));
        uppers.push(u);
        lowers.push(l);
    }
    let lowers = &lowers;
    uppers
        .par_chunks_mut(GROUP)
        .enumerate()
        .for_each(|(g, cols)| {
            let j0 = g * GROUP;
            let rows = cols.iter().map(|u| u.len()).max().unwrap_or(0);
            for i in 0..rows {
                let (src, si) = (lowers[i], first_row(i));
                for (dj, u) in cols.iter_mut().enumerate() {
                    if i < u.len() {
                        u[i] = src[j0 + dj - si];
                    }
                }
            }
        });
}

impl Architecture {
    /// Whether the inlined erf/sign closed forms apply (see [`crate::fast`]).
    fn fast_pairs(&self, tangents: &[KernelKind]) -> Option<ErfPairs> {
        ErfPairs::new(self, tangents)
    }

    fn points(&self, which: &'static str, x: MatRef<'_, f64>) -> Result<Points, KernelError> {
        let (n, d) = (x.nrows(), x.ncols());
        if d != self.input_dim() {
            return Err(KernelError::DimensionMismatch {
                what: if which == "x1" {
                    "x1 columns (input dimension)"
                } else {
                    "x2 columns (input dimension)"
                },
                expected: self.input_dim(),
                found: d,
            });
        }
        let mut rows = Vec::with_capacity(n * d);
        for i in 0..n {
            for j in 0..d {
                let v = x[(i, j)];
                if !v.is_finite() {
                    return Err(KernelError::NonFiniteInput {
                        which,
                        row: i,
                        col: j,
                        value: v,
                    });
                }
                rows.push(v);
            }
        }
        Ok(Points {
            rows,
            var: Vec::new(),
            dim: d,
            n,
        })
    }

    fn with_variances<P: Pairs>(
        &self,
        eng: &Engine<P>,
        mut pts: Points,
    ) -> Result<Points, KernelError> {
        let w = eng.depth() + 1;
        let mut var = vec![0.0; pts.n * w];
        let err = var
            .par_chunks_mut(w)
            .enumerate()
            .map(|(i, out)| {
                eng.point_variances(pts.x(i), out)
                    .map_err(|e| entry_error(e, &[], i, i))
            })
            .filter_map(Result::err)
            .find_first(|_| true);
        if let Some(e) = err {
            return Err(e);
        }
        pts.var = var;
        Ok(pts)
    }

    /// The output kernel (layer `L + 1`) of the given kind between the rows of `x1` (`N1 x n_0`)
    /// and the rows of `x2` (`N2 x n_0`): an `N1 x N2` matrix `K[i, j] = K(x1_i, x2_j)`.
    ///
    /// For [`KernelKind::SgNtk`] the true derivative acts at `x1_i` and the surrogate at `x2_j`
    /// (SPEC section 2): `I(x1, x2)` is not `I(x2, x1)^T` in general. Errors:
    /// [`KernelError::Divergent`] names the first entry (in column-major order) where the kernel
    /// is infinite (NTK of jump activations on the diagonal).
    pub fn kernel(
        &self,
        kind: KernelKind,
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<Mat<f64>, KernelError> {
        Ok(self
            .kernels(&[kind], x1, x2)?
            .pop()
            .expect("one kind in, one matrix out"))
    }

    /// Several output kernels in one pass over the entries (the NNGP comes for free with any
    /// tangent kernel), returned in the order of `kinds`.
    pub fn kernels(
        &self,
        kinds: &[KernelKind],
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<Vec<Mat<f64>>, KernelError> {
        let (tangents, sources) = plan(kinds);
        match self.fast_pairs(&tangents) {
            Some(p) => self.kernels_with(Engine::new(self, p), &tangents, &sources, x1, x2),
            None => {
                let p = GaussPairs::new(self, &tangents);
                self.kernels_with(Engine::new(self, p), &tangents, &sources, x1, x2)
            }
        }
    }

    /// The NNGP `Sigma^(L+1)` and the tangent kernel `kind` together, in one pass (what the
    /// SG-NTK Gaussian process needs: `(Sigma, I)`).
    pub fn nngp_and(
        &self,
        kind: KernelKind,
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<(Mat<f64>, Mat<f64>), KernelError> {
        let mut v = self.kernels(&[KernelKind::Nngp, kind], x1, x2)?;
        let k = v.pop().expect("two matrices");
        let s = v.pop().expect("two matrices");
        Ok((s, k))
    }

    /// Like [`Self::kernels`], writing into caller-owned matrices (`outs[k]` receives
    /// `kinds[k]`, each `N1 x N2`): no allocation of the `O(N1 N2)` outputs, so a caller that
    /// computes many kernels of one size reuses its buffers (a fresh 4000 x 4000 `Mat` costs
    /// ~70 ms of single-threaded zero-filling and page faults, about as much as computing the
    /// erf NTK into it). Column-major outputs (unit row stride) are written in place; others
    /// through a temporary. On error the outputs' contents are unspecified.
    pub fn kernels_into(
        &self,
        kinds: &[KernelKind],
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
        outs: &mut [MatMut<'_, f64>],
    ) -> Result<(), KernelError> {
        if outs.len() != kinds.len() {
            return Err(KernelError::DimensionMismatch {
                what: "number of output matrices (one per kind)",
                expected: kinds.len(),
                found: outs.len(),
            });
        }
        let (tangents, sources) = plan(kinds);
        match self.fast_pairs(&tangents) {
            Some(p) => {
                self.kernels_into_with(Engine::new(self, p), &tangents, &sources, x1, x2, outs)
            }
            None => {
                let p = GaussPairs::new(self, &tangents);
                self.kernels_into_with(Engine::new(self, p), &tangents, &sources, x1, x2, outs)
            }
        }
    }

    /// [`Self::kernel`] into a caller-owned `N1 x N2` matrix (see [`Self::kernels_into`]).
    pub fn kernel_into(
        &self,
        kind: KernelKind,
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
        out: MatMut<'_, f64>,
    ) -> Result<(), KernelError> {
        self.kernels_into(&[kind], x1, x2, &mut [out])
    }

    pub(crate) fn kernels_with<P: Pairs>(
        &self,
        eng: Engine<P>,
        tangents: &[KernelKind],
        sources: &[Source],
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<Vec<Mat<f64>>, KernelError> {
        let (p1, p2) = self.point_sets(&eng, x1, x2)?;
        let mut mats: Vec<Mat<f64>> = sources.iter().map(|_| zeros_parallel(p1.n, p2.n)).collect();
        let mut outs: Vec<MatMut<'_, f64>> = mats.iter_mut().map(|m| m.as_mut()).collect();
        self.fill(&eng, tangents, sources, &p1, &p2, &mut outs)?;
        Ok(mats)
    }

    pub(crate) fn kernels_into_with<P: Pairs>(
        &self,
        eng: Engine<P>,
        tangents: &[KernelKind],
        sources: &[Source],
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
        outs: &mut [MatMut<'_, f64>],
    ) -> Result<(), KernelError> {
        let (p1, p2) = self.point_sets(&eng, x1, x2)?;
        for out in outs.iter() {
            for (what, expected, found) in [
                ("output rows (the number of x1 points)", p1.n, out.nrows()),
                (
                    "output columns (the number of x2 points)",
                    p2.n,
                    out.ncols(),
                ),
            ] {
                if expected != found {
                    return Err(KernelError::DimensionMismatch {
                        what,
                        expected,
                        found,
                    });
                }
            }
        }
        if outs.iter().all(|o| o.row_stride() == 1) {
            return self.fill(&eng, tangents, sources, &p1, &p2, outs);
        }
        let mut mats: Vec<Mat<f64>> = sources.iter().map(|_| Mat::zeros(p1.n, p2.n)).collect();
        let mut tmp: Vec<MatMut<'_, f64>> = mats.iter_mut().map(|m| m.as_mut()).collect();
        self.fill(&eng, tangents, sources, &p1, &p2, &mut tmp)?;
        for (out, m) in outs.iter_mut().zip(&mats) {
            out.copy_from(m);
        }
        Ok(())
    }

    /// Both point sets, validated, with their per-point variances.
    fn point_sets<P: Pairs>(
        &self,
        eng: &Engine<P>,
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<(Points, Points), KernelError> {
        let p1 = self.with_variances(eng, self.points("x1", x1)?)?;
        let p2 = self.points("x2", x2)?;
        // One point set (the common `K(X, X)`): its variances are those of x1.
        let p2 = if p2.rows == p1.rows {
            Points {
                var: p1.var.clone(),
                ..p2
            }
        } else {
            self.with_variances(eng, p2)?
        };
        Ok((p1, p2))
    }

    /// Computes every requested kernel into `outs` (column-major, `N1 x N2`).
    ///
    /// Symmetric case: when both point sets are the same (bit for bit) and every tangent kind is
    /// symmetric in its two arguments (NNGP, NTK, surrogate kernel; never the SG-NTK), only the
    /// entries on and below the diagonal are computed (rounded out to whole blocks of rows) and
    /// the rest is mirrored: about half the work, and an exactly symmetric result. The first
    /// failing entry in column-major order is the same as in the full computation (the set of
    /// failing entries is symmetric, and its first entry lies on or below the diagonal).
    ///
    /// Quadrature-fallback pairs on point sets of one norm are answered from per-layer tables
    /// (see [`crate::table`]) when the matrix is large enough to amortise them.
    fn fill<P: Pairs>(
        &self,
        eng: &Engine<P>,
        tangents: &[KernelKind],
        sources: &[Source],
        p1: &Points,
        p2: &Points,
        outs: &mut [MatMut<'_, f64>],
    ) -> Result<(), KernelError> {
        let depth = eng.depth();
        if P::TABULATE && p1.n * p2.n >= TABLE_MIN_ENTRIES {
            if let Some(vars) = common_variances(&p1.var, &p2.var, depth + 1, depth) {
                if let Some(pairs) = TablePairs::build(&eng.pairs, &vars, tangents.len()) {
                    let tabulated = Engine {
                        w_in: eng.w_in,
                        b_in: eng.b_in,
                        steps: eng.steps.clone(),
                        pairs,
                    };
                    return self.fill_with(&tabulated, tangents, sources, p1, p2, outs);
                }
            }
        }
        self.fill_with(eng, tangents, sources, p1, p2, outs)
    }

    fn fill_with<P: Pairs>(
        &self,
        eng: &Engine<P>,
        tangents: &[KernelKind],
        sources: &[Source],
        p1: &Points,
        p2: &Points,
        outs: &mut [MatMut<'_, f64>],
    ) -> Result<(), KernelError> {
        let depth = eng.depth();
        let nt = tangents.len();
        debug_assert!(nt <= MAX_TANGENT);
        let sym =
            p1.n == p2.n && p1.rows == p2.rows && tangents.iter().all(|&k| k != KernelKind::SgNtk);
        let first_row = |j: usize| if sym { (j / BLOCK) * BLOCK } else { 0 };
        let (x1t, v1t) = p1.transposed(depth);
        par_columns(outs, |j, cols| {
            let (xb, vb) = (p2.x(j), p2.v(j, depth));
            let mut theta = [0.0; MAX_TANGENT];
            let mut out = BlockOut {
                s: [0.0; BLOCK],
                th: [[0.0; BLOCK]; MAX_TANGENT],
            };
            for i0 in (first_row(j)..p1.n).step_by(BLOCK) {
                let len = BLOCK.min(p1.n - i0);
                let blk = Block {
                    x1t: &x1t,
                    v1t: &v1t,
                    n1: p1.n,
                    i0,
                    len,
                    xb,
                    vb,
                    w_in: eng.w_in,
                    b_in: eng.b_in,
                    steps: &eng.steps,
                    n_tangent: nt,
                };
                if eng.pairs.block(&blk, &mut out) {
                    for (col, src) in cols.iter_mut().zip(sources) {
                        let v = match *src {
                            Source::Sigma => &out.s,
                            Source::Theta(k) => &out.th[k],
                        };
                        col[i0..i0 + len].copy_from_slice(&v[..len]);
                    }
                    continue;
                }
                for i in i0..i0 + len {
                    let s = eng
                        .entry(
                            dot(p1.x(i), xb),
                            p1.v(i, depth),
                            vb,
                            &mut theta[..nt],
                            |_, _, _| {},
                        )
                        .map_err(|e| entry_error(e, tangents, i, j))?;
                    for (col, src) in cols.iter_mut().zip(sources) {
                        col[i] = match *src {
                            Source::Sigma => s,
                            Source::Theta(k) => theta[k],
                        };
                    }
                }
            }
            Ok(())
        })?;
        if sym {
            for out in outs.iter_mut() {
                mirror(out.rb_mut(), first_row);
            }
        }
        Ok(())
    }

    /// Every layer's kernel of the given kind: `L + 1` matrices, element `l - 1` holding layer
    /// `l` (`Sigma^(1)` for every kind at `l = 1`; the last one equals [`Self::kernel`]).
    /// Memory `O((L + 1) N1 N2)`.
    pub fn kernel_layers(
        &self,
        kind: KernelKind,
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<Vec<Mat<f64>>, KernelError> {
        let (tangents, _) = plan(&[kind]);
        match self.fast_pairs(&tangents) {
            Some(p) => self.layers_with(Engine::new(self, p), &tangents, x1, x2),
            None => {
                let p = GaussPairs::new(self, &tangents);
                self.layers_with(Engine::new(self, p), &tangents, x1, x2)
            }
        }
    }

    #[allow(clippy::needless_range_loop)] // `i` indexes the rows of every layer's column
    fn layers_with<P: Pairs>(
        &self,
        eng: Engine<P>,
        tangents: &[KernelKind],
        x1: MatRef<'_, f64>,
        x2: MatRef<'_, f64>,
    ) -> Result<Vec<Mat<f64>>, KernelError> {
        let (p1, p2) = self.point_sets(&eng, x1, x2)?;
        let depth = eng.depth();
        let nt = tangents.len();
        let mut mats: Vec<Mat<f64>> = (0..=depth).map(|_| zeros_parallel(p1.n, p2.n)).collect();
        let mut outs: Vec<MatMut<'_, f64>> = mats.iter_mut().map(|m| m.as_mut()).collect();
        par_columns(&mut outs, |j, cols| {
            let (xb, vb) = (p2.x(j), p2.v(j, depth));
            let mut theta = [0.0; MAX_TANGENT];
            for i in 0..p1.n {
                eng.entry(
                    dot(p1.x(i), xb),
                    p1.v(i, depth),
                    vb,
                    &mut theta[..nt],
                    |layer, s, th| cols[layer - 1][i] = if nt == 0 { s } else { th[0] },
                )
                .map_err(|e| entry_error(e, tangents, i, j))?;
            }
            Ok(())
        })?;
        Ok(mats)
    }

    /// The diagonal `K(x_i, x_i)` of the output kernel for the rows of `x`, in `O(N)` (no
    /// matrix). Errors as [`Self::kernel`] (the sign network's NTK diverges here).
    pub fn kernel_diag(
        &self,
        kind: KernelKind,
        x: MatRef<'_, f64>,
    ) -> Result<Col<f64>, KernelError> {
        Ok(self
            .kernels_diag(&[kind], x)?
            .pop()
            .expect("one kind in, one column out"))
    }

    /// Several diagonals in one pass, in the order of `kinds`.
    pub fn kernels_diag(
        &self,
        kinds: &[KernelKind],
        x: MatRef<'_, f64>,
    ) -> Result<Vec<Col<f64>>, KernelError> {
        let (tangents, sources) = plan(kinds);
        match self.fast_pairs(&tangents) {
            Some(p) => self.diag_with(Engine::new(self, p), &tangents, &sources, x),
            None => {
                let p = GaussPairs::new(self, &tangents);
                self.diag_with(Engine::new(self, p), &tangents, &sources, x)
            }
        }
    }

    pub(crate) fn diag_with<P: Pairs>(
        &self,
        eng: Engine<P>,
        tangents: &[KernelKind],
        sources: &[Source],
        x: MatRef<'_, f64>,
    ) -> Result<Vec<Col<f64>>, KernelError> {
        let p = self.with_variances(&eng, self.points("x1", x)?)?;
        let depth = eng.depth();
        let nt = tangents.len();
        let mut per_point = vec![[0.0; MAX_TANGENT + 1]; p.n];
        // The first failing point in index order (independent of the thread count).
        let err = per_point
            .par_iter_mut()
            .enumerate()
            .map(|(i, out)| {
                let xi = p.x(i);
                let vi = p.v(i, depth);
                let (s_out, th) = out.split_at_mut(1);
                s_out[0] = eng
                    .entry(dot(xi, xi), vi, vi, &mut th[..nt], |_, _, _| {})
                    .map_err(|e| entry_error(e, tangents, i, i))?;
                Ok(())
            })
            .filter_map(Result::err)
            .find_first(|_| true);
        if let Some(e) = err {
            return Err(e);
        }
        Ok(sources
            .iter()
            .map(|src| {
                let k = match *src {
                    Source::Sigma => 0,
                    Source::Theta(t) => t + 1,
                };
                Col::from_fn(p.n, |i| per_point[i][k])
            })
            .collect())
    }
}

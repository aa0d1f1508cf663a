//! The per-entry recursion: all layers of one kernel entry computed in registers.
//!
//! For one pair of points `(x, x')` the engine starts from the layer-1 covariance
//! `Sigma^(1) = sigma_w1^2 <x, x'> / n_0 + sigma_b1^2` and applies, for `l = 1..=L`,
//!
//! ```text
//! (u, v) ~ N(0, [[Sigma^(l)(x,x), Sigma^(l)(x,x')], [Sigma^(l)(x,x'), Sigma^(l)(x',x')]])
//! Sigma^(l+1) = sigma_w^2 E[phi(u) phi(v)] + sigma_b^2
//! T_k^(l+1)   = Sigma^(l+1) + T_k^(l) * sigma_w^2 E[alpha_k(u) beta_k(v)]
//! ```
//!
//! for every requested tangent kernel `k` (NTK, SG-NTK, surrogate kernel). The diagonal
//! variances `Sigma^(l)(x,x)` are per-point vectors computed once ([`Engine::point_variances`]).
//!
//! Two evaluators implement [`Pairs`]: [`GaussPairs`] (any catalogue entry, through
//! `sgntk-gauss`) and [`crate::fast::ErfPairs`] (the erf/sign family, closed forms inlined).

use sgntk_gauss::{ActPair, Cov2, DerivPair, GaussError};

use crate::arch::{Architecture, KernelKind};

/// Where an entry failed: the layer `l + 1` and the tangent index (None for the NNGP step).
#[derive(Debug)]
pub(crate) struct EntryError {
    pub layer: usize,
    pub tangent: Option<usize>,
    pub error: GaussError,
}

/// The expectations of one recursion step, for a fixed activation and a fixed list of tangent
/// derivative pairs, at the covariance `[[a, c], [c, b]]` (`c^2 <= ab` guaranteed by the caller).
pub(crate) trait Pairs: Sync {
    /// Whether steps are expensive enough (quadrature) to tabulate for point sets of one norm
    /// (see [`crate::table`]).
    const TABULATE: bool = false;

    /// Returns `E[phi(u) phi(v)]` and writes `E[alpha_k(u) beta_k(v)]` to `d[k]` for every
    /// tangent `k`; an error names the tangent (`None`: the activation pair).
    fn step(
        &self,
        a: f64,
        b: f64,
        c: f64,
        d: &mut [f64],
    ) -> Result<f64, (Option<usize>, GaussError)>;

    /// Computes a block of entries of one output column in vectorisable form (see
    /// [`Block`]); returns `false` when unsupported or when some entry of the block needs the
    /// scalar path (a divergence to report). The results must be bit-identical to
    /// [`Pairs::step`] run through [`Engine::entry`].
    fn block(&self, _blk: &Block<'_>, _out: &mut BlockOut) -> bool {
        false
    }
}

/// Rows per block of the vectorised path.
pub(crate) const BLOCK: usize = 256;

/// Input of one block: rows `i0..i0 + len` of `x1` against one point of `x2`.
pub(crate) struct Block<'a> {
    /// `x1` coordinate-major: coordinate `k` of point `i` at `x1t[k * n1 + i]`.
    pub x1t: &'a [f64],
    /// Variances of `x1` layer-major: `Sigma^(l)(x_i, x_i)` at `v1t[(l - 1) * n1 + i]`.
    pub v1t: &'a [f64],
    /// Number of points of `x1`.
    pub n1: usize,
    /// First row of the block.
    pub i0: usize,
    /// Rows in the block (at most [`BLOCK`]).
    pub len: usize,
    /// The `x2` point.
    pub xb: &'a [f64],
    /// Its variances, layers `1..=L+1`.
    pub vb: &'a [f64],
    /// `sigma_w1^2 / n_0`.
    pub w_in: f64,
    /// `sigma_b1^2`.
    pub b_in: f64,
    /// `(sigma_w^2, sigma_b^2)` of layers `2..=L+1`.
    pub steps: &'a [(f64, f64)],
    /// Number of tangent kernels.
    pub n_tangent: usize,
}

/// Output of one block: the NNGP and the tangent kernels of its rows.
pub(crate) struct BlockOut {
    /// `Sigma^(L+1)`.
    pub s: [f64; BLOCK],
    /// Tangent kernels.
    pub th: [[f64; BLOCK]; MAX_TANGENT],
}

/// The general evaluator: pairs resolved by `sgntk-gauss` (closed form or quadrature).
pub(crate) struct GaussPairs {
    act: ActPair,
    derivs: Vec<DerivPair>,
}

impl GaussPairs {
    pub(crate) fn new(arch: &Architecture, tangents: &[KernelKind]) -> Self {
        let phi = arch.activation();
        let true_d = phi.derivative();
        let sur_d = arch.surrogate().derivative();
        let derivs = tangents
            .iter()
            .map(|k| {
                let (alpha, beta) = match k {
                    KernelKind::Ntk => (&true_d, &true_d),
                    KernelKind::SgNtk => (&true_d, &sur_d),
                    KernelKind::Surrogate => (&sur_d, &sur_d),
                    KernelKind::Nngp => unreachable!("NNGP has no derivative pair"),
                };
                DerivPair::new(alpha, beta, arch.method())
            })
            .collect();
        Self {
            act: ActPair::new(phi, phi, arch.method()),
            derivs,
        }
    }
}

impl Pairs for GaussPairs {
    const TABULATE: bool = true;

    #[inline]
    fn step(
        &self,
        a: f64,
        b: f64,
        c: f64,
        d: &mut [f64],
    ) -> Result<f64, (Option<usize>, GaussError)> {
        let cov = Cov2::new(a, b, clamp_cov(a, b, c)).map_err(|e| (None, e))?;
        let e = self.act.expect(&cov).map_err(|e| (None, e))?;
        for (k, (out, pair)) in d.iter_mut().zip(&self.derivs).enumerate() {
            *out = pair.expect(&cov).map_err(|e| (Some(k), e))?;
        }
        Ok(e)
    }
}

/// The maximal number of distinct tangent kernels carried by one pass.
pub(crate) const MAX_TANGENT: usize = 3;

/// Layer weights of the recursion (kappa applied to the output layer).
#[derive(Clone, Debug)]
pub(crate) struct Engine<P> {
    /// `sigma_w1^2 / n_0`.
    pub w_in: f64,
    /// `sigma_b1^2`.
    pub b_in: f64,
    /// `(sigma_w^2, sigma_b^2)` of layers `2..=L+1` (index `l - 1` is the step `l -> l + 1`).
    pub steps: Vec<(f64, f64)>,
    /// The expectations.
    pub pairs: P,
}

/// `<x, y>` in a fixed summation order (so that identical points give bit-identical results in
/// the diagonal and off-diagonal paths).
#[inline]
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (a, b) in x.iter().zip(y) {
        s += a * b;
    }
    s
}

/// Clamps `c` into `[-sqrt(ab), sqrt(ab)]`: the covariances of the recursion are PSD by
/// construction, so any excess is rounding (`Cov2::new` would reject more than 1e-12).
#[inline]
pub(crate) fn clamp_cov(a: f64, b: f64, c: f64) -> f64 {
    let bound = (a * b).sqrt();
    // max/min rather than f64::clamp (which has a panic path that blocks vectorisation).
    c.max(-bound).min(bound)
}

impl<P: Pairs> Engine<P> {
    pub(crate) fn new(arch: &Architecture, pairs: P) -> Self {
        let v = arch.layer_variances();
        Self {
            w_in: v[0].0 / arch.input_dim() as f64,
            b_in: v[0].1,
            steps: v[1..].to_vec(),
            pairs,
        }
    }

    /// Depth `L`.
    pub(crate) fn depth(&self) -> usize {
        self.steps.len()
    }

    /// `Sigma^(l)(x, x)` for `l = 1..=L+1` (written to `out`, length `L + 1`).
    pub(crate) fn point_variances(&self, x: &[f64], out: &mut [f64]) -> Result<(), EntryError> {
        let mut s = self.w_in * dot(x, x) + self.b_in;
        out[0] = s;
        for (l, &(w, b)) in self.steps.iter().enumerate() {
            // Only the activation pair: the diagonal variances never need the derivatives
            // (which may diverge there).
            let e = self
                .pairs
                .step(s, s, s, &mut [])
                .map_err(|(tangent, error)| EntryError {
                    layer: l + 2,
                    tangent,
                    error,
                })?;
            s = w * e + b;
            out[l + 1] = s;
        }
        Ok(())
    }

    /// One kernel entry. `dot` is `<x, x'>`, `va`/`vb` the variances of the two points for
    /// layers `1..=L` (at least `L` values), `theta` receives the tangent kernels (length
    /// `n_tangent`); returns the NNGP. `record(layer, sigma, theta)` is called after every layer
    /// `1..=L+1` (a no-op closure compiles away).
    #[inline(always)]
    pub(crate) fn entry(
        &self,
        dot: f64,
        va: &[f64],
        vb: &[f64],
        theta: &mut [f64],
        mut record: impl FnMut(usize, f64, &[f64]),
    ) -> Result<f64, EntryError> {
        let mut s = self.w_in * dot + self.b_in;
        for t in theta.iter_mut() {
            *t = s;
        }
        record(1, s, theta);
        for (l, &(w, b)) in self.steps.iter().enumerate() {
            let (a, bb) = (va[l], vb[l]);
            // Rounding may push |c| a little above sqrt(ab); each evaluator handles that
            // (GaussPairs clamps, the erf/sign closed forms clip P - c^2 at 0).
            let c = s;
            let layer = l + 2;
            let mut d = [0.0; MAX_TANGENT];
            let e =
                self.pairs
                    .step(a, bb, c, &mut d[..theta.len()])
                    .map_err(|(tangent, error)| EntryError {
                        layer,
                        tangent,
                        error,
                    })?;
            let s_next = w * e + b;
            for (t, dk) in theta.iter_mut().zip(&d) {
                *t = s_next + *t * (w * dk);
            }
            s = s_next;
            record(layer, s, theta);
        }
        Ok(s)
    }
}

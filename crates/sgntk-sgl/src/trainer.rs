//! The fast SGL step: a [`Trainer`] owns a network, its training set and the caches that make
//! the step cheap, and takes one full-batch surrogate-gradient step per call.
//!
//! # Cost of one step (P training points, hidden-to-hidden layer `n_out x n_in`)
//!
//! A naive step does three products with each middle weight matrix (forward `W a`, backward
//! `G W`, weight update `W += -eta c G^T A`), `3 n_out n_in P` multiply-adds.
//!
//! For smooth activations this step does two, in one call ([`crate::Float::backward_update`]).
//!
//! For piecewise-constant activations (sign, step) the activations `A` feeding a middle layer
//! change only where a unit flips, and the step does one: the weights are kept as
//!
//! $$W = W_0 + U A, \qquad U \in \mathbb R^{n_{out} \times P},$$
//!
//! so the rank-`P` update is `U += -eta c G^T` (`n_out P` work), the backward product is
//! `G W = G W_0 + (G U) A` (`n_out n_in P + 2 n P^2`), a flip of `A[p, j]` by `d` moves
//! `-d U[:, p]` into column `j` of `W_0` (`n_out` work, `W` unchanged), and the forward product
//! is updated incrementally,
//!
//! $$A' W'^T = A W^T - \eta c\,(A A^T) G + (A' - A) W'^T,$$
//!
//! touching only the flipped columns. Every [`Trainer::set_resync_every`] steps `U A` is folded
//! into `W_0` and the forward product recomputed exactly, which bounds the rounding drift. All
//! of this is exact algebra: results agree with [`crate::Network::reference_step`] up to float
//! rounding.

use crate::error::{Result, SglError};
use crate::float::{Float, matmul, rm, rm_mut};
use crate::linalg::forward_product;
use crate::network::{Network, affine, half_mse, to_t};
use crate::spec::Dataset;
use sgntk_gauss::Activation;

/// Default number of steps between exact recomputations of the cached forward products.
pub const DEFAULT_RESYNC_EVERY: usize = 256;

/// Per-step work counters (multiply-adds), for the performance report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepStats {
    /// Steps taken.
    pub steps: u64,
    /// Multiply-adds in dense products (forward, backward, update, Gram terms).
    pub mul_adds: u64,
    /// Changed activation entries handled by the sparse forward correction.
    pub flips: u64,
    /// Forward products of middle layers recomputed in full (resynchronisation or too many flips).
    pub full_forwards: u64,
}

/// A network being trained with SGL on a fixed training set (argmin-style: this type knows how
/// to take one step; [`crate::train_network`] owns the loop).
pub struct Trainer<T: Float> {
    net: Network<T>,
    x: Vec<T>,
    y: Vec<f64>,
    p: usize,
    lr: f64,
    steps_done: usize,
    resync_every: usize,
    since_sync: usize,
    incremental: bool,
    /// Raw products `z[k] = W_k a_{k-1}` of the current forward pass (point-major).
    z: Vec<Vec<T>>,
    h: Vec<Vec<T>>,
    a: Vec<Vec<T>>,
    /// Cached `W_k' a_cached[k]` for middle layers (after the last update).
    zc: Vec<Vec<T>>,
    a_cached: Vec<Vec<T>>,
    cache_valid: bool,
    fresh: bool,
    g: Vec<Vec<T>>,
    back: Vec<T>,
    gram: Vec<T>,
    /// Low-rank weight accumulators `U^T` (point-major `P x n_out`) of middle layers.
    ut: Vec<Vec<T>>,
    ut_dirty: Vec<bool>,
    pp: Vec<T>,
    col: Vec<T>,
    bias_sum: Vec<T>,
    changed_cols: Vec<bool>,
    stats: StepStats,
}

impl<T: Float> Trainer<T> {
    /// Starts training `net` on `train` (which must carry targets) with learning rate `lr`.
    pub fn new(net: Network<T>, train: &Dataset, lr: f64) -> Result<Self> {
        net.check_inputs(train)?;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(SglError::InvalidParameter {
                name: "lr",
                value: lr,
                reason: "must be finite and > 0",
            });
        }
        if train.is_empty() || !train.has_targets() {
            return Err(SglError::Shape {
                what: "training targets",
                expected: train.len().max(1),
                got: train.targets().len(),
            });
        }
        let p = train.len();
        let nl = net.layers.len();
        let buf = |k: usize| vec![T::default(); p * net.layers[k].n_out];
        let incremental = matches!(net.spec.activation, Activation::Sign | Activation::Step);
        let max_in = net.layers.iter().map(|l| l.n_in).max().unwrap_or(1);
        Ok(Self {
            x: to_t(train.inputs()),
            y: train.targets().to_vec(),
            p,
            lr,
            steps_done: 0,
            resync_every: DEFAULT_RESYNC_EVERY,
            since_sync: 0,
            incremental,
            z: (0..nl).map(buf).collect(),
            h: (0..nl).map(buf).collect(),
            a: (0..nl - 1).map(buf).collect(),
            zc: (0..nl).map(buf).collect(),
            a_cached: (0..nl)
                .map(|k| vec![T::default(); p * net.layers[k].n_in])
                .collect(),
            cache_valid: false,
            fresh: false,
            g: (0..nl).map(buf).collect(),
            back: vec![T::default(); p * max_in],
            gram: vec![T::default(); p * p],
            ut: (0..nl).map(buf).collect(),
            ut_dirty: vec![false; nl],
            pp: vec![T::default(); p * p],
            col: Vec::new(),
            bias_sum: Vec::new(),
            changed_cols: Vec::new(),
            stats: StepStats::default(),
            net,
        })
    }

    /// Recompute the cached forward products exactly every `k` steps (`k >= 1`; default
    /// [`DEFAULT_RESYNC_EVERY`]).
    pub fn set_resync_every(&mut self, k: usize) {
        self.resync_every = k.max(1);
    }
    /// Turns the incremental forward pass off (every forward product in full) or back on (only
    /// effective for piecewise-constant activations).
    pub fn set_incremental(&mut self, on: bool) {
        for (k, l) in self.net.layers.iter_mut().enumerate() {
            if self.ut_dirty[k] {
                fold(
                    &mut l.w,
                    &self.ut[k],
                    &self.a_cached[k],
                    self.p,
                    l.n_out,
                    l.n_in,
                );
                self.ut[k].fill(T::default());
                self.ut_dirty[k] = false;
            }
        }
        self.incremental = on
            && matches!(
                self.net.spec.activation,
                Activation::Sign | Activation::Step
            );
        self.cache_valid = false;
    }
    /// The network in its current state (weights materialised from the low-rank form; the
    /// training state is not touched, so observing never changes the trajectory).
    pub fn network(&self) -> Network<T> {
        let mut net = self.net.clone();
        for (k, l) in net.layers.iter_mut().enumerate() {
            if self.ut_dirty[k] {
                fold(
                    &mut l.w,
                    &self.ut[k],
                    &self.a_cached[k],
                    self.p,
                    l.n_out,
                    l.n_in,
                );
            }
        }
        net
    }
    /// Consumes the trainer, returning the network.
    pub fn into_network(self) -> Network<T> {
        self.network()
    }
    /// Steps taken so far.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }
    /// Work counters.
    pub fn stats(&self) -> StepStats {
        self.stats
    }

    fn is_middle(&self, k: usize) -> bool {
        k >= 1 && k + 1 < self.net.layers.len()
    }

    /// Forward pass on the training set for the current parameters (using the caches).
    #[inline(always)]
    fn forward(&mut self) {
        let nl = self.net.layers.len();
        let p = self.p;
        for k in 0..nl {
            let l = &mut self.net.layers[k];
            let input: &[T] = if k == 0 { &self.x } else { &self.a[k - 1] };
            let z = &mut self.z[k];
            let mut done = false;
            if self.incremental && self.cache_valid && k >= 1 && k + 1 < nl {
                // z = zc + W (a - a_cached), column by column over changed units, where
                // W[:, j] = W0[:, j] + U a_cached[:, j]; then move the flip into W0.
                let ac = &mut self.a_cached[k];
                let (n_in, n_out) = (l.n_in, l.n_out);
                let cols = &mut self.changed_cols;
                cols.clear();
                cols.resize(n_in, false);
                let mut changed = 0usize;
                for (ar, cr) in input.chunks_exact(n_in).zip(ac.chunks_exact(n_in)) {
                    for ((f, a), c) in cols.iter_mut().zip(ar).zip(cr) {
                        let d = a != c;
                        *f |= d;
                        changed += usize::from(d);
                    }
                }
                if changed * 8 <= n_in * p {
                    z.copy_from_slice(&self.zc[k]);
                    let ut = &self.ut[k];
                    let col = &mut self.col;
                    let mut touched = 0usize;
                    for j in (0..n_in).filter(|&j| cols[j]) {
                        touched += 1;
                        col.clear();
                        col.extend((0..n_out).map(|i| l.w[i * n_in + j]));
                        if self.ut_dirty[k] {
                            for q in 0..p {
                                let aq = ac[q * n_in + j];
                                if aq != T::default() {
                                    for (c, &u) in col.iter_mut().zip(&ut[q * n_out..][..n_out]) {
                                        *c += aq * u;
                                    }
                                }
                            }
                        }
                        for q in 0..p {
                            let d = input[q * n_in + j] - ac[q * n_in + j];
                            if d == T::default() {
                                continue;
                            }
                            let zr = &mut z[q * n_out..(q + 1) * n_out];
                            for (zi, &c) in zr.iter_mut().zip(col.iter()) {
                                *zi += d * c;
                            }
                            if self.ut_dirty[k] {
                                let uq = &ut[q * n_out..][..n_out];
                                for (i, &u) in uq.iter().enumerate() {
                                    l.w[i * n_in + j] -= d * u;
                                }
                            }
                        }
                    }
                    ac.copy_from_slice(input);
                    self.stats.flips += changed as u64;
                    let col_work = if self.ut_dirty[k] {
                        touched * n_out * p
                    } else {
                        0
                    };
                    self.stats.mul_adds += (changed * n_out * 2 + col_work) as u64;
                    done = true;
                }
            }
            if !done {
                if self.ut_dirty[k] {
                    fold(&mut l.w, &self.ut[k], &self.a_cached[k], p, l.n_out, l.n_in);
                    self.ut[k].fill(T::default());
                    self.ut_dirty[k] = false;
                    self.stats.mul_adds += (p * l.n_in * l.n_out) as u64;
                }
                if self.incremental && k >= 1 && k + 1 < nl {
                    self.a_cached[k].copy_from_slice(input);
                }
                forward_product(z, input, &l.w, l.n_in, l.n_out);
                self.stats.mul_adds += (p * l.n_in * l.n_out) as u64;
                if k >= 1 && k + 1 < nl {
                    self.stats.full_forwards += 1;
                }
            }
            affine(&mut self.h[k], &self.z[k], l.c, l.sb, &l.b);
            if k + 1 < nl {
                self.net.pw.activate(&self.h[k], &mut self.a[k]);
            }
        }
        self.fresh = true;
    }

    /// Training loss of the current parameters.
    pub fn loss(&mut self) -> f64 {
        if !self.fresh {
            self.forward();
        }
        let f: Vec<f64> = self.h[self.net.layers.len() - 1]
            .iter()
            .map(|v| v.to_f64())
            .collect();
        half_mse(&f, &self.y)
    }

    /// Current pre-activations of every layer on the training set, as the step sees them
    /// (from the cached, incrementally updated products): compare with
    /// [`Network::preactivations`] of [`Trainer::network`] to measure the cache's drift.
    pub fn train_preactivations(&mut self) -> Vec<Vec<f64>> {
        if !self.fresh {
            self.forward();
        }
        self.h
            .iter()
            .map(|h| h.iter().map(|v| v.to_f64()).collect())
            .collect()
    }

    /// Current outputs on the training set.
    pub fn train_outputs(&mut self) -> Vec<f64> {
        if !self.fresh {
            self.forward();
        }
        self.h[self.net.layers.len() - 1]
            .iter()
            .map(|v| v.to_f64())
            .collect()
    }

    /// One full-batch SGL step $\theta \leftarrow \theta - \eta \tilde J(X)^T (f(X) - Y) / P$.
    /// Returns the training loss before the step.
    pub fn step(&mut self) -> f64 {
        // Compiled once per instruction set (AVX2+FMA or baseline) and chosen at run time, so
        // the element-wise loops below are vectorised without target-cpu flags.
        pulp::Arch::new().dispatch(StepOp(self))
    }

    #[inline(always)]
    fn step_impl(&mut self) -> f64 {
        if !self.fresh {
            self.forward();
        }
        let nl = self.net.layers.len();
        let p = self.p;
        let pf = p as f64;
        let mut loss = 0.0;
        for (q, g) in self.g[nl - 1].iter_mut().enumerate() {
            let r = self.h[nl - 1][q].to_f64() - self.y[q];
            loss += r * r;
            *g = T::from_f64(r / pf);
        }
        loss /= 2.0 * pf;
        for k in (0..nl).rev() {
            let middle = self.is_middle(k);
            let l = &mut self.net.layers[k];
            let (n_in, n_out) = (l.n_in, l.n_out);
            let coef = T::from_f64(-self.lr * l.c);
            let input: &[T] = if k == 0 { &self.x } else { &self.a[k - 1] };
            let g = &self.g[k];
            let back = &mut self.back[..p * n_in];
            if middle && self.incremental {
                // back = G W0 + (G U) A (old weights); then U += coef G^T.
                matmul(
                    rm_mut(back, p, n_in),
                    false,
                    rm(g, p, n_out),
                    rm(&l.w, n_out, n_in),
                    T::from_f64(1.0),
                );
                self.stats.mul_adds += (p * n_in * n_out) as u64;
                let ut = &mut self.ut[k];
                if self.ut_dirty[k] {
                    matmul(
                        rm_mut(&mut self.pp, p, p),
                        false,
                        rm(g, p, n_out),
                        rm(ut, p, n_out).transpose(),
                        T::from_f64(1.0),
                    );
                    matmul(
                        rm_mut(back, p, n_in),
                        true,
                        rm(&self.pp, p, p),
                        rm(input, p, n_in),
                        T::from_f64(1.0),
                    );
                    self.stats.mul_adds += (p * p * (n_in + n_out)) as u64;
                }
                for (u, &gv) in ut.iter_mut().zip(g) {
                    *u += coef * gv;
                }
                self.ut_dirty[k] = true;
                // zc = z + coef * (A A^T) G  (= W' a).
                matmul(
                    rm_mut(&mut self.gram, p, p),
                    false,
                    rm(input, p, n_in),
                    rm(input, p, n_in).transpose(),
                    T::from_f64(1.0),
                );
                let zc = &mut self.zc[k];
                zc.copy_from_slice(&self.z[k]);
                matmul(
                    rm_mut(zc, p, n_out),
                    true,
                    rm(&self.gram, p, p),
                    rm(g, p, n_out),
                    coef,
                );
                self.stats.mul_adds += (p * p * (n_in + n_out)) as u64;
            } else if middle {
                T::backward_update(&mut l.w, n_out, n_in, g, input, coef, back);
                self.stats.mul_adds += (2 * p * n_in * n_out) as u64;
            } else {
                if k > 0 {
                    matmul(
                        rm_mut(back, p, n_in),
                        false,
                        rm(g, p, n_out),
                        rm(&l.w, n_out, n_in),
                        T::from_f64(1.0),
                    );
                }
                matmul(
                    rm_mut(&mut l.w, n_out, n_in),
                    true,
                    rm(g, p, n_out).transpose(),
                    rm(input, p, n_in),
                    coef,
                );
                self.stats.mul_adds += (p * n_in * n_out * if k > 0 { 2 } else { 1 }) as u64;
            }
            let cb = T::from_f64(-self.lr * l.sb);
            let sum = &mut self.bias_sum;
            sum.clear();
            sum.resize(n_out, T::default());
            for gr in g.chunks_exact(n_out) {
                for (s, &v) in sum.iter_mut().zip(gr) {
                    *s += v;
                }
            }
            for (b, &s) in l.b.iter_mut().zip(sum.iter()) {
                *b += cb * s;
            }
            if k > 0 {
                let c = T::from_f64(l.c);
                let (gprev, _) = self.g.split_at_mut(k);
                let gp = &mut gprev[k - 1];
                for (o, &b) in gp.iter_mut().zip(back.iter()) {
                    *o = c * b;
                }
                self.net.pw.surrogate_mul(gp, &self.h[k - 1]);
            }
        }
        self.steps_done += 1;
        self.stats.steps += 1;
        self.fresh = false;
        self.since_sync += 1;
        if self.since_sync >= self.resync_every {
            self.since_sync = 0;
            self.cache_valid = false;
        } else {
            self.cache_valid = self.incremental;
        }
        loss
    }
}

/// `W += U A` with `U^T` point-major (`P x n_out`) and `A` point-major (`P x n_in`).
fn fold<T: Float>(w: &mut [T], ut: &[T], a: &[T], p: usize, n_out: usize, n_in: usize) {
    matmul(
        rm_mut(w, n_out, n_in),
        true,
        rm(ut, p, n_out).transpose(),
        rm(a, p, n_in),
        T::from_f64(1.0),
    );
}

struct StepOp<'a, T: Float>(&'a mut Trainer<T>);

impl<T: Float> pulp::WithSimd for StepOp<'_, T> {
    type Output = f64;
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> f64 {
        self.0.step_impl()
    }
}

//! The network: parameters, initialisation from a seed, forward pass, and the straightforward
//! reference SGL step (naive loops; the fast step lives in [`crate::Trainer`]).

use rand::{Rng, RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

use crate::error::{Result, SglError};
use crate::float::{Float, Pointwise};
use crate::linalg::forward_product;
use crate::spec::{Dataset, NetworkSpec};

/// One dense layer `h = c W a + sb b` (`W` row-major `n_out x n_in`).
#[derive(Clone, Debug)]
pub struct Layer<T> {
    pub(crate) n_in: usize,
    pub(crate) n_out: usize,
    pub(crate) w: Vec<T>,
    pub(crate) b: Vec<T>,
    /// Weight scale $\sigma_w/\sqrt{n_{in}}$ (times $\kappa$ in the output layer).
    pub(crate) c: f64,
    /// Bias scale $\sigma_b$ (times $\kappa$ in the output layer).
    pub(crate) sb: f64,
}

impl<T: Float> Layer<T> {
    /// Input width.
    pub fn n_in(&self) -> usize {
        self.n_in
    }
    /// Output width.
    pub fn n_out(&self) -> usize {
        self.n_out
    }
    /// Raw weights (row-major `n_out x n_in`), N(0,1) at initialisation.
    pub fn weights(&self) -> &[T] {
        &self.w
    }
    /// Raw biases, N(0,1) at initialisation.
    pub fn biases(&self) -> &[T] {
        &self.b
    }
    /// Weight scale `c` in `h = c W a + sb b`.
    pub fn weight_scale(&self) -> f64 {
        self.c
    }
    /// Bias scale `sb` in `h = c W a + sb b`.
    pub fn bias_scale(&self) -> f64 {
        self.sb
    }
}

/// The seed of ensemble member `index`: SplitMix64 of `base_seed`, mixed with the index and
/// passed through SplitMix64 again. The member's weights come from a `Xoshiro256PlusPlus`
/// seeded with it, so they depend on `(base_seed, index)` only.
pub fn network_seed(base_seed: u64, index: usize) -> u64 {
    let a = SplitMix64::seed_from_u64(base_seed).next_u64();
    let mixed = a ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    SplitMix64::seed_from_u64(mixed).next_u64()
}

/// A finite network in the NTK parametrisation (see [`NetworkSpec`]), in precision `T`.
#[derive(Clone, Debug)]
pub struct Network<T> {
    pub(crate) spec: NetworkSpec,
    pub(crate) layers: Vec<Layer<T>>,
    pub(crate) pw: Pointwise,
}

/// Forward pass over `N` points: pre-activations `h[k]` (point-major `N x n_out(k)`) of every
/// layer and hidden activations `a[k] = phi(h[k])` (all but the output layer).
pub(crate) struct Forward<T> {
    pub(crate) h: Vec<Vec<T>>,
    pub(crate) a: Vec<Vec<T>>,
}

pub(crate) fn to_t<T: Float>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// `h = c z + sb b` row by row (`z` point-major, `N x n`).
#[inline(always)]
pub(crate) fn affine<T: Float>(h: &mut [T], z: &[T], c: f64, sb: f64, b: &[T]) {
    let (c, sb) = (T::from_f64(c), T::from_f64(sb));
    let n = b.len();
    for (hr, zr) in h.chunks_exact_mut(n).zip(z.chunks_exact(n)) {
        for ((h, &z), &b) in hr.iter_mut().zip(zr).zip(b) {
            *h = c * z + sb * b;
        }
    }
}

impl<T: Float> Network<T> {
    /// Member `index` of the ensemble with base seed `base_seed` (see [`network_seed`]).
    pub fn init(spec: &NetworkSpec, base_seed: u64, index: usize) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(network_seed(base_seed, index));
        Self::from_rng(spec, &mut rng)
    }

    /// Draws every weight and bias i.i.d. N(0,1) (in f64, rounded to `T`), layer by layer from
    /// the input: first the weights (row-major), then the biases.
    pub fn from_rng<R: Rng + ?Sized>(spec: &NetworkSpec, rng: &mut R) -> Self {
        let dims: Vec<(usize, usize)> = spec.layer_dims().collect();
        let last = dims.len() - 1;
        let layers = dims
            .iter()
            .enumerate()
            .map(|(k, &(n_in, n_out))| {
                let scale = if k == last { spec.kappa } else { 1.0 };
                let mut draw = |n: usize| -> Vec<T> {
                    (0..n)
                        .map(|_| T::from_f64(rng.sample::<f64, _>(StandardNormal)))
                        .collect()
                };
                let w = draw(n_in * n_out);
                let b = draw(n_out);
                Layer {
                    n_in,
                    n_out,
                    w,
                    b,
                    c: scale * spec.sigma_w / (n_in as f64).sqrt(),
                    sb: scale * spec.sigma_b,
                }
            })
            .collect();
        Self {
            pw: Pointwise {
                act: spec.activation.clone(),
                sur: spec.surrogate.clone(),
            },
            spec: spec.clone(),
            layers,
        }
    }

    /// The architecture.
    pub fn spec(&self) -> &NetworkSpec {
        &self.spec
    }
    /// The layers, input to output.
    pub fn layers(&self) -> &[Layer<T>] {
        &self.layers
    }

    /// All parameters, flattened layer by layer (weights row-major, then biases), in f64.
    pub fn parameters(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.spec.num_parameters());
        for l in &self.layers {
            v.extend(l.w.iter().chain(&l.b).map(|x| x.to_f64()));
        }
        v
    }

    /// Sets all parameters (same order as [`Network::parameters`]), rounding to `T`.
    pub fn set_parameters(&mut self, theta: &[f64]) -> Result<()> {
        let n = self.spec.num_parameters();
        if theta.len() != n {
            return Err(SglError::Shape {
                what: "parameter vector",
                expected: n,
                got: theta.len(),
            });
        }
        let mut it = theta.iter();
        for l in &mut self.layers {
            for x in l.w.iter_mut().chain(l.b.iter_mut()) {
                *x = T::from_f64(*it.next().unwrap_or(&0.0));
            }
        }
        Ok(())
    }

    /// The same network with parameters converted to `U` (exact when widening).
    pub fn cast<U: Float>(&self) -> Network<U> {
        Network {
            spec: self.spec.clone(),
            pw: self.pw.clone(),
            layers: self
                .layers
                .iter()
                .map(|l| Layer {
                    n_in: l.n_in,
                    n_out: l.n_out,
                    w: l.w.iter().map(|x| U::from_f64(x.to_f64())).collect(),
                    b: l.b.iter().map(|x| U::from_f64(x.to_f64())).collect(),
                    c: l.c,
                    sb: l.sb,
                })
                .collect(),
        }
    }

    pub(crate) fn check_inputs(&self, set: &Dataset) -> Result<()> {
        if set.dim() != self.spec.input_dim {
            return Err(SglError::Shape {
                what: "input dimension",
                expected: self.spec.input_dim,
                got: set.dim(),
            });
        }
        Ok(())
    }

    /// Forward pass on point-major inputs `x` (`N x n_0`).
    pub(crate) fn forward(&self, x: &[T]) -> Forward<T> {
        let n = x.len() / self.spec.input_dim;
        let nl = self.layers.len();
        let mut h = Vec::with_capacity(nl);
        let mut a: Vec<Vec<T>> = Vec::with_capacity(nl - 1);
        for (k, l) in self.layers.iter().enumerate() {
            let input = if k == 0 { x } else { &a[k - 1] };
            let mut z = vec![T::default(); n * l.n_out];
            forward_product(&mut z, input, &l.w, l.n_in, l.n_out);
            let mut hk = vec![T::default(); n * l.n_out];
            affine(&mut hk, &z, l.c, l.sb, &l.b);
            if k + 1 < nl {
                let mut ak = vec![T::default(); hk.len()];
                self.pw.activate(&hk, &mut ak);
                a.push(ak);
            }
            h.push(hk);
        }
        Forward { h, a }
    }

    /// Network outputs `f(x)` at the points of `inputs`.
    pub fn predict(&self, inputs: &Dataset) -> Result<Vec<f64>> {
        self.check_inputs(inputs)?;
        let x = to_t::<T>(inputs.inputs());
        let fwd = self.forward(&x);
        Ok(fwd.h[self.layers.len() - 1]
            .iter()
            .map(|v| v.to_f64())
            .collect())
    }

    /// Pre-activations `h^(1), ..., h^(L+1)` at the points of `inputs`, each point-major
    /// (`N x n_l`, row-major).
    pub fn preactivations(&self, inputs: &Dataset) -> Result<Vec<Vec<f64>>> {
        self.check_inputs(inputs)?;
        let x = to_t::<T>(inputs.inputs());
        let fwd = self.forward(&x);
        Ok(fwd
            .h
            .iter()
            .map(|h| h.iter().map(|v| v.to_f64()).collect())
            .collect())
    }

    /// Training loss $\frac{1}{2P}\sum_p (f(x_p) - y_p)^2$.
    pub fn loss(&self, train: &Dataset) -> Result<f64> {
        let f = self.predict(train)?;
        Ok(half_mse(&f, train.targets()))
    }

    /// One SGL step done the straightforward way (naive loops, no caching): forward pass,
    /// surrogate back-propagation, `theta -= lr * g`. Returns the loss before the step. The
    /// reference against which the fast [`crate::Trainer::step`] is tested.
    #[allow(clippy::needless_range_loop)] // index loops mirror the formulas on purpose
    pub fn reference_step(&mut self, train: &Dataset, lr: f64) -> Result<f64> {
        self.check_inputs(train)?;
        let p = train.len();
        let x = to_t::<T>(train.inputs());
        let nl = self.layers.len();
        // Forward, naive.
        let mut hs: Vec<Vec<T>> = Vec::new();
        let mut acts: Vec<Vec<T>> = vec![x];
        for (k, l) in self.layers.iter().enumerate() {
            let mut h = vec![T::default(); p * l.n_out];
            let (c, sb) = (T::from_f64(l.c), T::from_f64(l.sb));
            for q in 0..p {
                let a = &acts[k][q * l.n_in..(q + 1) * l.n_in];
                for i in 0..l.n_out {
                    let mut s = T::default();
                    for j in 0..l.n_in {
                        s += l.w[i * l.n_in + j] * a[j];
                    }
                    h[q * l.n_out + i] = c * s + sb * l.b[i];
                }
            }
            if k + 1 < nl {
                let mut a = vec![T::default(); h.len()];
                for (a, &v) in a.iter_mut().zip(&h) {
                    *a = T::from_f64(self.spec.activation.value(v.to_f64()));
                }
                acts.push(a);
            }
            hs.push(h);
        }
        let f: Vec<f64> = hs[nl - 1].iter().map(|v| v.to_f64()).collect();
        let loss = half_mse(&f, train.targets());
        // Backward with the surrogate, naive.
        let mut g: Vec<T> = f
            .iter()
            .zip(train.targets())
            .map(|(f, y)| T::from_f64((f - y) / p as f64))
            .collect();
        for k in (0..nl).rev() {
            let l = &mut self.layers[k];
            let (c, sb) = (T::from_f64(l.c), T::from_f64(l.sb));
            let a = &acts[k];
            let mut back = vec![T::default(); p * l.n_in];
            if k > 0 {
                for q in 0..p {
                    for j in 0..l.n_in {
                        let mut s = T::default();
                        for i in 0..l.n_out {
                            s += l.w[i * l.n_in + j] * g[q * l.n_out + i];
                        }
                        let hv = hs[k - 1][q * l.n_in + j].to_f64();
                        back[q * l.n_in + j] = c * s * T::from_f64(self.spec.surrogate.value(hv));
                    }
                }
            }
            let (lw, lb) = (T::from_f64(lr) * c, T::from_f64(lr) * sb);
            for i in 0..l.n_out {
                let mut gb = T::default();
                for q in 0..p {
                    gb += g[q * l.n_out + i];
                }
                l.b[i] -= lb * gb;
                for j in 0..l.n_in {
                    let mut s = T::default();
                    for q in 0..p {
                        s += g[q * l.n_out + i] * a[q * l.n_in + j];
                    }
                    l.w[i * l.n_in + j] -= lw * s;
                }
            }
            g = back;
        }
        Ok(loss)
    }
}

/// $\frac{1}{2P}\sum_p (f_p - y_p)^2$ in f64.
pub(crate) fn half_mse(f: &[f64], y: &[f64]) -> f64 {
    let p = f.len().max(1) as f64;
    f.iter().zip(y).map(|(f, y)| (f - y) * (f - y)).sum::<f64>() / (2.0 * p)
}

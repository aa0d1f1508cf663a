//! Fast, exact simulation of surrogate gradient learning (SGL) in finite fully connected
//! networks, and their empirical kernels (SPEC sections 1, 2 and 7).
//!
//! * [`NetworkSpec`], [`Dataset`], [`TrainSpec`]: validated inputs.
//! * [`Network`]: parameters in the NTK parametrisation, initialised from `(base_seed, index)`
//!   ([`network_seed`]), forward pass, and a straightforward [`Network::reference_step`].
//! * [`Trainer`]: the fast step (for sign / step networks one `n^2 P` product per middle weight
//!   matrix instead of three: low-rank weight updates and an incremental forward pass; two for
//!   smooth activations); [`train_network`] owns the loop and [`train_ensemble`] runs members
//!   in parallel with results independent of the thread count.
//! * [`empirical_kernel`]: empirical NTK $J J^T$, SG-NTK $J \tilde J^T$ and surrogate kernel
//!   $\tilde J \tilde J^T$ by layerwise contractions; [`jacobian`] is the explicit cross-check.
//!
//! Activations and surrogates come from the `sgntk-gauss` catalogue, the same definitions the
//! analytic kernels use. This crate knows nothing of the analytic kernels.
#![warn(missing_docs)]

mod empirical;
mod error;
mod float;
mod fused;
mod linalg;
mod network;
mod spec;
mod train;
mod trainer;

pub use empirical::{EmpiricalKind, empirical_kernel, jacobian};
pub use error::{Result, SglError};
pub use float::Float;
pub use network::{Layer, Network, network_seed};
pub use sgntk_gauss::{Activation, Surrogate};
pub use spec::{Dataset, NetworkSpec, TrainSpec};
pub use train::{TrainedNetwork, train_ensemble, train_ensemble_cancellable, train_network};
pub use trainer::{DEFAULT_RESYNC_EVERY, StepStats, Trainer};

/// Kernels exposed for benchmarks and tests (not a stable API).
#[doc(hidden)]
pub mod kernels {
    /// Fused `back = G W; W += coef G^T A` (f32, hand-blocked).
    pub fn backward_update_fused(
        w: &mut [f32],
        n_out: usize,
        n_in: usize,
        g: &[f32],
        a: &[f32],
        coef: f32,
        back: &mut [f32],
    ) {
        crate::fused::backward_update_f32(w, n_out, n_in, g, a, coef, back);
    }
    /// The same with two faer products.
    pub fn backward_update_faer(
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
}

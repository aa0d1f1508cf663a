//! `sgntk-kernel` computes the infinite-width kernels of deep fully connected networks (SPEC
//! section 3): the NNGP `Sigma`, the NTK `Theta`, the surrogate-gradient NTK `I` and the
//! surrogate kernel `K~`, for any activation and surrogate derivative of the `sgntk-gauss`
//! catalogue, any depth, per-layer `sigma_w`, `sigma_b` and an output scale `kappa`.
//!
//! ```text
//! Sigma^(1)(x,x')   = sigma_w^2 / n_0 <x, x'> + sigma_b^2
//! Sigma^(l+1)(x,x') = sigma_w^2 E[phi(u) phi(v)] + sigma_b^2
//! Sdot^(l+1)(x,x')  = sigma_w^2 E[alpha(u) beta(v)]
//! T^(1) = Sigma^(1),  T^(l+1) = Sigma^(l+1) + T^(l) Sdot^(l+1)      (entrywise)
//! ```
//!
//! with `(u, v)` centred Gaussian with the layer-`l` covariance of `(x, x')`, and
//! `(alpha, beta) = (phi', phi')` for the NTK, `(phi', phi~')` for the SG-NTK (true derivative at
//! the first argument, surrogate at the second; never symmetrised) and `(phi~', phi~')` for the
//! surrogate kernel. The output layer `L + 1` uses `kappa sigma_w` and `kappa sigma_b`.
//!
//! Entry point: [`Architecture`] (validated at construction) and its methods
//! [`Architecture::kernel`], [`Architecture::kernels`] (several kernels in one pass),
//! [`Architecture::nngp_and`], [`Architecture::kernel_layers`] and
//! [`Architecture::kernel_diag`]; [`Architecture::kernel_into`] and
//! [`Architecture::kernels_into`] write into caller-owned matrices. Where a kernel is infinite (the NTK of jump activations on the
//! diagonal) the error [`KernelError::Divergent`] names the entry.
//!
//! The recursion runs per entry with all layers in registers (the per-layer diagonal variances
//! are per-point vectors computed once), in parallel over the columns of the output with rayon;
//! results do not depend on the number of threads. For `K(X, X)` with a symmetric kind (NNGP,
//! NTK, surrogate kernel) only the entries on and below the diagonal are computed and the rest
//! is mirrored; the SG-NTK is always computed in full. The one `unsafe` block of the crate
//! zero-fills fresh output matrices in parallel (see `compute::zeros_parallel`). The erf/sign family uses inlined closed forms
//! (module `fast`); everything else goes through `sgntk_gauss::{ActPair, DerivPair}`.
//!
//! This crate knows nothing of training, Gaussian-process prediction or files.
#![warn(missing_docs)]

mod arch;
mod compute;
mod engine;
mod error;
mod fast;
mod table;
#[cfg(test)]
mod tests;

pub use arch::{Architecture, KernelKind};
pub use error::KernelError;
pub use sgntk_gauss::{Activation, Method, Surrogate};

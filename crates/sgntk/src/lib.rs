//! `sgntk` is the facade of the workspace: it re-exports the Gaussian expectations
//! ([`gauss`]), the kernel recursion ([`kernel`]), the Gaussian-process prediction ([`gp`]) and
//! the surrogate-gradient-learning simulator ([`sgl`]), and ships the `sgntk` command-line tool.
#![warn(missing_docs)]

pub mod reference;

pub use sgntk_gauss as gauss;
pub use sgntk_gp as gp;
pub use sgntk_kernel as kernel;
pub use sgntk_sgl as sgl;

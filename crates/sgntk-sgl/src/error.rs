//! The error type of the simulator.

/// Everything that can go wrong when building or training a network from user input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SglError {
    /// A scalar parameter is out of range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: f64,
        /// What is required.
        reason: &'static str,
    },
    /// A size parameter is out of range (zero widths, zero input dimension, ...).
    #[error("invalid size {name} = {value}: {reason}")]
    InvalidSize {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: usize,
        /// What is required.
        reason: &'static str,
    },
    /// Inputs and dimension or targets do not fit together.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    Shape {
        /// What was being checked.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Actual size.
        got: usize,
    },
    /// A non-finite number in user input.
    #[error("non-finite value in {what} at index {index}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Flat index of the first offending entry.
        index: usize,
    },
    /// Training diverged: the loss became non-finite.
    #[error("network {index} diverged at step {step} (loss is not finite)")]
    Diverged {
        /// Ensemble index of the network.
        index: usize,
        /// Step at which the loss was first non-finite.
        step: usize,
    },
    /// The caller's callback asked to stop, or the run was cancelled.
    #[error("cancelled: {reason}")]
    Cancelled {
        /// Why.
        reason: String,
    },
}

/// `Result` with [`SglError`].
pub type Result<T, E = SglError> = std::result::Result<T, E>;

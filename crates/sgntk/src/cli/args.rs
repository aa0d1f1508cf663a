//! Flags shared by every subcommand that describes a network.

use clap::Args;
use sgntk::gauss::{Activation, Surrogate};
use sgntk::kernel::Architecture;

use super::CliError;

fn parse_activation(s: &str) -> Result<Activation, String> {
    s.parse()
        .map_err(|e: sgntk::gauss::GaussError| e.to_string())
}

fn parse_surrogate(s: &str) -> Result<Surrogate, String> {
    s.parse()
        .map_err(|e: sgntk::gauss::GaussError| e.to_string())
}

/// The network: activation, surrogate, depth and scales (SPEC section 1). Defaults are the
/// paper's set-up (sign network, erf(1) surrogate, 2 hidden layers, sigma_w = 1,
/// sigma_b = 0.1, kappa = 1).
#[derive(Debug, Clone, Args)]
pub struct ArchArgs {
    /// Activation phi of the hidden layers: sign, step, erf:M (erf(M x), M > 0), identity,
    /// relu, tanh. Example: --activation erf:5
    #[arg(long, value_name = "SPEC", default_value = "sign", value_parser = parse_activation)]
    pub activation: Activation,

    /// Surrogate derivative used in place of phi' in back-propagation: erf:M, identity,
    /// fast-sigmoid:K, sigmoid:K, atan:A, triangle:W, boxcar:W, piecewise-exp:A.
    /// Example: --surrogate fast-sigmoid:25
    #[arg(long, value_name = "SPEC", default_value = "erf:1", value_parser = parse_surrogate)]
    pub surrogate: Surrogate,

    /// Number of hidden layers L (>= 1). Example: --depth 3
    #[arg(long, value_name = "L", default_value_t = 2)]
    pub depth: usize,

    /// Weight scale sigma_w (> 0) of every layer. Example: --sigma-w 1.5
    #[arg(
        long,
        value_name = "F",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub sigma_w: f64,

    /// Bias scale sigma_b (>= 0) of every layer. Example: --sigma-b 0
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.1,
        allow_negative_numbers = true
    )]
    pub sigma_b: f64,

    /// Output scale kappa (> 0): the output layer uses kappa*sigma_w and kappa*sigma_b.
    /// Example: --kappa 0.2
    #[arg(
        long,
        value_name = "F",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub kappa: f64,
}

impl ArchArgs {
    /// The validated architecture for inputs of dimension `input_dim`.
    pub fn architecture(&self, input_dim: usize) -> Result<Architecture, CliError> {
        let bad = |e: sgntk::kernel::KernelError| CliError::usage(format!("{e}"));
        Architecture::new(
            input_dim,
            self.depth,
            self.sigma_w,
            self.sigma_b,
            self.activation.clone(),
            self.surrogate.clone(),
        )
        .and_then(|a| a.with_kappa(self.kappa))
        .map_err(bad)
    }
}

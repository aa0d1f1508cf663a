//! The validated network description ([`Architecture`]) and the kernel names ([`KernelKind`]).

use std::fmt;
use std::str::FromStr;

use sgntk_gauss::{Activation, Method, Surrogate};

use crate::error::KernelError;

/// Which infinite-width kernel (SPEC section 3).
///
/// All four share the NNGP recursion `Sigma^(l+1) = sigma_w^2 E[phi(u) phi(v)] + sigma_b^2`; the
/// three tangent kernels differ only in the derivative pair of `Sdot`:
///
/// | kind | recursion | `Sdot` pair `(alpha(u), beta(v))` |
/// |---|---|---|
/// | `Nngp` | `Sigma^(l)` | -- |
/// | `Ntk` | `Theta^(l+1) = Sigma^(l+1) + Theta^(l) Sdot^(l+1)` | `(phi', phi')` |
/// | `SgNtk` | `I^(l+1) = Sigma^(l+1) + I^(l) Sdot^(l+1)` | `(phi', phi~')` |
/// | `Surrogate` | `K~^(l+1) = Sigma^(l+1) + K~^(l) Sdot^(l+1)` | `(phi~', phi~')` |
///
/// `u` belongs to the first argument (a point of `x1`), `v` to the second (a point of `x2`):
/// the SG-NTK carries the true derivative at the `x1` point and the surrogate at the `x2` point
/// and is **not** symmetric in general.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelKind {
    /// Neural network Gaussian process kernel `Sigma`.
    Nngp,
    /// Neural tangent kernel `Theta` (true derivatives on both sides).
    Ntk,
    /// Surrogate-gradient NTK `I` (true derivative at `x1`, surrogate at `x2`).
    SgNtk,
    /// Surrogate kernel `K~` (surrogate derivatives on both sides).
    Surrogate,
}

impl KernelKind {
    /// All kinds, in declaration order.
    pub const ALL: [KernelKind; 4] = [Self::Nngp, Self::Ntk, Self::SgNtk, Self::Surrogate];

    /// Whether this is a tangent kernel (has an `Sdot` term).
    pub fn is_tangent(self) -> bool {
        !matches!(self, Self::Nngp)
    }
}

impl fmt::Display for KernelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Nngp => "nngp",
            Self::Ntk => "ntk",
            Self::SgNtk => "sgntk",
            Self::Surrogate => "surrogate",
        })
    }
}

impl FromStr for KernelKind {
    type Err = KernelError;

    /// `nngp`, `ntk`, `sgntk` (also `sg-ntk`), `surrogate` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, KernelError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nngp" => Ok(Self::Nngp),
            "ntk" => Ok(Self::Ntk),
            "sgntk" | "sg-ntk" => Ok(Self::SgNtk),
            "surrogate" => Ok(Self::Surrogate),
            _ => Err(KernelError::UnknownKind {
                token: s.to_string(),
            }),
        }
    }
}

/// A fully connected network in NTK parametrization (SPEC section 1), validated once:
/// input dimension `n_0 >= 1`, `L >= 1` hidden layers, weight scales `sigma_w > 0` and bias
/// scales `sigma_b >= 0` (one value for all layers or one per layer, `L + 1` values), the
/// activation `phi`, the surrogate derivative `phi~'`, the output scale `kappa > 0` (the output
/// layer `L + 1` uses `kappa sigma_w` and `kappa sigma_b`) and the expectation [`Method`].
#[derive(Clone, Debug)]
pub struct Architecture {
    input_dim: usize,
    depth: usize,
    sigma_w: Vec<f64>,
    sigma_b: Vec<f64>,
    activation: Activation,
    surrogate: Surrogate,
    kappa: f64,
    method: Method,
}

fn check_sigma_w(v: f64) -> Result<(), KernelError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(KernelError::InvalidParameter {
            name: "sigma_w",
            value: v,
            reason: "must be finite and > 0",
        })
    }
}

fn check_sigma_b(v: f64) -> Result<(), KernelError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(KernelError::InvalidParameter {
            name: "sigma_b",
            value: v,
            reason: "must be finite and >= 0",
        })
    }
}

impl Architecture {
    /// A network with `depth` hidden layers and the same `sigma_w`, `sigma_b` in every layer,
    /// `kappa = 1` and [`Method::Auto`].
    pub fn new(
        input_dim: usize,
        depth: usize,
        sigma_w: f64,
        sigma_b: f64,
        activation: Activation,
        surrogate: Surrogate,
    ) -> Result<Self, KernelError> {
        Self::with_layer_scales(
            input_dim,
            vec![sigma_w; depth + 1],
            vec![sigma_b; depth + 1],
            activation,
            surrogate,
        )
    }

    /// A network with per-layer scales: `sigma_w[l - 1]`, `sigma_b[l - 1]` for layers
    /// `l = 1..=L+1`; the depth is `L = sigma_w.len() - 1`.
    pub fn with_layer_scales(
        input_dim: usize,
        sigma_w: Vec<f64>,
        sigma_b: Vec<f64>,
        activation: Activation,
        surrogate: Surrogate,
    ) -> Result<Self, KernelError> {
        if input_dim == 0 {
            return Err(KernelError::InvalidParameter {
                name: "input_dim",
                value: 0.0,
                reason: "must be >= 1",
            });
        }
        if sigma_w.len() < 2 {
            return Err(KernelError::InvalidParameter {
                name: "depth",
                value: sigma_w.len() as f64 - 1.0,
                reason: "must be >= 1 hidden layer (sigma_w needs L + 1 >= 2 values)",
            });
        }
        if sigma_b.len() != sigma_w.len() {
            return Err(KernelError::DimensionMismatch {
                what: "sigma_b values (one per layer, L + 1)",
                expected: sigma_w.len(),
                found: sigma_b.len(),
            });
        }
        for &w in &sigma_w {
            check_sigma_w(w)?;
        }
        for &b in &sigma_b {
            check_sigma_b(b)?;
        }
        Ok(Self {
            input_dim,
            depth: sigma_w.len() - 1,
            sigma_w,
            sigma_b,
            activation,
            surrogate,
            kappa: 1.0,
            method: Method::Auto,
        })
    }

    /// Sets the output scale `kappa > 0` (output layer uses `kappa sigma_w`, `kappa sigma_b`).
    pub fn with_kappa(mut self, kappa: f64) -> Result<Self, KernelError> {
        if !(kappa.is_finite() && kappa > 0.0) {
            return Err(KernelError::InvalidParameter {
                name: "kappa",
                value: kappa,
                reason: "must be finite and > 0",
            });
        }
        self.kappa = kappa;
        Ok(self)
    }

    /// Sets how the Gaussian expectations are evaluated ([`Method::Quadrature`] forces
    /// quadrature even where a closed form exists, for cross-checks).
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Input dimension `n_0`.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// Number of hidden layers `L`.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// `sigma_w` of layers `1..=L+1` (without `kappa`).
    pub fn sigma_w(&self) -> &[f64] {
        &self.sigma_w
    }

    /// `sigma_b` of layers `1..=L+1` (without `kappa`).
    pub fn sigma_b(&self) -> &[f64] {
        &self.sigma_b
    }

    /// The activation `phi`.
    pub fn activation(&self) -> &Activation {
        &self.activation
    }

    /// The surrogate derivative `phi~'`.
    pub fn surrogate(&self) -> &Surrogate {
        &self.surrogate
    }

    /// The output scale `kappa`.
    pub fn kappa(&self) -> f64 {
        self.kappa
    }

    /// The expectation method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The effective variances `(sigma_w^2, sigma_b^2)` of layers `1..=L+1`, with `kappa^2`
    /// applied to the output layer `L + 1`.
    pub fn layer_variances(&self) -> Vec<(f64, f64)> {
        let last = self.depth;
        (0..=last)
            .map(|l| {
                let k2 = if l == last {
                    self.kappa * self.kappa
                } else {
                    1.0
                };
                (
                    k2 * self.sigma_w[l] * self.sigma_w[l],
                    k2 * self.sigma_b[l] * self.sigma_b[l],
                )
            })
            .collect()
    }
}

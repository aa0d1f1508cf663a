//! Validated parameter types: the network architecture, data sets and the training schedule.

use sgntk_gauss::{Activation, Surrogate};

use crate::error::{Result, SglError};

/// Architecture of a fully connected scalar-output network in the NTK parametrisation
/// (SPEC section 1):
///
/// $$h^{(1)} = \frac{\sigma_w}{\sqrt{n_0}} W^{(1)} x + \sigma_b b^{(1)},\quad
/// h^{(l+1)} = \frac{\sigma_w}{\sqrt{n_l}} W^{(l+1)} \phi(h^{(l)}) + \sigma_b b^{(l+1)},\quad
/// f = h^{(L+1)},$$
///
/// with $\kappa\sigma_w$, $\kappa\sigma_b$ in the output layer. Validated at construction.
#[derive(Clone, Debug)]
pub struct NetworkSpec {
    pub(crate) input_dim: usize,
    pub(crate) widths: Vec<usize>,
    pub(crate) sigma_w: f64,
    pub(crate) sigma_b: f64,
    pub(crate) kappa: f64,
    pub(crate) activation: Activation,
    pub(crate) surrogate: Surrogate,
}

fn check_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(SglError::InvalidParameter {
            name,
            value,
            reason: "must be finite and > 0",
        })
    }
}

impl NetworkSpec {
    /// `input_dim` = $n_0$, `widths` = $n_1..n_L$ (any number of hidden layers, each > 0),
    /// $\sigma_w > 0$, $\sigma_b \ge 0$; $\kappa = 1$.
    pub fn new(
        input_dim: usize,
        widths: Vec<usize>,
        sigma_w: f64,
        sigma_b: f64,
        activation: Activation,
        surrogate: Surrogate,
    ) -> Result<Self> {
        if input_dim == 0 {
            return Err(SglError::InvalidSize {
                name: "input_dim",
                value: 0,
                reason: "must be > 0",
            });
        }
        if let Some(&w) = widths.iter().find(|&&w| w == 0) {
            return Err(SglError::InvalidSize {
                name: "width",
                value: w,
                reason: "every hidden width must be > 0",
            });
        }
        check_positive("sigma_w", sigma_w)?;
        if !(sigma_b.is_finite() && sigma_b >= 0.0) {
            return Err(SglError::InvalidParameter {
                name: "sigma_b",
                value: sigma_b,
                reason: "must be finite and >= 0",
            });
        }
        Ok(Self {
            input_dim,
            widths,
            sigma_w,
            sigma_b,
            kappa: 1.0,
            activation,
            surrogate,
        })
    }

    /// Output-layer scale $\kappa > 0$ (the output layer uses $\kappa\sigma_w$, $\kappa\sigma_b$).
    pub fn with_kappa(mut self, kappa: f64) -> Result<Self> {
        check_positive("kappa", kappa)?;
        self.kappa = kappa;
        Ok(self)
    }

    /// $n_0$.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }
    /// Hidden widths $n_1..n_L$.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }
    /// $\sigma_w$.
    pub fn sigma_w(&self) -> f64 {
        self.sigma_w
    }
    /// $\sigma_b$.
    pub fn sigma_b(&self) -> f64 {
        self.sigma_b
    }
    /// $\kappa$.
    pub fn kappa(&self) -> f64 {
        self.kappa
    }
    /// The activation $\phi$ (forward pass).
    pub fn activation(&self) -> &Activation {
        &self.activation
    }
    /// The surrogate derivative $\tilde\phi'$ (backward pass).
    pub fn surrogate(&self) -> &Surrogate {
        &self.surrogate
    }
    /// Number of trainable parameters (weights and biases of all layers).
    pub fn num_parameters(&self) -> usize {
        self.layer_dims().map(|(i, o)| o * i + o).sum()
    }
    /// `(n_in, n_out)` of each layer, input to output (the last has `n_out = 1`).
    pub fn layer_dims(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let ins = std::iter::once(self.input_dim).chain(self.widths.iter().copied());
        let outs = self.widths.iter().copied().chain(std::iter::once(1));
        ins.zip(outs)
    }
}

/// A set of points: row-major inputs (`len x dim`, f64) and, for training sets, one target per
/// point. Test sets may carry no targets (`targets` empty); use [`Dataset::inputs_only`].
#[derive(Clone, Debug)]
pub struct Dataset {
    inputs: Vec<f64>,
    dim: usize,
    targets: Vec<f64>,
}

impl Dataset {
    /// Validates shapes (`inputs.len()` a multiple of `dim`; `targets` empty or one per point)
    /// and finiteness.
    pub fn new(inputs: Vec<f64>, dim: usize, targets: Vec<f64>) -> Result<Self> {
        if dim == 0 {
            return Err(SglError::InvalidSize {
                name: "dim",
                value: 0,
                reason: "must be > 0",
            });
        }
        if inputs.len() % dim != 0 {
            return Err(SglError::Shape {
                what: "inputs (length must be a multiple of dim)",
                expected: inputs.len().div_ceil(dim) * dim,
                got: inputs.len(),
            });
        }
        let n = inputs.len() / dim;
        if !targets.is_empty() && targets.len() != n {
            return Err(SglError::Shape {
                what: "targets (one per input point)",
                expected: n,
                got: targets.len(),
            });
        }
        if let Some(index) = inputs.iter().position(|v| !v.is_finite()) {
            return Err(SglError::NonFinite {
                what: "inputs",
                index,
            });
        }
        if let Some(index) = targets.iter().position(|v| !v.is_finite()) {
            return Err(SglError::NonFinite {
                what: "targets",
                index,
            });
        }
        Ok(Self {
            inputs,
            dim,
            targets,
        })
    }

    /// A set of inputs without targets (for predictions and kernels).
    pub fn inputs_only(inputs: Vec<f64>, dim: usize) -> Result<Self> {
        Self::new(inputs, dim, Vec::new())
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.inputs.len() / self.dim
    }
    /// Whether the set has no points.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Row-major inputs.
    pub fn inputs(&self) -> &[f64] {
        &self.inputs
    }
    /// Targets (empty for input-only sets).
    pub fn targets(&self) -> &[f64] {
        &self.targets
    }
    /// Whether there is one target per point.
    pub fn has_targets(&self) -> bool {
        !self.targets.is_empty() || self.inputs.is_empty()
    }
}

/// The gradient-descent schedule: learning rate $\eta$, number of steps, and the steps after
/// which test predictions are recorded (step `s` = after `s` updates; `0` = at initialisation;
/// the final step is always recorded; entries beyond `steps` are ignored).
#[derive(Clone, Debug)]
pub struct TrainSpec {
    /// Learning rate $\eta$ (finite, > 0).
    pub lr: f64,
    /// Number of full-batch gradient steps.
    pub steps: usize,
    /// Steps at which test predictions are recorded.
    pub record_steps: Vec<usize>,
}

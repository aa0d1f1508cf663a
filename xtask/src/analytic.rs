//! The analytic side of the figure experiments, through the facade: kernels on the circle grid
//! and the Gaussian-process predictions.

use anyhow::{Context, Result};
use faer::Mat;

use sgntk::gauss::{Activation, Surrogate};
use sgntk::gp::{GpOptions, Prediction, TestKernels, Time, TrainingKernels};
use sgntk::kernel::{Architecture, KernelKind};

use crate::fig1::Fig1Config;
use crate::problem;

/// The problem of a circle-grid experiment.
pub struct AnalyticSetup {
    /// Test angles (100).
    pub test_angles: Vec<f64>,
    /// Target values at the test angles.
    pub test_targets: Vec<f64>,
    /// Training indices into the grid.
    pub train_indices: Vec<usize>,
    /// Hidden layers.
    pub depth: usize,
    /// Weight scale.
    pub sigma_w: f64,
    /// Bias scale.
    pub sigma_b: f64,
    /// Output factor.
    pub kappa: f64,
    /// Activation.
    pub activation: Activation,
    /// Surrogate.
    pub surrogate: Surrogate,
    /// Learning rate (for the finite-time GP).
    pub lr: f64,
    /// Steps (for the finite-time GP).
    pub steps: usize,
}

/// Kernels and predictions on the test grid.
pub struct Analytic {
    /// Output NNGP on test x test.
    pub nngp_test: Mat<f64>,
    /// SG-NTK on test x test (true derivative at the row point, surrogate at the column point).
    pub sgntk_test: Mat<f64>,
    /// SG-NTK GP at t = infinity.
    pub gp: Prediction,
    /// SG-NTK GP after the run's number of discrete gradient-descent steps.
    pub gp_finite: Prediction,
    /// NNGP regression (noise-free).
    pub nngp: Prediction,
}

impl AnalyticSetup {
    /// The setup of `reproduce-fig1`.
    pub fn from_fig1(cfg: &Fig1Config) -> Result<Self> {
        let test_angles = problem::test_angles();
        let test_targets = test_angles
            .iter()
            .map(|&a| problem::target(problem::circle_point(a)))
            .collect();
        Ok(Self {
            test_angles,
            test_targets,
            train_indices: cfg.train_indices.clone(),
            depth: cfg.depth,
            sigma_w: cfg.sigma_w,
            sigma_b: cfg.sigma_b,
            kappa: cfg.kappa,
            activation: cfg.activation.parse()?,
            surrogate: cfg.surrogate.parse()?,
            lr: cfg.lr,
            steps: cfg.steps,
        })
    }

    /// The architecture of the kernels.
    pub fn architecture(&self) -> Result<Architecture> {
        Ok(Architecture::new(
            2,
            self.depth,
            self.sigma_w,
            self.sigma_b,
            self.activation.clone(),
            self.surrogate.clone(),
        )?
        .with_kappa(self.kappa)?)
    }

    /// The finite network of width `width`.
    pub fn network_spec(&self, width: usize) -> Result<sgntk::sgl::NetworkSpec> {
        Ok(sgntk::sgl::NetworkSpec::new(
            2,
            vec![width; self.depth],
            self.sigma_w,
            self.sigma_b,
            self.activation.clone(),
            self.surrogate.clone(),
        )?
        .with_kappa(self.kappa)?)
    }

    /// Training inputs and targets.
    pub fn train_set(&self) -> Result<sgntk::sgl::Dataset> {
        let angles: Vec<f64> = self
            .train_indices
            .iter()
            .map(|&i| self.test_angles[i])
            .collect();
        let targets = self
            .train_indices
            .iter()
            .map(|&i| self.test_targets[i])
            .collect();
        Ok(sgntk::sgl::Dataset::new(
            problem::inputs(&angles),
            2,
            targets,
        )?)
    }

    /// Test inputs (no targets).
    pub fn test_inputs(&self) -> Result<sgntk::sgl::Dataset> {
        Ok(sgntk::sgl::Dataset::new(
            problem::inputs(&self.test_angles),
            2,
            vec![],
        )?)
    }
}

fn grid_matrix(angles: &[f64]) -> Mat<f64> {
    Mat::from_fn(angles.len(), 2, |i, j| problem::circle_point(angles[i])[j])
}

fn submatrix(m: &Mat<f64>, rows: &[usize], cols: &[usize]) -> Mat<f64> {
    Mat::from_fn(rows.len(), cols.len(), |i, j| m[(rows[i], cols[j])])
}

/// Computes the kernels on the grid and the GP predictions.
pub fn compute(s: &AnalyticSetup) -> Result<Analytic> {
    let arch = s.architecture()?;
    let x = grid_matrix(&s.test_angles);
    let nngp_test = arch
        .kernel(KernelKind::Nngp, x.as_ref(), x.as_ref())
        .context("NNGP kernel")?;
    let sgntk_test = arch
        .kernel(KernelKind::SgNtk, x.as_ref(), x.as_ref())
        .context("SG-NTK kernel")?;
    let all: Vec<usize> = (0..s.test_angles.len()).collect();
    let tr = &s.train_indices;
    let i_xx = submatrix(&sgntk_test, tr, tr);
    let s_xx = submatrix(&nngp_test, tr, tr);
    let i_tx = submatrix(&sgntk_test, &all, tr);
    let s_tx = submatrix(&nngp_test, &all, tr);
    let y: Vec<f64> = tr.iter().map(|&i| s.test_targets[i]).collect();
    let train = TrainingKernels {
        i_train_train: i_xx.as_ref(),
        sigma_train_train: s_xx.as_ref(),
        targets: &y,
    };
    let test = TestKernels {
        i_test_train: i_tx.as_ref(),
        sigma_test_train: s_tx.as_ref(),
        sigma_test_test: nngp_test.as_ref(),
    };
    let opts = GpOptions::default();
    let gp = sgntk::gp::predict(&train, &test, Time::Infinity, &opts)
        .context("SG-NTK GP at t = infinity")?;
    let gp_finite = sgntk::gp::predict(
        &train,
        &test,
        Time::GradientDescent {
            eta: s.lr,
            steps: s.steps as u64,
        },
        &opts,
    )
    .context("SG-NTK GP after the training steps")?;
    let nngp = sgntk::gp::nngp_regression(
        s_xx.as_ref(),
        s_tx.as_ref(),
        nngp_test.as_ref(),
        &y,
        0.0,
        &opts,
    )
    .context("NNGP regression")?;
    Ok(Analytic {
        nngp_test,
        sgntk_test,
        gp,
        gp_finite,
        nngp,
    })
}

//! `sgntk predict`: the Gaussian-process prediction of a wide network trained with (surrogate)
//! gradient descent, or the NNGP posterior, at test points (SPEC section 5).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use faer::Mat;
use sgntk::gp::{GpOptions, TestKernels, Time, TrainingKernels};
use sgntk::kernel::KernelKind;

use super::CliError;
use super::args::ArchArgs;
use super::io::{read_points, write_text};

/// Which prediction.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PredictKind {
    /// Network trained with surrogate gradient learning: the SG-NTK Gaussian process.
    Sgntk,
    /// Network trained with ordinary gradient descent (smooth activations): the NTK GP.
    Ntk,
    /// Bayesian posterior of the NNGP (Gaussian-process regression with the output NNGP).
    Nngp,
}

const PREDICT_AFTER_HELP: &str = "\
Training CSV: input columns, then the target in the last column (optional header line).
Test CSV: input columns only. Output: CSV with header `mean,std` (plus `nngp_mean` with
--nngp-mean), one row per test point; to stdout when --out is absent.

Time: t = infinity by default (the trained network's limit); --steps T gives T steps of
full-batch gradient descent with learning rate --lr on 0.5 * mean squared error; --time t gives
gradient flow for time t (in units of steps).

Examples:
  # The paper's sign network trained with the erf(1) surrogate, t = infinity
  sgntk predict --train train.csv --test test.csv --activation sign --surrogate erf:1 \\
      --depth 2 --sigma-w 1 --sigma-b 0.1 --nngp-mean
  # After 1000 gradient-descent steps with eta = 0.1, written to pred.csv
  sgntk predict --train train.csv --test test.csv --steps 1000 --lr 0.1 --out pred.csv
  # NTK GP of an erf(2) network
  sgntk predict --kernel ntk --activation erf:2 --train train.csv --test test.csv";

/// Flags of `sgntk predict`.
#[derive(Debug, Args)]
#[command(after_help = PREDICT_AFTER_HELP)]
pub struct PredictArgs {
    /// Training CSV: inputs, then the target as the last column. Example: --train train.csv
    #[arg(long, value_name = "FILE.csv")]
    pub train: PathBuf,

    /// Test CSV: inputs only. Example: --test test.csv
    #[arg(long, value_name = "FILE.csv")]
    pub test: PathBuf,

    /// Which prediction: sgntk (SGL-trained network), ntk (gradient descent), nngp (Bayesian
    /// posterior). Example: --kernel ntk
    #[arg(long, value_enum, value_name = "KIND", default_value = "sgntk")]
    pub kernel: PredictKind,

    #[command(flatten)]
    pub arch: ArchArgs,

    /// Number of gradient-descent steps T (default: t = infinity). Example: --steps 1000
    #[arg(long, value_name = "T", conflicts_with = "time")]
    pub steps: Option<u64>,

    /// Gradient-flow time t in units of steps (default: t = infinity). Example: --time 500.5
    #[arg(long, value_name = "t", allow_negative_numbers = true)]
    pub time: Option<f64>,

    /// Learning rate eta used with --steps or --time. Example: --lr 0.1
    #[arg(
        long,
        value_name = "ETA",
        default_value_t = 0.1,
        allow_negative_numbers = true
    )]
    pub lr: f64,

    /// Observation noise variance of the NNGP posterior (--kernel nngp and --nngp-mean).
    #[arg(
        long,
        value_name = "VAR",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub noise: f64,

    /// Also write the NNGP posterior mean as a third column `nngp_mean`.
    #[arg(long)]
    pub nngp_mean: bool,

    /// Add a relative diagonal jitter EPS when a training matrix is ill-conditioned (duplicate
    /// inputs) instead of failing; the amount is reported on stderr. Example: --jitter 1e-10
    #[arg(long, value_name = "EPS")]
    pub jitter: Option<f64>,

    /// Output CSV file (written atomically); stdout when absent. Example: --out pred.csv
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Splits the training matrix into inputs and the last column (targets).
fn split_targets(m: &Mat<f64>, name: &str) -> Result<(Mat<f64>, Vec<f64>), CliError> {
    if m.ncols() < 2 {
        return Err(CliError::usage(format!(
            "{name}: needs at least one input column and a target column, found {} column(s)",
            m.ncols()
        )));
    }
    let d = m.ncols() - 1;
    let x = Mat::from_fn(m.nrows(), d, |i, j| m[(i, j)]);
    let y = (0..m.nrows()).map(|i| m[(i, d)]).collect();
    Ok((x, y))
}

fn gp_err(e: sgntk::gp::GpError) -> CliError {
    CliError::usage(e.to_string())
}

fn kernel_err(e: sgntk::kernel::KernelError) -> CliError {
    CliError::usage(e.to_string())
}

/// Runs `sgntk predict`.
pub fn run(args: &PredictArgs) -> Result<(), CliError> {
    let train = read_points(&args.train)?;
    let (x_train, y) = split_targets(&train, &args.train.display().to_string())?;
    let x_test = read_points(&args.test)?;
    if x_test.ncols() != x_train.ncols() {
        return Err(CliError::usage(format!(
            "{}: test points have {} coordinates but the training inputs of {} have {} \
             (the last training column is the target)",
            args.test.display(),
            x_test.ncols(),
            args.train.display(),
            x_train.ncols()
        )));
    }
    if !(args.lr.is_finite() && args.lr > 0.0) {
        return Err(CliError::usage(format!(
            "--lr must be a positive number, got {}",
            args.lr
        )));
    }
    let time = match (args.steps, args.time) {
        (Some(steps), _) => Time::GradientDescent {
            eta: args.lr,
            steps,
        },
        (None, Some(t)) => Time::GradientFlow { eta: args.lr, t },
        (None, None) => Time::Infinity,
    };
    let arch = args.arch.architecture(x_train.ncols())?;
    let opts = GpOptions {
        jitter: args.jitter,
        ..GpOptions::default()
    };
    let tangent = match args.kernel {
        PredictKind::Sgntk => KernelKind::SgNtk,
        PredictKind::Ntk | PredictKind::Nngp => KernelKind::Ntk,
    };
    // Sigma(x, x) is needed on the diagonal only: the output has standard deviations.
    let sigma_diag = arch
        .kernel_diag(KernelKind::Nngp, x_test.as_ref())
        .map_err(kernel_err)?;
    let sigma_diag = Mat::from_fn(sigma_diag.nrows(), 1, |i, _| sigma_diag[i]);
    let nngp_only = matches!(args.kernel, PredictKind::Nngp);
    // NNGP regression on the training and test-train NNGP matrices.
    let nngp_fit = |s_xx: &Mat<f64>, s_tx: &Mat<f64>| {
        sgntk::gp::nngp_regression(
            s_xx.as_ref(),
            s_tx.as_ref(),
            sigma_diag.as_ref(),
            &y,
            args.noise,
            &opts,
        )
        .map_err(gp_err)
    };
    let (s_xx, s_tx, main) = if nngp_only {
        let s_xx = arch
            .kernel(KernelKind::Nngp, x_train.as_ref(), x_train.as_ref())
            .map_err(kernel_err)?;
        let s_tx = arch
            .kernel(KernelKind::Nngp, x_test.as_ref(), x_train.as_ref())
            .map_err(kernel_err)?;
        let p = nngp_fit(&s_xx, &s_tx)?;
        (s_xx, s_tx, p)
    } else {
        let (s_xx, i_xx) = arch
            .nngp_and(tangent, x_train.as_ref(), x_train.as_ref())
            .map_err(kernel_err)?;
        let (s_tx, i_tx) = arch
            .nngp_and(tangent, x_test.as_ref(), x_train.as_ref())
            .map_err(kernel_err)?;
        let p = sgntk::gp::predict(
            &TrainingKernels {
                i_train_train: i_xx.as_ref(),
                sigma_train_train: s_xx.as_ref(),
                targets: &y,
            },
            &TestKernels {
                i_test_train: i_tx.as_ref(),
                sigma_test_train: s_tx.as_ref(),
                sigma_test_test: sigma_diag.as_ref(),
            },
            time,
            &opts,
        )
        .map_err(gp_err)?;
        (s_xx, s_tx, p)
    };
    if let Some(j) = main.jitter {
        eprintln!(
            "sgntk: note: a diagonal jitter of {j:e} was added (ill-conditioned training matrix)"
        );
    }
    let nngp_mean = if args.nngp_mean {
        Some(if nngp_only {
            main.mean.clone()
        } else {
            nngp_fit(&s_xx, &s_tx)?.mean
        })
    } else {
        None
    };
    let std = main.std();
    let mut text = String::from(if nngp_mean.is_some() {
        "mean,std,nngp_mean\n"
    } else {
        "mean,std\n"
    });
    for i in 0..main.mean.len() {
        text.push_str(&format!("{:?},{:?}", main.mean[i], std[i]));
        if let Some(n) = &nngp_mean {
            text.push_str(&format!(",{:?}", n[i]));
        }
        text.push('\n');
    }
    write_text(&text, args.out.as_deref())
}

//! `sgntk kernel`: one kernel matrix between two point sets.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use sgntk::kernel::KernelKind;

use super::CliError;
use super::args::ArchArgs;
use super::io::{read_points, write_matrix};

/// Which kernel to compute.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Neural network Gaussian process kernel Sigma.
    Nngp,
    /// Neural tangent kernel Theta (true derivatives; does not exist for jump activations).
    Ntk,
    /// Surrogate-gradient NTK I: true derivative at the x1 point, surrogate at the x2 point.
    Sgntk,
    /// Surrogate kernel: surrogate derivatives at both points.
    Surrogate,
}

impl From<KindArg> for KernelKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Nngp => KernelKind::Nngp,
            KindArg::Ntk => KernelKind::Ntk,
            KindArg::Sgntk => KernelKind::SgNtk,
            KindArg::Surrogate => KernelKind::Surrogate,
        }
    }
}

const KERNEL_AFTER_HELP: &str = "\
Input CSV: one point per line, comma-separated numbers; an optional header line is skipped.
Output: an N1 x N2 matrix, row i = point i of --x1, column j = point j of --x2; CSV numbers in
shortest round-trip form; `.npy` (float64, C order) when --out ends in .npy.

Examples:
  sgntk kernel --kernel sgntk --activation sign --surrogate erf:1 --depth 2 \\
      --sigma-w 1 --sigma-b 0.1 --x1 circle.csv > sgntk.csv
  sgntk kernel --kernel ntk --activation erf:20 --x1 train.csv --x2 test.csv --out ntk.npy
  sgntk kernel --kernel nngp --activation relu --depth 3 --kappa 0.2 --x1 pts.csv";

/// Flags of `sgntk kernel`.
#[derive(Debug, Args)]
#[command(after_help = KERNEL_AFTER_HELP)]
pub struct KernelArgs {
    /// Which kernel: nngp, ntk, sgntk or surrogate. Example: --kernel sgntk
    #[arg(long, value_enum, value_name = "KIND")]
    pub kernel: KindArg,

    #[command(flatten)]
    pub arch: ArchArgs,

    /// CSV file of the first point set (rows of the output). Example: --x1 train.csv
    #[arg(long, value_name = "FILE.csv")]
    pub x1: PathBuf,

    /// CSV file of the second point set (columns of the output); defaults to --x1.
    /// Example: --x2 test.csv
    #[arg(long, value_name = "FILE.csv")]
    pub x2: Option<PathBuf>,

    /// Output file: .npy for NumPy (float64, C order), anything else for CSV; stdout (CSV)
    /// when absent. Written atomically. Example: --out k.npy
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `sgntk kernel`.
pub fn run(args: &KernelArgs) -> Result<(), CliError> {
    let x1 = read_points(&args.x1)?;
    let x2 = match &args.x2 {
        Some(p) => read_points(p)?,
        None => x1.clone(),
    };
    if let Some(p) = &args.x2 {
        if x2.ncols() != x1.ncols() {
            return Err(CliError::usage(format!(
                "{}: points have {} coordinates but {} has {}",
                p.display(),
                x2.ncols(),
                args.x1.display(),
                x1.ncols()
            )));
        }
    }
    let arch = args.arch.architecture(x1.ncols())?;
    let k = arch
        .kernel(args.kernel.into(), x1.as_ref(), x2.as_ref())
        .map_err(|e| CliError::usage(e.to_string()))?;
    write_matrix(&k, args.out.as_deref())
}

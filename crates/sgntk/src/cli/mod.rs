//! Command-line parsing and dispatch. Every failure prints one line `sgntk: error: ...` to
//! stderr; bad user input (files, flags, parameters, kernels that do not exist) exits with code
//! 2, failures to write the output with code 1.

mod args;
mod io;
mod kernel;
mod predict;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The error of a command: a message and the exit code.
#[derive(Debug)]
pub struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// A user error (exit code 2): bad input file, flag or parameter.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 2,
        }
    }

    /// An output failure (exit code 1).
    pub fn output(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }
}

const ABOUT: &str = "Infinite-width kernels of surrogate gradient learning (NNGP, NTK, SG-NTK) \
after Eilers, Memmesheimer & Goedeke, NeurIPS 2024.";

const AFTER_HELP: &str = "\
Examples:
  # SG-NTK of the paper's sign network (erf(1) surrogate), points in circle.csv, to stdout
  sgntk kernel --kernel sgntk --activation sign --surrogate erf:1 --depth 2 \\
      --sigma-w 1 --sigma-b 0.1 --x1 circle.csv

  # NTK of an erf(5) network between two point sets, as a NumPy file
  sgntk kernel --kernel ntk --activation erf:5 --x1 train.csv --x2 test.csv --out k.npy

  # What the trained sign network predicts (mean, std) at test points, t = infinity
  sgntk predict --train train.csv --test test.csv --activation sign --surrogate erf:1

Run `sgntk kernel --help` and `sgntk predict --help` for every flag.";

/// Top-level command line.
#[derive(Debug, Parser)]
#[command(name = "sgntk", version, about = ABOUT, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute an infinite-width kernel matrix K(x1_i, x2_j) and write it as CSV or .npy.
    Kernel(kernel::KernelArgs),
    /// Predict what a wide network trained with (surrogate) gradient descent outputs: the
    /// Gaussian-process mean and standard deviation at test points (or the NNGP posterior).
    Predict(predict::PredictArgs),
}

/// Parses the command line, runs the subcommand, and maps errors to exit codes.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        // clap prints help/version (exit 0) and usage errors (exit 2) itself.
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Kernel(args) => kernel::run(&args),
        Command::Predict(args) => predict::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sgntk: error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

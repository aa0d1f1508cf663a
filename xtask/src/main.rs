//! `cargo xtask`: the user-facing task runner of sgntk. It reproduces the paper's figures and
//! writes reports, orchestrating through the `sgntk` facade crate; it holds no model numerics of
//! its own.
#![warn(missing_docs)]

mod analytic;
mod bench_report;
mod fig1;
mod fig3b;
mod figures;
mod io;
mod kernelfig;
mod metrics;
mod plot;
mod problem;
mod progress;
mod rundir;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// sgntk task runner.
#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "sgntk task runner: reproduce the paper's figures, write reports"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Paper Fig. 3a: 500 sign networks trained with SGL against the SG-NTK Gaussian process.
    ///
    /// Example: `cargo xtask reproduce-fig1 --quick` (about 3 minutes) or with no flags for the
    /// paper's full configuration. Results go to results/fig1/ (fig1.png, fig1.csv, summary.json,
    /// ...). Rerunning resumes from the networks already trained.
    ReproduceFig1(fig1::Fig1Args),
    /// Paper Fig. 3b: ensemble means for widths 20, 100, 500 against the SG-NTK GP mean.
    ///
    /// Example: `cargo xtask reproduce-fig3b --quick`. Accepts the flags of reproduce-fig1.
    ReproduceFig3b(fig3b::Fig3bArgs),
    /// Paper Fig. 1: empirical NTKs of erf(m) networks diverge with m, tracking the analytic NTK.
    ///
    /// Example: `cargo xtask reproduce-ntk-divergence --quick`.
    ReproduceNtkDivergence(kernelfig::KernelFigArgs),
    /// Paper Fig. 2: empirical SG-NTKs (erf:1 surrogate) converge to the analytic SG-NTK.
    ///
    /// Example: `cargo xtask reproduce-sgntk-convergence --quick`.
    ReproduceSgntkConvergence(kernelfig::KernelFigArgs),
    /// Benchmark report: our throughput beside the Python peers' and the machine's FMA peak.
    ///
    /// Example: `cargo xtask bench-report --quick --venv .venv` (a few minutes). Runs the
    /// criterion benches and the peers in benches/peers/, writes docs/benchmarks.md and
    /// docs/benchmarks/scaling.png.
    BenchReport(bench_report::BenchReportArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::ReproduceFig1(a) => {
            fig1::run(&a)?;
        }
        Task::ReproduceFig3b(a) => fig3b::run(&a)?,
        Task::ReproduceNtkDivergence(a) => kernelfig::run(kernelfig::Which::NtkDivergence, &a)?,
        Task::ReproduceSgntkConvergence(a) => {
            kernelfig::run(kernelfig::Which::SgntkConvergence, &a)?
        }
        Task::BenchReport(a) => bench_report::run(&a)?,
    }
    Ok(())
}

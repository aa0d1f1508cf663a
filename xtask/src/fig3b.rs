//! `cargo xtask reproduce-fig3b`: ensemble means of SGL-trained sign networks of widths 20, 100
//! and 500 against the SG-NTK GP mean (paper Fig. 3b). Each width is a `reproduce-fig1` run in
//! its own subdirectory (so each resumes on its own); this task then draws the means together.

use std::path::PathBuf;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::fig1::{self, Fig1Args};
use crate::io::{read_csv, write_atomic};
use crate::plot::{Figure, perr, save_figure};

/// Flags of `reproduce-fig3b`.
#[derive(clap::Args, Debug, Clone)]
pub struct Fig3bArgs {
    /// Widths, comma-separated [default: 20,100,500].
    #[arg(long, value_delimiter = ',')]
    pub widths: Option<Vec<usize>>,
    /// Output directory [default: results/fig3b].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The remaining flags are those of reproduce-fig1 (networks, steps, --quick, ...).
    #[command(flatten)]
    pub run: Fig1Args,
}

struct Curves {
    alpha: Vec<f64>,
    gp_mean: Vec<f64>,
    gp_std: Vec<f64>,
    means: Vec<(usize, Vec<f64>)>,
    train: Vec<(f64, f64)>,
}

/// Runs the three ensembles and draws their means.
pub fn run(a: &Fig3bArgs) -> Result<()> {
    let widths = a.widths.clone().unwrap_or_else(|| vec![20, 100, 500]);
    let out = a.out.clone().unwrap_or_else(|| {
        PathBuf::from(if a.run.quick {
            "results/fig3b-quick"
        } else {
            "results/fig3b"
        })
    });
    let mut curves = Curves {
        alpha: vec![],
        gp_mean: vec![],
        gp_std: vec![],
        means: vec![],
        train: vec![],
    };
    let mut summary = Vec::new();
    for &w in &widths {
        let mut args = a.run.clone();
        args.width = Some(w);
        args.out = Some(out.join(format!("width-{w}")));
        let m = fig1::run(&args)?;
        let rows = read_csv(&out.join(format!("width-{w}")).join("fig1.csv"))?;
        curves.alpha = rows.iter().map(|r| r[0]).collect();
        curves.gp_mean = rows.iter().map(|r| r[2]).collect();
        curves.gp_std = rows.iter().map(|r| r[3]).collect();
        curves.means.push((w, rows.iter().map(|r| r[5]).collect()));
        if curves.train.is_empty() {
            curves.train = read_csv(&out.join(format!("width-{w}")).join("train.csv"))?
                .iter()
                .map(|r| (r[1], r[4]))
                .collect();
        }
        summary.push(serde_json::json!({ "width": w, "metrics": m }));
    }
    save_figure(&curves, &out.join("fig3b"), (1100, 750))?;
    write_atomic(
        &out.join("summary.json"),
        serde_json::to_string_pretty(
            &serde_json::json!({"experiment": "paper Fig. 3b", "runs": summary}),
        )?
        .as_bytes(),
    )?;
    println!("\n  width   RMS(ensemble mean - GP mean)   Monte-Carlo error");
    for s in &summary {
        println!(
            "  {:<7} {:<30.4} {:.4}",
            s["width"],
            s["metrics"]["rms_ensemble_vs_gp"]
                .as_f64()
                .unwrap_or(f64::NAN),
            s["metrics"]["rms_monte_carlo_expected"]
                .as_f64()
                .unwrap_or(f64::NAN)
        );
    }
    println!("figure: {}", out.join("fig3b.png").display());
    Ok(())
}

impl Figure for Curves {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Ensemble means of SGL-trained sign networks vs the SG-NTK GP mean",
                ("sans-serif", 22),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(-std::f64::consts::PI..std::f64::consts::PI, -2.5f64..3.5f64)
            .map_err(perr)?;
        chart
            .configure_mesh()
            .x_desc("input angle alpha")
            .y_desc("output")
            .label_style(("sans-serif", 16))
            .draw()
            .map_err(perr)?;
        let mut band: Vec<(f64, f64)> = (0..self.alpha.len())
            .map(|i| (self.alpha[i], self.gp_mean[i] + 2.0 * self.gp_std[i]))
            .collect();
        band.extend(
            (0..self.alpha.len())
                .rev()
                .map(|i| (self.alpha[i], self.gp_mean[i] - 2.0 * self.gp_std[i])),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                RGBColor(150, 150, 150).mix(0.4).filled(),
            )))
            .map_err(perr)?;
        let cols = [
            RGBColor(44, 160, 44),
            RGBColor(255, 127, 14),
            RGBColor(214, 39, 40),
            RGBColor(31, 119, 180),
        ];
        for (k, (w, m)) in self.means.iter().enumerate() {
            let col = cols[k % cols.len()];
            chart
                .draw_series(LineSeries::new(
                    self.alpha.iter().copied().zip(m.iter().copied()),
                    col.stroke_width(3),
                ))
                .map_err(perr)?
                .label(format!("ensemble mean, n = {w}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                });
        }
        chart
            .draw_series(LineSeries::new(
                self.alpha.iter().copied().zip(self.gp_mean.iter().copied()),
                BLACK.stroke_width(2),
            ))
            .map_err(perr)?
            .label("SG-NTK GP mean (+- 2 sd grey)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        chart
            .draw_series(
                self.train
                    .iter()
                    .map(|&(a, y)| Cross::new((a, y), 7, BLACK.stroke_width(2))),
            )
            .map_err(perr)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(perr)?;
        Ok(())
    }
}

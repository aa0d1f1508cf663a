//! The figures of the reproduce tasks, drawn as the paper draws them.

use std::f64::consts::PI;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analytic::{Analytic, AnalyticSetup};
use crate::fig1::{Fig1Config, NetCheckpoint};
use crate::metrics::{Fig1Metrics, ensemble_mean_std};
use crate::plot::{Figure, perr};

/// Paper Fig. 3a: trained networks, their mean, the SG-NTK GP mean and band, the NNGP mean.
pub struct Fig1Figure {
    alpha: Vec<f64>,
    nets: Vec<Vec<f64>>,
    ens_mean: Vec<f64>,
    gp_mean: Vec<f64>,
    gp_std: Vec<f64>,
    nngp_mean: Vec<f64>,
    train: Vec<(f64, f64)>,
    title: String,
    subtitle: String,
}

impl Fig1Figure {
    /// Collects what the figure shows.
    pub fn new(
        s: &AnalyticSetup,
        an: &Analytic,
        nets: &[NetCheckpoint],
        m: &Fig1Metrics,
        cfg: &Fig1Config,
        networks: usize,
    ) -> Self {
        let (ens_mean, _) = ensemble_mean_std(nets);
        Self {
            alpha: s.test_angles.clone(),
            nets: nets.iter().map(|c| c.test.clone()).collect(),
            ens_mean,
            gp_mean: an.gp.mean.clone(),
            gp_std: an.gp.std(),
            nngp_mean: an.nngp.mean.clone(),
            train: s
                .train_indices
                .iter()
                .map(|&i| (s.test_angles[i], s.test_targets[i]))
                .collect(),
            title: format!(
                "{networks} {} networks (width {}) trained with SGL ({} surrogate) vs the SG-NTK GP",
                cfg.activation, cfg.width, cfg.surrogate
            ),
            subtitle: format!(
                "eta = {}, {} steps;  RMS(ens. mean - GP mean) = {:.3} (Monte-Carlo {:.3}),  RMS(ens. mean - NNGP mean) = {:.3},  {:.1}% of outputs in band (off training pts)",
                cfg.lr,
                cfg.steps,
                m.rms_ensemble_vs_gp,
                m.rms_monte_carlo_expected,
                m.rms_ensemble_vs_nngp,
                100.0 * m.band_fraction_off_train
            ),
        }
    }
}

impl Figure for Fig1Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (top, rest) = root.split_vertically(30);
        top.titled(&self.subtitle, ("sans-serif", 15))
            .map_err(perr)?;
        let mut chart = ChartBuilder::on(&rest)
            .caption(&self.title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(-PI..PI, -2.5f64..3.5f64)
            .map_err(perr)?;
        chart
            .configure_mesh()
            .x_desc("input angle alpha  (x = (sin alpha, cos alpha))")
            .y_desc("network output f(x)")
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 18))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(perr)?;
        let pts = |v: &[f64]| {
            self.alpha
                .iter()
                .copied()
                .zip(v.iter().copied())
                .collect::<Vec<_>>()
        };

        // The band: GP mean +- 2 sd, as one polygon.
        let mut band: Vec<(f64, f64)> = self
            .alpha
            .iter()
            .zip(&self.gp_mean)
            .zip(&self.gp_std)
            .map(|((&a, &m), &s)| (a, m + 2.0 * s))
            .collect();
        band.extend(
            self.alpha
                .iter()
                .zip(&self.gp_mean)
                .zip(&self.gp_std)
                .rev()
                .map(|((&a, &m), &s)| (a, m - 2.0 * s)),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                RGBColor(150, 150, 150).mix(0.45).filled(),
            )))
            .map_err(perr)?
            .label("SG-NTK GP mean +- 2 sd")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 6), (x + 20, y + 6)],
                    RGBColor(150, 150, 150).mix(0.45).filled(),
                )
            });

        // Individual trained networks: thin translucent lines.
        let net_color = RGBColor(31, 119, 180);
        let alpha_line = (6.0 / self.nets.len().max(1) as f64).clamp(0.02, 0.5);
        for (k, v) in self.nets.iter().enumerate() {
            let s = chart
                .draw_series(LineSeries::new(
                    pts(v),
                    net_color.mix(alpha_line).stroke_width(1),
                ))
                .map_err(perr)?;
            if k == 0 {
                s.label("trained networks").legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], net_color.mix(0.5))
                });
            }
        }
        chart
            .draw_series(LineSeries::new(
                pts(&self.ens_mean),
                RGBColor(214, 39, 40).stroke_width(4),
            ))
            .map_err(perr)?
            .label("ensemble mean")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 20, y)],
                    RGBColor(214, 39, 40).stroke_width(4),
                )
            });
        chart
            .draw_series(LineSeries::new(pts(&self.gp_mean), BLACK.stroke_width(2)))
            .map_err(perr)?
            .label("SG-NTK GP mean")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        chart
            .draw_series(DashedLineSeries::new(
                pts(&self.nngp_mean),
                8,
                6,
                BLACK.stroke_width(2),
            ))
            .map_err(perr)?
            .label("NNGP mean")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 8, y)], BLACK.stroke_width(2)));
        chart
            .draw_series(
                self.train
                    .iter()
                    .map(|&(a, y)| Cross::new((a, y), 7, RGBColor(255, 127, 14).stroke_width(3))),
            )
            .map_err(perr)?
            .label("training points")
            .legend(|(x, y)| Cross::new((x + 10, y), 6, RGBColor(255, 127, 14).stroke_width(3)));
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

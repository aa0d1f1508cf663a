//! The scaling figure: log-log panels of cost against N (kernel), P (GP), width (SGL) and depth
//! (kernel, direct timing), drawn with plotters through `crate::plot`.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::plot::{Figure, perr};

/// One line of a panel: a label and (x, seconds) points.
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Points (x, y), both positive.
    pub points: Vec<(f64, f64)>,
}

/// One panel.
pub struct Panel {
    /// Caption.
    pub title: String,
    /// x axis label.
    pub x_desc: String,
    /// y axis label.
    pub y_desc: String,
    /// Lines.
    pub series: Vec<Series>,
}

/// The whole figure (panels in a 2 x 2 grid).
pub struct Scaling {
    /// Up to four panels.
    pub panels: Vec<Panel>,
}

/// Slope of log y against log x through the first and last points (the growth exponent).
pub fn loglog_slope(points: &[(f64, f64)]) -> Option<f64> {
    let (a, b) = (points.first()?, points.last()?);
    (points.len() >= 2 && a.0 > 0.0 && b.0 > a.0 && a.1 > 0.0 && b.1 > 0.0)
        .then(|| (b.1 / a.1).ln() / (b.0 / a.0).ln())
}

const COLORS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
];

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> Result<()> {
    let pts: Vec<(f64, f64)> = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|&(x, y)| x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite())
        .collect();
    if pts.is_empty() {
        area.titled(&format!("{}: no data", p.title), ("sans-serif", 16))
            .map_err(perr)?;
        return Ok(());
    }
    let fold = |f: fn(f64, f64) -> f64, init: f64, sel: fn(&(f64, f64)) -> f64| {
        pts.iter().map(sel).fold(init, f)
    };
    let (xlo, xhi) = (
        fold(f64::min, f64::INFINITY, |p| p.0),
        fold(f64::max, 0.0, |p| p.0),
    );
    let (ylo, yhi) = (
        fold(f64::min, f64::INFINITY, |p| p.1),
        fold(f64::max, 0.0, |p| p.1),
    );
    let xs: Vec<f64> = {
        let mut v: Vec<f64> = pts.iter().map(|p| p.0).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(65)
        .build_cartesian_2d(
            (xlo / 1.3..xhi * 1.3).log_scale(),
            (ylo / 2.0..yhi * 2.0).log_scale(),
        )
        .map_err(perr)?;
    chart
        .configure_mesh()
        .x_desc(p.x_desc.as_str())
        .y_desc(p.y_desc.as_str())
        .label_style(("sans-serif", 12))
        .light_line_style(TRANSPARENT)
        .x_labels(40)
        .x_label_formatter(&|v| {
            if xs.iter().any(|&w| (w - v).abs() < 1e-3 * v.abs()) {
                format!("{v}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()
        .map_err(perr)?;
    for (i, s) in p.series.iter().enumerate() {
        let col = COLORS[i % COLORS.len()];
        let sp: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|&(x, y)| x > 0.0 && y > 0.0)
            .collect();
        if sp.is_empty() {
            continue;
        }
        let label = match loglog_slope(&sp) {
            Some(k) => format!("{} (slope {k:.2})", s.label),
            None => s.label.clone(),
        };
        chart
            .draw_series(LineSeries::new(sp.clone(), col.stroke_width(2)))
            .map_err(perr)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], col.stroke_width(2)));
        chart
            .draw_series(sp.iter().map(|&q| Circle::new(q, 4, col.filled())))
            .map_err(perr)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(perr)?;
    Ok(())
}

impl Figure for Scaling {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let areas = root.split_evenly((2, 2));
        for (area, panel) in areas.iter().zip(&self.panels) {
            draw_panel(area, panel)?;
        }
        Ok(())
    }
}

//! Figures (plotters, PNG and SVG from the same drawing code; the font is embedded so that a
//! machine without system fonts draws the same picture). Files are written atomically: drawn to
//! a temporary name in the same directory, then renamed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Registers the embedded DejaVu Sans as "sans-serif" (once per process).
fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes);
    });
}

/// Something that can draw itself on any plotters backend.
pub trait Figure {
    /// Draws onto `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Converts a plotters error into anyhow.
pub fn perr<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("plotting failed: {e:?}")
}

fn tmp_for(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("fig");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("png");
    path.with_file_name(format!(".{name}.{}.tmp.{ext}", std::process::id()))
}

/// Writes `<stem>.png` and `<stem>.svg`.
pub fn save_figure(fig: &impl Figure, stem: &Path, size: (u32, u32)) -> Result<()> {
    register_fonts();
    if let Some(dir) = stem.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let png = stem.with_extension("png");
    let tmp = tmp_for(&png);
    {
        let root = BitMapBackend::new(&tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        fig.draw(&root)?;
        root.present().map_err(perr)?;
    }
    std::fs::rename(&tmp, &png).with_context(|| format!("writing {}", png.display()))?;
    let svg = stem.with_extension("svg");
    let tmp = tmp_for(&svg);
    {
        let root = SVGBackend::new(&tmp, size).into_drawing_area();
        root.fill(&WHITE).map_err(perr)?;
        fig.draw(&root)?;
        root.present().map_err(perr)?;
    }
    std::fs::rename(&tmp, &svg).with_context(|| format!("writing {}", svg.display()))?;
    Ok(())
}

//! Input validation: shapes, finiteness, symmetry, parameters.

use faer::{MatRef, Par};
use rayon::prelude::*;

use crate::GpError;

/// Checks `m` has shape rows x cols.
pub(crate) fn shape(
    what: &'static str,
    m: MatRef<'_, f64>,
    rows: usize,
    cols: usize,
) -> Result<(), GpError> {
    if m.nrows() != rows || m.ncols() != cols {
        return Err(GpError::ShapeMismatch {
            what,
            found_rows: m.nrows(),
            found_cols: m.ncols(),
            expected: format!("{rows} x {cols}"),
        });
    }
    Ok(())
}

/// Column `j` of `m` as a slice, when its rows are contiguous.
fn col(m: MatRef<'_, f64>, j: usize) -> Option<&[f64]> {
    m.col(j).try_as_col_major().map(|c| c.as_slice())
}

/// Per-column statistics of a matrix whose entries are all finite.
pub(crate) struct ColumnStats {
    /// `sum_i |m_ij|` for every column j.
    pub(crate) abs_sums: Vec<f64>,
    /// The largest `|m_ij|`.
    pub(crate) max_abs: f64,
}

/// `(finite, sum |x|, max |x|)` of a slice: `x - x` is 0 for finite `x` and NaN otherwise;
/// eight independent accumulators so that the loop vectorises.
#[allow(clippy::eq_op)] // x - x is the point: NaN exactly when x is not finite
fn slice_stats(c: &[f64]) -> (bool, f64, f64) {
    let (mut fin, mut sum, mut max) = ([0.0f64; 8], [0.0f64; 8], [0.0f64; 8]);
    let mut chunks = c.chunks_exact(8);
    for ch in &mut chunks {
        for l in 0..8 {
            let x = ch[l];
            fin[l] += x - x;
            let v = x.abs();
            sum[l] += v;
            max[l] = if v > max[l] { v } else { max[l] };
        }
    }
    let (mut f, mut s, mut m) = (0.0f64, 0.0f64, 0.0f64);
    for &x in chunks.remainder() {
        f += x - x;
        s += x.abs();
        m = m.max(x.abs());
    }
    let f = fin.iter().sum::<f64>() + f;
    let s = sum.iter().sum::<f64>() + s;
    let m = max.iter().fold(m, |a, &b| a.max(b));
    (f == 0.0, s, m)
}

/// `(finite, sum |m_ij|, max |m_ij|)` of column `j`.
fn column_stats(m: MatRef<'_, f64>, j: usize) -> (bool, f64, f64) {
    match col(m, j) {
        Some(c) => slice_stats(c),
        None => {
            let c: Vec<f64> = (0..m.nrows()).map(|i| m[(i, j)]).collect();
            slice_stats(&c)
        }
    }
}

/// Checks every entry is finite (the error names the first offending entry in column-major
/// order) and returns the column statistics; columns are scanned in parallel unless `par` is
/// `Par::Seq`.
pub(crate) fn finite_stats(
    what: &'static str,
    m: MatRef<'_, f64>,
    par: Par,
) -> Result<ColumnStats, GpError> {
    let stats: Vec<(bool, f64, f64)> = match par {
        Par::Seq => (0..m.ncols()).map(|j| column_stats(m, j)).collect(),
        Par::Rayon(_) => (0..m.ncols())
            .into_par_iter()
            .with_min_len(16)
            .map(|j| column_stats(m, j))
            .collect(),
    };
    if let Some(j) = stats.iter().position(|s| !s.0) {
        if let Some((i, value)) = (0..m.nrows())
            .map(|i| (i, m[(i, j)]))
            .find(|(_, x)| !x.is_finite())
        {
            return Err(GpError::NonFinite {
                what,
                row: i,
                col: j,
                value,
            });
        }
    }
    Ok(ColumnStats {
        max_abs: stats.iter().fold(0.0, |a, s| a.max(s.2)),
        abs_sums: stats.into_iter().map(|s| s.1).collect(),
    })
}

/// Checks every entry is finite; the error names the first offending entry in column-major
/// order.
pub(crate) fn finite(what: &'static str, m: MatRef<'_, f64>, par: Par) -> Result<(), GpError> {
    finite_stats(what, m, par).map(|_| ())
}

/// Checks a vector has length `len` and finite entries.
pub(crate) fn vector(what: &'static str, v: &[f64], len: usize) -> Result<(), GpError> {
    if v.len() != len {
        return Err(GpError::ShapeMismatch {
            what,
            found_rows: v.len(),
            found_cols: 1,
            expected: format!("{len} x 1"),
        });
    }
    if let Some((i, &value)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(GpError::NonFinite {
            what,
            row: i,
            col: 0,
            value,
        });
    }
    Ok(())
}

/// Relative symmetry tolerance: kernels computed entry by entry may differ from their transpose
/// by rounding (a few ulps); 1e-8 of the largest entry leaves ample room for that while catching
/// a wrong matrix (e.g. I(X, X) passed as Sigma(X, X)).
pub(crate) const SYMMETRY_TOL: f64 = 1e-8;

/// Checks a square matrix, known to be finite with largest entry `max_abs`, is symmetric up to
/// [`SYMMETRY_TOL`] `max_abs`; the error names the first offending entry below the diagonal in
/// column-major order.
///
/// The comparison walks 64 x 64 tiles of the lower triangle against the matching tiles of the
/// upper one, so both stay in cache (an entry-by-entry walk of `m[(j, i)]` misses the cache on
/// every read for large matrices); tile columns are checked in parallel unless `par` is
/// `Par::Seq`.
pub(crate) fn symmetric(
    what: &'static str,
    m: MatRef<'_, f64>,
    max_abs: f64,
    par: Par,
) -> Result<(), GpError> {
    const TILE: usize = 64;
    let n = m.nrows();
    let tol = SYMMETRY_TOL * max_abs;
    // The first offending (col, row) over the tiles of the tile column starting at j0.
    let tile_column = |j0: usize| {
        let j1 = (j0 + TILE).min(n);
        let mut first: Option<(usize, usize)> = None;
        for i0 in (j0..n).step_by(TILE) {
            let i1 = (i0 + TILE).min(n);
            'tile: for j in j0..j1 {
                for i in i0.max(j + 1)..i1 {
                    if (m[(i, j)] - m[(j, i)]).abs() > tol {
                        if first.is_none_or(|f| (j, i) < f) {
                            first = Some((j, i));
                        }
                        break 'tile;
                    }
                }
            }
        }
        first
    };
    let starts = (0..n).step_by(TILE);
    let first = match par {
        Par::Seq => starts.map(tile_column).find(Option::is_some).flatten(),
        Par::Rayon(_) => starts
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(tile_column)
            .find_first(Option::is_some)
            .flatten(),
    };
    match first {
        Some((col, row)) => Err(GpError::NotSymmetric { what, row, col }),
        None => Ok(()),
    }
}

/// Checks the test-test block: N x N or N x 1 (diagonal only). Returns whether it is full.
pub(crate) fn test_test(m: MatRef<'_, f64>, n: usize, par: Par) -> Result<bool, GpError> {
    let what = "Sigma(x, x) (sigma_test_test)";
    if m.nrows() == n && m.ncols() == n {
        let stats = finite_stats(what, m, par)?;
        symmetric(what, m, stats.max_abs, par)?;
        Ok(true)
    } else if m.nrows() == n && m.ncols() == 1 {
        finite(what, m, par)?;
        Ok(false)
    } else {
        Err(GpError::ShapeMismatch {
            what,
            found_rows: m.nrows(),
            found_cols: m.ncols(),
            expected: format!("{n} x {n} (full) or {n} x 1 (diagonal only)"),
        })
    }
}

/// Checks a learning rate.
pub(crate) fn eta(value: f64) -> Result<(), GpError> {
    if !(value.is_finite() && value > 0.0) {
        return Err(GpError::InvalidParameter {
            name: "eta",
            value,
            reason: "the learning rate must be finite and > 0",
        });
    }
    Ok(())
}

//! Input validation: shapes, finiteness, symmetry, parameters.

use faer::MatRef;

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

/// Whether every entry of `c` is finite: `x - x` is 0 for finite `x` and NaN otherwise; eight
/// independent sums so that the loop vectorises.
#[allow(clippy::eq_op)] // x - x is the point: NaN exactly when x is not finite
fn all_finite(c: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let mut chunks = c.chunks_exact(8);
    for ch in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(ch) {
            *a += x - x;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|&x| x - x).sum();
    acc.iter().sum::<f64>() + tail == 0.0
}

/// The largest `|m_ij|` (eight independent maxima so that the loop vectorises).
fn max_abs(m: MatRef<'_, f64>) -> f64 {
    let mut best = 0.0f64;
    for j in 0..m.ncols() {
        match col(m, j) {
            Some(c) => {
                let mut acc = [0.0f64; 8];
                let mut chunks = c.chunks_exact(8);
                for ch in &mut chunks {
                    for (a, &x) in acc.iter_mut().zip(ch) {
                        let v = x.abs();
                        *a = if v > *a { v } else { *a };
                    }
                }
                for &x in chunks.remainder() {
                    best = best.max(x.abs());
                }
                best = acc.iter().fold(best, |b, &a| b.max(a));
            }
            None => {
                for i in 0..m.nrows() {
                    best = best.max(m[(i, j)].abs());
                }
            }
        }
    }
    best
}

/// Checks every entry is finite; the error names the first offending entry in column-major
/// order.
pub(crate) fn finite(what: &'static str, m: MatRef<'_, f64>) -> Result<(), GpError> {
    for j in 0..m.ncols() {
        if col(m, j).is_some_and(all_finite) {
            continue;
        }
        for i in 0..m.nrows() {
            let value = m[(i, j)];
            if !value.is_finite() {
                return Err(GpError::NonFinite {
                    what,
                    row: i,
                    col: j,
                    value,
                });
            }
        }
    }
    Ok(())
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

/// Checks a square matrix is symmetric up to [`SYMMETRY_TOL`] relative to its largest entry;
/// the error names the first offending entry below the diagonal in column-major order.
///
/// The comparison walks 64 x 64 tiles of the lower triangle against the matching tiles of the
/// upper one, so both stay in cache (an entry-by-entry walk of `m[(j, i)]` misses the cache on
/// every read for large matrices).
pub(crate) fn symmetric(what: &'static str, m: MatRef<'_, f64>) -> Result<(), GpError> {
    const TILE: usize = 64;
    let n = m.nrows();
    let tol = SYMMETRY_TOL * max_abs(m);
    for j0 in (0..n).step_by(TILE) {
        let j1 = (j0 + TILE).min(n);
        // The first offending (col, row) over the tiles of this tile column.
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
        if let Some((col, row)) = first {
            return Err(GpError::NotSymmetric { what, row, col });
        }
    }
    Ok(())
}

/// Checks the test-test block: N x N or N x 1 (diagonal only). Returns whether it is full.
pub(crate) fn test_test(m: MatRef<'_, f64>, n: usize) -> Result<bool, GpError> {
    let what = "Sigma(x, x) (sigma_test_test)";
    if m.nrows() == n && m.ncols() == n {
        finite(what, m)?;
        symmetric(what, m)?;
        Ok(true)
    } else if m.nrows() == n && m.ncols() == 1 {
        finite(what, m)?;
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

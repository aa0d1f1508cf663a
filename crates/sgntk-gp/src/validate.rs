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

/// Checks every entry is finite.
pub(crate) fn finite(what: &'static str, m: MatRef<'_, f64>) -> Result<(), GpError> {
    for j in 0..m.ncols() {
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

/// Checks a square matrix is symmetric up to [`SYMMETRY_TOL`] relative to its largest entry.
pub(crate) fn symmetric(what: &'static str, m: MatRef<'_, f64>) -> Result<(), GpError> {
    let n = m.nrows();
    let mut scale = 0.0_f64;
    for j in 0..n {
        for i in 0..n {
            scale = scale.max(m[(i, j)].abs());
        }
    }
    for j in 0..n {
        for i in (j + 1)..n {
            if (m[(i, j)] - m[(j, i)]).abs() > SYMMETRY_TOL * scale {
                return Err(GpError::NotSymmetric {
                    what,
                    row: i,
                    col: j,
                });
            }
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

//! Reading point sets from CSV and writing matrices to CSV or NumPy `.npy`, atomically.
//!
//! Input: one point per line, comma-separated numbers, optionally a header line first (a first
//! line with any non-numeric cell), blank lines ignored. Every problem is reported as
//! `FILE:LINE: problem`.
//!
//! Output: CSV with every number in Rust's shortest round-trip form (`{:?}` of `f64`, which
//! parses back to the identical value), or `.npy` (little-endian f64, C order). Files are
//! written to a temporary file in the target directory and renamed into place, so a failed
//! run leaves no partial output.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use faer::Mat;
use npyz::WriterBuilder;

use super::CliError;

/// Reads an `N x d` matrix of points from a CSV file.
pub fn read_points(path: &Path) -> Result<Mat<f64>, CliError> {
    let shown = path.display();
    let text = fs::read(path).map_err(|e| CliError::usage(format!("{shown}: cannot read: {e}")))?;
    let text = String::from_utf8(text)
        .map_err(|_| CliError::usage(format!("{shown}: not a UTF-8 text file")))?;
    parse_points(&text, &shown.to_string())
}

/// Parses CSV text (see the module docs); `name` is used in error messages.
pub fn parse_points(text: &str, name: &str) -> Result<Mat<f64>, CliError> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut first_line = true;
    for (idx, raw) in text.lines().enumerate() {
        let lineno = idx + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed: Vec<Result<f64, _>> = cells.iter().map(|c| c.parse::<f64>()).collect();
        let is_first = std::mem::replace(&mut first_line, false);
        if let Some(pos) = parsed.iter().position(Result::is_err) {
            if is_first {
                continue; // a header line
            }
            let cell = cells[pos];
            let what = if cell.is_empty() {
                "empty cell".to_string()
            } else {
                format!("`{cell}` is not a number")
            };
            return Err(CliError::usage(format!(
                "{name}:{lineno}: column {}: {what}",
                pos + 1
            )));
        }
        let row: Vec<f64> = parsed.into_iter().map(|r| r.expect("checked")).collect();
        if let Some(pos) = row.iter().position(|v| !v.is_finite()) {
            return Err(CliError::usage(format!(
                "{name}:{lineno}: column {}: non-finite value `{}`",
                pos + 1,
                cells[pos]
            )));
        }
        if let Some(first) = rows.first() {
            if row.len() != first.len() {
                return Err(CliError::usage(format!(
                    "{name}:{lineno}: ragged row: expected {} values (as in the first data row), found {}",
                    first.len(),
                    row.len()
                )));
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(CliError::usage(format!("{name}: no data rows")));
    }
    let d = rows[0].len();
    Ok(Mat::from_fn(rows.len(), d, |i, j| rows[i][j]))
}

/// The CSV text of a matrix (rows on lines, shortest round-trip numbers).
pub fn csv_text(m: &Mat<f64>) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(m.nrows() * m.ncols() * 20);
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            if j > 0 {
                s.push(',');
            }
            write!(s, "{:?}", m[(i, j)]).expect("writing to a String");
        }
        s.push('\n');
    }
    s
}

fn npy_bytes(m: &Mat<f64>) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(m.nrows() * m.ncols() * 8 + 128);
    let mut w = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&[m.nrows() as u64, m.ncols() as u64])
        .writer(&mut buf)
        .begin_nd()?;
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            w.push(&m[(i, j)])?;
        }
    }
    w.finish()?;
    Ok(buf)
}

/// Writes `bytes` to `path` atomically: a temporary file next to it, then a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| CliError::usage(format!("{shown}: not a file path")))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let f = fs::File::create(&tmp)?;
        let mut w = BufWriter::new(f);
        w.write_all(bytes)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        CliError::output(format!("{shown}: cannot write: {e}"))
    })
}

/// Writes `text` to `out` atomically, or to stdout when `out` is `None`.
pub fn write_text(text: &str, out: Option<&Path>) -> Result<(), CliError> {
    match out {
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes())
                .and_then(|()| lock.flush())
                .map_err(|e| CliError::output(format!("stdout: {e}")))
        }
        Some(path) => write_atomic(path, text.as_bytes()),
    }
}

/// Writes the matrix to `out` (`.npy` by extension, CSV otherwise) or to stdout as CSV.
pub fn write_matrix(m: &Mat<f64>, out: Option<&Path>) -> Result<(), CliError> {
    match out {
        None => {
            let text = csv_text(m);
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes())
                .and_then(|()| lock.flush())
                .map_err(|e| CliError::output(format!("stdout: {e}")))
        }
        Some(path) => {
            let is_npy = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
            let bytes = if is_npy {
                npy_bytes(m).map_err(|e| CliError::output(format!("{}: {e}", path.display())))?
            } else {
                csv_text(m).into_bytes()
            };
            write_atomic(path, &bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_blank_lines_and_round_trip() {
        let m = parse_points("x,y\n1,2\n\n0.1, -3e-7\n", "f.csv").unwrap();
        assert_eq!((m.nrows(), m.ncols()), (2, 2));
        let back = parse_points(&csv_text(&m), "g").unwrap();
        for i in 0..2 {
            for j in 0..2 {
                assert_eq!(back[(i, j)].to_bits(), m[(i, j)].to_bits());
            }
        }
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let e = parse_points("1,2\n3\n", "a.csv").unwrap_err().message;
        assert!(e.starts_with("a.csv:2: ragged row"), "{e}");
        let e = parse_points("1,2\n3,x\n", "a.csv").unwrap_err().message;
        assert!(
            e.starts_with("a.csv:2: column 2: `x` is not a number"),
            "{e}"
        );
        let e = parse_points("h1,h2\n", "a.csv").unwrap_err().message;
        assert_eq!(e, "a.csv: no data rows");
        let e = parse_points("1,nan\n", "a.csv").unwrap_err().message;
        assert!(e.contains("a.csv:1: column 2: non-finite"), "{e}");
        let e = parse_points("1,2\n3,\n", "a.csv").unwrap_err().message;
        assert!(e.contains("a.csv:2: column 2: empty cell"), "{e}");
    }
}

//! Output files: atomic writes (temporary file in the same directory, then rename) and CSV.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` atomically: a reader sees either the old file or the whole new one,
/// never a partial write (the rename is atomic on POSIX file systems).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut f =
            fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("writing {}", tmp.display()))?;
        f.sync_all().ok();
    }
    fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

/// A CSV table: a header and rows of numbers, printed in shortest round-trip form.
pub fn csv_string(header: &[&str], rows: impl IntoIterator<Item = Vec<f64>>) -> String {
    let mut s = String::new();
    if !header.is_empty() {
        s.push_str(&header.join(","));
        s.push('\n');
    }
    for row in rows {
        push_row(&mut s, &row);
    }
    s
}

/// Appends one comma-separated row (shortest round-trip float form) and a newline.
pub fn push_row(s: &mut String, row: &[f64]) {
    for (j, v) in row.iter().enumerate() {
        if j > 0 {
            s.push(',');
        }
        write!(s, "{v}").expect("writing to a String cannot fail");
    }
    s.push('\n');
}

/// Reads a CSV of numbers written by [`csv_string`] (skipping a header line if present).
pub fn read_csv(path: &Path) -> Result<Vec<Vec<f64>>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: std::result::Result<Vec<f64>, _> =
            line.split(',').map(|c| c.trim().parse::<f64>()).collect();
        match parsed {
            Ok(r) => rows.push(r),
            Err(_) if i == 0 => continue, // header
            Err(e) => anyhow::bail!("{}:{}: {e}", path.display(), i + 1),
        }
    }
    Ok(rows)
}

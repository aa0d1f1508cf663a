//! End-to-end tests of `sgntk kernel`: the built binary is run on files in a scratch
//! directory. The binary is looked up next to this test's executable (`target/<profile>/sgntk`)
//! and built with cargo first if it is not there (integration tests of another package do not
//! get `CARGO_BIN_EXE_sgntk`).

use std::path::Path;

mod common;

use common::{run, scratch, stderr};
use faer::Mat;
use sgntk::kernel::{Architecture, KernelKind};

fn parse_csv(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect()
}

const X1: &str = "x,y\n1,0\n0,1\n0.6,0.8\n-0.3,0.2\n";
const X2: &str = "2,0.5\n-1.5,1\n";

fn mat(rows: &[[f64; 2]]) -> Mat<f64> {
    Mat::from_fn(rows.len(), 2, |i, j| rows[i][j])
}

fn x1() -> Mat<f64> {
    mat(&[[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [-0.3, 0.2]])
}

fn x2() -> Mat<f64> {
    mat(&[[2.0, 0.5], [-1.5, 1.0]])
}

#[test]
fn csv_to_stdout_round_trips_the_library_result() {
    let d = scratch("stdout");
    std::fs::write(d.join("x1.csv"), X1).unwrap();
    std::fs::write(d.join("x2.csv"), X2).unwrap();
    let o = run(
        &[
            "kernel",
            "--kernel",
            "sgntk",
            "--activation",
            "sign",
            "--surrogate",
            "erf:1",
            "--depth",
            "2",
            "--sigma-w",
            "1",
            "--sigma-b",
            "0.1",
            "--x1",
            "x1.csv",
            "--x2",
            "x2.csv",
        ],
        &d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let got = parse_csv(&String::from_utf8(o.stdout).unwrap());
    let a = Architecture::new(
        2,
        2,
        1.0,
        0.1,
        "sign".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap();
    let want = a
        .kernel(KernelKind::SgNtk, x1().as_ref(), x2().as_ref())
        .unwrap();
    assert_eq!((got.len(), got[0].len()), (4, 2));
    for i in 0..4 {
        for j in 0..2 {
            // Shortest round-trip printing: the parsed number is the identical f64.
            assert_eq!(got[i][j].to_bits(), want[(i, j)].to_bits(), "({i},{j})");
        }
    }
    // X2 defaults to X1, and the SG-NTK is not symmetrised: swapping the files transposes
    // nothing (norms differ here).
    let o = run(
        &[
            "kernel", "--kernel", "sgntk", "--x1", "x2.csv", "--x2", "x1.csv",
        ],
        &d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let swapped = parse_csv(&String::from_utf8(o.stdout).unwrap());
    let asym = (0..4)
        .flat_map(|i| (0..2).map(move |j| (i, j)))
        .map(|(i, j)| (swapped[j][i] - got[i][j]).abs())
        .fold(0.0, f64::max);
    assert!(asym > 1e-3, "SG-NTK looked symmetric: {asym}");
    let o = run(&["kernel", "--kernel", "nngp", "--x1", "x1.csv"], &d);
    assert!(o.status.success(), "{}", stderr(&o));
    let sq = parse_csv(&String::from_utf8(o.stdout).unwrap());
    assert_eq!((sq.len(), sq[0].len()), (4, 4));
    let _ = std::fs::remove_dir_all(&d);
}

/// Reads a version-1 `.npy` file of little-endian f64 in C order.
fn read_npy(path: &Path) -> (Vec<usize>, Vec<f64>) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..6], b"\x93NUMPY");
    let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
    let header = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
    assert!(header.contains("'descr': '<f8'"), "{header}");
    assert!(header.contains("'fortran_order': False"), "{header}");
    let shape_txt = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let shape: Vec<usize> = shape_txt
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let data = b[10 + hlen..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    (shape, data)
}

#[test]
fn npy_output_is_c_order_f64() {
    let d = scratch("npy");
    std::fs::write(d.join("x1.csv"), X1).unwrap();
    std::fs::write(d.join("x2.csv"), X2).unwrap();
    let o = run(
        &[
            "kernel",
            "--kernel",
            "ntk",
            "--activation",
            "erf:3",
            "--depth",
            "3",
            "--kappa",
            "0.2",
            "--x1",
            "x1.csv",
            "--x2",
            "x2.csv",
            "--out",
            "k.npy",
        ],
        &d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let (shape, data) = read_npy(&d.join("k.npy"));
    assert_eq!(shape, vec![4, 2]);
    let a = Architecture::new(
        2,
        3,
        1.0,
        0.1,
        "erf:3".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap()
    .with_kappa(0.2)
    .unwrap();
    let want = a
        .kernel(KernelKind::Ntk, x1().as_ref(), x2().as_ref())
        .unwrap();
    for i in 0..4 {
        for j in 0..2 {
            assert_eq!(data[i * 2 + j].to_bits(), want[(i, j)].to_bits());
        }
    }
    // Only the output file is left behind (no temporary files).
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let _ = std::fs::remove_dir_all(&d);
}

/// Bad input: exit code 2, one line on stderr naming the file, the line and the problem, and
/// the output file untouched.
#[test]
fn bad_input_fails_cleanly_with_exit_code_2() {
    let d = scratch("errors");
    std::fs::write(d.join("good.csv"), X1).unwrap();
    std::fs::write(d.join("ragged.csv"), "1,2\n3,4\n5\n").unwrap();
    std::fs::write(d.join("text.csv"), "a,b\n1,2\n3,abc\n").unwrap();
    std::fs::write(d.join("three.csv"), "1,2,3\n").unwrap();
    std::fs::write(d.join("empty.csv"), "").unwrap();
    std::fs::write(d.join("out.csv"), "previous contents\n").unwrap();
    let base = ["kernel", "--out", "out.csv"];
    let cases: Vec<(Vec<&str>, &[&str])> = vec![
        (
            vec!["--x1", "ragged.csv"],
            &["ragged.csv:3:", "ragged row", "expected 2"],
        ),
        (
            vec!["--x1", "text.csv"],
            &["text.csv:3:", "column 2", "`abc` is not a number"],
        ),
        (vec!["--x1", "missing.csv"], &["missing.csv", "cannot read"]),
        (vec!["--x1", "empty.csv"], &["empty.csv", "no data rows"]),
        (
            vec!["--x1", "good.csv", "--x2", "three.csv"],
            &["three.csv", "3 coordinates"],
        ),
        (
            vec!["--x1", "good.csv", "--activation", "softplus"],
            &["softplus", "unknown activation"],
        ),
        (vec!["--x1", "good.csv", "--sigma-w", "-1"], &["sigma_w"]),
        (vec!["--x1", "good.csv", "--depth", "0"], &["depth"]),
        (vec!["--x1", "good.csv", "--kappa", "0"], &["kappa"]),
        // The plain NTK of a sign network does not exist on the diagonal.
        (
            vec!["--x1", "good.csv", "--kernel", "ntk"],
            &["diverges at entry (0, 0)"],
        ),
    ];
    for (extra, needles) in cases {
        let mut args: Vec<&str> = base.to_vec();
        if !extra.contains(&"--kernel") {
            args.extend(["--kernel", "sgntk"]);
        }
        args.extend(&extra);
        let o = run(&args, &d);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{extra:?}: `{n}` not in {err}");
        }
        if !err.contains("For more information") {
            // Our own errors are exactly one line (clap's usage errors add a hint line).
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        }
        assert_eq!(
            std::fs::read_to_string(d.join("out.csv")).unwrap(),
            "previous contents\n",
            "{extra:?} touched the output"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn help_explains_every_flag_with_examples() {
    let d = scratch("help");
    let o = run(&["kernel", "--help"], &d);
    assert!(o.status.success());
    let h = String::from_utf8(o.stdout).unwrap();
    for flag in [
        "--kernel",
        "--activation",
        "--surrogate",
        "--depth",
        "--sigma-w",
        "--sigma-b",
        "--kappa",
        "--x1",
        "--x2",
        "--out",
        "Example",
        "sgntk kernel --kernel",
    ] {
        assert!(h.contains(flag), "`{flag}` missing from help:\n{h}");
    }
    let o = run(&["--help"], &d);
    assert!(o.status.success());
    let h = String::from_utf8(o.stdout).unwrap();
    assert!(h.contains("kernel") && h.contains("Examples"), "{h}");
    let _ = std::fs::remove_dir_all(&d);
}

//! `sgntk-kernel` against independent implementations (fixtures in
//! `crates/sgntk-kernel/test_data/`, each next to the script that made it):
//!
//! - `nt_*.csv`: neural-tangents 0.6.5 `stax` kernel_fn in float64 (`make_nt_fixtures.py`):
//!   NNGP and NTK of erf(m) networks, NNGP of sign networks.
//! - `sg_*.csv`: the SG-NTK recursion with every expectation done by mpmath quadrature at 25
//!   digits (`make_sgntk_fixtures.py`), no closed form involved.

use std::path::PathBuf;

use faer::Mat;
use sgntk::kernel::{Architecture, KernelKind};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/sgntk-kernel/test_data")
        .join(name)
}

fn load(name: &str) -> Mat<f64> {
    let text = std::fs::read_to_string(data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|c| c.trim().parse().unwrap()).collect())
        .collect();
    Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j])
}

/// Rows 0, 10, ..., 90 of the 100-point circle grid (the rows stored in the circle fixtures).
fn every_tenth(x: &Mat<f64>) -> Mat<f64> {
    Mat::from_fn(10, x.ncols(), |i, j| x[(10 * i, j)])
}

fn arch(act: &str, sur: &str, sw: f64, sb: f64, kappa: f64, dim: usize) -> Architecture {
    Architecture::new(dim, 2, sw, sb, act.parse().unwrap(), sur.parse().unwrap())
        .unwrap()
        .with_kappa(kappa)
        .unwrap()
}

/// Largest relative deviation `|a - b| / max(|b|, 1e-3 max|b|)` (the floor keeps entries near
/// zero from dominating; they are compared absolutely at 1e-3 of the matrix scale).
fn max_rel(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    assert_eq!((a.nrows(), a.ncols()), (b.nrows(), b.ncols()));
    let scale = (0..b.nrows())
        .flat_map(|i| (0..b.ncols()).map(move |j| (i, j)))
        .map(|(i, j)| b[(i, j)].abs())
        .fold(0.0, f64::max);
    let mut worst: f64 = 0.0;
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            let d = (a[(i, j)] - b[(i, j)]).abs() / b[(i, j)].abs().max(1e-3 * scale);
            worst = worst.max(d);
        }
    }
    worst
}

/// neural-tangents evaluates the same closed forms in float64 in a different order: agreement
/// to ~1e-15 per step; the erf(20) NTK multiplies by Sdot ~ 20 per layer, so allow 1e-12.
const NT_TOL: f64 = 1e-12;
/// mpmath at 25 digits, rounded to f64 once: the reference is exact to ~1 ulp; our closed forms
/// add a few ulps per layer (asin's conditioning on the grid is mild: |rho| <= 0.999).
const MP_TOL: f64 = 1e-12;

#[test]
fn circle_grid_matches_neural_tangents() {
    let x = load("points_circle.csv");
    let rows = every_tenth(&x);
    for m in [2, 5, 20] {
        let a = arch(&format!("erf:{m}"), "erf:1", 1.0, 0.1, 1.0, 2);
        let (nngp, ntk) = a
            .nngp_and(KernelKind::Ntk, rows.as_ref(), x.as_ref())
            .unwrap();
        let e = max_rel(&nngp, &load(&format!("nt_circle_erf{m}_nngp.csv")));
        eprintln!("erf:{m} nngp: {e:e}");
        assert!(e < NT_TOL, "erf:{m} nngp: {e:e}");
        let e = max_rel(&ntk, &load(&format!("nt_circle_erf{m}_ntk.csv")));
        eprintln!("erf:{m} ntk: {e:e}");
        assert!(e < NT_TOL, "erf:{m} ntk: {e:e}");
    }
    let a = arch("sign", "erf:1", 1.0, 0.1, 1.0, 2);
    let k = a
        .kernel(KernelKind::Nngp, rows.as_ref(), x.as_ref())
        .unwrap();
    let e = max_rel(&k, &load("nt_circle_sign_nngp.csv"));
    eprintln!("sign nngp: {e:e}");
    assert!(e < NT_TOL, "sign nngp: {e:e}");
}

#[test]
fn general_architecture_matches_neural_tangents() {
    let (x1, x2) = (load("points_x1.csv"), load("points_x2.csv"));
    let a = arch("erf:3", "erf:1", 1.3, 0.4, 0.2, 3);
    let (nngp, ntk) = a
        .nngp_and(KernelKind::Ntk, x1.as_ref(), x2.as_ref())
        .unwrap();
    let e = max_rel(&nngp, &load("nt_x1x2_erf3_kappa0.2_nngp.csv"));
    eprintln!("nngp {e:e}");
    assert!(e < NT_TOL, "nngp {e:e}");
    let e = max_rel(&ntk, &load("nt_x1x2_erf3_kappa0.2_ntk.csv"));
    eprintln!("ntk {e:e}");
    assert!(e < NT_TOL, "ntk {e:e}");
    let a = arch("sign", "erf:1", 1.3, 0.4, 0.2, 3);
    let k = a
        .kernel(KernelKind::Nngp, x1.as_ref(), x2.as_ref())
        .unwrap();
    let e = max_rel(&k, &load("nt_x1x2_sign_kappa0.2_nngp.csv"));
    eprintln!("sign nngp {e:e}");
    assert!(e < NT_TOL, "sign nngp {e:e}");
}

#[test]
fn sgntk_matches_mpmath_recursion() {
    let x = load("points_circle.csv");
    let rows = every_tenth(&x);
    let a = arch("sign", "erf:1", 1.0, 0.1, 1.0, 2);
    let k = a
        .kernel(KernelKind::SgNtk, rows.as_ref(), x.as_ref())
        .unwrap();
    let e = max_rel(&k, &load("sg_circle_sign_erf1_sgntk.csv"));
    eprintln!("circle sgntk {e:e}");
    assert!(e < MP_TOL, "circle sgntk {e:e}");

    let (x1, x2) = (load("points_x1.csv"), load("points_x2.csv"));
    let cases = [
        (
            "sign",
            "erf:1",
            KernelKind::SgNtk,
            "sg_x1x2_sign_erf1_sgntk.csv",
            false,
        ),
        (
            "sign",
            "erf:1",
            KernelKind::SgNtk,
            "sg_x2x1_sign_erf1_sgntk.csv",
            true,
        ),
        (
            "sign",
            "identity",
            KernelKind::SgNtk,
            "sg_x1x2_sign_identity_sgntk.csv",
            false,
        ),
        (
            "erf:3",
            "erf:1",
            KernelKind::SgNtk,
            "sg_x1x2_erf3_erf1_sgntk.csv",
            false,
        ),
        (
            "sign",
            "erf:1",
            KernelKind::Surrogate,
            "sg_x1x2_sign_erf1_surrogate.csv",
            false,
        ),
    ];
    for (act, sur, kind, file, swapped) in cases {
        let a = arch(act, sur, 1.3, 0.4, 0.2, 3);
        let k = if swapped {
            a.kernel(kind, x2.as_ref(), x1.as_ref())
        } else {
            a.kernel(kind, x1.as_ref(), x2.as_ref())
        }
        .unwrap();
        let e = max_rel(&k, &load(file));
        eprintln!("{file}: max relative deviation {e:.1e}");
        assert!(e < MP_TOL, "{file}: {e:e}");
    }
}

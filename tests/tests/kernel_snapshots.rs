//! Snapshots (insta) of the paper's 100-point circle grid (SPEC section 6): inputs
//! x(alpha_i) = (sin alpha_i, cos alpha_i), alpha_i = 2 pi i / 100 - pi; 2 hidden layers,
//! sigma_w = 1, sigma_b = 0.1, kappa = 1. Each snapshot is the row of x_50 (alpha = 0) against
//! every fifth grid point, printed at 12 significant digits. The same values are cross-checked
//! against neural-tangents and an mpmath recursion in `kernel_fixtures.rs`; the snapshots guard
//! against silent changes.

use std::fmt::Write;

use faer::Mat;
use sgntk::kernel::{Architecture, KernelKind};

fn circle() -> Mat<f64> {
    Mat::from_fn(100, 2, |i, j| {
        let a = 2.0 * std::f64::consts::PI * i as f64 / 100.0 - std::f64::consts::PI;
        if j == 0 { a.sin() } else { a.cos() }
    })
}

fn row50(act: &str, sur: &str, kind: KernelKind) -> String {
    let x = circle();
    let a = Architecture::new(2, 2, 1.0, 0.1, act.parse().unwrap(), sur.parse().unwrap()).unwrap();
    let x50 = Mat::from_fn(1, 2, |_, j| x[(50, j)]);
    let k = a.kernel(kind, x50.as_ref(), x.as_ref()).unwrap();
    let mut s = format!("{kind} activation={act} surrogate={sur} depth=2 sigma_w=1 sigma_b=0.1\n");
    s.push_str("   i   alpha_i      K(x_50, x_i)\n");
    for i in (0..100).step_by(5) {
        let alpha = 2.0 * std::f64::consts::PI * i as f64 / 100.0 - std::f64::consts::PI;
        writeln!(s, "{i:>4} {alpha:>8.4} {:>20.11e}", k[(0, i)]).unwrap();
    }
    s
}

#[test]
fn nngp_sign() {
    insta::assert_snapshot!(row50("sign", "erf:1", KernelKind::Nngp));
}

#[test]
fn sgntk_sign_erf1() {
    insta::assert_snapshot!(row50("sign", "erf:1", KernelKind::SgNtk));
}

#[test]
fn ntk_erf2() {
    insta::assert_snapshot!(row50("erf:2", "erf:1", KernelKind::Ntk));
}

#[test]
fn ntk_erf5() {
    insta::assert_snapshot!(row50("erf:5", "erf:1", KernelKind::Ntk));
}

#[test]
fn ntk_erf20() {
    insta::assert_snapshot!(row50("erf:20", "erf:1", KernelKind::Ntk));
}

//! A small table of expectations at fixed precision (10 significant digits: inside the 1e-10
//! accuracy target, so that a last-digit flip of a correct value is unlikely), so that any change
//! of a value shows up in review (`cargo insta review`).

mod common;

use common::*;
use sgntk_gauss::{ActPair, Cov2, DerivPair, Method};

#[test]
fn table_of_values() {
    let covs = [(1.0, 1.0, 0.5), (2.0, 0.5, -0.9), (1.0, 1.0, 1.0)];
    let mut out = String::new();
    let acts = [
        ("sign", "sign"),
        ("step", "erf:1"),
        ("relu", "relu"),
        ("relu", "step"),
        ("identity", "erf:2"),
        ("tanh", "tanh"),
        ("tanh", "sign"),
    ];
    for (p, q) in acts {
        let pair = ActPair::new(&act(p), &act(q), Method::Auto);
        for &(a, b, c) in &covs {
            let v = pair.expect(&Cov2::new(a, b, c).unwrap()).unwrap();
            out += &format!("E[{p}(u) {q}(v)] a={a} b={b} c={c}: {v:.9e}\n");
        }
    }
    let ders = [
        ("sign'", "~erf:1"),
        ("sign'", "sign'"),
        ("step'", "~triangle:1"),
        ("sign'", "~boxcar:0.5"),
        ("sign'", "~piecewise-exp:1"),
        ("relu'", "~identity"),
        ("sign'", "~fast-sigmoid:25"),
        ("sign'", "~atan:2"),
        ("tanh'", "~sigmoid:4"),
    ];
    for (p, q) in ders {
        let pair = DerivPair::new(&deriv(p), &deriv(q), Method::Auto);
        for &(a, b, c) in &covs {
            let v = match pair.expect(&Cov2::new(a, b, c).unwrap()) {
                Ok(v) => format!("{v:.9e}"),
                Err(e) => format!("error: {e}"),
            };
            out += &format!("E[{p}(u) {q}(v)] a={a} b={b} c={c}: {v}\n");
        }
    }
    insta::assert_snapshot!(out);
}

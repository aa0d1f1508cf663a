#![allow(missing_docs)]
mod common;
use common::*;
use sgntk_gauss::*;
use std::time::Instant;
#[test]
fn timing() {
    let covs = [
        (1.0, 1.0, 0.3),
        (2.0, 0.5, -0.7),
        (1.0, 1.0, 0.999999),
        (1e4, 1.0, 50.0),
    ];
    let pairs_a = [("tanh", "tanh"), ("tanh", "sign"), ("tanh", "relu")];
    for (p, q) in pairs_a {
        let pr = ActPair::new(&act(p), &act(q), Method::Auto);
        for &(a, b, c) in &covs {
            let cov = Cov2::new(a, b, c).unwrap();
            let t = Instant::now();
            let n = 20;
            for _ in 0..n {
                std::hint::black_box(pr.expect(&cov).unwrap());
            }
            println!(
                "{p} x {q} {a} {b} {c}: {:.1} us",
                t.elapsed().as_secs_f64() / n as f64 * 1e6
            );
        }
    }
    let pairs_d = [
        ("sign'", "~fast-sigmoid:25"),
        ("~sigmoid:4", "~sigmoid:4"),
        ("tanh'", "~atan:2"),
        ("sign'", "~sigmoid:4"),
        ("~fast-sigmoid:25", "~fast-sigmoid:25"),
        ("tanh'", "tanh'"),
    ];
    for (p, q) in pairs_d {
        let pr = DerivPair::new(&deriv(p), &deriv(q), Method::Auto);
        for &(a, b, c) in &covs {
            let cov = Cov2::new(a, b, c).unwrap();
            let t = Instant::now();
            let n = 10;
            for _ in 0..n {
                std::hint::black_box(pr.expect(&cov).unwrap());
            }
            println!(
                "{p} x {q} {a} {b} {c}: {:.1} us",
                t.elapsed().as_secs_f64() / n as f64 * 1e6
            );
        }
    }
}

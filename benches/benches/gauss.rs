//! Criterion benchmarks of `sgntk-gauss`: the closed-form expectations of the kernel's inner
//! loop (ns per call, over a batch of 64 covariances) and the quadrature fallback (µs per call,
//! at representative covariances). Figures are recorded in `docs/benchmarks/gauss.md`.
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sgntk::gauss::{ActPair, Activation, Cov2, DerivPair, Derivative, Method, Surrogate};

/// 64 covariances spread over variances 0.1..10 and correlations -0.95..0.95 (deterministic).
fn covs() -> Vec<Cov2> {
    (0..64)
        .map(|i| {
            let t = i as f64 / 63.0;
            let a = 10f64.powf(-1.0 + 2.0 * t);
            let b = 10f64.powf(1.0 - 2.0 * ((i * 37) % 64) as f64 / 63.0);
            let rho = -0.95 + 1.9 * ((i * 11) % 64) as f64 / 63.0;
            Cov2::new(a, b, rho * (a * b).sqrt()).unwrap()
        })
        .collect()
}

fn act(s: &str) -> Activation {
    s.parse().unwrap()
}

fn surr(s: &str) -> Derivative {
    s.parse::<Surrogate>().unwrap().derivative()
}

fn closed_forms(c: &mut Criterion) {
    let covs = covs();
    let mut g = c.benchmark_group("gauss-closed");
    g.throughput(Throughput::Elements(covs.len() as u64));
    let erf1 = act("erf:1");
    let pairs_act = [
        ("erf1-erf1", ActPair::new(&erf1, &erf1, Method::Auto)),
        (
            "relu-relu",
            ActPair::new(&act("relu"), &act("relu"), Method::Auto),
        ),
    ];
    for (name, pair) in &pairs_act {
        assert!(pair.has_closed_form());
        g.bench_function(*name, |bch| {
            bch.iter(|| {
                let mut s = 0.0;
                for cov in &covs {
                    s += pair.expect(black_box(cov)).unwrap();
                }
                s
            })
        });
    }
    let pairs_der = [
        (
            "signd-erf1surr",
            DerivPair::new(&Activation::Sign.derivative(), &surr("erf:1"), Method::Auto),
        ),
        (
            "erf1d-erf1d",
            DerivPair::new(&erf1.derivative(), &erf1.derivative(), Method::Auto),
        ),
        (
            "signd-triangle1",
            DerivPair::new(
                &Activation::Sign.derivative(),
                &surr("triangle:1"),
                Method::Auto,
            ),
        ),
        (
            "signd-pwexp1",
            DerivPair::new(
                &Activation::Sign.derivative(),
                &surr("piecewise-exp:1"),
                Method::Auto,
            ),
        ),
    ];
    for (name, pair) in &pairs_der {
        assert!(pair.has_closed_form());
        g.bench_function(*name, |bch| {
            bch.iter(|| {
                let mut s = 0.0;
                for cov in &covs {
                    s += pair.expect(black_box(cov)).unwrap();
                }
                s
            })
        });
    }
    g.finish();
}

fn quadrature(c: &mut Criterion) {
    let mut g = c.benchmark_group("gauss-quad");
    let at = [
        ("r0.3", Cov2::new(1.0, 1.0, 0.3).unwrap()),
        ("r-0.7-a2-b0.5", Cov2::new(2.0, 0.5, -0.7).unwrap()),
        ("r0.999999", Cov2::new(1.0, 1.0, 0.999_999).unwrap()),
        ("a1e4-b1", Cov2::new(1e4, 1.0, 50.0).unwrap()),
        ("a100-b0.01-r0.9", Cov2::new(100.0, 0.01, 0.9).unwrap()),
        ("r0.95", Cov2::new(1.0, 1.0, 0.95).unwrap()),
        ("r0.99", Cov2::new(1.0, 1.0, 0.99).unwrap()),
    ];
    let tanh = act("tanh");
    let act_pairs = [("tanh-tanh", ActPair::new(&tanh, &tanh, Method::Auto))];
    for (name, pair) in &act_pairs {
        assert!(!pair.has_closed_form());
        for (cname, cov) in &at {
            g.bench_function(format!("{name}-{cname}"), |bch| {
                bch.iter(|| pair.expect(black_box(cov)).unwrap())
            });
        }
    }
    let der_pairs = [
        (
            "signd-fastsigmoid25",
            DerivPair::new(
                &Activation::Sign.derivative(),
                &surr("fast-sigmoid:25"),
                Method::Auto,
            ),
        ),
        (
            "sigmoid4-sigmoid4",
            DerivPair::new(&surr("sigmoid:4"), &surr("sigmoid:4"), Method::Auto),
        ),
        (
            "tanhd-atan2",
            DerivPair::new(&tanh.derivative(), &surr("atan:2"), Method::Auto),
        ),
        (
            "fastsigmoid25-fastsigmoid25",
            DerivPair::new(
                &surr("fast-sigmoid:25"),
                &surr("fast-sigmoid:25"),
                Method::Auto,
            ),
        ),
        // A triangle, piecewise-exp or atan factor inside: one outer integral over its
        // one-dimensional closed form (docs/gauss.md, section 4).
        (
            "fastsigmoid25-triangle1",
            DerivPair::new(&surr("fast-sigmoid:25"), &surr("triangle:1"), Method::Auto),
        ),
        (
            "tanhd-pwexp1",
            DerivPair::new(&tanh.derivative(), &surr("piecewise-exp:1"), Method::Auto),
        ),
        (
            "fastsigmoid25-atan2",
            DerivPair::new(&surr("fast-sigmoid:25"), &surr("atan:2"), Method::Auto),
        ),
        // snnTorch's sigmoid slope: the pole plans decline from `k tau/2 ~ 1.3` on, where the
        // moment expansion or the Fourier integral takes over (docs/gauss.md, section 4).
        (
            "sigmoid25-sigmoid25",
            DerivPair::new(&surr("sigmoid:25"), &surr("sigmoid:25"), Method::Auto),
        ),
    ];
    for (name, pair) in &der_pairs {
        assert!(!pair.has_closed_form());
        for (cname, cov) in &at {
            g.bench_function(format!("{name}-{cname}"), |bch| {
                bch.iter(|| pair.expect(black_box(cov)).unwrap())
            });
        }
    }
    // The closed forms evaluated by quadrature (what Method::Quadrature costs).
    let erf1 = act("erf:1");
    let q = ActPair::new(&erf1, &erf1, Method::Quadrature);
    g.bench_function("erf1-erf1-as-quadrature-r0.3", |bch| {
        bch.iter(|| q.expect(black_box(&at[0].1)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, closed_forms, quadrature);
criterion_main!(benches);

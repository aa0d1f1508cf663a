//! Empirical kernels: layerwise contraction vs explicit Jacobians, Jacobians vs finite
//! differences, and the SG-NTK as the first-order generator of the SGL dynamics.

use sgntk_sgl::{
    Dataset, EmpiricalKind, Network, NetworkSpec, Trainer, empirical_kernel, jacobian,
};

fn points(n: usize, offset: f64) -> Dataset {
    let x = (0..n)
        .flat_map(|i| {
            let t = 2.0 * std::f64::consts::PI * i as f64 / n as f64 + offset;
            [t.sin(), t.cos()]
        })
        .collect();
    Dataset::inputs_only(x, 2).unwrap()
}

fn spec(widths: Vec<usize>, act: &str, sur: &str) -> NetworkSpec {
    NetworkSpec::new(
        2,
        widths,
        1.2,
        0.3,
        act.parse().unwrap(),
        sur.parse().unwrap(),
    )
    .unwrap()
    .with_kappa(0.7)
    .unwrap()
}

/// `J1 J2^T` from explicit Jacobians.
fn gram(j1: &[f64], j2: &[f64], np: usize) -> Vec<f64> {
    let (n1, n2) = (j1.len() / np, j2.len() / np);
    let mut k = vec![0.0; n1 * n2];
    for a in 0..n1 {
        for b in 0..n2 {
            k[a * n2 + b] = (0..np).map(|t| j1[a * np + t] * j2[b * np + t]).sum();
        }
    }
    k
}

#[test]
fn layerwise_contraction_matches_explicit_jacobians() {
    for (act, sur) in [
        ("erf:3", "erf:1"),
        ("tanh", "fast-sigmoid:2"),
        ("sign", "erf:1"),
    ] {
        let s = spec(vec![7, 6, 5], act, sur);
        let net = Network::<f32>::init(&s, 3, 1);
        let (x1, x2) = (points(4, 0.1), points(3, 0.7));
        let np = s.num_parameters();
        let j1 = jacobian(&net, &x1, false).unwrap();
        let j1s = jacobian(&net, &x1, true).unwrap();
        let j2 = jacobian(&net, &x2, false).unwrap();
        let j2s = jacobian(&net, &x2, true).unwrap();
        for (kind, a, b) in [
            (EmpiricalKind::Ntk, &j1, &j2),
            (EmpiricalKind::SgNtk, &j1, &j2s),
            (EmpiricalKind::Surrogate, &j1s, &j2s),
        ] {
            let want = gram(a, b, np);
            let got = empirical_kernel(&net, kind, &x1, &x2).unwrap();
            let scale = want.iter().map(|v| v.abs()).fold(0.0, f64::max);
            for (g, w) in got.iter().zip(&want) {
                // Both in f64 from the same signals; sums of ~np terms: 1e-13 relative.
                assert!(
                    (g - w).abs() <= 1e-13 * scale,
                    "{act}/{sur} {kind:?}: {g} vs {w}"
                );
            }
        }
        // The SG-NTK is not symmetric for a mismatched surrogate (it is J(x) J~(x')^T); for
        // sign, J vanishes below the output layer and only the symmetric output term remains.
        let k = empirical_kernel(&net, EmpiricalKind::SgNtk, &x1, &x1).unwrap();
        let asym = (k[1] - k[4]).abs();
        if act == "sign" {
            let out = empirical_kernel(&net, EmpiricalKind::Ntk, &x1, &x1).unwrap();
            let d = k
                .iter()
                .zip(&out)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(asym <= 1e-12 * k[1].abs() && d <= 1e-12 * k[0].abs());
        } else {
            assert!(
                asym > 1e-6 * k[1].abs(),
                "{act}: SG-NTK unexpectedly symmetric"
            );
        }
    }
}

/// J(x) = df/dtheta by central differences (f64, smooth activation; h = 1e-6, truncation
/// ~h^2 f''' ~ 1e-12, rounding ~1e-16/1e-6 = 1e-10 relative to |f|).
#[test]
fn jacobian_matches_finite_differences() {
    let s = spec(vec![5, 4], "erf:2", "erf:1");
    let net = Network::<f64>::init(&s, 9, 0);
    let x = points(3, 0.2);
    let jac = jacobian(&net, &x, false).unwrap();
    let theta = net.parameters();
    let np = theta.len();
    let mut probe = net.clone();
    let h = 1e-6;
    for t in 0..np {
        let mut th = theta.clone();
        th[t] += h;
        probe.set_parameters(&th).unwrap();
        let fp = probe.predict(&x).unwrap();
        th[t] -= 2.0 * h;
        probe.set_parameters(&th).unwrap();
        let fm = probe.predict(&x).unwrap();
        for q in 0..3 {
            let fd = (fp[q] - fm[q]) / (2.0 * h);
            assert!((fd - jac[q * np + t]).abs() < 1e-8, "param {t} point {q}");
        }
    }
}

/// SPEC section 2: to first order in the learning rate, one SGL step changes the prediction at
/// x by `-(lr / P) sum_p I_hat(x, x_p) (f(x_p) - y_p)`, with the SG-NTK oriented J(x) J~(x_p)^T.
/// The remainder is O(lr^2): halving lr must shrink the mismatch about fourfold, and the
/// transposed orientation must not fit.
#[test]
fn sgntk_generates_the_sgl_dynamics() {
    let s = spec(vec![30, 20], "erf:3", "erf:1");
    let net = Network::<f64>::init(&s, 5, 2);
    let xt = points(6, 0.35);
    let train = {
        let p = points(5, 0.0);
        let y: Vec<f64> = p.inputs().chunks(2).map(|v| v[0] * v[1] + 0.5).collect();
        Dataset::new(p.inputs().to_vec(), 2, y).unwrap()
    };
    let f0 = net.predict(&xt).unwrap();
    let ftrain = net.predict(&train).unwrap();
    let r: Vec<f64> = ftrain
        .iter()
        .zip(train.targets())
        .map(|(f, y)| f - y)
        .collect();
    let k = empirical_kernel(&net, EmpiricalKind::SgNtk, &xt, &train).unwrap();
    let kt = empirical_kernel(&net, EmpiricalKind::SgNtk, &train, &xt).unwrap();
    let pred = |lr: f64, transposed: bool| -> Vec<f64> {
        (0..6)
            .map(|a| {
                -(lr / 5.0)
                    * (0..5)
                        .map(|b| if transposed { kt[b * 6 + a] } else { k[a * 5 + b] } * r[b])
                        .sum::<f64>()
            })
            .collect()
    };
    let mismatch = |lr: f64, transposed: bool| -> f64 {
        let mut tr = Trainer::new(net.clone(), &train, lr).unwrap();
        tr.step();
        let f1 = tr.network().predict(&xt).unwrap();
        let want = pred(lr, transposed);
        f1.iter()
            .zip(&f0)
            .zip(&want)
            .map(|((a, b), w)| (a - b - w).abs())
            .fold(0.0, f64::max)
    };
    let (e1, e2) = (mismatch(1e-3, false), mismatch(5e-4, false));
    let change: f64 = pred(1e-3, false)
        .iter()
        .map(|v| v.abs())
        .fold(0.0, f64::max);
    assert!(
        e1 < 1e-2 * change,
        "first-order mismatch {e1} vs change {change}"
    );
    assert!(
        e2 < 0.35 * e1 && e2 > 0.15 * e1,
        "not O(lr^2): {e1} -> {e2}"
    );
    let et = mismatch(1e-3, true);
    assert!(et > 10.0 * e1, "transposed SG-NTK fits too: {et} vs {e1}");
}

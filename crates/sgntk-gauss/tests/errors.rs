//! Bad input gives typed errors naming the parameter; divergences and non-finite user
//! functions are reported, never returned as inf/NaN.

use std::sync::Arc;

use sgntk_gauss::{
    ActPair, Activation, Cov2, CustomActivation, CustomSurrogate, DerivPair, GaussError, Method,
    Surrogate,
};

#[test]
fn covariance_errors_name_the_entry() {
    for (a, b, c, name) in [
        (-1.0, 1.0, 0.0, "a"),
        (f64::NAN, 1.0, 0.0, "a"),
        (1.0, f64::INFINITY, 0.0, "b"),
        (1.0, -1e-3, 0.0, "b"),
        (1.0, 1.0, f64::NAN, "c"),
    ] {
        match Cov2::new(a, b, c) {
            Err(GaussError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{a} {b} {c}: {other:?}"),
        }
    }
    assert!(matches!(
        Cov2::new(1.0, 1.0, 1.5),
        Err(GaussError::NotPositiveSemidefinite { .. })
    ));
    // c exceeding sqrt(ab) by rounding only is clamped onto the boundary.
    let cov = Cov2::new(2.0, 3.0, 6f64.sqrt() * (1.0 + 1e-15)).unwrap();
    assert!(cov.c() <= (cov.a() * cov.b()).sqrt());
}

#[test]
fn parameter_errors_name_the_parameter() {
    for (r, name) in [
        (Activation::erf(0.0).map(|_| ()), "m"),
        (Activation::erf(-2.0).map(|_| ()), "m"),
    ] {
        match r {
            Err(GaussError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{other:?}"),
        }
    }
    let e = "sigmoid:-4".parse::<Surrogate>().unwrap_err().to_string();
    assert!(e.contains("sigmoid:-4") && e.contains("k"), "{e}");
}

#[test]
fn divergences_are_errors_not_inf() {
    let sign_d = Activation::Sign.derivative();
    let step_d = Activation::Step.derivative();
    let diag = Cov2::new(1.0, 1.0, 1.0).unwrap();
    for method in [Method::Auto, Method::Quadrature] {
        for (p, q) in [(&sign_d, &sign_d), (&sign_d, &step_d), (&step_d, &sign_d)] {
            let r = DerivPair::new(p, q, method).expect(&diag);
            assert!(matches!(r, Err(GaussError::Divergent { .. })), "{r:?}");
        }
        // A point mass on a deterministic 0.
        let zero = Cov2::new(0.0, 1.0, 0.0).unwrap();
        let surr = "fast-sigmoid:25".parse::<Surrogate>().unwrap().derivative();
        let r = DerivPair::new(&sign_d, &surr, method).expect(&zero);
        assert!(matches!(r, Err(GaussError::Divergent { .. })), "{r:?}");
        // Anti-diagonal is degenerate too; off it, finite.
        let anti = Cov2::new(1.0, 1.0, -1.0).unwrap();
        assert!(
            DerivPair::new(&sign_d, &sign_d, method)
                .expect(&anti)
                .is_err()
        );
        let off = Cov2::new(1.0, 1.0, 0.999).unwrap();
        let v = DerivPair::new(&sign_d, &sign_d, method)
            .expect(&off)
            .unwrap();
        assert!(v.is_finite() && v > 0.0);
    }
}

/// On the diagonal `Cov2(a, a, a)` the covariance is exactly degenerate however `a` rounds
/// (`a * a` need not equal `c * c` to the last bit after other operations): both routes report
/// the divergence of delta x delta and agree on the finite expectations.
#[test]
fn diagonal_is_degenerate_for_any_variance() {
    let sign = Activation::Sign;
    let sd = sign.derivative();
    let tri = "triangle:1".parse::<Surrogate>().unwrap().derivative();
    let fs = "fast-sigmoid:25".parse::<Surrogate>().unwrap().derivative();
    for a in [0.22, 0.3, 1.0 / 3.0, 7.1, 1e-7 * 3.3, 12345.678] {
        let diag = Cov2::new(a, a, a).unwrap();
        for method in [Method::Auto, Method::Quadrature] {
            let r = DerivPair::new(&sd, &sd, method).expect(&diag);
            assert!(matches!(r, Err(GaussError::Divergent { .. })), "{a}: {r:?}");
            let v = ActPair::new(&sign, &sign, method).expect(&diag).unwrap();
            // E[sign(u)^2] = 1 on the diagonal. 1e-12: the tanh-sinh rule of the `quadrature`
            // crate stops 4.3e-14 (relative) short of each end of a piece, where phi_N(0) = 0.4
            // (measured 1.2e-13); a wrongly non-degenerate diagonal errs by ~1e-8.
            assert!((v - 1.0).abs() < 1e-12, "{a} {method:?}: {v}");
        }
        // sign'(u) x beta(v) on the diagonal: 2 p_u(0) beta(0).
        for (beta, b0) in [(&tri, 1.0), (&fs, 1.0)] {
            let want = 2.0 * b0 / (2.0 * std::f64::consts::PI * a).sqrt();
            for method in [Method::Auto, Method::Quadrature] {
                let v = DerivPair::new(&sd, beta, method).expect(&diag).unwrap();
                assert!(
                    (v - want).abs() <= 1e-14 * want,
                    "{a} {method:?}: {v} vs {want}"
                );
            }
        }
    }
}

/// A user-defined point mass away from 0 on a degenerate covariance: finite unless the two
/// masses sit on the support line.
#[test]
fn custom_point_masses_off_the_origin() {
    let shifted = |t: f64| {
        CustomActivation::new(
            format!("step@{t}"),
            Arc::new(move |x| if x > t { 1.0 } else { 0.0 }),
            Arc::new(|_| 0.0),
            vec![(t, 1.0)],
            vec![],
        )
        .unwrap()
    };
    let a1 = Activation::Custom(shifted(0.5)).derivative();
    let a2 = Activation::Custom(shifted(1.0)).derivative();
    let diag = Cov2::new(1.0, 4.0, 2.0).unwrap(); // v = 2u exactly
    // (0.5, 1.0) lies on v = 2u: divergent. (0.5, 0.5) does not: zero mass-mass term.
    let r = DerivPair::new(&a1, &a2, Method::Auto).expect(&diag);
    assert!(matches!(r, Err(GaussError::Divergent { .. })), "{r:?}");
    let v = DerivPair::new(&a1, &a1, Method::Auto)
        .expect(&diag)
        .unwrap();
    assert!(v.abs() < 1e-300);
    // Off the diagonal: the bivariate normal density at (0.5, 1.0).
    let cov = Cov2::new(1.0, 4.0, 1.0).unwrap();
    let v = DerivPair::new(&a1, &a2, Method::Auto).expect(&cov).unwrap();
    let det: f64 = 3.0;
    let q = (4.0 * 0.25 - 2.0 * 1.0 * 0.5 * 1.0 + 1.0 * 1.0) / det;
    let want = (-0.5 * q).exp() / (2.0 * std::f64::consts::PI * det.sqrt());
    assert!((v - want).abs() <= 1e-15 * want, "{v} vs {want}");
}

#[test]
fn non_finite_user_function_is_reported() {
    let bad = CustomSurrogate::new(
        "blows-up",
        Arc::new(|x: f64| if x > 1.0 { f64::NAN } else { 1.0 }),
        vec![1.0],
    )
    .unwrap();
    let d = Surrogate::Custom(bad).derivative();
    let cov = Cov2::new(1.0, 1.0, 0.3).unwrap();
    let r = DerivPair::new(&Activation::Sign.derivative(), &d, Method::Auto).expect(&cov);
    match r {
        Err(GaussError::NonFinite { name, x }) => {
            assert!(name.contains("blows-up"));
            assert!(x > 1.0);
        }
        other => panic!("{other:?}"),
    }
    let act = CustomActivation::new(
        "inf",
        Arc::new(|x: f64| if x < -2.0 { f64::NEG_INFINITY } else { x }),
        Arc::new(|_| 1.0),
        vec![],
        vec![-2.0],
    )
    .unwrap();
    let r = ActPair::new(&Activation::Custom(act), &Activation::Tanh, Method::Auto).expect(&cov);
    assert!(matches!(r, Err(GaussError::NonFinite { .. })), "{r:?}");
}

//! Unit tests of the quadrature engine (internal rules against each other).
use super::*;

/// The trapezoid rule (analytic pairs) agrees with split tanh-sinh to 1e-11 relative to
/// the product of magnitudes, over variances 0.05..20 and correlations up to 0.999.
#[test]
fn trapezoid_matches_tanh_sinh() {
    let funcs = [
        Func::Act(Activation::Tanh),
        Func::Smooth(Derivative::True(Activation::Tanh)),
        Func::Smooth("sigmoid:4".parse::<Surrogate>().unwrap().derivative()),
        Func::Smooth("atan:0.5".parse::<Surrogate>().unwrap().derivative()),
        Func::Act(Activation::erf(0.5).unwrap()),
    ];
    let mut worst: f64 = 0.0;
    for f in &funcs {
        for g in &funcs {
            for &(a, b, rho) in &[
                (1.0, 1.0, 0.3),
                (0.05, 2.0, -0.8),
                (20.0, 0.3, 0.999),
                (0.5, 0.5, 0.0),
            ] {
                let cov = Cov2::new(a, b, rho * (a * b).sqrt()).unwrap();
                let fast = Ctx::default();
                let slow = Ctx {
                    no_trap: true,
                    ..Ctx::default()
                };
                let x = fast.smooth_pair(f, g, &cov);
                let y = slow.smooth_pair(f, g, &cov);
                fast.take().unwrap();
                slow.take().unwrap();
                let scale = f.magnitude(a.sqrt()) * g.magnitude(b.sqrt());
                let err = (x - y).abs() / scale;
                worst = worst.max(err);
                assert!(
                    err < 1e-11,
                    "{} x {} at {cov:?}: {x} vs {y}",
                    f.name(),
                    g.name()
                );
            }
        }
    }
    eprintln!("trapezoid vs tanh-sinh: worst {worst:e}");
}

/// The one-dimensional closed forms used inside the nested quadrature agree with the
/// numerical route (split tanh-sinh) to 1e-12 relative to the function's magnitude.
#[test]
fn closed_1d_matches_numeric() {
    let funcs = [
        Func::Act(Activation::Sign),
        Func::Act(Activation::Step),
        Func::Act(Activation::erf(2.5).unwrap()),
        Func::Act(Activation::Identity),
        Func::Act(Activation::Relu),
        Func::Smooth(Derivative::True(Activation::erf(0.7).unwrap())),
        Func::Smooth(Derivative::True(Activation::Relu)),
        Func::Smooth("erf:3".parse::<Surrogate>().unwrap().derivative()),
        Func::Smooth("boxcar:0.5".parse::<Surrogate>().unwrap().derivative()),
    ];
    for f in &funcs {
        for &(mu, tau) in &[
            (0.0, 1.0),
            (0.3, 0.2),
            (-1.7, 2.0),
            (4.0, 30.0),
            (0.01, 1e-3),
        ] {
            let want = f.closed_1d(mu, tau).unwrap();
            let ctx = Ctx::default();
            let pts = f
                .features(tau)
                .into_iter()
                .map(|p| (p - mu) / tau)
                .collect();
            let m = f.magnitude(tau).max(mu.abs());
            let got = ctx.segments(
                |z| npdf(z) * f.eval(mu + tau * z),
                pts,
                1e-14 * m,
                m,
                &|| String::new(),
            );
            assert!(
                (got - want).abs() <= 1e-12 * m,
                "{} mu={mu} tau={tau}: {got} vs {want}",
                f.name()
            );
        }
    }
}

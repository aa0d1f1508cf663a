//! Unit tests of the internals: the inlined erf/sign closed forms against the general
//! `sgntk-gauss` evaluator, step by step and for whole kernels.

use faer::Mat;

use crate::compute::plan;
use crate::engine::{Engine, GaussPairs, MAX_TANGENT, Pairs};
use crate::fast::ErfPairs;
use crate::{Activation, Architecture, KernelKind, Surrogate};

/// A deterministic pseudo-random sequence in [0, 1) (SplitMix64; no RNG crate needed here).
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn archs() -> Vec<Architecture> {
    let mut v = Vec::new();
    for act in ["sign", "erf:0.5", "erf:2", "erf:20"] {
        for sur in ["erf:1", "erf:3", "identity"] {
            let a: Activation = act.parse().unwrap();
            let s: Surrogate = sur.parse().unwrap();
            v.push(Architecture::new(3, 2, 1.3, 0.2, a, s).unwrap());
        }
    }
    v
}

const ALL_TANGENTS: [KernelKind; 3] = [KernelKind::Ntk, KernelKind::SgNtk, KernelKind::Surrogate];

/// Relative agreement of the asin and atan2 forms: both are a few ulps accurate for
/// |rho| <= 0.999, where asin's condition number is at most 1/sqrt(1 - 0.999^2) ~ 22.
const STEP_TOL: f64 = 1e-13;

#[test]
fn fast_step_matches_gauss_step() {
    let mut rng = Mix(7);
    for arch in archs() {
        // |rho| < 1 below, so even the sign NTK's delta x delta term is finite.
        let tangents: &[KernelKind] = &ALL_TANGENTS;
        let fast = ErfPairs::new(&arch, tangents).expect("erf family");
        let gauss = GaussPairs::new(&arch, tangents);
        for _ in 0..200 {
            let a = 0.01 + 3.0 * rng.next();
            let b = 0.01 + 3.0 * rng.next();
            let rho = 0.999 * (2.0 * rng.next() - 1.0);
            let c = rho * (a * b).sqrt();
            let mut df = [0.0; MAX_TANGENT];
            let mut dg = [0.0; MAX_TANGENT];
            let ef = fast.step(a, b, c, &mut df[..tangents.len()]).unwrap();
            let eg = gauss.step(a, b, c, &mut dg[..tangents.len()]).unwrap();
            assert!(
                (ef - eg).abs() <= STEP_TOL * 22.0 * eg.abs().max(1.0),
                "{arch:?} {ef} {eg}"
            );
            for k in 0..tangents.len() {
                assert!(
                    (df[k] - dg[k]).abs() <= STEP_TOL * dg[k].abs(),
                    "{arch:?} {k} {} {}",
                    df[k],
                    dg[k]
                );
            }
        }
    }
}

#[test]
fn fast_kernels_match_gauss_kernels() {
    let mut rng = Mix(11);
    let x1 = Mat::from_fn(7, 3, |_, _| 2.0 * rng.next() - 1.0);
    let x2 = Mat::from_fn(5, 3, |_, _| 2.0 * rng.next() - 1.0);
    for arch in archs() {
        let arch = arch.with_kappa(0.7).unwrap();
        let kinds: Vec<KernelKind> = if arch.activation().to_string() == "sign" {
            vec![KernelKind::Nngp, KernelKind::SgNtk, KernelKind::Surrogate]
        } else {
            KernelKind::ALL.to_vec()
        };
        let (tangents, sources) = plan(&kinds);
        let fast = ErfPairs::new(&arch, &tangents).unwrap();
        let gauss = GaussPairs::new(&arch, &tangents);
        let kf = arch
            .kernels_with(
                Engine::new(&arch, fast),
                &tangents,
                &sources,
                x1.as_ref(),
                x2.as_ref(),
            )
            .unwrap();
        let kg = arch
            .kernels_with(
                Engine::new(&arch, gauss),
                &tangents,
                &sources,
                x1.as_ref(),
                x2.as_ref(),
            )
            .unwrap();
        for (f, g) in kf.iter().zip(&kg) {
            for j in 0..x2.nrows() {
                for i in 0..x1.nrows() {
                    // Two layers of STEP_TOL-accurate steps, amplified by at most the size of
                    // the recursion's multipliers (Sdot <= ~30 for erf:20): 1e-10 relative.
                    assert!(
                        (f[(i, j)] - g[(i, j)]).abs() <= 1e-10 * g[(i, j)].abs().max(1.0),
                        "{arch:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn sign_ntk_diverges_on_the_diagonal_only() {
    let arch =
        Architecture::new(2, 2, 1.0, 0.1, Activation::Sign, "erf:1".parse().unwrap()).unwrap();
    let x = Mat::from_fn(3, 2, |i, j| ((i * 2 + j) as f64).sin());
    let err = arch
        .kernel(KernelKind::Ntk, x.as_ref(), x.as_ref())
        .unwrap_err();
    match err {
        crate::KernelError::Divergent { row, col, kind, .. } => {
            assert_eq!((row, col, kind), (0, 0, KernelKind::Ntk));
        }
        e => panic!("unexpected {e}"),
    }
    let y = Mat::from_fn(2, 2, |i, j| ((i * 2 + j) as f64 + 0.5).cos());
    let k = arch
        .kernel(KernelKind::Ntk, x.as_ref(), y.as_ref())
        .unwrap();
    assert!(k.col_iter().all(|c| c.iter().all(|v| v.is_finite())));
    let d = arch.kernel_diag(KernelKind::Ntk, x.as_ref()).unwrap_err();
    assert!(d.to_string().contains("diverges at entry (0, 0)"), "{d}");
}

#[test]
fn layers_end_with_the_output_kernel_and_start_with_sigma1() {
    let arch = Architecture::new(
        2,
        3,
        1.1,
        0.3,
        "erf:2".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap()
    .with_kappa(0.5)
    .unwrap();
    let x = Mat::from_fn(4, 2, |i, j| ((3 * i + j) as f64).sin());
    for kind in KernelKind::ALL {
        let layers = arch.kernel_layers(kind, x.as_ref(), x.as_ref()).unwrap();
        assert_eq!(layers.len(), 4);
        let out = arch.kernel(kind, x.as_ref(), x.as_ref()).unwrap();
        let diag = arch.kernel_diag(kind, x.as_ref()).unwrap();
        for i in 0..4 {
            for j in 0..4 {
                // The same arithmetic in the same order: bit-identical.
                assert_eq!(layers[3][(i, j)].to_bits(), out[(i, j)].to_bits());
                let s1 =
                    1.1f64.powi(2) / 2.0 * (x[(i, 0)] * x[(j, 0)] + x[(i, 1)] * x[(j, 1)]) + 0.09;
                assert!((layers[0][(i, j)] - s1).abs() <= 1e-15 * s1.abs().max(1.0));
            }
            assert_eq!(diag[i].to_bits(), out[(i, i)].to_bits());
        }
    }
}

/// `n` points with varying norms (so the SG-NTK is asymmetric) in dimension 3.
fn cloud(n: usize, seed: u64) -> Mat<f64> {
    let mut rng = Mix(seed);
    Mat::from_fn(n, 3, |_, _| 2.0 * rng.next() - 1.0)
}

/// The symmetric path (x1 = x2, lower triangle computed, upper mirrored) against the full path
/// (x2 = x1 plus one extra point, so the sets differ and every entry is computed): the same
/// arithmetic up to the order of the two arguments, which exact math does not distinguish, so
/// agreement to a few ulps. N = 600 spans three row blocks (256) and a partial one; both the
/// inlined erf pairs and the general evaluator (relu: arc-cosine closed forms).
#[test]
fn symmetric_path_matches_full_computation() {
    let x = cloud(600, 3);
    let mut xp = Mat::zeros(601, 3);
    xp.as_mut().submatrix_mut(0, 0, 600, 3).copy_from(&x);
    for j in 0..3 {
        xp[(600, j)] = 0.3 * (j as f64 + 1.0);
    }
    for (act, sur) in [("erf:2", "erf:1"), ("relu", "erf:1")] {
        let arch =
            Architecture::new(3, 2, 1.2, 0.2, act.parse().unwrap(), sur.parse().unwrap()).unwrap();
        // One kind per call: a pass that includes the SG-NTK computes every entry.
        for kind in KernelKind::ALL {
            let s = arch.kernel(kind, x.as_ref(), x.as_ref()).unwrap();
            let f = arch.kernel(kind, x.as_ref(), xp.as_ref()).unwrap();
            let mut asym = 0.0f64;
            for j in 0..600 {
                for i in 0..600 {
                    // 4 ulps: the two argument orders round differently in the last bits.
                    let tol = 4.0 * f64::EPSILON * f[(i, j)].abs().max(1e-300);
                    assert!(
                        (s[(i, j)] - f[(i, j)]).abs() <= tol,
                        "{act} {kind} ({i}, {j}): {} vs {}",
                        s[(i, j)],
                        f[(i, j)]
                    );
                    asym = asym.max((s[(i, j)] - s[(j, i)]).abs());
                }
            }
            if kind == KernelKind::SgNtk {
                // Never symmetrised: the norms differ, so I(x, x') != I(x', x) somewhere.
                assert!(asym > 1e-3, "{act}: SG-NTK came out symmetric");
            } else {
                // Mirrored: exactly symmetric.
                assert!(asym.to_bits() == 0, "{act} {kind}: {asym}");
            }
        }
    }
}

#[test]
fn kernel_into_matches_kernel_and_checks_shapes() {
    let arch = Architecture::new(
        3,
        2,
        1.0,
        0.1,
        "erf:2".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap();
    let (x1, x2) = (cloud(300, 5), cloud(280, 6));
    for (a, b) in [(&x1, &x2), (&x1, &x1)] {
        let want = arch
            .kernel(KernelKind::Ntk, a.as_ref(), b.as_ref())
            .unwrap();
        // A reused buffer full of garbage, and a row-major (transposed) view.
        let mut out = Mat::from_fn(a.nrows(), b.nrows(), |_, _| f64::NAN);
        arch.kernel_into(KernelKind::Ntk, a.as_ref(), b.as_ref(), out.as_mut())
            .unwrap();
        let mut t = Mat::from_fn(b.nrows(), a.nrows(), |_, _| f64::NAN);
        arch.kernel_into(
            KernelKind::Ntk,
            a.as_ref(),
            b.as_ref(),
            t.as_mut().transpose_mut(),
        )
        .unwrap();
        for j in 0..b.nrows() {
            for i in 0..a.nrows() {
                assert_eq!(out[(i, j)].to_bits(), want[(i, j)].to_bits());
                assert_eq!(t[(j, i)].to_bits(), want[(i, j)].to_bits());
            }
        }
    }
    let mut wrong = Mat::<f64>::zeros(300, 279);
    let e = arch
        .kernel_into(KernelKind::Ntk, x1.as_ref(), x2.as_ref(), wrong.as_mut())
        .unwrap_err();
    assert!(e.to_string().contains("output columns"), "{e}");
    let e = arch
        .kernels_into(
            &[KernelKind::Ntk, KernelKind::Nngp],
            x1.as_ref(),
            x2.as_ref(),
            &mut [],
        )
        .unwrap_err();
    assert!(e.to_string().contains("number of output matrices"), "{e}");
}

/// Quadrature-fallback kernels on points of one norm go through the per-layer tables (the
/// matrix has >= TABLE_MIN_ENTRIES entries); every entry matches the direct evaluation (one
/// column at a time: too few entries to tabulate) to 1e-10 of the kernel's scale.
#[test]
fn tabulated_kernels_match_direct_columns() {
    use std::sync::atomic::Ordering;
    let n = 110;
    assert!(n * n >= crate::table::TABLE_MIN_ENTRIES && n < crate::table::TABLE_MIN_ENTRIES);
    // One norm (1.3) in dimension 3, uneven angles.
    let x = Mat::from_fn(n, 3, |i, j| {
        let a = 0.3 + 5.9 * (i as f64 / n as f64).powf(1.3);
        let z = 0.6;
        let r = (1.3f64 * 1.3 - z * z).sqrt();
        [r * a.cos(), r * a.sin(), z][j]
    });
    for (act, sur) in [
        ("tanh", "erf:1"),
        ("sign", "fast-sigmoid:25"),
        ("relu", "atan:2"),
    ] {
        let arch =
            Architecture::new(3, 2, 1.2, 0.2, act.parse().unwrap(), sur.parse().unwrap()).unwrap();
        let kinds: Vec<KernelKind> = if act == "sign" {
            vec![KernelKind::Nngp, KernelKind::SgNtk]
        } else {
            vec![KernelKind::Nngp, KernelKind::Ntk, KernelKind::SgNtk]
        };
        let before = crate::table::TABLE_BUILDS.load(Ordering::Relaxed);
        let full = arch.kernels(&kinds, x.as_ref(), x.as_ref()).unwrap();
        assert!(
            crate::table::TABLE_BUILDS.load(Ordering::Relaxed) > before,
            "{act}: tables not used"
        );
        for j in 0..n {
            let col = arch
                .kernels(&kinds, x.as_ref(), x.as_ref().subrows(j, 1))
                .unwrap();
            for (f, c) in full.iter().zip(&col) {
                let scale = f[(j, j)].abs().max(1.0);
                for i in 0..n {
                    assert!(
                        (f[(i, j)] - c[(i, 0)]).abs() <= 1e-10 * scale,
                        "{act} ({i}, {j}): {} vs {}",
                        f[(i, j)],
                        c[(i, 0)]
                    );
                }
            }
        }
    }
}

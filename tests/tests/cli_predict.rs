//! End-to-end tests of `sgntk predict` on the paper's reference problem: the binary's output is
//! compared with the library route (kernels from `sgntk::kernel`, GP from `sgntk::gp`), the GP
//! interpolates at t = infinity, finite time approaches it, and bad input fails cleanly.

mod common;

use std::fmt::Write as _;

use common::{run, scratch, stderr};
use faer::Mat;
use sgntk::gauss::{Activation, Surrogate};
use sgntk::gp::{GpOptions, TestKernels, Time, TrainingKernels};
use sgntk::kernel::{Architecture, KernelKind};

use sgntk::reference::{PAPER_TRAIN_INDICES as TRAIN, circle_point, target, test_angles};

fn grid() -> Vec<[f64; 2]> {
    test_angles().into_iter().map(circle_point).collect()
}

/// Writes train.csv (with header) and test.csv into `dir`.
fn write_problem(dir: &std::path::Path) {
    let g = grid();
    let mut tr = String::from("x0,x1,y\n");
    for &i in &TRAIN {
        writeln!(tr, "{:?},{:?},{:?}", g[i][0], g[i][1], target(g[i])).unwrap();
    }
    std::fs::write(dir.join("train.csv"), tr).unwrap();
    let te: String = g
        .iter()
        .map(|p| format!("{:?},{:?}\n", p[0], p[1]))
        .collect();
    std::fs::write(dir.join("test.csv"), te).unwrap();
}

fn parse_output(text: &str) -> (String, Vec<Vec<f64>>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn predict_matches_the_library_and_interpolates() {
    let dir = scratch("predict-ok");
    write_problem(&dir);
    let o = run(
        &[
            "predict",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--nngp-mean",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, rows) = parse_output(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(header, "mean,std,nngp_mean");
    assert_eq!(rows.len(), 100);

    // The library route, independently assembled.
    let g = grid();
    let x = Mat::from_fn(100, 2, |i, j| g[i][j]);
    let xt = Mat::from_fn(15, 2, |i, j| g[TRAIN[i]][j]);
    let y: Vec<f64> = TRAIN.iter().map(|&i| target(g[i])).collect();
    let arch = Architecture::new(
        2,
        2,
        1.0,
        0.1,
        Activation::Sign,
        "erf:1".parse::<Surrogate>().unwrap(),
    )
    .unwrap();
    let (s_xx, i_xx) = arch
        .nngp_and(KernelKind::SgNtk, xt.as_ref(), xt.as_ref())
        .unwrap();
    let (s_tx, i_tx) = arch
        .nngp_and(KernelKind::SgNtk, x.as_ref(), xt.as_ref())
        .unwrap();
    let s_tt = arch
        .kernel(KernelKind::Nngp, x.as_ref(), x.as_ref())
        .unwrap();
    let want = sgntk::gp::predict(
        &TrainingKernels {
            i_train_train: i_xx.as_ref(),
            sigma_train_train: s_xx.as_ref(),
            targets: &y,
        },
        &TestKernels {
            i_test_train: i_tx.as_ref(),
            sigma_test_train: s_tx.as_ref(),
            sigma_test_test: s_tt.as_ref(),
        },
        Time::Infinity,
        &GpOptions::default(),
    )
    .unwrap();
    let want_std = want.std();
    for i in 0..100 {
        // The CLI uses the diagonal-only covariance route: same formulas, other summation order;
        // kappa(I) ~ 31, so agreement to ~1e-12 (a few hundred ulps) is expected.
        assert!(
            (rows[i][0] - want.mean[i]).abs() < 1e-12 * (1.0 + want.mean[i].abs()),
            "mean {i}"
        );
        assert!(
            (rows[i][1] - want_std[i]).abs() < 1e-6 * (1.0 + want_std[i]),
            "std {i}: {} vs {}",
            rows[i][1],
            want_std[i]
        );
    }
    // t = infinity: the mean interpolates, the sd vanishes at training points (sqrt of a
    // variance that is zero up to rounding: ~sqrt(1e-15)).
    for (k, &i) in TRAIN.iter().enumerate() {
        assert!(
            (rows[i][0] - y[k]).abs() < 1e-9 * (1.0 + y[k].abs()),
            "interpolation at {i}"
        );
        assert!(
            rows[i][1] < 1e-6,
            "sd at training point {i}: {}",
            rows[i][1]
        );
        assert!(
            (rows[i][2] - y[k]).abs() < 1e-9 * (1.0 + y[k].abs()),
            "NNGP interpolation at {i}"
        );
    }
    // The SG-NTK mean and the NNGP mean are different predictions off the training points.
    let diff: f64 = rows.iter().map(|r| (r[0] - r[2]).abs()).fold(0.0, f64::max);
    assert!(diff > 1e-2, "SG-NTK and NNGP means coincide ({diff})");

    // Finite time: 30 000 steps of eta = 0.1 is converged (smallest eigenvalue ~0.3:
    // exp(-0.1 * 30000 * 0.3 / 15) ~ 1e-26), 10 steps is far from it, and written atomically
    // to --out.
    let o = run(
        &[
            "predict",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--steps",
            "30000",
            "--lr",
            "0.1",
            "--out",
            "late.csv",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, late) = parse_output(&std::fs::read_to_string(dir.join("late.csv")).unwrap());
    let o = run(
        &[
            "predict",
            "--train",
            "train.csv",
            "--test",
            "test.csv",
            "--steps",
            "10",
        ],
        &dir,
    );
    let (_, early) = parse_output(&String::from_utf8_lossy(&o.stdout));
    let max_dev = |a: &[Vec<f64>]| {
        a.iter()
            .zip(&rows)
            .map(|(p, q)| (p[0] - q[0]).abs())
            .fold(0.0, f64::max)
    };
    assert!(max_dev(&late) < 1e-9, "{}", max_dev(&late));
    assert!(max_dev(&early) > 0.1, "{}", max_dev(&early));
}

#[test]
fn predict_rejects_bad_input_with_exit_code_2() {
    let dir = scratch("predict-bad");
    write_problem(&dir);
    std::fs::write(dir.join("one_col.csv"), "1\n2\n").unwrap();
    std::fs::write(dir.join("test3.csv"), "1,2,3\n").unwrap();
    std::fs::write(dir.join("dup.csv"), "0,1,1\n0,1,2\n1,0,0\n").unwrap();
    for (args, want) in [
        (
            vec!["--train", "one_col.csv", "--test", "test.csv"],
            "one_col.csv: needs at least one input column",
        ),
        (
            vec!["--train", "train.csv", "--test", "test3.csv"],
            "test3.csv: test points have 3 coordinates",
        ),
        (
            vec!["--train", "dup.csv", "--test", "test.csv"],
            "condition",
        ),
        (
            vec![
                "--train",
                "train.csv",
                "--test",
                "test.csv",
                "--lr",
                "-1",
                "--steps",
                "3",
            ],
            "--lr",
        ),
        (
            vec!["--train", "missing.csv", "--test", "test.csv"],
            "missing.csv",
        ),
        (
            vec![
                "--train",
                "train.csv",
                "--test",
                "test.csv",
                "--activation",
                "softplus",
            ],
            "softplus",
        ),
    ] {
        let mut a = vec!["predict"];
        a.extend(&args);
        a.extend(["--out", "never.csv"]);
        let o = run(&a, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(want), "{args:?}: {e}");
        assert!(
            !dir.join("never.csv").exists(),
            "{args:?} left an output file"
        );
    }
    // Duplicate inputs are accepted with an explicit, reported jitter.
    let o = run(
        &[
            "predict", "--train", "dup.csv", "--test", "test.csv", "--jitter", "1e-8",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("jitter"));
}

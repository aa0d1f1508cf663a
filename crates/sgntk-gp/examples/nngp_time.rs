//! Wall-clock timing of one NNGP regression (P training points, N = 1000 test points, full
//! covariance) on a kernel-like synthetic Sigma: random tanh features plus a nugget, the
//! construction of `benches/benches/gp.rs` and `benches/peers/numpy_gp.py`.
//!
//! Run: `cargo run --release -p sgntk-gp --example nngp_time -- [P] [repeats]`; prints each run
//! and the median in seconds. The criterion bench `gp/nngp-full/p<P>-n1000` is the reference
//! measurement; this is for quick iteration.
use std::time::Instant;

use faer::{Mat, Par};
use sgntk_gp::{GpOptions, nngp_regression};

fn main() {
    let mut args = std::env::args().skip(1);
    let p: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(4000);
    let repeats: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let n = 1000;
    let m = p + n;
    // Seeded SplitMix64 features.
    let mut state = 7u64;
    let mut uniform = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64 + 0.5) / (1u64 << 53) as f64 - 0.5
    };
    let k = 64;
    let phi = Mat::from_fn(m, k, |_, _| (3.0 * uniform()).tanh());
    let mut sigma = Mat::<f64>::zeros(m, m);
    faer::linalg::matmul::matmul(
        sigma.as_mut(),
        faer::Accum::Replace,
        phi.as_ref(),
        phi.transpose(),
        1.0 / k as f64,
        Par::rayon(0),
    );
    for j in 0..m {
        for i in 0..m {
            sigma[(i, j)] += if i == j { 0.6 } else { 0.1 };
        }
    }
    let s_xx_train = sigma.submatrix(0, 0, p, p).to_owned();
    let s_x_train = sigma.submatrix(p, 0, n, p).to_owned();
    let s_xx = sigma.submatrix(p, p, n, n).to_owned();
    let y: Vec<f64> = (0..p).map(|_| uniform()).collect();
    let opts = GpOptions::default();
    let mut runs = Vec::new();
    for _ in 0..repeats {
        let t0 = Instant::now();
        let r = nngp_regression(
            s_xx_train.as_ref(),
            s_x_train.as_ref(),
            s_xx.as_ref(),
            &y,
            0.0,
            &opts,
        )
        .expect("NNGP regression");
        let dt = t0.elapsed().as_secs_f64();
        std::hint::black_box(&r);
        eprintln!("run {dt:.4} s (condition {:.3e})", r.condition_estimate);
        runs.push(dt);
    }
    runs.sort_by(f64::total_cmp);
    println!("nngp p{p}-n{n} median_s {:.4}", runs[runs.len() / 2]);
}

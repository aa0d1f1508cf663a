//! Wall time of quadrature-fallback kernels on the unit circle (tabulated steps):
//! `cargo run --release -p sgntk-kernel --example quad_time -- [N ...]`
use std::time::Instant;

use faer::Mat;
use sgntk_kernel::{Architecture, KernelKind};

fn circle(n: usize) -> Mat<f64> {
    Mat::from_fn(n, 2, |i, j| {
        let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64 - std::f64::consts::PI;
        if j == 0 { a.sin() } else { a.cos() }
    })
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|s| s.parse().expect("N"))
        .collect();
    for (kind, act, sur) in [
        (KernelKind::Ntk, "tanh", "erf:1"),
        (KernelKind::SgNtk, "sign", "fast-sigmoid:25"),
    ] {
        let arch = Architecture::new(2, 2, 1.0, 0.1, act.parse().unwrap(), sur.parse().unwrap())
            .expect("architecture");
        for &n in &sizes {
            let x = circle(n);
            let t0 = Instant::now();
            let k = arch.kernel(kind, x.as_ref(), x.as_ref()).expect("kernel");
            let s = t0.elapsed().as_secs_f64();
            println!(
                "{kind} {act}/{sur} N = {n}: {s:.3} s, {:.3e} entries/s (k[0,1] = {})",
                (n * n) as f64 / s,
                k[(0, 1)]
            );
        }
    }
}

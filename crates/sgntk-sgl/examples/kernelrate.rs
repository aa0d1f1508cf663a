//! Throughput of the middle-layer kernel (`back = G W; W += coef G^T A`), fused vs faer, and an
//! f32 FMA peak probe: `cargo run --release -p sgntk-sgl --example kernelrate -- [n] [p]`.

use std::time::Instant;

fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns * 1e-9)
}

type Kernel = fn(&mut [f32], usize, usize, &[f32], &[f32], f32, &mut [f32]);

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    let n = args.first().copied().unwrap_or(500);
    let p = args.get(1).copied().unwrap_or(15);
    let mut w: Vec<f32> = (0..n * n).map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5).collect();
    let g: Vec<f32> = (0..p * n).map(|i| ((i * 31) % 97) as f32 * 1e-4).collect();
    let a: Vec<f32> = (0..p * n).map(|i| if i % 3 == 0 { 1.0 } else { -1.0 }).collect();
    let mut back = vec![0.0f32; p * n];
    let kernels: [(&str, Kernel); 2] = [
        ("fused", sgntk_sgl::kernels::backward_update_fused),
        ("faer", sgntk_sgl::kernels::backward_update_faer),
    ];
    for _ in 0..2 {
        for (name, k) in kernels {
            let reps = 2000;
            let (t0, c0) = (Instant::now(), thread_cpu());
            for _ in 0..reps {
                k(&mut w, n, n, &g, &a, 1e-9, &mut back);
            }
            let cpu = thread_cpu() - c0;
            let wall = t0.elapsed().as_secs_f64();
            let flop = 2.0 * 2.0 * (n * n * p) as f64 * reps as f64;
            println!(
                "{name:6} n={n} p={p}: {:.1} us/call (CPU), {:.1} GFLOP/s per CPU ({:.1} wall)",
                cpu / reps as f64 * 1e6,
                flop / cpu / 1e9,
                flop / wall / 1e9
            );
        }
    }
}

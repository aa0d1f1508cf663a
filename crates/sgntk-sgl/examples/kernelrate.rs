//! Throughput of the middle-layer kernel (`back = G W; W += coef G^T A`), fused vs faer, and an
//! f32 FMA peak probe: `cargo run --release -p sgntk-sgl --example kernelrate -- [n] [p]`.

use std::time::Instant;

fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns * 1e-9)
}

/// f32 FMA peak probe: 12 independent vector accumulator chains (enough to cover FMA latency
/// on two pipes), `iters` rounds; returns FLOP/s (2 per lane-FMA).
struct Peak {
    iters: usize,
}

impl pulp::WithSimd for Peak {
    type Output = (f64, f32);
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (f64, f32) {
        let lanes = std::mem::size_of::<S::f32s>() / 4;
        let mut acc = [simd.splat_f32s(0.0); 12];
        let a = simd.splat_f32s(std::hint::black_box(0.999_999));
        let b = simd.splat_f32s(std::hint::black_box(1e-7));
        let t0 = Instant::now();
        for _ in 0..self.iters {
            for x in acc.iter_mut() {
                *x = simd.mul_add_f32s(*x, a, b);
            }
        }
        let dt = t0.elapsed().as_secs_f64();
        let mut s = 0.0;
        for x in acc {
            s += simd.reduce_sum_f32s(x);
        }
        (2.0 * (12 * lanes * self.iters) as f64 / dt, s)
    }
}

type Kernel = fn(&mut [f32], usize, usize, &[f32], &[f32], f32, &mut [f32]);

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let n = args.first().copied().unwrap_or(500);
    let p = args.get(1).copied().unwrap_or(15);
    let (c0, t0) = (thread_cpu(), Instant::now());
    let (peak, sink) = pulp::Arch::new().dispatch(Peak { iters: 200_000_000 });
    let cpu_share = (thread_cpu() - c0) / t0.elapsed().as_secs_f64();
    println!(
        "f32 FMA peak (one thread, runtime-dispatched SIMD): {:.1} GFLOP/s wall, CPU share {:.2} \
         => {:.1} GFLOP/s per CPU-second (checksum {sink:.3})",
        peak / 1e9,
        cpu_share,
        peak / 1e9 / cpu_share.max(1e-9)
    );
    let mut w: Vec<f32> = (0..n * n)
        .map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5)
        .collect();
    let g: Vec<f32> = (0..p * n).map(|i| ((i * 31) % 97) as f32 * 1e-4).collect();
    let a: Vec<f32> = (0..p * n)
        .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
        .collect();
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

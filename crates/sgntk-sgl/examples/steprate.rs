//! Network-steps per second of the fast SGL step on the reference configuration (2 hidden
//! layers, sign activation, erf:1 surrogate, P = 15, d = 2, f32):
//! `cargo run --release -p sgntk-sgl --example steprate -- [width] [steps] [threads]`.

use std::time::Instant;

use rayon::prelude::*;
use sgntk_sgl::{Dataset, Network, NetworkSpec, Trainer};

/// CPU time of the calling thread in seconds (Linux schedstat; 0 elsewhere).
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns * 1e-9)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let n = args.first().copied().unwrap_or(500);
    let steps = args.get(1).copied().unwrap_or(3000);
    let threads = args.get(2).copied().unwrap_or(1);
    let idx = [54, 69, 18, 41, 23, 50, 65, 82, 63, 3, 0, 4, 58, 79, 95];
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in idx {
        let a = 2.0 * std::f64::consts::PI * i as f64 / 100.0 - std::f64::consts::PI;
        let (x0, x1) = (a.sin(), a.cos());
        x.extend([x0, x1]);
        y.push(4.0 * x0 * x1 * x1 - 0.8 * x0.powi(3) + 1.2 * x1 * x1 - 0.8 * x0 * x0 * x1);
    }
    let data = Dataset::new(x, 2, y).unwrap();
    let spec = NetworkSpec::new(
        2,
        vec![n, n],
        1.0,
        0.1,
        "sign".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let t0 = Instant::now();
    let stats: Vec<_> = pool.install(|| {
        (0..threads)
            .into_par_iter()
            .map(|k| {
                let mut tr = Trainer::new(Network::<f32>::init(&spec, 1, k), &data, 0.1).unwrap();
                let c0 = thread_cpu();
                for _ in 0..steps {
                    tr.step();
                }
                let cpu = thread_cpu() - c0;
                (tr.loss(), tr.stats(), cpu)
            })
            .collect()
    });
    let dt = t0.elapsed().as_secs_f64();
    let total = (steps * threads) as f64;
    let s = stats[0].1;
    let cpu: f64 = stats.iter().map(|r| r.2).sum::<f64>() / threads as f64;
    println!(
        "n={n} steps={steps} threads={threads}: {:.0} network-steps/s (wall), {:.0} per CPU-second \
         per thread ({:.1} us/step); {:.3e} mul-adds/step \
         ({:.1} GFLOP/s per CPU); flips/step {:.2}; full forwards {}; final loss {:.3e}",
        total / dt,
        steps as f64 / cpu,
        cpu / steps as f64 * 1e6,
        s.mul_adds as f64 / s.steps as f64,
        2.0 * s.mul_adds as f64 / cpu / 1e9,
        s.flips as f64 / s.steps as f64,
        s.full_forwards,
        stats[0].0
    );
}

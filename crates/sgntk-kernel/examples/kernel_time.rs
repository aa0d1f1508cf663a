//! CPU-time throughput of the erf(2) NTK (the neural-tangents comparison): entries per
//! CPU-second (user + system time of all threads, from `/proc/self/stat`) and per wall second,
//! for a freshly allocated output (`kernel`) and for a reused buffer (`kernel_into`).
//!
//! `cargo run --release -p sgntk-kernel --example kernel_time -- [N ...]`
use std::time::Instant;

use faer::Mat;
use sgntk_kernel::{Architecture, KernelKind};

/// User + system CPU time of the whole process in seconds (clock ticks of 10 ms).
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let rest = &s[s.rfind(')').expect("comm field") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of proc(5) (utime, stime) are entries 11 and 12 after the comm field.
    let ticks: f64 = f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

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
    let sizes = if sizes.is_empty() {
        vec![1000, 4000]
    } else {
        sizes
    };
    let arch = Architecture::new(
        2,
        2,
        1.0,
        0.1,
        "erf:2".parse().expect("erf"),
        "erf:1".parse().expect("erf"),
    )
    .expect("architecture");
    for n in sizes {
        let x = circle(n);
        let reps = (1.2e8 / (n * n) as f64).ceil().max(3.0) as usize;
        let _ = arch
            .kernel(KernelKind::Ntk, x.as_ref(), x.as_ref())
            .expect("kernel");
        // `reps` calls of `one` (which returns a check value), reported per CPU and wall second.
        let time = |label: &str, one: &mut dyn FnMut() -> f64| {
            let (c0, t0) = (cpu_seconds(), Instant::now());
            let sum: f64 = (0..reps).map(|_| one()).sum();
            let (cpu, wall) = (cpu_seconds() - c0, t0.elapsed().as_secs_f64());
            let e = (reps * n * n) as f64;
            println!(
                "N = {n} {label}: {reps} reps, {:.3e} entries per CPU-second, {:.3e} per wall second (check {sum:.6})",
                e / cpu,
                e / wall
            );
        };
        time("fresh", &mut || {
            let k = arch
                .kernel(KernelKind::Ntk, x.as_ref(), x.as_ref())
                .expect("kernel");
            k[(n / 3, n / 2)]
        });
        let mut out = Mat::<f64>::zeros(n, n);
        time("into", &mut || {
            arch.kernel_into(KernelKind::Ntk, x.as_ref(), x.as_ref(), out.as_mut())
                .expect("kernel");
            out[(n / 3, n / 2)]
        });
    }
}

//! Criterion benchmarks of sgntk-kernel: throughput in kernel entries per second.
//!
//! Ids encode the parameters: `kernel/<kind>-<activation>-<surrogate>-depth<L>/n<N>` for an
//! `N x N` kernel on the unit circle (input dimension 2). Closed forms: the erf(2) NTK (the
//! neural-tangents comparison, `benches/peers/nt_kernel.py`) and the sign SG-NTK with the erf(1)
//! surrogate at N = 1000 and 4000; the quadrature fallback (tanh NTK, sign SG-NTK with the
//! fast-sigmoid surrogate) at N = 64 (direct: too few entries to tabulate) and at N = 1000 and
//! 4000 (per-layer tables: the points share one norm); the erf(2) NTK also into a reused buffer
//! (`-into`). Setup (architecture, points) stays outside the timed closure; each sample computes
//! one full matrix, including the tables' construction.
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use faer::Mat;
use sgntk::kernel::{Architecture, KernelKind};

/// `n` points on the unit circle at angles `2 pi i / n - pi` (the paper's grid for n = 100).
fn circle(n: usize) -> Mat<f64> {
    Mat::from_fn(n, 2, |i, j| {
        let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64 - std::f64::consts::PI;
        if j == 0 { a.sin() } else { a.cos() }
    })
}

fn arch(act: &str, sur: &str) -> Architecture {
    Architecture::new(2, 2, 1.0, 0.1, act.parse().unwrap(), sur.parse().unwrap()).unwrap()
}

fn bench_case(c: &mut Criterion, kind: KernelKind, act: &str, sur: &str, sizes: &[usize]) {
    let a = arch(act, sur);
    let mut g = c.benchmark_group("kernel");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    for &n in sizes {
        let x = circle(n);
        // Fail early (outside the timing) if this pair cannot be computed at all.
        if let Err(e) = a.kernel(kind, x.as_ref(), x.as_ref()) {
            eprintln!("skipping {kind}-{act}-{sur} n{n}: {e}");
            continue;
        }
        g.throughput(Throughput::Elements((n * n) as u64));
        g.bench_with_input(
            BenchmarkId::new(format!("{kind}-{act}-{sur}-depth2"), format!("n{n}")),
            &x,
            |b, x| b.iter(|| a.kernel(kind, x.as_ref(), x.as_ref()).unwrap()),
        );
    }
    g.finish();
}

/// The same kernel written into one reused output buffer (`Architecture::kernel_into`): the
/// computation without the allocation and page faults of a fresh `N x N` matrix.
fn bench_into(c: &mut Criterion, kind: KernelKind, act: &str, sur: &str, sizes: &[usize]) {
    let a = arch(act, sur);
    let mut g = c.benchmark_group("kernel");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    for &n in sizes {
        let x = circle(n);
        let mut out = Mat::<f64>::zeros(n, n);
        g.throughput(Throughput::Elements((n * n) as u64));
        g.bench_function(
            BenchmarkId::new(format!("{kind}-{act}-{sur}-depth2-into"), format!("n{n}")),
            |b| {
                b.iter(|| {
                    a.kernel_into(kind, x.as_ref(), x.as_ref(), out.as_mut())
                        .unwrap()
                })
            },
        );
    }
    g.finish();
}

fn closed_forms(c: &mut Criterion) {
    bench_case(c, KernelKind::Ntk, "erf:2", "erf:1", &[1000, 4000]);
    bench_into(c, KernelKind::Ntk, "erf:2", "erf:1", &[1000, 4000]);
    bench_case(c, KernelKind::SgNtk, "sign", "erf:1", &[1000, 4000]);
    bench_case(c, KernelKind::Nngp, "sign", "erf:1", &[1000, 4000]);
}

fn quadrature_fallback(c: &mut Criterion) {
    bench_case(c, KernelKind::Ntk, "tanh", "erf:1", &[64, 1000, 4000]);
    bench_case(
        c,
        KernelKind::SgNtk,
        "sign",
        "fast-sigmoid:25",
        &[64, 1000, 4000],
    );
}

criterion_group!(benches, closed_forms, quadrature_fallback);
criterion_main!(benches);

//! Criterion probe of the machine's floating-point limit: FMA throughput in f32 and f64.
//!
//! Ids: `peak/fma-<f32|f64>-t<T>` with `T` threads (1 and 2). Each thread runs 12 independent
//! vector accumulator chains `acc = acc * a + b` (enough to cover the FMA latency on two
//! pipes) for a fixed number of rounds, with the widest SIMD level `pulp` dispatches to at run
//! time. Throughput is counted in FLOP (2 per lane-FMA), so criterion's elements/s is FLOP/s.
//! The report (`cargo xtask bench-report`) compares the SGL step's achieved FLOP rate with
//! `peak/fma-f32-t1`.
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Accumulator chains per thread.
const CHAINS: usize = 12;
/// Rounds per thread and iteration (a few ms at ~100 GFLOP/s).
const ROUNDS: usize = 2_000_000;

struct Fma32 {
    rounds: usize,
}

impl pulp::WithSimd for Fma32 {
    type Output = (f32, usize);
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (f32, usize) {
        let lanes = std::mem::size_of::<S::f32s>() / 4;
        let mut acc = [simd.splat_f32s(0.0); CHAINS];
        let a = simd.splat_f32s(black_box(0.999_999));
        let b = simd.splat_f32s(black_box(1e-7));
        for _ in 0..self.rounds {
            for x in acc.iter_mut() {
                *x = simd.mul_add_f32s(*x, a, b);
            }
        }
        let mut s = 0.0;
        for x in acc {
            s += simd.reduce_sum_f32s(x);
        }
        (s, lanes)
    }
}

struct Fma64 {
    rounds: usize,
}

impl pulp::WithSimd for Fma64 {
    type Output = (f64, usize);
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (f64, usize) {
        let lanes = std::mem::size_of::<S::f64s>() / 8;
        let mut acc = [simd.splat_f64s(0.0); CHAINS];
        let a = simd.splat_f64s(black_box(0.999_999));
        let b = simd.splat_f64s(black_box(1e-7));
        for _ in 0..self.rounds {
            for x in acc.iter_mut() {
                *x = simd.mul_add_f64s(*x, a, b);
            }
        }
        let mut s = 0.0;
        for x in acc {
            s += simd.reduce_sum_f64s(x);
        }
        (s, lanes)
    }
}

/// One probe on one thread; returns (checksum, SIMD lanes).
fn probe(f64_: bool, rounds: usize) -> (f64, usize) {
    let arch = pulp::Arch::new();
    if f64_ {
        arch.dispatch(Fma64 { rounds })
    } else {
        let (s, l) = arch.dispatch(Fma32 { rounds });
        (s as f64, l)
    }
}

/// `threads` probes in parallel (scoped threads; the spawn costs microseconds against
/// milliseconds of work).
fn run(f64_: bool, threads: usize) -> f64 {
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| s.spawn(move || probe(f64_, black_box(ROUNDS)).0))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    })
}

fn peak(c: &mut Criterion) {
    let mut g = c.benchmark_group("peak");
    g.sample_size(20).warm_up_time(Duration::from_millis(500));
    for (name, f64_) in [("f32", false), ("f64", true)] {
        let lanes = probe(f64_, 1).1;
        for threads in [1usize, 2] {
            let flop = 2 * CHAINS * lanes * ROUNDS * threads;
            g.throughput(Throughput::Elements(flop as u64));
            g.bench_function(format!("fma-{name}-t{threads}"), |b| {
                b.iter(|| run(f64_, threads))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, peak);
criterion_main!(benches);

//! Criterion benchmarks of sgntk-sgl: SGL network-steps per second.
//!
//! Ids encode the parameters: `sgl/sgl-ref-n<N>-p15-f32` is one fast step ([`Trainer::step`])
//! of the reference configuration (2 hidden layers of width N, P = 15 points on the unit circle,
//! d = 2, sign activation, erf(1) surrogate, lr 0.1, f32) at N = 100, 500, 1000;
//! `sgl-ref-n500-p15-f64` the same in f64; `sgl-ens-n<N>-p15-f32-t<T>` an ensemble of 8
//! networks stepped in parallel on all T rayon threads (elements: network-steps); `sgl-naive-n<N>-p15-f32` the straightforward
//! [`Network::reference_step`] for scale; `sgl-kernel-{fused,faer}-n500-p15` the middle-layer
//! kernel alone (`back = G W; W += c G^T A`). Throughput is one element per step, so criterion's
//! elements/s is network-steps/s on one thread. Setup stays outside the timed closure; the
//! network keeps training across iterations (steady state, including periodic resyncs).
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sgntk::sgl::{Dataset, Float, Network, NetworkSpec, Trainer};

/// The paper's 15 training points (SPEC section 6).
fn train_set() -> Dataset {
    let idx = [54, 69, 18, 41, 23, 50, 65, 82, 63, 3, 0, 4, 58, 79, 95];
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in idx {
        let a = 2.0 * std::f64::consts::PI * i as f64 / 100.0 - std::f64::consts::PI;
        let (x0, x1) = (a.sin(), a.cos());
        x.extend([x0, x1]);
        y.push(4.0 * x0 * x1 * x1 - 0.8 * x0.powi(3) + 1.2 * x1 * x1 - 0.8 * x0 * x0 * x1);
    }
    Dataset::new(x, 2, y).unwrap()
}

fn spec(n: usize) -> NetworkSpec {
    NetworkSpec::new(
        2,
        vec![n, n],
        1.0,
        0.1,
        "sign".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap()
}

fn fast<T: Float>(c: &mut Criterion, n: usize) {
    let data = train_set();
    let mut g = c.benchmark_group("sgl");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    let mut tr = Trainer::new(Network::<T>::init(&spec(n), 1, 0), &data, 0.1).unwrap();
    g.bench_function(
        BenchmarkId::from_parameter(format!("sgl-ref-n{n}-p15-{}", T::NAME)),
        |b| b.iter(|| tr.step()),
    );
}

/// Networks and steps per timed iteration of the ensemble bench (each thread keeps one network
/// for 250 steps, as `train_ensemble` keeps it for the whole run: switching networks every few
/// steps would measure L2 refills of the 1 MB weight matrices instead of training).
const ENS_NETWORKS: usize = 8;
const ENS_STEPS: usize = 250;

/// An ensemble of independent networks trained in parallel on all of rayon's threads (as
/// `train_ensemble` and `cargo xtask reproduce-fig1` do): the like-for-like comparison with the
/// JAX peer, which also uses every core. One element per network-step.
fn ensemble(c: &mut Criterion, n: usize) {
    use rayon::prelude::*;
    let data = train_set();
    let threads = rayon::current_num_threads();
    let mut g = c.benchmark_group("sgl");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements((ENS_NETWORKS * ENS_STEPS) as u64));
    let mut trainers: Vec<Trainer<f32>> = (0..ENS_NETWORKS)
        .map(|k| Trainer::new(Network::<f32>::init(&spec(n), 1, k), &data, 0.1).unwrap())
        .collect();
    g.bench_function(
        BenchmarkId::from_parameter(format!("sgl-ens-n{n}-p15-f32-t{threads}")),
        |b| {
            b.iter(|| {
                trainers.par_iter_mut().for_each(|tr| {
                    for _ in 0..ENS_STEPS {
                        tr.step();
                    }
                })
            })
        },
    );
}

fn naive(c: &mut Criterion, n: usize) {
    let data = train_set();
    let mut g = c.benchmark_group("sgl");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(1));
    let mut net = Network::<f32>::init(&spec(n), 1, 0);
    g.bench_function(
        BenchmarkId::from_parameter(format!("sgl-naive-n{n}-p15-f32")),
        |b| b.iter(|| net.reference_step(&data, 0.1).unwrap()),
    );
}

fn kernels(c: &mut Criterion) {
    let (n, p) = (500, 15);
    let mut w: Vec<f32> = (0..n * n)
        .map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5)
        .collect();
    let gm: Vec<f32> = (0..p * n).map(|i| ((i * 31) % 97) as f32 * 1e-4).collect();
    let a: Vec<f32> = (0..p * n)
        .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
        .collect();
    let mut back = vec![0.0f32; p * n];
    let mut g = c.benchmark_group("sgl");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements((2 * 2 * n * n * p) as u64));
    g.bench_function("sgl-kernel-fused-n500-p15", |b| {
        b.iter(|| {
            sgntk::sgl::kernels::backward_update_fused(&mut w, n, n, &gm, &a, 1e-9, &mut back)
        })
    });
    g.bench_function("sgl-kernel-faer-n500-p15", |b| {
        b.iter(|| sgntk::sgl::kernels::backward_update_faer(&mut w, n, n, &gm, &a, 1e-9, &mut back))
    });
}

fn all(c: &mut Criterion) {
    for n in [100, 500, 1000] {
        fast::<f32>(c, n);
    }
    for n in [100, 500, 1000] {
        ensemble(c, n);
    }
    fast::<f64>(c, 500);
    naive(c, 100);
    kernels(c);
}

criterion_group!(benches, all);
criterion_main!(benches);

"""Peer benchmark: neural-tangents' infinite-width NTK on the CPU, float64.

The same kernel as `benches/benches/kernel.rs` (`kernel/ntk-erf:2-erf:1-depth2/nN`): two hidden
layers, erf(2 x) activation (neural-tangents' Erf(a=1, b=2, c=0) = erf(2 x)), NTK
parametrization, sigma_w = 1, sigma_b = 0.1, N points on the unit circle, the full N x N NTK
via kernel_fn(x, None, 'ntk') under jax.jit (compiled once, outside the timing); and the NNGP of
the same network with the sign activation (stax.Sign(); `kernel/nngp-sign-erf:1-depth2/nN`) via
kernel_fn(x, None, 'nngp'). Prints the median wall time of `--repeats` runs and entries per
second; each result row names its kernel ("ntk-erf" or "nngp-sign").

    .venv/bin/python benches/peers/nt_kernel.py --sizes 1000 4000 --repeats 5
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "crates", "sgntk-kernel", "test_data"))
import nt_shim  # noqa: E402,F401  (float64 on, jax names patched for neural-tangents 0.6.5)
import jax  # noqa: E402
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--m", type=float, default=2.0)
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (versions, per-size runs and medians) instead")
    args = p.parse_args()
    def net(act):
        layers = []
        for _ in range(2):
            layers += [stax.Dense(1, W_std=1.0, b_std=0.1, parameterization="ntk"), act]
        layers += [stax.Dense(1, W_std=1.0, b_std=0.1, parameterization="ntk")]
        return jax.jit(stax.serial(*layers)[2], static_argnames="get")

    cases = [("ntk-erf", net(stax.Erf(a=1.0, b=args.m, c=0.0)), "ntk"),
             ("nngp-sign", net(stax.Sign()), "nngp")]
    if not args.json:
        print(f"jax {jax.__version__}, devices {jax.devices()}, x64 {jax.config.jax_enable_x64}")
    results = []
    for name, kernel_fn, get in cases:
        for n in args.sizes:
            a = 2 * np.pi * np.arange(n) / n - np.pi
            x = np.stack([np.sin(a), np.cos(a)], axis=1)
            k = kernel_fn(x, None, get).block_until_ready()  # compile + warm up
            assert k.dtype == np.float64 and k.shape == (n, n)
            times, cpu = [], []
            for _ in range(args.repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                kernel_fn(x, None, get).block_until_ready()
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            med, cmed = statistics.median(times), statistics.median(cpu)
            # CPU time of all threads: less sensitive than wall time to other processes on a
            # shared machine (entries per CPU-second x cores = the throughput with the machine
            # to itself).
            results.append({"kernel": name, "n": n, "median_s": med, "runs_s": times,
                            "entries_per_s": n * n / med, "median_cpu_s": cmed,
                            "entries_per_cpu_s": n * n / cmed})
            if args.json:
                continue
            print(f"{name} n={n} median {med * 1e3:.1f} ms  {n * n / med:.3e} entries/s  "
                  f"(runs: {', '.join(f'{t * 1e3:.1f}' for t in times)} ms); "
                  f"CPU {cmed * 1e3:.1f} ms = {n * n / cmed:.3e} entries per CPU-second")
    if args.json:
        import json
        import neural_tangents
        print(json.dumps({"peer": "neural-tangents", "jax": jax.__version__,
                          "neural_tangents": getattr(neural_tangents, "__version__", "unknown"),
                          "devices": str(jax.devices()), "x64": bool(jax.config.jax_enable_x64),
                          "kernel": f"ntk erf({args.m} x) and nngp sign, depth 2, sigma_w 1, "
                                    "sigma_b 0.1",
                          "results": results}))


if __name__ == "__main__":
    main()

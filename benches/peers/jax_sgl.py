"""JAX peer of the sgntk-sgl step-rate benchmark (reference configuration).

Two hidden layers of width N (default 500), NTK parametrisation, sigma_w = 1, sigma_b = 0.1,
sign activation with the erf(1) surrogate derivative (2/sqrt(pi)) exp(-x^2) in the backward pass
(jax.custom_jvp), P = 15 training points on the unit circle, d = 2, float32, full-batch gradient
descent on 0.5 * mean squared error with lr 0.1. An ensemble of K networks is trained with
jit + vmap, S steps inside one lax.scan; compilation is excluded from the timing.

Usage: .venv/bin/python benches/peers/jax_sgl.py [--width 500] [--ensemble 16] [--steps 500]
Prints network-steps per second (K * S / wall time), best of --repeats runs.
"""

import argparse
import math
import time

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", False)


@jax.custom_jvp
def sign_sg(x):
    return jnp.sign(x)


@sign_sg.defjvp
def _sign_sg_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return jnp.sign(x), t * (2.0 / math.sqrt(math.pi)) * jnp.exp(-x * x)


def init(key, d, n):
    ks = jax.random.split(key, 6)
    return dict(
        w1=jax.random.normal(ks[0], (n, d), jnp.float32),
        b1=jax.random.normal(ks[1], (n,), jnp.float32),
        w2=jax.random.normal(ks[2], (n, n), jnp.float32),
        b2=jax.random.normal(ks[3], (n,), jnp.float32),
        w3=jax.random.normal(ks[4], (1, n), jnp.float32),
        b3=jax.random.normal(ks[5], (1,), jnp.float32),
    )


def forward(p, x, sw=1.0, sb=0.1):
    d = x.shape[1]
    n = p["w2"].shape[0]
    h1 = sw / math.sqrt(d) * x @ p["w1"].T + sb * p["b1"]
    h2 = sw / math.sqrt(n) * sign_sg(h1) @ p["w2"].T + sb * p["b2"]
    f = sw / math.sqrt(n) * sign_sg(h2) @ p["w3"].T + sb * p["b3"]
    return f[:, 0]


def loss(p, x, y):
    r = forward(p, x) - y
    return 0.5 * jnp.mean(r * r)


def make_train(steps, lr):
    def one(p, x, y):
        def body(p, _):
            g = jax.grad(loss)(p, x, y)
            return jax.tree_util.tree_map(lambda a, b: a - lr * b, p, g), None

        p, _ = jax.lax.scan(body, p, None, length=steps)
        return p

    return jax.jit(jax.vmap(one, in_axes=(0, None, None)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=500)
    ap.add_argument("--ensemble", type=int, default=16)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object (all runs, median and best) instead")
    a = ap.parse_args()
    idx = [54, 69, 18, 41, 23, 50, 65, 82, 63, 3, 0, 4, 58, 79, 95]
    al = jnp.array([2 * math.pi * i / 100 - math.pi for i in idx], jnp.float32)
    x = jnp.stack([jnp.sin(al), jnp.cos(al)], axis=1)
    x0, x1 = x[:, 0], x[:, 1]
    y = 4 * x0 * x1**2 - 0.8 * x0**3 + 1.2 * x1**2 - 0.8 * x0**2 * x1
    keys = jax.random.split(jax.random.PRNGKey(0), a.ensemble)
    params = jax.vmap(lambda k: init(k, 2, a.width))(keys)
    train = make_train(a.steps, 0.1)
    jax.block_until_ready(train(params, x, y))  # compile
    best = math.inf
    best_cpu = math.inf
    runs, cpu_runs = [], []
    for _ in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = jax.block_until_ready(train(params, x, y))
        runs.append(time.perf_counter() - t0)
        cpu_runs.append(time.process_time() - c0)
        best = min(best, runs[-1])
        best_cpu = min(best_cpu, cpu_runs[-1])
    rate = a.ensemble * a.steps / best
    cpu_rate = a.ensemble * a.steps / best_cpu
    final = float(jnp.mean(jax.vmap(loss, in_axes=(0, None, None))(out, x, y)))
    if a.json:
        import json
        import statistics
        med = statistics.median(runs)
        print(json.dumps({"peer": "jax", "jax": jax.__version__, "width": a.width,
                          "ensemble": a.ensemble, "steps": a.steps, "runs_s": runs,
                          "cpu_runs_s": cpu_runs, "median_s": med,
                          "network_steps_per_s": a.ensemble * a.steps / med,
                          "final_loss": final, "devices": str(jax.devices())}))
        return
    print(
        f"jax {jax.__version__} width={a.width} ensemble={a.ensemble} steps={a.steps}: "
        f"{rate:.0f} network-steps/s (best of {a.repeats}, {best:.2f} s wall); "
        f"{cpu_rate:.0f} network-steps per CPU-second (all threads); "
        f"mean final loss {final:.3e}; devices {jax.devices()}"
    )


if __name__ == "__main__":
    main()

"""Reference kernels from neural-tangents (an independent implementation of the NNGP / NTK
recursions), float64. Run from the repository root:

    .venv/bin/python crates/sgntk-kernel/test_data/make_nt_fixtures.py

Writes nt_<name>.csv (one kernel matrix per file, "%.17g", no header; for the 100-point circle
grid only rows 0, 10, ..., 90 are stored) and points_*.csv.

Networks: stax.serial(Dense, act, Dense, act, Dense) in NTK parametrization with W_std = sigma_w,
b_std = sigma_b (the output layer with kappa * sigma_w, kappa * sigma_b); act = Erf(a=1, b=m,
c=0), which neural-tangents defines as a * erf(b x) + c = erf(m x), or Sign(). Depth 2.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nt_shim  # noqa: E402,F401  (enables float64, patches jax names)
import numpy as np  # noqa: E402
from neural_tangents import stax  # noqa: E402


def circle(n=100):
    a = 2 * np.pi * np.arange(n) / n - np.pi
    return np.stack([np.sin(a), np.cos(a)], axis=1)


def net(act, sw=1.0, sb=0.1, kappa=1.0, depth=2):
    layers = []
    for _ in range(depth):
        layers += [stax.Dense(1, W_std=sw, b_std=sb, parameterization="ntk"), act()]
    layers += [stax.Dense(1, W_std=kappa * sw, b_std=kappa * sb, parameterization="ntk")]
    return stax.serial(*layers)[2]


def save(name, m):
    np.savetxt(os.path.join(HERE, name), np.asarray(m, dtype=np.float64), fmt="%.17g",
               delimiter=",")


def main():
    x = circle()
    save("points_circle.csv", x)
    # Points of different norms in R^3 (X1 != X2), seeded.
    rng = np.random.default_rng(20240515)
    x1 = rng.normal(size=(6, 3)) * rng.uniform(0.3, 2.0, size=(6, 1))
    x2 = rng.normal(size=(5, 3)) * rng.uniform(0.3, 2.0, size=(5, 1))
    save("points_x1.csv", x1)
    save("points_x2.csv", x2)

    for m in [2, 5, 20]:
        k = net(lambda: stax.Erf(a=1.0, b=float(m), c=0.0))(x, None, ("nngp", "ntk"))
        save(f"nt_circle_erf{m}_nngp.csv", k.nngp[::10])
        save(f"nt_circle_erf{m}_ntk.csv", k.ntk[::10])
    k = net(stax.Sign)(x, None, "nngp")
    save("nt_circle_sign_nngp.csv", k[::10])

    # General case: kappa = 0.2, sigma_w = 1.3, sigma_b = 0.4, X1 != X2 of different norms.
    k = net(lambda: stax.Erf(a=1.0, b=3.0, c=0.0), sw=1.3, sb=0.4, kappa=0.2)(
        x1, x2, ("nngp", "ntk"))
    save("nt_x1x2_erf3_kappa0.2_nngp.csv", k.nngp)
    save("nt_x1x2_erf3_kappa0.2_ntk.csv", k.ntk)
    k = net(stax.Sign, sw=1.3, sb=0.4, kappa=0.2)(x1, x2, "nngp")
    save("nt_x1x2_sign_kappa0.2_nngp.csv", k)


if __name__ == "__main__":
    main()

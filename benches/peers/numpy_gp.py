"""numpy/scipy peer of benches/benches/gp.rs: the same GP solves on the same kind of matrices.

Same construction of kernel-like matrices as the Rust bench (random tanh features plus a diagonal
nugget, asymmetric I(X,X); numpy's generator, so the values differ but the shapes, norms and
conditioning are alike). For each P in (1000, 4000), N = 1000, times (median of `--repeats` runs):

- inf-full:  scipy.linalg.lu_factor(M); A^T = lu_solve(.., I(x,X)^T, trans=1); dgecon condition
             estimate; mean = A Y; C = Sigma(x,x) + sym((A Sigma(X,X) - 2 Sigma(x,X)) A^T)
- gf-eta0.1-t1000-full: E = scipy.linalg.expm(-s M), s = eta t / P; G = lu_solve(.., Id - E)
             (the plain formula a numpy user writes: it loses relative accuracy in eigen-directions
             with s lambda << 1, which the Rust phi_1 route does not); then as above with A = I(x,X) G
- nngp-full: scipy.linalg.cho_factor(Sigma(X,X)); mean and C = Sigma(x,x) - V^T V, V = L^{-1} Sigma(X,x)

Run: /work/main/.venv/bin/python benches/peers/numpy_gp.py [--repeats 5] [--sizes 1000 4000]
     [--cases inf-full gf-eta0.1-t1000-full nngp-full]
Prints one line per case: "<id> p<P>-n<N> median_s <seconds> runs [...]".
"""
import argparse
import statistics
import time

import numpy as np
import scipy.linalg as sla
from scipy.linalg import lapack


def kernels(m, seed, d=3, k=64):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((m, d))
    w = rng.standard_normal((d, k)) / np.sqrt(d)
    b = 0.3 * rng.standard_normal(k)
    pre = z @ w + b
    phi = np.tanh(pre)
    psi1 = 1.0 - np.tanh(pre) ** 2
    psi2 = np.exp(-pre ** 2)
    sigma = phi @ phi.T / k + 0.1 + 0.5 * np.eye(m)
    sigma = 0.5 * (sigma + sigma.T)
    ntk = sigma + (z @ z.T / d + 0.1) * (psi1 @ psi2.T / k)
    return np.asfortranarray(sigma), np.asfortranarray(ntk)


def assemble(a, y, s_XX, s_xX, s_xx):
    mean = a @ y
    b = a @ s_XX - 2.0 * s_xX
    k = b @ a.T
    cov = s_xx + 0.5 * (k + k.T)
    return mean, cov


def gp_inf(M, y, s_XX, s_xX, s_xx, i_xX):
    lu, piv = sla.lu_factor(M, check_finite=True)
    rcond, _ = lapack.dgecon(lu, np.linalg.norm(M, 1), norm="1")
    a = sla.lu_solve((lu, piv), i_xX.T, trans=1).T
    return assemble(a, y, s_XX, s_xX, s_xx) + (1.0 / rcond,)


def gp_gf(M, y, s_XX, s_xX, s_xx, i_xX, eta, t):
    p = M.shape[0]
    s = eta * t / p
    lu, piv = sla.lu_factor(M, check_finite=True)
    rcond, _ = lapack.dgecon(lu, np.linalg.norm(M, 1), norm="1")
    e = sla.expm(-s * M)
    g = sla.lu_solve((lu, piv), np.eye(p) - e)
    a = i_xX @ g
    return assemble(a, y, s_XX, s_xX, s_xx) + (1.0 / rcond,)


def nngp(y, s_XX, s_xX, s_xx):
    c, low = sla.cho_factor(s_XX, lower=True, check_finite=True)
    alpha = sla.cho_solve((c, low), y)
    mean = s_xX @ alpha
    v = sla.solve_triangular(c, s_xX.T, lower=True)
    cov = s_xx - v.T @ v
    return mean, cov


def timed(f, repeats):
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    ap.add_argument("--cases", nargs="+", default=["inf-full", "gf-eta0.1-t1000-full", "nngp-full"])
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object (versions, per-case runs and medians) instead")
    args = ap.parse_args()
    out = print if not args.json else (lambda *a, **k: None)
    results = []
    n = 1000
    for p in args.sizes:
        sigma, ntk = kernels(p + n, 7)
        y = np.random.default_rng(99).standard_normal(p)
        M = np.asfortranarray(ntk[:p, :p])
        s_XX = np.asfortranarray(sigma[:p, :p])
        s_xX = np.asfortranarray(sigma[p:, :p])
        s_xx = np.asfortranarray(sigma[p:, p:])
        i_xX = np.asfortranarray(ntk[p:, :p])
        cond = gp_inf(M, y, s_XX, s_xX, s_xx, i_xX)[2]
        out(f"# p{p}: dgecon condition {cond:.3e}; s ||M||_1 = {0.1 * 1000 / p * np.linalg.norm(M, 1):.1f}", flush=True)
        cases = [
            ("inf-full", lambda: gp_inf(M, y, s_XX, s_xX, s_xx, i_xX)),
            ("gf-eta0.1-t1000-full", lambda: gp_gf(M, y, s_XX, s_xX, s_xx, i_xX, 0.1, 1000.0)),
            ("nngp-full", lambda: nngp(y, s_XX, s_xX, s_xx)),
        ]
        for name, f in cases:
            if name not in args.cases:
                continue
            f()  # warm-up
            med, runs = timed(f, args.repeats)
            results.append({"id": name, "p": p, "n": n, "median_s": med, "runs_s": runs,
                            "condition": cond})
            out(f"{name} p{p}-n{n} median_s {med:.4f} runs {[round(r, 4) for r in runs]}", flush=True)
    if args.json:
        import json
        import scipy
        print(json.dumps({"peer": "numpy/scipy", "numpy": np.__version__,
                          "scipy": scipy.__version__, "results": results}))


if __name__ == "__main__":
    main()

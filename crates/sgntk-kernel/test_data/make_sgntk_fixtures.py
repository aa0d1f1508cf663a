"""Reference SG-NTKs by an independent route: the recursion of SPEC section 3 with every
Gaussian expectation reduced to one-dimensional integrals evaluated by mpmath.quad at 25 digits
(no closed form of SPEC section 4 is used). Run from the repository root:

    .venv/bin/python crates/sgntk-kernel/test_data/make_sgntk_fixtures.py

For (u, v) ~ N(0, [[a, c], [c, b]]):
  E[sign(u) sign(v)]     = int p_a(u) sign(u) erf(mu(u) / sqrt(2 q)) du,  mu = c u / a, q = b - c^2/a
  E[2 delta(u) beta(v)]  = 2 p_a(0) int p_q(v) beta(v) dv                 (v | u = 0 ~ N(0, q))
  E[alpha(u) beta(v)]    = int p_a(u) alpha(u) int p_q(v) beta(mu(u) + v) dv du     (smooth alpha)
  E[phi(u) phi(v)]       = int p_a(u) phi(u) int p_q(v) phi(mu(u) + v) dv du        (smooth phi)
with p_s the N(0, s) density. Surrogates: erf:M -> (2M/sqrt(pi)) exp(-M^2 x^2); identity -> 1.

Writes sg_<name>.csv ("%.17g", no header). Circle grid (points_circle.csv): rows 0, 10, ..., 90.
"""
import math
import os

import mpmath as mp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
mp.mp.dps = 25
INF = mp.inf


def pdf(x, s):
    return mp.exp(-x * x / (2 * s)) / mp.sqrt(2 * mp.pi * s)


def gauss1(f, s):
    """E[f(v)], v ~ N(0, s) (s >= 0)."""
    if s <= 0:
        return f(mp.mpf(0))
    return mp.quad(lambda v: pdf(v, s) * f(v), [-INF, 0, INF])


def erf_sur(m):
    m = mp.mpf(m)
    return lambda x: 2 * m / mp.sqrt(mp.pi) * mp.exp(-m * m * x * x)


def one(_x):
    return mp.mpf(1)


class Act:
    """An activation: value phi, smooth part of phi', and the point mass weight at 0."""

    def __init__(self, kind, m=None):
        self.kind, self.m = kind, m

    def phi(self, x):
        return mp.sign(x) if self.kind == "sign" else mp.erf(self.m * x)

    def dphi(self, x):
        return 2 * self.m / mp.sqrt(mp.pi) * mp.exp(-(self.m * x) ** 2)


def split(a, b, c):
    mu = c / a
    q = max(b - c * c / a, mp.mpf(0))
    return mu, q


def e_act(act, a, b, c):
    mu, q = split(a, b, c)
    if act.kind == "sign":
        inner = (lambda u: mp.sign(mu * u)) if q == 0 else (
            lambda u: mp.erf(mu * u / mp.sqrt(2 * q)))
        return mp.quad(lambda u: pdf(u, a) * mp.sign(u) * inner(u), [-INF, 0, INF])
    return mp.quad(lambda u: pdf(u, a) * act.phi(u) * gauss1(lambda v: act.phi(mu * u + v), q),
                   [-INF, 0, INF])


def e_deriv(act, beta, a, b, c):
    """E[phi'(u) beta(v)] (true derivative at u, beta at v)."""
    mu, q = split(a, b, c)
    if act.kind == "sign":
        return 2 * pdf(0, a) * gauss1(beta, q)
    return mp.quad(lambda u: pdf(u, a) * act.dphi(u) * gauss1(lambda v: beta(mu * u + v), q),
                   [-INF, 0, INF])


def e_sur(alpha, beta, a, b, c):
    mu, q = split(a, b, c)
    return mp.quad(lambda u: pdf(u, a) * alpha(u) * gauss1(lambda v: beta(mu * u + v), q),
                   [-INF, 0, INF])


def kernel(x, y, act, beta, sw, sb, kappa, depth=2, surrogate_kernel=False):
    """Output SG-NTK I(x, y) (or the surrogate kernel K~ with surrogate_kernel=True)."""
    n0 = len(x)
    w = [mp.mpf(sw) ** 2] * (depth + 1)
    b = [mp.mpf(sb) ** 2] * (depth + 1)
    w[-1] *= mp.mpf(kappa) ** 2
    b[-1] *= mp.mpf(kappa) ** 2
    dot = lambda p, q: mp.fsum(mp.mpf(float(s)) * mp.mpf(float(t)) for s, t in zip(p, q))
    sxx = w[0] / n0 * dot(x, x) + b[0]
    syy = w[0] / n0 * dot(y, y) + b[0]
    sxy = w[0] / n0 * dot(x, y) + b[0]
    t = sxy
    for l in range(1, depth + 1):
        if surrogate_kernel:
            d = e_sur(beta, beta, sxx, syy, sxy)
        else:
            d = e_deriv(act, beta, sxx, syy, sxy)
        sxy_n = w[l] * e_act(act, sxx, syy, sxy) + b[l]
        sxx = w[l] * e_act(act, sxx, sxx, sxx) + b[l]
        syy = w[l] * e_act(act, syy, syy, syy) + b[l]
        t = sxy_n + t * w[l] * d
        sxy = sxy_n
    return t


def save(name, rows):
    np.savetxt(os.path.join(HERE, name), np.array(rows, dtype=np.float64), fmt="%.17g",
               delimiter=",")


def table(xs, ys, **kw):
    return [[float(kernel(x, y, **kw)) for y in ys] for x in xs]


def main():
    circle = np.loadtxt(os.path.join(HERE, "points_circle.csv"), delimiter=",")
    x1 = np.loadtxt(os.path.join(HERE, "points_x1.csv"), delimiter=",")
    x2 = np.loadtxt(os.path.join(HERE, "points_x2.csv"), delimiter=",")
    sign = Act("sign")
    # The paper's set-up: sign network, erf(1) surrogate, sigma_w = 1, sigma_b = 0.1, kappa = 1.
    save("sg_circle_sign_erf1_sgntk.csv",
         table(circle[::10], circle, act=sign, beta=erf_sur(1), sw=1.0, sb=0.1, kappa=1.0))
    general = dict(sw=1.3, sb=0.4, kappa=0.2)
    # Points of different norms: I(x1, x2) and I(x2, x1) (true derivative at the first argument).
    save("sg_x1x2_sign_erf1_sgntk.csv", table(x1, x2, act=sign, beta=erf_sur(1), **general))
    save("sg_x2x1_sign_erf1_sgntk.csv", table(x2, x1, act=sign, beta=erf_sur(1), **general))
    save("sg_x1x2_sign_identity_sgntk.csv", table(x1, x2, act=sign, beta=one, **general))
    save("sg_x1x2_erf3_erf1_sgntk.csv",
         table(x1, x2, act=Act("erf", mp.mpf(3)), beta=erf_sur(1), **general))
    save("sg_x1x2_sign_erf1_surrogate.csv",
         table(x1, x2, act=sign, beta=erf_sur(1), surrogate_kernel=True, **general))


if __name__ == "__main__":
    main()

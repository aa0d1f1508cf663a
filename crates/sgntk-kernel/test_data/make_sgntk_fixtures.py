"""Reference SG-NTKs by an independent route: the recursion of SPEC section 3 with every
Gaussian expectation computed numerically (no closed form of SPEC section 4 is used):
sign networks by one-dimensional integrals evaluated by mpmath.quad at 25 digits (below), smooth
integrands (erf activation, erf surrogates on both sides) by nested adaptive QUADPACK
integrals (scipy.integrate.quad, float64, relative tolerance 1e-13) of the conditional
decomposition below. Run from the
repository root (optionally naming the outputs to regenerate):

    .venv/bin/python crates/sgntk-kernel/test_data/make_sgntk_fixtures.py [NAME.csv ...]

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
import sys

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
    f = lambda x: 2 * m / mp.sqrt(mp.pi) * mp.exp(-m * m * x * x)  # noqa: E731
    f.np = np_bump(float(m))
    return f


def one(_x):
    return mp.mpf(1)


one.np = lambda x: 1.0


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


def quad2(f, g, a, b, c):
    """E[f(u) g(v)] as a nested adaptive (QUADPACK) integral in float64:
    int p_a(u) f(u) int p_q(w) g(mu u + w) dw du over +-12 standard deviations, the inner range
    split at the centre -mu u of the (possibly narrow) function g."""
    from scipy.integrate import quad
    a, b, c = float(a), float(b), float(c)
    mu, q = c / a, max(b - c * c / a, 0.0)
    sa, sq = math.sqrt(a), math.sqrt(q)
    opts = dict(epsabs=1e-15, epsrel=1e-13, limit=400)

    def inner(u):
        if sq == 0.0:
            return g(mu * u)
        dens = lambda w: math.exp(-w * w / (2 * q)) / math.sqrt(2 * math.pi * q)  # noqa: E731
        h = lambda w: dens(w) * g(mu * u + w)  # noqa: E731
        lo, mid, hi = -12 * sq, min(max(-mu * u, -12 * sq), 12 * sq), 12 * sq
        return quad(h, lo, mid, **opts)[0] + quad(h, mid, hi, **opts)[0]

    pa = lambda u: math.exp(-u * u / (2 * a)) / math.sqrt(2 * math.pi * a)  # noqa: E731
    outer = lambda u: pa(u) * f(u) * inner(u)  # noqa: E731
    return mp.mpf(quad(outer, -12 * sa, 0, **opts)[0] + quad(outer, 0, 12 * sa, **opts)[0])


gh2 = quad2


def np_erf(m):
    return lambda x: math.erf(m * x)


def np_bump(m):
    return lambda x: 2 * m / math.sqrt(math.pi) * math.exp(-(m * x) ** 2)


def e_act(act, a, b, c):
    mu, q = split(a, b, c)
    if act.kind != "sign":
        return gh2(np_erf(float(act.m)), np_erf(float(act.m)), a, b, c)
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
    return gh2(np_bump(float(act.m)), beta.np, a, b, c)


def e_sur(alpha, beta, a, b, c):
    return gh2(alpha.np, beta.np, a, b, c)


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


ONLY = set(sys.argv[1:])


def save(name, rows):
    if ONLY and name not in ONLY:
        return
    np.savetxt(os.path.join(HERE, name), np.array(rows(), dtype=np.float64), fmt="%.17g",
               delimiter=",")


def table(xs, ys, **kw):
    return lambda: [[float(kernel(x, y, **kw)) for y in ys] for x in xs]


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

#!/usr/bin/env python3
"""Reference values of E[f(mu + tau Z)] for the triangle and piecewise-exp surrogates (writes
closed_1d.csv), over tau from 1e-6 to 1e3 times the surrogate's width and mu/tau up to 1e8.

Each value is the textbook sum of Gaussian partial moments over the pieces of f, evaluated
with mpmath at 80 digits, so that the cancellations the Rust forms avoid (ramp tails, continued
fraction, Taylor series, scaled erfc) are harmless here: for x ~ N(mu, tau^2) and a piece
[l, h], int phi = Phi(B) - Phi(A) and int x phi = mu (Phi(B) - Phi(A)) + tau (phi(A) - phi(B))
with A, B = (l - mu)/tau, (h - mu)/tau (triangle: two linear pieces), and
int_0^inf exp(-a x) phi = exp(-a mu + a^2 tau^2 / 2) Phi(mu/tau - a tau) (piecewise-exp, and
its mirror image). mpmath's exponent range is unbounded, so nothing underflows; values below
1e-290 are written as 0 (the Rust side then only checks that its value is below 1e-290, without
NaN). The derivation itself is checked against direct quadrature at moderate (mu, tau) in the
Rust unit test `closed_1d_matches_numeric`. The parameter, mu and tau are taken as the exact binary values the
Rust side parses (near a kink the value is sensitive to the last bit of mu).

Run:  .venv/bin/python crates/sgntk-gauss/test_data/make_closed_1d.py
"""
import csv
import os

import mpmath as mp

mp.mp.dps = 80


def moments(l, h, mu, tau):
    """(int_l^h phi_{mu,tau}, int_l^h x phi_{mu,tau})."""
    A, B = (l - mu) / tau, (h - mu) / tau
    # Upper tails on the right (Phi(40) rounds to 1 even at 80 digits).
    m0 = mp.ncdf(-A) - mp.ncdf(-B) if A >= 0 else mp.ncdf(B) - mp.ncdf(A)
    return m0, mu * m0 + tau * (mp.npdf(A) - mp.npdf(B))


def expect(name, mu, tau):
    s, _, p = name.partition(":")
    p, mu, tau = mp.mpf(float(p)), mp.mpf(float(mu)), mp.mpf(float(tau))
    if s == "triangle":
        # (1 + x/w)/w on [-w, 0], (1 - x/w)/w on [0, w].
        l0, l1 = moments(-p, 0, mu, tau)
        r0, r1 = moments(0, p, mu, tau)
        return (l0 + l1 / p + r0 - r1 / p) / p
    if s == "piecewise-exp":
        right = mp.exp(-p * mu + (p * tau) ** 2 / 2) * mp.ncdf(mu / tau - p * tau)
        left = mp.exp(p * mu + (p * tau) ** 2 / 2) * mp.ncdf(-mu / tau - p * tau)
        return p / 2 * (right + left)
    raise ValueError(name)


def main():
    rows = []
    for name, width in [("triangle:1", 1.0), ("triangle:0.05", 0.05),
                        ("piecewise-exp:1", 1.0), ("piecewise-exp:20", 0.05)]:
        for tr in [1e-6, 1e-3, 0.1, 0.3, 1.0, 4.0, 30.0, 1e3]:
            tau = tr * width
            mus = [0.0, 0.3 * tau, -2.0 * tau, 7.0 * tau, -40.0 * tau, 1e3 * tau, 1e8 * tau,
                   0.5 * width, width + 2.0 * tau, -width + 0.5 * tau, -3.0 * width]
            for mu in mus:
                rows.append((name, repr(mu), repr(tau)))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "closed_1d.csv")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["surrogate", "mu", "tau", "value"])
        for name, mu, tau in rows:
            v = expect(name, mu, tau)
            v = mp.mpf(0) if abs(v) < mp.mpf("1e-290") else v
            w.writerow([name, mu, tau, mp.nstr(v, 20)])


if __name__ == "__main__":
    main()

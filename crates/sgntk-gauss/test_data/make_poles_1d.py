#!/usr/bin/env python3
"""Reference values of E[f(mu + tau Z)], Z ~ N(0, 1), for tanh, tanh' = sech^2 and the
sigmoid:k surrogate (k/4) sech^2(k x / 2) (writes poles_1d.csv), over tau from 1e-8 to 1e4 times
the function's width (1 for tanh/tanh', 1/k for sigmoid:k) and mu/tau up to 1e8.

Each value is a direct numerical integral in z with mpmath's tanh-sinh rule at 40 digits,
split at the centre of the function (z = -mu/tau), a few widths around it, and the Gaussian's
centre, over |z| <= 14 (the neglected Gaussian mass, 2e-44, is far below the 20 digits written).
Nothing here uses the pole expansions or the Faddeeva function of the Rust side. Values below
1e-290 are written as 0 (the Rust side then only checks that its value is tiny and not NaN).

Also writes faddeeva_zw.csv: w(z) and z w(z) - i/sqrt(pi) (real and imaginary parts) at 30
digits on a grid across the Rust implementation's switch at |z| = 7, up to |z| = 1e6.

Run:  .venv/bin/python crates/sgntk-gauss/test_data/make_poles_1d.py
"""
import csv
import os

import mpmath as mp

mp.mp.dps = 40


def func(name):
    s, _, p = name.partition(":")
    if s == "tanh":
        return mp.tanh, mp.mpf(1)
    if s == "tanh'":
        return (lambda x: mp.sech(x) ** 2), mp.mpf(1)
    if s == "sigmoid":
        k = mp.mpf(float(p))
        return (lambda x: k / 4 * mp.sech(k * x / 2) ** 2), 1 / k
    raise ValueError(name)


def expect(name, mu, tau):
    f, width = func(name)
    mu, tau = mp.mpf(mu), mp.mpf(tau)
    zc = -mu / tau
    pts = [mp.mpf(-14), mp.mpf(0), mp.mpf(14)]
    for j in [0, 1, 4, 16, 64]:
        for sgn in [-1, 1]:
            z = zc + sgn * j * width / tau
            if -14 < z < 14:
                pts.append(z)
    pts = sorted(set(pts))
    return mp.quad(lambda z: mp.npdf(z) * f(mu + tau * z), pts)


def main():
    rows = []
    for name, width in [("tanh", 1.0), ("tanh'", 1.0), ("sigmoid:4", 0.25),
                        ("sigmoid:25", 0.04)]:
        for tr in [1e-8, 1e-3, 0.1, 0.44, 1.0, 2.0, 4.0, 30.0, 1e4]:
            tau = tr * width
            mus = [0.0, 1e-9 * tau, 0.3 * tau, -2.0 * tau, 7.0 * tau, -40.0 * tau, 1e8 * tau,
                   0.5 * width, -3.0 * width, 12.0 * width]
            for mu in mus:
                rows.append((name, repr(mu), repr(tau)))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "poles_1d.csv")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["function", "mu", "tau", "value"])
        for name, mu, tau in rows:
            # E[tanh(tau Z)] = 0 exactly by symmetry (the quadrature leaves ~1e-52 of noise).
            v = mp.mpf(0) if name == "tanh" and float(mu) == 0.0 else expect(name, float(mu),
                                                                            float(tau))
            v = mp.mpf(0) if abs(v) < mp.mpf("1e-290") else v
            w.writerow([name, mu, tau, mp.nstr(v, 20)])


def faddeeva():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faddeeva_zw.csv")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["x", "y", "re_w", "im_w", "re_zw", "im_zw"])
        for x in [0.0, 1e-9, 0.3, -1.0, 2.5, 4.0, 5.5, 6.9, 7.1, -10.0, 30.0, 1e3, 1e6]:
            for y in [0.0, 1e-3, 0.1, 0.7, 2.0, 6.9, 7.1, 20.0, 1e4]:
                z = mp.mpc(x, y)
                v = mp.exp(-z**2) * mp.erfc(-1j * z)
                zw = z * v - 1j / mp.sqrt(mp.pi)
                w.writerow([repr(x), repr(y)] + [mp.nstr(t, 20) for t in
                                                 [mp.re(v), mp.im(v), mp.re(zw), mp.im(zw)]])


if __name__ == "__main__":
    main()
    faddeeva()

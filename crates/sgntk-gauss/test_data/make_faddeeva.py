#!/usr/bin/env python3
"""Reference values of the Faddeeva function w(z) = exp(-z^2) erfc(-iz) (writes faddeeva.csv):
x, y, Re w(x + iy), |w(x + iy)|, Re w(iy) (the peak of Re w over x), by mpmath at 30 digits,
on a grid across the switch at |z| = 7 of the Rust implementation, up to |z| = 1e6.

Run:  .venv/bin/python crates/sgntk-gauss/test_data/make_faddeeva.py
"""
import csv
import os

import mpmath as mp

mp.mp.dps = 30


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faddeeva.csv")
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["x", "y", "re_w", "abs_w", "re_w_peak"])
        for x in [0.0, 0.3, 1.0, 2.5, 4.0, 5.5, 6.9, 7.1, 10.0, 30.0, 1e3, 1e6]:
            for y in [0.0, 1e-8, 1e-3, 0.1, 0.7, 2.0, 6.9, 7.1, 20.0, 1e4]:
                z = mp.mpc(x, y)
                v = mp.exp(-z**2) * mp.erfc(-1j * z)
                peak = mp.exp(mp.mpf(y) ** 2) * mp.erfc(mp.mpf(y))
                w.writerow([repr(x), repr(y), mp.nstr(mp.re(v), 20), mp.nstr(abs(v), 20),
                            mp.nstr(peak, 20)])


if __name__ == "__main__":
    main()

"""30-digit values of H = E[1/(1 + |m + s Z|)^2] for the Taylor form of `fsig_taylor.rs`
(s = 0.005 .. 1, m = 0 .. 9 s, 1 + m >= 9 s), by mpmath.quad on x split at the kink x = 0 and
around the centre (an independent route). Run: python make_fsig_taylor.py > fsig_taylor.csv"""
import random
import mpmath as mp

mp.mp.dps = 30


def h(m, s):
    m, s = mp.mpf(m), mp.mpf(s)
    f = lambda x: mp.exp(-(x - m) ** 2 / (2 * s * s)) / (s * mp.sqrt(2 * mp.pi)) / (1 + abs(x)) ** 2
    pts = sorted({m - 14 * s, m - 4 * s, m - s, m, m + s, m + 4 * s, m + 14 * s, mp.mpf(0)})
    pts = [p for p in pts if m - 14 * s <= p <= m + 14 * s]
    return mp.quad(f, pts)


random.seed(7)
print("s,m,h")
for s in [0.005, 0.01, 0.02, 0.035, 0.05, 0.08, 0.1, 0.111, 0.13, 0.15, 0.2, 0.3, 0.4, 0.5, 0.630957344480193, 0.8, 1.0]:
    mus = [0.0, 0.3, 1.0, 2.0, 2.99, 3.01, 4.0, 6.0, 7.6, 8.5, 9.0] + [random.uniform(0, 9) for _ in range(6)]
    for mu in mus:
        m = mu * s
        if 1 + m < 9 * s:
            continue
        print(f"{s!r},{m!r},{mp.nstr(h(m, s), 25)}")

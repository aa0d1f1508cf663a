"""Reference values of H = E[fsig_k(mu + tau Z)], fsig_k(x) = 1/(1 + k|x|)^2, Z ~ N(0, 1),
for `fsig_matches_mpmath` (crates/sgntk-gauss/src/fsig.rs).

Independent of the Rust route (half-line Gauss-Legendre panels in y = 1 + k|x|): mpmath.quad
on x directly, at 40 digits, split at the kink x = 0, at the Gaussian's centre mu and at
mu +- j tau (j = 1, 3, 9, 20), to +-inf. Each value is also recomputed at 50 digits with a
different split (the kink only, plus mu +- 2 j tau); the two must agree to 1e-20 relative.
Grid: k in {0.1, 1, 25, 1000}; s = k tau from 1e-4 to 1e3 (15 values, half-decades);
mu/tau in {0, 0.4, -1.7, 6, -25} at whole decades of s and {-0.4, 1.7, -6, 25, 0} at the
half decades, plus 1e3 and -1e6 at four of the s values (332 rows); then
k in {1, 25}, s = 1 .. 1e3 (half decades), mu/tau in {3, 4.5, -5.5, 7.5, -8.8}, the
series range c = 1 + k|mu| <= 10 s (70 rows). (mu, tau)
are rounded to f64 first and the reference computed at those exact binary values.

Run: .venv/bin/python crates/sgntk-gauss/test_data/make_fsig_1d.py > crates/sgntk-gauss/test_data/fsig_1d.csv
"""
import mpmath as mp


def H(k, mu, tau, dps, js):
    mp.mp.dps = dps
    k, mu, tau = mp.mpf(k), mp.mpf(mu), mp.mpf(tau)
    f = lambda x: mp.npdf(x, mu, tau) / (1 + k * abs(x)) ** 2
    pts = {mp.mpf(0), mu}
    for j in js:
        pts.add(mu - j * tau)
        pts.add(mu + j * tau)
    pts = [-mp.inf] + sorted(pts) + [mp.inf]
    return mp.quad(f, pts)


def main():
    rows = []
    for k in ["0.1", "1", "25", "1000"]:
        for e in range(-8, 7):
            s = mp.mpf(10) ** (mp.mpf(e) / 2)  # 1e-4 .. 1e3
            tau = float(s / mp.mpf(k))
            ts = [0, 0.4, -1.7, 6, -25] if e % 2 == 0 else [-0.4, 1.7, -6, 25, 0]
            if e in (-8, -3, 2, 6):
                ts = ts + [1e3, -1e6]
            for t in ts:
                rows.append((k, float(t * tau), tau))
    # The series range of `half_series` beyond c = 3.5 s (up to 10 s), s >= 1.
    for k in ["1", "25"]:
        for e in range(0, 7):
            s = mp.mpf(10) ** (mp.mpf(e) / 2)
            tau = float(s / mp.mpf(k))
            for t in [3.0, 4.5, -5.5, 7.5, -8.8]:
                rows.append((k, float(t * tau), tau))
    print("k,mu,tau,h")
    for k, mu, tau in rows:
        a = H(k, mu, tau, 40, [1, 3, 9, 20])
        b = H(k, mu, tau, 50, [2, 6, 18, 40])
        assert abs(a / b - 1) < mp.mpf(10) ** -20, (k, mu, tau, a, b)
        print(f"{k},{mu!r},{tau!r},{mp.nstr(a, 20)}")


if __name__ == "__main__":
    main()

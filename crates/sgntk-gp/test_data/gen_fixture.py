"""Reference values for sgntk-gp, computed in 50-digit arithmetic with mpmath.

Independent route: every formula of SPEC section 5 is evaluated literally (explicit inverse,
mpmath.expm for exp(-eta t M / P), an explicit product of T matrices for gradient descent, the
four-term covariance without symmetrisation), in 50 significant digits, from float64 inputs that
are written with repr() (exact round trip). The Rust side computes the same quantities in float64
by different algorithms (LU solves, phi_1 scaling and squaring, binary powering, Cholesky).

Run:  /work/main/.venv/bin/python gen_fixture.py > fixture.txt
Format: blocks "case NAME" followed by lines "KEY ROWS COLS v11 v12 ... " (row-major), ended by
"end". Scalars are 1 x 1 matrices.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 50


def kernel_like(rng, p, n, d=3, k=48):
    """Kernel-like matrices on P + N random points: Sigma = Phi Phi^T / k + 0.1 (symmetric PSD),
    I = Sigma + (Z Z^T / d + 0.1) * (Psi1 Psi2^T / k) (Hadamard product, asymmetric, mimicking the
    SG-NTK recursion I^(l+1) = Sigma^(l+1) + I^(l) * Sdot_{phi', phi~'}): Psi1 = tanh' (the true
    derivative) and Psi2 = exp(-u^2) (an erf-shaped surrogate)."""
    z = rng.standard_normal((p + n, d))
    w = rng.standard_normal((d, k))
    b = rng.standard_normal(k)
    pre = z @ w / np.sqrt(d) + 0.3 * b
    phi = np.tanh(pre)
    psi1 = 1.0 - np.tanh(pre) ** 2
    psi2 = np.exp(-pre ** 2)
    sigma = phi @ phi.T / k + 0.1
    sigma = 0.5 * (sigma + sigma.T)
    lin = z @ z.T / d + 0.1
    ntk = sigma + lin * (psi1 @ psi2.T / k)
    return sigma, ntk


def mpmat(a):
    return mp.matrix([[mp.mpf(float(x)) for x in row] for row in a])


def emit(key, m):
    if isinstance(m, mp.matrix):
        rows, cols = m.rows, m.cols
        vals = [m[i, j] for i in range(rows) for j in range(cols)]
    else:
        m = np.atleast_2d(np.asarray(m, dtype=float))
        rows, cols = m.shape
        vals = list(m.reshape(-1))
    txt = " ".join(mp.nstr(v, 20, strip_zeros=False) if isinstance(v, mp.mpf) else repr(float(v)) for v in vals)
    print(f"{key} {rows} {cols} {txt}")


def gp(M, S_xX, S_XX, S_xx, I_xX, Y, G):
    A = I_xX * G
    mean = A * Y
    cov = S_xx - A * S_xX.T - S_xX * A.T + A * S_XX * A.T
    return mean, cov


def case(name, seed, p, n, eta_gf, t_gf, eta_gd, steps, noise):
    rng = np.random.default_rng(seed)
    sigma, ntk = kernel_like(rng, p, n)
    y = rng.standard_normal(p)
    print(f"case {name}")
    emit("i_train_train", ntk[:p, :p])
    emit("sigma_train_train", sigma[:p, :p])
    emit("targets", y.reshape(-1, 1))
    emit("i_test_train", ntk[p:, :p])
    emit("sigma_test_train", sigma[p:, :p])
    emit("sigma_test_test", sigma[p:, p:])
    M = mpmat(ntk[:p, :p])
    S_XX = mpmat(sigma[:p, :p])
    S_xX = mpmat(sigma[p:, :p])
    S_xx = mpmat(sigma[p:, p:])
    I_xX = mpmat(ntk[p:, :p])
    Y = mpmat(y.reshape(-1, 1))
    Id = mp.eye(p)
    Minv = M ** -1
    ev = mp.eig(M, left=False, right=False)
    assert all(mp.re(e) > 0 for e in ev), "I(X,X) must have eigenvalues with positive real part"
    emit("condition_1", mp.matrix([[mp.mnorm(M, 1) * mp.mnorm(Minv, 1)]]))
    # t = infinity
    m, c = gp(M, S_xX, S_XX, S_xx, I_xX, Y, Minv)
    emit("inf_mean", m)
    emit("inf_cov", c)
    # gradient flow
    emit("gf_eta", [[eta_gf]])
    emit("gf_t", [[t_gf]])
    E = mp.expm(-mp.mpf(eta_gf) * mp.mpf(t_gf) / p * M)
    m, c = gp(M, S_xX, S_XX, S_xx, I_xX, Y, Minv * (Id - E))
    emit("gf_mean", m)
    emit("gf_cov", c)
    # gradient descent: explicit product of `steps` factors
    emit("gd_eta", [[eta_gd]])
    emit("gd_steps", [[steps]])
    B = Id - mp.mpf(eta_gd) / p * M
    E = Id
    for _ in range(steps):
        E = E * B
    m, c = gp(M, S_xX, S_XX, S_xx, I_xX, Y, Minv * (Id - E))
    emit("gd_mean", m)
    emit("gd_cov", c)
    # NNGP regression
    emit("noise", [[noise]])
    K = S_XX + mp.mpf(noise) * Id
    Kinv = K ** -1
    emit("nngp_mean", S_xX * Kinv * Y)
    emit("nngp_cov", S_xx - S_xX * Kinv * S_xX.T)
    print("end")


case("small", 1, 6, 4, 0.1, 40.0, 0.3, 37, 1e-3)
case("medium", 2, 12, 5, 0.5, 7.0, 1.0, 64, 0.0)
case("tiny_t", 3, 8, 3, 0.1, 1e-6, 1e-4, 3, 1e-2)

//! Shared helpers of the sgntk-gp tests: a seeded generator of kernel-like matrices and the
//! reader of the high-precision fixture.
#![allow(dead_code)]

use faer::Mat;

/// SplitMix64 with Box–Muller normals: small, seeded, dependency free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Kernel matrices on P training + N test points (the same construction as
/// test_data/gen_fixture.py): Sigma = Phi Phi^T / k + 0.1 (symmetric PSD) and the asymmetric
/// I = Sigma + (Z Z^T / d + 0.1) * (Psi1 Psi2^T / k), with Psi1 = tanh' and Psi2 = exp(-u^2),
/// which mimics one step of the SG-NTK recursion.
pub struct Kernels {
    pub p: usize,
    pub n: usize,
    /// (P + N) x (P + N), training points first.
    pub sigma: Mat<f64>,
    pub ntk: Mat<f64>,
    pub targets: Vec<f64>,
}

impl Kernels {
    pub fn random(seed: u64, p: usize, n: usize) -> Self {
        let (d, k) = (3usize, 48usize);
        let mut rng = Rng::new(seed);
        let m = p + n;
        let z = Mat::from_fn(m, d, |_, _| rng.normal());
        let w = Mat::from_fn(d, k, |_, _| rng.normal());
        let b: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
        let pre = Mat::from_fn(m, k, |i, c| {
            (0..d).map(|r| z[(i, r)] * w[(r, c)]).sum::<f64>() / (d as f64).sqrt() + 0.3 * b[c]
        });
        let phi = Mat::from_fn(m, k, |i, c| pre[(i, c)].tanh());
        let psi1 = Mat::from_fn(m, k, |i, c| 1.0 - pre[(i, c)].tanh().powi(2));
        let psi2 = Mat::from_fn(m, k, |i, c| (-pre[(i, c)].powi(2)).exp());
        let dot = |a: &Mat<f64>, i: usize, b: &Mat<f64>, j: usize, len: usize| {
            (0..len).map(|c| a[(i, c)] * b[(j, c)]).sum::<f64>()
        };
        let sigma = Mat::from_fn(m, m, |i, j| dot(&phi, i, &phi, j, k) / k as f64 + 0.1);
        let ntk = Mat::from_fn(m, m, |i, j| {
            let lin = dot(&z, i, &z, j, d) / d as f64 + 0.1;
            sigma[(i, j)] + lin * dot(&psi1, i, &psi2, j, k) / k as f64
        });
        let targets = (0..p).map(|_| rng.normal()).collect();
        Self {
            p,
            n,
            sigma,
            ntk,
            targets,
        }
    }

    pub fn train(&self) -> sgntk_gp::TrainingKernels<'_> {
        let p = self.p;
        sgntk_gp::TrainingKernels {
            i_train_train: self.ntk.as_ref().submatrix(0, 0, p, p),
            sigma_train_train: self.sigma.as_ref().submatrix(0, 0, p, p),
            targets: &self.targets,
        }
    }

    /// Test kernels at the N test points (full Sigma(x, x)).
    pub fn test(&self) -> sgntk_gp::TestKernels<'_> {
        let (p, n) = (self.p, self.n);
        sgntk_gp::TestKernels {
            i_test_train: self.ntk.as_ref().submatrix(p, 0, n, p),
            sigma_test_train: self.sigma.as_ref().submatrix(p, 0, n, p),
            sigma_test_test: self.sigma.as_ref().submatrix(p, p, n, n),
        }
    }

    /// Test kernels whose test points are the training points.
    pub fn test_at_train(&self) -> sgntk_gp::TestKernels<'_> {
        let p = self.p;
        sgntk_gp::TestKernels {
            i_test_train: self.ntk.as_ref().submatrix(0, 0, p, p),
            sigma_test_train: self.sigma.as_ref().submatrix(0, 0, p, p),
            sigma_test_test: self.sigma.as_ref().submatrix(0, 0, p, p),
        }
    }
}

pub fn max_abs(m: faer::MatRef<'_, f64>) -> f64 {
    let mut out = 0.0_f64;
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            out = out.max(m[(i, j)].abs());
        }
    }
    out
}

pub fn max_abs_diff(a: faer::MatRef<'_, f64>, b: faer::MatRef<'_, f64>) -> f64 {
    assert_eq!((a.nrows(), a.ncols()), (b.nrows(), b.ncols()));
    let mut out = 0.0_f64;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            out = out.max((a[(i, j)] - b[(i, j)]).abs());
        }
    }
    out
}

pub fn vec_max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

pub fn vec_max_abs(a: &[f64]) -> f64 {
    a.iter().map(|x| x.abs()).fold(0.0, f64::max)
}

/// Smallest eigenvalue of a symmetric matrix.
pub fn min_eigenvalue(c: faer::MatRef<'_, f64>) -> f64 {
    c.self_adjoint_eigenvalues(faer::Side::Lower)
        .expect("eigenvalues")
        .into_iter()
        .fold(f64::INFINITY, f64::min)
}

/// One case of test_data/fixture.txt.
pub struct FixtureCase {
    pub name: String,
    entries: Vec<(String, Mat<f64>)>,
}

impl FixtureCase {
    pub fn get(&self, key: &str) -> &Mat<f64> {
        &self
            .entries
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no {key}"))
            .1
    }
    pub fn scalar(&self, key: &str) -> f64 {
        self.get(key)[(0, 0)]
    }
    pub fn column(&self, key: &str) -> Vec<f64> {
        let m = self.get(key);
        (0..m.nrows()).map(|i| m[(i, 0)]).collect()
    }
}

pub fn load_fixture() -> Vec<FixtureCase> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/fixture.txt");
    let text = std::fs::read_to_string(path).expect("read fixture");
    let mut cases = Vec::new();
    let mut current: Option<FixtureCase> = None;
    for line in text.lines() {
        let mut it = line.split_whitespace();
        match it.next() {
            Some("case") => {
                current = Some(FixtureCase {
                    name: it.next().expect("name").to_string(),
                    entries: Vec::new(),
                })
            }
            Some("end") => cases.push(current.take().expect("case")),
            Some(key) => {
                let rows: usize = it.next().unwrap().parse().unwrap();
                let cols: usize = it.next().unwrap().parse().unwrap();
                let vals: Vec<f64> = it.map(|v| v.parse().expect("number")).collect();
                assert_eq!(vals.len(), rows * cols, "{key}");
                let m = Mat::from_fn(rows, cols, |i, j| vals[i * cols + j]);
                current
                    .as_mut()
                    .expect("case")
                    .entries
                    .push((key.to_string(), m));
            }
            None => {}
        }
    }
    cases
}

//! Mehler (Hermite) series for two factors without a one-dimensional closed form (scheme in
//! `docs/gauss.md`, section 4).
//!
//! With `u = sqrt(a) x`, `v = sqrt(b) y` and `(x, y)` standard with correlation `rho`, Mehler's
//! formula gives
//!
//! `E[f(u) g(v)] = sum_k rho^k c_k d_k`, `c_k = E[f(sqrt(a) Z) h_k(Z)]`,
//! `d_k = E[g(sqrt(b) Z) h_k(Z)]`,
//!
//! with `h_k = He_k / sqrt(k!)` the orthonormal Hermite polynomials. All `c_k` come from one
//! rule over the same nodes (one evaluation of `f` per node, `h_k` by the three-term
//! recurrence): the trapezoid rule for a factor analytic in a strip, Gauss-Legendre on graded
//! panels (`rules.rs`) for a kinked or narrow one, whichever has fewer nodes. The cost is `N`
//! evaluations of each function plus `O(N K)` flops, instead of the `O(N^2)` evaluations of a
//! nested rule. Error budget (relative to `||f|| ||g||`, the
//! `L^2(N(0,1))` norms, which bound `|E[f g]|`):
//!
//! * series tail: `|sum_{k>K} rho^k c_k d_k| <= |rho|^(K+1) ||f|| ||g||` (Cauchy-Schwarz and
//!   Parseval), so `K` follows from `rho` and the requested accuracy;
//! * truncation of the nodes at `|z| <= LM`: by Cramer's inequality
//!   `|h_k(z)| phi(z) <= 1.0865 (2 pi)^(-1/2) exp(-z^2/4)`, so the neglected part of all the
//!   `c_k`, summed against `rho^k d_k`, is below
//!   `sup|f| ||g|| (1 - rho^2)^(-1/2) 0.87 (2/LM) exp(-LM^2/4)` = `5e-17 (1 - rho^2)^(-1/2)` at
//!   `LM = 12`;
//! * discretisation: for `f(sqrt(a) z)` analytic in `|Im z| < d` the trapezoid rule of step
//!   `h` errs by about `exp(-2 pi d' / h)` times the growth of the integrand on the strip
//!   `|Im z| = d'`; the Hermite function grows there like `exp(d' sqrt(2k + 1))`, weighted by
//!   `|rho|^k` in the sum, so the exponent is raised by `max_k (k ln|rho| + d' sqrt(2k + 1))`;
//!   on panels of half-width `r` (ellipse height `1.73 r`) the same growth is kept below `e^4`
//!   by the choice of `r`;
//! * Parseval remainder: `sum_{k>K} c_k^2 = ||f||^2 - sum_{k<=K} c_k^2 =: R_f`, so the tail is
//!   also below `|rho|^(K+1) sqrt(R_f R_g)` (each remainder floored at `REM_FLOOR ||.||^2`);
//!   for analytic factors this stops the sum after tens to hundreds of terms even at
//!   `|rho| = 0.99`, which makes the series usable up to `RHO_MAX`.

use super::{Ctx, Func, TRAP_EXP};
use crate::numeric::npdf;
use crate::rules::{GL_N, graded, panel_rule};

/// Node truncation (see the module docs: `5e-17` relative).
const LM: f64 = 12.0;
/// The series is used for `|rho| <= RHO_MAX` (above 0.9 only for two analytic factors, with a
/// term budget and a cost limit); above, the nested rule with Gauss-Hermite inner sums is
/// cheaper.
pub(super) const RHO_MAX: f64 = 0.999;
/// Floor of the Parseval remainders, relative to the squared norms: the rounding of sums of
/// up to ~1000 positive terms (`1000 eps = 1.1e-13` at worst), which dominates the quadrature
/// error of the coefficients (about `1e-15 ||f||` each).
const REM_FLOOR: f64 = 1e-13;
/// Largest cost accepted for `|rho| > 0.9`, where the nested rule is the alternative.
const BUDGET_HIGH: f64 = 1.2e5;
/// Absolute tail target relative to `||f|| ||g||`.
const TAIL_ABS: f64 = 1e-16;
/// Relative tail target relative to the partial sum.
const TAIL_REL: f64 = 1e-13;
/// Largest `(N_f + N_g) K` accepted (flops, about 1 ns each); otherwise the nested rule.
const BUDGET: f64 = 5e5;

/// `max_{k <= kmax} (k ln|rho| + b sqrt(2k + 1))`: the largest growth of the Hermite functions
/// at `|Im z| = b`, weighted by `|rho|^k`.
fn growth(b: f64, rho: f64, kmax: usize) -> f64 {
    let lr = rho.abs().max(1e-300).ln();
    let at = |k: f64| k * lr + b * (2.0 * k + 1.0).sqrt();
    // Concave in k: the maximum is at sqrt(2k + 1) = b / |ln rho| (clamped to [0, kmax]).
    let k = (((b / lr).powi(2) - 1.0) / 2.0).clamp(0.0, kmax as f64);
    [k.floor(), k.ceil().min(kmax as f64), 0.0, kmax as f64]
        .into_iter()
        .map(at)
        .fold(0.0, f64::max)
}

/// Trapezoid step for `int phi(z) F(z) h_k(z) dz`, `F` analytic in `|Im z| < d`, with the
/// Hermite growth of the module docs for `k <= kmax` weighted by `|rho|^k`.
fn step(d: f64, rho: f64, kmax: usize) -> f64 {
    let d = (0.8 * d).min(3.0);
    let extra = growth(d, rho, kmax);
    2.0 * std::f64::consts::PI * d / (TRAP_EXP + extra)
}

/// Nodes and weights (including `phi`) for the coefficients of `F(z) = f(s z)`: the trapezoid
/// rule of [`step`] on `|z| <= LM` when `f` is analytic in a strip, or Gauss-Legendre on panels
/// graded around the features of `f` (kinks, jumps, the poles of tanh or the logistic at real
/// part 0; `rules.rs`), whichever has fewer nodes. On a panel of half-width `r` the ellipse of
/// the panel rule (`rho = 3.73`) reaches `|Im z| = 1.73 r`, where the Hermite functions grow
/// like `exp(1.73 r sqrt(2k + 1))`; weighted by `|rho|^k` the largest growth is
/// `exp((1.73 r)^2 / (2 |ln rho|))`, kept below `e^4` by `r <= sqrt(8 |ln rho|) / 1.73`.
fn rule(f: &Func, s: f64, rho: f64, kmax: usize) -> Option<Rule> {
    let trap = f.strip().map(|d| step(d / s, rho, kmax));
    let n_trap = trap.map_or(f64::INFINITY, |h| 2.0 * LM / h);
    let panels = f.structure().map(|st| {
        // Largest half-width (at most 1) whose Hermite growth stays below e^4.
        let mut r: f64 = 1.0;
        while r > 1e-3 && growth(1.73 * r, rho, kmax) > 4.0 {
            r *= 0.8;
        }
        let feats: Vec<(f64, f64)> = st.feats.iter().map(|&(p, w)| (p / s, w / s)).collect();
        graded(&feats, -LM, LM, 2.0 * r, st.ratio)
    });
    let n_panels = panels
        .as_ref()
        .map_or(f64::INFINITY, |b| ((b.len() - 1) * GL_N) as f64);
    if n_panels < n_trap {
        return panels.map(Rule::Panels);
    }
    trap.map(Rule::Trap)
}

/// A rule chosen by [`rule`], materialised only once the cost is accepted.
enum Rule {
    /// Trapezoid rule of this step on `|z| <= LM`.
    Trap(f64),
    /// Gauss-Legendre on the panels with these boundaries.
    Panels(Vec<f64>),
}

impl Rule {
    fn len(&self) -> usize {
        match self {
            Self::Trap(h) => 2 * (LM / h).ceil() as usize + 1,
            Self::Panels(b) => (b.len() - 1) * GL_N,
        }
    }

    /// Nodes and weights (including `phi`).
    fn nodes(&self) -> (Vec<f64>, Vec<f64>) {
        match self {
            Self::Trap(h) => {
                let n = (LM / h).ceil() as i64;
                let z: Vec<f64> = (-n..=n).map(|j| j as f64 * h).collect();
                let w = z.iter().map(|&z| h * npdf(z)).collect();
                (z, w)
            }
            Self::Panels(b) => panel_rule(b),
        }
    }
}

/// The products `w_j F(z_j)`, `F(z) = f(s z)`, and the squared norm `sum_j w_j F(z_j)^2`.
fn weighted(ctx: &Ctx, f: &Func, s: f64, z: &[f64], w: &[f64]) -> (Vec<f64>, f64) {
    let mut norm2 = 0.0;
    let wf = z
        .iter()
        .zip(w)
        .map(|(&z, &w)| {
            let y = ctx.ev(f, s * z);
            norm2 += w * y * y;
            w * y
        })
        .collect();
    (wf, norm2)
}

/// The orthonormal Hermite polynomials `h_k` on a node set, advanced one degree at a time by
/// `h_{k+1} = (z h_k - sqrt(k) h_{k-1}) / sqrt(k + 1)`.
struct Hermite {
    z: Vec<f64>,
    prev: Vec<f64>,
    cur: Vec<f64>,
}

impl Hermite {
    fn new(z: Vec<f64>) -> Self {
        let n = z.len();
        Self {
            z,
            prev: vec![0.0; n],
            cur: vec![1.0; n],
        }
    }

    /// Advance from degree `k` to `k + 1` (overwrites `prev` with `h_{k+1}`, then swaps) and
    /// return `sum_j w_j h_{k+1}(z_j)` (one pass, four accumulators).
    #[inline]
    fn advance_dot(&mut self, k: usize, w: &[f64]) -> f64 {
        let a = 1.0 / ((k + 1) as f64).sqrt();
        let b = (k as f64).sqrt() * a;
        let mut acc = [0.0f64; 4];
        let n4 = self.z.len() / 4 * 4;
        let (p4, pr) = self.prev.split_at_mut(n4);
        for (((p, c), z), w) in p4
            .chunks_exact_mut(4)
            .zip(self.cur[..n4].chunks_exact(4))
            .zip(self.z[..n4].chunks_exact(4))
            .zip(w[..n4].chunks_exact(4))
        {
            for l in 0..4 {
                p[l] = a * z[l] * c[l] - b * p[l];
                acc[l] += w[l] * p[l];
            }
        }
        let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        for (j, p) in pr.iter_mut().enumerate() {
            let i = n4 + j;
            *p = a * self.z[i] * self.cur[i] - b * *p;
            s += w[i] * *p;
        }
        std::mem::swap(&mut self.prev, &mut self.cur);
        s
    }
}

/// Dot product with eight independent accumulators (vectorises).
#[inline]
fn sum(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for l in 0..8 {
            acc[l] += a[l] * b[l];
        }
    }
    let mut s: f64 = xr.iter().zip(yr).map(|(a, b)| a * b).sum();
    for v in acc {
        s += v;
    }
    s
}

/// `E[f(su X) g(sv Y)]`, `corr(X, Y) = rho`, by the Mehler series, or `None` when a factor is
/// not analytic in a known strip, `|rho| > RHO_MAX`, or the cost would exceed `BUDGET`.
pub(super) fn mehler(ctx: &Ctx, f: &Func, g: &Func, su: f64, sv: f64, rho: f64) -> Option<f64> {
    if rho.is_nan() || rho.abs() > RHO_MAX || su <= 0.0 || sv <= 0.0 {
        return None;
    }
    // Terms needed for the absolute target (the relative one may stop earlier); above 0.9
    // at most KCAP terms are tried (the remainder bound below usually stops much earlier),
    // and the series gives up if they do not reach the target.
    let kabs = if rho == 0.0 {
        0
    } else {
        (TAIL_ABS.ln() / rho.abs().ln()).ceil().max(0.0) as usize
    };
    let kmax = if rho.abs() <= 0.9 {
        kabs
    } else {
        // Terms tried (the remainder bound below decides where to stop): the remainders of
        // factors analytic in |Im z| < d_f, d_g decay about like exp(-0.65 (d_f + d_g)
        // sqrt(2k)) (measured for tanh), and reach the 1e-13 floor by 1.5 (34/d)^2 terms.
        let d = (f.strip()? / su + g.strip()? / sv).min(6.0);
        kabs.min((1.5 * (34.0 / d).powi(2)).ceil() as usize)
    };
    let (rf, rg) = (rule(f, su, rho, kmax)?, rule(g, sv, rho, kmax)?);
    let nodes = (rf.len() + rg.len()) as f64;
    let cost = nodes * kmax.max(1) as f64;
    let budget = if rho.abs() <= 0.9 {
        BUDGET
    } else {
        BUDGET_HIGH
    };
    if cost.is_nan() || cost > budget {
        return None;
    }
    let ((zf, wf), (zg, wg)) = (rf.nodes(), rg.nodes());
    let (wf, nf2) = weighted(ctx, f, su, &zf, &wf);
    let (wg, ng2) = weighted(ctx, g, sv, &zg, &wg);
    let nn = (nf2 * ng2).sqrt();
    let (mut hf, mut hg) = (Hermite::new(zf), Hermite::new(zg));
    let (c0, d0) = (sum(&wf, &hf.cur), sum(&wg, &hg.cur));
    let mut s = c0 * d0;
    // Parseval: sum_{k > K} c_k^2 = ||f||^2 - sum_{k <= K} c_k^2, so the tail is also below
    // |rho|^(K+1) sqrt(R_f R_g) with these remainders, each floored at REM_FLOOR ||.||^2
    // (rounding in the sums and the quadrature error of the c_k).
    let (mut sf2, mut sg2) = (c0 * c0, d0 * d0);
    let mut r = 1.0;
    for k in 0..kmax {
        r *= rho;
        let c = hf.advance_dot(k, &wf);
        let d = hg.advance_dot(k, &wg);
        s += r * c * d;
        sf2 += c * c;
        sg2 += d * d;
        let rem = ((nf2 - sf2).max(REM_FLOOR * nf2) * (ng2 - sg2).max(REM_FLOOR * ng2)).sqrt();
        let t = r.abs() * rho.abs();
        if t * nn.min(rem) <= TAIL_REL * s.abs() {
            return Some(s);
        }
    }
    // Without the relative stop, the K = kabs terms meet the absolute target.
    (kmax == kabs).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::super::Ctx;
    use super::*;
    use crate::catalogue::{Activation, Derivative, Surrogate};
    use crate::expect::{ActPair, Cov2, Method};

    /// Seeded covariances: variances log-uniform on [0.01, 100], |rho| up to RHO_MAX.
    fn covs(n: usize) -> Vec<(f64, f64, f64)> {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut u = move || {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| {
                let a = 10f64.powf(-2.0 + 4.0 * u());
                let b = 10f64.powf(-2.0 + 4.0 * u());
                (a, b, RHO_MAX * (2.0 * u() - 1.0))
            })
            .collect()
    }

    /// The series agrees with the nested trapezoid/Chebyshev rule (an independent route) to
    /// 1e-10 relative to the product of magnitudes (the nested rule's accuracy: at the two
    /// worst points, 3e-11 and 4e-11, mpmath sides with the series, see
    /// `mehler_matches_mpmath`), on analytic pairs over variances 0.01..100, |rho| <= 0.9.
    #[test]
    fn mehler_matches_nested_rule() {
        let funcs = [
            Func::Act(Activation::Tanh),
            Func::Smooth(Derivative::True(Activation::Tanh)),
            Func::Smooth("sigmoid:4".parse::<Surrogate>().unwrap().derivative()),
            Func::Smooth("atan:2".parse::<Surrogate>().unwrap().derivative()),
        ];
        let (mut worst, mut used) = (0.0f64, 0);
        for (i, &(a, b, rho)) in covs(48).iter().enumerate() {
            let f = &funcs[i % 4];
            let g = &funcs[(i / 4) % 4];
            let (su, sv) = (a.sqrt(), b.sqrt());
            let ctx = Ctx::default();
            let Some(x) = mehler(&ctx, f, g, su, sv, rho) else {
                continue;
            };
            used += 1;
            let cov = Cov2::new(a, b, rho * su * sv).unwrap();
            let nested = Ctx {
                no_mehler: true,
                ..Ctx::default()
            };
            let y = nested.smooth_pair(f, g, &cov);
            ctx.take().unwrap();
            nested.take().unwrap();
            let scale = f.magnitude(su) * g.magnitude(sv);
            let err = (x - y).abs() / scale;
            worst = worst.max(err);
            assert!(
                err < 1e-10,
                "{} x {} at {cov:?}: {x} vs {y}",
                f.name(),
                g.name()
            );
        }
        eprintln!("mehler vs nested: {used} cases, worst {worst:e}");
        assert!(
            used >= 24,
            "the series should cover most moderate covariances ({used})"
        );
    }

    /// Against the closed form: erf(m) x erf(m') by the series equals the arcsine formula to
    /// 1e-12 relative (the closed form is exact to rounding).
    #[test]
    fn mehler_matches_closed_form() {
        let mut worst = 0.0f64;
        for (i, &(a, b, rho)) in covs(64).iter().enumerate() {
            let (m1, m2) = (0.3 + 0.1 * (i % 7) as f64, 0.5 + 0.2 * (i % 5) as f64);
            let (p, q) = (Activation::erf(m1).unwrap(), Activation::erf(m2).unwrap());
            let (su, sv) = (a.sqrt(), b.sqrt());
            let ctx = Ctx::default();
            let Some(x) = mehler(
                &ctx,
                &Func::Act(p.clone()),
                &Func::Act(q.clone()),
                su,
                sv,
                rho,
            ) else {
                continue;
            };
            ctx.take().unwrap();
            let cov = Cov2::new(a, b, rho * su * sv).unwrap();
            let y = ActPair::new(&p, &q, Method::Auto).expect(&cov).unwrap();
            let err = (x - y).abs() / y.abs().max(1e-300);
            worst = worst.max(err);
            assert!(err < 1e-12, "erf({m1}) x erf({m2}) at {cov:?}: {x} vs {y}");
        }
        eprintln!("mehler vs closed form: worst {worst:e}");
    }

    /// Against mpmath (30 digits, `test_data/mehler_refs.py`) at the two covariances where the
    /// series and the nested rule differed most: 1e-13 relative.
    #[test]
    fn mehler_matches_mpmath() {
        let sig = Func::Smooth("sigmoid:4".parse::<Surrogate>().unwrap().derivative());
        let atan = Func::Smooth("atan:2".parse::<Surrogate>().unwrap().derivative());
        let tp = Func::Smooth(Derivative::True(Activation::Tanh));
        for (f, g, a, b, c, want) in [
            (
                &sig,
                &atan,
                1.0831899124769913,
                0.09414388899761285,
                -0.13776720056198677,
                0.244_502_638_237_443_16,
            ),
            (
                &tp,
                &sig,
                25.061563389362195,
                0.42655743583611644,
                0.9768193032976537,
                0.082_306_660_574_348,
            ),
        ] {
            let (su, sv) = (f64::sqrt(a), f64::sqrt(b));
            let ctx = Ctx::default();
            let x = mehler(&ctx, f, g, su, sv, c / (su * sv)).unwrap();
            ctx.take().unwrap();
            let err = (x - want).abs() / want;
            assert!(
                err < 1e-13,
                "{} x {}: {x} vs {want} ({err:e})",
                f.name(),
                g.name()
            );
        }
    }
}

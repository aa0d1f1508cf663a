//! Small pieces of the quadrature fallback (`quad.rs`): the guarded tanh-sinh call, the
//! trapezoid rule for analytic integrands, and the density of two point masses.

use quadrature::double_exponential::integrate;

use crate::catalogue::PointMass;
use crate::closed::DEGENERATE;
use crate::expect::Cov2;
use crate::numeric::npdf;

/// Tanh-sinh on `[lo, hi]` with a guard against its error estimate: once successive levels
/// look quadratically convergent the rule reports `delta^2` as its error, which can be wrong by
/// orders of magnitude when it stops at one of the first levels (seen: claimed 8e-23, actual
/// 3e-12). A result obtained with fewer than 97 nodes is confirmed by integrating the two halves;
/// if they disagree beyond the target, the full 385-node rule is used.
pub(super) fn checked_integrate(
    g: &impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
    tol: f64,
) -> quadrature::Output {
    let o = integrate(g, lo, hi, tol);
    if o.num_function_evaluations >= 97 {
        return o;
    }
    let mid = 0.5 * (lo + hi);
    let (h1, h2) = (integrate(g, lo, mid, tol), integrate(g, mid, hi, tol));
    if (h1.integral + h2.integral - o.integral).abs() <= 10.0 * tol {
        return o;
    }
    integrate(g, lo, hi, 0.0)
}

/// The trapezoid rule of step `h` for `int phi_N(z) F(z) dz` on `|z| <= TRAP_L` (symmetric
/// nodes `j h`, weights `h phi_N(j h)`; exponentially accurate for `F` analytic in a strip, see
/// `Func::trap_step` in `quad.rs`).
pub(super) struct TrapRule {
    z: Vec<f64>,
    w: Vec<f64>,
}

/// Truncation of the trapezoid sums: `2 Phi(-8.5) = 1.9e-17`.
pub(super) const TRAP_L: f64 = 8.5;

impl TrapRule {
    pub(super) fn new(h: f64) -> Self {
        let n = (TRAP_L / h).ceil() as i64;
        let z: Vec<f64> = (-n..=n).map(|j| j as f64 * h).collect();
        let w = z.iter().map(|&z| h * npdf(z)).collect();
        Self { z, w }
    }

    #[inline]
    pub(super) fn sum(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.z.iter().zip(&self.w).map(|(&z, &w)| w * f(z)).sum()
    }
}

/// `int phi_N(z) F(z) dz` by the trapezoid rule of step `h` (see `TrapRule`).
pub(super) fn trapezoid(h: f64, f: impl Fn(f64) -> f64) -> f64 {
    TrapRule::new(h).sum(f)
}

/// `w1 w2 p_{(u,v)}(t1, t2)`, or a divergence when the law is degenerate and the point lies on
/// its support.
pub(super) fn mass_mass(p1: PointMass, p2: PointMass, cov: &Cov2) -> Option<f64> {
    let (a, b, c) = (cov.a(), cov.b(), cov.c());
    let det = a * b - c * c;
    if det > DEGENERATE * a * b {
        let q = (b * p1.at * p1.at - 2.0 * c * p1.at * p2.at + a * p2.at * p2.at) / det;
        return Some(
            p1.weight * p2.weight * (-0.5 * q).exp() / (2.0 * std::f64::consts::PI * det.sqrt()),
        );
    }
    // Degenerate: the law lives on a line (or a point). Is (t1, t2) on it?
    let scale = p1.at.abs().max(p2.at.abs()).max(1.0);
    let on = if a > 0.0 {
        (p2.at - c / a * p1.at).abs() <= 1e-12 * scale
    } else if b > 0.0 {
        (p1.at - c / b * p2.at).abs() <= 1e-12 * scale
    } else {
        p1.at == 0.0 && p2.at == 0.0
    };
    if on { None } else { Some(0.0) }
}

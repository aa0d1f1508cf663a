//! Singular structure of the catalogue functions, and the quadrature routes built on it
//! (`docs/gauss.md`, section 4): Gauss-Hermite for a conditional Gaussian much narrower than the
//! distance to the function's nearest singularity, Gauss-Legendre on graded panels
//! (`rules.rs`) around every kink, jump and centre otherwise, and the Chebyshev interpolants
//! (plain, or in a sinh-mapped variable) of an inner expectation in its mean.

use super::{CHEB_TOL, Ctx, Func, L, REL};
use crate::catalogue::{Activation, Derivative, Surrogate};
use crate::rules::{Cheb, RATIO, gh, gh_order_max, graded, panel_sum};

/// Largest panel width in standard deviations (bounds the Gaussian's growth on the ellipse).
pub(super) const CAP: f64 = 2.0;

/// Where a catalogue function fails to be analytic, in `x` units.
pub(super) struct Structure {
    /// Points `p` with the scale `s` on which the function changes near them: its breakpoints
    /// (kinks, jumps), or the real part 0 of the poles of tanh, the logistic and atan (and
    /// the centre of the entire erf family); `s` infinite for piecewise polynomials.
    pub(super) feats: Vec<(f64, f64)>,
    /// Distance of the complex singularities from the real axis (infinite if none).
    strip: f64,
    /// Distance of the singularity of each analytic branch beyond the breakpoint that ends it
    /// (the pole of `1/(1 + k x)^2` at `-1/k`; for the entire but growing `exp(-a x)` the
    /// scale `1/a` on which it grows; infinite for polynomial branches).
    branch: f64,
    /// `sup |f|` on the real line.
    sup: f64,
    /// The breakpoints (kinks and jumps) among `feats`.
    pub(super) bps: Vec<f64>,
    /// Grading ratio: 3, or 2 for the entire erf family, which is bounded only in the sectors
    /// `|arg(+-z)| < pi/4` (the ellipses of panels `[x, 2x]` stay within `38` degrees of the
    /// real axis, those of `[x, 3x]` would not), and grows like `exp(m^2 y^2)` elsewhere.
    pub(super) ratio: f64,
}

impl Func {
    /// The singular structure, for catalogue functions (`None` for user-defined ones, whose
    /// regularity between the declared breakpoints is unknown).
    pub(super) fn structure(&self) -> Option<Structure> {
        use std::f64::consts::{FRAC_2_SQRT_PI, FRAC_PI_2, PI};
        const INF: f64 = f64::INFINITY;
        let bps = self.breakpoints();
        let st = |feats: Vec<(f64, f64)>, strip: f64, branch: f64, sup: f64| {
            Some(Structure {
                feats,
                strip,
                branch,
                sup,
                bps: bps.clone(),
                ratio: RATIO,
            })
        };
        let erf = |m: f64, sup: f64| {
            Some(Structure {
                feats: vec![(0.0, 1.0 / m)],
                strip: 1.0 / m,
                branch: INF,
                sup,
                bps: vec![],
                ratio: 2.0,
            })
        };
        match self {
            Self::Act(a) | Self::Smooth(Derivative::True(a)) => {
                let deriv = matches!(self, Self::Smooth(_));
                match a {
                    Activation::Tanh => st(vec![(0.0, FRAC_PI_2)], FRAC_PI_2, INF, 1.0),
                    Activation::Erf(m) => {
                        let m = m.get();
                        erf(m, if deriv { FRAC_2_SQRT_PI * m } else { 1.0 })
                    }
                    Activation::Identity => st(vec![], INF, INF, if deriv { 1.0 } else { INF }),
                    Activation::Sign | Activation::Step if deriv => st(vec![], INF, INF, 0.0),
                    Activation::Sign | Activation::Step => st(vec![(0.0, INF)], INF, INF, 1.0),
                    Activation::Relu => {
                        st(vec![(0.0, INF)], INF, INF, if deriv { 1.0 } else { INF })
                    }
                    Activation::Custom(_) => None,
                }
            }
            Self::Smooth(Derivative::Surrogate(s)) => match s {
                Surrogate::Erf(m) => erf(m.get(), FRAC_2_SQRT_PI * m.get()),
                Surrogate::Identity => st(vec![], INF, INF, 1.0),
                Surrogate::FastSigmoid(k) => {
                    let k = k.get();
                    st(vec![(0.0, 1.0 / k)], INF, 1.0 / k, 1.0)
                }
                Surrogate::Sigmoid(k) => {
                    let k = k.get();
                    st(vec![(0.0, PI / k)], PI / k, INF, 0.25 * k)
                }
                Surrogate::Atan(a) => {
                    let (a, d) = (a.get(), 2.0 / (PI * a.get()));
                    st(vec![(0.0, d)], d, INF, 0.5 * a)
                }
                Surrogate::Triangle(w) => {
                    let w = w.get();
                    st(vec![(-w, w), (0.0, w), (w, w)], INF, INF, 1.0 / w)
                }
                Surrogate::Boxcar(w) => {
                    let w = w.get();
                    st(vec![(-w, w), (w, w)], INF, INF, 0.5 / w)
                }
                Surrogate::PiecewiseExp(a) => {
                    let a = a.get();
                    st(vec![(0.0, 1.0 / a)], INF, 1.0 / a, 0.5 * a)
                }
                Surrogate::Custom(_) => None,
            },
        }
    }
}

impl Ctx {
    /// `E[f(mu + tau Z)]` by Gauss-Hermite when the a-priori bound of `rules.rs`,
    /// `4 sup|f| n! (tau / r)^(2n)` with `r` half the distance from `[mu - 9 tau, mu + 9 tau]`
    /// to the nearest singularity (a breakpoint plus the distance of its branch's own
    /// singularity beyond it, or the strip of the complex poles), is below `tol` for some
    /// `n <= max_n` (at most `GH_MAX`); `None` otherwise (a breakpoint within `9 tau`, or `tau`
    /// too wide).
    /// `M <= 4 sup|f|` on those disks holds for every catalogue function (tanh: 1, tanh' and
    /// the logistic: 2, atan: 4/3, the Gaussian: `e^(1/4)`, `1/(1 + k x)^2` on a disk of half
    /// the distance to its pole: 4, `exp(-a x)` on radius `1/(2a)`: `e^(1/2)`, in units of
    /// `sup|f|`).
    pub(super) fn gauss_hermite(
        &self,
        f: &Func,
        st: &Structure,
        mu: f64,
        tau: f64,
        tol: f64,
        max_n: usize,
    ) -> Option<f64> {
        let mut dist = st.strip;
        for &p in &st.bps {
            let d = (mu - p).abs() - 9.0 * tau;
            if d <= 0.0 {
                return None;
            }
            dist = dist.min(d + st.branch);
        }
        let q = 2.0 * tau / dist;
        let n = gh_order_max(q, tol / (4.0 * st.sup), max_n)?;
        let (z, w) = gh(n);
        Some(
            z.iter()
                .zip(w)
                .map(|(&z, &w)| w * self.ev(f, mu + tau * z))
                .sum(),
        )
    }

    /// `E[f(mu + tau Z)]` by Gauss-Legendre on panels graded around every feature of `f`
    /// mapped to `z = (p - mu) / tau`, over `|z| <= L`.
    pub(super) fn gauss_panels(&self, f: &Func, st: &Structure, mu: f64, tau: f64) -> f64 {
        let feats: Vec<(f64, f64)> = st
            .feats
            .iter()
            .map(|&(p, s)| ((p - mu) / tau, s / tau))
            .collect();
        panel_sum(&graded(&feats, -L, L, CAP, st.ratio), |z| {
            self.ev(f, mu + tau * z)
        })
    }
}

impl Ctx {
    /// Chebyshev interpolant of `mu -> E[g(mu + tau Z)]` on `|mu| <= |k| L`, or `None` when it
    /// would not pay against the `n_outer` direct inner integrals of the outer rule or fails its
    /// check (agreement with direct evaluation to `CHEB_TOL mg` at four or five points between
    /// nodes): first, where it applies, the sinh-mapped interpolant of `SINH_N` nodes (if they
    /// are at most 3/4 of `n_outer`), then the plain one with `4 r / tau + 12` nodes, doubled
    /// while at most `min(n_outer / 2, 256)`.
    pub(super) fn interpolate_h(
        &self,
        g: &Func,
        gst: Option<&Structure>,
        k: f64,
        tau: f64,
        mg: f64,
        n_outer: usize,
    ) -> Option<Cheb> {
        let r = k.abs() * L;
        let mut n = (4.0 * r / tau).ceil() as usize + 12;
        let h = |mu: f64| self.gauss1d_st(g, gst, mu, tau, mg, REL);
        // Where the plain interpolant needs many nodes (tau small against r), first try one
        // in the variable t of mu = eps sinh(A t) (`Cheb::build_sinh`): its nodes crowd around
        // the feature of H at 0 (width eps: the smoothing tau of a kink, or the width of an
        // analytic bump) and spread geometrically elsewhere, where H varies on the scale |mu|.
        // Measured (unit variances, fast-sigmoid, sigmoid, atan inside): SINH_N = 96 nodes
        // reach 1e-11 of the magnitude for analytic g with r/eps up to 36, and for a kinked g
        // (eps = 1.5 tau) with r/eps up to 18 (3e-9 at 42, so not tried there); the check is
        // the same as for the plain interpolant.
        let kinked = !g.breakpoints().is_empty();
        let eps = if kinked {
            1.5 * tau
        } else {
            tau.max(g.width().unwrap_or(0.0))
        };
        let reach = if kinked { 25.0 } else { 40.0 };
        // It pays only where the inner integrals are expensive: each of the n_outer
        // evaluations of the interpolant costs SINH_N divisions, counted as 0.6 of a function
        // evaluation each in a direct inner integral (measured: 1.6 ns against 3.8 ns for atan
        // on trapezoid nodes, 9 ns for fast-sigmoid on panels; 0.6 keeps tanh' x atan:2 at
        // rho = 0.95, where the two routes cost the same, on the direct one), against the e
        // function evaluations of a direct inner integral (estimated at three means).
        let pays = |n_outer: usize| {
            let e0 = self.evals.get();
            for mu in [0.0, 0.1 * r, 0.4 * r] {
                h(mu);
            }
            let e = (self.evals.get() - e0) as f64 / 3.0;
            (n_outer as f64 - (SINH_N + 5) as f64) * e > 0.6 * (n_outer * SINH_N) as f64
        };
        // (Not on the tanh-sinh reference route of the tests, `no_trap`.)
        if !self.no_trap && n > SINH_N && SINH_N + 5 < n_outer && r / eps <= reach && pays(n_outer)
        {
            let c = Cheb::build_sinh(r, eps, SINH_N, h);
            let a = (r / eps).asinh();
            let ok = [-0.83, -0.37, 0.06, 0.29, 0.71].iter().all(|&t: &f64| {
                let mu = eps * (a * t).sinh();
                (c.eval(mu) - h(mu)).abs() <= CHEB_TOL * mg
            });
            if ok {
                return Some(c);
            }
        }
        while n <= (n_outer / 2).min(256) {
            let c = Cheb::build(-r, r, n, h);
            let ok = [0.17, 0.5, 0.83, 0.98].iter().all(|&t| {
                let mu = -r + 2.0 * r * t;
                (c.eval(mu) - h(mu)).abs() <= CHEB_TOL * mg
            });
            if ok {
                return Some(c);
            }
            n *= 2;
        }
        None
    }
}

/// Nodes of the sinh-mapped Chebyshev interpolant of an inner expectation (see
/// `Ctx::interpolate_h`).
const SINH_N: usize = 96;
/// Panel boundaries (in `z1`) for the outer integral `int phi(z1) f(su z1) H(z1) dz1`: the
/// features of `f` mapped by `1/su`, and those of `g` mapped by `1/k`, where
/// `H(z1) = E[g(k z1 + tau Z)]` changes over `tau/|k|` around a breakpoint of `g` (a kink or
/// jump smoothed by the conditional Gaussian; `s/|k|` when `tau = 0`) and over `max(tau, s)/|k|`
/// around a centre.
pub(super) fn outer_breaks(fs: &Structure, gs: &Structure, su: f64, k: f64, tau: f64) -> Vec<f64> {
    let mut feats: Vec<(f64, f64)> = fs.feats.iter().map(|&(p, s)| (p / su, s / su)).collect();
    if k != 0.0 {
        for &(p, s) in &gs.feats {
            // At a breakpoint H is the kink or jump smoothed over tau; when tau = 0 (the
            // diagonal) H = g(k z1) itself, whose branches change on their own scale s (the
            // pole of fast-sigmoid, the decay of piecewise-exp) next to the breakpoint.
            let w = if gs.bps.contains(&p) || !s.is_finite() {
                if tau > 0.0 { tau } else { s }
            } else {
                s.max(tau)
            };
            feats.push((p / k, if w > 0.0 { w / k.abs() } else { f64::INFINITY }));
        }
    }
    graded(&feats, -L, L, CAP, fs.ratio.min(gs.ratio))
}

//! Quadrature fallback for pairs without a closed form (scheme described in `docs/gauss.md`).
//!
//! `E[f(u) g(v)]` is written in standardised coordinates, `u = sqrt(a) z1`,
//! `v | u ~ N(k z1, tau^2)` with `k = sqrt(b) rho` and `tau^2 = b (1 - rho^2)`, as the nested
//! one-dimensional integral `int phi(z1) f(sqrt(a) z1) H(z1) dz1`, where
//! `H(z1) = E[g(k z1 + tau Z)]` is a Gaussian expectation in closed form when `g` has one
//! (sign, step, erf, relu, identity, their derivatives, boxcar, triangle, piecewise-exp, atan),
//! through a pole expansion for tanh, tanh' and sigmoid, by a one-dimensional form for
//! fast-sigmoid (`fsig.rs`; as costly as a quadrature, so it serves as the inner evaluation of
//! the routes below but does not make a pair a single outer integral), and a quadrature
//! otherwise.
//! Every one-dimensional integral runs over `[-L, L]` standard deviations. For catalogue
//! functions it is a Gauss-Legendre rule on panels graded around every jump, kink and centre
//! (mapped through the linear change of variables; `panel.rs`, `rules.rs`), a trapezoid rule
//! where the integrand is analytic in a strip and that needs fewer nodes, or a short
//! Gauss-Hermite sum when the conditional Gaussian is narrow against the distance to the
//! function's singularities (`|rho|` near 1); for user-defined functions it is the
//! double-exponential (tanh-sinh) rule of the `quadrature` crate, split at the declared
//! breakpoints. An inner integral that needs quadrature may be interpolated in its mean by
//! Chebyshev polynomials instead of being recomputed at every outer node; when neither factor
//! has a one-dimensional closed form, the Mehler (Hermite) series `sum_k rho^k c_k d_k`
//! replaces the nested rule where it is cheaper (`mehler.rs`). Point masses
//! `w delta(x - t)` contribute conditional one-dimensional integrals `w p_u(t) E[g(v) | u = t]`,
//! and two point masses the bivariate density.

use std::cell::RefCell;

use crate::catalogue::{Activation, Derivative, PointMass, Surrogate};
use crate::closed::DEGENERATE;
use crate::error::{GaussError, Result};
use crate::expect::{Cov2, deriv_name};
use crate::numeric::{INV_SQRT_2PI, atan_at, erf, ncdf, npdf, pwexp_at, triangle_at};
use crate::poles;
use crate::rules::Cheb;

/// Truncation of every Gaussian integral at `|z| <= L` standard deviations: the neglected mass
/// is `2 Phi(-9) = 2.3e-19`, times at most a polynomially growing integrand.
const L: f64 = 9.0;
/// Absolute error target of each segment, relative to the probed magnitude of the integrand.
const REL: f64 = 1e-16;
/// An integral whose error estimate exceeds this (relative to the magnitude) is reported as
/// [`GaussError::QuadratureFailed`].
const FAIL: f64 = 1e-7;
/// Acceptance threshold of the Chebyshev interpolant of an inner expectation, relative to its
/// magnitude. It must sit above the noise of the inner tanh-sinh itself (up to ~5e-11 for a bump
/// much narrower than the Gaussian: the rule stops 4.3e-14 of a piece short of its ends, where
/// the bump peaks); the direct evaluation the interpolant replaces carries the same noise.
const CHEB_TOL: f64 = 1e-10;
/// The trapezoid rule is used (instead of tanh-sinh) when it needs at most this many nodes.
const TRAP_MAX: f64 = 400.0;
/// Trapezoid accuracy exponent: error ~ M exp(-2 pi d / h) = M exp(-TRAP_EXP).
const TRAP_EXP: f64 = 36.0;

/// Largest modelled cost (ns, `poles::plan_cost`) of a pole-expansion form for which a pair
/// with that factor inside becomes a single outer integral.
const POLE_COST: f64 = 200.0;

/// Modelled cost of one fast-sigmoid form evaluation (`fsig.rs`), in function evaluations of a
/// quadrature (measured: 0.3-2 us against about 9 ns per evaluation on panels).
const FSIG_EVALS: u64 = 100;

/// A real function of one variable with the structure the quadrature needs.
#[derive(Clone, Debug)]
pub(crate) enum Func {
    /// An activation `phi`.
    Act(Activation),
    /// The smooth (absolutely continuous) part of a derivative function.
    Smooth(Derivative),
}

impl Func {
    #[inline]
    fn eval(&self, x: f64) -> f64 {
        match self {
            Self::Act(a) => a.value(x),
            Self::Smooth(d) => d.smooth(x),
        }
    }

    pub(crate) fn name(&self) -> String {
        match self {
            Self::Act(a) => a.to_string(),
            Self::Smooth(d) => deriv_name(d),
        }
    }

    /// Identically zero (the smooth part of `sign'` and `step'`).
    pub(crate) fn is_zero(&self) -> bool {
        matches!(
            self,
            Self::Smooth(Derivative::True(Activation::Sign | Activation::Step))
        )
    }

    fn breakpoints(&self) -> Vec<f64> {
        match self {
            Self::Act(a) => a.breakpoints(),
            Self::Smooth(d) => d.breakpoints(),
        }
    }

    /// Width of the function's central feature (where it changes on its own scale), if any.
    fn width(&self) -> Option<f64> {
        let w = match self {
            Self::Act(Activation::Erf(m)) => 1.0 / m.get(),
            Self::Act(Activation::Tanh) => 1.0,
            Self::Smooth(Derivative::True(a)) => match a {
                Activation::Erf(m) => 1.0 / m.get(),
                Activation::Tanh => 1.0,
                _ => return None,
            },
            Self::Smooth(Derivative::Surrogate(s)) => match s {
                Surrogate::Erf(m) => 1.0 / m.get(),
                Surrogate::FastSigmoid(k) | Surrogate::Sigmoid(k) => 1.0 / k.get(),
                Surrogate::Atan(a) => 2.0 / (std::f64::consts::PI * a.get()),
                Surrogate::Triangle(w) | Surrogate::Boxcar(w) => w.get(),
                Surrogate::PiecewiseExp(a) => 1.0 / a.get(),
                _ => return None,
            },
            _ => return None,
        };
        Some(w)
    }

    /// Half-width of a strip around the real axis in which the function is analytic (for the
    /// erf family, entire, the scale `1/m` on which it varies); `None` for functions with
    /// breakpoints or unknown regularity (user-defined).
    fn strip(&self) -> Option<f64> {
        use std::f64::consts::{FRAC_PI_2, PI};
        match self {
            Self::Act(Activation::Tanh) | Self::Smooth(Derivative::True(Activation::Tanh)) => {
                Some(FRAC_PI_2)
            }
            Self::Act(Activation::Erf(m))
            | Self::Smooth(Derivative::True(Activation::Erf(m)))
            | Self::Smooth(Derivative::Surrogate(Surrogate::Erf(m))) => Some(1.0 / m.get()),
            Self::Act(Activation::Identity)
            | Self::Smooth(Derivative::True(Activation::Identity))
            | Self::Smooth(Derivative::Surrogate(Surrogate::Identity)) => Some(f64::INFINITY),
            Self::Smooth(Derivative::Surrogate(Surrogate::Sigmoid(k))) => Some(PI / k.get()),
            Self::Smooth(Derivative::Surrogate(Surrogate::Atan(a))) => Some(2.0 / (PI * a.get())),
            _ => None,
        }
    }

    /// Step of the trapezoid rule for `int phi_N(z) F(z) dz` when `F` is analytic in the strip
    /// `|Im z| < d` (in z units): for such integrands the rule on the whole line errs by about
    /// `2 M exp(-2 pi d' / h)` with `M ~ exp(d'^2/2) sup |F|` on the strip `d' = min(0.8 d, 3)`
    /// (0.8: stay away from the singularities; 3: bound the growth of the Gaussian off the real
    /// axis). `None` when more than `TRAP_MAX` nodes would be needed.
    fn trap_step(d: f64) -> Option<f64> {
        let d = (0.8 * d).min(3.0);
        let h = 2.0 * std::f64::consts::PI * d / TRAP_EXP;
        (h > 0.0 && 2.0 * TRAP_L / h <= TRAP_MAX).then_some(h)
    }

    /// Split points for a Gaussian of standard deviation `sd`: every breakpoint, and the centre
    /// of a central feature narrower than `sd` (tanh-sinh clusters its nodes at the ends of
    /// each piece, so a narrow peak at an end is resolved).
    fn features(&self, sd: f64) -> Vec<f64> {
        let mut v = self.breakpoints();
        if self.width().is_some_and(|w| w < sd) {
            v.push(0.0);
        }
        v
    }

    /// Value at `x`, with jumps located exactly at `x` taken at their midpoint (used when a
    /// conditional law degenerates onto a point); `bps` the breakpoints where the caller has
    /// them (its `panel::Structure`: the degenerate route asks at every node), else listed here.
    fn eval_mid(&self, x: f64, bps: Option<&[f64]>) -> f64 {
        // Exactly at a declared breakpoint (the degenerate case lands there exactly).
        let at = match bps {
            Some(b) => b.contains(&x),
            None => self.breakpoints().contains(&x),
        };
        if at {
            // A jump (the one-sided values differ) is taken at its midpoint; at a kink the
            // value itself is right (the one-sided values differ only by O(d)).
            let d = 1e-12 * x.abs().max(1.0);
            let (l, r) = (self.eval(x - d), self.eval(x + d));
            if (l - r).abs() > 1e-6 * l.abs().max(r.abs()) {
                0.5 * (l + r)
            } else {
                self.eval(x)
            }
        } else {
            self.eval(x)
        }
    }

    /// The triangle, piecewise-exp and atan surrogates, whose one-dimensional closed forms
    /// ([`crate::numeric::triangle_at`], [`crate::numeric::pwexp_at`],
    /// [`crate::numeric::atan_at`]) cost several special functions per call.
    fn costly_closed_1d(&self) -> bool {
        self.pole().is_some()
            || matches!(
                self,
                Self::Smooth(Derivative::Surrogate(
                    Surrogate::Triangle(_)
                        | Surrogate::PiecewiseExp(_)
                        | Surrogate::Atan(_)
                        | Surrogate::FastSigmoid(_)
                ))
            )
    }

    /// `E[f(mu + tau Z)]`, `tau > 0`, where a one-dimensional closed form exists.
    fn closed_1d(&self, mu: f64, tau: f64) -> Option<f64> {
        let x = mu / tau;
        let gauss = |w: f64, s: f64| {
            let var = s + tau * tau;
            w * INV_SQRT_2PI / var.sqrt() * (-0.5 * mu * mu / var).exp()
        };
        if self.pole().is_some() {
            return self.pole_1d(mu, tau, None);
        }
        Some(match self {
            Self::Act(a) => match a {
                Activation::Sign => erf(x * std::f64::consts::FRAC_1_SQRT_2),
                Activation::Step => ncdf(x),
                Activation::Erf(m) => {
                    let m = m.get();
                    erf(m * mu / (1.0 + 2.0 * m * m * tau * tau).sqrt())
                }
                Activation::Identity => mu,
                Activation::Relu => mu * ncdf(x) + tau * npdf(x),
                _ => return None,
            },
            Self::Smooth(Derivative::True(a)) => match a {
                Activation::Sign | Activation::Step => 0.0,
                Activation::Erf(m) => gauss(2.0, 0.5 / (m.get() * m.get())),
                Activation::Identity => 1.0,
                Activation::Relu => ncdf(x),
                _ => return None,
            },
            Self::Smooth(Derivative::Surrogate(s)) => match s {
                Surrogate::Erf(m) => gauss(2.0, 0.5 / (m.get() * m.get())),
                Surrogate::Identity => 1.0,
                Surrogate::Boxcar(w) => {
                    let w = w.get();
                    (ncdf((w - mu) / tau) - ncdf((-w - mu) / tau)) * 0.5 / w
                }
                Surrogate::Triangle(w) => triangle_at(w.get(), mu, tau),
                Surrogate::Atan(a) => atan_at(a.get(), mu, tau),
                Surrogate::PiecewiseExp(a) => pwexp_at(a.get(), mu, tau),
                Surrogate::FastSigmoid(k) => fsig::fsig_at(k.get(), mu, tau),
                _ => return None,
            },
        })
    }

    /// A magnitude of `E[f(sd Z)]`, the scale of the error targets: the largest `|f|` at a few
    /// probe points, times `width / sd` for a bump narrower than `sd` (its expectation is about
    /// its integral over `sd sqrt(2 pi)`); never 0.
    fn magnitude(&self, sd: f64) -> f64 {
        let narrow = match self.width() {
            Some(w) if w < sd && !matches!(self, Self::Act(_)) => w / sd,
            _ => 1.0,
        };
        self.peak(sd) * narrow
    }

    /// The largest `|f|` at a few probe points on the scale `sd` (never 0).
    fn peak(&self, sd: f64) -> f64 {
        let mut m: f64 = 0.0;
        for z in [0.0, 0.25, 0.5, 1.0, 2.0, 4.0] {
            for s in [-1.0, 1.0] {
                let y = self.eval(s * z * sd);
                if y.is_finite() {
                    m = m.max(y.abs());
                }
            }
        }
        for p in self.features(sd) {
            for x in [p, p * (1.0 + 1e-9) + 1e-12] {
                let y = self.eval(x);
                if y.is_finite() {
                    m = m.max(y.abs());
                }
            }
        }
        if m > 0.0 { m } else { 1.0 }
    }
}

/// A pole-form plan `(s, tol, plan)` cached by [`Ctx`].
type CachedPlan = (f64, f64, Option<(std::rc::Rc<poles::Plan>, f64)>);

/// State of one expectation: the first error raised inside an integrand.
#[derive(Default)]
struct Ctx {
    err: RefCell<Option<GaussError>>,
    /// Disable the trapezoid rule (tests compare it with tanh-sinh).
    no_trap: bool,
    /// Disable the Mehler series (tests compare it with the nested trapezoid rule).
    no_mehler: bool,
    /// Disable the triangle, piecewise-exp and atan one-dimensional closed forms (tests compare
    /// them with the routes that compute those inner expectations by quadrature).
    numeric_inner: bool,
    /// Number of function evaluations (the cost model of the routes; read by a test).
    evals: std::cell::Cell<u64>,
    /// The last trapezoid rule used (step, nodes, weights): the inner expectations of one
    /// pair all share it, so the Gaussian weights are computed once.
    rule: RefCell<Option<(f64, std::rc::Rc<TrapRule>)>>,
    /// The last pole-form plan `(s, tol, plan)` (`poles::uniform`): the inner
    /// expectations of one pair share `s` and the tolerance, so it is computed once.
    pole_plan: RefCell<Vec<CachedPlan>>,
    /// Fast-sigmoid inner expectations of the current `(k, tau)` (bit patterns) by `|mu|`.
    fsig_cache: RefCell<FsigCache>,
}

/// See [`Ctx::fsig_cache`].
type FsigCache = ((u64, u64), std::collections::HashMap<u64, f64>);

impl Ctx {
    #[inline]
    fn ev(&self, f: &Func, x: f64) -> f64 {
        self.evals.set(self.evals.get() + 1);
        let y = f.eval(x);
        if y.is_finite() {
            y
        } else {
            let mut e = self.err.borrow_mut();
            if e.is_none() {
                *e = Some(GaussError::NonFinite { name: f.name(), x });
            }
            0.0
        }
    }

    /// [`Func::closed_1d`], unless disabled for the costly ones (`numeric_inner`).
    fn closed_1d(&self, f: &Func, mu: f64, tau: f64) -> Option<f64> {
        if self.numeric_inner && f.costly_closed_1d() {
            return None;
        }
        if let Func::Smooth(Derivative::Surrogate(Surrogate::FastSigmoid(k))) = f {
            // Even in mu, and the interpolants ask for it at symmetric means: cached by |mu|
            // (to 16 ulps, far below its accuracy) for the current (k, tau).
            let key = (k.get().to_bits(), tau.to_bits());
            let m = mu.abs().to_bits() >> 4;
            let mut c = self.fsig_cache.borrow_mut();
            if c.0 != key {
                *c = (key, std::collections::HashMap::new());
            }
            if let Some(&v) = c.1.get(&m) {
                return Some(v);
            }
            // Its cost in function evaluations (the routes' cost model): ~1 us.
            self.evals.set(self.evals.get() + FSIG_EVALS);
            let v = f.closed_1d(mu, tau);
            if let Some(v) = v {
                c.1.insert(m, v);
            }
            return v;
        }
        f.closed_1d(mu, tau)
    }

    /// Whether `E[f(mu + tau Z)]` has a one-dimensional form for this `tau` (for the
    /// pole-expansion functions: whether it applies at the centre, `tau` not too wide against
    /// the pole spacing).
    fn has_closed_1d(&self, f: &Func, tau: f64) -> bool {
        if let Some((kind, r, v)) = f.pole() {
            // Only where the form is cheap (measured: at a modelled cost above ~POLE_COST ns
            // per evaluation the single outer integral loses to the series or the
            // interpolated nested rule).
            // (By the modelled cost alone: building a plan only to reject it, a Fourier one
            // for a wide Gaussian, cost ~1 us of tanh x tanh's 15 at variances (2, 0.5).)
            return !self.numeric_inner
                && poles::uniform_cost(kind, r * tau.max(1e-300), 1e-16 / v)
                    .is_some_and(|c| c <= POLE_COST);
        }
        if matches!(
            f,
            Func::Smooth(Derivative::Surrogate(Surrogate::FastSigmoid(_)))
        ) {
            // Pairs of two even bumps with a fast-sigmoid take the even route (`even.rs`),
            // the form inside, before this matters. For the others the pair keeps its route
            // (series, interpolant, nested rule), with the form as the inner evaluation: the
            // crossover was measured when the form cost 0.3-2 us near the kink (it is
            // 0.07-0.4 us at `s >= 1` since the fifth session, not re-measured here).
            return false;
        }
        self.closed_1d(f, 0.0, 1.0).is_some()
    }

    /// The trapezoid rule of step `h` (cached).
    fn trap_rule(&self, h: f64) -> std::rc::Rc<TrapRule> {
        let mut slot = self.rule.borrow_mut();
        if let Some((h0, r)) = slot.as_ref() {
            // Exact: the cache key is the step computed by the same expression.
            if h0.to_bits() == h.to_bits() {
                return r.clone();
            }
        }
        let r = std::rc::Rc::new(TrapRule::new(h));
        *slot = Some((h, r.clone()));
        r
    }

    fn fail(&self, e: GaussError) {
        let mut slot = self.err.borrow_mut();
        if slot.is_none() {
            *slot = Some(e);
        }
    }
    fn take(&self) -> Result<()> {
        match self.err.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `int_{-L}^{L} g(z) dz` split at `pts` (in z), each piece by tanh-sinh to `tol`.
    fn segments(
        &self,
        g: impl Fn(f64) -> f64,
        mut pts: Vec<f64>,
        tol: f64,
        scale: f64,
        what: &dyn Fn() -> String,
    ) -> f64 {
        pts.retain(|p| p.is_finite() && p.abs() < L);
        // The Gaussian's centre: tanh-sinh on [-L, L] misjudges its own error for a peak in
        // the middle of the interval, and converges fast with the peak at an endpoint.
        pts.push(0.0);
        pts.push(-L);
        pts.push(L);
        pts.sort_by(f64::total_cmp);
        pts.dedup_by(|x, y| (*x - *y).abs() <= 1e-300);
        let mut sum = 0.0;
        for w in pts.windows(2) {
            let o = checked_integrate(&g, w[0], w[1], tol);
            if o.error_estimate > FAIL * scale {
                self.fail(GaussError::QuadratureFailed {
                    what: what(),
                    error_estimate: o.error_estimate,
                });
            }
            sum += o.integral;
        }
        sum
    }

    /// `E[f(mu + tau Z)]`, `Z ~ N(0, 1)`.
    fn gauss1d(&self, f: &Func, mu: f64, tau: f64, scale: f64, rel: f64) -> f64 {
        let st = f.structure().filter(|_| !self.no_trap);
        self.gauss1d_st(f, st.as_ref(), mu, tau, scale, rel)
    }

    /// The plan of `poles::uniform` for `(kind, s, tol)` with its modelled cost (ns), cached:
    /// the inner expectations of one pair share `s` and the tolerance. Two entries, the
    /// newest first: a pair asks at two tolerances (`has_closed_1d`'s and the route's), which
    /// would evict each other from one.
    pub(super) fn uniform_plan(
        &self,
        kind: poles::Pole,
        s: f64,
        tol: f64,
    ) -> Option<(std::rc::Rc<poles::Plan>, f64)> {
        let mut slots = self.pole_plan.borrow_mut();
        let hit = slots
            .iter()
            .position(|(s0, t0, _)| s0.to_bits() == s.to_bits() && t0.to_bits() == tol.to_bits());
        match hit {
            Some(i) => slots[i].2.clone(),
            None => {
                let p = poles::uniform(kind, s, tol).map(|(plan, c)| (std::rc::Rc::new(plan), c));
                slots.insert(0, (s, tol, p.clone()));
                slots.truncate(2);
                p
            }
        }
    }

    /// [`Self::gauss1d`] with the structure of `f` computed once by the caller (`None` for
    /// user-defined functions, or to force tanh-sinh).
    fn gauss1d_st(
        &self,
        f: &Func,
        st: Option<&panel::Structure>,
        mu: f64,
        tau: f64,
        scale: f64,
        rel: f64,
    ) -> f64 {
        if tau == 0.0 {
            let y = f.eval_mid(mu, st.map(|st| st.bps.as_slice()));
            return if y.is_finite() { y } else { self.ev(f, mu) };
        }
        // The costly closed forms (several special functions, ~50-100 ns) come after a short
        // Gauss-Hermite sum where one applies (a narrow Gaussian far from every singularity:
        // at most 8 cheap evaluations; measured, longer sums cost more than the closed forms).
        // Pole-expansion forms: one plan, valid for every mean, per pair (cached).
        if let Some((kind, r, v)) = f.pole().filter(|_| !self.numeric_inner) {
            if let Some((p, _)) = self.uniform_plan(kind, r * tau, REL * scale / v) {
                return v * p.eval(kind, r * mu);
            }
        }
        let costly = f.costly_closed_1d();
        if !costly {
            if let Some(v) = self.closed_1d(f, mu, tau) {
                return v;
            }
        }
        let max_n = if costly { 8 } else { crate::rules::GH_MAX };
        if let Some(v) = st.and_then(|st| self.gauss_hermite(f, st, mu, tau, REL * scale, max_n)) {
            return v;
        }
        if f.pole().is_some() {
            // (Declined above: no plan; the quadrature below.)
        } else if let Some(v) = self.closed_1d(f, mu, tau) {
            return v;
        }
        if let Some(h) = f
            .strip()
            .and_then(|d| Func::trap_step(d / tau))
            .filter(|_| !self.no_trap)
        {
            let rule = self.trap_rule(h);
            return rule.sum(|z| self.ev(f, mu + tau * z));
        }
        if let Some(st) = st {
            return self.gauss_panels(f, st, mu, tau);
        }
        let pts = f
            .features(tau)
            .into_iter()
            .map(|p| (p - mu) / tau)
            .collect();
        self.segments(
            |z| npdf(z) * self.ev(f, mu + tau * z),
            pts,
            rel * scale,
            scale,
            &|| format!("E[{}(x)], x ~ N({mu}, {})", f.name(), tau * tau),
        )
    }

    /// `E[f(u) g(v)]` for two smooth-or-jump functions (no point masses).
    fn smooth_pair(&self, f: &Func, g: &Func, cov: &Cov2) -> f64 {
        if f.is_zero() || g.is_zero() {
            return 0.0;
        }
        let (a, b, c) = (cov.a(), cov.b(), cov.c());
        if a == 0.0 {
            let f0 = self.ev(f, 0.0);
            return if f0 == 0.0 {
                0.0
            } else {
                f0 * self.gauss1d(g, 0.0, b.sqrt(), g.magnitude(b.sqrt()), REL)
            };
        }
        if b == 0.0 {
            return self.smooth_pair(g, f, &cov.swapped());
        }
        // Put the function with a 1-D closed form inside; below |rho| = 0.8, where a costly
        // one inside would send the pair to the Mehler series (`series_first`), a cheap one
        // (a few elementary functions: relu', identity, ...) before a costly one (measured at
        // unit variances, rho = 0.3-0.7, relu' inside against the series: relu' x sigmoid:25
        // 9-10 against 12-31 us, x atan:2 10-12 against 9-28, x sigmoid:4 12-15 against 11-27;
        // from 0.8 on the costly one inside stays faster, relu' x tanh' 6-12 against 15-16).
        let tau_of = |s: f64, r: f64| s * ((1.0 - r) * (1.0 + r)).max(0.0).sqrt();
        let r0 = (c / (a * b).sqrt()).clamp(-1.0, 1.0);
        let (cf, cg) = (
            self.has_closed_1d(f, tau_of(a.sqrt(), r0)),
            self.has_closed_1d(g, tau_of(b.sqrt(), r0)),
        );
        if cf && (!cg || (g.costly_closed_1d() && !f.costly_closed_1d() && r0.abs() < 0.8)) {
            return self.smooth_pair(g, f, &cov.swapped());
        }
        // Two pole forms: the one with the cheaper plan inside, where it is at most a quarter of
        // the other's (a Gaussian narrow against its poles: a few Gauss-Hermite nodes; measured,
        // tanh x tanh at variances 1.9e-5 and 5.5, rho = 0.82, 13-21 against 34 us).
        if cf && cg && f.much_cheaper_plan(tau_of(a.sqrt(), r0), g, tau_of(b.sqrt(), r0)) {
            return self.smooth_pair(g, f, &cov.swapped());
        }
        let (su, sv) = (a.sqrt(), b.sqrt());
        // rho as the closed forms compute it, snapped to +-1 within rounding (so that
        // Cov2(a, a, a) is exactly degenerate on both routes).
        let rho = if 1.0 - r0.abs() <= DEGENERATE {
            r0.signum()
        } else {
            r0
        };
        let k = sv * rho;
        let tau = sv * ((1.0 - rho) * (1.0 + rho)).sqrt();
        if let Some(v) = self.even_pair(f, g, su, sv, rho) {
            return v; // Two even bumps, a pole form inside: a half-line outer rule (`even.rs`).
        }
        // The inner expectation not in closed form: the Mehler series needs N evaluations of
        // each factor instead of N^2 (`mehler.rs`; it declines where it would cost more).
        // ... unless the inner expectation of an analytic g is a Gauss-Hermite sum of a few
        // nodes (tau small against the strip of g): then the nested rule costs about
        // (n + 1) evaluations per outer node, while the series needs ln(eps)/ln|rho| terms.
        let short_inner = !self.no_trap
            && rho.abs() > 0.5
            && g.strip().is_some_and(|d| {
                crate::rules::gh_order(2.0 * tau / d, 1e-18).is_some_and(|n| n <= 12)
            });
        // The triangle and piecewise-exp closed forms (three ramp tails, two erfcx) cost about
        // as much as a short quadrature; at moderate correlations the series, with one cheap
        // evaluation of g per node, is faster than the nested rule over graded outer panels
        // (measured: fast-sigmoid x triangle at rho = 0.5, 24 against 54 us).
        // Likewise a fast-sigmoid inside (`fsig.rs`, its form then feeds the interpolant of H),
        // from |rho| = 0.85 on (measured, unit variances: series against interpolant 63-67
        // against 136 us at rho = 0.8, 150-200 against 117 us at 0.9, 121 against 70 at 0.95).
        let fsig_g = !self.numeric_inner
            && matches!(
                g,
                Func::Smooth(Derivative::Surrogate(Surrogate::FastSigmoid(_)))
            );
        let series_first = if fsig_g {
            rho.abs() < 0.85
        } else {
            !self.has_closed_1d(g, tau) || (g.costly_closed_1d() && rho.abs() < 0.8)
        };
        if !self.no_trap && !self.no_mehler && series_first && !short_inner {
            if let Some(v) = mehler::mehler(self, f, g, su, sv, rho) {
                return v;
            }
        }
        let (mf, mg) = (f.magnitude(su), g.magnitude(sv));
        // H(z1) by quadrature is the expensive part. H(mu) = E[g(mu + tau Z)] is entire (a
        // Gaussian convolution) and varies on the scale tau: interpolate it in mu by Chebyshev
        // polynomials when few nodes suffice (checked a posteriori), or compute it once when
        // k = 0 (H constant).
        let gst = g.structure().filter(|_| !self.no_trap);
        // f analytic: f(sqrt(a) z1) is analytic in |Im z1| < d_f/sqrt(a), and H (a Gaussian
        // convolution, |H(z1 + iy)| <= sup|g| exp(k^2 y^2 / (2 tau^2))) in
        // |Im z1| < max(tau, d_g)/|k| up to a bounded factor: the trapezoid rule applies.
        let trap_h = f.strip().and_then(|df| {
            let dh = if k == 0.0 {
                f64::INFINITY
            } else {
                tau.max(g.strip().unwrap_or(0.0)) / k.abs()
            };
            Func::trap_step((df / su).min(dh)).filter(|_| !self.no_trap)
        });
        // Catalogue functions: Gauss-Legendre on panels graded around the features of f and
        // of H (`panel.rs`), when that needs fewer nodes than the trapezoid rule.
        let panels = match (f.structure(), gst.as_ref()) {
            (Some(fs), Some(gs)) if !self.no_trap => Some(panel::outer_breaks(&fs, gs, su, k, tau)),
            _ => None,
        };
        let n_panels = panels.as_ref().map(|b| (b.len() - 1) * crate::rules::GL_N);
        let n_trap = trap_h.map(|h| (2.0 * TRAP_L / h) as usize);
        // The interpolant pays only if it needs fewer inner integrals than the outer rule.
        let n_outer = match (n_panels, n_trap) {
            (Some(p), Some(t)) => p.min(t),
            (Some(p), None) => p,
            (None, Some(t)) => t,
            (None, None) => usize::MAX,
        };
        let numeric_inner = tau > 0.0 && !self.has_closed_1d(g, tau);
        let interp = if numeric_inner {
            if k == 0.0 {
                Some(Cheb::constant(self.gauss1d_st(
                    g,
                    gst.as_ref(),
                    0.0,
                    tau,
                    mg,
                    REL,
                )))
            } else if short_inner {
                // A Gauss-Hermite sum of a few nodes is cheaper than the interpolant.
                None
            } else {
                self.interpolate_h(g, gst.as_ref(), k, tau, mg, n_outer)
            }
        } else {
            None
        };
        let h_at = |z1: f64| match &interp {
            Some(c) => c.eval(k * z1),
            None => self.gauss1d_st(g, gst.as_ref(), k * z1, tau, mg, REL),
        };
        if let Some(b) = panels.filter(|_| n_trap.is_none_or(|n| n_panels.unwrap() < n)) {
            let (z, w) = crate::rules::panel_rule(&b);
            return z
                .iter()
                .zip(&w)
                .map(|(&z1, &w)| {
                    let fx = self.ev(f, su * z1);
                    if fx == 0.0 { 0.0 } else { w * fx * h_at(z1) }
                })
                .sum();
        }
        if let Some(h) = trap_h {
            return trapezoid(h, |z1| {
                let fx = self.ev(f, su * z1);
                if fx == 0.0 { 0.0 } else { fx * h_at(z1) }
            });
        }
        let mut pts: Vec<f64> = f.features(su).into_iter().map(|p| p / su).collect();
        // A central feature of f narrower than sd(u): refine around it as well (the
        // tanh-sinh error estimate is over-optimistic for a feature inside a long piece).
        if let Some(w) = f.width().filter(|&w| w < su) {
            for j in [1.0, 4.0, 16.0] {
                pts.push(-j * w / su);
                pts.push(j * w / su);
            }
        }
        if k != 0.0 {
            // H(z1) = E[g(k z1 + tau Z)] changes at z1 = p/k over a width max(tau, w_g)/|k|;
            // when that is narrower than the Gaussian, split at the centre and at a few widths
            // on either side.
            let h = tau.max(g.width().unwrap_or(0.0)) / k.abs();
            let mut centres = g.features(tau.max(1e-300));
            if g.width().is_some() && !centres.contains(&0.0) {
                centres.push(0.0);
            }
            for p in centres {
                pts.push(p / k);
                if h < 1.0 {
                    for j in [1.0, 4.0, 16.0] {
                        pts.push(p / k - j * h);
                        pts.push(p / k + j * h);
                    }
                }
            }
        }
        self.segments(
            |z1| {
                let fx = self.ev(f, su * z1);
                if fx == 0.0 {
                    return 0.0;
                }
                npdf(z1) * fx * h_at(z1)
            },
            pts,
            REL * mf * mg,
            mf * mg,
            &|| format!("E[{}(u) {}(v)] with {cov:?}", f.name(), g.name()),
        )
    }

    /// `w p_u(t) E[g(v) | u = t]`: a point mass of `alpha` at `t` against the smooth `g`.
    fn mass_smooth(&self, pm: PointMass, g: &Func, cov: &Cov2, who: &str) -> f64 {
        if g.is_zero() || pm.weight == 0.0 {
            return 0.0;
        }
        let (a, b, c) = (cov.a(), cov.b(), cov.c());
        if a == 0.0 {
            if pm.at == 0.0 {
                self.fail(GaussError::Divergent {
                    what: format!(
                        "point mass of {who} at 0 on a variable with zero variance ({cov:?})"
                    ),
                });
            }
            return 0.0;
        }
        let p = INV_SQRT_2PI / a.sqrt() * (-0.5 * pm.at * pm.at / a).exp();
        if p == 0.0 {
            return 0.0;
        }
        let mean = c * pm.at / a;
        let var = b - c * c / a;
        let var = if var > DEGENERATE * b { var } else { 0.0 };
        let e = if b == 0.0 {
            self.ev(g, 0.0)
        } else {
            self.gauss1d(g, mean, var.sqrt(), g.magnitude(var.sqrt()), REL)
        };
        pm.weight * p * e
    }
}

/// `E[phi(u) psi(v)]` by quadrature.
pub(crate) fn act_pair(phi: &Activation, psi: &Activation, cov: &Cov2) -> Result<f64> {
    let ctx = Ctx::default();
    let r = ctx.smooth_pair(&Func::Act(phi.clone()), &Func::Act(psi.clone()), cov);
    ctx.take()?;
    Ok(r)
}

/// Pre-resolved pieces of a derivative pair for the quadrature path.
#[derive(Clone, Debug)]
pub(crate) struct DerivQuad {
    fa: Func,
    fb: Func,
    ma: Vec<PointMass>,
    mb: Vec<PointMass>,
    na: String,
    nb: String,
}

impl DerivQuad {
    pub(crate) fn new(alpha: &Derivative, beta: &Derivative) -> Self {
        Self {
            fa: Func::Smooth(alpha.clone()),
            fb: Func::Smooth(beta.clone()),
            ma: alpha.point_masses(),
            mb: beta.point_masses(),
            na: deriv_name(alpha),
            nb: deriv_name(beta),
        }
    }

    /// `E[alpha(u) beta(v)]` = smooth x smooth + masses x smooth + masses x masses.
    pub(crate) fn expect(&self, cov: &Cov2) -> Result<f64> {
        let ctx = Ctx::default();
        let mut r = ctx.smooth_pair(&self.fa, &self.fb, cov);
        for &pm in &self.ma {
            r += ctx.mass_smooth(pm, &self.fb, cov, &self.na);
        }
        let sw = cov.swapped();
        for &pm in &self.mb {
            r += ctx.mass_smooth(pm, &self.fa, &sw, &self.nb);
        }
        for &p1 in &self.ma {
            for &p2 in &self.mb {
                match mass_mass(p1, p2, cov) {
                    Some(v) => r += v,
                    None => ctx.fail(GaussError::Divergent {
                        what: format!(
                            "E[{}(u) {}(v)] with a = {}, b = {}, c = {}: point masses at ({}, {}) \
                             on a degenerate covariance",
                            self.na,
                            self.nb,
                            cov.a(),
                            cov.b(),
                            cov.c(),
                            p1.at,
                            p2.at
                        ),
                    }),
                }
            }
        }
        ctx.take()?;
        Ok(r)
    }
}

#[path = "even.rs"]
mod even;
#[path = "fsig.rs"]
mod fsig;
#[path = "mehler.rs"]
mod mehler;
#[path = "panel.rs"]
mod panel;
#[path = "quad_sums.rs"]
mod sums;
use sums::{TRAP_L, TrapRule, checked_integrate, mass_mass, trapezoid};

#[cfg(test)]
#[path = "quad_tests.rs"]
mod tests;

//! The catalogue: the one definition of every activation and surrogate derivative in sgntk.
//!
//! Every crate (kernels, simulator, command line) takes its activations and surrogates from here,
//! so that "fast-sigmoid" means the same function in the analytic kernel and in the simulated
//! network. Each entry has a compact text form ([`std::str::FromStr`] and [`std::fmt::Display`]
//! round-trip): activations `sign`, `step`, `erf:M`, `identity`, `relu`, `tanh`; surrogates
//! `erf:M`, `identity`, `fast-sigmoid:K`, `sigmoid:K`, `atan:A`, `triangle:W`, `boxcar:W`,
//! `piecewise-exp:A`.
//!
//! # Surrogates and the factor 2
//!
//! A surrogate derivative replaces `phi'` in back-propagation. Its integral over the real line
//! says which jump it imitates: a surrogate with integral 1 imitates the Heaviside step (a 0/1
//! spike, jump height 1), one with integral 2 imitates `sign` (jump height 2, from -1 to +1).
//! Spiking-network libraries (snnTorch, SpikingJelly, Norse) define their surrogates for the 0/1
//! step; the paper's `erf(1)` surrogate `(2/sqrt(pi)) exp(-x^2)` is the derivative of `erf(x)`
//! and has integral 2, matching `sign`. The kernels scale linearly in the surrogate (the SG-NTK
//! is linear in `phi~'` at every layer), so multiplying a library surrogate by 2 for a sign
//! network only rescales the backward signal; the formulas below are exactly the libraries'.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use special::Error as _;

use crate::error::{GaussError, Result};

/// A real function shared between threads (used by user-defined entries).
pub type RealFn = Arc<dyn Fn(f64) -> f64 + Send + Sync>;

/// `2 / sqrt(pi)`.
pub(crate) const FRAC_2_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

/// A strictly positive, finite parameter (validated at construction).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Positive(f64);

impl Positive {
    /// Validates `value > 0` and finite; `name` appears in the error.
    pub fn new(name: &'static str, value: f64) -> Result<Self> {
        if value.is_finite() && value > 0.0 {
            Ok(Self(value))
        } else {
            Err(GaussError::InvalidParameter {
                name,
                value,
                reason: "must be finite and > 0",
            })
        }
    }

    /// The value.
    #[inline]
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A point mass `weight * delta(x - at)` in a derivative (the derivative of a jump of height
/// `weight` at `at`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointMass {
    /// Location of the jump.
    pub at: f64,
    /// Jump height (weight of the delta).
    pub weight: f64,
}

/// A user-defined activation: a function, its derivative away from the jumps, its jumps
/// (location and height, becoming point masses of the derivative) and its kinks (points where the
/// derivative is discontinuous but the function is continuous).
#[derive(Clone)]
pub struct CustomActivation {
    name: String,
    value: RealFn,
    derivative: RealFn,
    jumps: Vec<PointMass>,
    kinks: Vec<f64>,
}

impl CustomActivation {
    /// Builds a user-defined activation. `jumps` are `(location, height)` pairs: `phi` jumps by
    /// `height` at `location`, so `phi'` contains `height * delta(x - location)`. The function
    /// must grow at most polynomially for the expectations to exist.
    pub fn new(
        name: impl Into<String>,
        value: RealFn,
        derivative: RealFn,
        jumps: Vec<(f64, f64)>,
        kinks: Vec<f64>,
    ) -> Result<Self> {
        for &(at, weight) in &jumps {
            finite("jump location", at)?;
            finite("jump height", weight)?;
        }
        for &k in &kinks {
            finite("kink location", k)?;
        }
        Ok(Self {
            name: name.into(),
            value,
            derivative,
            jumps: jumps
                .into_iter()
                .map(|(at, weight)| PointMass { at, weight })
                .collect(),
            kinks,
        })
    }

    /// The name given at construction.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A user-defined surrogate derivative: a bounded function with declared points of
/// non-smoothness (kinks or jumps of the surrogate itself).
#[derive(Clone)]
pub struct CustomSurrogate {
    name: String,
    value: RealFn,
    breakpoints: Vec<f64>,
}

impl CustomSurrogate {
    /// Builds a user-defined surrogate derivative with its kinks / jumps.
    pub fn new(name: impl Into<String>, value: RealFn, breakpoints: Vec<f64>) -> Result<Self> {
        for &k in &breakpoints {
            finite("breakpoint location", k)?;
        }
        Ok(Self {
            name: name.into(),
            value,
            breakpoints,
        })
    }

    /// The name given at construction.
    pub fn name(&self) -> &str {
        &self.name
    }
}

fn finite(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(GaussError::InvalidParameter {
            name,
            value,
            reason: "must be finite",
        })
    }
}

/// An activation function `phi` of the hidden layers.
#[derive(Clone)]
#[non_exhaustive]
pub enum Activation {
    /// `sign(x)` (+1 for x > 0, -1 for x < 0); `phi' = 2 delta(x)`.
    Sign,
    /// Heaviside step `1[x > 0]` (0/1 spike); `phi' = delta(x)`.
    Step,
    /// `erf(m x)`, m > 0; tends to `sign` as `m -> infinity`. `phi' = (2m/sqrt(pi)) exp(-m^2 x^2)`.
    Erf(Positive),
    /// `x`.
    Identity,
    /// `max(0, x)`; `phi' = step`.
    Relu,
    /// `tanh(x)`.
    Tanh,
    /// A user-defined activation.
    Custom(CustomActivation),
}

/// A surrogate derivative `phi~'` used in place of `phi'` in back-propagation. Formulas are
/// exactly those of the spiking-network libraries (x is the pre-activation).
#[derive(Clone)]
#[non_exhaustive]
pub enum Surrogate {
    /// `(2m/sqrt(pi)) exp(-m^2 x^2)`, the derivative of `erf(m x)`; integral 2 (sign-normalised).
    /// The paper's surrogate is `erf:1`.
    Erf(Positive),
    /// `1` (straight-through estimator). Not integrable; its expectations are finite anyway.
    Identity,
    /// `1 / (1 + k|x|)^2` (SuperSpike fast sigmoid); integral `2/k`. snnTorch
    /// `surrogate.fast_sigmoid(slope=25)` (default k = 25); Norse `"super"` with alpha = 100.
    FastSigmoid(Positive),
    /// `k s(kx) (1 - s(kx))`, s the logistic function; integral 1. snnTorch
    /// `surrogate.sigmoid(slope=25)`; SpikingJelly `surrogate.Sigmoid(alpha=4)`.
    Sigmoid(Positive),
    /// `(a/2) / (1 + (pi a x / 2)^2)`; integral 1. snnTorch `surrogate.atan(alpha=2)` (its
    /// default surrogate); SpikingJelly `surrogate.ATan(alpha=2)`.
    Atan(Positive),
    /// `max(0, 1 - |x|/w) / w`; integral 1. snnTorch `surrogate.triangular()` uses w = 1 (up to
    /// its threshold scaling); Norse `"triangle"`.
    Triangle(Positive),
    /// `1/(2w)` on `|x| < w`, else 0; integral 1 (rectangular / boxcar window).
    Boxcar(Positive),
    /// `(a/2) exp(-a|x|)`; integral 1. SpikingJelly `surrogate.PiecewiseExp(alpha=1)`.
    PiecewiseExp(Positive),
    /// A user-defined surrogate derivative.
    Custom(CustomSurrogate),
}

/// A derivative function: either the true derivative of an activation (a smooth part plus point
/// masses at the jumps) or a surrogate derivative.
#[derive(Clone, Debug)]
pub enum Derivative {
    /// The true derivative `phi'` of an activation, in the sense of distributions.
    True(Activation),
    /// A surrogate derivative `phi~'`.
    Surrogate(Surrogate),
}

const ACTIVATION_FORMS: &str = "sign, step, erf:M (M > 0), identity, relu, tanh";
const SURROGATE_FORMS: &str = "erf:M, identity, fast-sigmoid:K, sigmoid:K, atan:A, triangle:W, \
boxcar:W, piecewise-exp:A (all parameters > 0; the parameter may be omitted for the default)";

#[inline]
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Activation {
    /// `erf(m x)`, validating `m > 0`.
    pub fn erf(m: f64) -> Result<Self> {
        Positive::new("m", m).map(Self::Erf)
    }

    /// `phi(x)`.
    #[inline]
    pub fn value(&self, x: f64) -> f64 {
        match self {
            Self::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Self::Step => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::Erf(m) => (m.get() * x).error(),
            Self::Identity => x,
            Self::Relu => x.max(0.0),
            Self::Tanh => x.tanh(),
            Self::Custom(c) => (c.value)(x),
        }
    }

    /// The derivative of `phi` away from its jumps (the absolutely continuous part of `phi'`).
    #[inline]
    pub fn derivative_smooth(&self, x: f64) -> f64 {
        match self {
            Self::Sign | Self::Step => 0.0,
            Self::Erf(m) => {
                let m = m.get();
                FRAC_2_SQRT_PI * m * (-(m * x) * (m * x)).exp()
            }
            Self::Identity => 1.0,
            Self::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::Tanh => {
                let t = x.tanh();
                1.0 - t * t
            }
            Self::Custom(c) => (c.derivative)(x),
        }
    }

    /// The point masses of `phi'` (jumps of `phi`): sign has `2 delta(x)`, step `delta(x)`.
    pub fn point_masses(&self) -> Vec<PointMass> {
        match self {
            Self::Sign => vec![PointMass {
                at: 0.0,
                weight: 2.0,
            }],
            Self::Step => vec![PointMass {
                at: 0.0,
                weight: 1.0,
            }],
            Self::Custom(c) => c.jumps.clone(),
            _ => Vec::new(),
        }
    }

    /// Points where `phi` is not smooth (jumps and kinks), sorted; quadrature splits there.
    pub fn breakpoints(&self) -> Vec<f64> {
        let mut v = match self {
            Self::Sign | Self::Step | Self::Relu => vec![0.0],
            Self::Custom(c) => c
                .jumps
                .iter()
                .map(|p| p.at)
                .chain(c.kinks.iter().copied())
                .collect(),
            _ => Vec::new(),
        };
        sort_dedup(&mut v);
        v
    }

    /// Whether `phi` has jumps (its derivative has point masses).
    pub fn has_jumps(&self) -> bool {
        !self.point_masses().is_empty()
    }

    /// The true derivative `phi'` as a [`Derivative`].
    pub fn derivative(&self) -> Derivative {
        Derivative::True(self.clone())
    }
}

impl Surrogate {
    /// `phi~'(x)`.
    #[inline]
    pub fn value(&self, x: f64) -> f64 {
        match self {
            Self::Erf(m) => {
                let m = m.get();
                FRAC_2_SQRT_PI * m * (-(m * x) * (m * x)).exp()
            }
            Self::Identity => 1.0,
            Self::FastSigmoid(k) => {
                let d = 1.0 + k.get() * x.abs();
                1.0 / (d * d)
            }
            Self::Sigmoid(k) => {
                let k = k.get();
                let s = logistic(k * x);
                k * s * (1.0 - s)
            }
            Self::Atan(a) => {
                let a = a.get();
                let z = std::f64::consts::FRAC_PI_2 * a * x;
                0.5 * a / (1.0 + z * z)
            }
            Self::Triangle(w) => {
                let w = w.get();
                (1.0 - x.abs() / w).max(0.0) / w
            }
            Self::Boxcar(w) => {
                let w = w.get();
                if x.abs() < w { 0.5 / w } else { 0.0 }
            }
            Self::PiecewiseExp(a) => {
                let a = a.get();
                0.5 * a * (-a * x.abs()).exp()
            }
            Self::Custom(c) => (c.value)(x),
        }
    }

    /// Points where `phi~'` is not smooth (kinks or jumps), sorted; quadrature splits there.
    pub fn breakpoints(&self) -> Vec<f64> {
        let mut v = match self {
            Self::FastSigmoid(_) | Self::PiecewiseExp(_) => vec![0.0],
            Self::Triangle(w) => vec![-w.get(), 0.0, w.get()],
            Self::Boxcar(w) => vec![-w.get(), w.get()],
            Self::Custom(c) => c.breakpoints.clone(),
            _ => Vec::new(),
        };
        sort_dedup(&mut v);
        v
    }

    /// `integral of phi~'` over the real line (`None` for the identity surrogate and for
    /// user-defined surrogates). 1 means "made for the 0/1 step", 2 "made for sign".
    pub fn integral(&self) -> Option<f64> {
        match self {
            Self::Erf(_) => Some(2.0),
            Self::FastSigmoid(k) => Some(2.0 / k.get()),
            Self::Sigmoid(_)
            | Self::Atan(_)
            | Self::Triangle(_)
            | Self::Boxcar(_)
            | Self::PiecewiseExp(_) => Some(1.0),
            Self::Identity | Self::Custom(_) => None,
        }
    }

    /// The surrogate as a [`Derivative`].
    pub fn derivative(&self) -> Derivative {
        Derivative::Surrogate(self.clone())
    }
}

impl Derivative {
    /// The absolutely continuous part at `x` (true derivative away from jumps, or the surrogate).
    #[inline]
    pub fn smooth(&self, x: f64) -> f64 {
        match self {
            Self::True(a) => a.derivative_smooth(x),
            Self::Surrogate(s) => s.value(x),
        }
    }

    /// Point masses (empty for surrogates).
    pub fn point_masses(&self) -> Vec<PointMass> {
        match self {
            Self::True(a) => a.point_masses(),
            Self::Surrogate(_) => Vec::new(),
        }
    }

    /// Points where the smooth part is not smooth; quadrature splits there.
    pub fn breakpoints(&self) -> Vec<f64> {
        match self {
            // The a.e. derivative of an activation is non-smooth where phi is.
            Self::True(a) => a.breakpoints(),
            Self::Surrogate(s) => s.breakpoints(),
        }
    }
}

fn sort_dedup(v: &mut Vec<f64>) {
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() <= 0.0);
}

// ----- text forms -------------------------------------------------------------------------------

fn split_param(s: &str) -> (&str, Option<&str>) {
    match s.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    }
}

fn parse_param(
    kind: &'static str,
    token: &str,
    name: &'static str,
    p: Option<&str>,
    default: Option<f64>,
    valid: &'static str,
) -> Result<Positive> {
    let perr = |reason: String| GaussError::Parse {
        kind,
        token: token.to_string(),
        reason,
        valid,
    };
    let v = match (p, default) {
        (Some(p), _) => p
            .trim()
            .parse::<f64>()
            .map_err(|_| perr(format!("parameter `{p}` is not a number")))?,
        (None, Some(d)) => d,
        (None, None) => return Err(perr(format!("missing parameter {name}"))),
    };
    Positive::new(name, v)
        .map_err(|_| perr(format!("parameter {name} = {v} must be finite and > 0")))
}

impl FromStr for Activation {
    type Err = GaussError;

    fn from_str(s: &str) -> Result<Self> {
        let token = s.trim().to_ascii_lowercase();
        let (name, p) = split_param(&token);
        let v = ACTIVATION_FORMS;
        let no_param = |a: Activation| match p {
            None => Ok(a),
            Some(_) => Err(GaussError::Parse {
                kind: "activation",
                token: s.to_string(),
                reason: format!("`{name}` takes no parameter"),
                valid: v,
            }),
        };
        match name {
            "sign" => no_param(Self::Sign),
            "step" | "heaviside" => no_param(Self::Step),
            "identity" | "linear" => no_param(Self::Identity),
            "relu" => no_param(Self::Relu),
            "tanh" => no_param(Self::Tanh),
            "erf" => parse_param("activation", s, "m", p, Some(1.0), v).map(Self::Erf),
            _ => Err(GaussError::Parse {
                kind: "activation",
                token: s.to_string(),
                reason: format!("unknown activation `{name}`"),
                valid: v,
            }),
        }
    }
}

impl FromStr for Surrogate {
    type Err = GaussError;

    fn from_str(s: &str) -> Result<Self> {
        let token = s.trim().to_ascii_lowercase();
        let (name, p) = split_param(&token);
        let v = SURROGATE_FORMS;
        let param = |pname, default| parse_param("surrogate", s, pname, p, Some(default), v);
        match name {
            "erf" => param("m", 1.0).map(Self::Erf),
            "identity" | "straight-through" | "ste" => match p {
                None => Ok(Self::Identity),
                Some(_) => Err(GaussError::Parse {
                    kind: "surrogate",
                    token: s.to_string(),
                    reason: "`identity` takes no parameter".into(),
                    valid: v,
                }),
            },
            "fast-sigmoid" | "super" | "superspike" => param("k", 25.0).map(Self::FastSigmoid),
            "sigmoid" => param("k", 25.0).map(Self::Sigmoid),
            "atan" => param("a", 2.0).map(Self::Atan),
            "triangle" | "triangular" => param("w", 1.0).map(Self::Triangle),
            "boxcar" | "rectangular" => param("w", 0.5).map(Self::Boxcar),
            "piecewise-exp" => param("a", 1.0).map(Self::PiecewiseExp),
            _ => Err(GaussError::Parse {
                kind: "surrogate",
                token: s.to_string(),
                reason: format!("unknown surrogate `{name}`"),
                valid: v,
            }),
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sign => write!(f, "sign"),
            Self::Step => write!(f, "step"),
            Self::Erf(m) => write!(f, "erf:{}", m.get()),
            Self::Identity => write!(f, "identity"),
            Self::Relu => write!(f, "relu"),
            Self::Tanh => write!(f, "tanh"),
            Self::Custom(c) => write!(f, "custom:{}", c.name),
        }
    }
}

impl fmt::Display for Surrogate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Erf(m) => write!(f, "erf:{}", m.get()),
            Self::Identity => write!(f, "identity"),
            Self::FastSigmoid(k) => write!(f, "fast-sigmoid:{}", k.get()),
            Self::Sigmoid(k) => write!(f, "sigmoid:{}", k.get()),
            Self::Atan(a) => write!(f, "atan:{}", a.get()),
            Self::Triangle(w) => write!(f, "triangle:{}", w.get()),
            Self::Boxcar(w) => write!(f, "boxcar:{}", w.get()),
            Self::PiecewiseExp(a) => write!(f, "piecewise-exp:{}", a.get()),
            Self::Custom(c) => write!(f, "custom:{}", c.name),
        }
    }
}

impl fmt::Debug for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Activation({self})")
    }
}

impl fmt::Debug for Surrogate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Surrogate({self})")
    }
}

impl PartialEq for Activation {
    /// Built-in entries compare by kind and parameter; user-defined ones by name.
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl PartialEq for Surrogate {
    /// Built-in entries compare by kind and parameter; user-defined ones by name.
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for s in [
            "sign", "step", "erf:3", "identity", "relu", "tanh", "erf:0.25",
        ] {
            let a: Activation = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        for s in [
            "erf:1",
            "identity",
            "fast-sigmoid:25",
            "sigmoid:4",
            "atan:2",
            "triangle:1",
            "boxcar:0.5",
            "piecewise-exp:1",
        ] {
            let a: Surrogate = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        assert_eq!(
            "fast-sigmoid".parse::<Surrogate>().unwrap().to_string(),
            "fast-sigmoid:25"
        );
    }

    #[test]
    fn parse_errors_name_token_and_list_forms() {
        let e = "erf:-1".parse::<Activation>().unwrap_err().to_string();
        assert!(e.contains("erf:-1") && e.contains("relu"), "{e}");
        let e = "softplus".parse::<Activation>().unwrap_err().to_string();
        assert!(e.contains("softplus") && e.contains("unknown"), "{e}");
        let e = "atan:x".parse::<Surrogate>().unwrap_err().to_string();
        assert!(e.contains("atan:x") && e.contains("fast-sigmoid:K"), "{e}");
        assert!("sign:2".parse::<Activation>().is_err());
    }

    /// The documented integrals are checked numerically (trapezoid on a fine grid; the surrogates
    /// decay fast enough except fast-sigmoid and atan, whose tails are added analytically).
    #[test]
    fn surrogate_integrals_match_documentation() {
        for s in [
            "erf:1",
            "sigmoid:4",
            "triangle:1",
            "boxcar:0.5",
            "piecewise-exp:1",
            "erf:3",
        ] {
            let s: Surrogate = s.parse().unwrap();
            let h = 1e-4;
            let n = 400_000;
            let sum: f64 = (-n..=n).map(|i| s.value(i as f64 * h)).sum::<f64>() * h;
            let want = s.integral().unwrap();
            // Boxcar has jumps: the trapezoid error is O(h) there.
            assert!((sum - want).abs() < 2e-4, "{s}: {sum} vs {want}");
        }
    }
}

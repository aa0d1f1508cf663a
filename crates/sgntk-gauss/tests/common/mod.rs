//! Shared helpers of the sgntk-gauss integration tests.
#![allow(dead_code)]

use sgntk_gauss::{Activation, Derivative, Surrogate};

/// Parses `act'` (true derivative of an activation) or `~surrogate`.
pub fn deriv(s: &str) -> Derivative {
    if let Some(a) = s.strip_suffix('\'') {
        a.parse::<Activation>().unwrap().derivative()
    } else if let Some(x) = s.strip_prefix('~') {
        x.parse::<Surrogate>().unwrap().derivative()
    } else {
        panic!("bad derivative name {s}")
    }
}

pub fn act(s: &str) -> Activation {
    s.parse().unwrap()
}

/// Activations whose pairs all have closed forms.
pub const CLOSED_ACTS: &[&str] = &["sign", "step", "erf:3", "erf:0.4", "identity", "relu"];

/// Derivative functions with closed-form factors (not every pair of them is closed).
pub const CLOSED_DERIVS: &[&str] = &[
    "sign'",
    "step'",
    "erf:2'",
    "identity'",
    "relu'",
    "~erf:1",
    "~erf:5",
    "~identity",
    "~triangle:1",
    "~triangle:0.3",
    "~boxcar:0.5",
    "~piecewise-exp:1",
    "~piecewise-exp:4",
];

/// Whether a name involves a jump or kink (accuracy target 1e-8 instead of 1e-10).
pub fn rough(name: &str) -> bool {
    [
        "sign",
        "step",
        "relu",
        "triangle",
        "boxcar",
        "piecewise-exp",
        "fast-sigmoid",
    ]
    .iter()
    .any(|k| name.contains(k))
}

//! The paper's reference problem (SPEC section 6): inputs on the unit circle, the target
//! function, and the training indices / angles that replay the paper's seeds.

use std::f64::consts::PI;

/// Number of test points on the circle.
pub const N_TEST: usize = 100;

/// The paper's training indices into the test grid (Fig. 3a, replayed seed).
pub const PAPER_TRAIN_INDICES: [usize; 15] =
    [54, 69, 18, 41, 23, 50, 65, 82, 63, 3, 0, 4, 58, 79, 95];

/// The paper's training angles of Figs. 1 and 2 (replayed seed).
pub const PAPER_KERNEL_ANGLES: [f64; 15] = [
    -1.17459261,
    -2.42506862,
    -2.46570349,
    1.04746628,
    1.89720476,
    -2.98643756,
    -0.06456052,
    -1.77133441,
    1.70983958,
    1.89462209,
    0.43412781,
    3.05244136,
    -0.42121556,
    2.82630491,
    1.43621349,
];

/// Test angles `alpha_i = 2 pi i / 100 - pi`, i = 0..99.
pub fn test_angles() -> Vec<f64> {
    (0..N_TEST)
        .map(|i| 2.0 * PI * i as f64 / N_TEST as f64 - PI)
        .collect()
}

/// `x(alpha) = (sin alpha, cos alpha)`.
pub fn circle_point(alpha: f64) -> [f64; 2] {
    [alpha.sin(), alpha.cos()]
}

/// Target `f*(x) = 4 x0 x1^2 - 0.8 x0^3 + 1.2 x1^2 - 0.8 x0^2 x1`.
pub fn target(x: [f64; 2]) -> f64 {
    let [x0, x1] = x;
    4.0 * x0 * x1 * x1 - 0.8 * x0 * x0 * x0 + 1.2 * x1 * x1 - 0.8 * x0 * x0 * x1
}

/// Row-major `n x 2` inputs for the given angles.
pub fn inputs(angles: &[f64]) -> Vec<f64> {
    angles.iter().flat_map(|&a| circle_point(a)).collect()
}

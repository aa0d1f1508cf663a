//! The floating-point types the simulator runs in (`f32`, as the paper, or `f64`), and the
//! element-wise maps (activation, surrogate) with fast paths for the common entries.
//!
//! Every map takes its definition from the `sgntk-gauss` catalogue; fast paths are exact
//! re-implementations (sign / step by comparison; the erf surrogate
//! $\frac{2m}{\sqrt\pi}e^{-m^2x^2}$ in `f32` with a vectorised exponential accurate to a few
//! ulp, checked against the catalogue in the tests).

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use faer::{Accum, MatMut, MatRef, Par};
use sgntk_gauss::{Activation, Surrogate};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point type of the simulator: `f32` or `f64` (sealed).
pub trait Float:
    faer::traits::ComplexField
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + sealed::Sealed
{
    /// `"f32"` or `"f64"`.
    const NAME: &'static str;
    /// Rounds an `f64` to this type.
    fn from_f64(x: f64) -> Self;
    /// Widens to `f64` (exact).
    fn to_f64(self) -> f64;
    /// `self * a + b` with one rounding.
    fn fma(self, a: Self, b: Self) -> Self;
    /// Whether the value is finite.
    fn finite(self) -> bool;

    /// The dense middle-layer kernel of one SGL step: `back = G W` (old weights), then
    /// `W += coef * G^T A`, with `W` row-major `n_out x n_in`, `G` point-major `P x n_out`,
    /// `A` point-major `P x n_in`, `back` point-major `P x n_in`.
    fn backward_update(
        w: &mut [Self],
        n_out: usize,
        n_in: usize,
        g: &[Self],
        a: &[Self],
        coef: Self,
        back: &mut [Self],
    ) {
        crate::linalg::backward_update_faer(w, n_out, n_in, g, a, coef, back);
    }

    /// Whether [`Float::erf_surrogate_mul`] is a fast re-implementation to be used instead of
    /// the catalogue's `Surrogate::value` (f32 only; f64 always evaluates the catalogue).
    const FAST_ERF: bool = false;

    /// `back[k] *= (2m/sqrt(pi)) exp(-(m h[k])^2)` (the erf(m) surrogate), if `FAST_ERF`.
    fn erf_surrogate_mul(_back: &mut [Self], _h: &[Self], _m: f64) {}
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn fma(self, a: Self, b: Self) -> Self {
        self.mul_add(a, b)
    }
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn fma(self, a: Self, b: Self) -> Self {
        self.mul_add(a, b)
    }
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn backward_update(
        w: &mut [Self],
        n_out: usize,
        n_in: usize,
        g: &[Self],
        a: &[Self],
        coef: Self,
        back: &mut [Self],
    ) {
        crate::linalg::backward_update_faer(w, n_out, n_in, g, a, coef, back);
    }
    const FAST_ERF: bool = true;
    fn erf_surrogate_mul(back: &mut [Self], h: &[Self], m: f64) {
        crate::fused::erf_surrogate_mul_f32(back, h, m as f32);
    }
}

/// Row-major view.
pub(crate) fn rm<T: Float>(s: &[T], r: usize, c: usize) -> MatRef<'_, T> {
    MatRef::from_row_major_slice(s, r, c)
}
/// Row-major mutable view.
pub(crate) fn rm_mut<T: Float>(s: &mut [T], r: usize, c: usize) -> MatMut<'_, T> {
    MatMut::from_row_major_slice_mut(s, r, c)
}

/// `dst (+)= alpha * lhs * rhs`, sequential (parallelism is over networks, not inside one).
pub(crate) fn matmul<T: Float>(
    dst: MatMut<'_, T>,
    accumulate: bool,
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    alpha: T,
) {
    let acc = if accumulate {
        Accum::Add
    } else {
        Accum::Replace
    };
    faer::linalg::matmul::matmul(dst, acc, lhs, rhs, alpha, Par::Seq);
}

/// Element-wise maps of one network (activation forward, derivatives backward).
#[derive(Clone, Debug)]
pub(crate) struct Pointwise {
    pub(crate) act: Activation,
    pub(crate) sur: Surrogate,
}

impl Pointwise {
    /// `a = phi(h)`.
    #[inline(always)]
    pub(crate) fn activate<T: Float>(&self, h: &[T], a: &mut [T]) {
        match self.act {
            Activation::Sign => {
                let (one, zero) = (T::from_f64(1.0), T::from_f64(0.0));
                for (a, &x) in a.iter_mut().zip(h) {
                    let pos = if x > zero { one } else { zero };
                    let neg = if x < zero { one } else { zero };
                    *a = pos - neg;
                }
            }
            Activation::Step => {
                let (one, zero) = (T::from_f64(1.0), T::from_f64(0.0));
                for (a, &x) in a.iter_mut().zip(h) {
                    *a = if x > zero { one } else { zero };
                }
            }
            Activation::Identity => a.copy_from_slice(h),
            _ => {
                for (a, &x) in a.iter_mut().zip(h) {
                    *a = T::from_f64(self.act.value(x.to_f64()));
                }
            }
        }
    }

    /// `back *= phi~'(h)` (surrogate back-propagation).
    #[inline(always)]
    pub(crate) fn surrogate_mul<T: Float>(&self, back: &mut [T], h: &[T]) {
        match self.sur {
            Surrogate::Erf(m) if T::FAST_ERF => T::erf_surrogate_mul(back, h, m.get()),
            Surrogate::Identity => {}
            _ => {
                for (b, &x) in back.iter_mut().zip(h) {
                    *b *= T::from_f64(self.sur.value(x.to_f64()));
                }
            }
        }
    }

    /// `back *= phi'(h)` (true derivative, absolutely continuous part: 0 for sign / step).
    pub(crate) fn derivative_mul<T: Float>(&self, back: &mut [T], h: &[T]) {
        for (b, &x) in back.iter_mut().zip(h) {
            *b *= T::from_f64(self.act.derivative_smooth(x.to_f64()));
        }
    }
}

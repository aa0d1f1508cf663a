//! Dense building blocks of the step, on faer's matrix product (sequential).

use crate::float::{Float, matmul, rm, rm_mut};

/// `back = G W`, then `W += coef * G^T A` (see [`Float::backward_update`]); two faer products.
pub(crate) fn backward_update_faer<T: Float>(
    w: &mut [T],
    n_out: usize,
    n_in: usize,
    g: &[T],
    a: &[T],
    coef: T,
    back: &mut [T],
) {
    let p = g.len() / n_out;
    matmul(
        rm_mut(back, p, n_in),
        false,
        rm(g, p, n_out),
        rm(w, n_out, n_in),
        T::from_f64(1.0),
    );
    matmul(
        rm_mut(w, n_out, n_in),
        true,
        rm(g, p, n_out).transpose(),
        rm(a, p, n_in),
        coef,
    );
}

/// `Z = A W^T` for point-major `A` (`N x n_in`) and row-major `W` (`n_out x n_in`): `Z` is
/// point-major `N x n_out`.
pub(crate) fn forward_product<T: Float>(z: &mut [T], a: &[T], w: &[T], n_in: usize, n_out: usize) {
    let n = a.len() / n_in;
    matmul(
        rm_mut(z, n, n_out),
        false,
        rm(a, n, n_in),
        rm(w, n_out, n_in).transpose(),
        T::from_f64(1.0),
    );
}

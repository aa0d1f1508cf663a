//! Empirical kernels of a finite network: NTK $J(x)J(x')^T$, SG-NTK $J(x)\tilde J(x')^T$ and
//! surrogate kernel $\tilde J(x)\tilde J(x')^T$ (SPEC section 2), computed in f64.
//!
//! For a dense layer $h_k = c_k W_k a_{k-1} + s_k b_k$ the gradient of $f$ with respect to
//! $W_k[i,j]$ is $c_k\,\delta_k[i]\,a_{k-1}[j]$ and with respect to $b_k[i]$ is $s_k\,\delta_k[i]$,
//! where $\delta_k = \partial f/\partial h_k$ is the backward signal ($\delta_{L+1} = 1$,
//! $\delta_{k-1} = c_k W_k^T\delta_k \odot D(h_{k-1})$ with $D = \phi'$ for $J$ and
//! $D = \tilde\phi'$ for $\tilde J$). The parameter inner product therefore factorises per layer:
//!
//! $$\hat K(x, x') = \sum_k \big(c_k^2\,\langle a_{k-1}(x), a_{k-1}(x')\rangle + s_k^2\big)
//! \,\langle \delta_k(x), \delta'_k(x')\rangle,$$
//!
//! so no Jacobian of the full parameter vector is formed. For jump activations (sign, step)
//! $\phi'$ is taken as its absolutely continuous part, 0: the empirical NTK and SG-NTK of such a
//! network reduce to their output-layer term (SPEC section 2).

use crate::error::Result;
use crate::float::{Float, matmul, rm, rm_mut};
use crate::network::{Network, to_t};
use crate::spec::Dataset;

/// Which empirical kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmpiricalKind {
    /// $J(x) J(x')^T$.
    Ntk,
    /// $J(x) \tilde J(x')^T$: true derivative at the first argument, surrogate at the second.
    SgNtk,
    /// $\tilde J(x) \tilde J(x')^T$.
    Surrogate,
}

/// Activations (input first, then hidden layers) and backward signals `delta[k]`
/// (point-major `N x n_out(k)`) of every layer.
struct Signals {
    acts: Vec<Vec<f64>>,
    deltas: Vec<Vec<f64>>,
}

fn signals(net: &Network<f64>, x: &[f64], surrogate: bool) -> Signals {
    let n = x.len() / net.spec.input_dim;
    let fwd = net.forward(x);
    let nl = net.layers.len();
    let mut deltas = vec![Vec::new(); nl];
    deltas[nl - 1] = vec![1.0; n];
    for k in (1..nl).rev() {
        let l = &net.layers[k];
        let mut d = vec![0.0; n * l.n_in];
        matmul(
            rm_mut(&mut d, n, l.n_in),
            false,
            rm(&deltas[k], n, l.n_out),
            rm(&l.w, l.n_out, l.n_in),
            l.c,
        );
        if surrogate {
            net.pw.surrogate_mul(&mut d, &fwd.h[k - 1]);
        } else {
            net.pw.derivative_mul(&mut d, &fwd.h[k - 1]);
        }
        deltas[k - 1] = d;
    }
    let mut acts = vec![x.to_vec()];
    acts.extend(fwd.a);
    Signals { acts, deltas }
}

/// The empirical kernel `kind` of `net` between the points of `x1` and `x2`: an `N1 x N2`
/// row-major matrix, by layerwise contraction (see the module documentation).
pub fn empirical_kernel<T: Float>(
    net: &Network<T>,
    kind: EmpiricalKind,
    x1: &Dataset,
    x2: &Dataset,
) -> Result<Vec<f64>> {
    net.check_inputs(x1)?;
    net.check_inputs(x2)?;
    let net = net.cast::<f64>();
    let (s1, s2) = match kind {
        EmpiricalKind::Ntk => (false, false),
        EmpiricalKind::SgNtk => (false, true),
        EmpiricalKind::Surrogate => (true, true),
    };
    let a = signals(&net, &to_t(x1.inputs()), s1);
    let b = signals(&net, &to_t(x2.inputs()), s2);
    let (n1, n2) = (x1.len(), x2.len());
    let mut k = vec![0.0; n1 * n2];
    let mut act = vec![0.0; n1 * n2];
    let mut del = vec![0.0; n1 * n2];
    for (idx, l) in net.layers.iter().enumerate() {
        matmul(
            rm_mut(&mut act, n1, n2),
            false,
            rm(&a.acts[idx], n1, l.n_in),
            rm(&b.acts[idx], n2, l.n_in).transpose(),
            1.0,
        );
        matmul(
            rm_mut(&mut del, n1, n2),
            false,
            rm(&a.deltas[idx], n1, l.n_out),
            rm(&b.deltas[idx], n2, l.n_out).transpose(),
            1.0,
        );
        let (c2, s2) = (l.c * l.c, l.sb * l.sb);
        for ((k, &ac), &d) in k.iter_mut().zip(&act).zip(&del) {
            *k += (c2 * ac + s2) * d;
        }
    }
    Ok(k)
}

/// The explicit Jacobian $J(x)$ (`surrogate = false`) or quasi-Jacobian $\tilde J(x)$
/// (`surrogate = true`) of `net` at the points of `x`: `N x num_parameters`, row-major, columns
/// in the order of [`Network::parameters`]. For small networks; cross-checks
/// [`empirical_kernel`].
pub fn jacobian<T: Float>(net: &Network<T>, x: &Dataset, surrogate: bool) -> Result<Vec<f64>> {
    net.check_inputs(x)?;
    let net = net.cast::<f64>();
    let s = signals(&net, &to_t(x.inputs()), surrogate);
    let np = net.spec.num_parameters();
    let n = x.len();
    let mut jac = vec![0.0; n * np];
    for q in 0..n {
        let row = &mut jac[q * np..(q + 1) * np];
        let mut off = 0;
        for (k, l) in net.layers.iter().enumerate() {
            let a = &s.acts[k][q * l.n_in..(q + 1) * l.n_in];
            let d = &s.deltas[k][q * l.n_out..(q + 1) * l.n_out];
            for i in 0..l.n_out {
                for j in 0..l.n_in {
                    row[off + i * l.n_in + j] = l.c * d[i] * a[j];
                }
            }
            off += l.n_in * l.n_out;
            for i in 0..l.n_out {
                row[off + i] = l.sb * d[i];
            }
            off += l.n_out;
        }
    }
    Ok(jac)
}

//! The training loop (stepping, recording, cancellation) and the parallel ensemble driver.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::error::{Result, SglError};
use crate::float::Float;
use crate::network::Network;
use crate::spec::{Dataset, NetworkSpec, TrainSpec};
use crate::trainer::Trainer;

/// The outcome of training one ensemble member.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedNetwork {
    /// Ensemble index (the initialisation seed derives from it and the base seed).
    pub index: usize,
    /// Test predictions after the last step.
    pub final_test_predictions: Vec<f64>,
    /// `(step, test predictions)` at each recorded step (sorted, final step included).
    pub recorded: Vec<(usize, Vec<f64>)>,
    /// `(step, training loss)`: at step 0, at the recorded steps, on a logarithmic grid
    /// (about ten points per decade) and at the final step.
    pub loss_curve: Vec<(usize, f64)>,
    /// Training loss after the last step.
    pub final_train_loss: f64,
}

/// Steps of the logarithmic loss grid up to `steps`: `round(10^(k/10))`, deduplicated.
fn log_grid(steps: usize) -> BTreeSet<usize> {
    let mut s = BTreeSet::new();
    s.insert(0);
    let mut k = 0;
    loop {
        let v = 10f64.powf(k as f64 / 10.0).round() as usize;
        if v > steps {
            break;
        }
        s.insert(v);
        k += 1;
    }
    s
}

/// Trains ensemble member `index` (initialised by [`Network::init`] from `(base_seed, index)`)
/// with SGL on `train_set`, recording predictions on `test_inputs` (targets not needed). The
/// result depends only on the arguments, never on threads.
pub fn train_network<T: Float>(
    spec: &NetworkSpec,
    train: &TrainSpec,
    base_seed: u64,
    index: usize,
    train_set: &Dataset,
    test_inputs: &Dataset,
) -> Result<TrainedNetwork> {
    train_network_cancellable::<T>(spec, train, base_seed, index, train_set, test_inputs, None)
}

/// How often (in steps) a running network checks the cancellation flag.
const CANCEL_CHECK_EVERY: usize = 256;

fn train_network_cancellable<T: Float>(
    spec: &NetworkSpec,
    train: &TrainSpec,
    base_seed: u64,
    index: usize,
    train_set: &Dataset,
    test_inputs: &Dataset,
    cancel: Option<&AtomicBool>,
) -> Result<TrainedNetwork> {
    let net = Network::<T>::init(spec, base_seed, index);
    net.check_inputs(test_inputs)?;
    let mut tr = Trainer::new(net, train_set, train.lr)?;
    let steps = train.steps;
    let record: BTreeSet<usize> = train
        .record_steps
        .iter()
        .copied()
        .filter(|&s| s <= steps)
        .chain(std::iter::once(steps))
        .collect();
    let grid = log_grid(steps);
    let mut recorded = Vec::with_capacity(record.len());
    let mut loss_curve = Vec::new();
    for s in 0..steps {
        if record.contains(&s) {
            recorded.push((s, tr.network().predict(test_inputs)?));
        }
        if let Some(c) = cancel
            && s % CANCEL_CHECK_EVERY == 0
            && c.load(Ordering::Relaxed)
        {
            return Err(SglError::Cancelled {
                reason: format!("network {index} stopped at step {s}"),
            });
        }
        let loss = tr.step();
        if !loss.is_finite() {
            return Err(SglError::Diverged { index, step: s });
        }
        if grid.contains(&s) || record.contains(&s) {
            loss_curve.push((s, loss));
        }
    }
    let final_train_loss = tr.loss();
    if !final_train_loss.is_finite() {
        return Err(SglError::Diverged { index, step: steps });
    }
    loss_curve.push((steps, final_train_loss));
    let final_test_predictions = tr.network().predict(test_inputs)?;
    recorded.push((steps, final_test_predictions.clone()));
    Ok(TrainedNetwork {
        index,
        final_test_predictions,
        recorded,
        loss_curve,
        final_train_loss,
    })
}

/// Trains the members `indices` in parallel on the current rayon pool (one network per task),
/// calling `on_done` from the worker thread as each finishes (for checkpoints and progress).
/// Stops early, returning the error, when `on_done` fails or a member diverges.
pub fn train_ensemble<T: Float>(
    spec: &NetworkSpec,
    train: &TrainSpec,
    base_seed: u64,
    indices: &[usize],
    train_set: &Dataset,
    test_inputs: &Dataset,
    on_done: impl Fn(TrainedNetwork) -> Result<()> + Sync,
) -> Result<()> {
    let cancel = AtomicBool::new(false);
    train_ensemble_cancellable::<T>(
        spec,
        train,
        base_seed,
        indices,
        train_set,
        test_inputs,
        &cancel,
        on_done,
    )
}

/// [`train_ensemble`] with an external cancellation flag: setting `cancel` makes running
/// members stop within a few hundred steps and the call return [`SglError::Cancelled`]. The
/// flag is also set by the driver itself when a member fails.
#[allow(clippy::too_many_arguments)]
pub fn train_ensemble_cancellable<T: Float>(
    spec: &NetworkSpec,
    train: &TrainSpec,
    base_seed: u64,
    indices: &[usize],
    train_set: &Dataset,
    test_inputs: &Dataset,
    cancel: &AtomicBool,
    on_done: impl Fn(TrainedNetwork) -> Result<()> + Sync,
) -> Result<()> {
    indices.par_iter().with_max_len(1).try_for_each(|&index| {
        if cancel.load(Ordering::Relaxed) {
            return Err(SglError::Cancelled {
                reason: format!("network {index} not started"),
            });
        }
        let out = train_network_cancellable::<T>(
            spec,
            train,
            base_seed,
            index,
            train_set,
            test_inputs,
            Some(cancel),
        )
        .and_then(&on_done);
        if out.is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
        out
    })
}

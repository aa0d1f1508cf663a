//! Invalid user input gives structured errors, never panics; divergence and cancellation stop
//! training with their own errors.

use std::sync::atomic::AtomicBool;

use sgntk_sgl::{
    Dataset, Network, NetworkSpec, SglError, TrainSpec, Trainer, train_ensemble_cancellable,
    train_network,
};

fn spec() -> NetworkSpec {
    NetworkSpec::new(
        2,
        vec![8, 8],
        1.0,
        0.1,
        "sign".parse().unwrap(),
        "erf:1".parse().unwrap(),
    )
    .unwrap()
}

fn data() -> Dataset {
    Dataset::new(vec![0.0, 1.0, 1.0, 0.0, 0.6, 0.8], 2, vec![1.0, -1.0, 0.5]).unwrap()
}

#[test]
fn invalid_specs_are_rejected() {
    let a: sgntk_sgl::Activation = "sign".parse().unwrap();
    let s: sgntk_sgl::Surrogate = "erf:1".parse().unwrap();
    let bad = [
        NetworkSpec::new(0, vec![4], 1.0, 0.1, a.clone(), s.clone()),
        NetworkSpec::new(2, vec![4, 0], 1.0, 0.1, a.clone(), s.clone()),
        NetworkSpec::new(2, vec![4], 0.0, 0.1, a.clone(), s.clone()),
        NetworkSpec::new(2, vec![4], f64::NAN, 0.1, a.clone(), s.clone()),
        NetworkSpec::new(2, vec![4], 1.0, -0.1, a.clone(), s.clone()),
        NetworkSpec::new(2, vec![4], 1.0, 0.1, a, s).and_then(|s| s.with_kappa(0.0)),
    ];
    for b in bad {
        assert!(matches!(
            b,
            Err(SglError::InvalidParameter { .. } | SglError::InvalidSize { .. })
        ));
    }
}

#[test]
fn invalid_datasets_are_rejected() {
    assert!(matches!(
        Dataset::new(vec![1.0, 2.0, 3.0], 2, vec![]),
        Err(SglError::Shape { .. })
    ));
    assert!(matches!(
        Dataset::new(vec![1.0, 2.0], 2, vec![1.0, 2.0]),
        Err(SglError::Shape { .. })
    ));
    assert!(matches!(
        Dataset::new(vec![1.0, f64::INFINITY], 2, vec![1.0]),
        Err(SglError::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        Dataset::new(vec![1.0], 0, vec![]),
        Err(SglError::InvalidSize { .. })
    ));
    // Wrong input dimension, missing targets, bad learning rate.
    let net = Network::<f32>::init(&spec(), 0, 0);
    let wrong_dim = Dataset::inputs_only(vec![1.0, 2.0, 3.0], 3).unwrap();
    assert!(matches!(
        net.predict(&wrong_dim),
        Err(SglError::Shape { .. })
    ));
    let no_targets = Dataset::inputs_only(vec![1.0, 2.0], 2).unwrap();
    assert!(Trainer::new(net.clone(), &no_targets, 0.1).is_err());
    assert!(Trainer::new(net.clone(), &data(), 0.0).is_err());
    assert!(Trainer::new(net, &data(), f64::NAN).is_err());
}

#[test]
fn divergence_is_reported() {
    let train = TrainSpec {
        lr: 1e6,
        steps: 200,
        record_steps: vec![],
    };
    let s = NetworkSpec::new(
        2,
        vec![8, 8],
        1.0,
        0.1,
        "tanh".parse().unwrap(),
        "identity".parse().unwrap(),
    )
    .unwrap();
    let r = train_network::<f32>(&s, &train, 0, 0, &data(), &data());
    assert!(
        matches!(r, Err(SglError::Diverged { index: 0, .. })),
        "{r:?}"
    );
}

#[test]
fn cancellation_flag_stops_the_ensemble() {
    let train = TrainSpec {
        lr: 0.1,
        steps: 10,
        record_steps: vec![],
    };
    let cancel = AtomicBool::new(true);
    let r = train_ensemble_cancellable::<f32>(
        &spec(),
        &train,
        0,
        &[0, 1, 2],
        &data(),
        &data(),
        &cancel,
        |_| Ok(()),
    );
    assert!(matches!(r, Err(SglError::Cancelled { .. })));
}

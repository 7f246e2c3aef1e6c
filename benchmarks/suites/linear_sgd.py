"""SGD linear models against scikit-learn (200,000 x 50 float32, same tol / max_iter)."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from benchmarks._harness import Case

N_SAMPLES, N_FEATURES = 200_000, 50
PARAMS = {"max_iter": 20, "tol": 1e-3, "random_state": 0}


def _clf_data():
    X, y = make_classification(
        n_samples=N_SAMPLES, n_features=N_FEATURES, n_informative=25, random_state=0
    )
    return X.astype(np.float32), y


def _reg_data():
    X, y = make_regression(
        n_samples=N_SAMPLES, n_features=N_FEATURES, n_informative=25, noise=5.0, random_state=0
    )
    return X.astype(np.float32), (y / y.std()).astype(np.float32)


def _fit(cls, data, **params):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cls(**PARAMS, **params).fit(X, y)


def _ours(name, **params):
    def run(data):
        import pai_algos.linear_model as lm

        return _fit(getattr(lm, name), data, **params)

    return run


def _peer(name, **params):
    def run(data):
        import sklearn.linear_model as lm

        return _fit(getattr(lm, name), data, **params)

    return run


def _quality(data, ours, peer):
    X, y = data
    metric = "acc" if hasattr(ours, "classes_") else "R2"
    return (
        f"ours {metric} {ours.score(X, y):.4f} epochs {ours.n_iter_}; "
        f"sk {metric} {peer.score(X, y):.4f} epochs {peer.n_iter_}"
    )


def _case(label, name, make_data, **params):
    return Case(
        name=f"{label} {N_SAMPLES}x{N_FEATURES} float32",
        make_data=make_data,
        ours=_ours(name, **params),
        peer=_peer(name, **params),
        target=1.5,
        repeats=3,
        quality=_quality,
    )


CASES = [
    _case("SGDClassifier(hinge, l2)", "SGDClassifier", _clf_data),
    _case(
        "SGDClassifier(log_loss, elasticnet)",
        "SGDClassifier",
        _clf_data,
        loss="log_loss",
        penalty="elasticnet",
    ),  # fmt: skip
    _case("SGDRegressor(squared_error, l2)", "SGDRegressor", _reg_data),
]

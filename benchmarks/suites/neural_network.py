"""Multi-layer perceptrons against scikit-learn (50,000 x 50 float32, adam, 10 epochs).

Both sides run with BLAS limited to 2 threads (the matrix products are BLAS on both sides),
so the ratio measures the training loop around them: our fused kernels and reused buffers
against scikit-learn's NumPy temporaries.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from benchmarks._harness import Case

N_SAMPLES, N_FEATURES = 50_000, 50
BLAS_THREADS = 2
PARAMS = {"hidden_layer_sizes": (100,), "solver": "adam", "max_iter": 10, "random_state": 0}


def _clf_data():
    X, y = make_classification(
        n_samples=N_SAMPLES, n_features=N_FEATURES, n_informative=25, n_classes=3,
        random_state=0,
    )  # fmt: skip
    return X.astype(np.float32), y


def _reg_data():
    X, y = make_regression(
        n_samples=N_SAMPLES, n_features=N_FEATURES, n_informative=25, noise=5.0, random_state=0
    )
    return X.astype(np.float32), (y / y.std()).astype(np.float32)


def _fit(module, name, data):
    from threadpoolctl import threadpool_limits

    X, y = data
    with threadpool_limits(BLAS_THREADS, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(module, name)(**PARAMS).fit(X, y)


def _ours(name):
    def run(data):
        import pai_algos.neural_network as nn

        return _fit(nn, name, data)

    return run


def _peer(name):
    def run(data):
        import sklearn.neural_network as nn

        return _fit(nn, name, data)

    return run


def _quality(data, ours, peer):
    X, y = data
    metric = "acc" if hasattr(ours, "classes_") else "R2"
    return (
        f"ours {metric} {ours.score(X, y):.4f} loss {ours.loss_:.4f}; "
        f"sk {metric} {peer.score(X, y):.4f} loss {peer.loss_:.4f}"
    )


def _case(name, make_data):
    return Case(
        name=f"{name}(100,), adam, 10 epochs {N_SAMPLES}x{N_FEATURES} float32",
        make_data=make_data,
        ours=_ours(name),
        peer=_peer(name),
        target=1.0,
        repeats=3,
        quality=_quality,
    )


CASES = [_case("MLPClassifier", _clf_data), _case("MLPRegressor", _reg_data)]

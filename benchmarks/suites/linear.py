"""Linear models against scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

from benchmarks._harness import Case


def _logistic_data(n_samples=200_000, n_features=50, n_classes=2):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        n_classes=n_classes,
        random_state=0,
    )
    return X.astype(np.float32), y


def _fit_ours(data):
    from pai_algos.linear_model import LogisticRegression

    X, y = data
    return LogisticRegression(max_iter=100, device="cpu").fit(X, y)


def _fit_sklearn(data):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(max_iter=100).fit(X, y)


def _quality(data, ours, peer):
    X, y = data
    parts = []
    for who, model in (("ours", ours), ("sk", peer)):
        acc = model.score(X, y)
        ll = log_loss(y, model.predict_proba(X))
        parts.append(f"{who} acc {acc:.4f} logloss {ll:.4f} iters {int(model.n_iter_[0])}")
    return "; ".join(parts)


CASES = [
    Case(
        name="LogisticRegression(max_iter=100) 200000x50 float32",
        make_data=_logistic_data,
        ours=_fit_ours,
        peer=_fit_sklearn,
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="LogisticRegression multinomial(5) 200000x50 float32",
        make_data=lambda: _logistic_data(n_classes=5),
        ours=_fit_ours,
        peer=_fit_sklearn,
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
]

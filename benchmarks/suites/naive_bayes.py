"""Naive Bayes classifiers against scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification

from benchmarks._harness import Case


def _data(n_classes):
    def make(n_samples=200_000, n_features=50):
        X, y = make_classification(
            n_samples=n_samples,
            n_features=n_features,
            n_informative=n_features // 2,
            n_classes=n_classes,
            random_state=0,
        )
        return X.astype(np.float32), y

    return make


def _ours(data):
    from pai_algos.naive_bayes import GaussianNB

    X, y = data
    return GaussianNB().fit(X, y).predict(X)


def _sklearn(data):
    from sklearn.naive_bayes import GaussianNB

    X, y = data
    return GaussianNB().fit(X, y).predict(X)


def _quality(data, ours, peer):
    _, y = data
    same = np.mean(ours == peer)
    acc_ours, acc_peer = np.mean(ours == y), np.mean(peer == y)
    return f"same predictions {same:.6f}; acc ours {acc_ours:.4f} sk {acc_peer:.4f}"


CASES = [
    Case(
        name=f"GaussianNB fit+predict 200000x50 {k} classes float32",
        make_data=_data(k),
        ours=_ours,
        peer=_sklearn,
        target=1.0,
        repeats=5,
        quality=_quality,
    )
    for k in (2, 10)
]

"""Discriminant analysis against scikit-learn (reported; no target set by the issue)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification

from benchmarks._harness import Case


def _data(n_samples=200_000, n_features=50, n_classes=5):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        n_redundant=0,  # QDA needs full-rank class covariances
        n_classes=n_classes,
        random_state=0,
    )
    return X.astype(np.float32), y


def _run(name, module, **params):
    def run(data):
        if module == "ours":
            import pai_algos.discriminant_analysis as mod
        else:
            import sklearn.discriminant_analysis as mod
        X, y = data
        return getattr(mod, name)(**params).fit(X, y).predict_proba(X)

    return run


def _quality(data, ours, peer):
    _, y = data
    same = np.mean(ours.argmax(1) == peer.argmax(1))
    return f"same predictions {same:.5f}; max |proba diff| {np.abs(ours - peer).max():.1e}"


CASES = [
    Case(
        name=f"{name}({params}) fit+predict_proba 200000x50 5 classes float32",
        make_data=_data,
        ours=_run(name, "ours", **params),
        peer=_run(name, "sklearn", **params),
        target=1.0,
        repeats=3,
        quality=_quality,
    )
    for name, params in [
        ("LinearDiscriminantAnalysis", {"solver": "svd"}),
        ("LinearDiscriminantAnalysis", {"solver": "lsqr", "shrinkage": "auto"}),
        ("QuadraticDiscriminantAnalysis", {}),
    ]
]

"""AdaBoost against scikit-learn, each over its own trees (the issue asks >= 1.0x for trees)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification, make_regression

from benchmarks._harness import Case


def _clf_data(n_samples=50_000, n_features=50):
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=10, random_state=0
    )
    return X.astype(np.float32), y


def _reg_data(n_samples=50_000, n_features=50):
    X, y = make_regression(
        n_samples=n_samples, n_features=n_features, n_informative=10, noise=5.0, random_state=0
    )
    return X.astype(np.float32), y


def _run(name, module, **params):
    def run(data):
        if module == "ours":
            import pai_algos.ensemble as mod
        else:
            import sklearn.ensemble as mod
        X, y = data
        est = getattr(mod, name)(random_state=0, **params).fit(X, y)
        return est.score(X, y)

    return run


def _quality(data, ours, peer):
    return f"train score ours {ours:.4f} vs peer {peer:.4f}"


CASES = [
    Case(
        name="AdaBoostClassifier(50 stumps) fit+score 50000x50 float32",
        make_data=_clf_data,
        ours=_run("AdaBoostClassifier", "ours", n_estimators=50),
        peer=_run("AdaBoostClassifier", "sklearn", n_estimators=50),
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="AdaBoostRegressor(50 depth-3 trees) fit+score 50000x50 float32",
        make_data=_reg_data,
        ours=_run("AdaBoostRegressor", "ours", n_estimators=50),
        peer=_run("AdaBoostRegressor", "sklearn", n_estimators=50),
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
]

"""Exact trees and forests: pai_algos against scikit-learn on the same data and parameters.

Fit cases use 50,000 x 50 float32 rows from ``make_classification`` (20 informative
features); the forests grow 100 fully developed trees with ``n_jobs=2`` on both sides. The
prediction case fits a 100-tree forest once on 20,000 x 20 rows (outside the timing) and
times ``predict_proba`` on 1,000,000 rows. Quality: held-out accuracy side by side (the trees
are the same for the same seed, so the accuracies should match).
"""

from __future__ import annotations

import numpy as np
from sklearn import ensemble as sk_ensemble
from sklearn import tree as sk_tree
from sklearn.datasets import make_classification

from benchmarks._harness import Case
from pai_algos.ensemble import ExtraTreesClassifier, RandomForestClassifier
from pai_algos.tree import DecisionTreeClassifier

N, D, N_TEST = 50_000, 50, 10_000
N_PRED = 1_000_000


def _data():
    X, y = make_classification(n_samples=N + N_TEST, n_features=D, n_informative=20, random_state=0)
    X = X.astype(np.float32)
    return X[:N], y[:N], X[N:], y[N:]


def _quality(data, ours, peer):
    _, _, X_te, y_te = data
    return f"ours acc {ours.score(X_te, y_te):.4f}, peer acc {peer.score(X_te, y_te):.4f}"


def _fit(cls, **params):
    def run(data):
        X, y, _, _ = data
        return cls(random_state=0, **params).fit(X, y)

    return run


def _predict_data():
    X, y = make_classification(n_samples=20_000, n_features=20, n_informative=10, random_state=1)
    X = X.astype(np.float32)
    ours = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(X, y)
    peer = sk_ensemble.RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(X, y)
    rng = np.random.default_rng(0)
    X_big = np.ascontiguousarray(X[rng.integers(0, len(X), N_PRED)])
    X_big += rng.normal(scale=0.05, size=X_big.shape).astype(np.float32)
    return ours, peer, X_big


def _predict_quality(data, ours, peer):
    return f"max |proba difference| {np.abs(ours - peer).max():.2e}"


CASES = [
    Case(
        name=f"DecisionTreeClassifier fit {N}x{D} float32",
        make_data=_data,
        ours=_fit(DecisionTreeClassifier),
        peer=_fit(sk_tree.DecisionTreeClassifier),
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name=f"ExtraTreesClassifier(100) fit {N}x{D} float32, n_jobs=2",
        make_data=_data,
        ours=_fit(ExtraTreesClassifier, n_estimators=100, n_jobs=2),
        peer=_fit(sk_ensemble.ExtraTreesClassifier, n_estimators=100, n_jobs=2),
        target=1.0,
        repeats=1,
        quality=_quality,
    ),
    Case(
        name=f"RandomForestClassifier(100) fit {N}x{D} float32, n_jobs=2",
        make_data=_data,
        ours=_fit(RandomForestClassifier, n_estimators=100, n_jobs=2),
        peer=_fit(sk_ensemble.RandomForestClassifier, n_estimators=100, n_jobs=2),
        target=1.5,
        repeats=1,
        quality=_quality,
    ),
    Case(
        name=f"RandomForestClassifier(100) predict_proba {N_PRED} rows, n_jobs=2",
        make_data=_predict_data,
        ours=lambda d: d[0].predict_proba(d[2]),
        peer=lambda d: d[1].predict_proba(d[2]),
        target=2.0,
        repeats=2,
        quality=_predict_quality,
    ),
]

"""Preprocessing transformers against scikit-learn."""

from __future__ import annotations

import numpy as np

from benchmarks._harness import Case


def _dense_data(n_samples=200_000, n_features=50):
    rng = np.random.default_rng(0)
    scale = rng.uniform(0.1, 10.0, size=n_features)
    offset = rng.normal(0.0, 100.0, size=n_features)
    return (rng.normal(size=(n_samples, n_features)) * scale + offset).astype(np.float32)


def _ours(X):
    from pai_algos.preprocessing import StandardScaler

    return StandardScaler().fit(X).transform(X)


def _sklearn(X):
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit(X).transform(X)


def _quality(X, ours, peer):
    return f"max abs diff {np.max(np.abs(ours - peer)):.2e} dtype {ours.dtype}/{peer.dtype}"


CASES = [
    Case(
        name="StandardScaler fit+transform 200000x50 float32",
        make_data=_dense_data,
        ours=_ours,
        peer=_sklearn,
        target=1.0,
        repeats=5,
        quality=_quality,
    ),
]

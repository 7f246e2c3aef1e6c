"""Least squares from the Gram matrix (Ridge, LinearRegression, RidgeCV) against scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_regression

from benchmarks._harness import Case

ALPHAS = (0.1, 1.0, 10.0)


def _data(n_samples=200_000, n_features=50):
    X, y = make_regression(n_samples=n_samples, n_features=n_features, noise=1.0, random_state=0)
    return X.astype(np.float32), y.astype(np.float32)


def _ours(name, **params):
    def fit(data):
        from pai_algos import linear_model

        X, y = data
        return getattr(linear_model, name)(device="cpu", **params).fit(X, y)

    return fit


def _peer(name, **params):
    def fit(data):
        from sklearn import linear_model

        X, y = data
        return getattr(linear_model, name)(**params).fit(X, y)

    return fit


def _quality(data, ours, peer):
    X, y = data
    parts = [f"R2 ours {ours.score(X, y):.6f} sk {peer.score(X, y):.6f}"]
    scale = float(np.abs(peer.coef_).max())
    parts.append(f"max|dcoef|/max|coef| {float(np.abs(ours.coef_ - peer.coef_).max()) / scale:.2e}")
    if hasattr(peer, "alpha_"):
        parts.append(f"alpha_ ours {ours.alpha_} sk {peer.alpha_}")
    return "; ".join(parts)


CASES = [
    Case(
        name="Ridge(alpha=1) 200000x50 float32",
        make_data=_data,
        ours=_ours("Ridge", alpha=1.0),
        peer=_peer("Ridge", alpha=1.0),
        peer_name="scikit-learn",
        target=1.0,
        repeats=5,
        quality=_quality,
    ),
    Case(
        name="LinearRegression 200000x50 float32",
        make_data=_data,
        ours=_ours("LinearRegression"),
        peer=_peer("LinearRegression"),
        peer_name="scikit-learn",
        target=1.0,
        repeats=5,
        quality=_quality,
    ),
    Case(
        name="RidgeCV(alphas=(0.1, 1, 10)) 200000x50 float32",
        make_data=_data,
        ours=_ours("RidgeCV", alphas=ALPHAS),
        peer=_peer("RidgeCV", alphas=ALPHAS),
        peer_name="scikit-learn",
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
]

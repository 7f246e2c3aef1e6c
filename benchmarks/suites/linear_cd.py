"""Lasso, ElasticNet and LassoCV (coordinate descent) against scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks._harness import Case


def _data(n_samples=200_000, n_features=50):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    w = np.zeros(n_features)
    w[: n_features // 5] = rng.normal(size=n_features // 5) * 2
    y = (X @ w + rng.normal(size=n_samples)).astype(np.float32)
    return X, y


def _fit(module, name, **params):
    def fit(data):
        from sklearn.exceptions import ConvergenceWarning

        cls = getattr(__import__(module, fromlist=[name]), name)
        X, y = data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return cls(**params).fit(X, y)

    return fit


def _quality(data, ours, peer):
    X, y = data
    diff = float(np.max(np.abs(ours.coef_ - peer.coef_)))
    parts = [f"max|coef diff| {diff:.2e}"]
    for who, model in (("ours", ours), ("sk", peer)):
        alpha = getattr(model, "alpha_", None)
        extra = f" alpha_ {alpha:.4g}" if alpha is not None else ""
        parts.append(f"{who} R2 {model.score(X, y):.5f}{extra}")
    return "; ".join(parts)


_ALPHA = {"alpha": 0.1}
CASES = [
    Case(
        name="Lasso(alpha=0.1) 200000x50 float32",
        make_data=_data,
        ours=_fit("pai_algos.linear_model", "Lasso", **_ALPHA),
        peer=_fit("sklearn.linear_model", "Lasso", **_ALPHA),
        target=1.5,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="ElasticNet(alpha=0.1) 200000x50 float32",
        make_data=_data,
        ours=_fit("pai_algos.linear_model", "ElasticNet", **_ALPHA),
        peer=_fit("sklearn.linear_model", "ElasticNet", **_ALPHA),
        target=1.5,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="Lasso(alpha=0.1, precompute=False) 200000x50 float32 (both on the data)",
        make_data=_data,
        ours=_fit("pai_algos.linear_model", "Lasso", precompute=False, **_ALPHA),
        peer=_fit("sklearn.linear_model", "Lasso", precompute=False, **_ALPHA),
        target=1.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name="LassoCV(cv=5) 200000x50 float32",
        make_data=_data,
        ours=_fit("pai_algos.linear_model", "LassoCV", cv=5),
        peer=_fit("sklearn.linear_model", "LassoCV", cv=5),
        target=1.5,
        repeats=2,
        quality=_quality,
    ),
]

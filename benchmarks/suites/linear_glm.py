"""GLMs, HuberRegressor, BayesianRidge and QuantileRegressor against scikit-learn."""

from __future__ import annotations

import numpy as np

from benchmarks._harness import Case

N_SAMPLES = 200_000
N_FEATURES = 50


def _design(rng):
    return (rng.normal(size=(N_SAMPLES, N_FEATURES)) / np.sqrt(N_FEATURES)).astype(np.float32)


def _poisson_data():
    rng = np.random.default_rng(0)
    X = _design(rng)
    y = rng.poisson(np.exp(X @ rng.normal(size=N_FEATURES) + 0.3)).astype(np.float64)
    return X, y


def _gamma_data():
    rng = np.random.default_rng(1)
    X = _design(rng)
    mu = np.exp(X @ rng.normal(size=N_FEATURES) + 1.0)
    return X, rng.gamma(2.0, mu / 2.0)


def _heavy_tailed_data():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES)).astype(np.float32)
    y = X @ rng.normal(size=N_FEATURES) + rng.standard_t(2, size=N_SAMPLES)
    return X, y


def _gaussian_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES)).astype(np.float32)
    return X, X @ rng.normal(size=N_FEATURES) + rng.normal(size=N_SAMPLES)


def _quantile_data():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(5_000, 20))
    return X, X @ rng.normal(size=20) + rng.standard_t(3, size=5_000)


def _fit(library, name, **params):
    def fit(data):
        if library == "ours":
            from pai_algos import linear_model
        else:
            from sklearn import linear_model
        X, y = data
        return getattr(linear_model, name)(**params).fit(X, y)

    return fit


def _quality(data, ours, peer):
    X, y = data
    scale = float(np.abs(peer.coef_).max())
    dcoef = float(np.abs(ours.coef_ - peer.coef_).max()) / scale
    return (
        f"score ours {ours.score(X, y):.6f} sk {peer.score(X, y):.6f}; "
        f"max|dcoef|/max|coef| {dcoef:.2e}; n_iter ours {ours.n_iter_} sk {peer.n_iter_}"
    )


def _case(name, make_data, cls, repeats=3, **params):
    return Case(
        name=name,
        make_data=make_data,
        ours=_fit("ours", cls, **params),
        peer=_fit("sklearn", cls, **params),
        peer_name="scikit-learn",
        target=1.0,
        repeats=repeats,
        quality=_quality,
    )


CASES = [
    _case(
        "PoissonRegressor(lbfgs) 200000x50 float32",
        _poisson_data,
        "PoissonRegressor",
        alpha=1e-4,
    ),
    _case(
        "PoissonRegressor(newton-cholesky) 200000x50 float32",
        _poisson_data,
        "PoissonRegressor",
        alpha=1e-4,
        solver="newton-cholesky",
    ),
    _case("GammaRegressor(lbfgs) 200000x50 float32", _gamma_data, "GammaRegressor", alpha=1e-4),
    _case("HuberRegressor 200000x50 float32", _heavy_tailed_data, "HuberRegressor"),
    _case("BayesianRidge 200000x50 float32", _gaussian_data, "BayesianRidge"),
    _case(
        "QuantileRegressor(q=0.3, alpha=0) 5000x20 float64",
        _quantile_data,
        "QuantileRegressor",
        repeats=2,
        quantile=0.3,
        alpha=0.0,
    ),
]

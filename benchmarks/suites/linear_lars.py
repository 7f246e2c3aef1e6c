"""Lars, LassoLars, OrthogonalMatchingPursuit, RANSACRegressor and TheilSenRegressor against
scikit-learn, at sizes where scikit-learn takes about a second."""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks._harness import Case


def _sparse_regression(n_samples=50_000, n_features=200, n_informative=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features))
    w = np.zeros(n_features)
    w[rng.choice(n_features, n_informative, replace=False)] = rng.normal(
        scale=3, size=n_informative
    )
    return X, X @ w + rng.normal(size=n_samples)


def _outliers(n_samples, n_features, frac=0.2):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n_samples, n_features))
    y = X @ rng.normal(size=n_features) + 1.0 + 0.1 * rng.normal(size=n_samples)
    out = rng.choice(n_samples, int(frac * n_samples), replace=False)
    y[out] += rng.normal(scale=20, size=len(out))
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


def _coef(model):
    return np.ravel(model.estimator_.coef_ if hasattr(model, "estimator_") else model.coef_)


def _quality(data, ours, peer):
    X, y = data
    a, b = _coef(ours), _coef(peer)
    parts = [f"max|dcoef|/max|coef| {np.abs(a - b).max() / np.abs(b).max():.2e}"]
    if hasattr(peer, "alphas_"):
        same = np.shape(ours.alphas_) == np.shape(peer.alphas_) and np.allclose(
            ours.alphas_, peer.alphas_, rtol=1e-6
        )
        parts.append(f"alphas_ equal {same}")
    if hasattr(peer, "inlier_mask_"):
        agree = float(np.mean(ours.inlier_mask_ == peer.inlier_mask_))
        parts.append(f"inlier masks agree {agree:.4f}, trials {ours.n_trials_}/{peer.n_trials_}")
    parts.append(f"R2 ours {ours.score(X, y):.5f} sk {peer.score(X, y):.5f}")
    return "; ".join(parts)


def _case(name, label, make_data, repeats=3, **params):
    return Case(
        name=f"{name}({label}) {make_data.__doc__}",
        make_data=make_data,
        ours=_fit("pai_algos.linear_model", name, **params),
        peer=_fit("sklearn.linear_model", name, **params),
        peer_name="scikit-learn",
        target=1.0,
        repeats=repeats,
        quality=_quality,
    )


def _lars_data():
    """50000x200 float64"""
    return _sparse_regression()


def _ransac_data():
    """100000x10 float64, 20% outliers"""
    return _outliers(100_000, 10)


def _theil_sen_data():
    """1500x5 float64, 20% outliers, 10000 subsets"""
    return _outliers(1500, 5)


CASES = [
    _case("Lars", "", _lars_data),
    _case("LassoLars", "alpha=0.01", _lars_data, alpha=0.01),
    _case("OrthogonalMatchingPursuit", "n_nonzero_coefs=40", _lars_data, n_nonzero_coefs=40),
    _case("RANSACRegressor", "residual_threshold=0.3", _ransac_data, residual_threshold=0.3,
          random_state=0),
    _case("TheilSenRegressor", "random_state=0", _theil_sen_data, random_state=0),
]  # fmt: skip

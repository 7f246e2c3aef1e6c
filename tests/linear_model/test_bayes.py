"""BayesianRidge against scikit-learn.

Tolerances: the same MacKay updates from an eigendecomposition of the Gram matrix instead of
the SVD of the data: coef_, alpha_, lambda_, sigma_ within rtol 1e-6 (in practice ~1e-13),
scores_ within 1e-6 relative, the same n_iter_, R^2 within 0.01.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import BayesianRidge


def _data(name, rng):
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    if name == "wide":  # fewer samples than features: the SVD path
        X = rng.normal(size=(25, 40))
        return X, X[:, :3].sum(axis=1) + rng.normal(scale=0.1, size=25)
    X = rng.normal(size=(300, 6)) + rng.normal(scale=5, size=6)
    return X, X @ rng.normal(size=6) + rng.normal(size=300)


@pytest.mark.parametrize("name", ["diabetes", "synthetic", "wide"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_parity(rng, name, weighted, fit_intercept):
    X, y = _data(name, rng)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    kw = dict(compute_score=True, fit_intercept=fit_intercept)
    ours = BayesianRidge(**kw).fit(X, y, sample_weight=sw)
    ref = skl.BayesianRidge(**kw).fit(X, y, sample_weight=sw)
    scale = np.max(np.abs(ref.coef_))
    np.testing.assert_allclose(ours.coef_ / scale, ref.coef_ / scale, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(ours.alpha_, ref.alpha_, rtol=1e-6)
    np.testing.assert_allclose(ours.lambda_, ref.lambda_, rtol=1e-6)
    atol = 1e-8 * np.abs(ref.sigma_).max()
    np.testing.assert_allclose(ours.sigma_, ref.sigma_, rtol=1e-5, atol=atol)
    np.testing.assert_allclose(ours.scores_, ref.scores_, rtol=1e-6)
    np.testing.assert_allclose(ours.X_offset_, ref.X_offset_, rtol=1e-10, atol=1e-12)
    assert ours.n_iter_ == ref.n_iter_
    mean, std = ours.predict(X, return_std=True)
    ref_mean, ref_std = ref.predict(X, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-6, atol=1e-6 * np.abs(ref_mean).max())
    np.testing.assert_allclose(std, ref_std, rtol=1e-5)
    assert abs(ours.score(X, y) - ref.score(X, y)) < 0.01


def test_init_and_noiseless(rng):
    X, y = _data("synthetic", rng)
    kw = dict(alpha_init=1.0, lambda_init=1e-3, tol=1e-8)
    ours = BayesianRidge(**kw).fit(X, y)
    ref = skl.BayesianRidge(**kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    # a perfect fit: the residual sum of squares is recomputed from the data
    y0 = X @ np.arange(1.0, 7.0)
    ours = BayesianRidge().fit(X, y0)
    ref = skl.BayesianRidge().fit(X, y0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    np.testing.assert_allclose(ours.alpha_, ref.alpha_, rtol=1e-3)


def test_float32_kept(rng):
    X, y = _data("synthetic", rng)
    r64 = BayesianRidge().fit(X, y)
    r32 = BayesianRidge().fit(X.astype(np.float32), y)
    assert r32.coef_.dtype == np.float32
    mean, std = r32.predict(X.astype(np.float32), return_std=True)
    assert mean.dtype == np.float32 and std.dtype == np.float32
    np.testing.assert_allclose(r32.coef_, r64.coef_, rtol=1e-3, atol=1e-4)
    assert len(r32.history_["alpha"]) == r32.n_iter_


def test_bad_input(rng):
    X, y = _data("synthetic", rng)
    with pytest.raises(InvalidParameterError, match="The 'alpha_1' parameter"):
        BayesianRidge(alpha_1=-1.0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'max_iter' parameter"):
        BayesianRidge(max_iter=0).fit(X, y)
    with pytest.raises(NotFittedError):
        BayesianRidge().predict(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        BayesianRidge().fit(np.where(X == X[0, 0], np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        BayesianRidge().fit(X, y[:-1])
    reg = BayesianRidge().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :2], return_std=True)

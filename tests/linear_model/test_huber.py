"""HuberRegressor against scikit-learn.

Tolerances: on well-conditioned data (standardised diabetes, synthetic heavy-tailed noise) at
the same tight tol both minimise the same convex objective: coef_ within rtol 1e-3 of the
largest coefficient, scale_ within 1e-3, identical outliers_ up to ties, R^2 within 0.01.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import HuberRegressor


def _data(name, rng):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        return (X - X.mean(0)) / X.std(0), y
    X = rng.normal(size=(300, 5))
    y = X @ rng.normal(size=5) + 2.0 + rng.standard_t(1.5, size=300)
    y[:15] += 30.0
    return X, y


def _assert_parity(ours, ref, X, y):
    scale = np.max(np.abs(ref.coef_))
    np.testing.assert_allclose(ours.coef_ / scale, ref.coef_ / scale, atol=1e-3)
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-3 * max(1.0, abs(ref.intercept_))
    assert abs(ours.scale_ - ref.scale_) <= 1e-3 * ref.scale_
    assert np.sum(ours.outliers_ != ref.outliers_) <= 1
    assert abs(ours.score(X, y) - ref.score(X, y)) < 0.01


@pytest.mark.parametrize("name", ["diabetes", "synthetic"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_parity(rng, name, weighted, sparse):
    X, y = _data(name, rng)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    Xf = sp.csr_matrix(X) if sparse else X
    ours = HuberRegressor(tol=1e-10, max_iter=1000).fit(Xf, y, sample_weight=sw)
    ref = skl.HuberRegressor(tol=1e-10, max_iter=1000).fit(X, y, sample_weight=sw)
    _assert_parity(ours, ref, X, y)


@pytest.mark.parametrize("kw", [{"fit_intercept": False}, {"alpha": 1.0, "epsilon": 1.1}])
def test_parity_options(rng, kw):
    X, y = _data("synthetic", rng)
    ours = HuberRegressor(tol=1e-10, max_iter=1000, **kw).fit(X, y)
    ref = skl.HuberRegressor(tol=1e-10, max_iter=1000, **kw).fit(X, y)
    _assert_parity(ours, ref, X, y)
    if not kw.get("fit_intercept", True):
        assert ours.intercept_ == 0.0


def test_robust_to_outliers(rng):
    X = rng.normal(size=(400, 3))
    coef = np.array([2.0, -1.0, 0.5])
    y = X @ coef + rng.normal(scale=0.1, size=400)
    y[:20] += 100.0
    reg = HuberRegressor().fit(X, y)
    np.testing.assert_allclose(reg.coef_, coef, atol=0.05)
    assert reg.outliers_[:20].all()
    assert reg.history_["loss"][-1] <= reg.history_["loss"][0]


def test_float32_and_warm_start(rng):
    X, y = _data("synthetic", rng)
    r64 = HuberRegressor(tol=1e-10, max_iter=1000).fit(X, y)
    r32 = HuberRegressor(tol=1e-10, max_iter=1000, warm_start=True).fit(X.astype(np.float32), y)
    assert r32.coef_.dtype == np.float32
    assert r32.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(r32.coef_, r64.coef_, rtol=1e-3, atol=1e-3)
    r32.fit(X.astype(np.float32), y)
    assert r32.n_iter_ <= 5


def test_bad_input(rng):
    X, y = _data("synthetic", rng)
    with pytest.raises(InvalidParameterError, match="The 'epsilon' parameter"):
        HuberRegressor(epsilon=0.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'alpha' parameter"):
        HuberRegressor(alpha=-1).fit(X, y)
    with pytest.raises(NotFittedError):
        HuberRegressor().predict(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        HuberRegressor().fit(np.where(X == X[0, 0], np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        HuberRegressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        HuberRegressor().fit(X[:0], y[:0])
    reg = HuberRegressor().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :2])

"""QuantileRegressor against scikit-learn.

We solve the dual linear program, scikit-learn the primal, both with HiGHS: the objective
agrees to 1e-6 relative, and coef_ to 1e-3 of the largest coefficient where the optimum is
unique (in practice ~1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import QuantileRegressor


def _objective(reg, X, y, sw, q):
    r = y - reg.predict(X)
    pinball = np.where(r >= 0, q * r, (q - 1) * r)
    return np.average(pinball, weights=sw) + reg.alpha * np.abs(reg.coef_).sum()


@pytest.mark.parametrize("quantile,alpha", [(0.5, 0.0), (0.2, 0.01), (0.9, 0.1)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_diabetes_parity(rng, quantile, alpha, weighted, sparse):
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:200], y[:200]  # a small LP keeps the test fast
    sw = None
    if weighted:  # random weights, some zero (those rows are dropped before the solve)
        sw = rng.uniform(0.5, 2.0, size=len(y))
        sw[rng.random(len(y)) < 0.1] = 0.0
    Xf = sp.csr_matrix(X) if sparse else X
    kw = dict(quantile=quantile, alpha=alpha)
    ours = QuantileRegressor(**kw).fit(Xf, y, sample_weight=sw)
    ref = skl.QuantileRegressor(**kw).fit(X, y, sample_weight=sw)
    f_ours = _objective(ours, X, y, sw, quantile)
    f_ref = _objective(ref, X, y, sw, quantile)
    assert abs(f_ours - f_ref) <= 1e-6 * f_ref
    if not weighted:
        # fixed data with a unique optimum: the same vertex (random weights can make ties,
        # where any point of the optimal face is right)
        scale = np.max(np.abs(ref.coef_)) + 1.0
        np.testing.assert_allclose(ours.coef_ / scale, ref.coef_ / scale, atol=1e-3)
        assert abs(ours.intercept_ - ref.intercept_) <= 1e-3 * scale


def test_quantile_coverage_and_no_intercept(rng):
    X = rng.normal(size=(300, 2))
    y = X @ np.array([1.0, -1.0]) + rng.normal(size=300)
    for q in (0.1, 0.5, 0.9):
        reg = QuantileRegressor(quantile=q, alpha=0.0).fit(X, y)
        assert abs(np.mean(y <= reg.predict(X)) - q) < 0.02
    reg = QuantileRegressor(alpha=0.0, fit_intercept=False).fit(X, y)
    ref = skl.QuantileRegressor(alpha=0.0, fit_intercept=False).fit(X, y)
    assert reg.intercept_ == 0.0
    np.testing.assert_allclose(reg.coef_, ref.coef_, atol=1e-8)
    assert reg.n_iter_ > 0


def test_float32_kept(rng):
    X = rng.normal(size=(80, 3)).astype(np.float32)
    y = X.sum(axis=1) + rng.normal(size=80)
    reg = QuantileRegressor(alpha=0.0).fit(X, y)
    assert reg.coef_.dtype == np.float32
    assert reg.predict(X).dtype == np.float32


def test_bad_input(rng):
    X = rng.normal(size=(30, 2))
    y = X.sum(axis=1)
    for q in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(InvalidParameterError, match="The 'quantile' parameter"):
            QuantileRegressor(quantile=q).fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'alpha' parameter"):
        QuantileRegressor(alpha=-1.0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'solver' parameter"):
        QuantileRegressor(solver="simplex").fit(X, y)
    with pytest.raises(ValueError, match="Solver interior-point is not anymore available"):
        QuantileRegressor(solver="interior-point").fit(X, y)
    with pytest.raises(NotFittedError):
        QuantileRegressor().predict(X)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        QuantileRegressor().fit(np.where(X == X[0, 0], np.inf, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        QuantileRegressor().fit(X, y[:-1])

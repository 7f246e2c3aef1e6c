"""TheilSenRegressor against scikit-learn: coef_ to rtol 1e-6 (all subsets, small n) and on
random subpopulations with the same random_state (the subsets are drawn identically)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as skl
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import TheilSenRegressor

TRUE_COEF = np.array([2.0, -1.0, 0.5])


def _planted(rng, n=60, frac=0.15):
    X = rng.normal(size=(n, 3))
    y = X @ TRUE_COEF + 1.0 + 0.05 * rng.normal(size=n)
    out = rng.choice(n, size=int(frac * n), replace=False)
    y[out] += rng.uniform(10, 40, size=len(out))
    return X, y


def _assert_same(ours, ref, rtol):
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=1e-9)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.breakdown_ == ref.breakdown_
    assert ours.n_subpopulation_ == ref.n_subpopulation_


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_subsamples", [None, 6])
def test_all_subsets_parity(rng, fit_intercept, n_subsamples):
    X, y = _planted(rng, n=14)
    kw = dict(fit_intercept=fit_intercept, n_subsamples=n_subsamples)
    _assert_same(TheilSenRegressor(**kw).fit(X, y), skl.TheilSenRegressor(**kw).fit(X, y), 1e-6)


def test_random_subpopulation_parity_and_quality(rng):
    X, y = _planted(rng, n=200)
    kw = dict(max_subpopulation=2000, random_state=5)
    ours = TheilSenRegressor(**kw).fit(X, y)
    _assert_same(ours, skl.TheilSenRegressor(**kw).fit(X, y), 1e-6)
    np.testing.assert_allclose(ours.coef_, TRUE_COEF, atol=0.05)
    assert abs(ours.intercept_ - 1.0) < 0.1


def test_diabetes_parity():
    X, y = load_diabetes(return_X_y=True)
    kw = dict(max_subpopulation=3000, random_state=0)
    _assert_same(TheilSenRegressor(**kw).fit(X, y), skl.TheilSenRegressor(**kw).fit(X, y), 1e-3)


def test_one_feature_and_more_features_than_samples(rng):
    X = rng.normal(size=(25, 1))
    y = 3 * X[:, 0] + 0.01 * rng.normal(size=25)
    _assert_same(
        TheilSenRegressor(fit_intercept=False).fit(X, y),
        skl.TheilSenRegressor(fit_intercept=False).fit(X, y),
        1e-8,
    )
    X = rng.normal(size=(6, 9))
    y = rng.normal(size=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = TheilSenRegressor().fit(X, y)
        ref = skl.TheilSenRegressor().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9)


def test_n_jobs_does_not_change_the_result(rng):
    X, y = _planted(rng, n=100)
    a = TheilSenRegressor(random_state=1, max_subpopulation=500, n_jobs=1).fit(X, y)
    b = TheilSenRegressor(random_state=1, max_subpopulation=500, n_jobs=-1).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_max_iter_warns(rng):
    X, y = _planted(rng, n=40)
    with pytest.warns(ConvergenceWarning, match="Maximum number of iterations 1"):
        TheilSenRegressor(max_iter=1, tol=0.0, random_state=0).fit(X, y)


def test_bad_input(rng):
    X, y = _planted(rng, n=30)
    with pytest.raises(NotFittedError, match="not fitted"):
        TheilSenRegressor().predict(X)
    with pytest.raises(ValueError, match="n_subsamples > n_samples"):
        TheilSenRegressor(n_subsamples=31).fit(X, y)
    with pytest.raises(ValueError, match=r"n_features\+1 > n_subsamples"):
        TheilSenRegressor(n_subsamples=3).fit(X, y)
    Xn = X.copy()
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        TheilSenRegressor().fit(Xn, y)
    with pytest.raises(ValueError, match="max_subpopulation"):
        TheilSenRegressor(max_subpopulation=0).fit(X, y)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        TheilSenRegressor().fit(X, np.column_stack([y, y]))

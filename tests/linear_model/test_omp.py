"""OrthogonalMatchingPursuit against scikit-learn: same support, coef_ to rtol 1e-8."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import OrthogonalMatchingPursuit


def _data(name, rng):
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    X = rng.normal(size=(150, 20))
    w = np.zeros(20)
    w[rng.choice(20, size=5, replace=False)] = rng.normal(scale=3, size=5)
    return X, X @ w + 0.1 * rng.normal(size=150) + 4.0


def _assert_same(ours, ref):
    np.testing.assert_array_equal(np.flatnonzero(ours.coef_), np.flatnonzero(ref.coef_))
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.n_nonzero_coefs_ == ref.n_nonzero_coefs_


@pytest.mark.parametrize("name", ["diabetes", "synthetic"])
@pytest.mark.parametrize(
    "params",
    [{}, {"n_nonzero_coefs": 5}, {"n_nonzero_coefs": 8, "fit_intercept": False}],
    ids=["default", "k5", "k8-noint"],
)
def test_parity(rng, name, params):
    X, y = _data(name, rng)
    _assert_same(
        OrthogonalMatchingPursuit(**params).fit(X, y),
        skl.OrthogonalMatchingPursuit(**params).fit(X, y),
    )


def test_tol_parity(rng):
    X, y = _data("synthetic", rng)
    for tol in (5.0, 50.0, 500.0):
        _assert_same(
            OrthogonalMatchingPursuit(tol=tol).fit(X, y),
            skl.OrthogonalMatchingPursuit(tol=tol).fit(X, y),
        )


def test_recovers_planted_support(rng):
    X, y = _data("synthetic", rng)
    reg = OrthogonalMatchingPursuit(n_nonzero_coefs=5).fit(X, y)
    assert reg.score(X, y) > 0.99


def test_multi_target_and_float32(rng):
    X, y = _data("synthetic", rng)
    Y = np.column_stack([y, -2 * y + 1])
    ours = OrthogonalMatchingPursuit(n_nonzero_coefs=5).fit(X, Y)
    ref = skl.OrthogonalMatchingPursuit(n_nonzero_coefs=5).fit(X, Y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    assert ours.n_iter_ == list(ref.n_iter_)
    X32 = X.astype(np.float32)
    reg = OrthogonalMatchingPursuit(n_nonzero_coefs=5).fit(X32, y)
    assert reg.coef_.dtype == np.float32 and reg.predict(X32).dtype == np.float32
    np.testing.assert_array_equal(np.flatnonzero(reg.coef_), np.flatnonzero(ref.coef_[0]))


def test_dependent_dictionary_warns(rng):
    X = rng.normal(size=(50, 3))
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    y = X[:, 0] + X[:, 1] + X[:, 2]
    with pytest.warns(RuntimeWarning, match="linear dependence"):
        OrthogonalMatchingPursuit(n_nonzero_coefs=4, fit_intercept=False).fit(X, y)


def test_bad_input():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        OrthogonalMatchingPursuit().predict(X)
    with pytest.raises(ValueError, match="number of atoms cannot be more"):
        OrthogonalMatchingPursuit(n_nonzero_coefs=11).fit(X, y)
    Xi = X.copy()
    Xi[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        OrthogonalMatchingPursuit().fit(Xi, y)
    with pytest.raises(ValueError, match="0 sample"):
        OrthogonalMatchingPursuit().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="tol"):
        OrthogonalMatchingPursuit(tol=-1.0).fit(X, y)

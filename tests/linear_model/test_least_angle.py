"""Lars and LassoLars against scikit-learn: coef_path_ and alphas_ to rtol 1e-6 (float64)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as skl
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import Lars, LassoLars


def _data(name, rng):
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    X = rng.normal(size=(200, 12)) + rng.normal(scale=3, size=12)
    w = rng.normal(size=12) * (rng.uniform(size=12) < 0.5)
    return X, X @ w + rng.normal(size=200)


def _assert_same_path(ours, ref):
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-6, atol=1e-10)
    scale = np.abs(ref.coef_path_).max()
    np.testing.assert_allclose(ours.coef_path_, ref.coef_path_, rtol=1e-6, atol=1e-9 * scale)
    assert ours.active_ == [int(i) for i in ref.active_]
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9 * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8)


@pytest.mark.parametrize("name", ["diabetes", "synthetic"])
@pytest.mark.parametrize(
    "params", [{}, {"n_nonzero_coefs": 3}, {"fit_intercept": False}], ids=["full", "k3", "noint"]
)
def test_lars_parity(rng, name, params):
    X, y = _data(name, rng)
    _assert_same_path(Lars(**params).fit(X, y), skl.Lars(**params).fit(X, y))


@pytest.mark.parametrize("name", ["diabetes", "synthetic"])
@pytest.mark.parametrize(
    "params",
    [
        {"alpha": 0.0},
        {"alpha": 0.05},
        {"alpha": 0.5, "positive": True},
        {"alpha": 0.01, "max_iter": 4},
    ],
    ids=["alpha0", "alpha0.05", "positive", "max_iter"],
)
def test_lasso_lars_parity(rng, name, params):
    X, y = _data(name, rng)
    _assert_same_path(LassoLars(**params).fit(X, y), skl.LassoLars(**params).fit(X, y))


def test_lasso_lars_drops_variables_like_sklearn(rng):
    # more features than samples: the Lasso path drops and re-adds variables
    X = rng.normal(size=(40, 60))
    y = X[:, :6] @ rng.normal(size=6) + 0.1 * rng.normal(size=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LassoLars(alpha=1e-3).fit(X, y)
        ref = skl.LassoLars(alpha=1e-3).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)


def test_lasso_lars_matches_coordinate_descent_lasso():
    X, y = load_diabetes(return_X_y=True)
    lars = LassoLars(alpha=0.1).fit(X, y)
    cd = skl.Lasso(alpha=0.1, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(lars.coef_, cd.coef_, rtol=1e-5, atol=1e-6)


def test_fit_path_false_and_multi_target(rng):
    X, y = load_diabetes(return_X_y=True)
    ours = LassoLars(alpha=0.1, fit_path=False).fit(X, y)
    ref = skl.LassoLars(alpha=0.1, fit_path=False).fit(X, y)
    assert not hasattr(ours, "coef_path_")
    np.testing.assert_allclose(ours.alphas_, ref.alphas_)
    # scikit-learn keeps a (1, n_features) coef_ here; ours stays 1-D like every other fit
    np.testing.assert_allclose(ours.coef_, ref.coef_.ravel(), rtol=1e-6)
    Y = np.column_stack([y, y[::-1]])
    ours = Lars(n_nonzero_coefs=5).fit(X, Y)
    ref = skl.Lars(n_nonzero_coefs=5).fit(X, Y)
    assert ours.coef_.shape == (2, 10) and len(ours.coef_path_) == 2
    for a, b in zip(ours.coef_path_, ref.coef_path_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8)


def test_float32_and_jitter(rng):
    X, y = load_diabetes(return_X_y=True)
    ours = Lars().fit(X.astype(np.float32), y)
    assert ours.coef_.dtype == np.float32 and ours.coef_path_.dtype == np.float32
    assert ours.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(ours.coef_, skl.Lars().fit(X, y).coef_, rtol=1e-3, atol=1e-2)
    a = LassoLars(alpha=0.1, jitter=1e-3, random_state=3).fit(X, y)
    b = skl.LassoLars(alpha=0.1, jitter=1e-3, random_state=3).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6)


def test_precomputed_gram_and_xy():
    X, y = load_diabetes(return_X_y=True)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    ours = Lars(precompute=Xc.T @ Xc).fit(X, y, Xy=Xc.T @ yc)
    np.testing.assert_allclose(ours.coef_, skl.Lars().fit(X, y).coef_, rtol=1e-6)


def test_bad_input():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        Lars().predict(X)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lars().fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LassoLars().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        Lars().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="n_nonzero_coefs"):
        Lars(n_nonzero_coefs=0).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        LassoLars(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="precomputed Gram matrix has shape"):
        Lars(precompute=np.eye(3)).fit(X, y)
    reg = Lars().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :5])

"""Lasso, ElasticNet, LassoCV, ElasticNetCV against scikit-learn, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import ElasticNet, ElasticNetCV, Lasso, LassoCV

TOL = 1e-10


def _sparse_truth(rng, n=200, p=30, dtype=np.float64):
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[rng.choice(p, 5, replace=False)] = rng.normal(size=5) * 3
    y = X @ w + 0.5 * rng.normal(size=n) + 1.0
    return X.astype(dtype), y


def _datasets(rng):
    Xd, yd = load_diabetes(return_X_y=True)
    return [("diabetes", Xd, yd), ("synthetic", *_sparse_truth(rng))]


@pytest.mark.parametrize(
    "ours, theirs, params",
    [
        (Lasso, sk.Lasso, {"alpha": 0.05}),
        (ElasticNet, sk.ElasticNet, {"alpha": 0.01, "l1_ratio": 0.4}),
    ],
)
@pytest.mark.parametrize("precompute", ["auto", False])
@pytest.mark.parametrize("sparse", [False, True])
def test_parity_with_sklearn(rng, ours, theirs, params, precompute, sparse):
    for name, X, y in _datasets(rng):
        Xin = sp.csr_matrix(X) if sparse else X
        sw = rng.uniform(0.5, 2.0, size=len(y))
        a = ours(**params, precompute=precompute, tol=TOL).fit(Xin, y, sample_weight=sw)
        b = theirs(**params, tol=TOL).fit(Xin, y, sample_weight=sw)
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-3, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-3, err_msg=name)
        assert abs(a.score(Xin, y) - b.score(Xin, y)) < 0.01


@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_positive_random_float32_multioutput(rng, selection):
    X, y = _sparse_truth(rng, dtype=np.float32)
    kw = {"alpha": 0.1, "tol": TOL, "selection": selection, "random_state": 0}
    a = Lasso(**kw, positive=True).fit(X, y)
    b = sk.Lasso(**kw, positive=True).fit(X, y)
    assert a.coef_.dtype == np.float32 and a.predict(X).dtype == np.float32
    assert np.all(a.coef_ >= 0)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-3, atol=1e-4)
    Y = np.column_stack([y, -2 * y + 1])
    a = ElasticNet(alpha=0.1, tol=TOL).fit(X, Y)
    b = sk.ElasticNet(alpha=0.1, tol=TOL).fit(X, Y)
    assert a.coef_.shape == (2, X.shape[1]) and len(a.n_iter_) == 2
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-3)
    assert a.sparse_coef_.shape == (2, X.shape[1])


def test_warm_start_and_attributes(rng):
    X, y = _sparse_truth(rng)
    est = ElasticNet(alpha=0.1, warm_start=True, tol=1e-8).fit(X, y)
    assert est.dual_gap_ >= 0 and est.n_iter_ >= 1
    est.fit(X, y)
    assert est.n_iter_ <= 2  # starts at the optimum


@pytest.mark.parametrize("sparse", [False, True])
def test_lassocv_parity(rng, sparse):
    for name, X, y in _datasets(rng):
        folds = list(KFold(4, shuffle=True, random_state=0).split(X))
        Xin = sp.csr_matrix(X) if sparse else X
        a = LassoCV(cv=folds, tol=1e-8).fit(Xin, y)
        b = sk.LassoCV(cv=folds, tol=1e-8).fit(Xin, y)
        np.testing.assert_allclose(a.alphas_, b.alphas_, rtol=1e-10, err_msg=name)
        np.testing.assert_allclose(a.mse_path_, b.mse_path_, rtol=1e-3, err_msg=name)
        assert a.alpha_ == pytest.approx(b.alpha_, rel=1e-10)
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-3, atol=1e-6)


def test_elasticnetcv_parity(rng):
    X, y = load_diabetes(return_X_y=True)
    folds = list(KFold(3, shuffle=True, random_state=1).split(X))
    sw = rng.uniform(0.5, 2.0, size=len(y))
    kw = {"l1_ratio": [0.2, 0.7, 1.0], "alphas": 30, "cv": folds, "tol": 1e-8}
    a = ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    b = sk.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    assert a.mse_path_.shape == (3, 30, 3) and a.alphas_.shape == (3, 30)
    np.testing.assert_allclose(a.mse_path_, b.mse_path_, rtol=1e-3)
    assert a.l1_ratio_ == b.l1_ratio_ and a.alpha_ == pytest.approx(b.alpha_)
    a = ElasticNetCV(alphas=[0.1, 0.01, 1.0], cv=folds).fit(X, y)
    np.testing.assert_array_equal(a.alphas_, [1.0, 0.1, 0.01])


@pytest.mark.parametrize("cls", [Lasso, ElasticNet, LassoCV, ElasticNetCV])
def test_bad_input(cls, rng):
    X, y = _sparse_truth(rng, n=40, p=6)
    est = cls()
    with pytest.raises(NotFittedError, match="not fitted"):
        est.predict(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cls().fit(bad, y)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        cls().fit(bad, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        cls().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="0 sample"):
        cls().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls().fit(X, y[:-1])
    fitted = cls(cv=3) if "CV" in cls.__name__ else cls()
    fitted.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :5])


@pytest.mark.parametrize("cls", [ElasticNet, ElasticNetCV])
def test_bad_parameters(cls, rng):
    X, y = _sparse_truth(rng, n=40, p=6)
    with pytest.raises(ValueError, match="l1_ratio"):
        cls(l1_ratio=1.5).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        (cls(alphas=[-1.0]) if cls is ElasticNetCV else cls(alpha=-1.0)).fit(X, y)
    if cls is ElasticNetCV:
        with pytest.raises(ValueError, match="l1_ratio=0"):
            cls(l1_ratio=0.0).fit(X, y)
        with pytest.raises(ValueError, match="MultiTask"):
            cls().fit(X, np.column_stack([y, y]))

"""LinearRegression against scikit-learn (coef_ rtol 1e-6 dense, 1e-4 sparse; R² within 0.01)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import load_breast_cancer, load_diabetes
from pai_algos.linear_model import LinearRegression


def _data(name, rng):
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    if name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
        return X, y.astype(float)
    X = rng.normal(size=(300, 8)) + rng.normal(scale=10, size=8)
    return X, X @ rng.normal(size=8) + rng.normal(size=300)


@pytest.mark.parametrize("name", ["diabetes", "breast_cancer", "synthetic"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_parity_with_sklearn(rng, name, weighted, sparse):
    X, y = _data(name, rng)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    Xf = sp.csr_matrix(X) if sparse else X
    ours = LinearRegression(device="cpu").fit(Xf, y, sample_weight=sw)
    ref = skl.LinearRegression().fit(X, y, sample_weight=sw)
    rtol = 1e-4 if name == "breast_cancer" else 1e-6  # breast_cancer: cond(X) ~ 1e4
    np.testing.assert_allclose(
        ours.coef_, ref.coef_, rtol=rtol, atol=1e-8 * np.abs(ref.coef_).max()
    )
    assert abs(ours.score(Xf, y) - ref.score(X, y)) < 0.01
    if not sparse:
        assert ours.rank_ == ref.rank_
        np.testing.assert_allclose(ours.singular_, ref.singular_, rtol=1e-6)


def test_multi_output_and_no_intercept(rng):
    X = rng.normal(size=(200, 5))
    Y = X @ rng.normal(size=(5, 3)) + 1.0
    for fit_intercept in (True, False):
        ours = LinearRegression(fit_intercept=fit_intercept, device="cpu").fit(X, Y)
        ref = skl.LinearRegression(fit_intercept=fit_intercept).fit(X, Y)
        assert ours.coef_.shape == (3, 5)
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-8)


def test_rank_deficient_predictions_match(rng):
    X = rng.normal(size=(100, 4))
    X = np.column_stack([X, X[:, 0] + X[:, 1], np.full(100, 3.0)])  # collinear + constant
    y = X[:, 0] - 2 * X[:, 2] + rng.normal(size=100)
    ours = LinearRegression(device="cpu").fit(X, y)
    ref = skl.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)  # both minimum norm
    assert ours.rank_ == ref.rank_ == 4
    ours_sparse = LinearRegression(device="cpu").fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(ours_sparse.predict(X), ref.predict(X), rtol=1e-6)


def test_float32_kept(rng):
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = X @ np.arange(1.0, 5.0) + 0.5
    reg = LinearRegression(device="cpu").fit(X, y)
    assert reg.coef_.dtype == np.float32 and reg.predict(X).dtype == np.float32
    np.testing.assert_allclose(reg.coef_, np.arange(1.0, 5.0), rtol=1e-5)


def test_positive(rng):
    X = rng.normal(size=(200, 6))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0, -1.0]) + rng.normal(size=200)
    ours = LinearRegression(positive=True, device="cpu").fit(X, y)
    ref = skl.LinearRegression(positive=True).fit(X, y)
    assert np.all(ours.coef_ >= 0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


def test_bad_input(rng):
    X = rng.normal(size=(20, 3))
    y = rng.normal(size=20)
    reg = LinearRegression(device="cpu")
    with pytest.raises(NotFittedError, match="not fitted"):
        reg.predict(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        reg.fit(bad, y)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        reg.fit(bad, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        reg.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="0 sample"):
        reg.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        reg.fit(X, y[:-1])
    reg.fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        reg.predict(X[:, :2])

"""Ridge, RidgeCV and RidgeClassifier against scikit-learn.

Tolerances: coef_ rtol 1e-6 against scikit-learn's exact (cholesky) solve; its iterative
sparse solver only agrees to its own tol, R² and accuracy within 0.01, the same alpha_ for RidgeCV.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_wine
from pai_algos.linear_model import Ridge, RidgeClassifier, RidgeCV

ALPHAS = [1e-3, 1e-2, 1e-1, 1.0, 10.0]


def _regression(name, rng):
    if name == "diabetes":
        return load_diabetes(return_X_y=True)
    X = rng.normal(size=(250, 7)) + rng.normal(scale=5, size=7)
    return X, X @ rng.normal(size=7) + rng.normal(size=250)


@pytest.mark.parametrize("name", ["diabetes", "synthetic"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_ridge_parity(rng, name, weighted, sparse):
    X, y = _regression(name, rng)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    Xf = sp.csr_matrix(X) if sparse else X
    ours = Ridge(alpha=0.3, device="cpu").fit(Xf, y, sample_weight=sw)
    ref = skl.Ridge(alpha=0.3, solver="cholesky").fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6)
    assert abs(ours.score(Xf, y) - ref.score(X, y)) < 0.01
    if sparse:  # scikit-learn's own sparse path is iterative (sparse_cg, tol 1e-4)
        ref_sp = skl.Ridge(alpha=0.3).fit(Xf, y, sample_weight=sw)
        assert abs(ours.score(Xf, y) - ref_sp.score(Xf, y)) < 0.01


def test_ridge_multi_output_alpha_per_target(rng):
    X = rng.normal(size=(150, 6))
    Y = X @ rng.normal(size=(6, 3)) + rng.normal(size=(150, 3))
    alpha = np.array([0.1, 1.0, 30.0])
    ours = Ridge(alpha=alpha, device="cpu").fit(X, Y)
    ref = skl.Ridge(alpha=alpha).fit(X, Y)
    assert ours.coef_.shape == (3, 6)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        Ridge(alpha=[1.0, 2.0], device="cpu").fit(X, Y)


def test_ridge_float32_and_no_intercept(rng):
    X = rng.normal(size=(100, 4)).astype(np.float32)
    y = X @ np.ones(4)
    ours = Ridge(alpha=1.0, fit_intercept=False, device="cpu").fit(X, y)
    ref = skl.Ridge(alpha=1.0, fit_intercept=False).fit(X.astype(float), y)
    assert ours.coef_.dtype == np.float32 and ours.predict(X).dtype == np.float32
    assert ours.intercept_ == 0.0
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5)


def test_ridge_positive(rng):
    X = rng.normal(size=(200, 5))
    y = X @ np.array([2.0, -1.0, 0.5, 0.0, -3.0]) + rng.normal(size=200)
    ours = Ridge(alpha=1.0, positive=True, device="cpu").fit(X, y)
    ref = skl.Ridge(alpha=1.0, positive=True).fit(X, y)
    assert np.all(ours.coef_ >= 0)

    # scikit-learn stops L-BFGS-B at its tol; NNLS is exact: compare the objective
    def objective(m):
        return np.sum((y - m.predict(X)) ** 2) + np.sum(m.coef_**2)

    assert objective(ours) <= objective(ref) + 1e-8
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-2)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridgecv_loo_parity(rng, sparse, weighted):
    X, y = load_diabetes(return_X_y=True)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    Xf = sp.csr_matrix(X) if sparse else X
    ours = RidgeCV(alphas=ALPHAS, store_cv_results=True, device="cpu").fit(Xf, y, sw)
    ref = skl.RidgeCV(alphas=ALPHAS, store_cv_results=True).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    np.testing.assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-6)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


def test_ridgecv_alpha_per_target_and_scoring(rng):
    X = rng.normal(size=(120, 5))
    Y = np.column_stack([X @ rng.normal(size=5), X[:, 0]]) + rng.normal(size=(120, 2)) * [5, 0.1]
    ours = RidgeCV(alphas=ALPHAS, alpha_per_target=True, device="cpu").fit(X, Y)
    ref = skl.RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(X, Y)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    ours = RidgeCV(alphas=ALPHAS, scoring="r2", device="cpu").fit(X, Y[:, 0])
    ref = skl.RidgeCV(alphas=ALPHAS, scoring="r2").fit(X, Y[:, 0])
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
def test_ridgecv_kfold_parity(rng, weighted):
    X, y = load_diabetes(return_X_y=True)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    ours = RidgeCV(alphas=ALPHAS, cv=5, device="cpu").fit(X, y, sample_weight=sw)
    ref = skl.RidgeCV(alphas=ALPHAS, cv=5).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == ref.alpha_
    np.testing.assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    with pytest.raises(ValueError, match="store_cv_results=True are incompatible"):
        RidgeCV(cv=3, store_cv_results=True, device="cpu").fit(X, y)


@pytest.mark.parametrize("name", ["wine", "breast_cancer"])
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_ridge_classifier_parity(rng, name, class_weight):
    X, y = (load_wine if name == "wine" else load_breast_cancer)(return_X_y=True)
    sw = rng.uniform(0.5, 2.0, size=len(y))
    ours = RidgeClassifier(alpha=0.5, class_weight=class_weight, device="cpu")
    ref = skl.RidgeClassifier(alpha=0.5, class_weight=class_weight)
    ours.fit(X, y, sample_weight=sw)
    ref.fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-6)
    assert abs(ours.score(X, y) - ref.score(X, y)) <= 0.01
    X32 = X.astype(np.float32)
    assert RidgeClassifier(device="cpu").fit(X32, y).decision_function(X32).dtype == np.float32


def test_ridge_classifier_string_labels_and_one_class(rng):
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = RidgeClassifier(device="cpu").fit(X, y)
    assert clf.coef_.shape == (3,)
    assert set(clf.predict(X)) <= {"yes", "no"}
    with pytest.raises(ValueError, match="only one class"):
        RidgeClassifier(device="cpu").fit(X, np.full(60, "yes"))


@pytest.mark.parametrize("cls", [Ridge, RidgeCV, RidgeClassifier])
def test_bad_input(rng, cls):
    X = rng.normal(size=(30, 3))
    y = np.arange(30) % 2
    est = cls(device="cpu")
    with pytest.raises(NotFittedError, match="not fitted"):
        est.predict(X)
    bad = X.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(bad, y)
    bad[1, 1] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.fit(bad, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    est.fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(X[:, :2])


def test_negative_alpha(rng):
    X = rng.normal(size=(30, 3))
    y = rng.normal(size=30)
    with pytest.raises(ValueError, match="'alpha' parameter of Ridge must be"):
        Ridge(alpha=-1.0, device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        Ridge(alpha=np.array([-1.0]), device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="must be > 0"):
        RidgeCV(alphas=[0.0, 1.0], device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="can be used only when positive=True"):
        Ridge(solver="lbfgs", device="cpu").fit(X, y)

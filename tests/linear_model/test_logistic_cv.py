"""LogisticRegressionCV: parity with scikit-learn's (new attribute layout), options, bad input.

Parity tolerance: with the same folds and ``tol=1e-8``, held-out scores within 1e-4 (log-loss)
and the same chosen ``C``; the refitted coefficients within rtol 1e-3.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.model_selection import KFold, StratifiedKFold
from threadpoolctl import threadpool_limits

from pai_algos import datasets
from pai_algos.linear_model import LogisticRegression, LogisticRegressionCV

TIGHT = dict(tol=1e-8, max_iter=1000)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # the scikit-learn references call BLAS on tiny matrices: threads only add contention
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _standardized(loader):
    X, y = loader(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _sk(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SkLogisticRegressionCV(use_legacy_attributes=False, **kw)


def _assert_same_model(ours, ref, rtol=1e-3):
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize(
    "loader", [datasets.load_iris, datasets.load_wine, datasets.load_breast_cancer]
)
def test_parity_real_data(loader):
    X, y = _standardized(loader)
    kw = dict(Cs=4, cv=StratifiedKFold(3), scoring="neg_log_loss", l1_ratios=(0.0,), **TIGHT)
    ours = LogisticRegressionCV(**kw).fit(X, y)
    ref = _sk(**kw).fit(X, y)
    np.testing.assert_allclose(ours.Cs_, ref.Cs_)
    assert ours.scores_.shape == ref.scores_.shape == (3, 1, 4)
    np.testing.assert_allclose(ours.scores_, ref.scores_, atol=1e-4)
    assert ours.C_ == ref.C_
    assert ours.l1_ratio_ == ref.l1_ratio_ == 0.0
    assert ours.coefs_paths_.shape == ref.coefs_paths_.shape
    np.testing.assert_allclose(ours.coefs_paths_, ref.coefs_paths_, rtol=1e-2, atol=1e-3)
    assert ours.n_iter_.shape == ref.n_iter_.shape
    _assert_same_model(ours, ref)
    assert abs(ours.score(X, y) - ref.score(X, y)) < 1e-4


def test_parity_elasticnet_grid_saga(seed):
    X, y = make_classification(
        n_samples=200, n_features=6, n_informative=4, n_redundant=0, random_state=seed % 1000
    )
    kw = dict(
        Cs=[0.05, 0.5, 5.0],
        l1_ratios=[0.0, 0.5, 1.0],
        cv=3,
        solver="saga",
        scoring="neg_log_loss",
        random_state=0,
        tol=1e-7,
        max_iter=3000,
    )
    ours = LogisticRegressionCV(**kw).fit(X, y)
    ref = _sk(**kw).fit(X, y)
    assert ours.scores_.shape == (3, 3, 3)
    np.testing.assert_allclose(ours.scores_, ref.scores_, atol=1e-4)
    assert (ours.C_, ours.l1_ratio_) == (ref.C_, ref.l1_ratio_)
    _assert_same_model(ours, ref, rtol=2e-3)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
def test_refit_equals_plain_fit_at_chosen_c(seed, solver):
    X, y = make_classification(n_samples=150, n_features=5, n_classes=3, n_informative=3,
                               n_redundant=0, random_state=seed % 1000)  # fmt: skip
    cv = LogisticRegressionCV(Cs=3, cv=3, solver=solver, **TIGHT).fit(X, y)
    plain = LogisticRegression(C=cv.C_, solver=solver, device="cpu", **TIGHT).fit(X, y)
    np.testing.assert_allclose(cv.coef_, plain.coef_, rtol=1e-4, atol=1e-6)
    assert cv.coefs_paths_.shape == (3, 1, 3, 3, 6)


def test_no_refit_averages_fold_models(seed):
    X, y = _standardized(datasets.load_breast_cancer)
    kw = dict(Cs=3, cv=StratifiedKFold(3), refit=False, scoring="neg_log_loss", **TIGHT)
    ours = LogisticRegressionCV(**kw).fit(X, y)
    ref = _sk(l1_ratios=(0.0,), **kw).fit(X, y)
    best = ours.scores_[:, 0, :].argmax(axis=1)
    np.testing.assert_allclose(ours.C_, ours.Cs_[best].mean())
    assert ours.C_ == pytest.approx(ref.C_)
    _assert_same_model(ours, ref, rtol=2e-3)


def test_sparse_float32_weights_and_class_weight(rng, seed):
    X, y = make_classification(n_samples=200, n_features=8, n_redundant=0,
                               random_state=seed % 1000)  # fmt: skip
    X[rng.random(X.shape) < 0.5] = 0.0
    sw = rng.uniform(0.5, 2.0, size=len(y))
    kw = dict(Cs=3, cv=3, class_weight="balanced", **TIGHT)
    dense = LogisticRegressionCV(**kw).fit(X, y, sample_weight=sw)
    sparse = LogisticRegressionCV(**kw).fit(
        sp.csr_matrix(X.astype(np.float32)), y, sample_weight=sw
    )
    assert sparse.coef_.dtype == np.float32
    assert sparse.predict_proba(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(sparse.scores_, dense.scores_, atol=1e-6)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-4, atol=1e-4)
    ref = _sk(l1_ratios=(0.0,), scoring="accuracy", **kw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(dense.scores_, ref.scores_, atol=1e-9)


def test_custom_splitter_callable_scoring_and_labels(seed):
    X, y = make_classification(n_samples=120, n_features=4, n_informative=3, n_redundant=0,
                               random_state=seed % 1000)  # fmt: skip
    labels = np.array(["neg", "pos"])[y]
    calls = []

    def scorer(est, X_test, y_test):
        calls.append(len(y_test))
        return float(np.mean(est.predict(X_test) == y_test))

    clf = LogisticRegressionCV(Cs=[0.1, 1.0], cv=KFold(4), scoring=scorer).fit(X, labels)
    assert len(calls) == 4 * 2
    assert set(clf.predict(X)) <= {"neg", "pos"}
    assert clf.scores_.shape == (4, 1, 2)
    assert clf.n_iter_.shape == (4, 1, 2) and clf.n_iter_.min() >= 1
    np.testing.assert_array_equal(clf.Cs_, [0.1, 1.0])


def test_warm_start_along_path_saves_iterations():
    X, y = _standardized(datasets.load_wine)
    Cs = np.logspace(-2, 2, 5)
    folds = [(np.arange(len(y)), np.arange(len(y)))]  # one "fold": the whole data
    clf = LogisticRegressionCV(Cs=Cs, cv=folds, **TIGHT).fit(X, y)
    cold = [LogisticRegression(C=C, device="cpu", **TIGHT).fit(X, y).n_iter_[0] for C in Cs]
    assert clf.n_iter_[0, 0, 0] == cold[0]  # the first fit starts from zero too
    assert clf.n_iter_[0, 0, 1:].sum() < sum(cold[1:])


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("l1_ratios", [[0.5, 1.5], [-0.1], []])
def test_l1_ratios_out_of_range(l1_ratios):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    with pytest.raises(
        ValueError, match="l1_ratios must be an array-like of numbers between 0 and 1"
    ):
        LogisticRegressionCV(l1_ratios=l1_ratios, solver="saga").fit(X, y)


@pytest.mark.parametrize("l1_ratios, penalty", [([1.0], "l1"), ([0.0, 0.5], "elasticnet")])
def test_invalid_penalty_solver_combination(l1_ratios, penalty):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    clf = LogisticRegressionCV(l1_ratios=l1_ratios, solver="lbfgs")
    with pytest.raises(
        ValueError,
        match=f"Solver lbfgs supports only 'l2' or None penalties, got {penalty} penalty",
    ):
        clf.fit(X, y)
    assert not hasattr(clf, "n_features_in_")


def test_bad_parameters_and_input():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="'Cs' parameter of LogisticRegressionCV must be"):
        LogisticRegressionCV(Cs=0).fit(X, y)
    with pytest.raises(ValueError, match="Cs must be positive numbers"):
        LogisticRegressionCV(Cs=[1.0, -1.0]).fit(X, y)
    with pytest.raises(ValueError, match="'solver' parameter of LogisticRegressionCV must be"):
        LogisticRegressionCV(solver="sag").fit(X, y)
    with pytest.raises(ValueError, match="'scoring' parameter of LogisticRegressionCV must be"):
        LogisticRegressionCV(scoring="not_a_metric").fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegressionCV().fit(X, np.zeros(len(y)))
    Xb = X.copy()
    Xb[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LogisticRegressionCV().fit(Xb, y)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegressionCV().predict(X)

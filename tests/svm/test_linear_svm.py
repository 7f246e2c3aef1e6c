"""LinearSVC and LinearSVR against scikit-learn (liblinear), and their error messages.

Tolerances: accuracy within 0.01 of scikit-learn's, coefficients within rtol 1e-2 (relative
to the largest weight), and our primal objective at most scikit-learn's times (1 + 1e-4).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import svm as sk_svm
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler

from pai_algos.datasets import load_breast_cancer, load_wine
from pai_algos.svm import LinearSVC, LinearSVR

SVC_COMBOS = [
    ("l2", "squared_hinge", True),
    ("l2", "squared_hinge", False),
    ("l2", "hinge", True),
    ("l1", "squared_hinge", False),
]


def _svc_objective(est, X, y, penalty, loss, C=1.0, class_weight=None):
    """liblinear's objective summed over the one-vs-rest outputs."""
    classes = est.classes_
    intercept = np.broadcast_to(np.atleast_1d(est.intercept_), (est.coef_.shape[0],))
    total = 0.0
    for k in range(est.coef_.shape[0]):
        positive = classes[1] if len(classes) == 2 else classes[k]
        yk = np.where(y == positive, 1.0, -1.0)
        cost = np.full(len(y), C)
        if class_weight is not None:
            cost = np.where(yk > 0, C * class_weight[positive], cost)
            if len(classes) == 2:
                cost = np.where(yk < 0, C * class_weight[classes[0]], cost)
        w = np.r_[est.coef_[k], intercept[k]]
        margin = np.maximum(0.0, 1.0 - yk * (X @ est.coef_[k] + intercept[k]))
        reg = np.abs(w).sum() if penalty == "l1" else 0.5 * w @ w
        total += reg + np.sum(cost * (margin if loss == "hinge" else margin**2))
    return total


def _close_coef(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-2, atol=1e-2 * np.abs(b).max())


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[::2], y[::2]


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(("penalty", "loss", "dual"), SVC_COMBOS)
@pytest.mark.parametrize("data", ["cancer", "wine"])
@pytest.mark.parametrize("sparse", [False, True])
def test_linear_svc_matches_sklearn(request, penalty, loss, dual, data, sparse):
    X, y = request.getfixturevalue(data)
    Xf = sp.csr_matrix(X) if sparse else X
    params = dict(penalty=penalty, loss=loss, dual=dual, tol=1e-6, max_iter=20000, C=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LinearSVC(random_state=0, **params).fit(Xf, y)
        ref = sk_svm.LinearSVC(random_state=0, **params).fit(Xf, y)
    assert ours.coef_.dtype == np.float64
    assert ours.coef_.shape == ref.coef_.shape
    assert abs(ours.score(Xf, y) - ref.score(Xf, y)) <= 0.01
    _close_coef(ours.coef_, ref.coef_)
    obj = _svc_objective(ours, X, y, penalty, loss, C=0.5)
    ref_obj = _svc_objective(ref, X, y, penalty, loss, C=0.5)
    assert obj <= ref_obj * (1 + 1e-4)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.decision_function(Xf).shape == ref.decision_function(Xf).shape


@pytest.mark.parametrize("dual", [True, False])
def test_linear_svc_class_weight_matches_sklearn(wine, cancer, dual):
    for X, y, cw in [
        (*wine, {0: 2.0, 1: 0.5, 2: 1.0}),
        (*cancer, {0: 3.0, 1: 1.0}),
    ]:
        params = dict(dual=dual, tol=1e-8, max_iter=20000, class_weight=cw, random_state=0)
        ours = LinearSVC(**params).fit(X, y)
        ref = sk_svm.LinearSVC(**params).fit(X, y)
        _close_coef(ours.coef_, ref.coef_)
        obj = _svc_objective(ours, X, y, "l2", "squared_hinge", class_weight=cw)
        assert obj <= _svc_objective(ref, X, y, "l2", "squared_hinge", class_weight=cw) * (1 + 1e-4)


def _crammer_singer_objective(est, X, y, C):
    scores = X @ est.coef_.T + est.intercept_
    if scores.shape[1] == 1:  # two classes keep one row, the difference of the two
        scores = np.c_[np.zeros(len(y)), scores]
    W = est.coef_ if est.coef_.shape[0] > 1 else None
    yi = np.searchsorted(est.classes_, y)
    margins = scores - scores[np.arange(len(y)), yi][:, None] + 1.0
    margins[np.arange(len(y)), yi] = 0.0
    reg = 0.0 if W is None else 0.5 * (np.sum(W**2) + np.sum(est.intercept_**2))
    return reg + C * margins.max(axis=1).sum()


@pytest.mark.parametrize("data", ["cancer", "wine"])
@pytest.mark.parametrize("sparse", [False, True])
def test_linear_svc_crammer_singer_matches_sklearn(request, data, sparse):
    X, y = request.getfixturevalue(data)
    Xf = sp.csr_matrix(X) if sparse else X
    params = dict(multi_class="crammer_singer", tol=1e-7, max_iter=20000, C=0.5, random_state=0)
    ours = LinearSVC(**params).fit(Xf, y)
    ref = sk_svm.LinearSVC(**params).fit(Xf, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert abs(ours.score(Xf, y) - ref.score(Xf, y)) <= 0.01
    _close_coef(ours.coef_, ref.coef_)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-2 * np.abs(ref.coef_).max())
    if ours.coef_.shape[0] > 1:
        obj, ref_obj = (_crammer_singer_objective(e, X, y, 0.5) for e in (ours, ref))
        assert obj <= ref_obj * (1 + 1e-4)


def test_linear_svc_intercept_options(cancer):
    X, y = cancer
    for params in (dict(fit_intercept=False), dict(intercept_scaling=10.0)):
        ours = LinearSVC(dual=False, tol=1e-8, **params).fit(X, y)
        ref = sk_svm.LinearSVC(dual=False, tol=1e-8, **params).fit(X, y)
        _close_coef(ours.coef_, ref.coef_)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-2, atol=1e-3)
    assert LinearSVC(fit_intercept=False).fit(X, y).intercept_ == 0.0


def test_linear_svc_sample_weight_equals_repetition(rng):
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=60) > 0).astype(int)
    weights = rng.integers(0, 3, size=60)
    weighted = LinearSVC(dual=False, tol=1e-12).fit(X, y, sample_weight=weights)
    repeated = LinearSVC(dual=False, tol=1e-12).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-7, atol=1e-9)


def test_linear_svc_float32_and_sparse_agree(cancer):
    X, y = cancer
    a = LinearSVC(dual=False, tol=1e-8).fit(X, y)
    b = LinearSVC(dual=False, tol=1e-8).fit(X.astype(np.float32), y)
    c = LinearSVC(dual=False, tol=1e-8).fit(sp.csr_matrix(X), y)
    assert b.coef_.dtype == np.float64
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(a.coef_, c.coef_, rtol=1e-10)
    assert b.decision_function(X.astype(np.float32)).dtype == np.float64


def test_linear_svc_is_repeatable_and_keeps_history(wine):
    X, y = wine
    a = LinearSVC(dual=True, random_state=3).fit(X, y)
    b = LinearSVC(dual=True, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert set(a.history_["output"]) == {0.0, 1.0, 2.0}
    assert len(a.history_["violation"]) == len(a.history_["iteration"])
    primal = LinearSVC(dual=False).fit(X, y)
    assert np.all(
        np.diff(np.array(primal.history_["loss"])[np.array(primal.history_["output"]) == 0]) <= 0
    )


def test_linear_svc_warns_when_not_converged(wine):
    X, y = wine
    with pytest.warns(ConvergenceWarning, match="failed to converge"):
        LinearSVC(dual=True, max_iter=1, random_state=0).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            dict(penalty="l1", loss="hinge"),
            "The combination of penalty='l1' and loss='hinge' is not supported",
        ),
        (
            dict(loss="hinge", dual=False),
            "penalty='l2' and loss='hinge' are not supported when dual=False",
        ),
        (
            dict(penalty="l1", dual=True),
            "penalty='l1' and loss='squared_hinge' are not supported when dual=True",
        ),
    ],
)
def test_linear_svc_invalid_combinations(cancer, params, message):
    X, y = cancer
    with pytest.raises(ValueError, match="Unsupported set of arguments: .*" + message):
        LinearSVC(**params).fit(X, y)
    with pytest.raises(ValueError, match="Unsupported set of arguments"):
        sk_svm.LinearSVC(**params).fit(X, y)


def test_linear_svc_bad_input(cancer):
    X, y = cancer
    with pytest.raises(
        ValueError, match="at least 2 classes.*only one class: np.int64\\(1\\)|only one class"
    ):
        LinearSVC().fit(X, np.ones(len(y), dtype=int))
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LinearSVC().fit(X_nan, y)
    with pytest.raises(ValueError, match="Found input variables with inconsistent numbers"):
        LinearSVC().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Unknown label type"):
        LinearSVC().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="'multi_class' parameter of LinearSVC must be"):
        LinearSVC(multi_class="ovo").fit(X, y)
    with pytest.raises(ValueError, match="'penalty' parameter of LinearSVC must be"):
        LinearSVC(penalty="l3").fit(X, y)
    with pytest.raises(NotFittedError):
        LinearSVC().predict(X)
    fitted = LinearSVC().fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but LinearSVC is expecting 30"):
        fitted.predict(X[:, :5])


@pytest.mark.parametrize(
    ("loss", "dual"),
    [
        ("epsilon_insensitive", True),
        ("squared_epsilon_insensitive", True),
        ("squared_epsilon_insensitive", False),
    ],
)
@pytest.mark.parametrize("epsilon", [0.0, 0.3])
@pytest.mark.parametrize("sparse", [False, True])
def test_linear_svr_matches_sklearn(rng, loss, dual, epsilon, sparse):
    X = rng.normal(size=(200, 6))
    y = X @ rng.normal(size=6) + 0.3 * rng.normal(size=200) + 1.5
    Xf = sp.csr_matrix(X) if sparse else X
    params = dict(loss=loss, dual=dual, epsilon=epsilon, tol=1e-7, max_iter=50000, C=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LinearSVR(random_state=0, **params).fit(Xf, y)
        ref = sk_svm.LinearSVR(random_state=0, **params).fit(Xf, y)
    assert ours.coef_.shape == (6,) and ours.intercept_.shape == (1,)
    _close_coef(ours.coef_, ref.coef_)
    assert abs(ours.score(Xf, y) - ref.score(Xf, y)) <= 0.01

    def objective(est):
        w = np.r_[est.coef_, est.intercept_]
        r = np.maximum(0.0, np.abs(X @ est.coef_ + est.intercept_ - y) - epsilon)
        return 0.5 * w @ w + 2.0 * np.sum(r if loss == "epsilon_insensitive" else r * r)

    assert objective(ours) <= objective(ref) * (1 + 1e-4)


def test_linear_svr_sample_weight_and_no_intercept(rng):
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=80)
    weights = rng.integers(0, 3, size=80)
    params = dict(loss="squared_epsilon_insensitive", dual=False, tol=1e-12)
    a = LinearSVR(**params).fit(X, y, sample_weight=weights)
    b = LinearSVR(**params).fit(np.repeat(X, weights, 0), np.repeat(y, weights))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7)
    c = LinearSVR(fit_intercept=False).fit(X, y)
    assert c.intercept_ == 0.0
    assert c.predict(X.astype(np.float32)).dtype == np.float64


def test_linear_svr_bad_input(rng):
    X = rng.normal(size=(30, 3))
    y = rng.normal(size=30)
    with pytest.raises(
        ValueError, match="loss='epsilon_insensitive' are not supported when dual=False"
    ):
        LinearSVR(dual=False).fit(X, y)
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        LinearSVR().fit(X, y)
    with pytest.raises(NotFittedError):
        LinearSVR().predict(X)

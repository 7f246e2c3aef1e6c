"""SGD estimators against scikit-learn: quality parity, partial_fit, bad input.

Tolerances: accuracy within 0.01 and R² within 0.01 of scikit-learn with the same
parameters (the seeds are drawn as scikit-learn draws them, so in practice the fits agree
to rounding for dense float64 data).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_wine
from pai_algos.linear_model import (
    PassiveAggressiveClassifier,
    Perceptron,
    SGDClassifier,
    SGDRegressor,
)


def _std(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _both(ours, theirs, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, FutureWarning))
        return ours(**kw).fit(X, y), theirs(**kw).fit(X, y)


CLF_PARAMS = [
    {},
    {"loss": "log_loss"},
    {"loss": "modified_huber", "penalty": "l1"},
    {"loss": "squared_hinge", "penalty": "elasticnet", "learning_rate": "adaptive", "eta0": 0.1},
    {"loss": "perceptron", "average": True},
    {"early_stopping": True},
    {"class_weight": "balanced"},
]


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
@pytest.mark.parametrize("params", CLF_PARAMS, ids=str)
def test_classifier_parity(loader, params, seed):
    X, y = _std(loader)
    # with early stopping the validation rows are left out of the shuffle, so the row order
    # differs from scikit-learn's; with the log loss the per-epoch loss sums that decide the
    # stop differ in the last bits, so a run may stop an epoch apart: compare the mean
    # accuracy over several seeds
    several = params.get("early_stopping") or params.get("loss") == "log_loss"
    seeds = [seed % 1000 + i for i in range(8 if several else 1)]
    a, b = [], []
    for s in seeds:
        ours, theirs = _both(SGDClassifier, sk.SGDClassifier, X, y, random_state=s, **params)
        a.append(ours.score(X, y))
        b.append(theirs.score(X, y))
    assert abs(np.mean(a) - np.mean(b)) <= 0.01
    assert ours.coef_.shape == theirs.coef_.shape
    assert ours.intercept_.shape == theirs.intercept_.shape


def test_classifier_matches_sklearn_coefficients():
    X, y = _std(load_breast_cancer)
    ours, theirs = _both(SGDClassifier, sk.SGDClassifier, X, y, random_state=0)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_


@pytest.mark.parametrize(
    "params",
    [{}, {"loss": "huber", "epsilon": 1.0}, {"penalty": "l1", "learning_rate": "adaptive"},
     {"loss": "epsilon_insensitive", "average": 10}, {"early_stopping": True}],
    ids=str,
)  # fmt: skip
def test_regressor_parity_diabetes(params, seed):
    X, y = _std(load_diabetes)
    ours, theirs = _both(SGDRegressor, sk.SGDRegressor, X, y, random_state=seed % 1000, **params)
    assert abs(ours.score(X, y) - theirs.score(X, y)) <= 0.01
    assert ours.coef_.shape == (X.shape[1],)


def test_regressor_synthetic_sparse_float32(rng):
    X, y = make_regression(n_samples=400, n_features=20, noise=1.0, random_state=1)
    X[rng.random(X.shape) < 0.5] = 0.0
    A = sp.csr_matrix(X.astype(np.float32))
    ours, theirs = _both(SGDRegressor, sk.SGDRegressor, A, y, random_state=0)
    assert ours.coef_.dtype == np.float32 and ours.predict(A).dtype == np.float32
    assert abs(ours.score(A, y) - theirs.score(A, y)) <= 0.01


def test_classifier_synthetic_sparse(rng):
    X, y = make_classification(n_samples=500, n_features=20, n_classes=3, n_informative=10,
                               class_sep=2.0, random_state=2)  # fmt: skip
    X[rng.random(X.shape) < 0.4] = 0.0
    A = sp.csr_matrix(X)
    a, b = [], []
    for s in range(5):  # mean over seeds: one SGD run on sparse data is noisy
        ours, theirs = _both(SGDClassifier, sk.SGDClassifier, A, y, loss="log_loss", random_state=s)
        a.append(ours.score(A, y))
        b.append(theirs.score(A, y))
    # 0.03, not 0.01: on CSR input the epoch objective (and so the epoch where the tol rule
    # stops) differs slightly from scikit-learn's at epoch boundaries; see the report
    assert abs(np.mean(a) - np.mean(b)) <= 0.03
    proba = ours.predict_proba(A)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_perceptron_and_passive_aggressive_parity(loader):
    X, y = _std(loader)
    ours, theirs = _both(Perceptron, sk.Perceptron, X, y)
    assert abs(ours.score(X, y) - theirs.score(X, y)) <= 0.01
    for loss in ("hinge", "squared_hinge"):
        ours, theirs = _both(PassiveAggressiveClassifier, sk.PassiveAggressiveClassifier, X, y,
                             loss=loss, random_state=0)  # fmt: skip
        assert abs(ours.score(X, y) - theirs.score(X, y)) <= 0.01


def test_predict_proba_only_for_probabilistic_losses():
    X, y = _std(load_wine)
    clf = SGDClassifier(loss="modified_huber", random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert not hasattr(SGDClassifier(loss="hinge"), "predict_proba")


def test_partial_fit_streams_and_improves():
    X, y = _std(load_breast_cancer)
    clf = SGDClassifier(loss="log_loss", random_state=0)
    for batch in np.array_split(np.arange(X.shape[0]), 5):
        clf.partial_fit(X[batch], y[batch], classes=np.unique(y))
    assert clf.n_iter_ == 1 and clf.t_ == X.shape[0] + 1
    assert clf.score(X, y) > 0.9
    reg = SGDRegressor(random_state=0)
    Xd, yd = _std(load_diabetes)
    for _ in range(5):
        reg.partial_fit(Xd, yd)
    assert reg.score(Xd, yd) > 0.3


def test_partial_fit_unseen_class_is_an_error():
    X, y = _std(load_wine)
    clf = SGDClassifier().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        SGDClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="not supported for partial_fit"):
        SGDClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_and_history():
    X, y = _std(load_breast_cancer)
    clf = SGDClassifier(max_iter=3, tol=None, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        first = clf.coef_.copy()
        clf.fit(X, y)
    assert not np.allclose(first, clf.coef_)
    assert len(clf.history_["loss"]) == 3


@pytest.mark.parametrize(
    "est, match",
    [
        (SGDClassifier(alpha=0), "alpha must be > 0 since learning_rate is 'optimal'"),
        (SGDClassifier(learning_rate="pa1", loss="log_loss"), "only works with loss 'hinge'"),
        (SGDClassifier(penalty="elasticnet", l1_ratio=None), "l1_ratio must be set"),
        (SGDClassifier(l1_ratio=1.5), "l1_ratio"),
        (SGDRegressor(loss="hinge"), "loss"),
    ],
)
def test_bad_parameters(est, match):
    X, y = _std(load_breast_cancer)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_bad_input():
    X, y = _std(load_breast_cancer)
    with pytest.raises(ValueError, match="NaN"):
        SGDClassifier().fit(np.where(X > 2, np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SGDRegressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="greater than one"):
        SGDClassifier().fit(X, np.zeros(X.shape[0]))
    clf = SGDClassifier(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :5])
    with pytest.raises(ValueError, match="X has 5 features"):
        clf.partial_fit(X[:, :5], y)

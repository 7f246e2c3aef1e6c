"""Factorization machines: quality against LogisticRegression, regression near the noise floor,
field-aware FM on field interactions, hashed keys, and bad input.

No installable library offers a scikit-learn factorization machine here (libFM, libffm and
fastFM are not in the environment), so the quality tests compare with our LogisticRegression
(the model without interactions) and with the known noise floor; the kernels are checked
against a dense NumPy reference in tests/native/test_cpu_fm.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.multiclass import OneVsRestClassifier

from pai_algos.datasets import make_ctr
from pai_algos.linear_model import LogisticRegression
from pai_algos.recommend import (
    FactorizationMachineClassifier,
    FactorizationMachineRegressor,
    FieldAwareFMClassifier,
)


def _logistic_data(rng, n, interactions):
    X = rng.normal(size=(n, 8))
    logit = X @ np.array([1.0, -0.8, 0.6, 0.0, 0.5, 0.0, -0.4, 0.3])
    if interactions:
        logit = 0.3 * logit + 2.5 * X[:, 0] * X[:, 1] - 2.0 * X[:, 2] * X[:, 3]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _auc(est, X, y):
    return roc_auc_score(y, est.predict_proba(X)[:, 1])


def test_classifier_beats_logistic_on_interactions(rng, seed):
    X, y = _logistic_data(rng, 4000, interactions=True)
    Xtr, ytr, Xte, yte = X[:3000], y[:3000], X[3000:], y[3000:]
    fm = FactorizationMachineClassifier(n_factors=4, max_iter=30, random_state=seed)
    lr = LogisticRegression()
    auc_fm, auc_lr = _auc(fm.fit(Xtr, ytr), Xte, yte), _auc(lr.fit(Xtr, ytr), Xte, yte)
    # the pairwise terms carry most of the signal: a linear model stays near 0.6
    assert auc_fm > auc_lr + 0.1, (auc_fm, auc_lr)


def test_classifier_matches_logistic_without_interactions(rng, seed):
    X, y = _logistic_data(rng, 4000, interactions=False)
    Xtr, ytr, Xte, yte = X[:3000], y[:3000], X[3000:], y[3000:]
    fm = FactorizationMachineClassifier(n_factors=4, max_iter=30, random_state=seed)
    lr = LogisticRegression()
    auc_fm, auc_lr = _auc(fm.fit(Xtr, ytr), Xte, yte), _auc(lr.fit(Xtr, ytr), Xte, yte)
    # same linear signal: the FM's extra (useless) pairwise terms cost at most 0.02 AUC
    assert auc_fm > auc_lr - 0.02, (auc_fm, auc_lr)


def test_regressor_reaches_noise_floor(rng, seed):
    n, noise = 4000, 0.3
    X = rng.normal(size=(n, 6))
    y = X @ np.array([1.0, 0.5, -0.5, 0.0, 0.3, 0.0]) + 1.5 * X[:, 1] * X[:, 2] + 0.5
    y = y + noise * rng.normal(size=n)
    reg = FactorizationMachineRegressor(n_factors=4, max_iter=40, random_state=seed)
    reg.fit(X[:3000], y[:3000])
    r2 = r2_score(y[3000:], reg.predict(X[3000:]))
    floor = 1 - noise**2 / np.var(y[3000:])  # R^2 of the true function
    assert r2 > floor - 0.03, (r2, floor)
    assert reg.intercept_ == pytest.approx(0.5, abs=0.2)


def _field_data(rng, n, card=12):
    user, ad, site = (rng.integers(0, card, n) for _ in range(3))
    cols = np.c_[user, card + ad, 2 * card + site]
    X = sp.csr_matrix((np.ones(3 * n), cols.ravel(), np.arange(0, 3 * n + 1, 3)), (n, 3 * card))
    # a user x ad interaction no per-feature weight can express
    logit = np.where((user % 3) == (ad % 3), 2.0, -1.0) + 0.3 * (site % 2)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, np.repeat([0, 1, 2], card)


def test_field_aware_beats_logistic(rng, seed):
    X, y, fields = _field_data(rng, 4000)
    Xtr, ytr, Xte, yte = X[:3000], y[:3000], X[3000:], y[3000:]
    ffm = FieldAwareFMClassifier(fields=fields, max_iter=30, random_state=seed)
    lr = LogisticRegression()
    auc_ffm, auc_lr = _auc(ffm.fit(Xtr, ytr), Xte, yte), _auc(lr.fit(Xtr, ytr), Xte, yte)
    assert auc_ffm > auc_lr + 0.1, (auc_ffm, auc_lr)
    assert ffm.n_fields_ == 3
    assert ffm.factors_.shape == (36, 3, 4)


def test_hashed_keys_from_make_ctr(seed):
    X, y = make_ctr(n_samples=6000, n_fields=6, random_state=seed)
    fm = FactorizationMachineClassifier(max_iter=3, random_state=seed).fit(X[:5000], y[:5000])
    assert fm.n_features_in_ == 2**63 - 1
    assert fm.keys_.shape[0] == np.unique(X[:5000].indices).shape[0]
    assert fm.factors_.shape == (fm.keys_.shape[0], 8)
    assert _auc(fm, X[5000:], y[5000:]) > 0.6
    # a row of keys never seen in fit scores the intercept
    unseen = sp.csr_matrix(([1.0], ([0], [12345])), shape=(1, 2**63 - 1))
    unseen.indices = unseen.indices.astype(np.int64)
    if 12345 not in fm.keys_:
        assert fm.decision_function(unseen)[0] == pytest.approx(fm.intercept_)


def test_dense_and_sparse_agree(rng, seed):
    X, y = _logistic_data(rng, 300, interactions=True)
    params = dict(n_factors=3, max_iter=5, random_state=seed)
    a = FactorizationMachineClassifier(**params).fit(X, y)
    b = FactorizationMachineClassifier(**params).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(a.decision_function(X), b.decision_function(sp.csr_matrix(X)))


def test_result_does_not_depend_on_n_jobs(rng, seed):
    X, y = _logistic_data(rng, 400, interactions=True)
    a = FactorizationMachineClassifier(max_iter=3, n_jobs=1, random_state=seed).fit(X, y)
    b = FactorizationMachineClassifier(max_iter=3, n_jobs=2, random_state=seed).fit(X, y)
    np.testing.assert_array_equal(a.table_, b.table_)


def test_history_tol_and_warm_start(rng, seed):
    X, y = _logistic_data(rng, 500, interactions=True)
    fm = FactorizationMachineClassifier(max_iter=50, tol=10.0, n_iter_no_change=2)
    fm.fit(X, y)
    # the first epoch sets the best loss, the next two fail to improve it by 10
    assert fm.n_iter_ == 3 == len(fm.history_["loss"])
    cold = FactorizationMachineClassifier(max_iter=10, tol=None, random_state=seed).fit(X, y)
    assert cold.history_["loss"][-1] < cold.history_["loss"][0]
    warm = FactorizationMachineClassifier(max_iter=1, random_state=seed, warm_start=True)
    warm.fit(X, y)
    first = warm.history_["loss"][0]
    warm.fit(X, y)
    assert warm.history_["loss"][0] < first


def test_solvers_and_sample_weight(rng, seed):
    X, y = _logistic_data(rng, 800, interactions=True)
    sgd = FactorizationMachineClassifier(solver="sgd", learning_rate=0.01, max_iter=20,
                                         random_state=seed).fit(X, y)  # fmt: skip
    assert sgd.score(X, y) > 0.7
    w = np.where(y == 1, 10.0, 1.0)
    plain = FactorizationMachineClassifier(max_iter=5, random_state=seed).fit(X, y)
    heavy = FactorizationMachineClassifier(max_iter=5, random_state=seed).fit(X, y, w)
    assert heavy.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


def test_float32_kept_and_multiclass_by_one_vs_rest(rng, seed):
    X, y = _logistic_data(rng, 300, interactions=False)
    fm = FactorizationMachineClassifier(max_iter=3, random_state=seed)
    fm.fit(X.astype(np.float32), y)
    assert fm.predict_proba(X.astype(np.float32)).dtype == np.float32
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    ovr = OneVsRestClassifier(FactorizationMachineClassifier(max_iter=10, random_state=seed))
    assert ovr.fit(X, y3).score(X, y3) > 0.7


@pytest.mark.parametrize(
    "X, y, kwargs, match",
    [
        ([[np.nan, 1.0], [1.0, 0.0]], [0, 1], {}, "NaN"),
        ([1.0, 2.0, 3.0], [0, 1, 0], {}, "Expected 2D array"),
        ([[1.0, 0.0], [0.0, 1.0]], [0, 1, 1], {}, "inconsistent numbers of samples"),
        ([[1.0, 0.0], [0.0, 1.0]], [1, 1], {}, "only one class"),
        ([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0, 1, 2], {}, "Only binary classification"),
        ([[1.0, 0.0], [0.0, 1.0]], [0, 1], {"sample_weight": [0.0, 0.0]}, "at least one non-zero"),
    ],
)
@pytest.mark.parametrize("cls", [FactorizationMachineClassifier, FieldAwareFMClassifier])
def test_bad_input(cls, X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls().fit(np.asarray(X), np.asarray(y), **kwargs)


def test_bad_fields_and_predict_errors(rng):
    X, y = _logistic_data(rng, 50, interactions=False)
    with pytest.raises(ValueError, match="fields must have one entry per column of X: got shape"):
        FieldAwareFMClassifier(fields=[0, 1, 2]).fit(X, y)
    with pytest.raises(ValueError, match="non-negative integers"):
        FieldAwareFMClassifier(fields=np.arange(8) - 1).fit(X, y)
    with pytest.raises(ValueError, match="pass fields, the field of each column"):
        FieldAwareFMClassifier().fit(sp.random(50, 300, density=0.05, format="csr"), y)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        FactorizationMachineRegressor().predict(X)
    with pytest.raises(ValueError, match="NaN"):
        FactorizationMachineRegressor().fit(X, np.where(y > 0, np.nan, 0.0))
    fm = FactorizationMachineClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but"):
        fm.predict(X[:, :3])
    with pytest.raises(ValueError, match="integer feature keys"):
        bad = sp.csr_matrix(X)
        bad.indices = bad.indices.astype(np.float64)
        fm.predict(bad)

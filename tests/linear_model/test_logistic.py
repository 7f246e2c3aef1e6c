"""LogisticRegression: parity with scikit-learn, real-data accuracy, bad input.

Parity tolerance: coef_ and intercept_ within rtol 1e-3 of scikit-learn's (both solve the same
objective with L-BFGS to ``tol=1e-8``) on well-conditioned data.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from pai_algos.linear_model import LogisticRegression

RTOL = 1e-3
TIGHT = dict(tol=1e-8, max_iter=1000)


def _data(seed, n_classes=2, n=300, d=6):
    X, y = make_classification(
        n_samples=n,
        n_features=d,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        class_sep=0.8,
        flip_y=0.05,
        random_state=seed,
    )
    return X, y


def _assert_parity(ours, ref):
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=RTOL * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL, atol=RTOL * scale)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_parity_dense(seed, n_classes, C):
    X, y = _data(seed % 1000, n_classes)
    ours = LogisticRegression(C=C, device="cpu", **TIGHT).fit(X, y)
    ref = SkLogisticRegression(C=C, **TIGHT).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert ours.intercept_.shape == ref.intercept_.shape
    _assert_parity(ours, ref)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.n_iter_.shape == (1,)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_parity_csr(rng, seed, n_classes):
    X, y = _data(seed % 1000, n_classes, d=8)
    X[rng.random(X.shape) < 0.5] = 0.0
    Xs = sp.csr_matrix(X)
    ours = LogisticRegression(device="cpu", **TIGHT).fit(Xs, y)
    ref = SkLogisticRegression(**TIGHT).fit(Xs, y)
    _assert_parity(ours, ref)
    dense = LogisticRegression(device="cpu", **TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.coef_, dense.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.decision_function(Xs), dense.decision_function(X), atol=1e-6)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 3.0, 2: 0.5}])
def test_parity_class_weight(seed, class_weight):
    X, y = _data(seed % 1000, 3)
    y[: len(y) // 2][y[: len(y) // 2] == 2] = 0  # unbalanced classes
    ours = LogisticRegression(class_weight=class_weight, device="cpu", **TIGHT).fit(X, y)
    ref = SkLogisticRegression(class_weight=class_weight, **TIGHT).fit(X, y)
    _assert_parity(ours, ref)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_parity_sample_weight(rng, seed, n_classes):
    X, y = _data(seed % 1000, n_classes)
    sw = rng.uniform(0.2, 3.0, size=len(y))
    ours = LogisticRegression(device="cpu", **TIGHT).fit(X, y, sample_weight=sw)
    ref = SkLogisticRegression(**TIGHT).fit(X, y, sample_weight=sw)
    _assert_parity(ours, ref)


def test_integer_sample_weight_equals_repetition(rng, seed):
    X, y = _data(seed % 1000, 3, n=120)
    sw = rng.integers(0, 3, size=len(y))
    a = LogisticRegression(device="cpu", **TIGHT).fit(X, y, sample_weight=sw)
    b = LogisticRegression(device="cpu", **TIGHT).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_parity_no_intercept(seed, n_classes):
    X, y = _data(seed % 1000, n_classes)
    ours = LogisticRegression(fit_intercept=False, device="cpu", **TIGHT).fit(X, y)
    ref = SkLogisticRegression(fit_intercept=False, **TIGHT).fit(X, y)
    _assert_parity(ours, ref)
    np.testing.assert_array_equal(ours.intercept_, np.zeros_like(ref.intercept_))


def test_parity_no_penalty(seed):
    # flip_y keeps the classes overlapping, so the unpenalised optimum is finite
    X, y = _data(seed % 1000, 3)
    ours = LogisticRegression(penalty=None, device="cpu", **TIGHT).fit(X, y)
    ref = SkLogisticRegression(C=np.inf, **TIGHT).fit(X, y)
    _assert_parity(ours, ref)


def test_float32_in_float32_out(seed):
    X, y = _data(seed % 1000, 3)
    X32 = X.astype(np.float32)
    ours = LogisticRegression(device="cpu", **TIGHT).fit(X32, y)
    assert ours.coef_.dtype == np.float32 and ours.intercept_.dtype == np.float32
    assert ours.predict_proba(X32).dtype == np.float32
    assert ours.decision_function(X32).dtype == np.float32
    ref = LogisticRegression(device="cpu", **TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-3, atol=1e-4)


def test_probabilities_and_history(seed):
    X, y = _data(seed % 1000, 3)
    clf = LogisticRegression(device="cpu").fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.device_ == "cpu"
    hist = clf.history_
    assert len(hist["loss"]) == clf.n_iter_[0] == len(hist["seconds"])
    assert np.all(np.diff(hist["loss"]) <= 1e-12)  # L-BFGS with line search never goes up


def test_string_labels_binary(seed):
    X, y = _data(seed % 1000, 2)
    labels = np.array(["no", "yes"])[y]
    clf = LogisticRegression(device="cpu").fit(X, labels)
    ref = SkLogisticRegression().fit(X, labels)
    np.testing.assert_array_equal(clf.predict(X), ref.predict(X))
    assert clf.decision_function(X).shape == (len(y),)


def test_warm_start_continues(seed):
    X, y = _data(seed % 1000, 3)
    full = LogisticRegression(device="cpu", **TIGHT).fit(X, y)
    warm = LogisticRegression(device="cpu", warm_start=True, max_iter=5)
    with pytest.warns(Warning):
        warm.fit(X, y)
    warm.set_params(**TIGHT).fit(X, y)
    np.testing.assert_allclose(warm.coef_, full.coef_, rtol=1e-3, atol=1e-5)


def _standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine], ids=["cancer", "wine"])
def test_real_data_accuracy(loader):
    X, y = loader(return_X_y=True)
    X = _standardize(X)
    rng = np.random.default_rng(0)
    test = rng.random(len(y)) < 0.3
    ours = LogisticRegression(device="cpu").fit(X[~test], y[~test])
    ref = SkLogisticRegression().fit(X[~test], y[~test])
    acc_ours, acc_ref = ours.score(X[test], y[test]), ref.score(X[test], y[test])
    assert acc_ours >= 0.93
    assert abs(acc_ours - acc_ref) <= 0.02
    _assert_parity(ours, ref)


# ----------------------------------------------------------------------------- bad input


def test_nan_and_inf_rejected():
    X, y = _data(0)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            LogisticRegression(device="cpu").fit(Xb, y)


def test_one_dimensional_x_rejected():
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        LogisticRegression(device="cpu").fit(np.arange(10.0), np.arange(10) % 2)


def test_empty_x_rejected():
    with pytest.raises(ValueError, match="0 sample"):
        LogisticRegression(device="cpu").fit(np.empty((0, 3)), np.empty(0))


def test_single_class_rejected():
    X, _ = _data(0)
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression(device="cpu").fit(X, np.ones(len(X)))


def test_mismatched_lengths_rejected():
    X, y = _data(0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression(device="cpu").fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight.shape"):
        LogisticRegression(device="cpu").fit(X, y, sample_weight=np.ones(len(y) - 1))


def test_continuous_target_rejected():
    X, _ = _data(0)
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression(device="cpu").fit(X, np.linspace(0, 1, len(X)))


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegression().predict(np.ones((2, 3)))


def test_wrong_n_features_at_predict():
    X, y = _data(0)
    clf = LogisticRegression(device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but LogisticRegression is expecting 6"):
        clf.predict(X[:, :5])


def test_bad_parameters():
    X, y = _data(0)
    with pytest.raises(ValueError, match="'C' parameter of LogisticRegression must be"):
        LogisticRegression(C=0.0).fit(X, y)
    with pytest.raises(ValueError, match="'penalty' parameter of LogisticRegression must be"):
        LogisticRegression(penalty="l1").fit(X, y)

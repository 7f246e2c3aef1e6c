"""GaussianNB: identical predictions to scikit-learn, partial_fit, priors, weights, bad input.

Tolerances: predictions must be identical; float64 probabilities agree to atol=1e-12 and the
fitted statistics to rtol=1e-12 (both sides accumulate in float64; only the order of the
additions differs). In float32 scikit-learn computes in float32 and we in float64, so the
float32 statistics agree to rtol=1e-5, probabilities to atol=1e-4 and joint log-likelihoods
(sums of ~30 float32 terms up to a few hundred) to atol=1e-3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import naive_bayes as sknb
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_classification
from sklearn.exceptions import NotFittedError

from pai_algos.naive_bayes import GaussianNB

LOADERS = [load_iris, load_wine, load_breast_cancer]
ATTRS = ("theta_", "var_", "class_count_", "class_prior_", "epsilon_")


def _assert_same_model(ours, ref, X, rtol=1e-12, atol=1e-12, jll_atol=1e-9):
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    for name in ATTRS:
        a, b = getattr(ours, name), getattr(ref, name)
        np.testing.assert_allclose(a, b, rtol=rtol, err_msg=name)
        assert np.asarray(a).dtype == np.asarray(b).dtype, name
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=atol)
    np.testing.assert_allclose(
        ours.predict_joint_log_proba(X),
        ref.predict_joint_log_proba(X),
        rtol=max(rtol, 1e-10),
        atol=jll_atol,
    )


@pytest.mark.parametrize("load", LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("var_smoothing", [1e-9, 1e-5])
def test_real_data_parity(load, var_smoothing):
    X, y = load(return_X_y=True)
    ours = GaussianNB(var_smoothing=var_smoothing).fit(X, y)
    ref = sknb.GaussianNB(var_smoothing=var_smoothing).fit(X, y)
    _assert_same_model(ours, ref, X)
    assert ours.score(X, y) == ref.score(X, y)


@pytest.mark.parametrize("load", LOADERS, ids=lambda f: f.__name__)
def test_real_data_parity_float32(load):
    X, y = load(return_X_y=True)
    X = X.astype(np.float32)
    ours, ref = GaussianNB().fit(X, y), sknb.GaussianNB().fit(X, y)
    _assert_same_model(ours, ref, X, rtol=1e-5, atol=1e-4, jll_atol=1e-3)
    for method in ("predict_proba", "predict_log_proba", "predict_joint_log_proba"):
        assert getattr(ours, method)(X).dtype == np.float32


@pytest.mark.parametrize("load", LOADERS, ids=lambda f: f.__name__)
def test_sample_weight_parity(rng, load):
    X, y = load(return_X_y=True)
    w = rng.uniform(0.0, 3.0, size=len(y))
    ours = GaussianNB().fit(X, y, sample_weight=w)
    ref = sknb.GaussianNB().fit(X, y, sample_weight=w)
    _assert_same_model(ours, ref, X)


def test_integer_weights_equal_repetition(rng):
    X, y = make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)
    w = rng.integers(1, 4, size=len(y))
    weighted = GaussianNB().fit(X, y, sample_weight=w)
    repeated = GaussianNB().fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.theta_, repeated.theta_, rtol=1e-12)
    np.testing.assert_allclose(weighted.class_count_, repeated.class_count_)


@pytest.mark.parametrize("load", LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("weighted", [False, True])
def test_partial_fit_parity(rng, load, weighted):
    X, y = load(return_X_y=True)
    w = rng.uniform(0.1, 2.0, size=len(y)) if weighted else None
    classes = np.unique(y)
    ours, ref = GaussianNB(), sknb.GaussianNB()
    for chunk in np.array_split(rng.permutation(len(y)), 6):
        sw = None if w is None else w[chunk]
        ours.partial_fit(X[chunk], y[chunk], classes=classes, sample_weight=sw)
        ref.partial_fit(X[chunk], y[chunk], classes=classes, sample_weight=sw)
        _assert_same_model(ours, ref, X, rtol=1e-10, atol=1e-10)


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
def test_partial_fit_batch_missing_a_class(rng):
    X, y = load_iris(return_X_y=True)
    ours, ref = GaussianNB(), sknb.GaussianNB()
    for label in (0, 1, 2, 0):  # each batch holds one class only
        mask = y == label
        ours.partial_fit(X[mask], y[mask], classes=[0, 1, 2])
        ref.partial_fit(X[mask], y[mask], classes=[0, 1, 2])
        _assert_same_model(ours, ref, X, rtol=1e-10, atol=1e-10)


def test_priors_parity():
    X, y = load_wine(return_X_y=True)
    priors = np.array([0.2, 0.5, 0.3])
    ours = GaussianNB(priors=priors).fit(X, y)
    ref = sknb.GaussianNB(priors=priors).fit(X, y)
    _assert_same_model(ours, ref, X)
    np.testing.assert_array_equal(ours.class_prior_, priors)


def test_string_labels_and_pandas(rng):
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    ours = GaussianNB().fit(frame, names)
    ref = sknb.GaussianNB().fit(frame, names)
    np.testing.assert_array_equal(ours.predict(frame), ref.predict(frame))
    np.testing.assert_array_equal(ours.feature_names_in_, ["a", "b", "c", "d"])


def test_single_class_is_accepted_like_sklearn(rng):
    # scikit-learn's GaussianNB fits one class and predicts it with probability 1; so do we
    X = rng.normal(size=(10, 3))
    y = np.zeros(10, dtype=int)
    ours, ref = GaussianNB().fit(X, y), sknb.GaussianNB().fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_array_equal(ours.predict_proba(X), np.ones((10, 1)))


def test_single_sample_per_class(rng):
    X = rng.normal(size=(3, 4))
    y = np.array([0, 1, 2])
    ours, ref = GaussianNB().fit(X, y), sknb.GaussianNB().fit(X, y)
    _assert_same_model(ours, ref, X)


def test_zero_weight_class_like_sklearn(rng):
    X, y = load_iris(return_X_y=True)
    w = np.ones(len(y))
    w[y == 2] = 0.0
    ours = GaussianNB().fit(X, y, sample_weight=w)
    with np.errstate(divide="ignore"):
        ref = sknb.GaussianNB().fit(X, y, sample_weight=w)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.class_prior_[2] == 0.0


def test_bad_input(rng):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        GaussianNB().fit(np.where(X > 7, np.nan, X), y)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        GaussianNB().fit(np.where(X > 7, np.inf, X), y)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        GaussianNB().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        GaussianNB().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples: \\[150, 149\\]"):
        GaussianNB().fit(X, y[:-1])
    with pytest.raises(NotFittedError, match="This GaussianNB instance is not fitted"):
        GaussianNB().predict(X)
    model = GaussianNB().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianNB is expecting 4"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict_proba(np.full((2, 4), np.nan))


def test_bad_priors_and_params():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="Priors must be non-negative"):
        GaussianNB(priors=[-0.2, 0.6, 0.6]).fit(X, y)
    with pytest.raises(ValueError, match="The sum of the priors should be 1"):
        GaussianNB(priors=[0.2, 0.2, 0.2]).fit(X, y)
    with pytest.raises(ValueError, match="Number of priors must match number of classes"):
        GaussianNB(priors=[0.5, 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="The 'var_smoothing' parameter of GaussianNB must be"):
        GaussianNB(var_smoothing=-1.0).fit(X, y)


def test_bad_partial_fit_calls():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        GaussianNB().partial_fit(X, y)
    model = GaussianNB().partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match="do not exist in the initial classes"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match="is not the same as on last call to partial_fit"):
        model.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="X has 3 features, but GaussianNB is expecting 4"):
        model.partial_fit(X[y < 2, :3], y[y < 2])

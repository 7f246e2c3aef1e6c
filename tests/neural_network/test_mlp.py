"""MLPClassifier / MLPRegressor: parity with scikit-learn, incremental fits, bad input.

Parity tolerance: held-out accuracy (R² for regression) within 0.01 of scikit-learn's at the
same hyper-parameters, averaged over two seeds. With the same ``random_state`` the initial
weights and the shuffles are drawn as scikit-learn draws them, so in float64 the stochastic
solvers follow scikit-learn's loss curve to rounding (checked separately).
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import neural_network as sk
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from pai_algos.neural_network import MLPClassifier, MLPRegressor

SEEDS = (0, 1)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _split(X, y, seed=0):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def _mean_scores(ours_cls, peer_cls, X, y, **params):
    ours, peer = [], []
    for seed in SEEDS:
        X_tr, X_te, y_tr, y_te = _split(X, y, seed)
        ours.append(ours_cls(random_state=seed, **params).fit(X_tr, y_tr).score(X_te, y_te))
        peer.append(peer_cls(random_state=seed, **params).fit(X_tr, y_tr).score(X_te, y_te))
    return np.mean(ours), np.mean(peer)


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam", "max_iter": 150},
        {"solver": "sgd", "max_iter": 150, "learning_rate_init": 0.05},
        {"solver": "lbfgs", "max_iter": 100},
    ],
    ids=["adam", "sgd", "lbfgs"],
)
def test_classifier_parity(loader, params):
    X, y = loader(return_X_y=True)
    ours, peer = _mean_scores(
        MLPClassifier, sk.MLPClassifier, X, y, hidden_layer_sizes=(16,), **params
    )
    assert ours >= peer - 0.01, (ours, peer)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam", "max_iter": 200, "learning_rate_init": 0.01},
        {"solver": "lbfgs", "max_iter": 200, "alpha": 1.0},
    ],
    ids=["adam", "lbfgs"],
)
def test_regressor_parity_diabetes(params):
    X, y = load_diabetes(return_X_y=True)
    y = (y - y.mean()) / y.std()
    ours, peer = _mean_scores(MLPRegressor, sk.MLPRegressor, X, y, hidden_layer_sizes=(16,),
                              **params)  # fmt: skip
    assert ours >= peer - 0.01, (ours, peer)


def test_regressor_parity_synthetic_multioutput(rng):
    X = rng.normal(size=(300, 5))
    Y = np.column_stack([np.sin(X[:, 0]) + X[:, 1] ** 2, X[:, 2] * X[:, 3]])
    ours, peer = _mean_scores(MLPRegressor, sk.MLPRegressor, X, Y, hidden_layer_sizes=(32,),
                              solver="lbfgs", max_iter=300)  # fmt: skip
    assert ours >= peer - 0.01, (ours, peer)


def test_classifier_parity_synthetic_multilabel():
    X, Y = make_multilabel_classification(n_samples=300, n_features=8, n_classes=4,
                                          random_state=0)  # fmt: skip
    ours, peer = _mean_scores(MLPClassifier, sk.MLPClassifier, X, Y, hidden_layer_sizes=(32,),
                              max_iter=200)  # fmt: skip
    assert ours >= peer - 0.01, (ours, peer)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam"},
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.1},
        {"solver": "sgd", "learning_rate": "adaptive", "nesterovs_momentum": False},
        {"solver": "adam", "early_stopping": True},
    ],
)
def test_loss_curve_follows_sklearn(params):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kw = dict(hidden_layer_sizes=(8, 6), max_iter=30, random_state=3, batch_size=32, **params)
    ours, peer = MLPClassifier(**kw).fit(X, y), sk.MLPClassifier(**kw).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, peer.loss_curve_, rtol=1e-7)
    for a, b in zip(ours.coefs_ + ours.intercepts_, peer.coefs_ + peer.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    assert ours.n_iter_ == peer.n_iter_ and ours.t_ == peer.t_


def test_poisson_regressor_follows_sklearn(rng):
    X = rng.normal(size=(200, 4))
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    kw = dict(loss="poisson", hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    ours, peer = MLPRegressor(**kw).fit(X, y), sk.MLPRegressor(**kw).fit(X, y)
    assert ours.out_activation_ == "exp"
    np.testing.assert_allclose(ours.loss_curve_, peer.loss_curve_, rtol=1e-7)
    with pytest.raises(ValueError, match="non-negative y"):
        MLPRegressor(loss="poisson").fit(X, y - 5.0)


def test_loss_curve_decreases_and_history(rng):
    X, y = make_classification(n_samples=300, n_features=10, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=40, random_state=0).fit(X, y)
    curve = np.asarray(clf.loss_curve_)
    assert len(curve) == clf.n_iter_ == 40
    assert curve[-1] < 0.7 * curve[0]
    assert np.mean(np.diff(curve) < 0) > 0.9
    assert clf.best_loss_ == curve.min()
    np.testing.assert_allclose(clf.history_["loss"], curve)
    lb = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=30).fit(X, y)
    assert len(lb.history_["loss"]) == lb.n_iter_
    assert lb.history_["loss"][-1] < lb.history_["loss"][0]


def test_sparse_matches_dense(rng):
    X = rng.normal(size=(120, 12))
    X[rng.random(X.shape) < 0.7] = 0.0
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    kw = dict(hidden_layer_sizes=(8,), max_iter=15, random_state=0)
    for solver in ("adam", "lbfgs"):
        dense = MLPClassifier(solver=solver, **kw).fit(X, y)
        csr = MLPClassifier(solver=solver, **kw).fit(sp.csr_matrix(X), y)
        for a, b in zip(dense.coefs_, csr.coefs_):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(
            dense.predict_proba(X), csr.predict_proba(sp.csr_matrix(X)), rtol=1e-6, atol=1e-9
        )


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_float32_kept(rng, solver):
    X = rng.normal(size=(100, 5)).astype(np.float32)
    y = X[:, 0] - X[:, 1]
    reg = MLPRegressor(hidden_layer_sizes=(8,), solver=solver, max_iter=30).fit(X, y)
    assert all(c.dtype == np.float32 for c in reg.coefs_ + reg.intercepts_)
    assert reg.predict(X).dtype == np.float32
    clf = MLPClassifier(hidden_layer_sizes=(8,), solver=solver, max_iter=30).fit(X, y > 0)
    assert clf.predict_proba(X).dtype == np.float32


def test_partial_fit(rng):
    X, y = make_classification(n_samples=400, n_features=6, n_classes=3, n_informative=4,
                               random_state=0)  # fmt: skip
    clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X[:50], y[:50])
    for _ in range(15):
        for start in range(0, 400, 100):
            clf.partial_fit(X[start : start + 100], y[start : start + 100], classes=[0, 1, 2])
    assert clf.n_iter_ == 60 and clf.t_ == 60 * 100
    assert clf.score(X, y) > 0.75
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        clf.partial_fit(X[:10], np.full(10, 7))
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
        MLPClassifier(solver="lbfgs").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y.astype(float))
    # after a pickle round trip partial_fit goes on from the same parameters
    clone = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X[:100], y[:100])
    clone.partial_fit(X[:100], y[:100])
    for a, b in zip(clf.coefs_, clone.coefs_):
        np.testing.assert_array_equal(a, b)


def test_regressor_partial_fit_follows_sklearn(rng):
    X = rng.normal(size=(150, 4))
    y = X @ rng.normal(size=4)
    ours = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    peer = sk.MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    for _ in range(5):
        ours.partial_fit(X, y)
        peer.partial_fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, peer.loss_curve_, rtol=1e-7)


def test_warm_start(rng):
    X, y = make_classification(n_samples=200, n_features=6, random_state=1)
    kw = dict(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    warm = MLPClassifier(warm_start=True, **kw).fit(X, y)
    first = [c.copy() for c in warm.coefs_]
    warm.fit(X, y)
    assert len(warm.loss_curve_) == 20
    assert not np.allclose(first[0], warm.coefs_[0])
    cold = MLPClassifier(**kw).fit(X, y).fit(X, y)
    assert len(cold.loss_curve_) == 10
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        warm.fit(X, np.where(y == 1, 2, y) + (np.arange(200) == 0))


def test_early_stopping(rng):
    X, y = make_classification(n_samples=400, n_features=8, random_state=2)
    clf = MLPClassifier(hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=3,
                        max_iter=200, random_state=0).fit(X, y)  # fmt: skip
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    reg = MLPRegressor(hidden_layer_sizes=(8,), early_stopping=True, max_iter=30,
                       random_state=0).fit(X, y.astype(float))  # fmt: skip
    assert len(reg.validation_scores_) == reg.n_iter_
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.01).fit(X[:20], y[:20])


def test_bad_input(rng):
    X = rng.normal(size=(50, 4))
    y = rng.integers(0, 2, 50)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        MLPClassifier(max_iter=5).fit(X_nan, y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        MLPRegressor(max_iter=5).fit(X, np.where(y == 1, np.nan, 0.0))
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 4"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="Found input variables with inconsistent numbers"):
        MLPRegressor().fit(X, y[:-1])

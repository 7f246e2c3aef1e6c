"""RandomForest* / ExtraTrees* against scikit-learn: same seeds, same bootstrap, same trees."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import ensemble as sk_ensemble
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_wine
from pai_algos.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

# scikit-learn 1.9 deprecates "friedman_mse" (an alias of "squared_error" since then)
pytestmark = pytest.mark.filterwarnings('ignore:Value `"friedman_mse"`:FutureWarning')

PAIRS = {
    RandomForestClassifier: sk_ensemble.RandomForestClassifier,
    RandomForestRegressor: sk_ensemble.RandomForestRegressor,
    ExtraTreesClassifier: sk_ensemble.ExtraTreesClassifier,
    ExtraTreesRegressor: sk_ensemble.ExtraTreesRegressor,
}


def _split(X, y, seed):
    idx = np.random.default_rng(seed).permutation(len(y))
    cut = int(0.7 * len(y))
    return X[idx[:cut]], y[idx[:cut]], X[idx[cut:]], y[idx[cut:]]


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
@pytest.mark.parametrize("cls", [RandomForestClassifier, ExtraTreesClassifier])
@pytest.mark.parametrize(
    "params",
    [
        {"oob_score": True, "bootstrap": True},
        {"criterion": "entropy", "max_depth": 5, "bootstrap": True, "max_samples": 0.6},
        {"max_leaf_nodes": 12, "max_features": 0.5, "class_weight": {0: 1, 1: 3}},
    ],
)
def test_classifier_same_forest_as_sklearn(seed, loader, cls, params):
    X, y = loader(return_X_y=True)
    X_tr, y_tr, X_te, y_te = _split(X, y, seed)
    kw = dict(n_estimators=8, random_state=seed, n_jobs=2, **params)
    ours = cls(**kw).fit(X_tr, y_tr)
    theirs = PAIRS[cls](**kw).fit(X_tr, y_tr)
    np.testing.assert_allclose(ours.predict_proba(X_te), theirs.predict_proba(X_te), atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X_te), theirs.predict(X_te))
    np.testing.assert_array_equal(ours.apply(X_te), theirs.apply(X_te))
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=1e-10)
    assert abs(ours.score(X_te, y_te) - theirs.score(X_te, y_te)) <= 0.01
    if params.get("oob_score"):
        assert ours.oob_score_ == pytest.approx(theirs.oob_score_)
        np.testing.assert_allclose(
            ours.oob_decision_function_, theirs.oob_decision_function_, atol=1e-12
        )


@pytest.mark.parametrize("cls", [RandomForestRegressor, ExtraTreesRegressor])
@pytest.mark.parametrize(
    "params",
    [
        {"oob_score": True, "bootstrap": True},
        {"criterion": "friedman_mse", "max_features": 0.5, "min_samples_leaf": 3},
        {"max_leaf_nodes": 30, "bootstrap": True, "max_samples": 100},
    ],
)
def test_regressor_same_forest_as_sklearn(seed, cls, params):
    # integer diabetes targets: every sum is exact, so the trees are the same node for node
    X, y = load_diabetes(return_X_y=True)
    X_tr, y_tr, X_te, y_te = _split(X, y, seed)
    kw = dict(n_estimators=8, random_state=seed, n_jobs=2, **params)
    ours = cls(**kw).fit(X_tr, y_tr)
    theirs = PAIRS[cls](**kw).fit(X_tr, y_tr)
    np.testing.assert_allclose(ours.predict(X_te), theirs.predict(X_te), rtol=1e-10)
    if params.get("oob_score"):
        assert ours.oob_score_ == pytest.approx(theirs.oob_score_, rel=1e-10)
        np.testing.assert_allclose(ours.oob_prediction_, theirs.oob_prediction_, rtol=1e-10)


@pytest.mark.parametrize("class_weight", ["balanced", "balanced_subsample"])
def test_balanced_class_weight_accuracy_parity(seed, class_weight):
    # non-integer weights round differently with another summation order: compare accuracy
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, y_tr, X_te, y_te = _split(X, y, seed)
    kw = dict(n_estimators=30, random_state=seed, class_weight=class_weight, max_depth=6)
    a = RandomForestClassifier(**kw).fit(X_tr, y_tr).score(X_te, y_te)
    b = sk_ensemble.RandomForestClassifier(**kw).fit(X_tr, y_tr).score(X_te, y_te)
    assert abs(a - b) <= 0.03


def test_integer_sample_weight_same_forest(rng, seed):
    X, y = load_wine(return_X_y=True)
    w = rng.integers(1, 4, size=len(y)).astype(float)
    kw = dict(n_estimators=6, random_state=seed)
    ours = RandomForestClassifier(**kw).fit(X, y, sample_weight=w)
    theirs = sk_ensemble.RandomForestClassifier(**kw).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)


def test_continuous_target_r2_parity(rng, seed):
    # continuous targets: rounding ties in tiny nodes may pick another feature, so compare R²
    X = rng.normal(size=(600, 8))
    f = lambda Z: Z[:, 0] + np.sin(2 * Z[:, 1]) - Z[:, 2] * Z[:, 3]  # noqa: E731
    y = f(X) + rng.normal(scale=0.2, size=600)
    X_te = rng.normal(size=(400, 8))
    for cls in (RandomForestRegressor, ExtraTreesRegressor):
        kw = dict(n_estimators=30, random_state=seed, min_samples_leaf=2)
        a = cls(**kw).fit(X, y).score(X_te, f(X_te))
        b = PAIRS[cls](**kw).fit(X, y).score(X_te, f(X_te))
        assert abs(a - b) <= 0.01


def test_threads_and_warm_start_do_not_change_the_forest(seed):
    X, y = load_breast_cancer(return_X_y=True)
    one = RandomForestClassifier(n_estimators=6, random_state=seed, n_jobs=1).fit(X, y)
    two = RandomForestClassifier(n_estimators=6, random_state=seed, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    warm = RandomForestClassifier(n_estimators=3, random_state=seed, warm_start=True).fit(X, y)
    warm.set_params(n_estimators=6).fit(X, y)
    assert len(warm.estimators_) == 6
    np.testing.assert_array_equal(warm.predict_proba(X), one.predict_proba(X))
    with pytest.warns(UserWarning, match="without increasing n_estimators"):
        warm.fit(X, y)


def test_bad_input():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match="Out of bag estimation only available if bootstrap=True"):
        ExtraTreesRegressor(oob_score=True).fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        RandomForestRegressor(n_estimators=2).fit(X_nan, y)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        RandomForestClassifier().predict(X)
    reg = RandomForestRegressor(n_estimators=2).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 2 features, but RandomForestRegressor is expecting"
    ):
        reg.predict(X[:, :2])
    with pytest.raises(ValueError, match="Unknown label type"):
        RandomForestClassifier(n_estimators=2).fit(X, y + 0.5)
    with pytest.raises(ValueError, match="`max_samples` must be <= n_samples"):
        RandomForestRegressor(n_estimators=2, max_samples=10_000).fit(X, y)

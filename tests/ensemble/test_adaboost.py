"""AdaBoost against scikit-learn: the same boosting given the same weak learner, and parity with
our own trees as the default weak learners."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import AdaBoostClassifier as SkAdaC
from sklearn.ensemble import AdaBoostRegressor as SkAdaR
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier as SkTreeC
from sklearn.tree import DecisionTreeRegressor as SkTreeR

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from pai_algos.ensemble import AdaBoostClassifier, AdaBoostRegressor


@pytest.mark.parametrize("loader", [load_iris, load_breast_cancer, load_wine])
@pytest.mark.parametrize("learning_rate", [1.0, 0.5])
def test_classifier_matches_sklearn_boosting_given_the_same_learner(loader, learning_rate, seed):
    """The boosting loop (weights, errors, votes, probabilities) is scikit-learn's exactly."""
    X, y = loader(return_X_y=True)
    kw = dict(n_estimators=25, learning_rate=learning_rate, random_state=seed)
    ours = AdaBoostClassifier(SkTreeC(max_depth=2), **kw).fit(X, y)
    ref = SkAdaC(SkTreeC(max_depth=2), **kw).fit(X, y)
    assert len(ours.estimators_) == len(ref.estimators_)
    np.testing.assert_allclose(ours.estimator_weights_, ref.estimator_weights_, rtol=1e-10)
    np.testing.assert_allclose(ours.estimator_errors_, ref.estimator_errors_, rtol=1e-10)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("loss", ["linear", "square", "exponential"])
def test_regressor_matches_sklearn_boosting_given_the_same_learner(loss, seed):
    X, y = load_diabetes(return_X_y=True)
    kw = dict(n_estimators=25, loss=loss, random_state=seed)
    ours = AdaBoostRegressor(SkTreeR(max_depth=3), **kw).fit(X, y)
    ref = SkAdaR(SkTreeR(max_depth=3), **kw).fit(X, y)
    np.testing.assert_allclose(ours.estimator_weights_, ref.estimator_weights_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-12)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_classifier_default_trees_accuracy_parity(loader, seed):
    """With our stumps as weak learners: held-out accuracy within 0.01 of scikit-learn's
    (plus the resolution of one test row, which is 1/n_test)."""
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    ours = AdaBoostClassifier(n_estimators=40, random_state=seed).fit(Xtr, ytr).score(Xte, yte)
    ref = SkAdaC(n_estimators=40, random_state=seed).fit(Xtr, ytr).score(Xte, yte)
    assert abs(ours - ref) <= 0.01 + 1.0 / len(yte)


def test_regressor_default_trees_r2_parity(seed):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed)
    r2 = [
        AdaBoostRegressor(n_estimators=30, random_state=s).fit(Xtr, ytr).score(Xte, yte)
        for s in range(4)
    ]
    ref = [SkAdaR(n_estimators=30, random_state=s).fit(Xtr, ytr).score(Xte, yte) for s in range(4)]
    # bootstraps make single fits noisy: compare the mean over four seeds
    assert abs(np.mean(r2) - np.mean(ref)) <= 0.03


def test_staged_outputs_end_at_the_final_ones(rng):
    X, y = load_iris(return_X_y=True)
    clf = AdaBoostClassifier(SkTreeC(max_depth=1), n_estimators=10, random_state=0).fit(X, y)
    staged = list(clf.staged_predict_proba(X))
    assert len(staged) == len(clf.estimators_)
    np.testing.assert_allclose(staged[-1], clf.predict_proba(X))
    np.testing.assert_array_equal(list(clf.staged_predict(X))[-1], clf.predict(X))
    reg = AdaBoostRegressor(SkTreeR(max_depth=2), n_estimators=8, random_state=0)
    Xr = rng.normal(size=(80, 3))
    reg.fit(Xr, Xr[:, 0] + 0.1 * rng.normal(size=80))
    np.testing.assert_array_equal(list(reg.staged_predict(Xr))[-1], reg.predict(Xr))


def test_feature_importances_follow_the_signal(rng):
    X = rng.normal(size=(300, 4))
    y = (X[:, 2] > 0).astype(int)
    clf = AdaBoostClassifier(SkTreeC(max_depth=1), n_estimators=5, random_state=0).fit(X, y)
    assert np.argmax(clf.feature_importances_) == 2
    assert clf.feature_importances_.sum() == pytest.approx(1.0)


def test_errors():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="at least 2 classes"):
        AdaBoostClassifier(SkTreeC(max_depth=1)).fit(X[:10], y[:10])
    with pytest.raises(NotFittedError):
        AdaBoostClassifier().predict(X)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AdaBoostClassifier(SkTreeC(max_depth=1)).fit(Xn, y)

    class NoWeights(SkTreeC):
        def fit(self, X, y):
            return super().fit(X, y)

    with pytest.raises(ValueError, match="doesn't support sample_weight"):
        AdaBoostClassifier(NoWeights()).fit(X, y)
    with pytest.raises(ValueError, match="at least one non-zero"):
        AdaBoostClassifier(SkTreeC(max_depth=1)).fit(X, y, sample_weight=np.zeros(len(y)))

    clf = AdaBoostClassifier(SkTreeC(max_depth=1), n_estimators=3).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])


def test_worse_than_chance_first_learner_raises(rng):
    """A learner that always answers the rarest of 3 classes has weighted error 7/9 > 1 - 1/K:
    the ensemble cannot start, and nothing is left fitted."""
    from sklearn.dummy import DummyClassifier

    X = rng.normal(size=(90, 2))
    y = np.repeat([0, 1, 2], [40, 30, 20])
    clf = AdaBoostClassifier(DummyClassifier(strategy="constant", constant=2))
    with pytest.raises(ValueError, match="no better than chance"):
        clf.fit(X, y)
    assert not [a for a in vars(clf) if a.endswith("_")]

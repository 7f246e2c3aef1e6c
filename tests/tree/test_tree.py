"""DecisionTree* / ExtraTree* against scikit-learn: same trees for the same random_state."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import tree as sk_tree
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from pai_algos.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from pai_algos.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

# scikit-learn 1.9 deprecates "friedman_mse" (an alias of "squared_error" since then)
pytestmark = pytest.mark.filterwarnings('ignore:Value `"friedman_mse"`:FutureWarning')

PAIRS = {
    DecisionTreeClassifier: sk_tree.DecisionTreeClassifier,
    DecisionTreeRegressor: sk_tree.DecisionTreeRegressor,
    ExtraTreeClassifier: sk_tree.ExtraTreeClassifier,
    ExtraTreeRegressor: sk_tree.ExtraTreeRegressor,
}
LOADERS = {"breast_cancer": load_breast_cancer, "wine": load_wine, "iris": load_iris}


def _same_tree(ours, theirs, X_test):
    a, b = ours.tree_, theirs.tree_
    np.testing.assert_array_equal(a.children_left, b.children_left)
    np.testing.assert_array_equal(a.children_right, b.children_right)
    np.testing.assert_array_equal(a.feature, b.feature)
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.n_node_samples, b.n_node_samples)
    np.testing.assert_allclose(a.weighted_n_node_samples, b.weighted_n_node_samples)
    np.testing.assert_allclose(a.impurity, b.impurity, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.value, b.value, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.feature_importances_, theirs.feature_importances_, atol=1e-10)
    assert ours.get_depth() == theirs.get_depth()
    assert ours.get_n_leaves() == theirs.get_n_leaves()
    np.testing.assert_array_equal(ours.apply(X_test), theirs.apply(X_test))
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    if hasattr(ours, "predict_proba"):
        np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test))


def _split(X, y, seed):
    idx = np.random.default_rng(seed).permutation(len(y))
    cut = int(0.7 * len(y))
    return X[idx[:cut]], y[idx[:cut]], X[idx[cut:]]


@pytest.mark.parametrize("data", sorted(LOADERS))
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"criterion": "entropy", "max_features": "sqrt"},
        {"criterion": "log_loss", "max_leaf_nodes": 8},
        {"max_depth": 3, "min_samples_leaf": 3, "class_weight": {0: 1, 1: 3}},
        {"min_impurity_decrease": 0.01, "min_weight_fraction_leaf": 0.02, "max_features": 0.5},
    ],
)
@pytest.mark.parametrize("cls", [DecisionTreeClassifier, ExtraTreeClassifier])
def test_classifier_same_tree_as_sklearn(seed, data, params, cls):
    X, y = LOADERS[data](return_X_y=True)
    X_tr, y_tr, X_te = _split(X, y, seed)
    ours = cls(random_state=seed, **params).fit(X_tr, y_tr)
    theirs = PAIRS[cls](random_state=seed, **params).fit(X_tr, y_tr)
    _same_tree(ours, theirs, X_te)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"criterion": "friedman_mse", "max_depth": 6},
        {"max_features": 0.4, "max_leaf_nodes": 20, "min_samples_split": 10},
        {"min_samples_leaf": 0.02, "min_impurity_decrease": 10.0},
    ],
)
@pytest.mark.parametrize("cls", [DecisionTreeRegressor, ExtraTreeRegressor])
def test_regressor_same_tree_as_sklearn(seed, params, cls):
    # diabetes targets are integers, so every weighted sum is exact in float64 on both sides
    X, y = load_diabetes(return_X_y=True)
    X_tr, y_tr, X_te = _split(X, y, seed)
    ours = cls(random_state=seed, **params).fit(X_tr, y_tr)
    theirs = PAIRS[cls](random_state=seed, **params).fit(X_tr, y_tr)
    _same_tree(ours, theirs, X_te)


def test_integer_sample_weight_same_tree(rng, seed):
    X, y = load_wine(return_X_y=True)
    w = rng.integers(0, 4, size=len(y)).astype(float)
    ours = DecisionTreeClassifier(random_state=seed).fit(X, y, sample_weight=w)
    theirs = sk_tree.DecisionTreeClassifier(random_state=seed).fit(X, y, sample_weight=w)
    _same_tree(ours, theirs, X)


def test_synthetic_tie_free_predictions_identical(rng, seed):
    # continuous features: no ties in X; the comparison is on fresh rows. The regression
    # target is rounded to integers so that every sum is exact on both sides: with a
    # continuous target, two features inducing the same partition of a tiny node score the
    # same up to rounding, and the winner then depends on the summation order.
    X = rng.normal(size=(400, 6))
    y = X[:, 0] - 2 * X[:, 1] ** 2 + rng.normal(scale=0.1, size=400)
    X_te = rng.normal(size=(300, 6))
    y_int = np.round(10 * y)
    ours = DecisionTreeRegressor(random_state=seed).fit(X, y_int)
    theirs = sk_tree.DecisionTreeRegressor(random_state=seed).fit(X, y_int)
    np.testing.assert_array_equal(ours.predict(X_te), theirs.predict(X_te))
    yc = (y > np.median(y)).astype(int)
    ours = DecisionTreeClassifier(random_state=seed).fit(X, yc)
    theirs = sk_tree.DecisionTreeClassifier(random_state=seed).fit(X, yc)
    np.testing.assert_array_equal(ours.predict(X_te), theirs.predict(X_te))
    # continuous target: the same fit up to those rounding ties
    y_te = X_te[:, 0] - 2 * X_te[:, 1] ** 2
    a = DecisionTreeRegressor(random_state=seed, min_samples_leaf=3).fit(X, y).score(X_te, y_te)
    b = sk_tree.DecisionTreeRegressor(random_state=seed, min_samples_leaf=3).fit(X, y)
    assert abs(a - b.score(X_te, y_te)) <= 0.01


def test_decision_path_and_string_labels(seed):
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    ours = DecisionTreeClassifier(random_state=seed, max_depth=4).fit(X, labels)
    theirs = sk_tree.DecisionTreeClassifier(random_state=seed, max_depth=4).fit(X, labels)
    np.testing.assert_array_equal(
        ours.decision_path(X).toarray(), theirs.decision_path(X).toarray()
    )
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert list(ours.classes_) == list(theirs.classes_)
    assert np.isclose(ours.feature_importances_.sum(), 1.0)


def test_nan_in_X_is_rejected():
    X, y = load_iris(return_X_y=True)
    X = X.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        DecisionTreeClassifier().fit(X, y)
    fitted = DecisionTreeClassifier().fit(np.nan_to_num(X), y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fitted.predict(X)


def test_bad_targets_and_shapes():
    X, y = load_diabetes(return_X_y=True)
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        DecisionTreeRegressor().fit(X, y_nan)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        DecisionTreeRegressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        DecisionTreeRegressor().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="Unknown label type"):
        DecisionTreeClassifier().fit(X, y + 0.5)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        DecisionTreeClassifier().predict(X)
    reg = DecisionTreeRegressor(max_depth=2).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 3 features, but DecisionTreeRegressor is expecting 10"
    ):
        reg.predict(X[:, :3])
    with pytest.raises(InvalidParameterError, match="criterion"):
        DecisionTreeRegressor(criterion="absolute_error").fit(X, y)
    with pytest.raises(InvalidParameterError, match="max_depth"):
        DecisionTreeClassifier(max_depth=0).fit(X, y > 100)


def test_single_class_gives_one_leaf():
    X = np.arange(20.0).reshape(10, 2)
    clf = DecisionTreeClassifier().fit(X, np.ones(10))
    assert clf.get_n_leaves() == 1
    np.testing.assert_array_equal(clf.predict(X), np.ones(10))
    np.testing.assert_array_equal(clf.predict_proba(X), np.ones((10, 1)))


def test_accuracy_parity_on_held_out(seed):
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, y_tr, X_te = _split(X, y, seed)
    idx = np.random.default_rng(seed).permutation(len(y))
    y_te = y[idx[int(0.7 * len(y)) :]]
    for cls in (DecisionTreeClassifier, ExtraTreeClassifier):
        a = cls(random_state=seed).fit(X_tr, y_tr).score(X_te, y_te)
        b = PAIRS[cls](random_state=seed).fit(X_tr, y_tr).score(X_te, y_te)
        assert abs(a - b) <= 0.01


def test_balanced_class_weight_accuracy_parity(seed):
    # non-integer weights: sums round differently with another summation order, so the
    # comparison is on held-out accuracy (one of 171 test rows is 0.006)
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, y_tr, X_te = _split(X, y, seed)
    idx = np.random.default_rng(seed).permutation(len(y))
    y_te = y[idx[int(0.7 * len(y)) :]]
    kw = dict(random_state=seed, class_weight="balanced", max_depth=4)
    a = DecisionTreeClassifier(**kw).fit(X_tr, y_tr).score(X_te, y_te)
    b = sk_tree.DecisionTreeClassifier(**kw).fit(X_tr, y_tr).score(X_te, y_te)
    assert abs(a - b) <= 0.03

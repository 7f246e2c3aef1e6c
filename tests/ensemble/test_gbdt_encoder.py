"""GBDTEncoder: one-hot leaf structure, agreement with the engine, GBDT + LR on interactions."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from pai_algos.ensemble import GBDTEncoder
from pai_algos.linear_model import LogisticRegression


def _xor_data(rng, n):
    """Labels from feature crosses (an XOR of two signs, a product) that no linear model of
    the raw features can express."""
    X = rng.normal(size=(n, 6))
    z = 2.0 * np.sign(X[:, 0] * X[:, 1]) + X[:, 2] * X[:, 3] + 0.5 * rng.normal(size=n)
    return X, (z > 0).astype(int)


@pytest.mark.parametrize("loss", ["log_loss", "squared_error"])
def test_one_hot_structure_and_apply(rng, loss):
    X, y = _xor_data(rng, 600)
    X[rng.random(X.shape) < 0.05] = np.nan
    enc = GBDTEncoder(loss=loss, max_iter=7, max_leaf_nodes=6, random_state=0).fit(X, y)
    Z = enc.transform(X)
    assert sp.isspmatrix_csr(Z) and Z.shape == (600, int(enc.leaf_offsets_[-1]))
    assert enc.n_trees_ == 7 and np.all(enc.n_leaves_ <= 6)
    np.testing.assert_array_equal(Z.getnnz(axis=1), enc.n_trees_)
    np.testing.assert_array_equal(Z.data, 1.0)
    dense = Z.toarray()
    for t in range(enc.n_trees_):
        block = dense[:, enc.leaf_offsets_[t] : enc.leaf_offsets_[t + 1]]
        np.testing.assert_array_equal(block.sum(axis=1), 1)
    # the column of tree t is the rank of the engine's leaf node among that tree's leaves
    leaves = enc.apply(X)
    model = enc.estimator_
    is_leaf = model._nodes["left"] < 0
    for t, root in enumerate(model._roots):
        end = model._roots[t + 1] if t + 1 < enc.n_trees_ else is_leaf.shape[0]
        leaf_nodes = root + np.flatnonzero(is_leaf[root:end])
        col = Z[:, enc.leaf_offsets_[t] : enc.leaf_offsets_[t + 1]].toarray().argmax(axis=1)
        np.testing.assert_array_equal(leaf_nodes[col], leaves[:, t])
    # the leaves' values add up to the model's raw prediction
    values = model._nodes["value"][leaves].sum(axis=1) + model._baseline_prediction[0]
    raw = model.decision_function(X) if loss == "log_loss" else model.predict(X)
    np.testing.assert_allclose(values, raw, rtol=1e-10, atol=1e-10)
    names = enc.get_feature_names_out()
    assert names.shape == (Z.shape[1],) and names[0] == "tree0_leaf0"


def test_multiclass_has_one_tree_per_class(rng):
    X = rng.normal(size=(300, 4))
    y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])
    enc = GBDTEncoder(max_iter=4, max_leaf_nodes=4).fit(X, y)
    assert enc.n_trees_ == 12
    np.testing.assert_array_equal(enc.transform(X).getnnz(axis=1), 12)


def test_logistic_regression_on_the_encoding(seed):
    """GBDT + LR (He et al., 2014): on labels made of feature crosses, a logistic regression
    on the leaf encoding beats one on the raw features by a wide margin and comes close to
    the boosting model itself (held-out accuracy, 2000 test rows: noise ~0.01)."""
    rng = np.random.default_rng(seed)
    X, y = _xor_data(rng, 5000)
    X_tr, X_te, y_tr, y_te = X[:3000], X[3000:], y[:3000], y[3000:]
    enc = GBDTEncoder(max_iter=30, max_leaf_nodes=8, random_state=0).fit(X_tr, y_tr)
    lr_leaves = LogisticRegression(C=0.5, max_iter=300).fit(enc.transform(X_tr), y_tr)
    acc_leaves = lr_leaves.score(enc.transform(X_te), y_te)
    acc_raw = LogisticRegression(max_iter=300).fit(X_tr, y_tr).score(X_te, y_te)
    acc_gbdt = enc.estimator_.score(X_te, y_te)
    assert acc_leaves > acc_raw + 0.15
    assert acc_leaves >= acc_gbdt - 0.03


def test_bad_input(rng):
    X, y = _xor_data(rng, 100)
    with pytest.raises(NotFittedError):
        GBDTEncoder().transform(X)
    with pytest.raises(ValueError, match="'loss' parameter"):
        GBDTEncoder(loss="hinge").fit(X, y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        GBDTEncoder(loss="squared_error").fit(X, np.where(y == 1, np.nan, 0.0))
    enc = GBDTEncoder(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 6 features"):
        enc.transform(X[:, :3])

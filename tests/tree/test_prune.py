"""Minimal cost-complexity pruning (``ccp_alpha``, ``cost_complexity_pruning_path``) against
scikit-learn's, on trees that are the same as scikit-learn's before pruning."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import tree as sk_tree
from sklearn.datasets import load_breast_cancer, load_diabetes

from pai_algos.ensemble import RandomForestClassifier
from pai_algos.tree import DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeRegressor
from pai_algos.tree._prune import pruning_path


def _data(task):
    if task == "classification":
        X, y = load_breast_cancer(return_X_y=True)
        return X, y, DecisionTreeClassifier, sk_tree.DecisionTreeClassifier
    X, y = load_diabetes(return_X_y=True)
    return X, y, DecisionTreeRegressor, sk_tree.DecisionTreeRegressor


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_path_matches_sklearn(task):
    X, y, ours, theirs = _data(task)
    p = ours(random_state=0, max_depth=6).cost_complexity_pruning_path(X, y)
    q = theirs(random_state=0, max_depth=6).cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(p.ccp_alphas, q.ccp_alphas, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(p.impurities, q.impurities, rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(p.ccp_alphas) >= 0)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_pruned_trees_match_sklearn(task):
    X, y, ours, theirs = _data(task)
    alphas = theirs(random_state=0, max_depth=6).cost_complexity_pruning_path(X, y).ccp_alphas
    # midpoints between successive effective alphas: no ties at the cut
    for a in (0.5 * (alphas[:-1] + alphas[1:]))[:: max(1, len(alphas) // 6)]:
        m = ours(random_state=0, max_depth=6, ccp_alpha=a).fit(X, y)
        s = theirs(random_state=0, max_depth=6, ccp_alpha=a).fit(X, y)
        assert m.tree_.node_count == s.tree_.node_count
        np.testing.assert_array_equal(m.tree_.children_left, s.tree_.children_left)
        np.testing.assert_array_equal(m.tree_.feature, s.tree_.feature)
        np.testing.assert_allclose(m.predict(X), s.predict(X))
        assert m.get_depth() == s.get_depth() and m.get_n_leaves() == s.get_n_leaves()


def test_alpha_above_path_leaves_root_and_zero_prunes_nothing():
    X, y, ours, _ = _data("regression")
    path = ours(random_state=0, max_depth=4).cost_complexity_pruning_path(X, y)
    stump = ours(random_state=0, max_depth=4, ccp_alpha=path.ccp_alphas[-1] * 1.01).fit(X, y)
    assert stump.tree_.node_count == 1
    np.testing.assert_allclose(stump.predict(X[:5]), y.mean())
    full = ours(random_state=0, max_depth=4).fit(X, y)
    assert ours(random_state=0, max_depth=4, ccp_alpha=0.0).fit(X, y).tree_.node_count == (
        full.tree_.node_count
    )
    # the path's last impurity is the root's
    np.testing.assert_allclose(path.impurities[-1], full.tree_.impurity[0], rtol=1e-12)


def test_pruning_reference_by_brute_force():
    """Each path step removes exactly the branch whose cost-complexity ratio is smallest,
    checked by recomputing every ratio from scratch on the pruned trees."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=300)
    tree = ExtraTreeRegressor(random_state=0, max_depth=5).fit(X, y).tree_
    alphas, impurities = pruning_path(tree)
    w = tree.weighted_n_node_samples
    r = w / w[0] * tree.impurity

    def leaves(t, alive):
        lt, rt = tree.children_left[t], tree.children_right[t]
        return [t] if lt < 0 or not alive[lt] else leaves(lt, alive) + leaves(rt, alive)

    alive = np.ones(tree.node_count, bool)
    for step in range(1, len(alphas)):
        best, arg = np.inf, -1
        for t in range(tree.node_count):
            if alive[t] and tree.children_left[t] >= 0 and alive[tree.children_left[t]]:
                lv = leaves(t, alive)
                g = (r[t] - r[lv].sum()) / (len(lv) - 1)
                if g < best:
                    best, arg = g, t
        np.testing.assert_allclose(alphas[step], best, rtol=1e-10, atol=1e-15)
        stack = [tree.children_left[arg], tree.children_right[arg]]
        while stack:
            j = stack.pop()
            alive[j] = False
            if tree.children_left[j] >= 0:
                stack += [tree.children_left[j], tree.children_right[j]]
        np.testing.assert_allclose(impurities[step], r[leaves(0, alive)].sum(), rtol=1e-10)


def test_forest_trees_are_pruned():
    X, y, _, _ = _data("classification")
    full = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    pruned = RandomForestClassifier(n_estimators=5, random_state=0, ccp_alpha=0.01).fit(X, y)
    for a, b in zip(full.estimators_, pruned.estimators_):
        assert b.tree_.node_count < a.tree_.node_count
    assert pruned.score(X, y) > 0.9


def test_negative_ccp_alpha_is_refused():
    X, y, ours, _ = _data("regression")
    with pytest.raises(ValueError, match="'ccp_alpha' parameter of DecisionTreeRegressor"):
        ours(ccp_alpha=-1.0).fit(X, y)

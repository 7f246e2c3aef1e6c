"""pai_algos_native.cpu.tree_exact against the NumPy references in naive_tree_exact."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import tree_exact as K

from . import naive_tree_exact as naive

BIG = 2**31 - 1


def _build(
    X,
    y,
    n_classes=0,
    criterion=K.SQUARED_ERROR,
    random=False,
    max_features=None,
    min_samples_leaf=1,
    max_depth=BIG,
    max_leaf_nodes=-1,
    w=None,
    seed=1,
):
    Xt = np.ascontiguousarray(np.asarray(X, dtype=np.float32).T)
    w = np.ones(len(y)) if w is None else w
    mf = Xt.shape[0] if max_features is None else max_features
    return K.build_tree(
        Xt,
        np.asarray(y, dtype=np.float64),
        w,
        n_classes,
        criterion,
        random,
        mf,
        2 * min_samples_leaf,
        min_samples_leaf,
        0.0,
        max_depth,
        max_leaf_nodes,
        0.0,
        seed,
    )


def test_rand_r_matches_reference(rng):
    seed = int(rng.integers(1, K.RAND_R_MAX))
    state = np.array([seed], dtype=np.int64)
    got = [K.rand_int(0, K.RAND_R_MAX + 1, state) for _ in range(50)]
    assert got == naive.rand_r_sequence(seed, 50)
    state = np.array([seed], dtype=np.int64)
    u = [K.rand_uniform(-2.0, 3.0, state) for _ in range(200)]
    assert min(u) >= -2.0 and max(u) <= 3.0


def test_zero_seed_is_replaced():
    state = np.array([0], dtype=np.int64)
    assert K.rand_int(0, K.RAND_R_MAX + 1, state) == naive.rand_r_sequence(1, 1)[0]


@pytest.mark.parametrize("shape", [(60, 3), (200, 5)])
def test_regression_tree_matches_reference(rng, shape):
    X = rng.normal(size=shape).astype(np.float32)
    y = rng.normal(size=shape[0])
    left, right, feature, threshold, value, *_ = _build(X, y, max_depth=4, min_samples_leaf=8)
    ref = naive.build_regression_tree(X.astype(np.float64), y, 4, 8)
    assert len(ref) == len(left)
    for k, (f, thr, lf, rt, v) in enumerate(ref):
        assert (feature[k], left[k], right[k]) == (f, lf, rt)
        assert threshold[k] == pytest.approx(thr, rel=1e-12, abs=0)
        assert value[k, 0] == pytest.approx(v, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("criterion", [K.GINI, K.ENTROPY])
def test_root_split_is_optimal_for_classes(rng, criterion):
    X = rng.normal(size=(150, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=150).astype(np.float64)
    w = rng.integers(1, 4, size=150).astype(np.float64)
    left, right, feature, threshold, value, impurity, n_node, w_node, _ = _build(
        X, y, n_classes=3, criterion=criterion, max_depth=1, w=w
    )
    score, _, _ = naive.best_split(X.astype(np.float64), y, w, 3, criterion)
    got = w_node[1] * impurity[1] + w_node[2] * impurity[2]
    assert got == pytest.approx(score, rel=1e-10)
    assert impurity[0] == pytest.approx(naive.impurity(y, w, 3, criterion), rel=1e-12)
    np.testing.assert_allclose(value[0], np.bincount(y.astype(int), weights=w) / w.sum())
    assert w_node[0] == pytest.approx(w.sum())


def test_extra_tree_thresholds_lie_in_node_range(rng):
    X = rng.normal(size=(300, 6)).astype(np.float32)
    y = rng.integers(0, 2, size=300).astype(np.float64)
    left, right, feature, threshold, *_ = _build(
        X, y, n_classes=2, criterion=K.GINI, random=True, max_features=2, seed=7
    )
    leaves = naive.apply(X, left, right, feature, threshold)
    # every leaf is pure: the tree is grown to the end
    for leaf in np.unique(leaves):
        assert np.unique(y[leaves == leaf]).size == 1
    root_f, root_t = feature[0], threshold[0]
    assert X[:, root_f].min() <= root_t <= X[:, root_f].max()


def test_min_samples_leaf_depth_and_leaf_count(rng):
    X = rng.normal(size=(400, 3)).astype(np.float32)
    y = rng.normal(size=400)
    left, *_, n_node, _, depth = _build(X, y, min_samples_leaf=7)
    assert n_node[left == -1].min() >= 7
    left, *_, depth = _build(X, y, max_depth=3)
    assert depth == 3
    left, *_ = _build(X, y, max_leaf_nodes=9)
    assert int(np.sum(left == -1)) == 9


def test_single_row_and_constant_columns(rng):
    out = _build(np.ones((1, 3)), np.array([2.5]))
    assert out[0].shape == (1,) and out[4][0, 0] == 2.5
    X = np.zeros((50, 3), dtype=np.float32)
    X[:, 1] = rng.normal(size=50)
    y = rng.normal(size=50)
    left, right, feature, *_ = _build(X, y, max_depth=5)
    assert set(feature[left >= 0]) == {1}
    left, *_ = _build(np.zeros((20, 2)), y[:20])
    assert left.shape == (1,)


def test_zero_weight_rows_are_ignored(rng):
    X = rng.normal(size=(80, 2)).astype(np.float32)
    y = rng.normal(size=80)
    w = np.ones(80)
    w[::2] = 0.0
    a = _build(X, y, w=w)
    b = _build(X[1::2], y[1::2])
    np.testing.assert_array_equal(a[2], b[2])
    np.testing.assert_array_equal(a[3], b[3])
    assert a[6][0] == 40


@pytest.mark.parametrize("n_rows", [1, 257, 1000, 17_000])
def test_apply_and_predict_forest(rng, n_rows):
    X = rng.normal(size=(300, 4)).astype(np.float32)
    trees = [_build(X, rng.normal(size=300), max_depth=5, seed=s + 1) for s in range(3)]
    sizes = [len(t[0]) for t in trees]
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    glob = lambda a, r: np.where(a >= 0, a + r, -1)  # noqa: E731
    left = np.concatenate([glob(t[0], r) for t, r in zip(trees, roots)])
    right = np.concatenate([glob(t[1], r) for t, r in zip(trees, roots)])
    feature = np.concatenate([t[2] for t in trees])
    thr = np.concatenate([t[3] for t in trees]).astype(np.float32)
    value = np.ascontiguousarray(np.concatenate([t[4] for t in trees]))
    Xq = rng.normal(size=(n_rows, 4)).astype(np.float32)
    Xq[rng.random(size=Xq.shape) < 0.05] = np.nan  # NaN goes right everywhere
    np.testing.assert_array_equal(
        K.apply(Xq, trees[0][0], trees[0][1], trees[0][2], trees[0][3].astype(np.float32)),
        naive.apply(Xq, trees[0][0], trees[0][1], trees[0][2], trees[0][3].astype(np.float32)),
    )
    out = np.empty((n_rows, 1))
    K.predict_forest(Xq, left, right, feature, thr, value, roots, out)
    np.testing.assert_allclose(
        out, naive.predict_forest(Xq, left, right, feature, thr, value, roots), rtol=1e-12
    )
    children, feat, depths = K.pack_forest(left, right, feature, roots)
    assert depths.tolist() == [naive.depth(left, right, r) for r in roots]
    leaves = K.forest_apply(Xq, left, right, feature, thr, roots)
    assert leaves.shape == (n_rows, 3)
    np.testing.assert_array_equal(
        leaves[:, 1], naive.apply(Xq, left, right, feature, thr, roots[1])
    )

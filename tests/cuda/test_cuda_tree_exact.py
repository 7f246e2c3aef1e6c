"""CUDA exact-tree prediction kernels against their CPU twins (tiny data for the simulator)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native import kernels


@pytest.fixture
def mods():
    return kernels("tree_exact", "cpu"), kernels("tree_exact", "cuda")


def _forest(cpu, rng, n=60, d=5, n_trees=3, n_classes=3):
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = rng.integers(0, n_classes, size=n).astype(np.float64)
    Xt = np.ascontiguousarray(X.T)
    trees = [
        cpu.build_tree(
            Xt, y, np.ones(n), n_classes, cpu.GINI, False, 2, 2, 1, 0.0, 4, -1, 0.0, s + 1
        )
        for s in range(n_trees)
    ]
    sizes = [len(t[0]) for t in trees]
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    left = np.concatenate([np.where(t[0] >= 0, t[0] + r, -1) for t, r in zip(trees, roots)])
    right = np.concatenate([np.where(t[1] >= 0, t[1] + r, -1) for t, r in zip(trees, roots)])
    feature = np.concatenate([t[2] for t in trees])
    thr = np.concatenate([t[3] for t in trees]).astype(np.float32)
    value = np.ascontiguousarray(np.concatenate([t[4] for t in trees]))
    return X, left, right, feature, thr, value, roots


@pytest.mark.parametrize("n_rows", [1, 13])
def test_predict_forest_matches_cpu(mods, rng, n_rows):
    cpu, gpu = mods
    X, left, right, feature, thr, value, roots = _forest(cpu, rng)
    Xq = np.ascontiguousarray(X[:n_rows])
    ref = np.empty((n_rows, value.shape[1]))
    got = np.empty_like(ref)
    cpu.predict_forest(Xq, left, right, feature, thr, value, roots, ref)
    gpu.predict_forest(Xq, left, right, feature, thr, value, roots, got)
    np.testing.assert_array_equal(got, ref)


def test_apply_matches_cpu(mods, rng):
    cpu, gpu = mods
    X, left, right, feature, thr, value, roots = _forest(cpu, rng, n_trees=2)
    Xq = np.ascontiguousarray(X[:17])
    np.testing.assert_array_equal(
        gpu.forest_apply(Xq, left, right, feature, thr, roots),
        cpu.forest_apply(Xq, left, right, feature, thr, roots),
    )
    n0 = roots[1]
    np.testing.assert_array_equal(
        gpu.apply(Xq, left[:n0], right[:n0], feature[:n0], thr[:n0]),
        cpu.apply(Xq, left[:n0], right[:n0], feature[:n0], thr[:n0]),
    )

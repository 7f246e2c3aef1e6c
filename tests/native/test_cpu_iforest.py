"""pai_algos_native.cpu.iforest against the NumPy references in naive_iforest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pai_algos_native.cpu import iforest as K

from . import naive_iforest as naive

DTYPES = [np.float32, np.float64]


def _grow(X, n_trees, max_samples, rng, n_candidates=None, replace=False):
    n, d = X.shape
    n_candidates = d if n_candidates is None else n_candidates
    max_depth = int(math.ceil(math.log2(max(max_samples, 2))))
    rows = np.stack([rng.choice(n, max_samples, replace=replace) for _ in range(n_trees)])
    feats = np.stack([np.sort(rng.choice(d, n_candidates, replace=False)) for _ in range(n_trees)])
    seeds = rng.integers(0, 2**63, size=n_trees).astype(np.uint64)
    cap = K.max_nodes(max_samples, max_depth)
    feature = np.empty((n_trees, cap), np.int32)
    left, right = np.empty_like(feature), np.empty_like(feature)
    threshold, value = np.empty((n_trees, cap)), np.empty((n_trees, cap))
    n_nodes = np.empty(n_trees, np.int64)
    K.build_forest(
        X, rows.astype(np.int64), feats.astype(np.int64), seeds, max_depth,
        feature, threshold, left, right, value, n_nodes,
    )  # fmt: skip
    offsets = np.r_[0, np.cumsum(n_nodes)]
    mask = np.arange(cap) < n_nodes[:, None]
    flat = feature[mask], threshold[mask], left[mask], right[mask], value[mask]
    return rows, feats, max_depth, flat, offsets


def test_average_path_length_matches_formula(rng):
    n = np.r_[0, 1, 2, 3, rng.integers(4, 10**6, size=50)]
    out = np.empty(len(n))
    K.average_path_length(n.astype(np.int64), out)
    np.testing.assert_allclose(out, naive.average_path_length(n), rtol=1e-12)
    assert K.average_path_length_scalar(2) == 1.0 and K.average_path_length_scalar(1) == 0.0
    # the harmonic-number definition it approximates: 2 H(n-1) - 2 (n-1)/n
    m = 1000
    exact = 2 * np.sum(1.0 / np.arange(1, m)) - 2 * (m - 1) / m
    assert abs(K.average_path_length_scalar(m) - exact) < 2e-3  # H(i) - ln(i) - gamma ~ 1/(2i)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "n, d, n_trees, max_samples, n_candidates",
    [(300, 5, 7, 64, None), (1, 3, 2, 1, None), (200, 6, 5, 100, 3), (50, 2, 4, 50, None)],
)
def test_path_lengths_match_reference(rng, dtype, n, d, n_trees, max_samples, n_candidates):
    X = rng.normal(size=(n, d)).astype(dtype)
    rows, feats, max_depth, flat, offsets = _grow(X, n_trees, max_samples, rng, n_candidates)
    feature, threshold, left, right, value = flat
    X_test = np.vstack([X[: min(n, 40)], rng.normal(scale=3, size=(20, d)).astype(dtype)])
    out = np.empty(len(X_test))
    K.forest_path_lengths(X_test, feature, threshold, left, value, offsets, max_depth, out)
    assert np.all(right[left >= 0] == left[left >= 0] + 1)  # the adjacency the walk relies on
    ref = naive.path_lengths(X_test, X, rows, feature, threshold, left, right, offsets)
    np.testing.assert_allclose(out, ref, rtol=1e-12)
    for t in range(n_trees):
        sl = slice(offsets[t], offsets[t + 1])
        f = feature[sl]
        assert np.all(np.isin(f[f >= 0], feats[t]))  # only candidate features
        depths = [naive.leaf_of(x, f, threshold[sl], left[sl], right[sl])[1] for x in X_test]
        assert max(depths) <= max_depth


def test_splits_isolate_and_respect_node_range(rng):
    X = rng.normal(size=(120, 4))
    rows, feats, max_depth, flat, offsets = _grow(X, 3, 120, rng)
    feature, threshold, left, right, value = flat
    for t in range(3):
        sl = slice(offsets[t], offsets[t + 1])
        f, thr, lf, rt = feature[sl], threshold[sl], left[sl], right[sl]
        # route the tree's training rows node by node
        members = {0: rows[t]}
        for node in range(len(f)):
            r = members[node]
            if f[node] < 0:
                continue
            col = X[r, f[node]]
            assert col.min() <= thr[node] < col.max()
            members[lf[node]] = r[col <= thr[node]]
            members[rt[node]] = r[col > thr[node]]
        # leaves are single rows unless the depth limit stopped them
        for node in np.flatnonzero(f < 0):
            depth = value[sl][node] - naive.average_path_length([len(members[node])])[0]
            assert len(members[node]) == 1 or round(depth) == max_depth


def test_constant_columns_make_leaves(rng):
    X = np.ones((40, 3))
    X[:, 1] = 2.5
    _, _, _, flat, offsets = _grow(X, 2, 40, rng)
    feature, _, _, _, value = flat
    assert np.all(feature == -1) and np.all(np.diff(offsets) == 1)
    np.testing.assert_allclose(value, naive.average_path_length([40])[0])
    # one varying column among constants: only it is split on
    X[:, 2] = rng.normal(size=40)
    _, _, _, flat, _ = _grow(X, 2, 40, rng)
    assert set(np.unique(flat[0])) <= {-1, 2}


def test_bootstrap_rows_and_thread_independence(rng):
    import numba

    X = rng.normal(size=(100, 3))
    seed = int(rng.integers(0, 2**31))
    a = _grow(X, 4, 80, np.random.default_rng(seed), replace=True)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        b = _grow(X, 4, 80, np.random.default_rng(seed), replace=True)
    finally:
        numba.set_num_threads(previous)
    for x, y in zip(a[3], b[3]):
        np.testing.assert_array_equal(x, y)

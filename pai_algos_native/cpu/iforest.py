"""Isolation forest kernels: random isolation trees and their path lengths.

A forest lives in flat node arrays: tree ``t`` owns nodes ``offsets[t]:offsets[t + 1]``, node 0
of each tree is its root, children are numbered within the tree, a leaf has ``feature == -1``
and ``value`` = its depth + c(n), where n is the number of training rows that reached it and
c the average path length of an unsuccessful BST search (Liu, Ting & Zhou 2008, eq. 1).

Randomness comes from one 64-bit seed per tree (SplitMix64), so a forest is the same whatever
the number of threads that built it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "average_path_length",
    "average_path_length_scalar",
    "build_forest",
    "forest_path_lengths",
    "max_nodes",
]

_EULER_GAMMA = 0.5772156649015329


@njit(**JIT)
def average_path_length_scalar(n):
    """c(n) = 2 H(n - 1) - 2 (n - 1) / n with H(i) ~ ln(i) + gamma; c(1) = c(0) = 0, c(2) = 1."""
    if n <= 1:
        return 0.0
    if n == 2:
        return 1.0
    m = float(n)
    return 2.0 * (math.log(m - 1.0) + _EULER_GAMMA) - 2.0 * (m - 1.0) / m


@njit(**JIT)
def average_path_length(n_samples, out):
    """``out[i] = c(n_samples[i])`` for an array of node sizes."""
    for i in range(n_samples.shape[0]):
        out[i] = average_path_length_scalar(n_samples[i])


def max_nodes(n_samples, max_depth):
    """Upper bound on the node count of one tree grown on ``n_samples`` rows to ``max_depth``."""
    return int(min(2 * max(n_samples, 1) - 1, 2 ** (max_depth + 1) - 1))


@njit(**JIT)
def _splitmix64(state):
    """Advance ``state[0]`` and return the next 64-bit output of SplitMix64 (Steele et al.)."""
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(**JIT)
def _uniform(state):
    """A double in [0, 1) from the top 53 bits."""
    return float(_splitmix64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**JIT)
def _randint(state, high):
    """An integer in [0, high)."""
    return int(_splitmix64(state) % np.uint64(high))


@njit(**JIT)
def _build_tree(X, rows, features, seed, max_depth, feature, threshold, left, right, value):
    """Grow one isolation tree on ``X[rows]``; return its node count.

    At each node the candidate ``features`` are visited in random order until one is not
    constant on the node (as scikit-learn's random splitter does); the threshold is uniform in
    [min, max) and rows with ``x <= threshold`` go left. A node is a leaf when it holds one row,
    reaches ``max_depth`` or is constant on every candidate feature.
    """
    state = np.empty(1, np.uint64)
    state[0] = np.uint64(seed)
    idx = rows.copy()
    perm = features.copy()
    n_feat = perm.shape[0]
    cap = feature.shape[0]
    st_node = np.empty(cap, np.int64)
    st_start = np.empty(cap, np.int64)
    st_end = np.empty(cap, np.int64)
    st_depth = np.empty(cap, np.int64)
    top = 0
    st_node[0], st_start[0], st_end[0], st_depth[0] = 0, 0, idx.shape[0], 0
    top = 1
    n_nodes = 1
    while top > 0:
        top -= 1
        node, s, e, d = st_node[top], st_start[top], st_end[top], st_depth[top]
        n = e - s
        found = False
        f = -1
        lo = 0.0
        hi = 0.0
        if n > 1 and d < max_depth:
            for j in range(n_feat):
                r = j + _randint(state, n_feat - j)
                tmp = perm[j]
                perm[j] = perm[r]
                perm[r] = tmp
                f = perm[j]
                lo = X[idx[s], f]
                hi = lo
                for k in range(s + 1, e):
                    v = X[idx[k], f]
                    if v < lo:
                        lo = v
                    elif v > hi:
                        hi = v
                if hi > lo:
                    found = True
                    break
        if not found:
            feature[node] = -1
            threshold[node] = 0.0
            left[node] = -1
            right[node] = -1
            value[node] = d + average_path_length_scalar(n)
            continue
        thr = lo + _uniform(state) * (hi - lo)
        if thr >= hi:  # rounding reached the maximum: split off the minimum instead
            thr = lo
        # partition idx[s:e]: x <= thr first
        i = s
        j = e - 1
        while i <= j:
            if X[idx[i], f] <= thr:
                i += 1
            else:
                tmp = idx[i]
                idx[i] = idx[j]
                idx[j] = tmp
                j -= 1
        feature[node] = f
        threshold[node] = thr
        value[node] = 0.0
        left[node] = n_nodes
        right[node] = n_nodes + 1
        # push right first so the left subtree is grown first (depth-first numbering)
        st_node[top], st_start[top], st_end[top], st_depth[top] = n_nodes + 1, i, e, d + 1
        top += 1
        st_node[top], st_start[top], st_end[top], st_depth[top] = n_nodes, s, i, d + 1
        top += 1
        n_nodes += 2
    return n_nodes


@njit(**JIT_PARALLEL)
def build_forest(
    X, rows, features, seeds, max_depth, feature, threshold, left, right, value, n_nodes
):
    """Grow ``len(seeds)`` isolation trees in parallel into padded ``(n_trees, cap)`` arrays.

    Parameters
    ----------
    X : (n_samples, n_features) float32 or float64, C-contiguous
    rows : (n_trees, max_samples) int64, the training rows of each tree (repeats allowed)
    features : (n_trees, n_candidates) int64, the features each tree may split on
    seeds : (n_trees,) uint64
    max_depth : int
    feature, left, right : (n_trees, cap) int32 outputs; threshold, value: float64 outputs
    n_nodes : (n_trees,) int64 output, the node count of each tree
    """
    for t in prange(seeds.shape[0]):
        n_nodes[t] = _build_tree(
            X,
            rows[t],
            features[t],
            seeds[t],
            max_depth,
            feature[t],
            threshold[t],
            left[t],
            right[t],
            value[t],
        )


_CHUNK = 256
_GROUP = 16


@njit(**JIT)
def _walk_arrays(feature, threshold, left, offsets):
    """Node arrays for a fixed-length walk: a leaf becomes a node that leads to itself.

    ``to[k]`` is the global index of the left child (the right child is the next node) and, at
    a leaf, ``k`` itself with an infinite threshold, so ``max_depth`` steps land every row on
    its leaf with no exit test.
    """
    nn = feature.shape[0]
    feat = np.empty(nn, np.int64)
    thr = np.empty(nn, np.float64)
    to = np.empty(nn, np.int64)
    for t in range(offsets.shape[0] - 1):
        for k in range(offsets[t], offsets[t + 1]):
            if feature[k] < 0:
                feat[k] = 0
                thr[k] = np.inf
                to[k] = k
            else:
                feat[k] = feature[k]
                thr[k] = threshold[k]
                to[k] = offsets[t] + left[k]
    return feat, thr, to


@njit(**JIT)
def _chunk_path_lengths(X, lo, hi, feat, thr, to, value, offsets, max_depth, nodes, out):
    """Sum of the trees' path lengths for rows ``lo:hi`` into ``out[lo:hi]``.

    The trees are the outer loop, so one tree's nodes stay in cache while the chunk's rows walk
    it. Rows go down in groups of ``_GROUP``, one level for the whole group at a time: the walks
    of a group are independent chains of loads that the CPU overlaps, and the step has no
    branch (right child = left child + 1; leaves loop on themselves).
    """
    for i in range(lo, hi):
        out[i] = 0.0
    for t in range(offsets.shape[0] - 1):
        root = offsets[t]
        for g in range(lo, hi, _GROUP):
            m = min(hi, g + _GROUP) - g
            for j in range(m):
                nodes[j] = root
            for _ in range(max_depth):
                for j in range(m):
                    k = nodes[j]
                    nodes[j] = to[k] + (1 if X[g + j, feat[k]] > thr[k] else 0)
            for j in range(m):
                out[g + j] += value[nodes[j]]


@njit(**JIT_PARALLEL)
def forest_path_lengths(X, feature, threshold, left, value, offsets, max_depth, out):
    """``out[i]`` = mean over trees of the adjusted path length h(x_i) (depth + c(leaf size)).

    The trees must number children adjacently (right child = left child + 1), as
    :func:`build_forest` does, and be at most ``max_depth`` deep. Chunks of rows run in
    parallel; each row sums its trees in tree order, in float64, so the result does not depend
    on the thread count.
    """
    n = X.shape[0]
    n_trees = offsets.shape[0] - 1
    feat, thr, to = _walk_arrays(feature, threshold, left, offsets)
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(n_chunks):
        lo = c * _CHUNK
        hi = min(n, lo + _CHUNK)
        nodes = np.empty(_GROUP, np.int64)
        _chunk_path_lengths(X, lo, hi, feat, thr, to, value, offsets, max_depth, nodes, out)
        for i in range(lo, hi):
            out[i] = out[i] / n_trees if n_trees > 0 else 0.0

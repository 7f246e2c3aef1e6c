"""Plain NumPy references for pai_algos_native.cpu.iforest."""

from __future__ import annotations

import numpy as np

EULER_GAMMA = 0.5772156649015329


def average_path_length(n):
    """c(n) of Liu et al. (2008), eq. 1, with c(0) = c(1) = 0 and c(2) = 1."""
    n = np.asarray(n, dtype=float)
    out = np.zeros_like(n)
    out[n == 2] = 1.0
    big = n > 2
    m = n[big]
    out[big] = 2.0 * (np.log(m - 1.0) + EULER_GAMMA) - 2.0 * (m - 1.0) / m
    return out


def leaf_of(x, feature, threshold, left, right):
    """Walk one tree (local node numbering); return (leaf, depth)."""
    node, depth = 0, 0
    while feature[node] >= 0:
        node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        depth += 1
    return node, depth


def path_lengths(X, X_train, rows, feature, threshold, left, right, offsets):
    """Mean over trees of depth + c(number of the tree's training rows in the same leaf).

    The leaf sizes are recounted from the training rows, so this checks the stored leaf values
    as well as the walk.
    """
    n_trees = len(offsets) - 1
    total = np.zeros(len(X))
    for t in range(n_trees):
        sl = slice(offsets[t], offsets[t + 1])
        tree = (feature[sl], threshold[sl], left[sl], right[sl])
        train_leaves = [leaf_of(X_train[r], *tree)[0] for r in rows[t]]
        counts = np.bincount(train_leaves, minlength=offsets[t + 1] - offsets[t])
        for i, x in enumerate(X):
            leaf, depth = leaf_of(x, *tree)
            total[i] += depth + average_path_length([counts[leaf]])[0]
    return total / n_trees

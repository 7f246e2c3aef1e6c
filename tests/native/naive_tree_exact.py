"""Plain NumPy/Python references for pai_algos_native.cpu.tree_exact."""

from __future__ import annotations

import numpy as np

RAND_R_MAX = 2147483647


def rand_r_sequence(seed, n):
    """scikit-learn's xorshift ``our_rand_r``, ``n`` draws from ``seed``."""
    s = int(seed)
    out = []
    for _ in range(n):
        if s == 0:
            s = 1
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        out.append(s % (RAND_R_MAX + 1))
    return out


def impurity(y, w, n_classes, criterion):
    """Node impurity: gini / entropy (bits) for classes, variance for regression."""
    W = w.sum()
    if n_classes > 0:
        p = np.bincount(y.astype(int), weights=w, minlength=n_classes) / W
        if criterion == 0:
            return 1.0 - np.sum(p**2)
        p = p[p > 0]
        return float(-np.sum(p * np.log2(p)))
    m = np.sum(w * y) / W
    return float(np.sum(w * (y - m) ** 2) / W)


def best_split(X, y, w, n_classes, criterion, min_samples_leaf=1):
    """Exhaustive best split over every feature: (weighted child impurity, feature, threshold).

    The score is ``w_L * i(L) + w_R * i(R)`` (smaller is better), the quantity the kernel's
    proxy improvement maximizes the negative of.
    """
    best = (np.inf, -1, np.nan)
    n = len(y)
    for f in range(X.shape[1]):
        order = np.argsort(X[:, f], kind="stable")
        xs = X[order, f]
        for p in range(min_samples_leaf, n - min_samples_leaf + 1):
            if p == 0 or p == n or xs[p] <= xs[p - 1] + 1e-7:
                continue
            left, right = order[:p], order[p:]
            score = w[left].sum() * impurity(y[left], w[left], n_classes, criterion) + w[
                right
            ].sum() * impurity(y[right], w[right], n_classes, criterion)
            if score < best[0]:
                best = (score, f, float(xs[p - 1]) / 2.0 + float(xs[p]) / 2.0)
    return best


def build_regression_tree(X, y, max_depth, min_samples_leaf):
    """Depth-first CART regression tree on all features.

    With ``min_samples_leaf`` large enough two features never induce the same partition, so
    the best split is unique for generic data.

    Returns a list of nodes (feature, threshold, left, right, value) in pre-order, left first.
    """
    nodes = []

    def grow(idx, depth):
        node = len(nodes)
        nodes.append([-2, -2.0, -1, -1, float(np.mean(y[idx]))])
        w = np.ones(len(idx))
        if (
            depth >= max_depth
            or len(idx) < 2 * min_samples_leaf
            or impurity(y[idx], w, 0, 2) <= 1e-12
        ):
            return node
        score, f, thr = best_split(X[idx], y[idx], w, 0, 2, min_samples_leaf)
        if f < 0:
            return node
        nodes[node][0], nodes[node][1] = f, thr
        go_left = X[idx, f] <= thr
        nodes[node][2] = grow(idx[go_left], depth + 1)
        nodes[node][3] = grow(idx[~go_left], depth + 1)
        return node

    grow(np.arange(len(y)), 0)
    return nodes


def apply(X, left, right, feature, threshold, root=0):
    """Leaf of each row, walking the node arrays one row at a time."""
    out = np.empty(X.shape[0], dtype=np.int64)
    for i in range(X.shape[0]):
        node = root
        while left[node] >= 0:
            node = left[node] if X[i, feature[node]] <= threshold[node] else right[node]
        out[i] = node
    return out


def predict_forest(X, left, right, feature, threshold, value, roots):
    """Mean over trees of the value of each row's leaf."""
    out = np.zeros((X.shape[0], value.shape[1]))
    for r in roots:
        out += value[apply(X, left, right, feature, threshold, r)]
    return out / len(roots)


def depth(left, right, root):
    """Depth of the tree below ``root`` by recursion over the flat child arrays."""
    if left[root] < 0:
        return 0
    return 1 + max(depth(left, right, left[root]), depth(left, right, right[root]))

"""Histogram tree kernels (CPU): binning, gradient histograms, split search, partition, predict.

The engine behind the histogram gradient-boosting estimators (and, later, the other tree
families). Data are binned once into ``uint8`` codes stored feature-major, ``codes[f, i]``,
so that the histogram of one feature reads one contiguous row. Bin ``missing_bin`` (the last
one) holds the missing values (NaN) of every feature.

A histogram is a float64 array of shape ``(n_features, n_bins, 3)`` holding, per feature and
bin, the sum of gradients, the sum of hessians and the number of rows. Histograms are additive:
the histogram of a set of rows is the sum of the histograms of any partition of it. That gives
the subtraction trick (the larger child's histogram is ``parent - smaller child``) and lets
several workers, each holding a shard of the rows, build partial histograms that a parameter
server sums (:func:`build_histogram` is a pure function of its inputs for that reason).

Every parallel loop gives each thread whole features (or whole rows) to write, so no result
depends on the thread count.

A fitted forest is stored as flat node arrays shared by all its trees: ``feature`` (int32),
``threshold`` (float64, raw value: ``x <= threshold`` goes left), ``bin_threshold`` (uint8,
the same test on codes), ``left`` / ``right`` (int32, ``left == -1`` marks a leaf),
``missing_left`` (uint8) and ``value`` (float64, the leaf output). ``roots`` lists the root
node of each tree; tree ``t`` adds to output column ``t % n_outputs``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL
from ._tree_splits import (
    BITSET_WORDS,
    PARALLEL_MIN_WORK,
    _in_bitset,
    find_best_splits,
    node_loss,
    split_gain,
)

__all__ = [
    "BITSET_WORDS",
    "CHUNK",
    "add_leaf_values",
    "binomial_grad_hess",
    "binomial_loss",
    "multinomial_grad_hess",
    "multinomial_loss",
    "apply_raw",
    "bin_features",
    "build_histogram",
    "find_best_splits",
    "node_loss",
    "partition_rows",
    "partition_rows_categorical",
    "predict_binned",
    "predict_raw",
    "split_gain",
    "subtract_histogram",
    "to_device",
]

#: rows per parallel work item in the row-parallel kernels.
CHUNK = 2048


def to_device(a):
    """Return ``a`` unchanged: the CPU kernels work on host arrays (twin of the CUDA upload)."""
    return a


@njit(**JIT_PARALLEL)
def bin_features(X, thresholds, offsets, missing_bin, codes):
    """Bin codes: ``codes[f, i]`` = number of thresholds of feature ``f`` below ``X[i, f]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    thresholds : ndarray of float64
        Bin thresholds of every feature, concatenated and each increasing.
    offsets : ndarray of shape (n_features + 1,), int64
        Feature ``f`` owns ``thresholds[offsets[f]:offsets[f + 1]]``.
    missing_bin : int
        Code given to NaN.
    codes : ndarray of shape (n_features, n_samples), uint8
        Output. A value ``x`` falls in bin ``b`` when ``t[b - 1] < x <= t[b]``.
    """
    n, d = X.shape
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        start = c * CHUNK
        stop = min(n, start + CHUNK)
        for i in range(start, stop):
            for f in range(d):
                x = X[i, f]
                if np.isnan(x):
                    codes[f, i] = missing_bin
                    continue
                base = offsets[f]
                lo = 0
                hi = offsets[f + 1] - base
                xf = np.float64(x)
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if thresholds[base + mid] < xf:
                        lo = mid + 1
                    else:
                        hi = mid
                codes[f, i] = lo


def build_histogram(codes, gradients, hessians, rows, n_bins):
    """Gradient/hessian/count histogram of the rows ``rows``.

    A pure function: the result depends only on the arguments, and histograms of disjoint row
    sets add up to the histogram of their union. Workers holding shards of the data can
    therefore each call it on their rows and a parameter server sums the arrays (the
    distributed histogram aggregation of GBDT). Parallel over features (each thread owns whole
    features, so the sums do not depend on the thread count); serial for small nodes, where
    waking the threads costs more than the work.

    Parameters
    ----------
    codes : ndarray of shape (n_features, n_samples), uint8
    gradients, hessians : ndarray of shape (n_samples,), float32 or float64
    rows : ndarray of shape (n_rows,), int64
        The rows of the node (increasing order reads ``codes`` most efficiently).
    n_bins : int
        Number of bins including the missing-value bin.

    Returns
    -------
    hist : ndarray of shape (n_features, n_bins, 3), float64
        Sum of gradients, sum of hessians and count per (feature, bin).
    """
    hist = np.zeros((codes.shape[0], n_bins, 3))
    if rows.shape[0] == codes.shape[1]:
        # every row (the root): read codes and gradients in storage order, no gather
        _histogram_all_rows(codes, gradients, hessians, hist)
        return hist
    g, h = _gather(gradients, hessians, rows)
    if rows.shape[0] * codes.shape[0] >= PARALLEL_MIN_WORK:
        _histogram_parallel(codes, g, h, rows, hist)
    else:
        _histogram_serial(codes, g, h, rows, hist)
    return hist


@njit(**JIT)
def _gather(gradients, hessians, rows):
    """Gradients and hessians in node order: the per-feature loops then read them in sequence."""
    m = rows.shape[0]
    g = np.empty(m)
    h = np.empty(m)
    for k in range(m):
        g[k] = gradients[rows[k]]
        h[k] = hessians[rows[k]]
    return g, h


@njit(**JIT_PARALLEL)
def _histogram_all_rows(codes, gradients, hessians, hist):
    for f in prange(codes.shape[0]):
        cf = codes[f]
        hf = hist[f]
        for i in range(cf.shape[0]):
            b = cf[i]
            hf[b, 0] += gradients[i]
            hf[b, 1] += hessians[i]
            hf[b, 2] += 1.0


@njit(**JIT)
def _histogram_feature(cf, g, h, rows, hf):
    for k in range(rows.shape[0]):
        b = cf[rows[k]]
        hf[b, 0] += g[k]
        hf[b, 1] += h[k]
        hf[b, 2] += 1.0


@njit(**JIT_PARALLEL)
def _histogram_parallel(codes, g, h, rows, hist):
    for f in prange(codes.shape[0]):
        _histogram_feature(codes[f], g, h, rows, hist[f])


@njit(**JIT)
def _histogram_serial(codes, g, h, rows, hist):
    for f in range(codes.shape[0]):
        _histogram_feature(codes[f], g, h, rows, hist[f])


@njit(**JIT)
def subtract_histogram(parent, child):
    """Histogram of the sibling of ``child``: ``parent - child`` (the subtraction trick)."""
    out = np.empty_like(parent)
    flat_p = parent.ravel()
    flat_c = child.ravel()
    flat_o = out.ravel()
    for k in range(flat_p.shape[0]):
        flat_o[k] = flat_p[k] - flat_c[k]
    return out


#: nodes with at least this many rows are partitioned by :func:`_partition_parallel`
PARALLEL_PARTITION_MIN_ROWS = 1 << 15


@njit(**JIT)
def _goes_left(b, split_bin, missing_left, missing_bin):
    if b == missing_bin:
        return missing_left != 0
    return b <= split_bin


@njit(**JIT)
def _partition_serial(codes_f, rows, split_bin, missing_left, missing_bin, buffer):
    n_left = 0
    n_right = 0
    for k in range(rows.shape[0]):
        r = rows[k]
        if _goes_left(codes_f[r], split_bin, missing_left, missing_bin):
            rows[n_left] = r
            n_left += 1
        else:
            buffer[n_right] = r
            n_right += 1
    for k in range(n_right):
        rows[n_left + k] = buffer[k]
    return n_left


@njit(**JIT_PARALLEL)
def _partition_parallel(codes_f, rows, split_bin, missing_left, missing_bin, buffer):
    """The same stable partition in three parallel passes over ``CHUNK``-row blocks: count
    each block's left rows, scatter left and right rows to their prefix-sum offsets in
    ``buffer``, copy back."""
    m = rows.shape[0]
    n_blocks = (m + CHUNK - 1) // CHUNK
    lefts = np.zeros(n_blocks + 1, dtype=np.int64)
    for c in prange(n_blocks):
        cnt = 0
        for k in range(c * CHUNK, min(m, (c + 1) * CHUNK)):
            if _goes_left(codes_f[rows[k]], split_bin, missing_left, missing_bin):
                cnt += 1
        lefts[c + 1] = cnt
    for c in range(n_blocks):
        lefts[c + 1] += lefts[c]
    n_left = lefts[n_blocks]
    for c in prange(n_blocks):
        lo = c * CHUNK
        li = lefts[c]
        ri = n_left + lo - lefts[c]
        for k in range(lo, min(m, lo + CHUNK)):
            r = rows[k]
            if _goes_left(codes_f[r], split_bin, missing_left, missing_bin):
                buffer[li] = r
                li += 1
            else:
                buffer[ri] = r
                ri += 1
    for c in prange(n_blocks):
        for k in range(c * CHUNK, min(m, (c + 1) * CHUNK)):
            rows[k] = buffer[k]
    return n_left


def partition_rows(codes_f, rows, split_bin, missing_left, missing_bin, buffer):
    """Stable in-place partition of ``rows`` into left rows then right rows; returns n_left.

    A row goes left when its code is ``<= split_bin``, or is ``missing_bin`` and
    ``missing_left``. ``buffer`` (at least ``len(rows)``, int64) holds the rows meanwhile.
    Stability keeps every node's rows increasing, which :func:`build_histogram` reads fastest.
    Nodes of :data:`PARALLEL_PARTITION_MIN_ROWS` rows or more are partitioned in parallel
    (same result).
    """
    if rows.shape[0] >= PARALLEL_PARTITION_MIN_ROWS:
        return _partition_parallel(codes_f, rows, split_bin, missing_left, missing_bin, buffer)
    return _partition_serial(codes_f, rows, split_bin, missing_left, missing_bin, buffer)


@njit(**JIT)
def partition_rows_categorical(codes_f, rows, bitset, buffer):
    """:func:`partition_rows` for a categorical split: a row goes left when the bit of its
    code is set in ``bitset`` (uint32 words; the missing bin is one more code)."""
    n_left = 0
    n_right = 0
    for k in range(rows.shape[0]):
        r = rows[k]
        if _in_bitset(bitset, codes_f[r]):
            rows[n_left] = r
            n_left += 1
        else:
            buffer[n_right] = r
            n_right += 1
    for k in range(n_right):
        rows[n_left + k] = buffer[k]
    return n_left


@njit(**JIT)
def add_leaf_values(rows, leaf_starts, leaf_stops, leaf_values, raw, column):
    """``raw[rows[start:stop], column] += value`` for each leaf (the training-set update)."""
    for j in range(leaf_starts.shape[0]):
        v = leaf_values[j]
        for k in range(leaf_starts[j], leaf_stops[j]):
            raw[rows[k], column] += v


def predict_raw(
    X,
    feature,
    threshold,
    left,
    right,
    missing_left,
    value,
    roots,
    out,
    cat_node=None,
    bitsets=None,
):
    """Add the outputs of the trees ``roots`` to ``out`` for raw (unbinned) rows, NaN allowed.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
        Categorical features hold their category's index (a float; NaN for missing or
        unknown categories).
    feature, threshold, left, right, missing_left, value : ndarray of shape (n_nodes,)
        The forest's flat node arrays (see the module docstring).
    roots : ndarray of shape (n_trees,), int64
        Root node of each tree to add; tree ``t`` adds to column ``t % out.shape[1]``.
    out : ndarray of shape (n_samples, n_outputs), float64
        Raw scores, updated in place: each row adds its trees in order (rows in parallel).
    cat_node : ndarray of shape (n_nodes,), uint8, default=None
        Nodes that split on a categorical feature: category ``c`` goes left when bit ``c``
        of ``bitsets[node]`` is set.
    bitsets : ndarray of shape (n_nodes, BITSET_WORDS), uint32, default=None
    """
    if cat_node is None:
        cat_node = np.zeros(feature.shape[0], dtype=np.uint8)
        bitsets = np.zeros((feature.shape[0], BITSET_WORDS), dtype=np.uint32)
    args = (X, feature, threshold, left, right, missing_left, cat_node, bitsets, roots, value, out)
    if X.shape[0] * max(1, roots.shape[0]) >= PARALLEL_MIN_WORK // 8:
        _predict_parallel(*args)
    else:
        _predict_rows(0, X.shape[0], *args)


@njit(**JIT)
def _leaf(X, i, node, feature, threshold, left, right, missing_left, cat_node, bitsets):
    """The leaf reached by row ``i`` from ``node`` (categorical splits test a bitset)."""
    while left[node] >= 0:
        x = X[i, feature[node]]
        if np.isnan(x):
            go_left = missing_left[node] != 0
        elif cat_node[node]:
            go_left = _in_bitset(bitsets[node], np.int64(x))
        else:
            go_left = x <= threshold[node]
        node = left[node] if go_left else right[node]
    return node


@njit(**JIT)
def _predict_rows(
    start,
    stop,
    X,
    feature,
    threshold,
    left,
    right,
    missing_left,
    cat_node,
    bitsets,
    roots,
    value,
    out,
):
    k_out = out.shape[1]
    for i in range(start, stop):
        for t in range(roots.shape[0]):
            node = _leaf(
                X, i, roots[t], feature, threshold, left, right, missing_left, cat_node, bitsets
            )
            out[i, t % k_out] += value[node]


@njit(**JIT_PARALLEL)
def _predict_parallel(
    X, feature, threshold, left, right, missing_left, cat_node, bitsets, roots, value, out
):
    n = X.shape[0]
    for c in prange((n + CHUNK - 1) // CHUNK):
        _predict_rows(
            c * CHUNK,
            min(n, (c + 1) * CHUNK),
            X,
            feature,
            threshold,
            left,
            right,
            missing_left,
            cat_node,
            bitsets,
            roots,
            value,
            out,
        )


@njit(**JIT_PARALLEL)
def _apply_parallel(
    X, feature, threshold, left, right, missing_left, cat_node, bitsets, roots, out
):
    n = X.shape[0]
    for c in prange((n + CHUNK - 1) // CHUNK):
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            for t in range(roots.shape[0]):
                out[i, t] = _leaf(
                    X,
                    i,
                    roots[t],
                    feature,
                    threshold,
                    left,
                    right,
                    missing_left,
                    cat_node,
                    bitsets,
                )


def apply_raw(
    X, feature, threshold, left, right, missing_left, roots, out, cat_node=None, bitsets=None
):
    """The leaf node reached in every tree: ``out[i, t]`` = node index of row ``i`` in tree ``t``.

    Same arguments as :func:`predict_raw` (no ``value``); ``out`` is an int64 array of shape
    (n_samples, n_trees).
    """
    if cat_node is None:
        cat_node = np.zeros(feature.shape[0], dtype=np.uint8)
        bitsets = np.zeros((feature.shape[0], BITSET_WORDS), dtype=np.uint32)
    _apply_parallel(X, feature, threshold, left, right, missing_left, cat_node, bitsets, roots, out)


@njit(**JIT_PARALLEL)
def predict_binned(
    codes, feature, bin_threshold, left, right, missing_left, value, roots, missing_bin, out
):
    """:func:`predict_raw` on binned data ``codes`` of shape (n_features, n_samples)."""
    n = codes.shape[1]
    k_out = out.shape[1]
    for i in prange(n):
        for t in range(roots.shape[0]):
            node = roots[t]
            while left[node] >= 0:
                b = codes[feature[node], i]
                if b == missing_bin:
                    go_left = missing_left[node] != 0
                else:
                    go_left = b <= bin_threshold[node]
                node = left[node] if go_left else right[node]
            out[i, t % k_out] += value[node]


# ----------------------------------------------------------------- boosting losses (row-parallel)
@njit(**JIT)
def _expit(z):
    if z >= 0.0:
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z)
    return e / (1.0 + e)


@njit(**JIT_PARALLEL)
def binomial_grad_hess(y, raw, g, h):
    """Half binomial loss ``log(1 + exp(z)) - y z``: ``g = p - y``, ``h = p (1 - p)``,
    ``p = expit(z)``, for labels ``y`` in {0, 1} and raw scores ``raw`` (n,)."""
    for i in prange(raw.shape[0]):
        p = _expit(raw[i])
        g[i] = p - y[i]
        h[i] = p * (1.0 - p)


@njit(**JIT_PARALLEL)
def binomial_loss(y, raw, sw):
    """Mean (``sw``-weighted unless ``sw`` is empty) of ``log(1 + exp(z)) - y z``."""
    n = raw.shape[0]
    weighted = sw.shape[0] > 0
    total = 0.0
    wsum = 0.0
    for i in prange(n):
        z = raw[i]
        v = max(z, 0.0) + np.log1p(np.exp(-abs(z))) - y[i] * z
        w = sw[i] if weighted else 1.0
        total += w * v
        wsum += w
    return total / wsum


@njit(**JIT_PARALLEL)
def multinomial_grad_hess(y, raw, g, h):
    """Multinomial loss ``logsumexp(z) - z[y]``: ``g[k] = p_k - [y == k]``,
    ``h[k] = p_k (1 - p_k)`` with ``p = softmax(z)``; ``raw`` (n, K), ``g``/``h`` (K, n)."""
    n, n_classes = raw.shape
    for i in prange(n):
        zmax = raw[i, 0]
        for k in range(1, n_classes):
            zmax = max(zmax, raw[i, k])
        total = 0.0
        for k in range(n_classes):
            total += np.exp(raw[i, k] - zmax)
        yi = int(y[i])
        for k in range(n_classes):
            p = np.exp(raw[i, k] - zmax) / total
            g[k, i] = p - (1.0 if k == yi else 0.0)
            h[k, i] = p * (1.0 - p)


@njit(**JIT_PARALLEL)
def multinomial_loss(y, raw, sw):
    """Mean (``sw``-weighted unless ``sw`` is empty) of ``logsumexp(z) - z[y]``."""
    n, n_classes = raw.shape
    weighted = sw.shape[0] > 0
    total = 0.0
    wsum = 0.0
    for i in prange(n):
        zmax = raw[i, 0]
        for k in range(1, n_classes):
            zmax = max(zmax, raw[i, k])
        acc = 0.0
        for k in range(n_classes):
            acc += np.exp(raw[i, k] - zmax)
        w = sw[i] if weighted else 1.0
        total += w * (zmax + np.log(acc) - raw[i, int(y[i])])
        wsum += w
    return total / wsum

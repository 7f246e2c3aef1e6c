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

__all__ = [
    "CHUNK",
    "add_leaf_values",
    "bin_features",
    "build_histogram",
    "find_best_splits",
    "node_loss",
    "partition_rows",
    "predict_binned",
    "predict_raw",
    "split_gain",
    "subtract_histogram",
    "to_device",
]

#: rows per parallel work item in the row-parallel kernels.
CHUNK = 2048
#: below this many (row, feature) pairs a kernel runs serially: on small nodes, waking the
#: Numba threads costs more than the work (and far more on a busy machine).
PARALLEL_MIN_WORK = 65_536
#: ``1e-15`` added to hessian sums, as scikit-learn does, so that an empty node has value 0.
_EPS_H = 1e-15


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


@njit(**JIT)
def node_loss(sum_g, sum_h, l2):
    """Loss of a node at its optimal value, ``-G^2 / (H + lambda)`` (Chen & Guestrin, eq. 6)."""
    return -sum_g * sum_g / (sum_h + l2 + _EPS_H)


@njit(**JIT)
def split_gain(g_left, h_left, g_right, h_right, l2):
    """Loss reduction of a split: ``loss(parent) - loss(left) - loss(right)`` (eq. 7)."""
    return (
        node_loss(g_left + g_right, h_left + h_right, l2)
        - node_loss(g_left, h_left, l2)
        - node_loss(g_right, h_right, l2)
    )


@njit(**JIT)
def _best_split_feature(hf, nb, has_missing, parent, sum_g, sum_h, n_samples, l2, msl, min_h):
    """(gain, bin, missing_left, G_left, H_left, n_left) of one feature's best split."""
    best = -1.0
    best_bin = 0
    best_ml = 0
    bgl = 0.0
    bhl = 0.0
    bcl = 0.0
    # left to right, missing values (if any) on the right
    gl = 0.0
    hl = 0.0
    cl = 0.0
    for b in range(nb - 1 + has_missing):
        gl += hf[b, 0]
        hl += hf[b, 1]
        cl += hf[b, 2]
        cr = n_samples - cl
        hr = sum_h - hl
        if cl < msl:
            continue
        if cr < msl:
            break
        if hl < min_h:
            continue
        if hr < min_h:
            break
        gr = sum_g - gl
        gain = parent - node_loss(gl, hl, l2) - node_loss(gr, hr, l2)
        if gain > best and gain > 0.0:
            best, best_bin, best_ml, bgl, bhl, bcl = gain, b, 0, gl, hl, cl
    if has_missing:
        # right to left, missing values on the left
        gr = 0.0
        hr = 0.0
        cr = 0.0
        for b in range(nb - 2, -1, -1):
            gr += hf[b + 1, 0]
            hr += hf[b + 1, 1]
            cr += hf[b + 1, 2]
            cl = n_samples - cr
            hl = sum_h - hr
            if cr < msl:
                continue
            if cl < msl:
                break
            if hr < min_h:
                continue
            if hl < min_h:
                break
            gl = sum_g - gr
            gain = parent - node_loss(gl, hl, l2) - node_loss(gr, hr, l2)
            if gain > best and gain > 0.0:
                best, best_bin, best_ml, bgl, bhl, bcl = gain, b, 1, gl, hl, cl
    return best, best_bin, best_ml, bgl, bhl, bcl


@njit(**JIT)
def _split_into(
    f,
    hist,
    nbnm,
    has_missing,
    mask,
    parent,
    sum_g,
    sum_h,
    n_samples,
    l2,
    msl,
    min_h,
    gains,
    bins,
    missing_left,
    left_stats,
):
    if mask[f] == 0:
        gains[f] = -1.0
        bins[f] = 0
        missing_left[f] = 0
        return
    gain, b, ml, gl, hl, cl = _best_split_feature(
        hist[f], nbnm[f], has_missing[f], parent, sum_g, sum_h, n_samples, l2, msl, min_h
    )
    gains[f] = gain
    bins[f] = b
    missing_left[f] = ml
    left_stats[f, 0] = gl
    left_stats[f, 1] = hl
    left_stats[f, 2] = cl


@njit(**JIT_PARALLEL)
def _splits_parallel(
    hist,
    nbnm,
    has_missing,
    mask,
    sum_g,
    sum_h,
    n_samples,
    l2,
    msl,
    min_h,
    gains,
    bins,
    missing_left,
    left_stats,
):
    parent = node_loss(sum_g, sum_h, l2)
    for f in prange(hist.shape[0]):
        _split_into(
            f,
            hist,
            nbnm,
            has_missing,
            mask,
            parent,
            sum_g,
            sum_h,
            n_samples,
            l2,
            msl,
            min_h,
            gains,
            bins,
            missing_left,
            left_stats,
        )


@njit(**JIT)
def _splits_serial(
    hist,
    nbnm,
    has_missing,
    mask,
    sum_g,
    sum_h,
    n_samples,
    l2,
    msl,
    min_h,
    gains,
    bins,
    missing_left,
    left_stats,
):
    parent = node_loss(sum_g, sum_h, l2)
    for f in range(hist.shape[0]):
        _split_into(
            f,
            hist,
            nbnm,
            has_missing,
            mask,
            parent,
            sum_g,
            sum_h,
            n_samples,
            l2,
            msl,
            min_h,
            gains,
            bins,
            missing_left,
            left_stats,
        )


def find_best_splits(
    hist,
    n_bins_non_missing,
    has_missing,
    feature_mask,
    sum_g,
    sum_h,
    n_samples,
    l2,
    min_samples_leaf,
    min_hessian,
    gains,
    bins,
    missing_left,
    left_stats,
):
    """Best split of a node for every feature.

    Scans the bins left to right with the missing values sent right, then, for features with
    missing values, right to left with them sent left (Chen & Guestrin, algorithm 3); a split
    must leave ``min_samples_leaf`` rows and ``min_hessian`` hessian on each side and have a
    positive gain. Ties keep the first candidate, as scikit-learn does.

    Parameters
    ----------
    hist : ndarray of shape (n_features, n_bins, 3)
    n_bins_non_missing : ndarray of shape (n_features,), int64
    has_missing : ndarray of shape (n_features,), uint8
        Whether the feature had missing values in the training data.
    feature_mask : ndarray of shape (n_features,), uint8
        Features considered (feature subsampling); others get gain -1.
    sum_g, sum_h, n_samples : float
        Totals of the node.
    l2, min_samples_leaf, min_hessian : float
    gains : ndarray of shape (n_features,), float64
        Output: best gain per feature, -1 when no valid split.
    bins : ndarray of shape (n_features,), int64
        Output: rows with ``code <= bins[f]`` go left.
    missing_left : ndarray of shape (n_features,), uint8
        Output: whether missing values go left.
    left_stats : ndarray of shape (n_features, 3), float64
        Output: gradient sum, hessian sum and count of the left child.
    """
    args = (
        hist,
        n_bins_non_missing,
        has_missing,
        feature_mask,
        float(sum_g),
        float(sum_h),
        float(n_samples),
        float(l2),
        float(min_samples_leaf),
        float(min_hessian),
        gains,
        bins,
        missing_left,
        left_stats,
    )
    if hist.shape[0] * hist.shape[1] * 4 >= PARALLEL_MIN_WORK:
        _splits_parallel(*args)
    else:
        _splits_serial(*args)


@njit(**JIT)
def partition_rows(codes_f, rows, split_bin, missing_left, missing_bin, buffer):
    """Stable in-place partition of ``rows`` into left rows then right rows; returns n_left.

    A row goes left when its code is ``<= split_bin``, or is ``missing_bin`` and
    ``missing_left``. ``buffer`` (at least ``len(rows)``, int64) holds the right rows meanwhile.
    Stability keeps every node's rows increasing, which :func:`build_histogram` reads fastest.
    """
    n_left = 0
    n_right = 0
    for k in range(rows.shape[0]):
        r = rows[k]
        b = codes_f[r]
        go_left = b <= split_bin
        if b == missing_bin:
            go_left = missing_left != 0
        if go_left:
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


@njit(**JIT)
def _predict_rows(start, stop, X, feature, threshold, left, right, missing_left, value, roots, out):
    k_out = out.shape[1]
    for i in range(start, stop):
        for t in range(roots.shape[0]):
            node = roots[t]
            while left[node] >= 0:
                x = X[i, feature[node]]
                if np.isnan(x):
                    go_left = missing_left[node] != 0
                else:
                    go_left = x <= threshold[node]
                node = left[node] if go_left else right[node]
            out[i, t % k_out] += value[node]


@njit(**JIT_PARALLEL)
def _predict_parallel(X, feature, threshold, left, right, missing_left, value, roots, out):
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
            value,
            roots,
            out,
        )


def predict_raw(X, feature, threshold, left, right, missing_left, value, roots, out):
    """Add the outputs of the trees ``roots`` to ``out`` for raw (unbinned) rows, NaN allowed.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    feature, threshold, left, right, missing_left, value : ndarray of shape (n_nodes,)
        The forest's flat node arrays (see the module docstring).
    roots : ndarray of shape (n_trees,), int64
        Root node of each tree to add; tree ``t`` adds to column ``t % out.shape[1]``.
    out : ndarray of shape (n_samples, n_outputs), float64
        Raw scores, updated in place: each row adds its trees in order (rows in parallel).
    """
    args = (X, feature, threshold, left, right, missing_left, value, roots, out)
    if X.shape[0] * max(1, roots.shape[0]) >= PARALLEL_MIN_WORK // 8:
        _predict_parallel(*args)
    else:
        _predict_rows(0, X.shape[0], *args)


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

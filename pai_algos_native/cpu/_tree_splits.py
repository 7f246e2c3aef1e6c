"""Split search of the histogram tree engine (CPU): numerical, categorical, monotonic.

Part of :mod:`pai_algos_native.cpu.trees` (which re-exports :func:`find_best_splits`,
:func:`node_loss` and :func:`split_gain`); kept apart so that each module reads in one go.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = ["BITSET_WORDS", "MIN_CAT_SUPPORT", "find_best_splits", "node_loss", "split_gain"]

#: below this many (row, feature) pairs a kernel runs serially: on small nodes, waking the
#: Numba threads costs more than the work (and far more on a busy machine).
PARALLEL_MIN_WORK = 65_536


#: 32-bit words of a categorical split's bitset: 8 x 32 bits cover the 256 codes.
BITSET_WORDS = 8
#: categories with less (count-scaled) hessian are sent right, and every category's ratio
#: ``G / (H + MIN_CAT_SUPPORT)`` is smoothed by it (LightGBM's ``cat_smooth``, scikit-learn's).
MIN_CAT_SUPPORT = 10.0
#: ``1e-15`` added to hessian sums, as scikit-learn does, so that an empty node has value 0.
_EPS_H = 1e-15


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
def _clipped_value(g, h, l2, lo, hi):
    """Leaf value ``-G / (H + lambda)`` clipped to the monotonic bounds ``[lo, hi]``."""
    v = -g / (h + l2 + _EPS_H)
    if v < lo:
        v = lo
    elif v > hi:
        v = hi
    return v


@njit(**JIT)
def _pair_gain(parent, gl, hl, gr, hr, l2, cst, lo, hi, bounded):
    """Gain of a split; -1 when its child values break the monotonic constraint ``cst``.

    With bounds (scikit-learn's rule), a node's loss is ``G * v`` for its clipped value ``v``;
    without, ``v`` is the unclipped optimum and the loss is :func:`node_loss`.
    """
    if not bounded:
        return parent - node_loss(gl, hl, l2) - node_loss(gr, hr, l2)
    vl = _clipped_value(gl, hl, l2, lo, hi)
    vr = _clipped_value(gr, hr, l2, lo, hi)
    if (cst > 0 and vl > vr) or (cst < 0 and vl < vr):
        return -1.0
    return parent - gl * vl - gr * vr


@njit(**JIT)
def _best_split_feature(
    hf, nb, has_missing, parent, sum_g, sum_h, n_samples, l2, msl, min_h, cst, lo, hi, bounded
):
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
        gain = _pair_gain(parent, gl, hl, gr, hr, l2, cst, lo, hi, bounded)
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
            gain = _pair_gain(parent, gl, hl, gr, hr, l2, cst, lo, hi, bounded)
            if gain > best and gain > 0.0:
                best, best_bin, best_ml, bgl, bhl, bcl = gain, b, 1, gl, hl, cl
    return best, best_bin, best_ml, bgl, bhl, bcl


@njit(**JIT)
def _in_bitset(bitset, code):
    return (bitset[code >> 5] >> np.uint32(code & 31)) & np.uint32(1) != 0


@njit(**JIT)
def _best_split_categorical(
    hf, nb, has_missing, parent, sum_g, sum_h, n_samples, l2, msl, min_h, lo, hi, bounded, bitset
):
    """(gain, missing_left, G_left, H_left, n_left) of a categorical feature's best split.

    scikit-learn's and LightGBM's rule (Fisher, 1958): categories with enough support are
    sorted by ``G / (H + MIN_CAT_SUPPORT)``; the split sends a prefix (or a suffix) of that
    order, at most half of the categories, left. The missing bin is one more category. The
    left categories' codes are written to ``bitset``.
    """
    missing_bin = hf.shape[0] - 1
    for w in range(bitset.shape[0]):
        bitset[w] = 0
    support = n_samples / sum_h if sum_h > 0 else 1.0
    n_cand = nb + has_missing
    cat_bins = np.empty(n_cand, dtype=np.int64)
    cat_vals = np.empty(n_cand)
    n_used = 0
    for c in range(n_cand):
        b = c if c < nb else missing_bin
        if hf[b, 1] * support >= MIN_CAT_SUPPORT:
            cat_bins[n_used] = b
            cat_vals[n_used] = hf[b, 0] / (hf[b, 1] + MIN_CAT_SUPPORT)
            n_used += 1
    best = -1.0
    best_s = 0
    best_dir = 1
    bgl = 0.0
    bhl = 0.0
    bcl = 0.0
    if n_used <= 1:
        return best, 0, bgl, bhl, bcl
    order = np.argsort(cat_vals[:n_used], kind="mergesort")
    for direction in (1, -1):
        middle = (n_used + 1) // 2 if direction == 1 else (n_used + 1) // 2 - 1
        gl = 0.0
        hl = 0.0
        cl = 0.0
        for i in range(middle):
            s = i if direction == 1 else n_used - 1 - i
            b = cat_bins[order[s]]
            gl += hf[b, 0]
            hl += hf[b, 1]
            cl += hf[b, 2]
            cr = n_samples - cl
            hr = sum_h - hl
            if cl < msl or hl < min_h:
                continue
            if cr < msl or hr < min_h:
                break
            gain = _pair_gain(parent, gl, hl, sum_g - gl, hr, l2, 0, lo, hi, bounded)
            if gain > best and gain > 0.0:
                best, best_s, best_dir, bgl, bhl, bcl = gain, s, direction, gl, hl, cl
    if best <= 0.0:
        return best, 0, bgl, bhl, bcl
    if best_dir == 1:
        first, last = 0, best_s
    else:
        first, last = best_s, n_used - 1
    for s in range(first, last + 1):
        b = cat_bins[order[s]]
        bitset[b >> 5] |= np.uint32(1 << (b & 31))
    ml = 1 if (has_missing and _in_bitset(bitset, missing_bin)) else 0
    return best, ml, bgl, bhl, bcl


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
    cst,
    lo,
    hi,
    bounded,
    is_cat,
    bitsets,
):
    if mask[f] == 0:
        gains[f] = -1.0
        bins[f] = 0
        missing_left[f] = 0
        return
    if is_cat[f]:
        gain, ml, gl, hl, cl = _best_split_categorical(
            hist[f],
            nbnm[f],
            has_missing[f],
            parent,
            sum_g,
            sum_h,
            n_samples,
            l2,
            msl,
            min_h,
            lo,
            hi,
            bounded,
            bitsets[f],
        )
        b = 0
    else:
        gain, b, ml, gl, hl, cl = _best_split_feature(
            hist[f],
            nbnm[f],
            has_missing[f],
            parent,
            sum_g,
            sum_h,
            n_samples,
            l2,
            msl,
            min_h,
            cst[f],
            lo,
            hi,
            bounded,
        )
    gains[f] = gain
    bins[f] = b
    missing_left[f] = ml
    left_stats[f, 0] = gl
    left_stats[f, 1] = hl
    left_stats[f, 2] = cl


@njit(**JIT)
def _parent_loss(sum_g, sum_h, l2, lo, hi, bounded):
    if bounded:
        return sum_g * _clipped_value(sum_g, sum_h, l2, lo, hi)
    return node_loss(sum_g, sum_h, l2)


@njit(**JIT_PARALLEL)
def _splits_parallel(hist, args):
    """:func:`_split_into` for every feature, features in parallel (``args`` as it takes)."""
    for f in prange(hist.shape[0]):
        _split_into(f, hist, *args)


@njit(**JIT)
def _splits_serial(hist, args):
    for f in range(hist.shape[0]):
        _split_into(f, hist, *args)


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
    monotonic_cst=None,
    lower=-np.inf,
    upper=np.inf,
    is_categorical=None,
    bitsets=None,
):
    """Best split of a node for every feature.

    Numerical features: scans the bins left to right with the missing values sent right,
    then, for features with missing values, right to left with them sent left (Chen &
    Guestrin, algorithm 3). Categorical features: categories sorted by their gradient/hessian
    ratio, a prefix or suffix of that order goes left (see :func:`_best_split_categorical`).
    A split must leave ``min_samples_leaf`` rows and ``min_hessian`` hessian on each side and
    have a positive gain. Ties keep the first candidate, as scikit-learn does.

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
        Output: rows with ``code <= bins[f]`` go left (0 for categorical features).
    missing_left : ndarray of shape (n_features,), uint8
        Output: whether missing values go left.
    left_stats : ndarray of shape (n_features, 3), float64
        Output: gradient sum, hessian sum and count of the left child.
    monotonic_cst : ndarray of shape (n_features,), int8, default=None
        -1, 0 or 1 per feature. When given, child values are clipped to ``[lower, upper]``,
        a node's loss is ``G * value`` (scikit-learn's rule) and a split whose left value is
        above (1) or below (-1) its right value is rejected.
    lower, upper : float, default=-inf, inf
        Bounds on the node's children values (monotonic constraints).
    is_categorical : ndarray of shape (n_features,), uint8, default=None
        Features whose bins are categories.
    bitsets : ndarray of shape (n_features, BITSET_WORDS), uint32, default=None
        Output for categorical features: bit ``c`` set when code ``c`` goes left.
    """
    d = hist.shape[0]
    bounded = monotonic_cst is not None
    if monotonic_cst is None:
        monotonic_cst = np.zeros(d, dtype=np.int8)
    if is_categorical is None:
        is_categorical = np.zeros(d, dtype=np.uint8)
    if bitsets is None:
        bitsets = np.zeros((d, BITSET_WORDS), dtype=np.uint32)
    sum_g, sum_h, l2, lower, upper = (float(v) for v in (sum_g, sum_h, l2, lower, upper))
    args = (
        n_bins_non_missing,
        has_missing,
        feature_mask,
        _parent_loss(sum_g, sum_h, l2, lower, upper, bounded),
        sum_g,
        sum_h,
        float(n_samples),
        l2,
        float(min_samples_leaf),
        float(min_hessian),
        gains,
        bins,
        missing_left,
        left_stats,
        monotonic_cst,
        lower,
        upper,
        bounded,
        is_categorical,
        bitsets,
    )
    if hist.shape[0] * hist.shape[1] * 4 >= PARALLEL_MIN_WORK:
        _splits_parallel(hist, args)
    else:
        _splits_serial(hist, args)

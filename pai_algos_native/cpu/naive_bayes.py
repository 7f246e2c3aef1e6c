"""CPU kernels for Gaussian naive Bayes: per-class moments and the joint log-likelihood.

Per-class moments are accumulated in float64 in one read of the data: each task walks its rows
in cache-sized blocks, computes every class's weighted block mean and corrected two-pass sum of
squares while the block is in cache, and merges them into its running moments with the pairwise
update of Chan, Golub & LeVeque (1983), eq. 1.5a/b. The number of tasks depends on the data
only, never on the thread count. An empty ``sample_weight`` means unit weights.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = ["class_moments", "joint_log_likelihood", "merge_class_moments"]

_MAX_TASKS = 64
# cap on the float64 values of the per-task partial moments (about 256 MiB)
_MAX_PARTIAL_VALUES = 1 << 25


@njit(**JIT)
def _merge_class(n_a, mean_a, m2_a, c, nb, mean_b, m2_b):
    """Merge one class's moments (nb, mean_b, m2_b) into row ``c`` of a (Chan et al. 1983)."""
    if nb == 0.0:
        return
    na = n_a[c]
    d = mean_b.shape[0]
    if na == 0.0:
        n_a[c] = nb
        for j in range(d):
            mean_a[c, j] = mean_b[j]
            m2_a[c, j] = m2_b[j]
        return
    n = na + nb
    fb = nb / n
    fab = na * nb / n
    for j in range(d):
        delta = mean_b[j] - mean_a[c, j]
        mean_a[c, j] += delta * fb
        m2_a[c, j] += m2_b[j] + delta * delta * fab
    n_a[c] = n


@njit(**JIT_PARALLEL)
def class_moments(X, y, n_classes, sample_weight):
    """Per-class weighted count, mean and sum of squared deviations of each feature.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    y : ndarray of shape (n_samples,), int64
        Class index of each row, in ``[0, n_classes)``.
    n_classes : int
    sample_weight : ndarray of shape (n_samples,) or (0,), float64
        Empty means unit weights.

    Returns
    -------
    count : ndarray of shape (n_classes,), float64
        Sum of weights per class.
    mean, m2 : ndarray of shape (n_classes, n_features), float64
        Weighted mean, and weighted sum of squared deviations (variance times count).
        A class without weight has count 0, mean 0 and m2 0.
    """
    n, d = X.shape
    k = n_classes
    weighted = sample_weight.shape[0] > 0
    block = max(16, min(2048, 16384 // max(d, 1)))
    n_blocks = (n + block - 1) // block
    by_memory = max(1, _MAX_PARTIAL_VALUES // max(1, 6 * k * d))
    n_tasks = max(1, min(n_blocks, _MAX_TASKS, by_memory))
    per_task = (n_blocks + n_tasks - 1) // n_tasks
    t_count = np.zeros((n_tasks, k))
    t_mean = np.zeros((n_tasks, k, d))
    t_m2 = np.zeros((n_tasks, k, d))
    for t in prange(n_tasks):
        bw = np.zeros(k)
        bmean = np.zeros((k, d))
        bc = np.zeros((k, d))
        bm2 = np.zeros((k, d))
        seen = np.zeros(k, dtype=np.int64)  # classes present in the current block
        start = t * per_task * block
        stop = min(n, start + per_task * block)
        for r0 in range(start, stop, block):
            r1 = min(stop, r0 + block)
            for i in range(r0, r1):
                c = y[i]
                w = sample_weight[i] if weighted else 1.0
                bw[c] += w
                for j in range(d):
                    bmean[c, j] += w * np.float64(X[i, j])
            # list the classes of the block (bw may be 0 with zero weights: use a flag)
            for i in range(r0, r1):
                c = y[i]
                if seen[c] == 0:
                    seen[c] = 1
            for c in range(k):
                if seen[c] == 1:
                    inv = 1.0 / bw[c] if bw[c] > 0.0 else 0.0
                    for j in range(d):
                        bmean[c, j] *= inv
            for i in range(r0, r1):
                c = y[i]
                w = sample_weight[i] if weighted else 1.0
                for j in range(d):
                    dx = np.float64(X[i, j]) - bmean[c, j]
                    bc[c, j] += w * dx
                    bm2[c, j] += w * dx * dx
            for c in range(k):
                if seen[c] == 1:
                    if bw[c] > 0.0:
                        # corrected two-pass: the sum of deviations is the rounding error of
                        # the block mean; it corrects both the mean and the sum of squares
                        inv = 1.0 / bw[c]
                        for j in range(d):
                            # the correction can overshoot by an ulp: a sum of squares is >= 0
                            bm2[c, j] = max(0.0, bm2[c, j] - bc[c, j] * bc[c, j] * inv)
                            bmean[c, j] += bc[c, j] * inv
                    _merge_class(t_count[t], t_mean[t], t_m2[t], c, bw[c], bmean[c], bm2[c])
                    seen[c] = 0
                    bw[c] = 0.0
                    bmean[c, :] = 0.0
                    bc[c, :] = 0.0
                    bm2[c, :] = 0.0
    count = np.zeros(k)
    mean = np.zeros((k, d))
    m2 = np.zeros((k, d))
    for t in range(n_tasks):
        for c in range(k):
            _merge_class(count, mean, m2, c, t_count[t, c], t_mean[t, c], t_m2[t, c])
    return count, mean, m2


@njit(**JIT)
def merge_class_moments(count_a, mean_a, m2_a, count_b, mean_b, m2_b):
    """Merge two sets of per-class moments; returns new (count, mean, m2) arrays."""
    count = count_a.copy()
    mean = mean_a.copy()
    m2 = m2_a.copy()
    for c in range(count.shape[0]):
        _merge_class(count, mean, m2, c, count_b[c], mean_b[c], m2_b[c])
    return count, mean, m2


@njit(**JIT_PARALLEL)
def joint_log_likelihood(X, theta, var, log_prior, out):
    """``out[i, c] = log_prior[c] - 0.5 * sum_j (log(2 pi var[c, j]) + (X[i, j] - theta[c, j])**2
    / var[c, j])``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64
    theta, var : ndarray of shape (n_classes, n_features), float64
    log_prior : ndarray of shape (n_classes,), float64
    out : ndarray of shape (n_samples, n_classes), float32 or float64
        Written in place; the sums are carried in float64.
    """
    n, d = X.shape
    k = theta.shape[0]
    prec = np.empty((k, d))
    const = np.empty(k)
    for c in range(k):
        s = 0.0
        for j in range(d):
            prec[c, j] = 1.0 / var[c, j]
            s += math.log(2.0 * math.pi * var[c, j])
        const[c] = log_prior[c] - 0.5 * s
    # rows go in blocks transposed to (feature, row) float64 buffers, so that the innermost
    # loop runs over rows: independent accumulators that vectorise without reassociating sums
    block = 64
    n_blocks = (n + block - 1) // block
    for b in prange(n_blocks):
        r0 = b * block
        m = min(n, r0 + block) - r0
        buf = np.empty((d, block))
        acc = np.empty(block)
        for r in range(m):
            for j in range(d):
                buf[j, r] = X[r0 + r, j]
        for c in range(k):
            acc[:m] = 0.0
            for j in range(d):
                t = theta[c, j]
                p = prec[c, j]
                for r in range(m):
                    dx = buf[j, r] - t
                    acc[r] += dx * dx * p
            for r in range(m):
                out[r0 + r, c] = const[c] - 0.5 * acc[r]

"""Discriminant-analysis kernels (CPU): per-class means and scatter in one parallel pass.

- :func:`class_moments` reads ``X`` once: rows are cut into chunks fixed by the problem size
  (never by the thread count); each chunk keeps, per class, a count, a mean and the centred
  scatter ``sum (x - m)(x - m)^T`` updated row by row (Welford), and the chunks are merged
  in chunk order with Chan et al.'s pairwise formula. Everything is float64, whatever the
  dtype of ``X``, and the result does not depend on the number of threads.
- :func:`class_fourth_moments` gives ``sum_i ||(x_i - m_{y_i}) * scale||^4`` per class, the
  one quantity the Ledoit-Wolf shrinkage needs beyond the scatter.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = ["class_fourth_moments", "class_moments", "n_chunks_for"]

MIN_CHUNK_ROWS = 512
MAX_CHUNKS = 64
# Bound on the float64 values held by the per-chunk partial scatters.
PARTIAL_BUDGET = 1 << 23


def n_chunks_for(n_samples: int, per_chunk: int) -> int:
    """Number of row chunks: a function of the problem size only, never of the threads."""
    by_rows = -(-n_samples // MIN_CHUNK_ROWS)
    by_memory = max(1, PARTIAL_BUDGET // max(1, per_chunk))
    return int(max(1, min(by_rows, MAX_CHUNKS, by_memory)))


@njit(**JIT)
def _chunk_moments(X, y, start, stop, counts, means, scatter, delta):
    # Welford's update of the upper triangle; the lower one is filled at the end
    d = X.shape[1]
    for i in range(start, stop):
        k = y[i]
        counts[k] += 1
        inv = 1.0 / counts[k]
        for j in range(d):
            delta[j] = np.float64(X[i, j]) - means[k, j]
            means[k, j] += delta[j] * inv
        for j in range(d):
            # delta_j * (x_l - new mean_l) = delta_j * delta_l * (n - 1) / n
            a = delta[j] * (1.0 - inv)
            for m in range(j, d):
                scatter[k, j, m] += a * delta[m]


@njit(**JIT)
def _merge(na, ma, sa, nb, mb, sb, delta):
    # Chan, Golub & LeVeque: (na, ma, sa) absorbs (nb, mb, sb); upper triangles only
    d = ma.shape[0]
    n = na + nb
    f = nb / n
    g = na * f
    for j in range(d):
        delta[j] = mb[j] - ma[j]
    for j in range(d):
        ma[j] += delta[j] * f
        a = delta[j] * g
        for m in range(j, d):
            sa[j, m] += sb[j, m] + a * delta[m]


@njit(**JIT_PARALLEL)
def _class_moments(X, y, n_classes, n_chunks, counts, means, scatter):
    n, d = X.shape
    c_counts = np.zeros((n_chunks, n_classes))
    c_means = np.zeros((n_chunks, n_classes, d))
    c_scatter = np.zeros((n_chunks, n_classes, d, d))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        delta = np.empty(d)
        _chunk_moments(X, y, start, stop, c_counts[c], c_means[c], c_scatter[c], delta)
    delta = np.empty(d)
    tot = np.zeros(n_classes)
    means[:] = 0.0
    scatter[:] = 0.0
    for c in range(n_chunks):
        for k in range(n_classes):
            nb = c_counts[c, k]
            if nb == 0.0:
                continue
            if tot[k] == 0.0:
                means[k] = c_means[c, k]
                scatter[k] = c_scatter[c, k]
            else:
                _merge(tot[k], means[k], scatter[k], nb, c_means[c, k], c_scatter[c, k], delta)
            tot[k] += nb
    for k in range(n_classes):
        counts[k] = np.int64(tot[k])
        for j in range(d):
            for m in range(j + 1, d):
                scatter[k, m, j] = scatter[k, j, m]


def class_moments(X, y_index, n_classes):
    """Per-class counts, means and centred scatter matrices in one pass over ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    y_index : int64 ndarray of shape (n_samples,)
        Class index of each row, in ``[0, n_classes)``.
    n_classes : int

    Returns
    -------
    counts : int64 ndarray of shape (n_classes,)
    means : float64 ndarray of shape (n_classes, n_features)
    scatter : float64 ndarray of shape (n_classes, n_features, n_features)
        ``sum_{i in k} (x_i - mean_k)(x_i - mean_k)^T`` (symmetric).
    """
    n, d = X.shape
    n_chunks = n_chunks_for(n, n_classes * (d * d + d + 1))
    counts = np.zeros(n_classes, dtype=np.int64)
    means = np.zeros((n_classes, d))
    scatter = np.zeros((n_classes, d, d))
    _class_moments(X, y_index, int(n_classes), n_chunks, counts, means, scatter)
    return counts, means, scatter


@njit(**JIT_PARALLEL)
def _fourth(X, y, means, scale, n_classes, n_chunks, out):
    n, d = X.shape
    parts = np.zeros((n_chunks, n_classes))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        for i in range(start, stop):
            k = y[i]
            s = 0.0
            for j in range(d):
                z = (np.float64(X[i, j]) - means[k, j]) * scale[k, j]
                s += z * z
            parts[c, k] += s * s
    out[:] = 0.0
    for c in range(n_chunks):
        for k in range(n_classes):
            out[k] += parts[c, k]


def class_fourth_moments(X, y_index, means, scale):
    """``sum_{i in k} ||(x_i - means[k]) * scale[k]||^4`` per class (float64, fixed order).

    ``means`` and ``scale`` are float64 arrays of shape (n_classes, n_features).
    """
    n_classes = means.shape[0]
    out = np.zeros(n_classes)
    _fourth(X, y_index, means, scale, n_classes, n_chunks_for(X.shape[0], n_classes), out)
    return out

"""Clustering kernels (CPU): k-means assignment, fused Lloyd step, k-means++ trials, distances.

Squared distances for the argmin use the expansion ``||x||^2 - 2 x.c + ||c||^2``, with the dot
products of a block of :data:`BLOCK` rows computed by one BLAS call (``np.dot``) and the argmin,
the label and the weighted sums done in the same pass while the block is in cache. The
returned inertia of :func:`assign_labels` and the output of :func:`pairwise_distances` use the
exact differences ``sum_f (x_f - c_f) ** 2`` instead (no cancellation).

Rows are processed in fixed chunks of :data:`CHUNK` rows (one ``prange`` work item each). Each
chunk keeps its own partial sums (float64) and the partials are added in chunk order
afterwards, so the results do not depend on the number of threads. The caller limits BLAS to
one thread (threadpoolctl) so that the BLAS calls do not oversubscribe the Numba threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "CHUNK",
    "assign_labels",
    "kmeanspp_trials",
    "lloyd_step",
    "pairwise_distances",
    "row_sq_norms",
    "to_device",
]

#: rows per parallel work item; fixed, so that reductions are done in the same order whatever
#: the thread count.
CHUNK = 4096
#: rows per BLAS block inside a chunk: the (BLOCK, n_clusters) block of dot products stays in
#: cache between the product and the argmin.
BLOCK = 256


def to_device(a):
    """Return ``a`` unchanged: the CPU kernels work on host arrays (twin of the CUDA upload)."""
    return a


@njit(**JIT)
def _transpose(points):
    """(m, d) -> contiguous (d, m) copy, so that the loop over the m points is innermost."""
    m, d = points.shape
    out = np.empty((d, m), dtype=points.dtype)
    for j in range(m):
        for f in range(d):
            out[f, j] = points[j, f]
    return out


@njit(**JIT)
def _sq_dists_row(X, i, points_t, out):
    """out[j] = ||X[i] - points[j]||^2 for every point j (points given transposed)."""
    d, m = points_t.shape
    for j in range(m):
        out[j] = 0.0
    for f in range(d):
        xf = X[i, f]
        for j in range(m):
            diff = xf - points_t[f, j]
            out[j] += diff * diff


@njit(**JIT)
def _argmin(values):
    best = 0
    best_value = values[0]
    for j in range(1, values.shape[0]):
        if values[j] < best_value:
            best_value = values[j]
            best = j
    return best


@njit(**JIT)
def _half_sq_norms(points):
    m, d = points.shape
    out = np.empty(m, dtype=points.dtype)
    for j in range(m):
        acc = 0.0
        for f in range(d):
            acc += np.float64(points[j, f]) * points[j, f]
        out[j] = 0.5 * acc
    return out


@njit(**JIT)
def _exact_sq_dist(X, i, centers, j):
    # four partial sums break the serial add chain; fixed order, so results are repeatable
    d = X.shape[1]
    a0 = a1 = a2 = a3 = 0.0
    f = 0
    while f + 4 <= d:
        t0 = np.float64(X[i, f]) - centers[j, f]
        t1 = np.float64(X[i, f + 1]) - centers[j, f + 1]
        t2 = np.float64(X[i, f + 2]) - centers[j, f + 2]
        t3 = np.float64(X[i, f + 3]) - centers[j, f + 3]
        a0 += t0 * t0
        a1 += t1 * t1
        a2 += t2 * t2
        a3 += t3 * t3
        f += 4
    while f < d:
        t0 = np.float64(X[i, f]) - centers[j, f]
        a0 += t0 * t0
        f += 1
    return (a0 + a1) + (a2 + a3)


@njit(**JIT)
def _lloyd_chunk(
    X,
    x_sq_norms,
    sample_weight,
    centers,
    centers_t,
    half_norms,
    labels,
    start,
    end,
    dots,
    psum,
    pw,
    update,
):
    """Rows start:end: labels (and, if ``update``, the weighted sums); returns their inertia.

    The argmin uses ``||c||^2 / 2 - x.c`` (the row's own norm does not change it), with the
    dot products of a block of rows computed by one BLAS call. With ``update`` the inertia is
    ``||x||^2 + 2 * best`` (cheap, for the history); without, the exact distance.
    """
    d = X.shape[1]
    k = centers.shape[0]
    acc = 0.0
    for b0 in range(start, end, BLOCK):
        b1 = min(end, b0 + BLOCK)
        block = dots[: b1 - b0]
        np.dot(X[b0:b1], centers_t, block)
        for r in range(b1 - b0):
            i = b0 + r
            lab = 0
            best = half_norms[0] - block[r, 0]
            for j in range(1, k):
                v = half_norms[j] - block[r, j]
                if v < best:
                    best = v
                    lab = j
            labels[i] = lab
            w = np.float64(sample_weight[i])
            if update:
                acc += w * max(x_sq_norms[i] + 2.0 * best, 0.0)
                pw[lab] += w
                for f in range(d):
                    psum[lab, f] += w * X[i, f]
            else:
                acc += w * _exact_sq_dist(X, i, centers, lab)
    return acc


@njit(**JIT_PARALLEL)
def lloyd_step(X, x_sq_norms, sample_weight, centers, labels, sums, weights):
    """One fused Lloyd iteration: assign each row to its closest center and accumulate.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    x_sq_norms : ndarray of shape (n_samples,), float64
        ``||x_i||^2``, computed once per fit (:func:`row_sq_norms`).
    sample_weight : ndarray of shape (n_samples,), same dtype as X
    centers : ndarray of shape (n_clusters, n_features), same dtype as X
        The current centers.
    labels : ndarray of shape (n_samples,), int32
        Output: index of the closest center of each row (lowest index on ties).
    sums : ndarray of shape (n_clusters, n_features), float64
        Output: ``sum_{i in cluster j} w_i x_i``.
    weights : ndarray of shape (n_clusters,), float64
        Output: ``sum_{i in cluster j} w_i``.

    Returns
    -------
    inertia : float
        ``sum_i w_i ||x_i - c_{labels_i}||^2`` with respect to ``centers`` (float64), from the
        expansion (for the history; :func:`assign_labels` gives the exact value).
    """
    n, d = X.shape
    k = centers.shape[0]
    centers_t = _transpose(centers)
    half_norms = _half_sq_norms(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    part_sums = np.zeros((n_chunks, k, d), dtype=np.float64)
    part_weights = np.zeros((n_chunks, k), dtype=np.float64)
    part_inertia = np.zeros(n_chunks, dtype=np.float64)
    for ch in prange(n_chunks):
        dots = np.empty((BLOCK, k), dtype=X.dtype)
        part_inertia[ch] = _lloyd_chunk(
            X,
            x_sq_norms,
            sample_weight,
            centers,
            centers_t,
            half_norms,
            labels,
            ch * CHUNK,
            min(n, (ch + 1) * CHUNK),
            dots,
            part_sums[ch],
            part_weights[ch],
            True,
        )
    sums[:] = 0.0
    weights[:] = 0.0
    inertia = 0.0
    for ch in range(n_chunks):
        inertia += part_inertia[ch]
        for j in range(k):
            weights[j] += part_weights[ch, j]
            for f in range(d):
                sums[j, f] += part_sums[ch, j, f]
    return inertia


@njit(**JIT_PARALLEL)
def assign_labels(X, x_sq_norms, sample_weight, centers, labels):
    """E-step only: ``labels[i] = argmin_j ||x_i - c_j||^2``; returns the weighted inertia.

    Same arguments as :func:`lloyd_step` without the accumulators (``x_sq_norms`` is unused
    here but kept so that both kernels take the data the same way). The inertia is computed
    from exact differences.
    """
    n, d = X.shape
    k = centers.shape[0]
    centers_t = _transpose(centers)
    half_norms = _half_sq_norms(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    part_inertia = np.zeros(n_chunks, dtype=np.float64)
    dummy_sums = np.zeros((1, 1), dtype=np.float64)
    dummy_weights = np.zeros(1, dtype=np.float64)
    for ch in prange(n_chunks):
        dots = np.empty((BLOCK, k), dtype=X.dtype)
        part_inertia[ch] = _lloyd_chunk(
            X,
            x_sq_norms,
            sample_weight,
            centers,
            centers_t,
            half_norms,
            labels,
            ch * CHUNK,
            min(n, (ch + 1) * CHUNK),
            dots,
            dummy_sums,
            dummy_weights,
            False,
        )
    inertia = 0.0
    for ch in range(n_chunks):
        inertia += part_inertia[ch]
    return inertia


@njit(**JIT)
def _kmeanspp_chunk(
    X, x_sq_norms, cand_t, cand_sq, closest_dist_sq, sample_weight, start, end, dots, out, pot
):
    m = cand_t.shape[1]
    for b0 in range(start, end, BLOCK):
        b1 = min(end, b0 + BLOCK)
        block = dots[: b1 - b0]
        np.dot(X[b0:b1], cand_t, block)
        for r in range(b1 - b0):
            i = b0 + r
            w = np.float64(sample_weight[i])
            for t in range(m):
                dist = max(x_sq_norms[i] + cand_sq[t] - 2.0 * block[r, t], 0.0)
                v = min(np.float64(closest_dist_sq[i]), dist)
                out[t, i] = v
                pot[t] += w * out[t, i]


@njit(**JIT_PARALLEL)
def kmeanspp_trials(X, x_sq_norms, candidates, closest_dist_sq, sample_weight, out):
    """Distance update of greedy k-means++ for a set of candidate centers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    x_sq_norms : ndarray of shape (n_samples,), float64
    candidates : ndarray of shape (n_trials, n_features), same dtype as X
    closest_dist_sq : ndarray of shape (n_samples,), same dtype as X
        Squared distance of each row to its closest chosen center (``inf`` before the first).
    sample_weight : ndarray of shape (n_samples,), same dtype as X
    out : ndarray of shape (n_trials, n_samples), same dtype as X
        Output: ``min(closest_dist_sq[i], ||x_i - candidates[t]||^2)``.

    Returns
    -------
    potentials : ndarray of shape (n_trials,), float64
        ``sum_i w_i out[t, i]``: the potential if candidate t were added.
    """
    n = X.shape[0]
    m = candidates.shape[0]
    cand_t = _transpose(candidates)
    cand_sq = 2.0 * _half_sq_norms(candidates).astype(np.float64)
    n_chunks = (n + CHUNK - 1) // CHUNK
    part = np.zeros((n_chunks, m), dtype=np.float64)
    for ch in prange(n_chunks):
        dots = np.empty((BLOCK, m), dtype=X.dtype)
        _kmeanspp_chunk(
            X,
            x_sq_norms,
            cand_t,
            cand_sq,
            closest_dist_sq,
            sample_weight,
            ch * CHUNK,
            min(n, (ch + 1) * CHUNK),
            dots,
            out,
            part[ch],
        )
    potentials = np.zeros(m, dtype=np.float64)
    for ch in range(n_chunks):
        for t in range(m):
            potentials[t] += part[ch, t]
    return potentials


@njit(**JIT_PARALLEL)
def row_sq_norms(X):
    """``||x_i||^2`` of every row, accumulated in float64."""
    n, d = X.shape
    out = np.empty(n, dtype=np.float64)
    for i in prange(n):
        acc = 0.0
        for f in range(d):
            acc += np.float64(X[i, f]) * X[i, f]
        out[i] = acc
    return out


@njit(**JIT_PARALLEL)
def pairwise_distances(X, centers, out):
    """``out[i, j] = ||x_i - c_j||`` (Euclidean, not squared), in the dtype of X."""
    n = X.shape[0]
    k = centers.shape[0]
    centers_t = _transpose(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    for ch in prange(n_chunks):
        for i in range(ch * CHUNK, min(n, (ch + 1) * CHUNK)):
            row = out[i]
            _sq_dists_row(X, i, centers_t, row)
            for j in range(k):
                row[j] = np.sqrt(row[j])
    return out

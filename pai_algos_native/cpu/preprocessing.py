"""CPU kernels for feature scaling: column moments and the scaling pass.

Moments are accumulated in float64 whatever the input dtype. The dense kernel reads the data
once: each task walks its rows in cache-sized blocks, computes a block's weighted mean and its
corrected two-pass sum of squares while the block is in cache, and merges the block into its
running moments with the pairwise update of Chan, Golub & LeVeque (1983), eq. 1.5a/b. The tasks'
moments are merged the same way. The number of tasks depends on the data only (never on the
thread count), so results do not change with ``n_jobs``. NaN entries are skipped (missing
values), so counts are per feature.

Weights: an empty ``sample_weight`` array means "all ones".
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "csc_moments",
    "csr_moments",
    "dense_moments",
    "dense_scale",
    "merge_moments",
    "sparse_scale",
]

_MAX_TASKS = 64


@njit(**JIT)
def _block_rows(n_features):
    # about 128 KiB of float64 per block: it stays in L2 between the two passes
    rows = 16384 // max(n_features, 1)
    return max(16, min(2048, rows))


@njit(**JIT)
def _merge_into(n_a, mean_a, m2_a, n_b, mean_b, m2_b):
    """Merge moments b into a, feature by feature (Chan et al. 1983, eq. 1.5a/b)."""
    for j in range(n_a.shape[0]):
        nb = n_b[j]
        if nb == 0.0:
            continue
        na = n_a[j]
        if na == 0.0:
            n_a[j] = nb
            mean_a[j] = mean_b[j]
            m2_a[j] = m2_b[j]
            continue
        n = na + nb
        delta = mean_b[j] - mean_a[j]
        mean_a[j] += delta * (nb / n)
        m2_a[j] += m2_b[j] + delta * delta * (na * nb / n)
        n_a[j] = n


@njit(**JIT_PARALLEL)
def dense_moments(X, sample_weight):
    """Per-column weighted count, mean and sum of squared deviations, skipping NaN.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    sample_weight : ndarray of shape (n_samples,) or (0,), float64
        Empty means unit weights.

    Returns
    -------
    count, mean, m2 : ndarray of shape (n_features,), float64
        ``m2`` is the weighted sum of squared deviations from ``mean`` (variance times count).
        Columns with no finite value have count 0, mean 0 and m2 0.
    """
    n, d = X.shape
    weighted = sample_weight.shape[0] > 0
    block = _block_rows(d)
    n_blocks = (n + block - 1) // block
    n_tasks = max(1, min(n_blocks, _MAX_TASKS))
    per_task = (n_blocks + n_tasks - 1) // n_tasks
    t_count = np.zeros((n_tasks, d))
    t_mean = np.zeros((n_tasks, d))
    t_m2 = np.zeros((n_tasks, d))
    for t in prange(n_tasks):
        bw = np.empty(d)
        bs = np.empty(d)
        bc = np.empty(d)
        bm2 = np.empty(d)
        start = t * per_task * block
        stop = min(n, start + per_task * block)
        for r0 in range(start, stop, block):
            r1 = min(stop, r0 + block)
            bw[:] = 0.0
            bs[:] = 0.0
            # branch-free NaN skipping (selects, not jumps) so that the loops over j vectorise
            if weighted:
                for i in range(r0, r1):
                    w = sample_weight[i]
                    for j in range(d):
                        x = np.float64(X[i, j])
                        ok = x == x
                        bw[j] += w if ok else 0.0
                        bs[j] += w * x if ok else 0.0
            else:
                for i in range(r0, r1):
                    for j in range(d):
                        x = np.float64(X[i, j])
                        ok = x == x
                        bw[j] += 1.0 if ok else 0.0
                        bs[j] += x if ok else 0.0
            for j in range(d):
                bs[j] = bs[j] / bw[j] if bw[j] > 0.0 else 0.0
                bc[j] = 0.0
                bm2[j] = 0.0
            if weighted:
                for i in range(r0, r1):
                    w = sample_weight[i]
                    for j in range(d):
                        x = np.float64(X[i, j])
                        dx = x - bs[j] if x == x else 0.0
                        wdx = w * dx
                        bc[j] += wdx
                        bm2[j] += wdx * dx
            else:
                for i in range(r0, r1):
                    for j in range(d):
                        x = np.float64(X[i, j])
                        dx = x - bs[j] if x == x else 0.0
                        bc[j] += dx
                        bm2[j] += dx * dx
            for j in range(d):
                # corrected two-pass: the sum of deviations is the rounding error of the
                # block mean; it corrects both the mean and the sum of squares
                if bw[j] > 0.0:
                    # the correction can overshoot by an ulp: a sum of squares is >= 0
                    bm2[j] = max(0.0, bm2[j] - bc[j] * bc[j] / bw[j])
                    bs[j] += bc[j] / bw[j]
            _merge_into(t_count[t], t_mean[t], t_m2[t], bw, bs, bm2)
    count = np.zeros(d)
    mean = np.zeros(d)
    m2 = np.zeros(d)
    for t in range(n_tasks):
        _merge_into(count, mean, m2, t_count[t], t_mean[t], t_m2[t])
    return count, mean, m2


@njit(**JIT_PARALLEL)
def csr_moments(data, indices, indptr, n_features, sample_weight):
    """Per-column moments of a CSR matrix, implicit zeros included, NaN skipped.

    Parameters
    ----------
    data : ndarray of shape (nnz,), float32 or float64
    indices : ndarray of shape (nnz,), int32 or int64
    indptr : ndarray of shape (n_samples + 1,)
    n_features : int
    sample_weight : ndarray of shape (n_samples,) or (0,), float64

    Returns
    -------
    count, mean, m2 : ndarray of shape (n_features,), float64
    """
    n = indptr.shape[0] - 1
    d = n_features
    weighted = sample_weight.shape[0] > 0
    rows_per_task = max(1024, (n + _MAX_TASKS - 1) // _MAX_TASKS)
    n_tasks = max(1, (n + rows_per_task - 1) // rows_per_task)
    # pass 1: weighted sums of the stored values and weights of NaN entries, per task
    t_sum = np.zeros((n_tasks, d))
    t_nan = np.zeros((n_tasks, d))
    t_wtot = np.zeros(n_tasks)
    for t in prange(n_tasks):
        r0 = t * rows_per_task
        r1 = min(n, r0 + rows_per_task)
        for i in range(r0, r1):
            w = sample_weight[i] if weighted else 1.0
            t_wtot[t] += w
            for k in range(indptr[i], indptr[i + 1]):
                x = np.float64(data[k])
                j = indices[k]
                if x == x:
                    t_sum[t, j] += w * x
                else:
                    t_nan[t, j] += w
    total = 0.0
    for t in range(n_tasks):
        total += t_wtot[t]
    count = np.full(d, total)
    mean = np.zeros(d)
    for t in range(n_tasks):
        for j in range(d):
            count[j] -= t_nan[t, j]
            mean[j] += t_sum[t, j]
    for j in range(d):
        mean[j] = mean[j] / count[j] if count[j] > 0.0 else 0.0
    # pass 2: squared deviations of stored values, and the weight they carry
    t_m2 = np.zeros((n_tasks, d))
    t_corr = np.zeros((n_tasks, d))
    t_wnz = np.zeros((n_tasks, d))
    for t in prange(n_tasks):
        r0 = t * rows_per_task
        r1 = min(n, r0 + rows_per_task)
        for i in range(r0, r1):
            w = sample_weight[i] if weighted else 1.0
            for k in range(indptr[i], indptr[i + 1]):
                x = np.float64(data[k])
                j = indices[k]
                if x == x:
                    dx = x - mean[j]
                    t_m2[t, j] += w * dx * dx
                    t_corr[t, j] += w * dx
                    t_wnz[t, j] += w
    m2 = np.zeros(d)
    for j in range(d):
        s = 0.0
        c = 0.0
        wnz = 0.0
        for t in range(n_tasks):
            s += t_m2[t, j]
            c += t_corr[t, j]
            wnz += t_wnz[t, j]
        if count[j] > 0.0:
            wz = count[j] - wnz  # weight of the implicit zeros
            c += wz * (0.0 - mean[j])
            m2[j] = max(0.0, s + wz * mean[j] * mean[j] - c * c / count[j])
            mean[j] += c / count[j]
    return count, mean, m2


@njit(**JIT_PARALLEL)
def csc_moments(data, indices, indptr, n_samples, sample_weight):
    """Per-column moments of a CSC matrix (same outputs as :func:`csr_moments`)."""
    d = indptr.shape[0] - 1
    weighted = sample_weight.shape[0] > 0
    total = 0.0
    if weighted:
        for i in range(n_samples):
            total += sample_weight[i]
    else:
        total = float(n_samples)
    count = np.empty(d)
    mean = np.empty(d)
    m2 = np.empty(d)
    for j in prange(d):
        s = 0.0
        wnan = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            x = np.float64(data[k])
            w = sample_weight[indices[k]] if weighted else 1.0
            if x == x:
                s += w * x
            else:
                wnan += w
        cnt = total - wnan
        mu = s / cnt if cnt > 0.0 else 0.0
        sq = 0.0
        corr = 0.0
        wnz = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            x = np.float64(data[k])
            w = sample_weight[indices[k]] if weighted else 1.0
            if x == x:
                dx = x - mu
                sq += w * dx * dx
                corr += w * dx
                wnz += w
        wz = cnt - wnz
        corr -= wz * mu
        count[j] = cnt
        if cnt > 0.0:
            mean[j] = mu + corr / cnt
            m2[j] = max(0.0, sq + wz * mu * mu - corr * corr / cnt)
        else:
            mean[j] = 0.0
            m2[j] = 0.0
    return count, mean, m2


@njit(**JIT)
def merge_moments(count_a, mean_a, m2_a, count_b, mean_b, m2_b):
    """Merge two sets of per-column moments; returns new (count, mean, m2) arrays."""
    count = count_a.copy()
    mean = mean_a.copy()
    m2 = m2_a.copy()
    _merge_into(count, mean, m2, count_b, mean_b, m2_b)
    return count, mean, m2


@njit(**JIT_PARALLEL)
def dense_scale(X, mean, scale, out, inverse):
    """``out = (X - mean) / scale``, or ``out = X * scale + mean`` when ``inverse``.

    Arithmetic is in the dtype of ``X``; ``mean`` and ``scale`` must have that dtype, so the
    result is bit-for-bit what NumPy's ``(X - mean) / scale`` gives. ``out`` may be ``X``
    (in place). NaN stays NaN.
    """
    n, d = X.shape
    if inverse:
        for i in prange(n):
            for j in range(d):
                out[i, j] = X[i, j] * scale[j] + mean[j]
    else:
        for i in prange(n):
            for j in range(d):
                out[i, j] = (X[i, j] - mean[j]) / scale[j]


@njit(**JIT_PARALLEL)
def sparse_scale(data, indices, factor, out):
    """``out[k] = data[k] * factor[indices[k]]``: column scaling of CSR/CSC stored values.

    The product is taken in float64 (``factor`` is float64) and rounded to ``out``'s dtype,
    as NumPy's in-place ``data *= factor[indices]`` does. ``out`` may be ``data``.
    """
    nnz = data.shape[0]
    for k in prange(nnz):
        out[k] = np.float64(data[k]) * factor[indices[k]]

"""Least-squares kernels (CPU): weighted, shifted Gram moments in one pass over the rows.

For rows ``x_i`` (``n_features``), targets ``y_i`` (``n_targets``), weights ``w_i`` and shifts
``c`` (features) and ``e`` (targets), one pass computes

- ``G = sum_i w_i (x_i - c)(x_i - c)^T``            (``n_features x n_features``),
- ``XtY = sum_i w_i (x_i - c)(y_i - e)^T``          (``n_features x n_targets``),
- ``x_sum = sum_i w_i (x_i - c)``, ``y_sum = sum_i w_i (y_i - e)`` and ``sum_i w_i`` (returned).

The caller centres afterwards: with ``S = sum_i w_i`` and ``m = x_sum / S``,
``G - S m m^T`` is the weighted Gram matrix of the centred data (exact algebra; the shift only
keeps the float64 sums free of cancellation when the columns have large means). The CSR kernel
takes no feature shift (it would destroy sparsity), only the target shift.

Conventions shared with :mod:`pai_algos_native.cuda.linear_gram`: ``X`` is float32 or float64
(C-contiguous), ``Y`` is float64 of shape ``(n_samples, n_targets)``, ``sample_weight``,
``x_shift`` and ``y_shift`` are float64; the outputs are float64 arrays overwritten by the call.

:func:`gram_dense_rows` does the same over a subset ``X[rows]`` without copying it (a CV
fold); it is the package's one dense Gram kernel, used by the coordinate-descent solvers of
:mod:`pai_algos_native.cpu.linear_cd` as well.

Rows are cut into chunks fixed by the problem size (never by the thread count); a chunk
accumulates the lower triangle of the moments of the augmented rows ``[x_i - c, y_i - e, 1]``
four rows at a time in float64 (the products are
formed in float64 whatever the dtype of ``X``), and the chunk partials are summed in chunk
order, so the result does not depend on the number of threads. No BLAS is called.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = ["gram_csr", "gram_dense", "gram_dense_rows", "n_chunks_for", "to_device"]

# Chunks hold at least this many rows, and there are at most MAX_CHUNKS of them.
MIN_CHUNK_ROWS = 1024
MAX_CHUNKS = 32
# Bound on the float64 values held by the per-chunk partial moments.
PARTIAL_BUDGET = 1 << 24


def n_chunks_for(n_samples: int, n_partial: int) -> int:
    """Number of row chunks: a function of the problem size only, never of the threads."""
    by_rows = -(-n_samples // MIN_CHUNK_ROWS)
    by_memory = max(1, PARTIAL_BUDGET // max(1, n_partial))
    return int(max(1, min(by_rows, MAX_CHUNKS, by_memory)))


def to_device(array):
    """Identity on the CPU (the CUDA module copies to the GPU)."""
    return array


@njit(**JIT)
def _dense_chunk(X, rows, Y, sw, c, e, start, stop, M):
    # The lower triangle of M = sum_i w_i b_i b_i^T over the augmented rows
    # b_i = [x_i - c, y_i - e, 1], four rows at a time: each load and store of M[j, :]
    # carries four products, so the loop is bound by arithmetic, not by memory traffic.
    d = X.shape[1]
    t = Y.shape[1]
    m = d + t + 1
    b0, b1, b2, b3 = np.ones(m), np.ones(m), np.ones(m), np.ones(m)
    i = start
    while i + 4 <= stop:
        w0, w1, w2, w3 = sw[i], sw[i + 1], sw[i + 2], sw[i + 3]
        r0, r1, r2, r3 = rows[i], rows[i + 1], rows[i + 2], rows[i + 3]
        for j in range(d):
            cj = c[j]
            b0[j] = np.float64(X[r0, j]) - cj
            b1[j] = np.float64(X[r1, j]) - cj
            b2[j] = np.float64(X[r2, j]) - cj
            b3[j] = np.float64(X[r3, j]) - cj
        for k in range(t):
            b0[d + k] = Y[i, k] - e[k]
            b1[d + k] = Y[i + 1, k] - e[k]
            b2[d + k] = Y[i + 2, k] - e[k]
            b3[d + k] = Y[i + 3, k] - e[k]
        for j in range(m):
            a0, a1, a2, a3 = w0 * b0[j], w1 * b1[j], w2 * b2[j], w3 * b3[j]
            Mj = M[j]
            for k in range(j + 1):
                Mj[k] += (a0 * b0[k] + a1 * b1[k]) + (a2 * b2[k] + a3 * b3[k])
        i += 4
    while i < stop:
        w0 = sw[i]
        r0 = rows[i]
        for j in range(d):
            b0[j] = np.float64(X[r0, j]) - c[j]
        for k in range(t):
            b0[d + k] = Y[i, k] - e[k]
        for j in range(m):
            a0 = w0 * b0[j]
            Mj = M[j]
            for k in range(j + 1):
                Mj[k] += a0 * b0[k]
        i += 1


@njit(**JIT)
def _split(M, d, G, XtY, x_sum, y_sum):
    # unpack the augmented moment triangle [[G, ., .], [Y^T X, ., .], [x_sum, y_sum, S]]
    t = XtY.shape[1]
    for j in range(d):
        for k in range(j + 1):
            G[j, k] = M[j, k]
            G[k, j] = M[j, k]
    for k in range(t):
        for j in range(d):
            XtY[j, k] = M[d + k, j]
        y_sum[k] = M[d + t, d + k]
    for j in range(d):
        x_sum[j] = M[d + t, j]
    return M[d + t, d + t]


@njit(**JIT_PARALLEL)
def _dense(X, rows, Y, sw, c, e, G, XtY, x_sum, y_sum, n_chunks):
    n = rows.shape[0]
    d = X.shape[1]
    m = d + Y.shape[1] + 1
    parts = np.zeros((n_chunks, m, m))
    step = (n + n_chunks - 1) // n_chunks
    for ch in prange(n_chunks):
        start = ch * step
        stop = min(n, start + step)
        _dense_chunk(X, rows, Y, sw, c, e, start, stop, parts[ch])
    # chunk order, fixed: the sums do not depend on the thread count
    M = np.zeros((m, m))
    for ch in range(n_chunks):
        M += parts[ch]
    return _split(M, d, G, XtY, x_sum, y_sum)


@njit(**JIT)
def _csr_chunk(data, indices, indptr, Y, sw, e, start, stop, G, XtY, xs, ys):
    t = Y.shape[1]
    sw_sum = 0.0
    yb = np.empty(t)
    for i in range(start, stop):
        w = sw[i]
        sw_sum += w
        for k in range(t):
            yb[k] = Y[i, k] - e[k]
            ys[k] += w * yb[k]
        p0 = indptr[i]
        p1 = indptr[i + 1]
        for p in range(p0, p1):
            a = indices[p]
            v = w * np.float64(data[p])
            xs[a] += v
            for k in range(t):
                XtY[a, k] += v * yb[k]
            for q in range(p0, p1):
                G[a, indices[q]] += v * np.float64(data[q])
    return sw_sum


@njit(**JIT_PARALLEL)
def _csr(data, indices, indptr, Y, sw, e, G, XtY, x_sum, y_sum, n_chunks):
    n = indptr.shape[0] - 1
    d = G.shape[0]
    t = Y.shape[1]
    pG = np.zeros((n_chunks, d, d))
    pY = np.zeros((n_chunks, d, t))
    px = np.zeros((n_chunks, d))
    py = np.zeros((n_chunks, t))
    ps = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for ch in prange(n_chunks):
        start = ch * step
        stop = min(n, start + step)
        ps[ch] = _csr_chunk(
            data, indices, indptr, Y, sw, e, start, stop, pG[ch], pY[ch], px[ch], py[ch]
        )
    # chunk order, fixed: the sums do not depend on the thread count
    G[:, :] = 0.0
    XtY[:, :] = 0.0
    x_sum[:] = 0.0
    y_sum[:] = 0.0
    total = 0.0
    for ch in range(n_chunks):
        G += pG[ch]
        XtY += pY[ch]
        x_sum += px[ch]
        y_sum += py[ch]
        total += ps[ch]
    return total


def _check(G, XtY, x_sum, y_sum, n_rows, Y, sw):
    d, t = XtY.shape
    if G.shape != (d, d) or x_sum.shape != (d,) or y_sum.shape != (t,):
        raise ValueError(
            f"shape mismatch: G {G.shape}, XtY {XtY.shape}, x_sum {x_sum.shape}, "
            f"y_sum {y_sum.shape}"
        )
    if Y.shape != (n_rows, t) or sw.shape != (n_rows,):
        raise ValueError(f"shape mismatch: {n_rows} rows, Y {Y.shape}, sample_weight {sw.shape}")


def gram_dense(X, Y, sample_weight, x_shift, y_shift, G, XtY, x_sum, y_sum):
    """Weighted, shifted Gram moments of dense ``X`` and ``Y`` in one pass.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    Y : ndarray of shape (n_samples, n_targets), float64
    sample_weight : ndarray of shape (n_samples,), float64
    x_shift : ndarray of shape (n_features,), float64
    y_shift : ndarray of shape (n_targets,), float64
    G : ndarray of shape (n_features, n_features), float64
        Output: ``sum_i w_i (x_i - x_shift)(x_i - x_shift)^T``.
    XtY : ndarray of shape (n_features, n_targets), float64
        Output: ``sum_i w_i (x_i - x_shift)(y_i - y_shift)^T``.
    x_sum : ndarray of shape (n_features,), float64
        Output: ``sum_i w_i (x_i - x_shift)``.
    y_sum : ndarray of shape (n_targets,), float64
        Output: ``sum_i w_i (y_i - y_shift)``.

    Returns
    -------
    float
        ``sum_i w_i``.
    """
    rows = np.arange(X.shape[0], dtype=np.int64)
    return gram_dense_rows(X, rows, Y, sample_weight, x_shift, y_shift, G, XtY, x_sum, y_sum)


def gram_dense_rows(X, rows, Y, sample_weight, x_shift, y_shift, G, XtY, x_sum, y_sum):
    """:func:`gram_dense` of the rows ``X[rows]`` (a subset, e.g. a CV fold), without a copy.

    ``rows`` is int64 of shape ``(n_rows,)``; ``Y`` (``(n_rows, n_targets)``) and
    ``sample_weight`` (``(n_rows,)``) are aligned with ``rows``, not with ``X``. This is the
    one dense Gram kernel of the package: :mod:`pai_algos_native.cpu.linear_cd` builds its
    Gram matrix with it too.
    """
    n = rows.shape[0]
    d = X.shape[1]
    _check(G, XtY, x_sum, y_sum, n, Y, sample_weight)
    t = Y.shape[1]
    n_chunks = n_chunks_for(n, (d + t + 1) ** 2)
    return float(
        _dense(X, rows, Y, sample_weight, x_shift, y_shift, G, XtY, x_sum, y_sum, n_chunks)
    )


def gram_csr(data, indices, indptr, Y, sample_weight, y_shift, G, XtY, x_sum, y_sum):
    """:func:`gram_dense` for a CSR matrix ``(data, indices, indptr)``, without feature shift.

    The number of features is ``G.shape[0]``; ``G`` is ``sum_i w_i x_i x_i^T`` and ``x_sum``
    is ``sum_i w_i x_i``.
    """
    n = indptr.shape[0] - 1
    _check(G, XtY, x_sum, y_sum, n, Y, sample_weight)
    d = G.shape[0]
    t = Y.shape[1]
    n_chunks = n_chunks_for(n, d * d + d * t + d + t)
    return float(
        _csr(data, indices, indptr, Y, sample_weight, y_shift, G, XtY, x_sum, y_sum, n_chunks)
    )

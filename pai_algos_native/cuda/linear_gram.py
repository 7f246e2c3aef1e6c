"""Least-squares kernels (CUDA): :func:`gram_dense` of :mod:`pai_algos_native.cpu.linear_gram`.

Same name, signature and conventions as the CPU function (the outputs are host arrays that
are overwritten; the return value is ``sum_i w_i``). ``X``, ``Y`` and ``sample_weight`` may be
device arrays (:func:`to_device`). Dense input only: CSR Gram matrices are built on the CPU.

With the augmented rows ``b_i = [x_i - c, y_i - e, 1]`` (width ``m = d + t + 1``) every moment
is an entry of ``M = sum_i w_i b_i b_i^T``. Two launches, no atomics, so the result is
deterministic:

1. ``_chunk_moments``: one thread per (row chunk, entry ``(a, b)`` of the lower triangle)
   sums ``w_i b_ia b_ib`` over its chunk's rows in float64;
2. ``_reduce_chunks``: one thread per entry sums the chunk partials in chunk order.
"""

from __future__ import annotations

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["gram_dense", "to_device"]

# Rows per chunk of the partial sums (the tests lower it to exercise several chunks).
CHUNK_ROWS = 256


def to_device(array):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if isinstance(array, np.ndarray):
        return cuda.to_device(np.ascontiguousarray(array))
    return array


# --------------------------------------------------------------------------- kernels


@cuda.jit(device=True)
def _aug(X, Y, c, e, i, a, d, t):
    # entry a of the augmented row [x_i - c, y_i - e, 1]
    if a < d:
        return np.float64(X[i, a]) - c[a]
    if a < d + t:
        return Y[i, a - d] - e[a - d]
    return 1.0


@cuda.jit
def _chunk_moments(X, Y, sw, c, e, rows, cols, chunk_rows, parts):
    # parts[ch, p] = sum over chunk ch of w_i b_i[rows[p]] b_i[cols[p]]
    n, d = X.shape
    t = Y.shape[1]
    n_chunks, n_pairs = parts.shape
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for task in range(start, n_chunks * n_pairs, stride):
        ch = task // n_pairs
        p = task - ch * n_pairs
        a = rows[p]
        b = cols[p]
        lo = ch * chunk_rows
        hi = min(n, lo + chunk_rows)
        acc = 0.0
        for i in range(lo, hi):
            acc += sw[i] * _aug(X, Y, c, e, i, a, d, t) * _aug(X, Y, c, e, i, b, d, t)
        parts[ch, p] = acc


@cuda.jit
def _reduce_chunks(parts, out):
    n_chunks, n_pairs = parts.shape
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for p in range(start, n_pairs, stride):
        acc = 0.0
        for ch in range(n_chunks):
            acc += parts[ch, p]
        out[p] = acc


# --------------------------------------------------------------------------- host driver


def _check(G, XtY, x_sum, y_sum, n_rows, Y, sw):
    d, t = XtY.shape
    if G.shape != (d, d) or x_sum.shape != (d,) or y_sum.shape != (t,):
        raise ValueError(
            f"shape mismatch: G {G.shape}, XtY {XtY.shape}, x_sum {x_sum.shape}, "
            f"y_sum {y_sum.shape}"
        )
    if tuple(Y.shape) != (n_rows, t) or tuple(sw.shape) != (n_rows,):
        raise ValueError(f"shape mismatch: {n_rows} rows, Y {Y.shape}, sample_weight {sw.shape}")


def gram_dense(X, Y, sample_weight, x_shift, y_shift, G, XtY, x_sum, y_sum):
    """Weighted, shifted Gram moments on the GPU; see the CPU function of this name."""
    n, d = X.shape
    _check(G, XtY, x_sum, y_sum, n, Y, sample_weight)
    t = Y.shape[1]
    m = d + t + 1
    rows, cols = np.tril_indices(m)
    n_pairs = rows.shape[0]
    n_chunks = max(1, -(-n // CHUNK_ROWS))
    Xd, Yd, swd = to_device(X), to_device(Y), to_device(sample_weight)
    cd = to_device(np.asarray(x_shift, dtype=np.float64))
    ed = to_device(np.asarray(y_shift, dtype=np.float64))
    parts = cuda.device_array((n_chunks, n_pairs), dtype=np.float64)
    out = cuda.device_array(n_pairs, dtype=np.float64)
    tpb = threads_per_block()
    _chunk_moments[blocks_for(n_chunks * n_pairs, tpb), tpb](
        Xd, Yd, swd, cd, ed, to_device(rows), to_device(cols), CHUNK_ROWS, parts
    )
    _reduce_chunks[blocks_for(n_pairs, tpb), tpb](parts, out)
    M = np.zeros((m, m))
    M[rows, cols] = out.copy_to_host()
    G[:, :] = M[:d, :d] + np.tril(M[:d, :d], -1).T
    XtY[:, :] = M[d : d + t, :d].T
    x_sum[:] = M[d + t, :d]
    y_sum[:] = M[d + t, d : d + t]
    return float(M[d + t, d + t])

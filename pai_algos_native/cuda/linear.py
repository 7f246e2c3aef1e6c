"""Linear-model kernels (CUDA): the functions of :mod:`pai_algos_native.cpu.linear` on a GPU.

Same names, signatures and conventions as the CPU module (``grad`` is a host array that is
overwritten; the return value is ``sum_i s_i * loss_i``). Array arguments may be host arrays or
device arrays: :func:`to_device` lets a caller copy the data once per fit instead of once per
call.

Dense ``X`` takes three launches, none with atomics, so the result is deterministic:

1. ``_rows``: one thread per row (grid-stride) computes the scores, the weighted loss and the
   weighted pointwise gradient ``G[i, k] = s_i (p_ik - [y_i = k])``;
2. ``_chunk_sums``: one thread per (row chunk, output, column) sums ``G[i, k] X[i, j]`` over
   its chunk (column ``d``: ``G[i, k]``, the intercept; column ``d + 1``: the loss); adjacent
   threads read adjacent columns of a row, so the reads of ``X`` coalesce;
3. ``_reduce_chunks``: sums the chunk partials in chunk order.

CSR ``X`` runs ``_rows_csr`` (scores from the sparse rows, then ``G[i, k] * X[i, j]`` scattered
into the gradient with float64 atomic adds, which collide rarely on sparse data), and steps 2-3
restricted to the intercept and loss columns. The order of the atomic adds varies, so CSR
gradients agree with the CPU to rounding, not bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["logistic_loss_grad", "logistic_loss_grad_csr", "to_device"]

# Rows per chunk of the deterministic column sums (the tests lower it to exercise chunks).
CHUNK_ROWS = 128


def to_device(array):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if isinstance(array, np.ndarray):
        return cuda.to_device(np.ascontiguousarray(array))
    return array


# --------------------------------------------------------------------------- kernels


@cuda.jit(device=True)
def _pointwise(G, row_loss, i, k_out, yi, s):
    # G[i, :] holds the scores; replace them by s * (probability - onehot), store s * loss
    if k_out == 1:
        z = G[i, 0]
        e = math.exp(-abs(z))
        if z > 0.0:
            loss = z + math.log1p(e) - yi * z
            p = 1.0 / (1.0 + e)
        else:
            loss = math.log1p(e) - yi * z
            p = e / (1.0 + e)
        G[i, 0] = s * (p - yi)
        row_loss[i] = s * loss
        return
    yk = int(yi)
    m = G[i, 0]
    for k in range(1, k_out):
        m = max(m, G[i, k])
    loss = m - G[i, yk]
    total = 0.0
    for k in range(k_out):
        G[i, k] = math.exp(G[i, k] - m)
        total += G[i, k]
    loss += math.log(total)
    for k in range(k_out):
        G[i, k] = s * G[i, k] / total
    G[i, yk] -= s
    row_loss[i] = s * loss


@cuda.jit
def _rows(X, y, sw, coef, intercept, G, row_loss):
    n, d = X.shape
    k_out = coef.shape[0]
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, n, stride):
        for k in range(k_out):
            acc = intercept[k]
            for j in range(d):
                acc += np.float64(X[i, j]) * coef[k, j]
            G[i, k] = acc
        _pointwise(G, row_loss, i, k_out, np.float64(y[i]), sw[i])


@cuda.jit
def _rows_csr(data, indices, indptr, y, sw, coef, intercept, G, row_loss, grad):
    n = indptr.shape[0] - 1
    k_out = coef.shape[0]
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, n, stride):
        p0 = indptr[i]
        p1 = indptr[i + 1]
        for k in range(k_out):
            acc = intercept[k]
            for p in range(p0, p1):
                acc += np.float64(data[p]) * coef[k, indices[p]]
            G[i, k] = acc
        _pointwise(G, row_loss, i, k_out, np.float64(y[i]), sw[i])
        for k in range(k_out):
            g = G[i, k]
            if g != 0.0:
                for p in range(p0, p1):
                    cuda.atomic.add(grad, (k, indices[p]), g * np.float64(data[p]))


@cuda.jit
def _chunk_sums(X, G, row_loss, d, chunk_rows, first_col, parts):
    # parts[c, k, j - first_col] = sum over the rows of chunk c of column j of [G*X | G | loss];
    # X is read only for columns j < d
    n = G.shape[0]
    n_chunks, k_out, width = parts.shape
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for t in range(start, n_chunks * k_out * width, stride):
        c = t // (k_out * width)
        r = t - c * (k_out * width)
        k = r // width
        j = r - k * width + first_col
        lo = c * chunk_rows
        hi = min(n, lo + chunk_rows)
        acc = 0.0
        if j < d:
            for i in range(lo, hi):
                acc += G[i, k] * np.float64(X[i, j])
        elif j == d:
            for i in range(lo, hi):
                acc += G[i, k]
        elif k == 0:
            for i in range(lo, hi):
                acc += row_loss[i]
        parts[c, k, j - first_col] = acc


@cuda.jit
def _reduce_chunks(parts, out):
    n_chunks, k_out, width = parts.shape
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for t in range(start, k_out * width, stride):
        k = t // width
        j = t - k * width
        acc = 0.0
        for c in range(n_chunks):
            acc += parts[c, k, j]
        out[k, j] = acc


# --------------------------------------------------------------------------- host drivers


def _check(coef, intercept, grad):
    k_out, d = coef.shape
    if intercept.shape != (k_out,) or grad.shape != (k_out, d + 1):
        raise ValueError(
            f"shape mismatch: coef {coef.shape}, intercept {intercept.shape}, grad {grad.shape}"
        )


def _column_sums(Xd, G, row_loss, d, first_col, width):
    tpb = threads_per_block()
    n, k_out = G.shape
    n_chunks = max(1, -(-n // CHUNK_ROWS))
    parts = cuda.device_array((n_chunks, k_out, width), dtype=np.float64)
    total = n_chunks * k_out * width
    _chunk_sums[blocks_for(total, tpb), tpb](Xd, G, row_loss, d, CHUNK_ROWS, first_col, parts)
    out = cuda.device_array((k_out, width), dtype=np.float64)
    _reduce_chunks[blocks_for(k_out * width, tpb), tpb](parts, out)
    return out.copy_to_host()


def _dense(X, y, sample_weight, coef, intercept, grad):
    _check(coef, intercept, grad)
    Xd, yd, swd = to_device(X), to_device(y), to_device(sample_weight)
    n, d = Xd.shape
    k_out = coef.shape[0]
    G = cuda.device_array((n, k_out), dtype=np.float64)
    row_loss = cuda.device_array(n, dtype=np.float64)
    tpb = threads_per_block()
    coef_d = cuda.to_device(np.ascontiguousarray(coef, dtype=np.float64))
    intercept_d = cuda.to_device(np.ascontiguousarray(intercept, dtype=np.float64))
    _rows[blocks_for(n, tpb), tpb](Xd, yd, swd, coef_d, intercept_d, G, row_loss)
    sums = _column_sums(Xd, G, row_loss, d, 0, d + 2)
    grad[:, :] = sums[:, : d + 1]
    return float(sums[0, d + 1])


def _csr(data, indices, indptr, y, sample_weight, coef, intercept, grad):
    _check(coef, intercept, grad)
    data_d, indices_d, indptr_d = to_device(data), to_device(indices), to_device(indptr)
    yd, swd = to_device(y), to_device(sample_weight)
    n = indptr_d.shape[0] - 1
    k_out, d = coef.shape
    G = cuda.device_array((n, k_out), dtype=np.float64)
    row_loss = cuda.device_array(n, dtype=np.float64)
    grad_d = cuda.to_device(np.zeros((k_out, d), dtype=np.float64))
    tpb = threads_per_block()
    coef_d = cuda.to_device(np.ascontiguousarray(coef, dtype=np.float64))
    intercept_d = cuda.to_device(np.ascontiguousarray(intercept, dtype=np.float64))
    _rows_csr[blocks_for(n, tpb), tpb](
        data_d, indices_d, indptr_d, yd, swd, coef_d, intercept_d, G, row_loss, grad_d
    )
    # columns d (intercepts) and d + 1 (loss) only: X itself is not read there
    unused_x = cuda.device_array((1, 1), dtype=np.float64)
    sums = _column_sums(unused_x, G, row_loss, d, d, 2)
    grad[:, :d] = grad_d.copy_to_host()
    grad[:, d] = sums[:, 0]
    return float(sums[0, 1])


def logistic_loss_grad(X, y, sample_weight, coef, intercept, grad):
    """Weighted logistic loss and gradient on the GPU; see the CPU function of this name.

    ``X``, ``y`` and ``sample_weight`` may be device arrays (:func:`to_device`).
    """
    return _dense(X, y, sample_weight, coef, intercept, grad)


def logistic_loss_grad_csr(data, indices, indptr, y, sample_weight, coef, intercept, grad):
    """CSR version of :func:`logistic_loss_grad` (gradient scattered with atomic adds)."""
    return _csr(data, indices, indptr, y, sample_weight, coef, intercept, grad)

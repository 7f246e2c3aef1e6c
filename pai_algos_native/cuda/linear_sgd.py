"""SGD losses on a GPU: :func:`sgd_loss_grad` of :mod:`pai_algos_native.cpu.linear_sgd`.

The per-row SGD update is sequential, so the SGD estimators train on the CPU; what a GPU
does well is evaluating one of their losses (and its gradient) over a whole batch, e.g. to
monitor a model or to score a validation set. Same names, signatures and loss codes as the
CPU module.

Dense ``X``: ``_rows`` (one thread per row, grid-stride) writes the weighted loss and the
weighted derivative ``g_i = s_i dL/dp``; ``_chunk_sums`` (one thread per (row chunk,
column)) sums ``g_i X[i, j]`` over its chunk, adjacent threads reading adjacent columns;
the host adds the chunks in order, so the result is deterministic. CSR ``X``: ``_rows_csr``
scatters ``g_i X[i, j]`` into the gradient with float64 atomic adds.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["sgd_loss_grad", "sgd_loss_grad_csr", "to_device"]

# Rows per chunk of the deterministic column sums (the tests lower it to exercise chunks).
CHUNK_ROWS = 128


def to_device(array):
    """Copy a host array to the GPU (device arrays are returned as they are)."""
    if isinstance(array, np.ndarray):
        return cuda.to_device(np.ascontiguousarray(array))
    return array


# --------------------------------------------------------------------------- kernels


@cuda.jit(device=True)
def _loss_dloss(code, param, y, p):
    # the (loss, derivative) pairs of the CPU module's _loss and _dloss
    if code == 0:
        z = p * y
        if z <= param:
            return param - z, -y
        return 0.0, 0.0
    if code == 1:
        z = param - p * y
        if z > 0.0:
            return z * z, -2.0 * y * z
        return 0.0, 0.0
    if code == 2:
        if p <= -37.0:
            e = math.exp(p)
            return e - y * p, e - y
        e = math.exp(-p)
        d = ((1.0 - y) - y * e) / (1.0 + e)
        if p <= 18.0:
            return math.log1p(math.exp(p)) - y * p, d
        if p <= 33.3:
            return p + e - y * p, d
        return p - y * p, d
    if code == 3:
        z = p * y
        if z >= 1.0:
            return 0.0, 0.0
        if z >= -1.0:
            return (1.0 - z) * (1.0 - z), 2.0 * (1.0 - z) * -y
        return -4.0 * z, -4.0 * y
    if code == 4:
        r = p - y
        return 0.5 * r * r, r
    if code == 5:
        r = p - y
        a = abs(r)
        if a <= param:
            return 0.5 * r * r, r
        return param * (a - 0.5 * param), param if r > 0.0 else -param
    z = y - p
    r = abs(z) - param
    if r <= 0.0:
        return 0.0, 0.0
    sign = -1.0 if z > 0.0 else 1.0
    if code == 6:
        return r, sign
    return r * r, 2.0 * r * sign


@cuda.jit
def _rows(X, y, sw, coef, intercept, code, param, g, row_loss):
    n, d = X.shape
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, n, stride):
        p = intercept
        for j in range(d):
            p += np.float64(X[i, j]) * coef[j]
        loss, dloss = _loss_dloss(code, param, np.float64(y[i]), p)
        row_loss[i] = sw[i] * loss
        g[i] = sw[i] * dloss


@cuda.jit
def _rows_csr(data, indices, indptr, y, sw, coef, intercept, code, param, g, row_loss, grad):
    n = indptr.shape[0] - 1
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, n, stride):
        p = intercept
        for k in range(indptr[i], indptr[i + 1]):
            p += np.float64(data[k]) * coef[indices[k]]
        loss, dloss = _loss_dloss(code, param, np.float64(y[i]), p)
        row_loss[i] = sw[i] * loss
        gi = sw[i] * dloss
        g[i] = gi
        if gi != 0.0:
            for k in range(indptr[i], indptr[i + 1]):
                cuda.atomic.add(grad, indices[k], gi * np.float64(data[k]))


@cuda.jit
def _chunk_sums(X, g, chunk_rows, parts):
    # parts[c, j] = sum over the rows of chunk c of g_i X[i, j]
    n, d = X.shape
    n_chunks = parts.shape[0]
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for t in range(start, n_chunks * d, stride):
        c = t // d
        j = t - c * d
        acc = 0.0
        for i in range(c * chunk_rows, min(n, (c + 1) * chunk_rows)):
            acc += g[i] * np.float64(X[i, j])
        parts[c, j] = acc


# --------------------------------------------------------------------------- host drivers


def _check(n_features, coef, grad):
    if coef.shape != (n_features,) or grad.shape != (n_features + 1,):
        raise ValueError(
            f"shape mismatch: {n_features} features, coef {coef.shape}, grad {grad.shape}"
        )


def _dense(X, y, sample_weight, coef, intercept, loss_code, loss_param, grad):
    Xd, yd, swd = to_device(X), to_device(y), to_device(sample_weight)
    n, d = Xd.shape
    _check(d, coef, grad)
    tpb = threads_per_block()
    g = cuda.device_array(n, dtype=np.float64)
    row_loss = cuda.device_array(n, dtype=np.float64)
    coef_d = cuda.to_device(np.ascontiguousarray(coef, dtype=np.float64))
    _rows[blocks_for(n, tpb), tpb](
        Xd, yd, swd, coef_d, float(intercept), int(loss_code), float(loss_param), g, row_loss
    )
    n_chunks = max(1, -(-n // CHUNK_ROWS))
    parts = cuda.device_array((n_chunks, d), dtype=np.float64)
    _chunk_sums[blocks_for(n_chunks * d, tpb), tpb](Xd, g, CHUNK_ROWS, parts)
    grad[:d] = parts.copy_to_host().sum(axis=0)
    grad[d] = float(np.sum(g.copy_to_host()))
    return float(np.sum(row_loss.copy_to_host()))


def _csr(data, indices, indptr, y, sample_weight, coef, intercept, loss_code, loss_param, grad):
    d = coef.shape[0]
    _check(d, coef, grad)
    args = [to_device(a) for a in (data, indices, indptr, y, sample_weight)]
    n = args[2].shape[0] - 1
    tpb = threads_per_block()
    g = cuda.device_array(n, dtype=np.float64)
    row_loss = cuda.device_array(n, dtype=np.float64)
    grad_d = cuda.to_device(np.zeros(d, dtype=np.float64))
    coef_d = cuda.to_device(np.ascontiguousarray(coef, dtype=np.float64))
    _rows_csr[blocks_for(n, tpb), tpb](
        *args, coef_d, float(intercept), int(loss_code), float(loss_param), g, row_loss, grad_d
    )
    grad[:d] = grad_d.copy_to_host()
    grad[d] = float(np.sum(g.copy_to_host()))
    return float(np.sum(row_loss.copy_to_host()))


def sgd_loss_grad(X, y, sample_weight, coef, intercept, loss_code, loss_param, grad):
    """Weighted SGD loss and its gradient on the GPU; see the CPU function of this name."""
    return _dense(X, y, sample_weight, coef, intercept, loss_code, loss_param, grad)


def sgd_loss_grad_csr(data, indices, indptr, y, sample_weight, coef, intercept, loss_code,
                      loss_param, grad):  # fmt: skip
    """CSR version of :func:`sgd_loss_grad` (gradient scattered with atomic adds)."""
    return _csr(data, indices, indptr, y, sample_weight, coef, intercept, loss_code,
                loss_param, grad)  # fmt: skip

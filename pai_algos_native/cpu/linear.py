"""Linear-model kernels (CPU): fused loss and gradient of the logistic losses.

One pass over the rows computes the weighted sum of the pointwise losses *and* its gradient
with respect to the coefficients and intercepts, so L-BFGS needs a single read of ``X`` per
function evaluation.

Conventions shared with :mod:`pai_algos_native.cuda.linear`:

- ``coef`` has shape ``(n_outputs, n_features)`` and ``intercept`` shape ``(n_outputs,)``
  (float64). ``n_outputs == 1`` is the binary logistic loss with ``y`` in {0, 1};
  ``n_outputs >= 2`` is the multinomial (softmax) loss with ``y`` the class index.
- ``y`` is an integer array, ``sample_weight`` a float64 array, both of shape ``(n_samples,)``.
- ``grad`` (float64, shape ``(n_outputs, n_features + 1)``) is overwritten: column
  ``n_features`` holds the gradient with respect to the intercepts.
- The return value is ``sum_i s_i * loss_i``; the gradient is that of the same sum. Averaging
  and the penalty are the caller's job.

Rows are cut into chunks fixed by the number of rows (not by the thread count); each chunk
accumulates its own partial gradient in float64 and the partials are summed in chunk order, so
the result does not depend on the number of threads. The Hessian kernels (for Newton's
method) follow the same chunking with ``(n_outputs (n_features + 1))^2`` partials. ``X`` may
be float32 or float64; products are formed in float64. Threads take chunks one at a time
(``parallel_chunksize(1)``), so a thread slowed by other processes does not hold up the others.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit, parallel_chunksize, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "logistic_hessian",
    "logistic_hessian_csr",
    "logistic_loss_grad",
    "logistic_loss_grad_csr",
    "n_chunks_for",
    "to_device",
]

# Chunks hold at least this many rows, and there are at most MAX_CHUNKS of them.
MIN_CHUNK_ROWS = 256
MAX_CHUNKS = 64
# Bound on the float64 values held by the per-chunk partial gradients.
PARTIAL_BUDGET = 1 << 23
# Below this many multiply-adds per call the kernels run on one thread: waking the pool costs
# more than it saves, and on a loaded machine far more. The chunks (hence the result) are the
# same either way.
SERIAL_WORK = 100_000


def n_chunks_for(n_samples: int, n_params: int) -> int:
    """Number of row chunks: a function of the problem size only, never of the threads."""
    by_rows = -(-n_samples // MIN_CHUNK_ROWS)
    by_memory = max(1, PARTIAL_BUDGET // max(1, n_params))
    return int(max(1, min(by_rows, MAX_CHUNKS, by_memory)))


@contextmanager
def _threads_for(work):
    """One Numba thread for small calls; the caller's setting otherwise."""
    if work >= SERIAL_WORK:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def to_device(array):
    """Identity on the CPU (the CUDA module copies to the GPU); lets callers stay generic."""
    return array


@njit(**JIT)
def _binary_terms(z, y):
    """Loss ``log(1 + exp(z)) - y z`` and its derivative ``expit(z) - y``, with one exp."""
    e = math.exp(-abs(z))
    if z > 0.0:
        return z + math.log1p(e) - y * z, 1.0 / (1.0 + e) - y
    return math.log1p(e) - y * z, e / (1.0 + e) - y


@njit(**JIT)
def _dot_row(X, i, w):
    # eight independent accumulators summed pairwise: a fixed order (the same on every
    # machine and thread count) that the compiler can still pack into SIMD lanes
    d = X.shape[1]
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    j = 0
    while j + 8 <= d:
        a0 += np.float64(X[i, j]) * w[j]
        a1 += np.float64(X[i, j + 1]) * w[j + 1]
        a2 += np.float64(X[i, j + 2]) * w[j + 2]
        a3 += np.float64(X[i, j + 3]) * w[j + 3]
        a4 += np.float64(X[i, j + 4]) * w[j + 4]
        a5 += np.float64(X[i, j + 5]) * w[j + 5]
        a6 += np.float64(X[i, j + 6]) * w[j + 6]
        a7 += np.float64(X[i, j + 7]) * w[j + 7]
        j += 8
    while j < d:
        a0 += np.float64(X[i, j]) * w[j]
        j += 1
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))


@njit(**JIT)
def _binary_dense_chunk(X, y, sw, w, b, start, stop, out):
    # accumulate in a private buffer: no false sharing with the neighbouring chunks' rows
    d = X.shape[1]
    part = np.zeros(d + 1)
    loss = 0.0
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        z = _dot_row(X, i, w) + b
        li, gi = _binary_terms(z, np.float64(y[i]))
        loss += s * li
        g = s * gi
        for j in range(d):
            part[j] += g * X[i, j]
        part[d] += g
    out[:] = part
    return loss


@njit(**JIT_PARALLEL)
def _binary_dense(X, y, sw, coef, intercept, grad, n_chunks):
    n, d = X.shape
    w = coef[0]
    b = intercept[0]
    parts = np.zeros((n_chunks, d + 1))
    losses = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        losses[c] = _binary_dense_chunk(X, y, sw, w, b, start, stop, parts[c])
    total = 0.0
    for j in range(d + 1):
        grad[0, j] = 0.0
    for c in range(n_chunks):
        total += losses[c]
        for j in range(d + 1):
            grad[0, j] += parts[c, j]
    return total


@njit(**JIT)
def _softmax_grad(raw, yi, s):
    """Multinomial loss ``logsumexp(raw) - raw[yi]``; ``raw`` becomes ``s * (softmax - onehot)``."""
    k_out = raw.shape[0]
    m = raw[0]
    for k in range(1, k_out):
        if raw[k] > m:
            m = raw[k]
    loss = m - raw[yi]
    total = 0.0
    for k in range(k_out):
        raw[k] = math.exp(raw[k] - m)
        total += raw[k]
    loss += math.log(total)
    inv = s / total
    for k in range(k_out):
        raw[k] *= inv
    raw[yi] -= s
    return loss


@njit(**JIT)
def _multi_dense_chunk(X, y, sw, coef, intercept, start, stop, out):
    d = X.shape[1]
    k_out = coef.shape[0]
    part = np.zeros((k_out, d + 1))
    raw = np.empty(k_out)
    loss = 0.0
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        for k in range(k_out):
            raw[k] = _dot_row(X, i, coef[k]) + intercept[k]
        loss += s * _softmax_grad(raw, y[i], s)
        for k in range(k_out):
            g = raw[k]
            for j in range(d):
                part[k, j] += g * X[i, j]
            part[k, d] += g
    out[:, :] = part
    return loss


@njit(**JIT_PARALLEL)
def _multi_dense(X, y, sw, coef, intercept, grad, n_chunks):
    n, d = X.shape
    k_out = coef.shape[0]
    parts = np.zeros((n_chunks, k_out, d + 1))
    losses = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        losses[c] = _multi_dense_chunk(X, y, sw, coef, intercept, start, stop, parts[c])
    total = 0.0
    grad[:, :] = 0.0
    for c in range(n_chunks):
        total += losses[c]
        for k in range(k_out):
            for j in range(d + 1):
                grad[k, j] += parts[c, k, j]
    return total


@njit(**JIT)
def _csr_chunk(data, indices, indptr, y, sw, coef, intercept, start, stop, out):
    d = coef.shape[1]
    k_out = coef.shape[0]
    part = np.zeros((k_out, d + 1))
    raw = np.empty(k_out)
    loss = 0.0
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        p0 = indptr[i]
        p1 = indptr[i + 1]
        for k in range(k_out):
            acc = intercept[k]
            for p in range(p0, p1):
                acc += np.float64(data[p]) * coef[k, indices[p]]
            raw[k] = acc
        if k_out == 1:
            li, gi = _binary_terms(raw[0], np.float64(y[i]))
            loss += s * li
            raw[0] = s * gi
        else:
            loss += s * _softmax_grad(raw, y[i], s)
        for k in range(k_out):
            g = raw[k]
            for p in range(p0, p1):
                part[k, indices[p]] += g * data[p]
            part[k, d] += g
    out[:, :] = part
    return loss


@njit(**JIT_PARALLEL)
def _csr(data, indices, indptr, y, sw, coef, intercept, grad, n_chunks):
    n = indptr.shape[0] - 1
    k_out, d = coef.shape
    parts = np.zeros((n_chunks, k_out, d + 1))
    losses = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        losses[c] = _csr_chunk(data, indices, indptr, y, sw, coef, intercept, start, stop, parts[c])
    total = 0.0
    grad[:, :] = 0.0
    for c in range(n_chunks):
        total += losses[c]
        for k in range(k_out):
            for j in range(d + 1):
                grad[k, j] += parts[c, k, j]
    return total


def logistic_loss_grad(X, y, sample_weight, coef, intercept, grad):
    """Weighted logistic loss and its gradient in one pass over dense ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    y : ndarray of shape (n_samples,), integer
        Class index (binary: 0 or 1).
    sample_weight : ndarray of shape (n_samples,), float64
    coef : ndarray of shape (n_outputs, n_features), float64
        ``n_outputs == 1``: binary logistic loss; otherwise multinomial.
    intercept : ndarray of shape (n_outputs,), float64
    grad : ndarray of shape (n_outputs, n_features + 1), float64
        Output: gradient of the returned sum (last column: intercepts).

    Returns
    -------
    float
        ``sum_i sample_weight[i] * loss_i``.
    """
    n_chunks = n_chunks_for(X.shape[0], grad.size)
    kernel = _binary_dense if coef.shape[0] == 1 else _multi_dense
    with parallel_chunksize(1), _threads_for(X.size * coef.shape[0]):
        return float(kernel(X, y, sample_weight, coef, intercept, grad, n_chunks))


def logistic_loss_grad_csr(data, indices, indptr, y, sample_weight, coef, intercept, grad):
    """:func:`logistic_loss_grad` for a CSR matrix given as ``(data, indices, indptr)``.

    The number of features is ``coef.shape[1]``.
    """
    n_chunks = n_chunks_for(indptr.shape[0] - 1, grad.size)
    with _threads_for(data.shape[0] * coef.shape[0]):
        return float(_csr(data, indices, indptr, y, sample_weight, coef, intercept, grad, n_chunks))


@njit(**JIT)
def _score_weights(raw, s, W):
    """``W[k, l] = s (p_k [k == l] - p_k p_l)`` from the scores ``raw`` (binary: one entry)."""
    k_out = raw.shape[0]
    if k_out == 1:
        e = math.exp(-abs(raw[0]))
        W[0, 0] = s * e / ((1.0 + e) * (1.0 + e))
        return
    m = raw[0]
    for k in range(1, k_out):
        if raw[k] > m:
            m = raw[k]
    total = 0.0
    for k in range(k_out):
        raw[k] = math.exp(raw[k] - m)
        total += raw[k]
    for k in range(k_out):
        raw[k] /= total
    for k in range(k_out):
        for c in range(k, k_out):
            W[k, c] = -s * raw[k] * raw[c]
        W[k, k] += s * raw[k]


@njit(**JIT)
def _hess_row(vals, cols, n_vals, W, width, part):
    """Add ``W (x) x x^T`` for one row to the upper triangle of ``part``.

    ``x`` has its ``n_vals`` non-zeros ``vals`` at positions ``cols`` (within a block of
    ``width = n_features + 1`` parameters; the intercept is position ``width - 1``).
    """
    k_out = W.shape[0]
    for k in range(k_out):
        for c in range(k, k_out):
            w = W[k, c]
            if w == 0.0:
                continue
            rk = k * width
            rc = c * width
            for a in range(n_vals):
                wa = w * vals[a]
                ja = cols[a]
                if k == c:
                    for b in range(a, n_vals):
                        jb = cols[b]
                        if ja <= jb:
                            part[rk + ja, rk + jb] += wa * vals[b]
                        else:
                            part[rk + jb, rk + ja] += wa * vals[b]
                else:
                    for b in range(n_vals):
                        part[rk + ja, rc + cols[b]] += wa * vals[b]


@njit(**JIT)
def _hess_dense_chunk(X, sw, coef, intercept, start, stop, part):
    d = X.shape[1]
    k_out = coef.shape[0]
    raw = np.empty(k_out)
    W = np.zeros((k_out, k_out))
    vals = np.empty(d + 1)
    cols = np.arange(d + 1)
    vals[d] = 1.0
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        for k in range(k_out):
            raw[k] = _dot_row(X, i, coef[k]) + intercept[k]
        _score_weights(raw, s, W)
        for j in range(d):
            vals[j] = X[i, j]
        _hess_row(vals, cols, d + 1, W, d + 1, part)


@njit(**JIT)
def _hess_csr_chunk(data, indices, indptr, sw, coef, intercept, start, stop, part):
    k_out, d = coef.shape
    raw = np.empty(k_out)
    W = np.zeros((k_out, k_out))
    max_nnz = 0
    for i in range(start, stop):
        max_nnz = max(max_nnz, indptr[i + 1] - indptr[i])
    vals = np.empty(max_nnz + 1)
    cols = np.empty(max_nnz + 1, dtype=np.int64)
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        p0 = indptr[i]
        nnz = indptr[i + 1] - p0
        for k in range(k_out):
            acc = intercept[k]
            for p in range(p0, p0 + nnz):
                acc += np.float64(data[p]) * coef[k, indices[p]]
            raw[k] = acc
        _score_weights(raw, s, W)
        for a in range(nnz):
            vals[a] = data[p0 + a]
            cols[a] = indices[p0 + a]
        vals[nnz] = 1.0
        cols[nnz] = d
        _hess_row(vals, cols, nnz + 1, W, d + 1, part)


@njit(**JIT)
def _reduce_sym(parts, hess):
    size = hess.shape[0]
    for a in range(size):
        for b in range(a, size):
            acc = 0.0
            for c in range(parts.shape[0]):
                acc += parts[c, a, b]
            hess[a, b] = acc
            hess[b, a] = acc


@njit(**JIT_PARALLEL)
def _hess_dense(X, sw, coef, intercept, hess, n_chunks):
    n = X.shape[0]
    size = hess.shape[0]
    parts = np.zeros((n_chunks, size, size))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        _hess_dense_chunk(X, sw, coef, intercept, start, stop, parts[c])
    _reduce_sym(parts, hess)


@njit(**JIT_PARALLEL)
def _hess_csr(data, indices, indptr, sw, coef, intercept, hess, n_chunks):
    n = indptr.shape[0] - 1
    size = hess.shape[0]
    parts = np.zeros((n_chunks, size, size))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        _hess_csr_chunk(data, indices, indptr, sw, coef, intercept, start, stop, parts[c])
    _reduce_sym(parts, hess)


def logistic_hessian(X, y, sample_weight, coef, intercept, hess):
    """Hessian of ``sum_i sample_weight[i] * loss_i`` (the sum of :func:`logistic_loss_grad`).

    Parameters
    ----------
    X, y, sample_weight, coef, intercept
        As in :func:`logistic_loss_grad` (``y`` is accepted for symmetry; the Hessian of the
        logistic losses does not depend on it).
    hess : ndarray of shape (n_outputs * (n_features + 1), n_outputs * (n_features + 1))
        float64 output, overwritten. Parameter ``k * (n_features + 1) + j`` is
        ``coef[k, j]`` for ``j < n_features`` and ``intercept[k]`` for ``j = n_features``;
        the block of outputs ``k, l`` is ``sum_i s_i (p_k [k == l] - p_k p_l) x_i x_i^T``
        with ``x_i`` extended by a 1 (binary: ``s_i p (1 - p) x_i x_i^T``).
    """
    n_chunks = n_chunks_for(X.shape[0], hess.size)
    with parallel_chunksize(1), _threads_for(X.shape[0] * hess.size):
        _hess_dense(X, sample_weight, coef, intercept, hess, n_chunks)


def logistic_hessian_csr(data, indices, indptr, y, sample_weight, coef, intercept, hess):
    """:func:`logistic_hessian` for a CSR matrix given as ``(data, indices, indptr)``."""
    n_chunks = n_chunks_for(indptr.shape[0] - 1, hess.size)
    with parallel_chunksize(1), _threads_for(data.shape[0] * hess.shape[0]):
        _hess_csr(data, indices, indptr, sample_weight, coef, intercept, hess, n_chunks)

"""Generalised-linear-model kernels (CPU): fused loss, gradient and Hessian weights.

For a linear predictor ``raw_i = x_i . coef + intercept`` one pass over the rows computes the
weighted sum of pointwise losses ``sum_i s_i loss(y_i, raw_i)``, its gradient
``sum_i s_i loss'(y_i, raw_i) [x_i, 1]`` and, on request, the pointwise Hessian weights
``s_i loss''(y_i, raw_i)`` that the Newton solver turns into ``X^T diag(h) X`` with
:func:`glm_hessian` (the Gram kernel of :mod:`pai_algos_native.cpu.linear_gram`).

Families (the ``family`` argument):

- ``TWEEDIE_LOG`` (0): half Tweedie deviance with log link, ``mu = exp(raw)``, for any
  ``power`` (0: normal, 1: Poisson, 2: Gamma), the terms constant in ``raw`` dropped:
  ``exp((2-p) raw) / (2-p) - y exp((1-p) raw) / (1-p)`` (``exp(raw) - y raw`` at ``p = 1``,
  ``raw + y exp(-raw)`` at ``p = 2``).
- ``TWEEDIE_IDENTITY`` (1): the same deviance with identity link, ``mu = raw``
  (``(raw - y)^2 / 2`` at ``p = 0``).

The Huber kernels (:func:`huber_loss_grad`) compute the pieces of Owen's concomitant-scale
Huber objective (the one scikit-learn's ``HuberRegressor`` minimises) for given
``coef``, ``intercept`` and scale ``sigma``.

Conventions: ``X`` is float32 or float64, C-contiguous (CSR as ``(data, indices, indptr)``);
``y`` and ``sample_weight`` are float64 of shape ``(n_samples,)``; ``coef`` is float64 of shape
``(n_features,)``; ``grad`` (float64, ``(n_features + 1,)``, last entry: intercept) is
overwritten. Products are formed and accumulated in float64. Small inputs (fewer than
``SERIAL_BELOW`` stored values) take one serial pass; larger ones are cut into chunks fixed by
the problem size (never by the thread count); each chunk accumulates a private partial and
the partials are summed in chunk order, so the results do not depend on the number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, parallel_chunksize, prange

from .._config import JIT, JIT_PARALLEL
from .linear import _dot_row, n_chunks_for, to_device
from .linear_gram import gram_csr, gram_dense

__all__ = [
    "TWEEDIE_IDENTITY",
    "TWEEDIE_LOG",
    "glm_hessian",
    "glm_hessian_csr",
    "glm_loss_grad",
    "glm_loss_grad_csr",
    "huber_loss_grad",
    "huber_loss_grad_csr",
    "n_chunks_for",
    "to_device",
]

TWEEDIE_LOG = 0
TWEEDIE_IDENTITY = 1
# Below this many stored values one serial pass beats waking the thread pool (which, on a
# busy machine, can cost more than the whole pass).
SERIAL_BELOW = 1 << 17


@njit(**JIT)
def _tweedie_log(y, raw, p):
    """Half Tweedie loss with log link, its first and second derivative in ``raw``."""
    if p == 0.0:
        mu = math.exp(raw)
        r = mu - y
        return 0.5 * r * r, r * mu, mu * (2.0 * mu - y)
    if p == 1.0:
        mu = math.exp(raw)
        return mu - y * raw, mu - y, mu
    if p == 2.0:
        e = math.exp(-raw)
        return raw + y * e, 1.0 - y * e, y * e
    e1 = math.exp((1.0 - p) * raw)
    e2 = math.exp((2.0 - p) * raw)
    return e2 / (2.0 - p) - y * e1 / (1.0 - p), e2 - y * e1, (2.0 - p) * e2 - (1.0 - p) * y * e1


@njit(**JIT)
def _tweedie_identity(y, mu, p):
    """Half Tweedie loss with identity link (``mu = raw``) and its two derivatives."""
    if p == 0.0:
        r = mu - y
        return 0.5 * r * r, r, 1.0
    if p == 1.0:
        return mu - y * math.log(mu), 1.0 - y / mu, y / (mu * mu)
    if p == 2.0:
        return math.log(mu) + y / mu, (mu - y) / (mu * mu), (2.0 * y - mu) / (mu * mu * mu)
    mp = mu**-p
    loss = mu ** (2.0 - p) / (2.0 - p) - y * mu ** (1.0 - p) / (1.0 - p)
    return loss, mp * (mu - y), (1.0 - p) * mp + p * y * mp / mu


@njit(**JIT)
def _pointwise(family, p, y, raw):
    if family == 0:
        return _tweedie_log(y, raw, p)
    return _tweedie_identity(y, raw, p)


@njit(**JIT)
def _reduce_chunks(parts, out):
    """``out = sum_c parts[c]``, in chunk order: the sum does not depend on the threads."""
    out[:] = 0.0
    for c in range(parts.shape[0]):
        for j in range(parts.shape[1]):
            out[j] += parts[c, j]


@njit(**JIT)
def _glm_dense_chunk(X, y, sw, w, b, family, p, start, stop, out, hw, want_h):
    d = X.shape[1]
    part = np.zeros(d + 1)
    loss = 0.0
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            if want_h:
                hw[i] = 0.0
            continue
        z = _dot_row(X, i, w) + b
        li, gi, hi = _pointwise(family, p, y[i], z)
        loss += s * li
        g = s * gi
        if want_h:
            hw[i] = s * hi
        for j in range(d):
            part[j] += g * X[i, j]
        part[d] += g
    out[:] = part
    return loss


@njit(**JIT_PARALLEL)
def _glm_dense(X, y, sw, coef, b, family, p, grad, hw, want_h, n_chunks):
    n, d = X.shape
    parts = np.zeros((n_chunks, d + 1))
    losses = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        losses[c] = _glm_dense_chunk(
            X, y, sw, coef, b, family, p, start, stop, parts[c], hw, want_h
        )
    _reduce_chunks(parts, grad)
    total = 0.0
    for c in range(n_chunks):
        total += losses[c]
    return total


@njit(**JIT)
def _glm_csr_chunk(data, indices, indptr, y, sw, w, b, family, p, start, stop, out, hw, want_h):
    d = w.shape[0]
    part = np.zeros(d + 1)
    loss = 0.0
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            if want_h:
                hw[i] = 0.0
            continue
        p0 = indptr[i]
        p1 = indptr[i + 1]
        z = b
        for q in range(p0, p1):
            z += np.float64(data[q]) * w[indices[q]]
        li, gi, hi = _pointwise(family, p, y[i], z)
        loss += s * li
        g = s * gi
        if want_h:
            hw[i] = s * hi
        for q in range(p0, p1):
            part[indices[q]] += g * data[q]
        part[d] += g
    out[:] = part
    return loss


@njit(**JIT_PARALLEL)
def _glm_csr(data, indices, indptr, y, sw, coef, b, family, p, grad, hw, want_h, n_chunks):
    n = indptr.shape[0] - 1
    d = coef.shape[0]
    parts = np.zeros((n_chunks, d + 1))
    losses = np.zeros(n_chunks)
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        losses[c] = _glm_csr_chunk(
            data, indices, indptr, y, sw, coef, b, family, p, start, stop, parts[c], hw, want_h
        )
    _reduce_chunks(parts, grad)
    total = 0.0
    for c in range(n_chunks):
        total += losses[c]
    return total


def _hw_buffer(hess_weights, n):
    if hess_weights is None:
        return np.empty(1), False
    if hess_weights.shape != (n,):
        raise ValueError(f"hess_weights must have shape ({n},), got {hess_weights.shape}.")
    return hess_weights, True


def glm_loss_grad(
    X, y, sample_weight, coef, intercept, family, power, grad, hess_weights=None
) -> float:
    """Weighted half-Tweedie loss and its gradient in one pass over dense ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,), float64
    coef : ndarray of shape (n_features,), float64
    intercept : float
    family : int
        ``TWEEDIE_LOG`` or ``TWEEDIE_IDENTITY``.
    power : float
        Tweedie power.
    grad : ndarray of shape (n_features + 1,), float64
        Output: gradient of the returned sum (last entry: intercept).
    hess_weights : ndarray of shape (n_samples,), float64, optional
        Output: ``sample_weight[i] * loss''(y_i, raw_i)``.

    Returns
    -------
    float
        ``sum_i sample_weight[i] * loss(y_i, raw_i)``.
    """
    n = X.shape[0]
    hw, want_h = _hw_buffer(hess_weights, n)
    args = (float(intercept), int(family), float(power))
    if X.size < SERIAL_BELOW:
        return float(_glm_dense_chunk(X, y, sample_weight, coef, *args, 0, n, grad, hw, want_h))
    n_chunks = n_chunks_for(n, grad.size)
    with parallel_chunksize(1):
        return float(
            _glm_dense(
                X,
                y,
                sample_weight,
                coef,
                float(intercept),
                int(family),
                float(power),
                grad,
                hw,
                want_h,
                n_chunks,
            )
        )


def glm_loss_grad_csr(
    data, indices, indptr, y, sample_weight, coef, intercept, family, power, grad, hess_weights=None
) -> float:
    """:func:`glm_loss_grad` for a CSR matrix ``(data, indices, indptr)``.

    The number of features is ``coef.shape[0]``.
    """
    n = indptr.shape[0] - 1
    hw, want_h = _hw_buffer(hess_weights, n)
    if data.shape[0] < SERIAL_BELOW:
        return float(
            _glm_csr_chunk(
                data, indices, indptr, y, sample_weight, coef, float(intercept), int(family),
                float(power), 0, n, grad, hw, want_h,
            )
        )  # fmt: skip
    n_chunks = n_chunks_for(n, grad.size)
    return float(
        _glm_csr(
            data,
            indices,
            indptr,
            y,
            sample_weight,
            coef,
            float(intercept),
            int(family),
            float(power),
            grad,
            hw,
            want_h,
            n_chunks,
        )
    )


def _assemble(G, x_sum, total, hess):
    d = G.shape[0]
    hess[:d, :d] = G
    hess[:d, d] = x_sum
    hess[d, :d] = x_sum
    hess[d, d] = total


def glm_hessian(X, hess_weights, hess):
    """``[X, 1]^T diag(hess_weights) [X, 1]`` for dense ``X``, into ``hess``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    hess_weights : ndarray of shape (n_samples,), float64
        The pointwise weights (from :func:`glm_loss_grad`).
    hess : ndarray of shape (n_features + 1, n_features + 1), float64
        Output; the last row and column belong to the intercept.
    """
    n, d = X.shape
    G = np.empty((d, d))
    x_sum = np.empty(d)
    total = gram_dense(
        X, np.empty((n, 0)), hess_weights, np.zeros(d), np.zeros(0), G, np.empty((d, 0)),
        x_sum, np.empty(0),
    )  # fmt: skip
    _assemble(G, x_sum, total, hess)


def glm_hessian_csr(data, indices, indptr, hess_weights, hess):
    """:func:`glm_hessian` for a CSR matrix; the number of features is ``hess.shape[0] - 1``."""
    n = indptr.shape[0] - 1
    d = hess.shape[0] - 1
    G = np.empty((d, d))
    x_sum = np.empty(d)
    total = gram_csr(
        data, indices, indptr, np.empty((n, 0)), hess_weights, np.zeros(0), G, np.empty((d, 0)),
        x_sum, np.empty(0),
    )  # fmt: skip
    # the CSR Gram kernel fills both triangles in different orders: make it exactly symmetric
    G += G.T
    G *= 0.5
    _assemble(G, x_sum, total, hess)


@njit(**JIT)
def _huber_terms(r, s, sigma, eps, stats):
    # returns d(objective)/d(raw) for one row and adds its loss pieces to stats
    if abs(r) > eps * sigma:
        stats[1] += s * abs(r)
        stats[2] += s
        return 2.0 * eps * s if r < 0.0 else -2.0 * eps * s
    stats[0] += s * r * r
    return -2.0 * s * r / sigma


@njit(**JIT)
def _huber_dense_chunk(X, y, sw, w, b, sigma, eps, start, stop, out, st):
    d = X.shape[1]
    part = np.zeros(d + 1)
    stats = np.zeros(3)
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        r = y[i] - _dot_row(X, i, w) - b
        g = _huber_terms(r, s, sigma, eps, stats)
        for j in range(d):
            part[j] += g * X[i, j]
        part[d] += g
    out[:] = part
    st[:] = stats


@njit(**JIT_PARALLEL)
def _huber_dense(X, y, sw, coef, b, sigma, eps, grad, stats, n_chunks):
    n, d = X.shape
    parts = np.zeros((n_chunks, d + 1))
    pst = np.zeros((n_chunks, 3))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        _huber_dense_chunk(X, y, sw, coef, b, sigma, eps, start, stop, parts[c], pst[c])
    _reduce_chunks(parts, grad)
    _reduce_chunks(pst, stats)


@njit(**JIT)
def _huber_csr_chunk(data, indices, indptr, y, sw, w, b, sigma, eps, start, stop, out, st):
    d = w.shape[0]
    part = np.zeros(d + 1)
    stats = np.zeros(3)
    for i in range(start, stop):
        s = sw[i]
        if s == 0.0:
            continue
        p0 = indptr[i]
        p1 = indptr[i + 1]
        z = b
        for q in range(p0, p1):
            z += np.float64(data[q]) * w[indices[q]]
        g = _huber_terms(y[i] - z, s, sigma, eps, stats)
        for q in range(p0, p1):
            part[indices[q]] += g * data[q]
        part[d] += g
    out[:] = part
    st[:] = stats


@njit(**JIT_PARALLEL)
def _huber_csr(data, indices, indptr, y, sw, coef, b, sigma, eps, grad, stats, n_chunks):
    n = indptr.shape[0] - 1
    d = coef.shape[0]
    parts = np.zeros((n_chunks, d + 1))
    pst = np.zeros((n_chunks, 3))
    step = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        start = c * step
        stop = min(n, start + step)
        _huber_csr_chunk(
            data, indices, indptr, y, sw, coef, b, sigma, eps, start, stop, parts[c], pst[c]
        )
    _reduce_chunks(parts, grad)
    _reduce_chunks(pst, stats)


def huber_loss_grad(X, y, sample_weight, coef, intercept, sigma, epsilon, grad, stats):
    """Pieces of the Huber objective and its gradient in coef and intercept, dense ``X``.

    With residuals ``r_i = y_i - x_i . coef - intercept`` and outliers ``|r_i| > epsilon sigma``:

    - ``stats[0] = sum_{inliers} s_i r_i^2``,
    - ``stats[1] = sum_{outliers} s_i |r_i|``,
    - ``stats[2] = sum_{outliers} s_i``,
    - ``grad = sum_i a_i [x_i, 1]`` with ``a_i = -2 s_i r_i / sigma`` for inliers and
      ``-2 epsilon s_i sign(r_i)`` for outliers: the gradient of
      ``stats[0] / sigma + 2 epsilon stats[1]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    y, sample_weight : ndarray of shape (n_samples,), float64
    coef : ndarray of shape (n_features,), float64
    intercept, sigma, epsilon : float
    grad : ndarray of shape (n_features + 1,), float64
        Output.
    stats : ndarray of shape (3,), float64
        Output.
    """
    if X.size < SERIAL_BELOW:
        _huber_dense_chunk(
            X, y, sample_weight, coef, float(intercept), float(sigma), float(epsilon), 0,
            X.shape[0], grad, stats,
        )  # fmt: skip
        return
    n_chunks = n_chunks_for(X.shape[0], grad.size)
    with parallel_chunksize(1):
        _huber_dense(
            X, y, sample_weight, coef, float(intercept), float(sigma), float(epsilon), grad,
            stats, n_chunks,
        )  # fmt: skip


def huber_loss_grad_csr(
    data, indices, indptr, y, sample_weight, coef, intercept, sigma, epsilon, grad, stats
):
    """:func:`huber_loss_grad` for a CSR matrix; the number of features is ``coef.shape[0]``."""
    if data.shape[0] < SERIAL_BELOW:
        _huber_csr_chunk(
            data, indices, indptr, y, sample_weight, coef, float(intercept), float(sigma),
            float(epsilon), 0, indptr.shape[0] - 1, grad, stats,
        )  # fmt: skip
        return
    n_chunks = n_chunks_for(indptr.shape[0] - 1, grad.size)
    _huber_csr(
        data, indices, indptr, y, sample_weight, coef, float(intercept), float(sigma),
        float(epsilon), grad, stats, n_chunks,
    )  # fmt: skip

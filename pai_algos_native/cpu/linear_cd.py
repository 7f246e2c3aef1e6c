"""Coordinate descent for the elastic net (CPU): on the data, dense or sparse, and on the Gram.

Every solver minimises scikit-learn's ``enet_coordinate_descent`` objective

    P(w) = 1/2 sum_i s_i r_i^2 + l1 ||w||_1 + l2/2 ||w||_2^2,    r = y - X w,

(``s`` the sample weights, ones for the unweighted dense and Gram solvers) with cyclic or
random coordinate updates (Friedman, Hastie and Tibshirani 2010) and stops as scikit-learn
does: when the largest coefficient change of an epoch, relative to the largest coefficient,
is at most ``tol``, the duality gap ``G(w, v)`` (formulation A of Fercoq et al. 2015, the dual
point ``v`` being the scaled residual; formulation B when ``l1 == 0``) is computed, and the
solver returns once ``G <= tol * sum_i s_i y_i^2``. At each gap evaluation the gap-safe
screening rule (Ndiaye et al. 2017, eq. 11) removes features whose coefficient is provably
zero at the optimum, so later epochs run over the remaining active set only.

Solvers (all return ``(gap, scaled_tol, n_iter)``; ``w`` is updated in place, float64):

- :func:`cd_dense`: ``XT`` is the (centred, weight-scaled) design *transposed*, C-contiguous
  of shape ``(n_features, n_samples)``, float32 or float64. One fused pass over the rows per
  coordinate applies the previous coordinate's residual update and forms the next dot
  product; for many rows the pass is split into fixed row chunks run in parallel, whose
  float64 partial sums are added in chunk order (the result does not depend on the thread
  count).
- :func:`cd_sparse`: the design as CSC arrays ``(data, indices, indptr)`` with implicit
  centring by ``mu`` and sample weights ``sw``: the residual is kept as ``R' + c`` with
  ``R' = y - X w`` (sparse updates) and the scalar ``c = mu . w``, so an update costs the
  column's non-zeros, not ``n_samples``.
- :func:`cd_gram`: on ``G = X^T X`` and ``q = X^T y`` (float64), for ``n_samples >> n_features``.
  :func:`gram_centered` computes ``G`` and ``q`` of the weighted, centred design in one
  parallel pass over row chunks (float64 partials, fixed order) without copying ``X``, with
  the package's one dense Gram kernel
  (:func:`pai_algos_native.cpu.linear_gram.gram_dense_rows`).

Residuals, Gram and every accumulation are float64 whatever the dtype of ``X``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL
from . import linear_gram

__all__ = [
    "cd_dense",
    "cd_gram",
    "cd_sparse",
    "col_sq_norms",
    "enet_gap",
    "gram_centered",
    "n_gram_parts",
    "weighted_col_mean",
]

# Rows per chunk of the parallel passes, and the number of rows below which a pass runs on
# one thread (a parallel region costs microseconds: too much per coordinate on small data).
CHUNK_ROWS = 8192
PARALLEL_MIN_ROWS = 32768
# Bound on the float64 values held by the Gram partials.
GRAM_BUDGET = 1 << 24
MAX_GRAM_PARTS = 16


@njit(**JIT)
def n_gram_parts(n_rows, n_features):
    """Number of row parts of :func:`gram_centered`: fixed by the shape, not the threads."""
    by_rows = (n_rows + 2047) // 2048
    by_memory = max(1, GRAM_BUDGET // max(1, n_features * n_features))
    return max(1, min(by_rows, by_memory, MAX_GRAM_PARTS))


# --------------------------------------------------------------------------- helpers


@njit(**JIT)
def _xorshift(state):
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    state ^= (state << 5) & 0xFFFFFFFF
    return state


@njit(**JIT)
def enet_gap(l1, l2, w_l1, w_l2sq, r_norm2, ry, dual_norm, xta_sq):
    """Duality gap of the elastic net from its ingredients (scikit-learn's formulation).

    ``dual_norm`` is ``max_j |X_j' r - l2 w_j|`` (``max_j`` of the signed value when
    positive) and ``xta_sq`` is ``||X' r||^2`` (used only when ``l1 == 0``).
    """
    if l1 == 0.0:
        if l2 == 0.0:
            return xta_sq
        return r_norm2 + 0.5 * l2 * w_l2sq - ry + xta_sq / (2.0 * l2)
    primal = 0.5 * (r_norm2 + l2 * w_l2sq) + l1 * w_l1
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    dual = -0.5 * scale * scale * (r_norm2 + l2 * w_l2sq) + scale * ry
    return primal - dual


@njit(**JIT)
def _finish_gap(w, xta, l1, l2, r_norm2, ry, positive):
    """Turn ``xta = X' r`` into ``X' r - l2 w`` in place; return (gap, dual_norm)."""
    p = w.shape[0]
    w_l1 = 0.0
    w_l2sq = 0.0
    xta_sq = 0.0
    for j in range(p):
        w_l1 += abs(w[j])
        w_l2sq += w[j] * w[j]
        xta_sq += xta[j] * xta[j]
    if l1 == 0.0:
        return enet_gap(l1, l2, w_l1, w_l2sq, r_norm2, ry, 0.0, xta_sq), 0.0
    dual_norm = -np.inf if positive else 0.0
    for j in range(p):
        xta[j] -= l2 * w[j]
        v = xta[j] if positive else abs(xta[j])
        if v > dual_norm:
            dual_norm = v
    return enet_gap(l1, l2, w_l1, w_l2sq, r_norm2, ry, dual_norm, xta_sq), dual_norm


@njit(**JIT)
def _screen(xta, dual_norm, gap, l1, l2, norm2, excluded, active):
    """Gap-safe rule: mark features whose optimum is zero; return the new active count.

    Features to drop are flagged with ``excluded[j] = 2`` (the caller zeroes them and
    updates its residual, then sets the flag to 1).
    """
    radius = math.sqrt(2.0 * abs(gap)) / l1
    denom = max(l1, dual_norm)
    n_active = 0
    for j in range(xta.shape[0]):
        if excluded[j]:
            continue
        if norm2[j] == 0.0:
            excluded[j] = 2
            continue
        d_j = (1.0 - abs(xta[j] / denom)) / math.sqrt(norm2[j] + l2)
        if d_j <= radius:
            active[n_active] = j
            n_active += 1
        else:
            excluded[j] = 2
    return n_active


@njit(**JIT)
def _update(w_j, tmp, l1, l2, norm2_j, positive):
    if positive and tmp < 0.0:
        return 0.0
    mag = abs(tmp) - l1
    if mag <= 0.0:
        return 0.0
    return math.copysign(mag, tmp) / (norm2_j + l2)


# --------------------------------------------------------------------------- dense data


@njit(**JIT_PARALLEL)
def col_sq_norms(XT):
    """``sum_i X[i, j]^2`` per feature (float64) of the transposed design ``XT``."""
    p, n = XT.shape
    out = np.empty(p)
    for j in prange(p):
        s = 0.0
        for i in range(n):
            v = float(XT[j, i])
            s += v * v
        out[j] = s
    return out


@njit(**JIT_PARALLEL)
def _fused_pass(XT, R, j_prev, d_prev, j_next, partials):
    """``R -= d_prev X[:, j_prev]`` then return ``X[:, j_next] . R`` (either may be -1)."""
    n = R.shape[0]
    n_chunks = partials.shape[0]
    if n_chunks == 1:
        s = 0.0
        if j_prev >= 0 and j_next >= 0:
            for i in range(n):
                R[i] -= d_prev * XT[j_prev, i]
                s += XT[j_next, i] * R[i]
        elif j_next >= 0:
            for i in range(n):
                s += XT[j_next, i] * R[i]
        elif j_prev >= 0:
            for i in range(n):
                R[i] -= d_prev * XT[j_prev, i]
        return s
    for c in prange(n_chunks):
        lo = c * CHUNK_ROWS
        hi = min(n, lo + CHUNK_ROWS)
        s = 0.0
        if j_prev >= 0 and j_next >= 0:
            for i in range(lo, hi):
                R[i] -= d_prev * XT[j_prev, i]
                s += XT[j_next, i] * R[i]
        elif j_next >= 0:
            for i in range(lo, hi):
                s += XT[j_next, i] * R[i]
        elif j_prev >= 0:
            for i in range(lo, hi):
                R[i] -= d_prev * XT[j_prev, i]
        partials[c] = s
    total = 0.0
    for c in range(n_chunks):
        total += partials[c]
    return total


@njit(**JIT_PARALLEL)
def _dense_xtr(XT, R, xta):
    p, n = XT.shape
    for j in prange(p):
        s = 0.0
        for i in range(n):
            s += XT[j, i] * R[i]
        xta[j] = s


@njit(**JIT)
def _dense_gap(XT, y, R, w, xta, l1, l2, positive):
    r_norm2 = 0.0
    ry = 0.0
    for i in range(R.shape[0]):
        r_norm2 += R[i] * R[i]
        ry += R[i] * y[i]
    _dense_xtr(XT, R, xta)
    return _finish_gap(w, xta, l1, l2, r_norm2, ry, positive)


@njit(**JIT)
def cd_dense(w, XT, y, norm2, l1, l2, max_iter, tol, positive, random, seed, screening):
    """Elastic-net coordinate descent on dense data (see the module docstring).

    Parameters: ``w`` (n_features,) float64, updated in place; ``XT`` (n_features, n_samples);
    ``y`` (n_samples,) float64; ``norm2`` = :func:`col_sq_norms` (XT); ``l1``, ``l2`` the
    penalties of the sum-form objective; ``tol`` unscaled; ``seed`` a non-zero int for
    ``random``. Returns ``(gap, tol * y'y, n_iter)``.
    """
    p, n = XT.shape
    n_chunks = 1 if n < PARALLEL_MIN_ROWS else (n + CHUNK_ROWS - 1) // CHUNK_ROWS
    partials = np.zeros(n_chunks)
    R = y.copy()
    for j in range(p):
        if w[j] != 0.0:
            _fused_pass(XT, R, j, w[j], -1, partials)
    y_norm2 = 0.0
    for i in range(n):
        y_norm2 += y[i] * y[i]
    tol_scaled = tol * y_norm2
    xta = np.empty(p)
    active = np.arange(p)
    excluded = np.zeros(p, dtype=np.uint8)
    screening = screening and l1 > 0.0
    gap, dual_norm = _dense_gap(XT, y, R, w, xta, l1, l2, positive)
    if gap <= tol_scaled:
        return gap, tol_scaled, 0
    n_active = p
    state = np.int64(seed) & 0xFFFFFFFF
    if state == 0:
        state = 1
    if screening:
        n_active = _screen(xta, dual_norm, gap, l1, l2, norm2, excluded, active)
        for j in range(p):
            if excluded[j] == 2:
                if w[j] != 0.0:
                    _fused_pass(XT, R, j, -w[j], -1, partials)
                    w[j] = 0.0
                excluded[j] = 1
    n_iter = 0
    for n_iter in range(max_iter):
        w_max = 0.0
        d_w_max = 0.0
        # the residual update of a coordinate is fused with the next coordinate's dot
        j_prev = -1
        d_prev = 0.0
        for f in range(n_active):
            if random:
                state = _xorshift(state)
                j = active[state % n_active]
            else:
                j = active[f]
            if norm2[j] == 0.0:
                continue
            dot = _fused_pass(XT, R, j_prev, d_prev, j, partials)
            w_j = w[j]
            new = _update(w_j, dot + w_j * norm2[j], l1, l2, norm2[j], positive)
            w[j] = new
            if new != w_j:
                j_prev = j
                d_prev = new - w_j
            else:
                j_prev = -1
                d_prev = 0.0
            d_w_max = max(d_w_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if j_prev >= 0:
            _fused_pass(XT, R, j_prev, d_prev, -1, partials)
        if w_max == 0.0 or d_w_max / w_max <= tol or n_iter == max_iter - 1:
            gap, dual_norm = _dense_gap(XT, y, R, w, xta, l1, l2, positive)
            if gap <= tol_scaled:
                break
            if screening:
                n_active = _screen(xta, dual_norm, gap, l1, l2, norm2, excluded, active)
                for j in range(p):
                    if excluded[j] == 2:
                        if w[j] != 0.0:
                            _fused_pass(XT, R, j, -w[j], -1, partials)
                            w[j] = 0.0
                        excluded[j] = 1
    return gap, tol_scaled, n_iter + 1


# --------------------------------------------------------------------------- sparse data


@njit(**JIT)
def _sparse_gap(data, indices, indptr, y, sw, mu, Rp, c, w, xta, l1, l2, positive):
    n = Rp.shape[0]
    r_norm2 = 0.0
    ry = 0.0
    s_r = 0.0
    for i in range(n):
        r = Rp[i] + c
        r_norm2 += sw[i] * r * r
        ry += sw[i] * r * y[i]
        s_r += sw[i] * r
    for j in range(w.shape[0]):
        s = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            i = indices[k]
            s += sw[i] * data[k] * (Rp[i] + c)
        xta[j] = s - mu[j] * s_r
    gap, dual_norm = _finish_gap(w, xta, l1, l2, r_norm2, ry, positive)
    return gap, dual_norm, s_r


@njit(**JIT)
def cd_sparse(
    w,
    data,
    indices,
    indptr,
    y,
    sw,
    mu,
    l1,
    l2,
    max_iter,
    tol,
    positive,
    random,
    seed,
    screening,
):
    """Elastic-net coordinate descent on a CSC design, implicitly centred by ``mu``.

    ``y`` is the centred target (float64), ``sw`` the sample weights (float64), ``mu`` the
    column offsets (zeros without intercept). Returns ``(gap, tol * sum(sw y^2), n_iter)``.
    """
    n = y.shape[0]
    p = w.shape[0]
    s_total = 0.0
    for i in range(n):
        s_total += sw[i]
    norm2 = np.empty(p)
    colw = np.empty(p)
    for j in range(p):
        s2 = 0.0
        s1 = 0.0
        s_nz = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            i = indices[k]
            v = data[k]
            s2 += sw[i] * (v - mu[j]) ** 2
            s1 += sw[i] * v
            s_nz += sw[i]
        norm2[j] = s2 + mu[j] * mu[j] * (s_total - s_nz)
        colw[j] = s1
    # residual r = Rp + c with Rp = y - X w and c = mu . w
    Rp = y.copy()
    c = 0.0
    for j in range(p):
        if w[j] != 0.0:
            for k in range(indptr[j], indptr[j + 1]):
                Rp[indices[k]] -= data[k] * w[j]
            c += mu[j] * w[j]
    y_norm2 = 0.0
    for i in range(n):
        y_norm2 += sw[i] * y[i] * y[i]
    tol_scaled = tol * y_norm2
    xta = np.empty(p)
    active = np.arange(p)
    excluded = np.zeros(p, dtype=np.uint8)
    screening = screening and l1 > 0.0
    gap, dual_norm, s_r = _sparse_gap(
        data, indices, indptr, y, sw, mu, Rp, c, w, xta, l1, l2, positive
    )
    if gap <= tol_scaled:
        return gap, tol_scaled, 0
    n_active = p
    state = np.int64(seed) & 0xFFFFFFFF
    if state == 0:
        state = 1
    n_iter = 0
    for n_iter in range(max_iter + 1):
        if n_iter == 0:
            if not screening:
                continue
        else:
            it = n_iter - 1
            w_max = 0.0
            d_w_max = 0.0
            for f in range(n_active):
                if random:
                    state = _xorshift(state)
                    j = active[state % n_active]
                else:
                    j = active[f]
                if norm2[j] == 0.0:
                    continue
                s = 0.0
                for k in range(indptr[j], indptr[j + 1]):
                    i = indices[k]
                    s += sw[i] * data[k] * Rp[i]
                grad = s + c * colw[j] - mu[j] * s_r
                w_j = w[j]
                new = _update(w_j, grad + w_j * norm2[j], l1, l2, norm2[j], positive)
                if new != w_j:
                    d = new - w_j
                    for k in range(indptr[j], indptr[j + 1]):
                        Rp[indices[k]] -= d * data[k]
                    c += d * mu[j]
                    s_r -= d * (colw[j] - mu[j] * s_total)
                    w[j] = new
                d_w_max = max(d_w_max, abs(new - w_j))
                w_max = max(w_max, abs(new))
            if not (w_max == 0.0 or d_w_max / w_max <= tol or it == max_iter - 1):
                continue
            gap, dual_norm, s_r = _sparse_gap(
                data, indices, indptr, y, sw, mu, Rp, c, w, xta, l1, l2, positive
            )
            if gap <= tol_scaled:
                break
        if screening:
            n_active = _screen(xta, dual_norm, gap, l1, l2, norm2, excluded, active)
            for j in range(p):
                if excluded[j] == 2:
                    if w[j] != 0.0:
                        d = -w[j]
                        for k in range(indptr[j], indptr[j + 1]):
                            Rp[indices[k]] -= d * data[k]
                        c += d * mu[j]
                        s_r -= d * (colw[j] - mu[j] * s_total)
                        w[j] = 0.0
                    excluded[j] = 1
    return gap, tol_scaled, max(n_iter, 1)


# --------------------------------------------------------------------------- Gram


@njit(**JIT_PARALLEL)
def weighted_col_mean(X, rows, sw):
    """``sum_r sw[r] X[rows[r], :] / sum(sw)`` in float64 (``sw`` aligned with ``rows``)."""
    n = rows.shape[0]
    p = X.shape[1]
    n_parts = n_gram_parts(n, 1)
    part = (n + n_parts - 1) // n_parts
    partials = np.zeros((n_parts, p))
    for t in prange(n_parts):
        acc = partials[t]
        for r in range(t * part, min(n, (t + 1) * part)):
            s = sw[r]
            i = rows[r]
            for j in range(p):
                acc[j] += s * X[i, j]
    out = np.zeros(p)
    total = 0.0
    for r in range(n):
        total += sw[r]
    for t in range(n_parts):
        for j in range(p):
            out[j] += partials[t, j]
    for j in range(p):
        out[j] /= total
    return out


def gram_centered(X, rows, mu, sw, Y, G, Q):
    """``G = sum_r sw_r (x_r - mu)(x_r - mu)^T`` and ``Q = sum_r sw_r (x_r - mu) Y_r^T``.

    ``X`` (n, p) C-contiguous of any float dtype, read at ``rows`` (int64); ``mu`` (p,),
    ``sw`` (len(rows),), ``Y`` (len(rows), k) float64 (rows aligned with ``rows``); ``G``
    (p, p) and ``Q`` (p, k) float64 are overwritten. The kernel is
    :func:`pai_algos_native.cpu.linear_gram.gram_dense_rows` (row chunks fixed by the shape,
    float64 partials summed in chunk order; no BLAS).
    """
    p = X.shape[1]
    k_out = Y.shape[1]
    linear_gram.gram_dense_rows(
        X, rows, Y, sw, mu, np.zeros(k_out), G, Q, np.empty(p), np.empty(k_out)
    )


@njit(**JIT)
def _gram_gap(w, G, q, Qw, y_norm2, xta, l1, l2, positive):
    p = w.shape[0]
    qw = 0.0
    wqw = 0.0
    for j in range(p):
        qw += q[j] * w[j]
        wqw += w[j] * Qw[j]
        xta[j] = q[j] - Qw[j]
    r_norm2 = y_norm2 + wqw - 2.0 * qw
    ry = y_norm2 - qw
    return _finish_gap(w, xta, l1, l2, r_norm2, ry, positive)


@njit(**JIT)
def _axpy_row(G, j, d, Qw):
    for c in range(Qw.shape[0]):
        Qw[c] += d * G[j, c]


@njit(**JIT)
def cd_gram(w, G, q, y_norm2, l1, l2, max_iter, tol, positive, random, seed, screening):
    """Elastic-net coordinate descent on ``G = X'X``, ``q = X'y`` (float64, C order).

    ``y_norm2`` is ``y'y``. Minimises ``w'Gw/2 - q'w + l1 |w|_1 + l2/2 |w|^2`` (plus the
    constant ``y'y/2``), which is the elastic net on the data. Returns
    ``(gap, tol * y'y, n_iter)``.
    """
    p = w.shape[0]
    Qw = np.zeros(p)
    for j in range(p):
        if w[j] != 0.0:
            _axpy_row(G, j, w[j], Qw)
    norm2 = np.empty(p)
    for j in range(p):
        norm2[j] = G[j, j]
    tol_scaled = tol * y_norm2
    xta = np.empty(p)
    active = np.arange(p)
    excluded = np.zeros(p, dtype=np.uint8)
    screening = screening and l1 > 0.0
    gap, dual_norm = _gram_gap(w, G, q, Qw, y_norm2, xta, l1, l2, positive)
    if 0.0 <= gap <= tol_scaled:
        return gap, tol_scaled, 0
    n_active = p
    state = np.int64(seed) & 0xFFFFFFFF
    if state == 0:
        state = 1
    if screening:
        n_active = _screen(xta, dual_norm, gap, l1, l2, norm2, excluded, active)
        for j in range(p):
            if excluded[j] == 2:
                if w[j] != 0.0:
                    _axpy_row(G, j, -w[j], Qw)
                    w[j] = 0.0
                excluded[j] = 1
    n_iter = 0
    for n_iter in range(max_iter):
        w_max = 0.0
        d_w_max = 0.0
        for f in range(n_active):
            if random:
                state = _xorshift(state)
                j = active[state % n_active]
            else:
                j = active[f]
            if norm2[j] == 0.0:
                continue
            w_j = w[j]
            tmp = q[j] - Qw[j] + w_j * norm2[j]
            new = _update(w_j, tmp, l1, l2, norm2[j], positive)
            if new != w_j:
                _axpy_row(G, j, new - w_j, Qw)
                w[j] = new
            d_w_max = max(d_w_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_w_max / w_max <= tol or n_iter == max_iter - 1:
            gap, dual_norm = _gram_gap(w, G, q, Qw, y_norm2, xta, l1, l2, positive)
            if gap <= tol_scaled:
                break
            if screening:
                n_active = _screen(xta, dual_norm, gap, l1, l2, norm2, excluded, active)
                for j in range(p):
                    if excluded[j] == 2:
                        if w[j] != 0.0:
                            _axpy_row(G, j, -w[j], Qw)
                            w[j] = 0.0
                        excluded[j] = 1
    return gap, tol_scaled, n_iter + 1

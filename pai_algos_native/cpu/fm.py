"""Factorization machines (CPU): forward pass and minibatch gradients over CSR rows.

Parameters live in one table ``P`` of shape ``(n_rows, 1 + width)``: row ``j`` holds the linear
weight of feature ``j`` in column 0 and its latent vector(s) in columns ``1:``. When
``with_bias`` is true row 0 is the intercept (column 0; its other columns are unused). A
second-order FM (Rendle 2010) has ``width = k``; a field-aware FM (Juan et al. 2016) has
``width = n_fields * k``, the latent vector of feature ``j`` towards field ``f`` being
``P[j, 1 + f*k : 1 + (f+1)*k]``.

The training step has the shape of a parameter-server worker's step: *pull* the rows of the
minibatch's distinct features (``inverse`` maps each stored entry of the minibatch to a pulled
row), *compute* the gradient against the pulled rows (:func:`fm_batch_grad`,
:func:`ffm_batch_grad`), *push* it through an optimizer (:func:`apply_update`). The in-process
epoch (:func:`fm_epoch`) runs exactly those three steps per minibatch, with the table in memory.

Gradients are summed over the minibatch's rows (one row alone gives the per-sample step of
libFM / libffm). L2 penalties are applied lazily: a feature's penalty counts once per row of the
minibatch that holds it. The backward pass runs over the pulled rows in parallel (a transposed
copy of the minibatch's entries groups them by feature), so every sum is taken in a fixed order
and the result does not depend on the number of threads. Sums are accumulated in float64.

Losses: ``LOG`` (``y`` in {0, 1}, logistic loss of the score) and ``SQUARED`` (half the
squared error).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "LOG",
    "SQUARED",
    "SGD",
    "ADAGRAD",
    "apply_update",
    "batch_transpose",
    "PARALLEL_MIN_WORK",
    "ffm_batch_grad",
    "ffm_batch_grad_serial",
    "ffm_epoch",
    "ffm_predict",
    "fm_batch_grad",
    "fm_batch_grad_serial",
    "fm_epoch",
    "fm_predict",
]

LOG = 0
SQUARED = 1
SGD = 0
ADAGRAD = 1


@njit(**JIT)
def _loss_grad(loss, score, y):
    """(loss, d loss / d score) of one row."""
    if loss == LOG:
        z = score if y > 0.5 else -score
        if z > 0:
            value = math.log1p(math.exp(-z))
        else:
            value = -z + math.log1p(math.exp(z))
        if score >= 0:
            p = 1.0 / (1.0 + math.exp(-score))
        else:
            e = math.exp(score)
            p = e / (1.0 + e)
        return value, p - y
    d = score - y
    return 0.5 * d * d, d


@njit(**JIT_PARALLEL)
def fm_predict(data, indices, indptr, P, with_bias, out):
    """Scores of all rows: ``out[i] = w0 + sum_j w_j x_j + sum_{j<l} <v_j, v_l> x_j x_l``.

    ``indices`` are rows of ``P`` (already offset past the intercept row). O(k nnz) with
    Rendle's identity ``sum_{j<l} <v_j,v_l> x_j x_l = 1/2 sum_f ((sum_j v_jf x_j)^2 -
    sum_j v_jf^2 x_j^2)``.
    """
    n = indptr.shape[0] - 1
    k = P.shape[1] - 1
    for i in prange(n):
        s = P[0, 0] * 1.0 if with_bias else 0.0
        for p in range(indptr[i], indptr[i + 1]):
            s += P[indices[p], 0] * data[p]
        inter = 0.0
        for f in range(k):
            a = 0.0
            b = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                t = P[indices[p], 1 + f] * data[p]
                a += t
                b += t * t
            inter += a * a - b
        out[i] = s + 0.5 * inter


@njit(**JIT_PARALLEL)
def ffm_predict(data, indices, indptr, field, n_fields, P, with_bias, out):
    """Scores of all rows of a field-aware FM:
    ``w0 + sum_j w_j x_j + sum_{a<b} <v_{j_a, F(j_b)}, v_{j_b, F(j_a)}> x_a x_b``.

    ``field[j]`` is the field of table row ``j``. O(k nnz^2) per row.
    """
    n = indptr.shape[0] - 1
    k = (P.shape[1] - 1) // n_fields
    for i in prange(n):
        s = P[0, 0] * 1.0 if with_bias else 0.0
        for p in range(indptr[i], indptr[i + 1]):
            s += P[indices[p], 0] * data[p]
        for p in range(indptr[i], indptr[i + 1]):
            ja = indices[p]
            fa = field[ja]
            for q in range(p + 1, indptr[i + 1]):
                jb = indices[q]
                fb = field[jb]
                oa = 1 + fb * k
                ob = 1 + fa * k
                dot = 0.0
                for f in range(k):
                    dot += P[ja, oa + f] * P[jb, ob + f]
                s += dot * data[p] * data[q]
        out[i] = s


@njit(**JIT)
def batch_transpose(indptr, rows, inverse, n_local):
    """Group the minibatch's entries by pulled row.

    Returns ``(bptr, tptr, occ)``: ``bptr`` the minibatch-local row pointers (entry ``e`` of
    local row ``r`` is ``e in [bptr[r], bptr[r+1])``), and ``occ[tptr[j]:tptr[j+1]]`` the
    entries that map to pulled row ``j``, in increasing entry order.
    """
    m = rows.shape[0]
    bptr = np.empty(m + 1, dtype=np.int64)
    bptr[0] = 0
    for r in range(m):
        i = rows[r]
        bptr[r + 1] = bptr[r] + indptr[i + 1] - indptr[i]
    nnz = bptr[m]
    tptr = np.zeros(n_local + 1, dtype=np.int64)
    for e in range(nnz):
        tptr[inverse[e] + 1] += 1
    for j in range(n_local):
        tptr[j + 1] += tptr[j]
    fill = tptr[:-1].copy()
    occ = np.empty(nnz, dtype=np.int64)
    for e in range(nnz):
        j = inverse[e]
        occ[fill[j]] = e
        fill[j] += 1
    return bptr, tptr, occ


@njit(**JIT)
def _entry_rows(bptr):
    nnz = bptr[bptr.shape[0] - 1]
    row_of = np.empty(nnz, dtype=np.int64)
    for r in range(bptr.shape[0] - 1):
        for e in range(bptr[r], bptr[r + 1]):
            row_of[e] = r
    return row_of


@njit(**JIT)
def _gather_values(data, indptr, rows, bptr):
    """The minibatch's stored values, in entry order (float64)."""
    x = np.empty(bptr[bptr.shape[0] - 1], dtype=np.float64)
    for r in range(rows.shape[0]):
        i = rows[r]
        e = bptr[r]
        for p in range(indptr[i], indptr[i + 1]):
            x[e] = data[p]
            e += 1
    return x


@njit(**JIT)
def _prelude(indptr, rows, inverse, n_local, data):
    bptr, tptr, occ = batch_transpose(indptr, rows, inverse, n_local)
    return bptr, tptr, occ, _entry_rows(bptr), _gather_values(data, indptr, rows, bptr)


@njit(**JIT)
def _fm_row(r, bptr, inverse, x, P, w0, S):
    """Score of minibatch row ``r``; ``S[r, f] = sum_j v_jf x_j`` kept for the backward pass."""
    score = w0
    for e in range(bptr[r], bptr[r + 1]):
        score += P[inverse[e], 0] * x[e]
    inter = 0.0
    for f in range(S.shape[1]):
        a = 0.0
        b = 0.0
        for e in range(bptr[r], bptr[r + 1]):
            t = P[inverse[e], 1 + f] * x[e]
            a += t
            b += t * t
        S[r, f] = a
        inter += a * a - b
    return score + 0.5 * inter


@njit(**JIT)
def _fm_key(j, tptr, occ, row_of, x, g, S, P, reg_w, reg_v, grad):
    """Gradient of pulled row ``j``: its entries in the order of ``occ``."""
    count = tptr[j + 1] - tptr[j]
    acc = 0.0
    for o in range(tptr[j], tptr[j + 1]):
        e = occ[o]
        acc += g[row_of[e]] * x[e]
    grad[j, 0] = acc + reg_w * count * P[j, 0]
    for f in range(S.shape[1]):
        v = P[j, 1 + f]
        acc = 0.0
        for o in range(tptr[j], tptr[j + 1]):
            e = occ[o]
            acc += g[row_of[e]] * x[e] * (S[row_of[e], f] - v * x[e])
        grad[j, 1 + f] = acc + reg_v * count * v


@njit(**JIT)
def _ffm_row(r, bptr, inverse, x, field, k, P, w0):
    score = w0
    for e in range(bptr[r], bptr[r + 1]):
        score += P[inverse[e], 0] * x[e]
    for a in range(bptr[r], bptr[r + 1]):
        ja = inverse[a]
        fa = field[ja]
        for b in range(a + 1, bptr[r + 1]):
            jb = inverse[b]
            oa = 1 + field[jb] * k
            ob = 1 + fa * k
            dot = 0.0
            for f in range(k):
                dot += P[ja, oa + f] * P[jb, ob + f]
            score += dot * x[a] * x[b]
    return score


@njit(**JIT)
def _ffm_key(j, tptr, occ, row_of, bptr, inverse, x, g, field, k, P, reg_w, reg_v, grad):
    fj = field[j]
    for c in range(1, P.shape[1]):
        grad[j, c] = 0.0
    acc = 0.0
    for o in range(tptr[j], tptr[j + 1]):
        a = occ[o]
        r = row_of[a]
        xa = x[a]
        acc += g[r] * xa
        for b in range(bptr[r], bptr[r + 1]):
            if b == a:
                continue
            jb = inverse[b]
            oa = 1 + field[jb] * k
            ob = 1 + fj * k
            h = g[r] * xa * x[b]
            for f in range(k):
                grad[j, oa + f] += h * P[jb, ob + f] + reg_v * P[j, oa + f]
    grad[j, 0] = acc + reg_w * (tptr[j + 1] - tptr[j]) * P[j, 0]


@njit(**JIT)
def _row_losses(loss, rows, y, s, scores, g):
    """Turns ``scores`` into weighted d loss / d score in ``g``; returns the summed loss."""
    total = 0.0
    for r in range(rows.shape[0]):
        i = rows[r]
        value, d = _loss_grad(loss, scores[r], y[i])
        total += value * s[i]
        g[r] = d * s[i]
    return total


@njit(**JIT)
def _bias_grad(g, P, with_bias, reg_w0, grad):
    """Intercept row of the gradient; returns the first pulled row of a feature."""
    if not with_bias:
        return 0
    gsum = 0.0
    for r in range(g.shape[0]):
        gsum += g[r]
    grad[0, :] = 0.0
    grad[0, 0] = gsum + reg_w0 * g.shape[0] * P[0, 0]
    return 1


# Each minibatch gradient has a parallel form (prange over rows, then over pulled rows) and a
# serial twin. Measured on the shared 2-core test machine (make_ctr, 200,000 rows x 16 fields,
# CPU seconds per epoch, serial -> 2 threads): FM k=8 batch 4096 0.68 -> 1.45, FFM k=4 batch 32
# 2.9 -> 31.7, batch 256 2.7 -> 11.4. A parallel region costs more than a minibatch's work, so
# the epoch goes parallel only for steps of at least this many multiply-adds (nnz x width,
# x nnz per row for FFM); prediction (one region over all rows) is always parallel.
PARALLEL_MIN_WORK = 1 << 24


@njit(**JIT_PARALLEL)
def fm_batch_grad(
    loss, data, indptr, rows, inverse, y, s, P, with_bias, reg_w0, reg_w, reg_v, grad
):
    """Gradient of a minibatch of a second-order FM against the pulled rows ``P``.

    Parameters: ``rows`` (int64) the minibatch's rows of the CSR ``(data, indptr)``;
    ``inverse[e]`` the pulled row of the minibatch's ``e``-th stored entry (rows in the order
    of ``rows``, entries in CSR order; the intercept, when ``with_bias``, is pulled row 0 and
    no entry maps to it); ``y`` and ``s`` targets and sample weights of all rows; ``P`` the
    pulled rows, shape ``(n_local, 1 + k)``. Fills ``grad`` (same shape as ``P``) with the
    summed weighted loss gradient plus the lazy L2 terms, and returns the summed weighted loss.
    Parallel over the minibatch's rows, then over its pulled rows.
    """
    m = rows.shape[0]
    bptr, tptr, occ, row_of, x = _prelude(indptr, rows, inverse, P.shape[0], data)
    S = np.empty((m, P.shape[1] - 1), dtype=np.float64)
    scores = np.empty(m, dtype=np.float64)
    g = np.empty(m, dtype=np.float64)
    w0 = P[0, 0] * 1.0 if with_bias else 0.0
    for r in prange(m):
        scores[r] = _fm_row(r, bptr, inverse, x, P, w0, S)
    total = _row_losses(loss, rows, y, s, scores, g)
    for j in prange(_bias_grad(g, P, with_bias, reg_w0, grad), P.shape[0]):
        _fm_key(j, tptr, occ, row_of, x, g, S, P, reg_w, reg_v, grad)
    return total


@njit(**JIT)
def fm_batch_grad_serial(
    loss, data, indptr, rows, inverse, y, s, P, with_bias, reg_w0, reg_w, reg_v, grad
):
    """:func:`fm_batch_grad` on one thread (same sums in the same order, same result)."""
    m = rows.shape[0]
    bptr, tptr, occ, row_of, x = _prelude(indptr, rows, inverse, P.shape[0], data)
    S = np.empty((m, P.shape[1] - 1), dtype=np.float64)
    scores = np.empty(m, dtype=np.float64)
    g = np.empty(m, dtype=np.float64)
    w0 = P[0, 0] * 1.0 if with_bias else 0.0
    for r in range(m):
        scores[r] = _fm_row(r, bptr, inverse, x, P, w0, S)
    total = _row_losses(loss, rows, y, s, scores, g)
    for j in range(_bias_grad(g, P, with_bias, reg_w0, grad), P.shape[0]):
        _fm_key(j, tptr, occ, row_of, x, g, S, P, reg_w, reg_v, grad)
    return total


@njit(**JIT_PARALLEL)
def ffm_batch_grad(
    loss, data, indptr, rows, inverse, field, n_fields, y, s, P, with_bias, reg_w0, reg_w,
    reg_v, grad,
):  # fmt: skip
    """Gradient of a minibatch of a field-aware FM against the pulled rows ``P``.

    As :func:`fm_batch_grad`, with ``P`` of shape ``(n_local, 1 + n_fields * k)`` and
    ``field[j]`` the field of pulled row ``j``. The gradient of ``v_{j, f}`` sums, over the
    entries ``a`` of feature ``j`` and the other entries ``b`` of the same row with
    ``F(b) = f``, ``g x_a x_b v_{j_b, F(j)}``, plus ``reg_v v_{j, f}`` per such pair (the
    per-pair L2 step of libffm).
    """
    m = rows.shape[0]
    k = (P.shape[1] - 1) // n_fields
    bptr, tptr, occ, row_of, x = _prelude(indptr, rows, inverse, P.shape[0], data)
    scores = np.empty(m, dtype=np.float64)
    g = np.empty(m, dtype=np.float64)
    w0 = P[0, 0] * 1.0 if with_bias else 0.0
    for r in prange(m):
        scores[r] = _ffm_row(r, bptr, inverse, x, field, k, P, w0)
    total = _row_losses(loss, rows, y, s, scores, g)
    for j in prange(_bias_grad(g, P, with_bias, reg_w0, grad), P.shape[0]):
        _ffm_key(j, tptr, occ, row_of, bptr, inverse, x, g, field, k, P, reg_w, reg_v, grad)
    return total


@njit(**JIT)
def ffm_batch_grad_serial(
    loss, data, indptr, rows, inverse, field, n_fields, y, s, P, with_bias, reg_w0, reg_w,
    reg_v, grad,
):  # fmt: skip
    """:func:`ffm_batch_grad` on one thread (same sums in the same order, same result)."""
    m = rows.shape[0]
    k = (P.shape[1] - 1) // n_fields
    bptr, tptr, occ, row_of, x = _prelude(indptr, rows, inverse, P.shape[0], data)
    scores = np.empty(m, dtype=np.float64)
    g = np.empty(m, dtype=np.float64)
    w0 = P[0, 0] * 1.0 if with_bias else 0.0
    for r in range(m):
        scores[r] = _ffm_row(r, bptr, inverse, x, field, k, P, w0)
    total = _row_losses(loss, rows, y, s, scores, g)
    for j in range(_bias_grad(g, P, with_bias, reg_w0, grad), P.shape[0]):
        _ffm_key(j, tptr, occ, row_of, bptr, inverse, x, g, field, k, P, reg_w, reg_v, grad)
    return total


@njit(**JIT)
def apply_update(P, G, slots, grad, solver, lr, eps):
    """Push: apply ``grad`` (pulled-row order) to the table rows ``slots`` of ``P``.

    ``SGD``: ``P -= lr * grad``. ``ADAGRAD`` (as libffm): ``G += grad**2`` then
    ``P -= lr * grad / sqrt(G + eps)``; ``G`` starts at 1 in libffm, at whatever the
    caller gives here.
    """
    for q in range(slots.shape[0]):
        j = slots[q]
        for c in range(P.shape[1]):
            d = grad[q, c]
            if solver == ADAGRAD:
                G[j, c] += d * d
                P[j, c] -= lr * d / math.sqrt(G[j, c] + eps)
            else:
                P[j, c] -= lr * d


@njit(**JIT)
def _pull(indices, indptr, rows, with_bias, mark, slots, inverse):
    """Distinct table rows of the minibatch (first-seen order, intercept first) into
    ``slots``, each entry's position among them into ``inverse``; returns how many.
    ``mark`` (all -1 on entry and on return) is a scratch array over the table rows."""
    n_local = 0
    if with_bias:
        slots[0] = 0
        n_local = 1
    e = 0
    for r in range(rows.shape[0]):
        i = rows[r]
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if mark[j] < 0:
                mark[j] = n_local
                slots[n_local] = j
                n_local += 1
            inverse[e] = mark[j]
            e += 1
    for q in range(n_local):
        mark[slots[q]] = -1
    return n_local


@njit(**JIT)
def _epoch(
    ffm,
    loss,
    solver,
    data,
    indices,
    indptr,
    order,
    y,
    s,
    P,
    G,
    field,
    n_fields,
    with_bias,
    batch_size,
    lr,
    eps,
    reg_w0,
    reg_w,
    reg_v,
    n_threads,
):
    n = order.shape[0]
    most = 0
    for i in range(indptr.shape[0] - 1):
        most = max(most, indptr[i + 1] - indptr[i])
    cap = min(batch_size * most, indptr[indptr.shape[0] - 1]) + 1
    mark = np.full(P.shape[0], -1, dtype=np.int64)
    slots = np.empty(cap, dtype=np.int64)
    inverse = np.empty(cap, dtype=np.int64)
    local = np.empty((cap, P.shape[1]), dtype=P.dtype)
    grad = np.empty((cap, P.shape[1]), dtype=np.float64)
    local_field = np.zeros(cap, dtype=np.int64)
    total = 0.0
    for start in range(0, n, batch_size):
        rows = order[start : min(n, start + batch_size)]
        n_local = _pull(indices, indptr, rows, with_bias, mark, slots, inverse)
        for q in range(n_local):
            local[q, :] = P[slots[q], :]
            if ffm:
                local_field[q] = field[slots[q]]
        nnz = 0
        for r in range(rows.shape[0]):
            nnz += indptr[rows[r] + 1] - indptr[rows[r]]
        work = nnz * P.shape[1] * (nnz // max(1, rows.shape[0]) if ffm else 1)
        parallel = work >= PARALLEL_MIN_WORK and n_threads > 1
        if ffm:
            args_f = (loss, data, indptr, rows, inverse, local_field[:n_local], n_fields, y, s,
                      local[:n_local], with_bias, reg_w0, reg_w, reg_v, grad[:n_local])  # fmt: skip
            if parallel:
                total += ffm_batch_grad(*args_f)
            else:
                total += ffm_batch_grad_serial(*args_f)
        else:
            args = (loss, data, indptr, rows, inverse, y, s, local[:n_local], with_bias,
                    reg_w0, reg_w, reg_v, grad[:n_local])  # fmt: skip
            if parallel:
                total += fm_batch_grad(*args)
            else:
                total += fm_batch_grad_serial(*args)
        apply_update(P, G, slots[:n_local], grad[:n_local], solver, lr, eps)
    return total


@njit(**JIT)
def fm_epoch(
    loss, solver, data, indices, indptr, order, y, s, P, G, with_bias, batch_size, lr, eps,
    reg_w0, reg_w, reg_v, n_threads=1,
):  # fmt: skip
    """One pass of minibatch training of a second-order FM on the in-process table ``P``
    (``G``: AdaGrad's accumulators, same shape). Returns the summed weighted progressive loss
    (each row scored before its minibatch's update). A minibatch runs the parallel
    :func:`fm_batch_grad` when ``n_threads > 1`` and its work (nnz x width) reaches
    :data:`PARALLEL_MIN_WORK`, else the serial twin; both give the same result."""
    field = np.zeros(1, dtype=np.int64)
    return _epoch(
        False, loss, solver, data, indices, indptr, order, y, s, P, G, field, 1, with_bias,
        batch_size, lr, eps, reg_w0, reg_w, reg_v, n_threads,
    )  # fmt: skip


@njit(**JIT)
def ffm_epoch(
    loss, solver, data, indices, indptr, order, y, s, P, G, field, n_fields, with_bias,
    batch_size, lr, eps, reg_w0, reg_w, reg_v, n_threads=1,
):  # fmt: skip
    """One pass of minibatch training of a field-aware FM (see :func:`fm_epoch`);
    ``field[j]`` is the field of table row ``j``."""
    return _epoch(
        True, loss, solver, data, indices, indptr, order, y, s, P, G, field, n_fields,
        with_bias, batch_size, lr, eps, reg_w0, reg_w, reg_v, n_threads,
    )  # fmt: skip

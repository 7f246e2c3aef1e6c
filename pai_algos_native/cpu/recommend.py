"""Recommender kernels (CPU): item-item similarity with top-k pruning, top-n selection,
implicit ALS (conjugate gradient and Cholesky solves) and BPR (Hogwild SGD).

Sparse matrices travel as ``(indptr, indices, data)`` CSR triples. Rows are processed in
chunks (one ``prange`` work item each) that own their scratch buffers, so no hot loop
allocates. Every row is computed by one thread alone, so ALS and the similarity and top-n
kernels give the same result whatever the thread count; BPR's Hogwild updates race by design
and repeat exactly only on one thread.

Ranking ties are broken by the smaller item index, so that outputs are deterministic and can
be compared with a NumPy reference. Dot products accumulate in float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "als_cg_update",
    "als_cholesky_update",
    "als_explicit_loss",
    "als_explicit_update",
    "als_observed_loss",
    "bpr_epoch",
    "cf_topn",
    "factor_topn",
    "item_similarity_topk",
    "lmf_update",
    "topn_dense",
    "topn_presorted",
]

#: rows per parallel work item
CHUNK = 256


# --------------------------------------------------------------------------------- helpers


@njit(**JIT)
def _worse(v1, i1, v2, i2):
    """Whether (v1, i1) ranks below (v2, i2): smaller value, or equal value and larger index."""
    return v1 < v2 or (v1 == v2 and i1 > i2)


@njit(**JIT)
def _sift_down(hv, hi, size, pos):
    while True:
        left = 2 * pos + 1
        if left >= size:
            return
        worst = left
        right = left + 1
        if right < size and _worse(hv[right], hi[right], hv[left], hi[left]):
            worst = right
        if _worse(hv[worst], hi[worst], hv[pos], hi[pos]):
            hv[pos], hv[worst] = hv[worst], hv[pos]
            hi[pos], hi[worst] = hi[worst], hi[pos]
            pos = worst
        else:
            return


@njit(**JIT)
def _heap_push(hv, hi, size, k, v, idx):
    """Offer (v, idx) to a heap of the k best (worst at the root); return the new size."""
    if size < k:
        pos = size
        hv[pos] = v
        hi[pos] = idx
        while pos > 0:
            parent = (pos - 1) // 2
            if _worse(hv[pos], hi[pos], hv[parent], hi[parent]):
                hv[pos], hv[parent] = hv[parent], hv[pos]
                hi[pos], hi[parent] = hi[parent], hi[pos]
                pos = parent
            else:
                break
        return size + 1
    if _worse(hv[0], hi[0], v, idx):
        hv[0] = v
        hi[0] = idx
        _sift_down(hv, hi, size, 0)
    return size


@njit(**JIT)
def _heap_drain(hv, hi, size, out_idx, out_val):
    """Write the heap best first into out_idx/out_val[:size] (the rest is left untouched)."""
    while size > 0:
        size -= 1
        out_idx[size] = hi[0]
        out_val[size] = hv[0]
        hv[0] = hv[size]
        hi[0] = hi[size]
        _sift_down(hv, hi, size, 0)


@njit(**JIT)
def _dot(a, b):
    """Dot product of two vectors in float64 with four partial sums (vectorisable)."""
    n = a.shape[0]
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    m = n - n % 4
    for f in range(0, m, 4):
        s0 += np.float64(a[f]) * b[f]
        s1 += np.float64(a[f + 1]) * b[f + 1]
        s2 += np.float64(a[f + 2]) * b[f + 2]
        s3 += np.float64(a[f + 3]) * b[f + 3]
    for f in range(m, n):
        s0 += np.float64(a[f]) * b[f]
    return (s0 + s1) + (s2 + s3)


# ------------------------------------------------------------------------- item similarity


@njit(**JIT_PARALLEL)
def item_similarity_topk(
    indptr, indices, data, t_indptr, t_indices, t_data, sq_norms, mode, alpha, shrink, k,
    out_idx, out_sim, out_len,
):  # fmt: skip
    """Top-``k`` neighbours of every item by a co-occurrence similarity.

    Parameters
    ----------
    indptr, indices, data : users x items CSR of the (possibly transformed) interactions.
    t_indptr, t_indices, t_data : the same matrix transposed (items x users CSR).
    sq_norms : float64 array of shape (n_items,)
        Squared norm of every item column (the count of its users for binary data).
    mode : int
        0: ``dot / (sq_norms[i] ** alpha * sq_norms[j] ** (1 - alpha) + shrink)`` (cosine for
        alpha=0.5, asymmetric cosine otherwise); 1: Jaccard
        ``dot / (sq_norms[i] + sq_norms[j] - dot + shrink)`` (binary data).
    alpha, shrink : float
    k : int
        Neighbours kept per item.
    out_idx : int64 array of shape (n_items, k)
    out_sim : float array of shape (n_items, k)
    out_len : int64 array of shape (n_items,)
        Filled in place: the neighbours best first (ties: smaller index), their similarity,
        and how many were found (only items that share a user with the row item count; the
        item itself is excluded).
    """
    n_items = t_indptr.shape[0] - 1
    n_chunks = (n_items + CHUNK - 1) // CHUNK
    # the powers of the norms once per item, not once per pair
    left = np.empty(n_items, dtype=np.float64)
    right = np.empty(n_items, dtype=np.float64)
    for i in range(n_items):
        left[i] = sq_norms[i] ** alpha
        right[i] = sq_norms[i] ** (1.0 - alpha)
    for c in prange(n_chunks):
        acc = np.zeros(n_items, dtype=np.float64)
        seen = np.zeros(n_items, dtype=np.bool_)
        touched = np.empty(n_items, dtype=np.int64)
        hv = np.empty(k, dtype=np.float64)
        hi = np.empty(k, dtype=np.int64)
        res = np.empty(k, dtype=np.float64)
        for i in range(c * CHUNK, min(n_items, (c + 1) * CHUNK)):
            n_touched = 0
            for pu in range(t_indptr[i], t_indptr[i + 1]):
                u = t_indices[pu]
                w = np.float64(t_data[pu])
                for pj in range(indptr[u], indptr[u + 1]):
                    j = indices[pj]
                    if not seen[j]:
                        seen[j] = True
                        touched[n_touched] = j
                        n_touched += 1
                    acc[j] += w * data[pj]
            size = 0
            for t in range(n_touched):
                j = touched[t]
                dot = acc[j]
                acc[j] = 0.0
                seen[j] = False
                if j == i:
                    continue
                if mode == 1:
                    denom = sq_norms[i] + sq_norms[j] - dot + shrink
                else:
                    denom = left[i] * right[j] + shrink
                if denom <= 0.0:
                    continue
                size = _heap_push(hv, hi, size, k, dot / denom, j)
            out_len[i] = size
            _heap_drain(hv, hi, size, out_idx[i], res)
            for t in range(size):
                out_sim[i, t] = res[t]


# ---------------------------------------------------------------------------- top-n lists


@njit(**JIT_PARALLEL)
def topn_dense(scores, ex_indptr, ex_indices, n, out_idx, out_score):
    """Best ``n`` items of every row of a dense score matrix, skipping excluded items.

    Parameters
    ----------
    scores : array of shape (n_rows, n_items)
    ex_indptr, ex_indices : CSR pattern (n_rows rows) of the items to skip per row.
    n : int
    out_idx : int64 array of shape (n_rows, n)
    out_score : float array of shape (n_rows, n)
        Filled in place, best first (ties: smaller index); rows with fewer than ``n``
        candidates end with index -1 and score -inf.
    """
    n_rows, n_items = scores.shape
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        skip = np.zeros(n_items, dtype=np.bool_)
        hv = np.empty(n, dtype=np.float64)
        hi = np.empty(n, dtype=np.int64)
        res = np.empty(n, dtype=np.float64)
        for r in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            _select_row(scores[r], None, skip, ex_indptr, ex_indices, r, n, hv, hi, res,
                        out_idx[r], out_score[r])  # fmt: skip


@njit(**JIT)
def _select_row(row, bias, skip, ex_indptr, ex_indices, r, n, hv, hi, res, out_idx, out_score):
    """Top-``n`` of one score row (plus ``bias`` unless None) without row ``r``'s excluded
    items; ``skip`` is an all-False scratch mask, left all-False."""
    for p in range(ex_indptr[r], ex_indptr[r + 1]):
        skip[ex_indices[p]] = True
    size = 0
    for j in range(row.shape[0]):
        v = np.float64(row[j]) if bias is None else np.float64(row[j] + bias[j])
        # j grows, so a value equal to the worst kept one ranks below it: skip early
        if skip[j] or (size == n and v <= hv[0]):
            continue
        size = _heap_push(hv, hi, size, n, v, j)
    for p in range(ex_indptr[r], ex_indptr[r + 1]):
        skip[ex_indices[p]] = False
    _fill_row(hv, hi, size, n, res, out_idx, out_score)


#: users per work item of :func:`factor_topn` (a 32 x n_items score tile stays in cache)
TILE = 32


@njit(**JIT_PARALLEL)
def factor_topn(U, VT, bias, ex_indptr, ex_indices, n, out_idx, out_score):
    """Top-``n`` items of ``U @ VT + bias`` per row, skipping excluded items, in one pass.

    Parameters
    ----------
    U : array of shape (n_rows, f)
        The users' factors.
    VT : C-contiguous array of shape (f, n_items)
        The item factors, transposed.
    bias : array of shape (n_items,)
        Added to every score (zeros for none).
    ex_indptr, ex_indices : CSR pattern (n_rows rows) of the items to skip per row.
    n : int
    out_idx, out_score :
        As in :func:`topn_dense`, filled in place.

    Each work item scores ``TILE`` users at once (``np.dot``, BLAS: call under a one-thread
    BLAS limit) into a tile that stays in cache and selects from it, instead of writing a
    large block of scores to memory and reading it back.
    """
    n_rows = U.shape[0]
    n_items = VT.shape[1]
    n_chunks = (n_rows + TILE - 1) // TILE
    for c in prange(n_chunks):
        lo = c * TILE
        hi_row = min(n_rows, lo + TILE)
        tile = np.dot(U[lo:hi_row], VT)
        skip = np.zeros(n_items, dtype=np.bool_)
        hv = np.empty(n, dtype=np.float64)
        hi = np.empty(n, dtype=np.int64)
        res = np.empty(n, dtype=np.float64)
        for r in range(lo, hi_row):
            _select_row(tile[r - lo], bias, skip, ex_indptr, ex_indices, r, n, hv, hi, res,
                        out_idx[r], out_score[r])  # fmt: skip


@njit(**JIT)
def _fill_row(hv, hi, size, n, res, out_idx, out_score):
    _heap_drain(hv, hi, size, out_idx, res)
    for t in range(size):
        out_score[t] = res[t]
    for t in range(size, n):
        out_idx[t] = -1
        out_score[t] = -np.inf


@njit(**JIT_PARALLEL)
def topn_presorted(order, scores, ex_indptr, ex_indices, n, out_idx, out_score):
    """Best ``n`` items per row when every row shares one score vector (popularity).

    ``order`` lists the items best first (ties: smaller index); each row walks it, skipping
    its excluded items (``ex_indptr``/``ex_indices``, sorted indices per row). Outputs as in
    :func:`topn_dense`.
    """
    n_rows = ex_indptr.shape[0] - 1
    n_items = order.shape[0]
    for r in prange(n_rows):
        lo = ex_indptr[r]
        hi = ex_indptr[r + 1]
        t = 0
        for q in range(n_items):
            if t == n:
                break
            j = order[q]
            # binary search in the row's sorted excluded items
            a = lo
            b = hi
            while a < b:
                m = (a + b) // 2
                if ex_indices[m] < j:
                    a = m + 1
                else:
                    b = m
            if a < hi and ex_indices[a] == j:
                continue
            out_idx[r, t] = j
            out_score[r, t] = scores[j]
            t += 1
        for q in range(t, n):
            out_idx[r, q] = -1
            out_score[r, q] = -np.inf


@njit(**JIT_PARALLEL)
def cf_topn(
    u_indptr, u_indices, u_data, s_indptr, s_indices, s_data, ex_indptr, ex_indices, n,
    out_idx, out_score,
):  # fmt: skip
    """Item-based CF top-``n``: scores ``x_u @ S`` for each user row, then :func:`topn_dense`.

    ``u_*`` is the users' interactions (CSR, one row per requested user), ``s_*`` the
    items x items neighbour matrix (CSR), ``ex_*`` the items to skip per row. Items that no
    neighbour reaches score 0 and still compete.
    """
    n_rows = u_indptr.shape[0] - 1
    n_items = s_indptr.shape[0] - 1
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        row = np.zeros(n_items, dtype=np.float64)
        skip = np.zeros(n_items, dtype=np.bool_)
        hv = np.empty(n, dtype=np.float64)
        hi = np.empty(n, dtype=np.int64)
        res = np.empty(n, dtype=np.float64)
        for r in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            for p in range(u_indptr[r], u_indptr[r + 1]):
                i = u_indices[p]
                w = np.float64(u_data[p])
                for q in range(s_indptr[i], s_indptr[i + 1]):
                    row[s_indices[q]] += w * s_data[q]
            for p in range(ex_indptr[r], ex_indptr[r + 1]):
                skip[ex_indices[p]] = True
            size = 0
            for j in range(n_items):
                v = row[j]
                if skip[j] or (size == n and v <= hv[0]):
                    continue
                size = _heap_push(hv, hi, size, n, v, j)
            for p in range(ex_indptr[r], ex_indptr[r + 1]):
                skip[ex_indices[p]] = False
            for p in range(u_indptr[r], u_indptr[r + 1]):
                i = u_indices[p]
                for q in range(s_indptr[i], s_indptr[i + 1]):
                    row[s_indices[q]] = 0.0
            _fill_row(hv, hi, size, n, res, out_idx[r], out_score[r])


# ---------------------------------------------------------------------------- implicit ALS


@njit(**JIT)
def _dot_lanes(a, b):
    """Dot product with eight partial sums in the arrays' dtype, combined in float64.

    Eight independent chains let LLVM pack the loop into one 8-wide float32 vector (float
    reductions are not reordered without fastmath); float32 factors thus accumulate in
    float32 over at most ``n / 8`` terms per lane, as BLAS ``sdot`` does.
    """
    n = a.shape[0]
    if n == 0:
        return 0.0
    z = a[0] * 0
    s0 = z
    s1 = z
    s2 = z
    s3 = z
    s4 = z
    s5 = z
    s6 = z
    s7 = z
    m = n - n % 8
    for f in range(0, m, 8):
        s0 += a[f] * b[f]
        s1 += a[f + 1] * b[f + 1]
        s2 += a[f + 2] * b[f + 2]
        s3 += a[f + 3] * b[f + 3]
        s4 += a[f + 4] * b[f + 4]
        s5 += a[f + 5] * b[f + 5]
        s6 += a[f + 6] * b[f + 6]
        s7 += a[f + 7] * b[f + 7]
    t = np.float64((s0 + s4) + (s1 + s5)) + np.float64((s2 + s6) + (s3 + s7))
    for f in range(m, n):
        t += np.float64(a[f]) * b[f]
    return t


@njit(**JIT)
def _symv(M, v, out):
    """``out = M v`` for a square row-major ``M``, four rows of M per pass over ``out``."""
    f = v.shape[0]
    out[:] = 0.0
    m = f - f % 4
    for b in range(0, m, 4):
        p0 = v[b]
        p1 = v[b + 1]
        p2 = v[b + 2]
        p3 = v[b + 3]
        r0 = M[b]
        r1 = M[b + 1]
        r2 = M[b + 2]
        r3 = M[b + 3]
        for a in range(f):
            out[a] += (p0 * r0[a] + p1 * r1[a]) + (p2 * r2[a] + p3 * r3[a])
    for b in range(m, f):
        pb = v[b]
        rb = M[b]
        for a in range(f):
            out[a] += pb * rb[a]


@njit(**JIT_PARALLEL)
def als_cg_update(indptr, indices, data, alpha, X, Y, YtY, cg_steps):
    """Update every row of ``X`` by ``cg_steps`` conjugate-gradient steps (in place).

    Row ``u`` solves ``(YtY + Y^T C_u Y - Y^T Y) x_u = Y^T C_u p_u`` (Hu, Koren & Volinsky
    2008, eq. 4) where ``YtY`` already holds ``Y^T Y + lambda I`` and ``c_ui = 1 + alpha r_ui``
    for the stored entries (``p_ui = 1``), starting from the current ``x_u`` (Takacs, Pilaszy
    & Tikk 2011). ``indptr, indices, data`` is the rows x columns CSR of ``r``.

    The vectors (residual, direction, ``A p``) are kept in the factors' dtype, so float32
    factors are updated in float32 arithmetic as implicit does (8-wide vectors); the dot
    products accumulate in eight float32 lanes combined in float64 (:func:`_dot_lanes`).
    """
    n_rows, f = X.shape
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        r = np.empty(f, dtype=X.dtype)
        p = np.empty(f, dtype=X.dtype)
        ap = np.empty(f, dtype=X.dtype)
        cast = np.empty(1, dtype=X.dtype)  # rounds a float64 scalar to the factors' dtype
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            x = X[u]
            # r = b - A x, A x = YtY x + sum alpha r_ui (y_i . x) y_i, b = sum (1 + alpha r_ui) y_i
            _symv(YtY, x, r)
            for a in range(f):
                r[a] = -r[a]
            for q in range(indptr[u], indptr[u + 1]):
                yi = Y[indices[q]]
                c1 = alpha * data[q]
                cast[0] = (1.0 + c1) - c1 * _dot_lanes(yi, x)
                temp = cast[0]
                for a in range(f):
                    r[a] += temp * yi[a]
            rsold = _dot_lanes(r, r)
            if rsold < 1e-20:
                continue
            p[:] = r
            for _ in range(cg_steps):
                _symv(YtY, p, ap)
                for q in range(indptr[u], indptr[u + 1]):
                    yi = Y[indices[q]]
                    cast[0] = alpha * data[q] * _dot_lanes(yi, p)
                    temp = cast[0]
                    for a in range(f):
                        ap[a] += temp * yi[a]
                cast[0] = rsold / _dot_lanes(p, ap)
                step = cast[0]
                for a in range(f):
                    x[a] += step * p[a]
                    r[a] -= step * ap[a]
                rsnew = _dot_lanes(r, r)
                if rsnew < 1e-20:
                    break
                cast[0] = rsnew / rsold
                beta = cast[0]
                for a in range(f):
                    p[a] = r[a] + beta * p[a]
                rsold = rsnew


@njit(**JIT_PARALLEL)
def als_cholesky_update(indptr, indices, data, alpha, X, Y, YtY):
    """Solve every row of ``X`` exactly (Cholesky), same system as :func:`als_cg_update`."""
    n_rows, f = X.shape
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        A = np.empty((f, f), dtype=np.float64)
        b = np.empty(f, dtype=np.float64)
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            for a in range(f):
                b[a] = 0.0
                for e in range(f):
                    A[a, e] = YtY[a, e]
            for q in range(indptr[u], indptr[u + 1]):
                yi = Y[indices[q]]
                c1 = alpha * data[q]
                for a in range(f):
                    ya = c1 * yi[a]
                    b[a] += (1.0 + c1) * yi[a]
                    for e in range(a + 1):
                        A[a, e] += ya * yi[e]
            _cholesky_solve(A, b)
            for a in range(f):
                X[u, a] = b[a]


@njit(**JIT)
def _cholesky_solve(A, b):
    """Solve ``A z = b`` in place (``b`` becomes ``z``); only A's lower triangle is read."""
    f = b.shape[0]
    for j in range(f):
        s = A[j, j]
        for e in range(j):
            s -= A[j, e] * A[j, e]
        d = np.sqrt(s) if s > 0.0 else 1e-12
        A[j, j] = d
        for i in range(j + 1, f):
            s = A[i, j]
            for e in range(j):
                s -= A[i, e] * A[j, e]
            A[i, j] = s / d
    for i in range(f):
        s = b[i]
        for e in range(i):
            s -= A[i, e] * b[e]
        b[i] = s / A[i, i]
    for i in range(f - 1, -1, -1):
        s = b[i]
        for e in range(i + 1, f):
            s -= A[e, i] * b[e]
        b[i] = s / A[i, i]


@njit(**JIT_PARALLEL)
def als_observed_loss(indptr, indices, data, alpha, X, Y):
    """The observed-entry part of the ALS loss, ``sum_obs c (1 - s)^2 - s^2`` with ``s = x.y``.

    Added to ``sum_all s^2 = trace(X^T X Y^T Y)`` it gives ``sum_ui c_ui (p_ui - s_ui)^2``.
    Per-chunk float64 partials are added in chunk order (thread-count independent).
    """
    n_rows = X.shape[0]
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    parts = np.zeros(n_chunks, dtype=np.float64)
    for c in prange(n_chunks):
        total = 0.0
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            for q in range(indptr[u], indptr[u + 1]):
                s = _dot(X[u], Y[indices[q]])
                total += (1.0 + alpha * data[q]) * (1.0 - s) ** 2 - s * s
        parts[c] = total
    total = 0.0
    for c in range(n_chunks):
        total += parts[c]
    return total


# ---------------------------------------------------------------------------- explicit ALS


@njit(**JIT_PARALLEL)
def als_explicit_update(
    indptr, indices, data, Y, col_offset, reg, weighted, fit_bias, X, x_bias,
):  # fmt: skip
    """Exact least-squares solve of every row of ``X`` against fixed ``Y`` (in place).

    Row ``u`` with observed ratings ``r_ui`` (CSR ``indptr, indices, data``) minimises
    ``sum_i (r_ui - col_offset[i] - z_u . w_i)^2 + lambda_u |z_u|^2`` where
    ``w_i = Y[i]`` and ``z_u = X[u]``, or, with ``fit_bias``, ``w_i = (Y[i], 1)`` and
    ``z_u = (X[u], x_bias[u])``. ``lambda_u = reg * n_u`` when ``weighted`` (Zhou et al. 2008,
    weighted-lambda regularisation), else ``reg``. The normal equations
    ``(W_u^T W_u + lambda_u I) z_u = W_u^T t_u`` are formed in float64 and solved by Cholesky;
    a row without ratings gets ``z_u = 0``.
    """
    n_rows, f = X.shape
    k = f + 1 if fit_bias else f
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        A = np.empty((k, k), dtype=np.float64)
        b = np.empty(k, dtype=np.float64)
        w = np.empty(k, dtype=np.float64)
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            lo = indptr[u]
            hi = indptr[u + 1]
            lam = reg * (hi - lo) if weighted else reg
            for a in range(k):
                b[a] = 0.0
                for e in range(a + 1):
                    A[a, e] = 0.0
                A[a, a] = lam
            for q in range(lo, hi):
                i = indices[q]
                yi = Y[i]
                for a in range(f):
                    w[a] = yi[a]
                if fit_bias:
                    w[f] = 1.0
                t = np.float64(data[q]) - col_offset[i]
                for a in range(k):
                    wa = w[a]
                    b[a] += t * wa
                    for e in range(a + 1):
                        A[a, e] += wa * w[e]
            if hi == lo:
                for a in range(k):
                    b[a] = 0.0
            else:
                _cholesky_solve(A, b)
            for a in range(f):
                X[u, a] = b[a]
            if fit_bias:
                x_bias[u] = b[f]


@njit(**JIT_PARALLEL)
def als_explicit_loss(indptr, indices, data, X, Y, row_bias, col_bias):
    """``sum_obs (r_ui - row_bias[u] - col_bias[i] - X[u] . Y[i])^2`` in float64.

    Per-chunk partials are added in chunk order (thread-count independent).
    """
    n_rows = X.shape[0]
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    parts = np.zeros(n_chunks, dtype=np.float64)
    for c in prange(n_chunks):
        total = 0.0
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            for q in range(indptr[u], indptr[u + 1]):
                i = indices[q]
                e = np.float64(data[q]) - row_bias[u] - col_bias[i] - _dot(X[u], Y[i])
                total += e * e
        parts[c] = total
    total = 0.0
    for c in range(n_chunks):
        total += parts[c]
    return total


# ------------------------------------------------------------------------------------- BPR


@njit(**JIT)
def _splitmix(state):
    """One step of SplitMix64: returns (new state, 64 random bits)."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@njit(**JIT)
def _has_item(indptr, indices, u, j):
    a = indptr[u]
    b = indptr[u + 1]
    while a < b:
        m = (a + b) // 2
        if indices[m] < j:
            a = m + 1
        else:
            b = m
    return a < indptr[u + 1] and indices[a] == j


@njit(**JIT)
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    z = np.exp(x)
    return z / (1.0 + z)


@njit(**JIT_PARALLEL)
def lmf_update(indptr, indices, data, X, Y, grad_sq, lr, reg, neg_prop, max_neg, const_col, seeds):
    """One AdaGrad step of logistic matrix factorisation for every row of ``X`` (in place).

    Row ``u`` ascends ``sum_i c_ui ln sigma(x_u . y_i) + sum_j ln(1 - sigma(x_u . y_j))
    - reg / 2 |x_u|^2`` (Johnson 2014) over its stored entries ``i`` (``c_ui = data``) and
    ``min(n_cols, n_u * neg_prop, max_neg)`` sampled negatives ``j``, drawn from the stored column
    indices (in proportion to popularity, as implicit does). The gradient at the current
    ``x_u`` is accumulated in float64; ``grad_sq`` holds AdaGrad's running sums of squared
    gradients and column ``const_col`` of ``X`` (the constant 1 that multiplies the other
    side's bias) is left alone. ``seeds`` (uint64) has one SplitMix64 stream per chunk of
    ``CHUNK`` rows, so the result does not depend on the thread count.
    """
    n_rows, k = X.shape
    n_cols = Y.shape[0]
    n64 = np.uint64(indices.shape[0])
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        deriv = np.empty(k, dtype=np.float64)
        state = seeds[c]
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            lo = indptr[u]
            hi = indptr[u + 1]
            if lo == hi:
                continue
            xu = X[u]
            deriv[:] = 0.0
            for q in range(lo, hi):
                yi = Y[indices[q]]
                z = data[q] * (1.0 - _sigmoid(_dot(xu, yi)))
                for a in range(k):
                    deriv[a] += z * yi[a]
            for _ in range(min(n_cols, (hi - lo) * neg_prop, max_neg)):
                state, bits = _splitmix(state)
                yj = Y[indices[_below(bits, n64)]]
                z = _sigmoid(_dot(xu, yj))
                for a in range(k):
                    deriv[a] -= z * yj[a]
            for a in range(k):
                if a == const_col:
                    continue
                g = deriv[a] - reg * xu[a]
                grad_sq[u, a] += g * g
                xu[a] += lr / np.sqrt(1e-6 + grad_sq[u, a]) * g


@njit(**JIT)
def _below(bits, n64):
    """A draw in ``[0, n)`` from 64 random bits: Lemire's multiply-shift on the high 32 bits
    (no division) when ``n < 2**32``, else the remainder."""
    if n64 < np.uint64(4294967296):
        return np.int64(((bits >> np.uint64(32)) * n64) >> np.uint64(32))
    return np.int64(bits % n64)


@njit(**JIT)
def _dot_diff_lanes(x, yi, yj):
    """``x . (yi - yj)`` with eight partial sums in the arrays' dtype, combined in float64."""
    n = x.shape[0]
    z = x[0] * 0
    s0 = z
    s1 = z
    s2 = z
    s3 = z
    s4 = z
    s5 = z
    s6 = z
    s7 = z
    m = n - n % 8
    for f in range(0, m, 8):
        s0 += x[f] * (yi[f] - yj[f])
        s1 += x[f + 1] * (yi[f + 1] - yj[f + 1])
        s2 += x[f + 2] * (yi[f + 2] - yj[f + 2])
        s3 += x[f + 3] * (yi[f + 3] - yj[f + 3])
        s4 += x[f + 4] * (yi[f + 4] - yj[f + 4])
        s5 += x[f + 5] * (yi[f + 5] - yj[f + 5])
        s6 += x[f + 6] * (yi[f + 6] - yj[f + 6])
        s7 += x[f + 7] * (yi[f + 7] - yj[f + 7])
    t = np.float64((s0 + s4) + (s1 + s5)) + np.float64((s2 + s6) + (s3 + s7))
    for f in range(m, n):
        t += np.float64(x[f]) * (yi[f] - yj[f])
    return t


@njit(**JIT_PARALLEL)
def bpr_epoch(userids, indptr, indices, U, V, lr, reg, verify_negative, seeds, counts):
    """One epoch of BPR (Rendle et al. 2009): ``nnz`` Hogwild SGD steps split over chunks.

    Each step draws a stored (user, positive item) pair uniformly and a negative item from the
    stored items (so in proportion to popularity, as implicit does), and ascends
    ``ln sigma(x_ui - x_uj)`` with L2 penalty ``reg``. The last factor column is the item bias:
    the users' last column stays 1. ``seeds`` (uint64, one per chunk) are the chunks' random
    streams (draws by :func:`_below`); ``counts[c] = (correct, skipped)`` is filled in place.
    The score accumulates in eight lanes of the factors' dtype (:func:`_dot_diff_lanes`) and
    the updates run in that dtype (float32 factors: float32 arithmetic, as implicit).
    """
    nnz = indices.shape[0]
    n_chunks = seeds.shape[0]
    f = U.shape[1]
    per = (nnz + n_chunks - 1) // n_chunks
    n64 = np.uint64(nnz)
    for c in prange(n_chunks):
        cast = np.empty(3, dtype=U.dtype)  # rounds float64 scalars to the factors' dtype
        cast[0] = lr
        cast[1] = reg
        lr_ = cast[0]
        reg_ = cast[1]
        state = seeds[c]
        correct = 0
        skipped = 0
        for _ in range(c * per, min(nnz, (c + 1) * per)):
            state, bits = _splitmix(state)
            liked = _below(bits, n64)
            state, bits = _splitmix(state)
            j = indices[_below(bits, n64)]
            u = userids[liked]
            i = indices[liked]
            if i == j or (verify_negative and _has_item(indptr, indices, u, j)):
                skipped += 1
                continue
            xu = U[u]
            yi = V[i]
            yj = V[j]
            z = 1.0 / (1.0 + np.exp(_dot_diff_lanes(xu, yi, yj)))
            if z < 0.5:
                correct += 1
            cast[2] = z
            zz = cast[2]
            for a in range(f - 1):
                xa = xu[a]
                xu[a] += lr_ * (zz * (yi[a] - yj[a]) - reg_ * xa)
                yi[a] += lr_ * (zz * xa - reg_ * yi[a])
                yj[a] += lr_ * (-zz * xa - reg_ * yj[a])
            a = f - 1
            yi[a] += lr_ * (zz - reg_ * yi[a])
            yj[a] += lr_ * (-zz - reg_ * yj[a])
        counts[c, 0] = correct
        counts[c, 1] = skipped

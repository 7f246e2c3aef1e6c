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
    "als_observed_loss",
    "bpr_epoch",
    "cf_topn",
    "item_similarity_topk",
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
            for p in range(ex_indptr[r], ex_indptr[r + 1]):
                skip[ex_indices[p]] = True
            size = 0
            row = scores[r]
            for j in range(n_items):
                v = np.float64(row[j])
                # j grows, so a value equal to the worst kept one ranks below it: skip early
                if skip[j] or (size == n and v <= hv[0]):
                    continue
                size = _heap_push(hv, hi, size, n, v, j)
            for p in range(ex_indptr[r], ex_indptr[r + 1]):
                skip[ex_indices[p]] = False
            _fill_row(hv, hi, size, n, res, out_idx[r], out_score[r])


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


@njit(**JIT_PARALLEL)
def als_cg_update(indptr, indices, data, alpha, X, Y, YtY, cg_steps):
    """Update every row of ``X`` by ``cg_steps`` conjugate-gradient steps (in place).

    Row ``u`` solves ``(YtY + Y^T C_u Y - Y^T Y) x_u = Y^T C_u p_u`` (Hu, Koren & Volinsky
    2008, eq. 4) where ``YtY`` already holds ``Y^T Y + lambda I`` and ``c_ui = 1 + alpha r_ui``
    for the stored entries (``p_ui = 1``), starting from the current ``x_u`` (Takacs, Pilaszy
    & Tikk 2011). ``indptr, indices, data`` is the rows x columns CSR of ``r``.
    """
    n_rows, f = X.shape
    n_chunks = (n_rows + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        r = np.empty(f, dtype=np.float64)
        p = np.empty(f, dtype=np.float64)
        ap = np.empty(f, dtype=np.float64)
        for u in range(c * CHUNK, min(n_rows, (c + 1) * CHUNK)):
            x = X[u]
            # r = b - A x, A x = YtY x + sum alpha r_ui (y_i . x) y_i, b = sum (1 + alpha r_ui) y_i
            r[:] = 0.0
            for b in range(f):
                xb = -np.float64(x[b])
                for a in range(f):
                    r[a] += xb * YtY[b, a]
            for q in range(indptr[u], indptr[u + 1]):
                yi = Y[indices[q]]
                c1 = alpha * data[q]
                temp = (1.0 + c1) - c1 * _dot(yi, x)
                for a in range(f):
                    r[a] += temp * yi[a]
            rsold = _dot(r, r)
            if rsold < 1e-20:
                continue
            p[:] = r
            for _ in range(cg_steps):
                ap[:] = 0.0
                for b in range(f):
                    pb = p[b]
                    for a in range(f):
                        ap[a] += pb * YtY[b, a]
                for q in range(indptr[u], indptr[u + 1]):
                    yi = Y[indices[q]]
                    temp = alpha * data[q] * _dot(yi, p)
                    for a in range(f):
                        ap[a] += temp * yi[a]
                step = rsold / _dot(p, ap)
                for a in range(f):
                    x[a] += step * p[a]
                    r[a] -= step * ap[a]
                rsnew = _dot(r, r)
                if rsnew < 1e-20:
                    break
                beta = rsnew / rsold
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


@njit(**JIT_PARALLEL)
def bpr_epoch(userids, indptr, indices, U, V, lr, reg, verify_negative, seeds, counts):
    """One epoch of BPR (Rendle et al. 2009): ``nnz`` Hogwild SGD steps split over chunks.

    Each step draws a stored (user, positive item) pair uniformly and a negative item from the
    stored items (so in proportion to popularity, as implicit does), and ascends
    ``ln sigma(x_ui - x_uj)`` with L2 penalty ``reg``. The last factor column is the item bias:
    the users' last column stays 1. ``seeds`` (uint64, one per chunk) are the chunks' random
    streams; ``counts[c] = (correct, skipped)`` is filled in place.
    """
    nnz = indices.shape[0]
    n_chunks = seeds.shape[0]
    f = U.shape[1]
    per = (nnz + n_chunks - 1) // n_chunks
    n64 = np.uint64(nnz)
    for c in prange(n_chunks):
        state = seeds[c]
        correct = 0
        skipped = 0
        for _ in range(c * per, min(nnz, (c + 1) * per)):
            state, bits = _splitmix(state)
            liked = np.int64(bits % n64)
            state, bits = _splitmix(state)
            j = indices[np.int64(bits % n64)]
            u = userids[liked]
            i = indices[liked]
            if i == j or (verify_negative and _has_item(indptr, indices, u, j)):
                skipped += 1
                continue
            xu = U[u]
            yi = V[i]
            yj = V[j]
            score = 0.0
            for a in range(f):
                score += np.float64(xu[a]) * (yi[a] - yj[a])
            z = 1.0 / (1.0 + np.exp(score))
            if z < 0.5:
                correct += 1
            for a in range(f - 1):
                xa = xu[a]
                xu[a] += lr * (z * (yi[a] - yj[a]) - reg * xa)
                yi[a] += lr * (z * xa - reg * yi[a])
                yj[a] += lr * (-z * xa - reg * yj[a])
            a = f - 1
            yi[a] += lr * (z - reg * yi[a])
            yj[a] += lr * (-z - reg * yj[a])
        counts[c, 0] = correct
        counts[c, 1] = skipped

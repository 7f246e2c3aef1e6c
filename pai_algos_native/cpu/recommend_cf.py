"""Neighbourhood and linear recommender kernels (CPU): Swing item-item similarity, user-user
similarity of new users against fitted ones, and SLIM's per-item non-negative elastic net.

Sparse matrices travel as ``(indptr, indices[, data])`` CSR triples with sorted indices.
Every output row (an item, a query user, a SLIM column) is computed by one thread alone in
a fixed order, so results do not depend on the thread count. Each ``prange`` work item is a
chunk of rows that owns its scratch buffers, so no hot loop allocates (the SLIM solve
reuses :func:`pai_algos_native.cpu.linear_cd.cd_gram`, which allocates O(n_items) per item).
Ranking ties keep the smaller index; sums accumulate in float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT_PARALLEL
from .linear_cd import cd_gram
from .recommend import _heap_drain, _heap_push

__all__ = ["query_similarity_topk", "slim_topk", "swing_similarity_topk"]

#: rows per parallel work item of the similarity kernels (Swing rows are costly and uneven)
CHUNK = 16


@njit(**JIT_PARALLEL)
def swing_similarity_topk(
    indptr, indices, t_indptr, t_indices, user_w, alpha, k, max_row, out_idx, out_sim, out_len
):
    """Top-``k`` Swing neighbours of every item (Yang, Zhu and Zhang 2020, eq. 1).

    ``sim(i, j) = sum_{u < v in U_i, U_j} w_u w_v / (alpha + |I_u & I_v|)``.

    Parameters
    ----------
    indptr, indices : users x items CSR pattern (sorted) of the users taking part.
    t_indptr, t_indices : items x users CSR pattern: the (possibly sampled) users ``U_i``
        of each item; pairs are taken within this list.
    user_w : float64 array of shape (n_users,)
        Weight ``w_u`` of every user.
    alpha : float
        Smoothing of the pair weight (> 0 unless every pair shares an item, which it does).
    k : int
        Neighbours kept per item.
    max_row : int
        The largest number of items of a user (size of the intersection buffer).
    out_idx : int64 array of shape (n_items, k)
    out_sim : float64 array of shape (n_items, k)
    out_len : int64 array of shape (n_items,)
        Filled in place: neighbours best first (ties: smaller index), their similarity and
        how many were found (items ``j != i`` with a positive similarity).
    """
    n_items = t_indptr.shape[0] - 1
    n_chunks = (n_items + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        acc = np.zeros(n_items, dtype=np.float64)
        seen = np.zeros(n_items, dtype=np.bool_)
        mark = np.zeros(n_items, dtype=np.bool_)
        touched = np.empty(n_items, dtype=np.int64)
        common = np.empty(max(max_row, 1), dtype=np.int64)
        hv = np.empty(k, dtype=np.float64)
        hi = np.empty(k, dtype=np.int64)
        res = np.empty(k, dtype=np.float64)
        for i in range(c * CHUNK, min(n_items, (c + 1) * CHUNK)):
            n_touched = 0
            lo = t_indptr[i]
            hi_ = t_indptr[i + 1]
            for a in range(lo, hi_):
                u = t_indices[a]
                for p in range(indptr[u], indptr[u + 1]):
                    mark[indices[p]] = True
                for b in range(a + 1, hi_):
                    v = t_indices[b]
                    n_common = 0
                    for p in range(indptr[v], indptr[v + 1]):
                        j = indices[p]
                        if mark[j]:
                            common[n_common] = j
                            n_common += 1
                    s = user_w[u] * user_w[v] / (alpha + n_common)
                    for t in range(n_common):
                        j = common[t]
                        if j == i:
                            continue
                        if not seen[j]:
                            seen[j] = True
                            touched[n_touched] = j
                            n_touched += 1
                        acc[j] += s
                for p in range(indptr[u], indptr[u + 1]):
                    mark[indices[p]] = False
            size = 0
            for t in range(n_touched):
                j = touched[t]
                s = acc[j]
                acc[j] = 0.0
                seen[j] = False
                if s > 0.0:
                    size = _heap_push(hv, hi, size, k, s, j)
            out_len[i] = size
            _heap_drain(hv, hi, size, out_idx[i], res)
            for t in range(size):
                out_sim[i, t] = res[t]


@njit(**JIT_PARALLEL)
def query_similarity_topk(
    q_indptr, q_indices, q_data, q_sq, r_t_indptr, r_t_indices, r_t_data, r_sq, mode, shrink,
    k, out_idx, out_sim, out_len,
):  # fmt: skip
    """Top-``k`` reference rows most similar to each query row (users unseen in fit).

    Parameters
    ----------
    q_indptr, q_indices, q_data : queries x items CSR (the new users' transformed rows).
    q_sq : float64 array of shape (n_queries,)
        Squared norm of every query row.
    r_t_indptr, r_t_indices, r_t_data : items x references CSR (the fitted users' transformed
        rows, transposed).
    r_sq : float64 array of shape (n_references,)
        Squared norm of every reference row.
    mode : int
        0: cosine ``dot / (sqrt(q_sq) sqrt(r_sq) + shrink)``; 1: Jaccard
        ``dot / (q_sq + r_sq - dot + shrink)`` (binary rows), as
        :func:`pai_algos_native.cpu.recommend.item_similarity_topk` computes them.
    shrink : float
    k : int
    out_idx, out_sim, out_len
        As in :func:`swing_similarity_topk`; only references sharing an item count.
    """
    n_q = q_indptr.shape[0] - 1
    n_ref = r_sq.shape[0]
    n_chunks = (n_q + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        acc = np.zeros(n_ref, dtype=np.float64)
        seen = np.zeros(n_ref, dtype=np.bool_)
        touched = np.empty(n_ref, dtype=np.int64)
        hv = np.empty(k, dtype=np.float64)
        hi = np.empty(k, dtype=np.int64)
        res = np.empty(k, dtype=np.float64)
        for r in range(c * CHUNK, min(n_q, (c + 1) * CHUNK)):
            n_touched = 0
            for p in range(q_indptr[r], q_indptr[r + 1]):
                i = q_indices[p]
                w = np.float64(q_data[p])
                for pv in range(r_t_indptr[i], r_t_indptr[i + 1]):
                    v = r_t_indices[pv]
                    if not seen[v]:
                        seen[v] = True
                        touched[n_touched] = v
                        n_touched += 1
                    acc[v] += w * r_t_data[pv]
            left = q_sq[r] ** 0.5
            size = 0
            for t in range(n_touched):
                v = touched[t]
                dot = acc[v]
                acc[v] = 0.0
                seen[v] = False
                if mode == 1:
                    denom = q_sq[r] + r_sq[v] - dot + shrink
                else:
                    denom = left * r_sq[v] ** 0.5 + shrink
                if denom <= 0.0:
                    continue
                size = _heap_push(hv, hi, size, k, dot / denom, v)
            out_len[r] = size
            _heap_drain(hv, hi, size, out_idx[r], res)
            for t in range(size):
                out_sim[r, t] = res[t]


@njit(**JIT_PARALLEL)
def slim_topk(G, l1, l2, max_iter, tol, k, out_idx, out_w, out_len, n_iter):
    """SLIM (Ning and Karypis 2011): one non-negative elastic net per item, top-``k`` kept.

    Column ``j`` of ``W`` minimises ``1/2 ||x_j - X w||^2 + l1 |w|_1 + l2/2 |w|^2`` subject
    to ``w >= 0`` and ``w_j = 0``, by coordinate descent on the Gram matrix
    (:func:`pai_algos_native.cpu.linear_cd.cd_gram`, ``positive=True``, duality-gap stop).

    ``w_j = 0`` needs no copy of ``G``: the solve gets ``q = G[:, j]`` with ``q_j`` set to 0.
    As ``G >= 0`` (non-negative ``X``) and ``w >= 0``, coordinate ``j``'s update
    ``q_j - (G w)_j <= 0`` keeps it at 0, and its term never raises the positive dual norm,
    so the objective, iterates and gap are those of the problem without item ``j``.

    Parameters
    ----------
    G : float64 array of shape (n_items, n_items)
        ``X^T X`` (C order, entries >= 0).
    l1, l2 : float
        Penalties (``l1 > 0`` for the duality-gap stop to be exact).
    max_iter : int
    tol : float
        As scikit-learn's: stop when the gap is at most ``tol * G[j, j]``.
    k : int
        Weights kept per column (the largest).
    out_idx : int64 array of shape (n_items, k)
    out_w : float64 array of shape (n_items, k)
    out_len : int64 array of shape (n_items,)
        Row ``j``: the source items of column ``j`` of ``W`` best first, their weights, and
        how many are positive (at most ``k``).
    n_iter : int64 array of shape (n_items,)
        Epochs run per item.
    """
    p = G.shape[0]
    n_chunks = (p + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        q = np.empty(p, dtype=np.float64)
        w = np.empty(p, dtype=np.float64)
        hv = np.empty(k, dtype=np.float64)
        hi = np.empty(k, dtype=np.int64)
        res = np.empty(k, dtype=np.float64)
        for j in range(c * CHUNK, min(p, (c + 1) * CHUNK)):
            for a in range(p):
                q[a] = G[j, a]
                w[a] = 0.0
            q[j] = 0.0
            _, _, it = cd_gram(w, G, q, G[j, j], l1, l2, max_iter, tol, True, False, 0, True)
            n_iter[j] = it
            size = 0
            for a in range(p):
                if w[a] > 0.0 and a != j:
                    size = _heap_push(hv, hi, size, k, w[a], a)
            out_len[j] = size
            _heap_drain(hv, hi, size, out_idx[j], res)
            for t in range(size):
                out_w[j, t] = res[t]

"""Learning-to-rank kernels (CPU): DCG / NDCG per query and LambdaMART gradients.

Queries are contiguous blocks of rows given by ``boundaries`` (n_queries + 1 offsets); each
document has a gain (``2**label - 1`` by default) rather than a label, so that any label
gain table works. Queries are independent: the parallel loops give each thread whole
queries, so no result depends on the thread count. The gradients feed the histogram tree
engine (:mod:`pai_algos_native.cpu.trees`) through the GBDTRanker estimator.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = ["lambdarank_gradients", "max_dcg_per_query", "ndcg_per_query"]


@njit(**JIT)
def _discount(rank):
    """DCG position discount ``1 / log2(2 + rank)`` (rank 0 is the top)."""
    return 1.0 / np.log2(2.0 + rank)


@njit(**JIT)
def _dcg_at(gains, order, k):
    dcg = 0.0
    for r in range(min(k, order.shape[0])):
        dcg += gains[order[r]] * _discount(r)
    return dcg


@njit(**JIT_PARALLEL)
def max_dcg_per_query(gains, boundaries, k, out):
    """Ideal DCG@k of each query (its documents sorted by gain): ``out[q]``.

    ``gains`` holds each document's label gain (``2**label - 1`` by default).
    """
    for q in prange(boundaries.shape[0] - 1):
        gq = gains[boundaries[q] : boundaries[q + 1]]
        out[q] = _dcg_at(gq, np.argsort(-gq, kind="mergesort"), k)


@njit(**JIT_PARALLEL)
def ndcg_per_query(scores, gains, boundaries, k, out):
    """NDCG@k of each query, documents ranked by decreasing score (stable on ties).

    A query whose ideal DCG is 0 (no relevant document) scores 1, as in LightGBM.
    """
    for q in prange(boundaries.shape[0] - 1):
        gq = gains[boundaries[q] : boundaries[q + 1]]
        ideal = _dcg_at(gq, np.argsort(-gq, kind="mergesort"), k)
        if ideal <= 0.0:
            out[q] = 1.0
            continue
        sc = scores[boundaries[q] : boundaries[q + 1]]
        out[q] = _dcg_at(gq, np.argsort(-sc, kind="mergesort"), k) / ideal


@njit(**JIT_PARALLEL)
def lambdarank_gradients(
    scores, gains, boundaries, inv_max_dcg, sigma, truncation, normalize, g, h
):
    """LambdaMART gradients and hessians of NDCG, per query (LightGBM's ``lambdarank``).

    Documents of query ``q`` are ``boundaries[q]:boundaries[q + 1]``, ranked by decreasing
    score. Every pair with different gains and at least one document above ``truncation``
    adds ``lambda = -sigma |dNDCG| / (1 + exp(sigma (s_high - s_low)))`` to the gradient of
    the more relevant document and subtracts it from the other (Burges, 2010, eq. 3);
    hessians get ``sigma^2 |dNDCG| p (1 - p)``. With ``normalize``, ``|dNDCG|`` is divided by
    ``0.01 + |s_high - s_low|`` and the query's gradients are rescaled by
    ``log2(1 + S) / S`` (``S`` the sum of ``|lambda|``), as LightGBM's ``lambdarank_norm``.

    Parameters
    ----------
    scores, gains : ndarray of shape (n_samples,), float64
        Current scores; label gain of each document (``2**label - 1`` by default).
    boundaries : ndarray of shape (n_queries + 1,), int64
    inv_max_dcg : ndarray of shape (n_queries,), float64
        ``1 / maxDCG@truncation`` of each query (0 when the query has no relevant document).
    sigma : float
    truncation : int
    normalize : bool
    g, h : ndarray of shape (n_samples,), float64
        Output.
    """
    # position discounts, looked up instead of two log2 per pair
    max_cnt = 0
    for q in range(boundaries.shape[0] - 1):
        max_cnt = max(max_cnt, boundaries[q + 1] - boundaries[q])
    disc = np.empty(max_cnt)
    for r in range(max_cnt):
        disc[r] = _discount(r)
    for q in prange(boundaries.shape[0] - 1):
        start = boundaries[q]
        cnt = boundaries[q + 1] - start
        for i in range(start, start + cnt):
            g[i] = 0.0
            h[i] = 0.0
        if cnt < 2:
            continue
        order = np.argsort(-scores[start : start + cnt], kind="mergesort")
        best = scores[start + order[0]]
        worst = scores[start + order[cnt - 1]]
        sum_lambdas = 0.0
        for i in range(min(cnt - 1, truncation)):
            gi = gains[start + order[i]]
            for j in range(i + 1, cnt):
                gj = gains[start + order[j]]
                if gi == gj:
                    continue
                if gi > gj:
                    hi_rank, lo_rank = i, j
                else:
                    hi_rank, lo_rank = j, i
                high = start + order[hi_rank]
                low = start + order[lo_rank]
                delta = scores[high] - scores[low]
                gap = gains[high] - gains[low]
                dndcg = gap * abs(disc[hi_rank] - disc[lo_rank]) * inv_max_dcg[q]
                if normalize and best != worst:
                    dndcg /= 0.01 + abs(delta)
                p = 1.0 / (1.0 + np.exp(sigma * delta))
                lam = -sigma * dndcg * p
                hess = sigma * sigma * dndcg * p * (1.0 - p)
                g[low] -= lam
                h[low] += hess
                g[high] += lam
                h[high] += hess
                sum_lambdas -= 2.0 * lam
        if normalize and sum_lambdas > 0.0:
            factor = np.log2(1.0 + sum_lambdas) / sum_lambdas
            for i in range(start, start + cnt):
                g[i] *= factor
                h[i] *= factor

"""Ranking metrics for top-k recommendations (binary relevance).

Every function takes ``y_true``, the relevant (held-out) items of each user, and ``y_pred``,
the recommended items of each user best first, as returned by ``recommend``. Users without
any relevant item are left out of the mean (their score is undefined); padding entries
(-1, None or NaN) in ``y_pred`` never count as hits.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp

__all__ = [
    "catalog_coverage",
    "hit_rate_at_k",
    "map_at_k",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
]

_Y_DOC = """y_true : sparse matrix of shape (n_users, n_items) or sequence of n_users iterables
        The relevant items of each user: the column indices of the non-zero entries of a
        matrix, or a collection of item ids per user.
    y_pred : array-like of shape (n_users, n_recommended)
        Recommended item ids per user, best first.
    k : int, default=None
        Cut-off; None uses all ``n_recommended`` columns. Must not exceed them."""


def _hits(y_true, y_pred, k):
    """``(hits, n_relevant)``: bool (n_users, k) and the count of relevant items per user."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(f"y_pred must be 2-D (n_users, n_recommended), got shape {y_pred.shape}.")
    if k is None:
        k = y_pred.shape[1]
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    if k > y_pred.shape[1]:
        raise ValueError(f"k={k} exceeds the {y_pred.shape[1]} recommended items per user.")
    y_pred = y_pred[:, :k]
    n_users = y_pred.shape[0]
    if sp.issparse(y_true):
        T = sp.csr_matrix(y_true)
        T.eliminate_zeros()
        if T.shape[0] != n_users:
            raise ValueError(f"y_true has {T.shape[0]} users but y_pred has {n_users}.")
        n_rel = np.diff(T.indptr)
        if y_pred.dtype.kind not in "iu":
            if y_pred.dtype.kind == "f":
                y_pred = np.where(np.isfinite(y_pred), y_pred, -1).astype(np.int64)
            else:
                y_pred = np.array([[-1 if v is None else v for v in row] for row in y_pred])
        y_pred = y_pred.astype(np.int64)
        n_items = T.shape[1]
        true_keys = np.repeat(np.arange(n_users, dtype=np.int64), n_rel) * n_items + T.indices
        valid = (y_pred >= 0) & (y_pred < n_items)
        pred_keys = np.arange(n_users, dtype=np.int64)[:, None] * n_items + y_pred
        hits = valid & np.isin(pred_keys, true_keys)
        return hits, n_rel
    y_true = list(y_true)
    if len(y_true) != n_users:
        raise ValueError(f"y_true has {len(y_true)} users but y_pred has {n_users}.")
    hits = np.zeros(y_pred.shape, dtype=bool)
    n_rel = np.zeros(n_users, dtype=np.int64)
    for u, rel in enumerate(y_true):
        rel = set(np.asarray(list(rel)).tolist())
        n_rel[u] = len(rel)
        hits[u] = [v in rel for v in y_pred[u].tolist()]
    return hits, n_rel


def _mean(values, n_rel):
    keep = n_rel > 0
    if not keep.any():
        raise ValueError("No user has a relevant item in y_true: the metric is undefined.")
    return float(np.mean(values[keep]))


def precision_at_k(y_true, y_pred, k=None):
    """Mean over users of the fraction of the top ``k`` recommendations that are relevant.

    Parameters
    ----------
    {y}

    Returns
    -------
    float

    Examples
    --------
    >>> from pai_algos.metrics import precision_at_k
    >>> precision_at_k([[1, 2], [0]], [[2, 3], [1, 4]], k=2)
    0.25
    """
    hits, n_rel = _hits(y_true, y_pred, k)
    return _mean(hits.sum(axis=1) / hits.shape[1], n_rel)


def recall_at_k(y_true, y_pred, k=None):
    """Mean over users of the fraction of their relevant items found in the top ``k``.

    Parameters
    ----------
    {y}

    Returns
    -------
    float

    Examples
    --------
    >>> from pai_algos.metrics import recall_at_k
    >>> recall_at_k([[1, 2], [0]], [[2, 3], [0, 4]], k=2)
    0.75
    """
    hits, n_rel = _hits(y_true, y_pred, k)
    return _mean(hits.sum(axis=1) / np.maximum(n_rel, 1), n_rel)


def ndcg_at_k(y_true, y_pred, k=None):
    """Mean normalised discounted cumulative gain at ``k`` (binary relevance).

    ``DCG = sum_r hit_r / log2(r + 2)`` over ranks ``r = 0 .. k-1``, divided by the DCG of
    an ideal list with ``min(k, n_relevant)`` hits on top (Jarvelin & Kekalainen 2002).

    Parameters
    ----------
    {y}

    Returns
    -------
    float

    Examples
    --------
    >>> from pai_algos.metrics import ndcg_at_k
    >>> round(ndcg_at_k([[1]], [[0, 1]], k=2), 4)
    0.6309
    """
    hits, n_rel = _hits(y_true, y_pred, k)
    discount = 1.0 / np.log2(np.arange(hits.shape[1]) + 2.0)
    dcg = hits @ discount
    ideal = np.concatenate([[0.0], np.cumsum(discount)])[np.minimum(n_rel, hits.shape[1])]
    return _mean(dcg / np.where(ideal > 0, ideal, 1.0), n_rel)


def map_at_k(y_true, y_pred, k=None):
    """Mean average precision at ``k``.

    ``AP@k = sum_r precision@(r+1) * hit_r / min(k, n_relevant)``.

    Parameters
    ----------
    {y}

    Returns
    -------
    float

    Examples
    --------
    >>> from pai_algos.metrics import map_at_k
    >>> map_at_k([[1, 3]], [[1, 2, 3]], k=3)
    0.8333333333333333
    """
    hits, n_rel = _hits(y_true, y_pred, k)
    ranks = np.arange(1, hits.shape[1] + 1)
    prec = np.cumsum(hits, axis=1) / ranks
    ap = (prec * hits).sum(axis=1) / np.maximum(np.minimum(n_rel, hits.shape[1]), 1)
    return _mean(ap, n_rel)


def hit_rate_at_k(y_true, y_pred, k=None):
    """Fraction of users with at least one relevant item in their top ``k``.

    Parameters
    ----------
    {y}

    Returns
    -------
    float

    Examples
    --------
    >>> from pai_algos.metrics import hit_rate_at_k
    >>> hit_rate_at_k([[1, 2], [0]], [[2, 3], [1, 4]], k=2)
    0.5
    """
    hits, n_rel = _hits(y_true, y_pred, k)
    return _mean(hits.any(axis=1).astype(float), n_rel)


for _f in (precision_at_k, recall_at_k, ndcg_at_k, map_at_k, hit_rate_at_k):
    _f.__doc__ = _f.__doc__.replace("{y}", _Y_DOC)


def catalog_coverage(y_pred, n_items, k=None):
    """Fraction of the catalogue that appears in at least one user's top ``k``.

    Parameters
    ----------
    y_pred : array-like of shape (n_users, n_recommended)
        Recommended item ids per user; padding (-1, None, NaN) is ignored.
    n_items : int
        Size of the catalogue.
    k : int, default=None
        Cut-off; None uses all columns.

    Returns
    -------
    float

    Examples
    --------
    >>> from pai_algos.metrics import catalog_coverage
    >>> catalog_coverage([[0, 1], [1, 2]], n_items=10)
    0.3
    """
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(f"y_pred must be 2-D (n_users, n_recommended), got shape {y_pred.shape}.")
    if isinstance(n_items, bool) or not isinstance(n_items, Integral) or n_items < 1:
        raise ValueError(f"n_items must be a positive integer, got {n_items!r}.")
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}.")
        y_pred = y_pred[:, :k]
    values = y_pred.ravel().tolist()
    distinct = {
        v
        for v in values
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and v != -1
    }
    return len(distinct) / n_items

"""User-based collaborative filtering with a pruned user-user similarity matrix."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import BaseRecommender, _one_per_row, csr_arrays
from ._item_cf import item_similarity

__all__ = ["UserCF"]


def _transform(X, similarity, item_means):
    """The users x items rows whose cosine (or Jaccard) is the similarity.

    Centred values are float64; raw ones keep X's dtype (the kernels accumulate in float64,
    and float32 halves the memory traffic of the co-occurrence loop).
    """
    T = X.copy() if similarity in ("cosine", "jaccard") else X.astype(np.float64)
    if similarity == "jaccard":
        T.data[:] = 1.0
    elif similarity == "pearson":  # centred by the user's mean over the user's items
        counts = np.diff(T.indptr)
        means = np.asarray(T.sum(axis=1)).ravel() / np.maximum(counts, 1)
        T.data -= np.repeat(means, counts)
    elif similarity == "adjusted_cosine":  # centred by the item's mean over its users
        T.data -= item_means[T.indices]
    return T


def _row_sq_norms(T):
    sq = np.asarray(T.data, dtype=np.float64) ** 2
    return np.bincount(np.repeat(np.arange(T.shape[0]), np.diff(T.indptr)), sq, T.shape[0])


def _keep_positive(S):
    """Drop the non-positive similarities (they cannot vote for an item)."""
    S = S.copy()
    S.data[S.data < 0] = 0.0
    S.eliminate_zeros()
    return S


class UserCF(BaseRecommender):
    """User-based collaborative filtering (user-user nearest neighbours).

    A user's score for item ``j`` is ``sum_v S[u, v] x_vj``: the interactions of the user's
    ``k`` most similar users, weighted by their similarity.

    Parameters
    ----------
    similarity : {"cosine", "jaccard", "pearson", "adjusted_cosine"}, default="cosine"
        How two users' rows compare (see Notes).
    k : int, default=50
        Neighbours kept per user (top-k pruning of each row of ``S``).
    shrink : float, default=0.0
        Added to every denominator, which shrinks the similarity of users with few items.
    n_jobs : int, default=None
        Numba threads for the similarities and the fold-in (None: global config, -1: all).
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X`` holding the interaction values (None: every row counts 1).
        Duplicate (user, item) rows are summed.

    Attributes
    ----------
    similarity_ : scipy.sparse.csr_matrix of shape (`n_users_`, `n_users_`)
        Row ``u``: the (at most ``k``) most similar users of user ``u`` with a positive
        similarity.
    user_ids_ : ndarray of shape (`n_users_`,)
        The users' ids (row numbers for a matrix ``X``), sorted.
    item_ids_ : ndarray of shape (`n_items_`,)
        The items' ids, sorted.
    n_users_ : int
        Number of users.
    n_items_ : int
        Number of items.
    n_features_in_ : int
        Number of items (columns of ``X``).

    See Also
    --------
    ItemCF : Item-item neighbours.
    Swing : Item-item similarity from user pairs.

    Notes
    -----
    With ``x_u`` the row of user ``u`` and ``s`` = ``shrink`` (Herlocker et al. 1999):

    - cosine: :math:`x_u \\cdot x_v / (\\|x_u\\| \\|x_v\\| + s)`;
    - Jaccard: :math:`|I_u \\cap I_v| / (|I_u| + |I_v| - |I_u \\cap I_v| + s)`;
    - Pearson: the cosine after subtracting from each stored value its user's mean (the
      mean-centred correlation over the stored entries);
    - adjusted cosine: the cosine after subtracting from each stored value its item's mean.

    Only users who share an item are neighbours, only positive similarities are kept, and
    ties keep the smaller index. A user unseen in fit (``recommend(..., user_items=...)``)
    gets its ``k`` neighbours among the fitted users from its row (cold start); a fitted
    user keeps the neighbours of fit. ``similar_items`` ranks items by the cosine of their
    columns, computed for the items asked.

    References
    ----------
    .. [1] Herlocker, J., Konstan, J., Borchers, A. and Riedl, J., "An algorithmic framework
       for performing collaborative filtering", SIGIR 1999.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import UserCF
    >>> X = sp.csr_matrix([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]])
    >>> rec = UserCF(k=1).fit(X)
    >>> rec.similarity_.indices.tolist()
    [1, 0, 1]
    >>> items, scores = rec.recommend([0], n=2)
    >>> items.tolist(), scores.astype(float).round(3).tolist()
    ([[2, 3]], [[0.816, 0.0]])
    """

    _parameter_constraints: dict = {
        "similarity": [StrOptions({"cosine", "jaccard", "pearson", "adjusted_cosine"})],
        "k": [Interval(Integral, 1, None, closed="left")],
        "shrink": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _fast_params = {"k": 10}
    _cold_start = True

    def __init__(
        self,
        similarity="cosine",
        *,
        k=50,
        shrink=0.0,
        n_jobs=None,
        user_col="user",
        item_col="item",
        rating_col=None,
    ):
        self.similarity = similarity
        self.k = k
        self.shrink = shrink
        self.n_jobs = n_jobs
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the pruned user-user similarity matrix.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions (>= 0), or a table with ``user_col``, ``item_col``
            and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : UserCF
        """
        X, user_ids, item_ids = self._interactions(X)
        X.sort_indices()
        counts = np.bincount(X.indices, minlength=X.shape[1])
        sums = np.bincount(X.indices, weights=X.data.astype(np.float64), minlength=X.shape[1])
        item_means = sums / np.maximum(counts, 1)
        T = _transform(X, self.similarity, item_means)
        Tt = T.T.tocsr()
        # the users' similarities are the column similarities of the items x users matrix
        mode = "jaccard" if self.similarity == "jaccard" else "cosine"
        with numba_threads(self.n_jobs):
            S = item_similarity(Tt, mode, self.k, 0.5, self.shrink)
        self._dtype = X.dtype
        self._user_items = X
        self._item_means = item_means
        self._reference = (Tt, _row_sq_norms(T))  # what a fold-in compares new rows with
        self.similarity_ = _keep_positive(S).astype(X.dtype)
        self._set_ids(user_ids, item_ids)
        return self

    def _fold_in(self, rows):
        """Neighbour rows (against the fitted users) of users unseen in fit."""
        T = _transform(rows, self.similarity, self._item_means)
        T.sort_indices()
        Rt, r_sq = self._reference
        k = max(1, min(self.k, self.n_users_))
        out_idx = np.empty((T.shape[0], k), dtype=np.int64)
        out_sim = np.empty((T.shape[0], k), dtype=np.float64)
        out_len = np.zeros(T.shape[0], dtype=np.int64)
        with numba_threads(self.n_jobs):
            kernels("recommend_cf", "cpu").query_similarity_topk(
                *csr_arrays(T), _row_sq_norms(T), *csr_arrays(Rt), r_sq,
                int(self.similarity == "jaccard"), float(self.shrink), k,
                out_idx, out_sim, out_len,
            )  # fmt: skip
        mask = np.arange(k)[None, :] < out_len[:, None]
        S = sp.csr_matrix(
            (out_sim[mask], out_idx[mask].astype(np.int32),
             np.concatenate([[0], np.cumsum(out_len)])),
            shape=(T.shape[0], self.n_users_),
        )  # fmt: skip
        return _keep_positive(S).astype(self._dtype)

    def _neighbours(self, idx, rows):
        known = idx >= 0
        if known.all():
            return self.similarity_[idx]
        n_known = int(known.sum())
        stacked = sp.vstack(
            [self.similarity_[idx[known]], self._fold_in(rows[np.flatnonzero(~known)])]
        ).tocsr()
        order = np.empty(len(idx), dtype=np.int64)
        order[known] = np.arange(n_known)
        order[~known] = n_known + np.arange(len(idx) - n_known)
        return stacked[order]

    def _recommend_rows(self, idx, rows, exclude, n):
        N = self._neighbours(idx, rows)
        X = self._user_items
        return self._topn_dense_rows(lambda a, b: (N[a:b] @ X).toarray(), len(idx), exclude, n)

    def _predict_idx(self, u, i):
        N = self.similarity_[u]
        cols = self._user_items.T.tocsr()[i]
        return np.asarray(N.multiply(cols).sum(axis=1)).ravel().astype(self._dtype)

    def _similar_idx(self, idx, n):
        X = self._user_items
        Xt = X.T.tocsr().astype(np.float64)
        norms = np.sqrt(np.asarray(Xt.multiply(Xt).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0

        def cosines(a, b):
            q = Xt[idx[a:b]]
            return (q @ Xt.T).toarray() / norms[idx[a:b], None] / norms[None, :]

        return self._topn_dense_rows(cosines, len(idx), _one_per_row(idx, self.n_items_), n)

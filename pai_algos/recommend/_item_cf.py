"""Item-based collaborative filtering with a pruned item-item similarity matrix."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import BaseRecommender, csr_arrays

__all__ = ["ItemCF"]


def _similarity_inputs(X, similarity):
    """The matrix whose co-occurrences are summed, the item squared norms, mode and alpha."""
    if similarity == "jaccard":
        W = X.copy()
        W.data = np.ones_like(W.data)
    elif similarity == "adjusted_cosine":
        W = X.astype(np.float64)
        counts = np.diff(W.indptr)
        means = np.asarray(W.sum(axis=1)).ravel() / np.maximum(counts, 1)
        W.data = W.data - np.repeat(means, counts)
    else:
        W = X
    sq_norms = np.bincount(
        W.indices, weights=np.asarray(W.data, np.float64) ** 2, minlength=W.shape[1]
    )
    return W, sq_norms


def item_similarity(X, similarity="cosine", k=20, alpha=0.5, shrink=0.0):
    """The items x items top-``k`` similarity matrix of a users x items CSR (sorted indices).

    Row ``i`` holds the ``k`` most similar items ``j != i`` that share at least one user
    with ``i``, as a CSR matrix with the neighbours in decreasing similarity.
    """
    W, sq_norms = _similarity_inputs(X, similarity)
    Wt = W.T.tocsr()
    n_items = X.shape[1]
    k = max(1, min(k, n_items - 1)) if n_items > 1 else 1
    out_idx = np.empty((n_items, k), dtype=np.int64)
    out_sim = np.empty((n_items, k), dtype=np.float64)
    out_len = np.zeros(n_items, dtype=np.int64)
    mode = 1 if similarity == "jaccard" else 0
    power = alpha if similarity == "asymmetric_cosine" else 0.5
    kernels("recommend", "cpu").item_similarity_topk(
        *csr_arrays(W), *csr_arrays(Wt), sq_norms, mode, float(power), float(shrink), k,
        out_idx, out_sim, out_len,
    )  # fmt: skip
    mask = np.arange(k)[None, :] < out_len[:, None]
    indptr = np.concatenate([[0], np.cumsum(out_len)])
    return sp.csr_matrix(
        (out_sim[mask].astype(X.dtype), out_idx[mask].astype(np.int32), indptr),
        shape=(n_items, n_items),
    )


class ItemCF(BaseRecommender):
    """Item-based collaborative filtering (item-item nearest neighbours).

    A user's score for item ``j`` is ``sum_i x_ui S[i, j]``: the user's interactions ``x_u``
    times a similarity matrix ``S`` that keeps, for every item, its ``k`` most similar items.

    Parameters
    ----------
    similarity : {"cosine", "adjusted_cosine", "jaccard", "asymmetric_cosine"}, \
default="cosine"
        How two items' columns compare (see Notes).
    k : int, default=20
        Neighbours kept per item (top-k pruning of each row of ``S``).
    alpha : float, default=0.5
        Exponent of the asymmetric cosine (0.5 is the cosine).
    shrink : float, default=0.0
        Added to every denominator, which shrinks the similarity of items with few users.
    n_jobs : int, default=None
        Numba threads for the similarity and the scoring (None: global config, -1: all).
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X`` holding the interaction values (None: every row counts 1).
        Duplicate (user, item) rows are summed.

    Attributes
    ----------
    similarity_ : scipy.sparse.csr_matrix of shape (`n_items_`, `n_items_`)
        Row ``i``: the ``k`` nearest neighbours of item ``i`` with their similarity.
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
    ImplicitALS : Matrix factorisation for implicit feedback.
    PopularityRecommender : The popularity baseline.

    Notes
    -----
    With ``r_i`` the column of item ``i``, ``d = r_i . r_j`` and ``s`` = ``shrink``:

    - cosine: :math:`d / (\\|r_i\\| \\|r_j\\| + s)`;
    - adjusted cosine (Sarwar et al. 2001): the cosine after subtracting from every stored
      rating its user's mean rating (for explicit ratings; on 0/1 data it is 0);
    - Jaccard: :math:`|U_i \\cap U_j| / (|U_i| + |U_j| - |U_i \\cap U_j| + s)` on the binary
      pattern;
    - asymmetric cosine (Aiolli 2013): :math:`d / (\\|r_i\\|^{2\\alpha}
      \\|r_j\\|^{2(1-\\alpha)} + s)`.

    Only items that share at least one user are neighbours; ties keep the smaller index.
    ``similar_items`` returns the ``k`` neighbours kept in fit (slots past them are padded).
    Users unseen in fit are scored from ``recommend(..., user_items=...)`` (cold start).

    References
    ----------
    .. [1] Sarwar, B., Karypis, G., Konstan, J. and Riedl, J., "Item-based collaborative
       filtering recommendation algorithms", WWW 2001.
    .. [2] Aiolli, F., "Efficient top-N recommendation for very large scale binary rated
       datasets", RecSys 2013.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import ItemCF
    >>> X = sp.csr_matrix([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]])
    >>> rec = ItemCF(k=2).fit(X)
    >>> items, scores = rec.recommend([0], n=2)
    >>> items.tolist(), scores.round(3).tolist()
    ([[2, 3]], [[1.0, 0.0]])
    """

    _parameter_constraints: dict = {
        "similarity": [StrOptions({"cosine", "adjusted_cosine", "jaccard", "asymmetric_cosine"})],
        "k": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "shrink": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _cold_start = True

    def __init__(
        self,
        similarity="cosine",
        *,
        k=20,
        alpha=0.5,
        shrink=0.0,
        n_jobs=None,
        user_col="user",
        item_col="item",
        rating_col=None,
    ):
        self.similarity = similarity
        self.k = k
        self.alpha = alpha
        self.shrink = shrink
        self.n_jobs = n_jobs
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the pruned item-item similarity matrix.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions (>= 0), or a table with ``user_col``, ``item_col``
            and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : ItemCF
        """
        X, user_ids, item_ids = self._interactions(X)
        with numba_threads(self.n_jobs):
            S = item_similarity(X, self.similarity, self.k, self.alpha, self.shrink)
        self._dtype = X.dtype
        self._user_items = X
        self.similarity_ = S
        self._set_ids(user_ids, item_ids)
        return self

    def _recommend_rows(self, idx, rows, exclude, n):
        S = self.similarity_
        out_idx = np.empty((rows.shape[0], n), dtype=np.int64)
        out_score = np.empty((rows.shape[0], n), dtype=self._dtype)
        with numba_threads(self.n_jobs):
            kernels("recommend", "cpu").cf_topn(
                *csr_arrays(rows), *csr_arrays(S), *csr_arrays(exclude)[:2], n,
                out_idx, out_score,
            )  # fmt: skip
        return out_idx, out_score

    def _predict_idx(self, u, i):
        rows = self._user_items[u]
        cols = self.similarity_[:, i].T.tocsr()
        return np.asarray(rows.multiply(cols).sum(axis=1)).ravel().astype(self._dtype)

    def _similar_idx(self, idx, n):
        S = self.similarity_
        out_idx = np.full((len(idx), n), -1, dtype=np.int64)
        out_score = np.full((len(idx), n), -np.inf, dtype=self._dtype)
        for r, i in enumerate(idx):
            lo, hi = S.indptr[i], min(S.indptr[i + 1], S.indptr[i] + n)
            out_idx[r, : hi - lo] = S.indices[lo:hi]
            out_score[r, : hi - lo] = S.data[lo:hi]
        return out_idx, out_score

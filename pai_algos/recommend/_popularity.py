"""The popularity baseline: recommend the most popular items the user has not seen."""

from __future__ import annotations

import numpy as np

from pai_algos_native import kernels

from ..utils._sklearn_compat import StrOptions, _fit_context
from ._base import BaseRecommender, _one_per_row, csr_arrays

__all__ = ["PopularityRecommender"]


class PopularityRecommender(BaseRecommender):
    """Recommend the most popular items: the baseline every recommender must beat.

    Parameters
    ----------
    popularity : {"users", "sum"}, default="users"
        An item's score: the number of distinct users who interacted with it, or the sum of
        its interaction values.
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X`` holding the interaction values (None: every row counts 1).
        Duplicate (user, item) rows are summed.

    Attributes
    ----------
    popularity_ : ndarray of shape (`n_items_`,)
        Score of every item.
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
    ItemCF : Item-based collaborative filtering.
    ImplicitALS : Matrix factorisation for implicit feedback.

    Notes
    -----
    Ties rank the smaller item index first. Any user, even one unseen in fit, gets the same
    ranking minus the items it has seen (``user_items``). ``similar_items`` returns the most
    popular other items: popularity has no notion of item similarity.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import PopularityRecommender
    >>> X = sp.csr_matrix([[1, 1, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    >>> rec = PopularityRecommender().fit(X)
    >>> items, scores = rec.recommend([0], n=2)
    >>> items.tolist(), scores.tolist()
    ([[2, 3]], [[1.0, 1.0]])
    """

    _parameter_constraints: dict = {
        "popularity": [StrOptions({"users", "sum"})],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _cold_start = True

    def __init__(self, popularity="users", *, user_col="user", item_col="item", rating_col=None):
        self.popularity = popularity
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Count the items' popularity.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions, or a table with ``user_col``, ``item_col`` and
            optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : PopularityRecommender
        """
        X, user_ids, item_ids = self._interactions(X)
        if self.popularity == "users":
            pop = np.bincount(X.indices, minlength=X.shape[1]).astype(X.dtype)
        else:
            pop = np.asarray(X.sum(axis=0), dtype=np.float64).ravel().astype(X.dtype)
        self._dtype = X.dtype
        self._user_items = X
        self._order = np.argsort(-pop.astype(np.float64), kind="stable")
        self.popularity_ = pop
        self._set_ids(user_ids, item_ids)
        return self

    def _recommend_rows(self, idx, rows, exclude, n):
        out_idx = np.empty((len(idx), n), dtype=np.int64)
        out_score = np.empty((len(idx), n), dtype=self._dtype)
        ex_indptr, ex_indices, _ = csr_arrays(exclude)
        kernels("recommend", "cpu").topn_presorted(
            self._order, self.popularity_, ex_indptr, ex_indices, n, out_idx, out_score
        )
        return out_idx, out_score

    def _predict_idx(self, u, i):
        return self.popularity_[i].copy()

    def _similar_idx(self, idx, n):
        # each row skips its own item
        ex = _one_per_row(idx, self.n_items_)
        return self._recommend_rows(idx, None, ex, n)

"""Swing: Alibaba's item-item similarity from user pairs who share items (user-item-user)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, _fit_context
from ._base import BaseRecommender, csr_arrays
from ._item_cf import ItemCF

__all__ = ["Swing"]


def _sample_users(Xt, max_item_users, rng):
    """Keep at most ``max_item_users`` random users per row of the items x users ``Xt``."""
    counts = np.diff(Xt.indptr)
    if counts.max(initial=0) <= max_item_users:
        return Xt
    rows = np.repeat(np.arange(Xt.shape[0]), counts)
    order = np.lexsort((rng.random_sample(Xt.nnz), rows))
    rank = np.arange(Xt.nnz) - Xt.indptr[rows]
    keep = np.sort(order[rank < max_item_users])  # the first ones of each row's random order
    kept_rows = rows[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(kept_rows, minlength=Xt.shape[0]))])
    T = sp.csr_matrix((Xt.data[keep], Xt.indices[keep], indptr), shape=Xt.shape)
    T.sort_indices()
    return T


def swing_similarity(
    X, k=20, alpha=1.0, user_alpha=0.0, user_beta=0.5, min_user_items=1, max_user_items=1000,
    max_item_users=1000, random_state=None,
):  # fmt: skip
    """The items x items top-``k`` Swing similarity of a users x items CSR (sorted rows).

    Users with fewer than ``min_user_items`` or more than ``max_user_items`` items are left
    out; items with more than ``max_item_users`` users keep a random sample of them.
    """
    B = X.copy()
    B.data = np.ones_like(B.data)
    n_user_items = np.diff(B.indptr)
    active = (n_user_items >= min_user_items) & (n_user_items <= max_user_items)
    B = sp.diags(active.astype(B.dtype)) @ B
    B.eliminate_zeros()
    B.sort_indices()
    weights = np.zeros(X.shape[0], dtype=np.float64)  # active users have >= 1 item
    weights[active] = (n_user_items[active] + float(user_alpha)) ** -float(user_beta)
    Bt = _sample_users(B.T.tocsr(), max_item_users, check_random_state(random_state))
    n_items = X.shape[1]
    k = max(1, min(k, n_items - 1))
    out_idx = np.empty((n_items, k), dtype=np.int64)
    out_sim = np.empty((n_items, k), dtype=np.float64)
    out_len = np.zeros(n_items, dtype=np.int64)
    max_row = int(np.diff(B.indptr).max(initial=0))
    kernels("recommend_cf", "cpu").swing_similarity_topk(
        *csr_arrays(B)[:2], *csr_arrays(Bt)[:2], weights, float(alpha), k, max_row,
        out_idx, out_sim, out_len,
    )  # fmt: skip
    mask = np.arange(k)[None, :] < out_len[:, None]
    indptr = np.concatenate([[0], np.cumsum(out_len)])
    return sp.csr_matrix(
        (out_sim[mask], out_idx[mask].astype(np.int32), indptr), shape=(n_items, n_items)
    )


class Swing(BaseRecommender):
    """Swing: item-item similarity from pairs of users who interacted with both items.

    Two items are similar when many pairs of users bought both, and more so when such a
    pair has little else in common (a "swing" user-item-user structure is stronger evidence
    than a popular item bought by everyone). Users are then scored as in :class:`ItemCF`:
    ``sum_i x_ui S[i, j]`` with ``S`` the top-``k`` pruned Swing similarity.

    Parameters
    ----------
    k : int, default=20
        Neighbours kept per item.
    alpha : float, default=1.0
        Smoothing of the pair weight ``1 / (alpha + |I_u & I_v|)``.
    user_alpha : float, default=0.0
        User weight offset: ``w_u = (|I_u| + user_alpha) ** -user_beta``.
    user_beta : float, default=0.5
        User weight exponent (0.5 with ``user_alpha=0`` is the paper's ``1 / sqrt(|I_u|)``;
        0 weighs every user 1).
    min_user_items : int, default=1
        Users with fewer items take no part.
    max_user_items : int, default=1000
        Users with more items take no part (bounds the cost of an intersection).
    max_item_users : int, default=1000
        Items with more users keep a random sample of this many (bounds the pairs per item).
    normalize : bool, default=False
        Divide every item's similarities by its largest one.
    random_state : int, RandomState instance or None, default=None
        Seed of the user sampling.
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
        Row ``i``: the ``k`` most Swing-similar items of item ``i``, best first.
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
    ItemCF : Item-item neighbours by cosine or Jaccard similarity.
    UserCF : User-user neighbours.

    Notes
    -----
    With ``U_i`` the users of item ``i`` and ``I_u`` the items of user ``u`` (Yang, Zhu and
    Zhang 2020, eq. 1, with the user weights of Alink and Flink ML):

    .. math:: s(i, j) = \\sum_{u < v;\\ u, v \\in U_i \\cap U_j}
              \\frac{w_u w_v}{\\alpha + |I_u \\cap I_v|}

    The interaction values only matter through their pattern (Swing is binary). The cost
    is :math:`O(\\sum_i |U_i|^2 \\bar{|I_u|})`, which ``max_item_users`` and
    ``max_user_items`` bound. Users unseen in fit are scored from
    ``recommend(..., user_items=...)`` (cold start).

    References
    ----------
    .. [1] Yang, X., Zhu, Y., Zhang, Y., Wang, X. and Yuan, Q., "Large scale product graph
       construction for recommendation in e-commerce", arXiv:2010.05525, 2020.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import Swing
    >>> X = sp.csr_matrix([[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 0, 1], [1, 0, 0, 0]])
    >>> rec = Swing(k=2, user_beta=0.0).fit(X)
    >>> rec.similar_items([0], n=1)[0].tolist()
    [[1]]
    >>> items, scores = rec.recommend([3], n=2)
    >>> items.tolist(), scores.astype(float).round(3).tolist()
    ([[1, 2]], [[0.917, 0.25]])
    """

    _parameter_constraints: dict = {
        "k": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "user_alpha": [Interval(Real, 0, None, closed="left")],
        "user_beta": [Interval(Real, 0, None, closed="left")],
        "min_user_items": [Interval(Integral, 1, None, closed="left")],
        "max_user_items": [Interval(Integral, 1, None, closed="left")],
        "max_item_users": [Interval(Integral, 2, None, closed="left")],
        "normalize": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _fast_params = {"k": 5, "max_item_users": 30}
    _cold_start = True

    def __init__(
        self,
        k=20,
        *,
        alpha=1.0,
        user_alpha=0.0,
        user_beta=0.5,
        min_user_items=1,
        max_user_items=1000,
        max_item_users=1000,
        normalize=False,
        random_state=None,
        n_jobs=None,
        user_col="user",
        item_col="item",
        rating_col=None,
    ):
        self.k = k
        self.alpha = alpha
        self.user_alpha = user_alpha
        self.user_beta = user_beta
        self.min_user_items = min_user_items
        self.max_user_items = max_user_items
        self.max_item_users = max_item_users
        self.normalize = normalize
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the pruned Swing similarity matrix.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions (>= 0), or a table with ``user_col``, ``item_col``
            and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : Swing
        """
        X, user_ids, item_ids = self._interactions(X)
        if self.min_user_items > self.max_user_items:
            raise ValueError(
                f"min_user_items={self.min_user_items} is larger than "
                f"max_user_items={self.max_user_items}: no user would take part."
            )
        X.sort_indices()
        with numba_threads(self.n_jobs):
            S = swing_similarity(
                X, self.k, self.alpha, self.user_alpha, self.user_beta, self.min_user_items,
                self.max_user_items, self.max_item_users, self.random_state,
            )  # fmt: skip
        if self.normalize:
            lengths = np.diff(S.indptr)
            full = lengths > 0  # a row's largest similarity is its first entry
            S.data = S.data / np.repeat(S.data[S.indptr[:-1][full]], lengths[full])
        S = S.astype(X.dtype)
        self._dtype = X.dtype
        self._user_items = X
        self.similarity_ = S
        self._set_ids(user_ids, item_ids)
        return self

    # the scoring, prediction and neighbour lists of item-based CF, on the Swing matrix
    _recommend_rows = ItemCF._recommend_rows
    _predict_idx = ItemCF._predict_idx
    _similar_idx = ItemCF._similar_idx

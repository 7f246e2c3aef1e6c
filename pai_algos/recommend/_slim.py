"""SLIM: sparse linear item-item model, one non-negative elastic net per item."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, _fit_context
from ._base import BaseRecommender, csr_arrays

__all__ = ["SLIM"]


class SLIM(BaseRecommender):
    """SLIM: sparse linear methods for top-N recommendation (Ning and Karypis).

    Learns a sparse, non-negative items x items matrix ``W`` with zero diagonal such that a
    user's interactions are reconstructed from the user's other interactions, ``X ~ X W``:
    column ``j`` of ``W`` is a non-negative elastic net that predicts item ``j`` from the
    other items. A user's scores are ``x_u W``.

    Parameters
    ----------
    alpha : float, default=1e-3
        Penalty strength, as scikit-learn's :class:`~sklearn.linear_model.ElasticNet`
        (the loss is divided by the number of users).
    l1_ratio : float, default=0.1
        Share of the L1 penalty (the rest is L2), in (0, 1].
    k : int, default=100
        Largest weights kept per column of ``W`` (the others are set to 0).
    max_iter : int, default=100
        Coordinate-descent epochs per item.
    tol : float, default=1e-4
        Duality-gap tolerance of each item's solve, as scikit-learn's.
    n_jobs : int, default=None
        Numba threads: items are solved in parallel (None: global config, -1: all).
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X`` holding the interaction values (None: every row counts 1).
        Duplicate (user, item) rows are summed.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (`n_items_`, `n_items_`)
        ``W``: ``coef_[i, j] >= 0`` is the weight of item ``i`` in the score of item ``j``;
        zero diagonal; at most ``k`` entries per column.
    n_iter_ : ndarray of shape (`n_items_`,)
        Epochs run for each item.
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
    EASE : The dense closed-form L2 version of the same model.
    ItemCF : Item-item neighbours by a similarity.

    Notes
    -----
    Column :math:`w_j` solves (Ning and Karypis 2011, eq. 3, in scikit-learn's scaling with
    :math:`n` users)

    .. math:: \\min_{w \\ge 0,\\ w_j = 0} \\frac{1}{2n} \\|x_j - X w\\|_2^2
              + \\alpha \\rho \\|w\\|_1 + \\frac{\\alpha (1 - \\rho)}{2} \\|w\\|_2^2

    with :math:`\\rho` = ``l1_ratio``, the same problem as
    ``ElasticNet(alpha, l1_ratio=l1_ratio, positive=True, fit_intercept=False)`` fitted on
    ``X`` with column ``j`` zeroed. All items are solved in parallel by coordinate descent on
    the Gram matrix :math:`X^\\top X` (computed once, ``n_items_``\\ :sup:`2` floats), with
    gap-safe screening; the diagonal constraint costs nothing (see
    :func:`pai_algos_native.cpu.recommend_cf.slim_topk`). Any user, even one unseen in fit,
    is scored from its row of interactions (``recommend(..., user_items=...)``).
    ``similar_items`` ranks the items by their weight in the item's column of ``W``.

    References
    ----------
    .. [1] Ning, X. and Karypis, G., "SLIM: Sparse linear methods for top-N recommender
       systems", ICDM 2011.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import SLIM
    >>> X = sp.csr_matrix([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 1, 1, 1]])
    >>> rec = SLIM(alpha=0.01, l1_ratio=0.5).fit(X)
    >>> rec.coef_.shape
    (4, 4)
    >>> items, scores = rec.recommend([0], n=2)
    >>> items.tolist()
    [[2, 3]]
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(Real, 0, 1, closed="right")],
        "k": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _fast_params = {"k": 10, "max_iter": 20}
    _cold_start = True

    def __init__(
        self,
        alpha=1e-3,
        *,
        l1_ratio=0.1,
        k=100,
        max_iter=100,
        tol=1e-4,
        n_jobs=None,
        user_col="user",
        item_col="item",
        rating_col=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.k = k
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Solve the per-item elastic nets.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions (>= 0), or a table with ``user_col``, ``item_col``
            and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : SLIM
        """
        X, user_ids, item_ids = self._interactions(X)
        n_users, n_items = X.shape
        G = np.ascontiguousarray((X.T @ X).toarray(), dtype=np.float64)
        l1 = self.alpha * self.l1_ratio * n_users
        l2 = self.alpha * (1.0 - self.l1_ratio) * n_users
        k = max(1, min(self.k, n_items - 1))
        out_idx = np.empty((n_items, k), dtype=np.int64)
        out_w = np.empty((n_items, k), dtype=np.float64)
        out_len = np.zeros(n_items, dtype=np.int64)
        n_iter = np.zeros(n_items, dtype=np.int64)
        with numba_threads(self.n_jobs):
            kernels("recommend_cf", "cpu").slim_topk(
                G, float(l1), float(l2), int(self.max_iter), float(self.tol), k,
                out_idx, out_w, out_len, n_iter,
            )  # fmt: skip
        mask = np.arange(k)[None, :] < out_len[:, None]
        # row j of the kernel's output is column j of W: build W^T, then transpose
        Wt = sp.csr_matrix(
            (out_w[mask].astype(X.dtype), out_idx[mask].astype(np.int32),
             np.concatenate([[0], np.cumsum(out_len)])),
            shape=(n_items, n_items),
        )  # fmt: skip
        self._dtype = X.dtype
        self._user_items = X
        self._columns = Wt  # column j of W, best first (for similar_items)
        self.coef_ = Wt.T.tocsr()
        self.coef_.sort_indices()
        self.n_iter_ = n_iter
        self._set_ids(user_ids, item_ids)
        return self

    def _recommend_rows(self, idx, rows, exclude, n):
        out_idx = np.empty((rows.shape[0], n), dtype=np.int64)
        out_score = np.empty((rows.shape[0], n), dtype=self._dtype)
        with numba_threads(self.n_jobs):
            kernels("recommend", "cpu").cf_topn(
                *csr_arrays(rows), *csr_arrays(self.coef_), *csr_arrays(exclude)[:2], n,
                out_idx, out_score,
            )  # fmt: skip
        return out_idx, out_score

    def _predict_idx(self, u, i):
        rows = self._user_items[u]
        cols = self._columns[i]
        return np.asarray(rows.multiply(cols).sum(axis=1)).ravel().astype(self._dtype)

    def _similar_idx(self, idx, n):
        Wt = self._columns
        out_idx = np.full((len(idx), n), -1, dtype=np.int64)
        out_score = np.full((len(idx), n), -np.inf, dtype=self._dtype)
        for r, j in enumerate(idx):
            lo, hi = Wt.indptr[j], min(Wt.indptr[j + 1], Wt.indptr[j] + n)
            out_idx[r, : hi - lo] = Wt.indices[lo:hi]
            out_score[r, : hi - lo] = Wt.data[lo:hi]
        return out_idx, out_score

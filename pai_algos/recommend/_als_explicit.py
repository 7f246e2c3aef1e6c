"""Alternating least squares for explicit ratings (Zhou et al. 2008)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import History, numba_threads, progress_bar
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._als import _merge_interactions
from ._base import FactorRecommender, _column, csr_arrays, factor_topn

__all__ = ["ALS"]


class ALS(FactorRecommender):
    """Matrix factorisation of explicit ratings by alternating least squares.

    Predicts a rating as ``global_mean_ + user_bias_[u] + item_bias_[i] + x_u . y_i`` (the
    biases and the mean only with ``fit_biases=True``) and learns the factors minimising
    ``sum_observed (r_ui - prediction)^2 + regularization (n_u |x_u|^2 + n_i |y_i|^2)`` over
    the rated cells only, with the weighted-lambda penalty of Zhou et al. (2008) (``n_u``,
    ``n_i``: ratings of the user, of the item) or a plain one.

    Parameters
    ----------
    factors : int, default=32
        Dimension of the latent factors.
    regularization : float, default=0.05
        L2 penalty ``lambda``.
    regularization_mode : {"weighted", "constant"}, default="weighted"
        "weighted": a row's penalty is ``lambda`` times its number of ratings (Zhou et al.
        2008, weighted-lambda regularisation); "constant": ``lambda`` for every row.
    fit_biases : bool, default=True
        Learn a global mean and user and item biases (penalised like the factors).
    iterations : int, default=15
        Alternations (users then items).
    random_state : int, RandomState instance or None, default=None
        Seed of the initial item factors (normal, standard deviation 0.1).
    n_jobs : int, default=None
        Numba threads (None: global config, -1: all).
    verbose : int, default=0
        Show a progress bar.
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default="rating"
        Column of a table ``X`` holding the ratings. Duplicate (user, item) rows of a table
        (or duplicate entries of a sparse matrix) are averaged, not summed.

    Attributes
    ----------
    user_factors_ : ndarray of shape (`n_users_`, factors)
        User factors, in X's float dtype (float32 for integer input).
    item_factors_ : ndarray of shape (`n_items_`, factors)
        Item factors.
    user_bias_ : ndarray of shape (`n_users_`,)
        User biases (zeros without ``fit_biases``).
    item_bias_ : ndarray of shape (`n_items_`,)
        Item biases (zeros without ``fit_biases``).
    global_mean_ : float
        Mean training rating (0 without ``fit_biases``).
    history_ : dict
        Per-iteration ``iteration``, ``seconds``, ``loss`` (the objective divided by the
        number of ratings) and ``rmse`` (on the training ratings).
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
    ImplicitALS : Alternating least squares for implicit feedback.

    Notes
    -----
    Each half-iteration solves, for every user in parallel and exactly (Cholesky, float64),
    :math:`(Y_u^\\top Y_u + \\lambda n_u I) x_u = Y_u^\\top (r_u - \\mu - b_{I_u})` over the
    items :math:`I_u` the user rated (Zhou et al. 2008, section 3.1), with
    :math:`Y_u` extended by a column of ones when the user bias is learnt with the factors;
    then the same for the items. A stored zero is "not rated": ratings must be positive
    (e.g. 1-5 stars; shift a scale that has zero or negative values).

    ``recommend`` ranks a user's unrated items by predicted rating, and its scores are those
    of ``predict``. Users unseen in fit get factors and a bias from their ratings in
    ``recommend(..., user_items=...)`` by the same exact solve against the fixed item side
    (cold start); ``partial_fit`` does it for added users and ratings.

    References
    ----------
    .. [1] Zhou, Y., Wilkinson, D., Schreiber, R. and Pan, R., "Large-scale parallel
       collaborative filtering for the Netflix prize", AAIM 2008.
    .. [2] Koren, Y., Bell, R. and Volinsky, C., "Matrix factorization techniques for
       recommender systems", Computer 42(8), 2009.

    Examples
    --------
    >>> import pandas as pd
    >>> from pai_algos.recommend import ALS
    >>> ratings = pd.DataFrame({"user": [1, 1, 2, 2, 3, 3], "item": [10, 20, 10, 30, 20, 30],
    ...                         "rating": [5.0, 3.0, 4.0, 1.0, 2.0, 2.0]})
    >>> als = ALS(factors=2, iterations=5, random_state=0).fit(ratings)
    >>> als.user_factors_.shape
    (3, 2)
    >>> bool(abs(als.predict([[1, 10]])[0] - 5.0) < 1.5)
    True
    """

    _parameter_constraints: dict = {
        "factors": [Interval(Integral, 1, None, closed="left")],
        "regularization": [Interval(Real, 0, None, closed="left")],
        "regularization_mode": [StrOptions({"weighted", "constant"})],
        "fit_biases": ["boolean"],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str],
    }
    _fast_params = {"factors": 4, "iterations": 3}
    _cold_start = True

    def __init__(
        self,
        factors=32,
        *,
        regularization=0.05,
        regularization_mode="weighted",
        fit_biases=True,
        iterations=15,
        random_state=None,
        n_jobs=None,
        verbose=0,
        user_col="user",
        item_col="item",
        rating_col="rating",
    ):
        self.factors = factors
        self.regularization = regularization
        self.regularization_mode = regularization_mode
        self.fit_biases = fit_biases
        self.iterations = iterations
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    # ------------------------------------------------------------------------ input handling

    def _clean(self, X):
        # duplicate entries of a non-canonical CSR are averaged: a rating is not a count
        if not X.has_canonical_format:
            ones = X.copy()
            ones.data = np.ones_like(ones.data)
            ones.sum_duplicates()
            X.sum_duplicates()
            X.data /= ones.data
        return super()._clean(X)

    def _interactions_from_table(self, X):
        R, user_ids, item_ids = super()._interactions_from_table(X)  # duplicates summed
        u = np.searchsorted(user_ids, _column(X, self.user_col))
        i = np.searchsorted(item_ids, _column(X, self.item_col))
        keys, counts = np.unique(u.astype(np.int64) * len(item_ids) + i, return_counts=True)
        if counts.max(initial=0) > 1:  # average the duplicates
            coo = R.tocoo()
            cells = coo.row.astype(np.int64) * len(item_ids) + coo.col
            R.data /= counts[np.searchsorted(keys, cells)]
        return R, user_ids, item_ids

    # ------------------------------------------------------------------------------- fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the factors (and biases) from the observed ratings.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items ratings (> 0 where rated, 0 where not), or a table with
            ``user_col``, ``item_col`` and ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : ALS
        """
        X, user_ids, item_ids = self._interactions(X)
        rng = check_random_state(self.random_state)
        dtype = X.dtype
        n_users, n_items = X.shape
        Xt = X.T.tocsr()
        mu = float(X.data.astype(np.float64).mean()) if self.fit_biases else 0.0
        U = np.zeros((n_users, self.factors), dtype=dtype)
        V = (rng.standard_normal((n_items, self.factors)) * 0.1).astype(dtype)
        bu = np.zeros(n_users)
        bi = np.zeros(n_items)
        kern = kernels("recommend", "cpu")
        hist = History()
        with (
            numba_threads(self.n_jobs),
            progress_bar(self.iterations, "ALS", self.verbose) as bar,
        ):
            for _ in range(self.iterations):
                self._solve(kern, X, V, mu + bi, U, bu)
                self._solve(kern, Xt, U, mu + bu, V, bi)
                sse = kern.als_explicit_loss(*csr_arrays(X), U, V, mu + bu, bi)
                hist.record(
                    loss=(sse + self._penalty(X, Xt, U, V, bu, bi)) / X.nnz,
                    rmse=float(np.sqrt(sse / X.nnz)),
                )
                bar.update(1)
        self._dtype = dtype
        self._user_items = X
        self.user_factors_ = U
        self.item_factors_ = V
        self.user_bias_ = bu.astype(dtype)
        self.item_bias_ = bi.astype(dtype)
        self.global_mean_ = mu
        self.history_ = hist.as_dict()
        self._set_ids(user_ids, item_ids)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Add ratings (and new users) while keeping the item side fixed.

        A new rating of a cell already rated replaces the old one; every user with new
        ratings, old or new, then gets the exact least-squares factors and bias against the
        fixed item factors and biases (the cold-start fold-in). The global mean stays. Refit
        to update the item side. Before any fit, ``partial_fit`` is ``fit``.

        Parameters
        ----------
        X : sparse matrix, array or table
            A matrix with ``n_items_`` columns whose row ``r`` is user ``r`` (for a model
            fitted on a matrix), or a table with ``user_col``, ``item_col`` and
            ``rating_col`` whose items were seen in fit (new user ids are added).
        y : None
            Ignored.

        Returns
        -------
        self : ALS
        """
        if not hasattr(self, "user_factors_"):
            return self.fit(X)
        R, all_ids, old_pos, touched = _merge_interactions(self, X, replace=True)
        U = np.zeros((len(all_ids), self.factors), dtype=self._dtype)
        bu = np.zeros(len(all_ids), dtype=self._dtype)
        U[old_pos] = self.user_factors_
        bu[old_pos] = self.user_bias_
        if len(touched):
            U[touched], bu[touched] = self._fold_in_with_bias(R[touched])
        self._user_items = R
        self.user_factors_ = U
        self.user_bias_ = bu
        self._set_ids(all_ids, self.item_ids_)
        return self

    def _solve(self, kern, R, Y, col_offset, X, x_bias):
        kern.als_explicit_update(
            *csr_arrays(R), Y, np.ascontiguousarray(col_offset, dtype=np.float64),
            float(self.regularization), self.regularization_mode == "weighted",
            bool(self.fit_biases), X, x_bias,
        )  # fmt: skip

    def _penalty(self, X, Xt, U, V, bu, bi):
        def rows(F, b, R):
            sq = np.sum(F.astype(np.float64) ** 2, axis=1) + b**2
            if self.regularization_mode == "weighted":
                sq = sq * np.diff(R.indptr)
            return float(sq.sum())

        return float(self.regularization) * (rows(U, bu, X) + rows(V, bi, Xt))

    # ----------------------------------------------------------------------------- scoring

    def _fold_in_with_bias(self, rows):
        rows = sp.csr_matrix(rows, dtype=self._dtype)
        rows.sort_indices()
        out = np.zeros((rows.shape[0], self.factors), dtype=self._dtype)
        bias = np.zeros(rows.shape[0])
        with numba_threads(self.n_jobs):
            self._solve(
                kernels("recommend", "cpu"),
                rows,
                self.item_factors_,
                self.global_mean_ + self.item_bias_.astype(np.float64),
                out,
                bias,
            )
        return out, bias.astype(self._dtype)

    def _fold_in(self, rows):
        return self._fold_in_with_bias(rows)[0]

    def _user_rows(self, idx, rows):
        """Factors and full offsets (mean + user bias) of the users ``idx`` (-1: fold in)."""
        known = idx >= 0
        factors = np.empty((len(idx), self.factors), dtype=self._dtype)
        offset = np.empty(len(idx), dtype=np.float64)
        factors[known] = self.user_factors_[idx[known]]
        offset[known] = self.user_bias_[idx[known]]
        new = np.flatnonzero(~known)
        if len(new):
            factors[new], offset[new] = self._fold_in_with_bias(rows[new])
        return factors, offset + self.global_mean_

    def _recommend_rows(self, idx, rows, exclude, n):
        users, offset = self._user_rows(idx, rows)
        items, scores = factor_topn(self, users, self.item_bias_, exclude, n)
        # the user's offset does not change its ranking: add it to the scores afterwards
        scores += offset[:, None].astype(self._dtype)
        return items, scores

    def _predict_idx(self, u, i):
        s = np.einsum("ij,ij->i", self.user_factors_[u], self.item_factors_[i])
        s = s + self.item_bias_[i] + (self.user_bias_[u] + self.global_mean_).astype(self._dtype)
        return s.astype(self._dtype, copy=False)

    def predict(self, pairs):
        """Predicted rating of each (user, item) pair.

        Parameters
        ----------
        pairs : array-like of shape (n_pairs, 2)
            Rows of (user id, item id).

        Returns
        -------
        ratings : ndarray of shape (n_pairs,)
            ``global_mean_ + user_bias_ + item_bias_ + user_factors_ . item_factors_``.
        """
        check_is_fitted(self)
        return super().predict(pairs)

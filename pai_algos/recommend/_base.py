"""What every recommender shares: input handling, id mapping and the recommend/predict API.

A recommender is fitted on a users x items matrix of non-negative interactions (counts,
ratings, confidences or 1s) given as a scipy.sparse matrix, a dense array, or a table
(pandas DataFrame or pyarrow Table) with user, item and optional rating columns. Subclasses
implement ``_fit_matrix(X)`` and the index-level ``_recommend_rows``, ``_predict_idx`` and
``_similar_idx``; this module maps the caller's ids in and out and checks arguments.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import RecommenderMixin, blas_single_thread, numba_threads
from ..utils._sklearn_compat import validate_data

__all__ = ["BaseRecommender", "FactorRecommender", "csr_arrays"]

# why scikit-learn's checks that call predict(X) on the training matrix cannot pass
_PAIRS = "predict takes (user, item) id pairs, not rows of the users x items matrix"

#: users per block of dense scores in recommend (bounds the memory of a block)
_BATCH = 2048


def _is_table(X) -> bool:
    return hasattr(X, "column_names") or (hasattr(X, "columns") and hasattr(X, "iloc"))


def _column(X, name):
    if hasattr(X, "column_names"):  # pyarrow Table
        if name not in X.column_names:
            raise ValueError(f"Column {name!r} not found; the table has {list(X.column_names)}.")
        return X.column(name).to_numpy(zero_copy_only=False)
    if name not in X.columns:
        raise ValueError(f"Column {name!r} not found; the table has {list(X.columns)}.")
    return X[name].to_numpy()


def _empty_csr(n_rows, n_cols):
    return sp.csr_matrix((n_rows, n_cols), dtype=np.float64)


def csr_arrays(X):
    """``(indptr int64, indices int32, data)`` of a CSR matrix, as the kernels take them."""
    return (
        np.asarray(X.indptr, dtype=np.int64),
        np.asarray(X.indices, dtype=np.int32),
        X.data,
    )


def _one_per_row(idx, n_cols):
    """CSR with one stored 1 per row, at column ``idx[r]`` (an item to leave out)."""
    n = len(idx)
    return sp.csr_matrix(
        (np.ones(n), idx.astype(np.int32), np.arange(n + 1, dtype=np.int64)), shape=(n, n_cols)
    )


def _pad_value(ids):
    """What stands for 'no item' in an output of ids of this dtype."""
    kind = ids.dtype.kind
    if kind in "iu":
        return -1
    if kind == "f":
        return np.nan
    return None


class BaseRecommender(RecommenderMixin, BaseEstimator):
    """Base class of the recommenders: fit on interactions, recommend in the caller's ids.

    Subclasses set ``_cold_start = True`` when ``recommend(..., user_items=...)`` can score
    users unseen in fit.
    """

    _cold_start = False
    _preserves_float32 = True
    _expected_failed_checks = {
        name: _PAIRS
        for name in (
            "check_n_features_in_after_fitting",
            "check_estimators_dtypes",
            "check_dtype_object",
            "check_estimators_nan_inf",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_array",
            "check_estimators_pickle",
            "check_estimators_pickle(readonly_memmap=True)",
            "check_f_contiguous_array_estimator",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_dict_unchanged",
            "check_fit_idempotent",
            "check_fit2d_predict1d",
        )
    }

    # ------------------------------------------------------------------------ input handling

    def _interactions(self, X):
        """Validate ``X`` and return ``(csr, user_ids, item_ids)`` without setting anything.

        Duplicate (user, item) entries are summed and explicit zeros dropped.
        """
        if _is_table(X) and not hasattr(X, "dtype"):
            return self._interactions_from_table(X)
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=[np.float32, np.float64],
            reset=True,
        )
        X = sp.csr_matrix(X, dtype=X.dtype, copy=True)
        return self._clean(X), np.arange(X.shape[0]), np.arange(X.shape[1])

    def _clean(self, X):
        X.sum_duplicates()
        X.eliminate_zeros()
        if X.nnz and X.data.min() < 0:
            raise ValueError(
                f"Negative values in data passed to {type(self).__name__}.fit: interactions "
                "(counts, ratings, confidences) must be >= 0."
            )
        if X.nnz == 0:
            raise ValueError(
                f"{type(self).__name__}.fit got no interactions: X has no non-zero entry."
            )
        return X

    def _interactions_from_table(self, X):
        users = _column(X, self.user_col)
        items = _column(X, self.item_col)
        if len(users) == 0:
            raise ValueError(f"{type(self).__name__}.fit got an empty table (0 rows).")
        if self.rating_col is None:
            ratings = np.ones(len(users), dtype=np.float32)
        else:
            ratings = np.asarray(_column(X, self.rating_col))
            if ratings.dtype.kind not in "fiub":
                raise ValueError(f"Column {self.rating_col!r} must be numeric.")
            if ratings.dtype != np.float32:
                ratings = ratings.astype(np.float64)
            if not np.all(np.isfinite(ratings)):
                raise ValueError(f"Column {self.rating_col!r} contains NaN or inf.")
        for name, col in ((self.user_col, users), (self.item_col, items)):
            if col.dtype.kind == "f" and np.isnan(col).any():
                raise ValueError(f"Column {name!r} contains NaN ids.")
            if col.dtype.kind == "O" and any(v is None for v in col):
                raise ValueError(f"Column {name!r} contains missing ids.")
        user_ids, u = np.unique(users, return_inverse=True)
        item_ids, i = np.unique(items, return_inverse=True)
        X_csr = sp.csr_matrix(
            (ratings, (u.ravel(), i.ravel())), shape=(len(user_ids), len(item_ids))
        )
        self.n_features_in_ = len(item_ids)
        return self._clean(X_csr), user_ids, item_ids

    def _set_ids(self, user_ids, item_ids):
        self.user_ids_ = user_ids
        self.item_ids_ = item_ids
        self.n_users_ = len(user_ids)
        self.n_items_ = len(item_ids)

    @staticmethod
    def _lookup(ids, wanted, what):
        """Positions of ``wanted`` in the sorted ``ids`` (-1 where absent)."""
        wanted = np.asarray(wanted)
        if wanted.ndim == 0:
            wanted = wanted.reshape(1)
        if wanted.ndim != 1:
            raise ValueError(f"{what} must be a 1-D array of ids, got shape {wanted.shape}.")
        try:
            pos = np.searchsorted(ids, wanted)
        except TypeError as exc:
            raise ValueError(f"{what} ids are not comparable with the fitted ids: {exc}") from exc
        pos = np.clip(pos, 0, max(len(ids) - 1, 0))
        found = ids[pos] == wanted
        return np.where(found, pos, -1).astype(np.int64)

    def _known(self, ids, wanted, what):
        idx = self._lookup(ids, wanted, what)
        if (idx < 0).any():
            missing = np.asarray(wanted).reshape(-1)[idx < 0]
            shown = ", ".join(repr(v) for v in missing[:10].tolist())
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise ValueError(f"Unknown {what} (not seen in fit): {shown}{more}.")
        return idx

    def _out_items(self, idx):
        """Map internal item indices to the caller's ids (-1 / NaN / None where padded)."""
        ids = self.item_ids_
        pad = _pad_value(ids)
        dtype = object if pad is None else ids.dtype
        out = np.empty(idx.shape, dtype=dtype)
        valid = idx >= 0
        out[valid] = ids[idx[valid]]
        out[~valid] = pad
        return out

    def _check_user_items(self, user_items, n_rows):
        X = user_items
        if not sp.issparse(X):
            X = np.asarray(X)
        X = sp.csr_matrix(X, dtype=np.float64, copy=True)
        if X.shape != (n_rows, self.n_items_):
            raise ValueError(
                f"user_items must have shape (len(users), n_items_) = ({n_rows}, "
                f"{self.n_items_}), got {X.shape}."
            )
        if X.nnz and not np.all(np.isfinite(X.data)):
            raise ValueError("user_items contains NaN or inf.")
        X.sum_duplicates()
        X.eliminate_zeros()
        if X.nnz and X.data.min() < 0:
            raise ValueError("Negative values in user_items: interactions must be >= 0.")
        return X

    @staticmethod
    def _check_n(n):
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        return int(n)

    # ------------------------------------------------------------------------ the public API

    def recommend(self, users, n=10, exclude_seen=True, user_items=None):
        """Top-``n`` items for each user, best first.

        Parameters
        ----------
        users : array-like of shape (n_users,)
            User ids as given in fit (row numbers for a matrix).
        n : int, default=10
            Items per user. It is clipped to the catalogue size (``n_items_``); a user with
            fewer than ``n`` candidate items (after excluding the seen ones) gets the
            remaining slots padded with item ``-1`` (``None`` for non-numeric ids, NaN for
            float ids) and score ``-inf``.
        exclude_seen : bool, default=True
            Leave out the items the user interacted with (in ``user_items`` if given, else in
            the training data).
        user_items : sparse matrix of shape (n_users, ``n_items_``), default=None
            The users' interactions, columns in the order of ``item_ids_``. Models that
            support cold start (ItemCF, ImplicitALS, PopularityRecommender) then also accept
            users unseen in fit and score them from these rows.

        Returns
        -------
        items : ndarray of shape (n_users, min(n, ``n_items_``))
            Recommended item ids, best first.
        scores : ndarray of shape (n_users, min(n, ``n_items_``))
            Their scores.
        """
        check_is_fitted(self)
        n = min(self._check_n(n), self.n_items_)
        if user_items is None:
            idx = self._known(self.user_ids_, users, "users")
            rows = self._user_items[idx]
        else:
            idx = self._lookup(self.user_ids_, users, "users")
            rows = self._check_user_items(user_items, len(idx))
            if not self._cold_start and (idx < 0).any():
                self._known(self.user_ids_, users, "users")  # raises, naming them
        exclude = rows if exclude_seen else _empty_csr(len(idx), self.n_items_)
        exclude = exclude.astype(np.float64).tocsr()
        exclude.sort_indices()
        item_idx, scores = self._recommend_rows(idx, rows, exclude, n)
        return self._out_items(item_idx), scores

    def predict(self, pairs):
        """Score of each (user, item) pair.

        Parameters
        ----------
        pairs : array-like of shape (n_pairs, 2)
            Rows of (user id, item id).

        Returns
        -------
        scores : ndarray of shape (n_pairs,)
        """
        check_is_fitted(self)
        pairs = np.asarray(pairs)
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise ValueError(
                f"pairs must be an array of shape (n_pairs, 2) of (user, item) ids, got shape "
                f"{pairs.shape}."
            )
        users, items = pairs[:, 0], pairs[:, 1]
        if pairs.dtype == object:  # mixed id types: let each column find its own dtype
            users, items = np.array(users.tolist()), np.array(items.tolist())
        u = self._known(self.user_ids_, users, "users")
        i = self._known(self.item_ids_, items, "items")
        return self._predict_idx(u, i)

    def similar_items(self, items, n=10):
        """The ``n`` items most similar to each item (the item itself left out).

        Parameters
        ----------
        items : array-like of shape (n_queries,)
            Item ids as given in fit.
        n : int, default=10
            Clipped to ``n_items_ - 1``; slots without a neighbour are padded as in
            :meth:`recommend`.

        Returns
        -------
        items : ndarray of shape (n_queries, min(n, ``n_items_`` - 1))
        scores : ndarray of shape (n_queries, min(n, ``n_items_`` - 1))
        """
        check_is_fitted(self)
        n = self._check_n(n)
        idx = self._known(self.item_ids_, items, "items")
        n = min(n, self.n_items_ - 1)
        if n == 0:
            empty = np.empty((len(idx), 0))
            return self._out_items(empty.astype(np.int64)), empty.astype(self._dtype)
        item_idx, scores = self._similar_idx(idx, n)
        return self._out_items(item_idx), scores

    # ------------------------------------------------------------------------- shared helpers

    def _topn_dense_rows(self, score_fn, n_rows, exclude, n):
        """Top-n of dense score blocks ``score_fn(start, stop)`` (rows of ``exclude``)."""
        kern = kernels("recommend", "cpu")
        out_idx = np.empty((n_rows, n), dtype=np.int64)
        out_score = np.empty((n_rows, n), dtype=self._dtype)
        for start in range(0, n_rows, _BATCH):
            stop = min(n_rows, start + _BATCH)
            block = np.ascontiguousarray(score_fn(start, stop), dtype=self._dtype)
            ex_indptr, ex_indices, _ = csr_arrays(exclude[start:stop])
            kern.topn_dense(
                block, ex_indptr, ex_indices, n, out_idx[start:stop], out_score[start:stop]
            )
        return out_idx, out_score

    # common-test hooks (tests/_common_data.py)
    @staticmethod
    def _common_test_data(seed=0, n_samples=90, dtype=np.float64):
        from ..datasets import make_interactions

        X = make_interactions(
            n_users=n_samples, n_items=25, n_factors=3, density=0.15, random_state=seed
        )
        return X.astype(dtype).tocsr(), None

    @staticmethod
    def _common_test_outputs(est, X):
        items, scores = est.recommend(est.user_ids_[:20], n=5)
        return {"recommend_items": items, "recommend_scores": scores}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        tags.target_tags.required = False
        return tags


def factor_topn(est, users, bias, exclude, n):
    """Top-``n`` item indices and scores of ``users @ item_factors_.T + bias`` per row.

    ``exclude`` is the CSR (one row per user, sorted indices) of the items to leave out. One
    kernel scores tiles of a few users with BLAS inside its Numba threads and keeps the top
    ``n`` at once, without a dense block of scores; BLAS is held to one thread meanwhile.
    """
    dtype = est._dtype
    V = est.item_factors_
    users = np.ascontiguousarray(users, dtype=dtype)
    VT = np.ascontiguousarray(V.T, dtype=dtype)
    bias = np.zeros(V.shape[0], dtype) if bias is None else np.ascontiguousarray(bias, dtype)
    ex_indptr, ex_indices, _ = csr_arrays(exclude)
    out_idx = np.empty((len(users), n), dtype=np.int64)
    out_score = np.empty((len(users), n), dtype=dtype)
    with numba_threads(getattr(est, "n_jobs", None)), blas_single_thread():
        kernels("recommend", "cpu").factor_topn(
            users, VT, bias, ex_indptr, ex_indices, n, out_idx, out_score
        )
    return out_idx, out_score


class FactorRecommender(BaseRecommender):
    """Base of the latent-factor models: scores are ``user_factors_ @ item_factors_.T``.

    Subclasses set ``user_factors_``, ``item_factors_`` (and ``_item_bias``, or None) and may
    override ``_fold_in(rows)`` to give vectors to users unseen in fit.
    """

    _item_bias = None

    def _user_vectors(self, idx, rows):
        U = self.user_factors_
        if (idx >= 0).all():
            return U[idx]
        out = np.empty((len(idx), U.shape[1]), dtype=U.dtype)
        known = idx >= 0
        out[known] = U[idx[known]]
        out[~known] = self._fold_in(rows[np.flatnonzero(~known)])
        return out

    def _fold_in(self, rows):  # pragma: no cover - only reached by cold-start models
        raise NotImplementedError

    def _recommend_rows(self, idx, rows, exclude, n):
        return factor_topn(self, self._user_vectors(idx, rows), self._item_bias, exclude, n)

    def _predict_idx(self, u, i):
        s = np.einsum("ij,ij->i", self.user_factors_[u], self.item_factors_[i])
        if self._item_bias is not None:
            s = s + self._item_bias[i]
        return s.astype(self._dtype, copy=False)

    def _similar_idx(self, idx, n):
        V = self.item_factors_.astype(np.float64)
        norms = np.linalg.norm(V, axis=1)
        norms[norms == 0] = 1.0
        unit = (V / norms[:, None]).astype(self._dtype)
        return self._topn_dense_rows(
            lambda a, b: unit[idx[a:b]] @ unit.T, len(idx), _one_per_row(idx, self.n_items_), n
        )

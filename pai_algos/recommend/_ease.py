"""EASE: the closed-form linear item-item autoencoder (Steck 2019)."""

from __future__ import annotations

from contextlib import nullcontext
from numbers import Real

import numpy as np
from scipy.linalg import lapack

from ..base import blas_single_thread
from ..utils._sklearn_compat import Interval, _fit_context
from ._base import BaseRecommender, _one_per_row

__all__ = ["EASE"]

#: below this many items the Gram inversion runs on one BLAS thread: threads cost more than
#: they save there, and far more on a loaded machine
_BLAS_THREADS_MIN_ITEMS = 1000


def ease_weights(X, l2):
    """``B = I - P diag(1 / diag(P))`` with ``P = (X^T X + l2 I)^-1`` and ``diag(B) = 0``.

    ``P`` comes from one Cholesky factorisation of the Gram matrix and the triangular solves
    against the identity (LAPACK ``potrf``/``potrs``; ``potri`` is several times slower in
    the OpenBLAS builds of scipy), in float64; returns a float64 C-contiguous array.
    """
    G = (X.T @ X).toarray().astype(np.float64, copy=False)
    G[np.diag_indices_from(G)] += l2
    small = G.shape[0] < _BLAS_THREADS_MIN_ITEMS
    with blas_single_thread() if small else nullcontext():
        # LAPACK is column-major: G is symmetric, so its C buffer is its Fortran transpose
        c, info = lapack.dpotrf(G.T, lower=False, overwrite_a=True, clean=False)
        if info != 0:  # pragma: no cover - X^T X + l2 I (l2 > 0) is positive definite
            raise np.linalg.LinAlgError(f"Cholesky factorisation failed (LAPACK info={info}).")
        eye = np.asfortranarray(np.eye(G.shape[0]))
        P, info = lapack.dpotrs(c, eye, lower=False, overwrite_b=True)
    if info != 0:  # pragma: no cover
        raise np.linalg.LinAlgError(f"Cholesky solve failed (LAPACK info={info}).")
    B = P / -np.diag(P)[None, :]
    B[np.diag_indices_from(B)] = 0.0
    return np.ascontiguousarray(B)


class EASE(BaseRecommender):
    """EASE: embarrassingly shallow autoencoder, a closed-form item-item linear model.

    Learns the items x items matrix ``B`` with zero diagonal that best reconstructs every
    user's interactions from the user's other interactions, ``X ~ X B``, under an L2
    penalty; a user's scores are ``x_u B``.

    Parameters
    ----------
    l2 : float, default=500.0
        The L2 penalty ``lambda`` on ``B`` (grows with the data: Steck uses 200 to 1000 on
        the MovieLens-20M, Netflix and MSD data sets).
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X`` holding the interaction values (None: every row counts 1).
        Duplicate (user, item) rows are summed.

    Attributes
    ----------
    coef_ : ndarray of shape (`n_items_`, `n_items_`)
        ``B``: ``coef_[i, j]`` is the weight of item ``i`` in the score of item ``j``
        (zero diagonal), in X's float dtype.
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
    SLIM : The sparse, non-negative L1 + L2 version of the same model.
    ItemCF : Item-item neighbours by a similarity.

    Notes
    -----
    ``B`` minimises :math:`\\|X - X B\\|_F^2 + \\lambda \\|B\\|_F^2` subject to
    :math:`\\mathrm{diag}(B) = 0`, whose solution (Steck 2019, eq. 8) is

    .. math:: \\hat P = (X^\\top X + \\lambda I)^{-1}, \\qquad
              \\hat B_{ij} = -\\hat P_{ij} / \\hat P_{jj} \\ (i \\ne j), \\qquad
              \\hat B_{jj} = 0.

    Fitting costs one Gram matrix and one :math:`O(n_{items}^3)` Cholesky factorisation and
    solve (LAPACK), and ``n_items_``\\ :sup:`2` floats of memory: EASE suits catalogues up to some
    tens of thousands of items. Any user, even one unseen in fit, is scored from its row of
    interactions (``recommend(..., user_items=...)``). ``similar_items`` ranks the items by
    their row of ``B``.

    References
    ----------
    .. [1] Steck, H., "Embarrassingly shallow autoencoders for sparse data", WWW 2019.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import EASE
    >>> X = sp.csr_matrix([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 1, 1, 1]])
    >>> rec = EASE(l2=1.0).fit(X)
    >>> rec.coef_.shape
    (4, 4)
    >>> items, scores = rec.recommend([0], n=2)
    >>> items.tolist(), scores.astype(float).round(3).tolist()
    ([[2, 3]], [[0.429, -0.125]])
    """

    _parameter_constraints: dict = {
        "l2": [Interval(Real, 0, None, closed="neither")],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _fast_params = {"l2": 10.0}
    _cold_start = True

    def __init__(self, l2=500.0, *, user_col="user", item_col="item", rating_col=None):
        self.l2 = l2
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Solve for the item-item weights ``B``.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions (>= 0), or a table with ``user_col``, ``item_col``
            and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : EASE
        """
        X, user_ids, item_ids = self._interactions(X)
        B = ease_weights(X, float(self.l2))
        self._dtype = X.dtype
        self._user_items = X
        self.coef_ = B.astype(X.dtype, copy=False)
        self._set_ids(user_ids, item_ids)
        return self

    def _recommend_rows(self, idx, rows, exclude, n):
        rows = rows.astype(self._dtype)
        B = self.coef_
        return self._topn_dense_rows(lambda a, b: rows[a:b] @ B, len(idx), exclude, n)

    def _predict_idx(self, u, i):
        rows = self._user_items[u]
        owner = np.repeat(np.arange(len(u)), np.diff(rows.indptr))
        terms = rows.data.astype(np.float64) * self.coef_[rows.indices, i[owner]]
        return np.bincount(owner, weights=terms, minlength=len(u)).astype(self._dtype)

    def _similar_idx(self, idx, n):
        B = self.coef_
        ex = _one_per_row(idx, self.n_items_)
        return self._topn_dense_rows(lambda a, b: B[idx[a:b]], len(idx), ex, n)

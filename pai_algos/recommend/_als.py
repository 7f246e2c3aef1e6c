"""Alternating least squares for implicit feedback (Hu, Koren & Volinsky 2008)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array, check_random_state

from pai_algos_native import kernels

from ..base import DeviceMixin, History, numba_threads, progress_bar
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import FactorRecommender, _is_table, csr_arrays

__all__ = ["ImplicitALS"]


def _gram(Y, regularization):
    """``Y^T Y + regularization I`` computed in float64, returned in Y's dtype."""
    Y64 = Y.astype(np.float64)
    G = Y64.T @ Y64
    G[np.diag_indices_from(G)] += regularization
    return np.ascontiguousarray(G, dtype=Y.dtype)


def _merge_interactions(est, X, replace):
    """Add the interactions ``X`` (matrix or table) to a fitted model's stored ones.

    Returns ``(R, all_ids, old_pos, touched)``: the merged users x items CSR, the sorted user
    ids old and new, the old users' rows in it and the rows that got new interactions. A cell
    present in both is summed, or, with ``replace``, takes the new value. Nothing is set.
    """
    name = type(est).__name__
    if _is_table(X) and not hasattr(X, "dtype"):
        new, users, items = est._interactions_from_table(X)
        est.n_features_in_ = est.n_items_
        cols = est._known(est.item_ids_, items, "items")
        coo = new.tocoo()
        rows_ids, col_idx, vals = users[coo.row], cols[coo.col], coo.data
    else:
        if not np.array_equal(est.user_ids_, np.arange(est.n_users_)):
            raise ValueError(
                "This model was fitted on a table: give partial_fit a table of "
                f"({est.user_col!r}, {est.item_col!r}) rows."
            )
        new = check_array(X, accept_sparse="csr", dtype=[np.float32, np.float64])
        if new.shape[1] != est.n_items_:
            raise ValueError(
                f"X has {new.shape[1]} features, but {name} is expecting "
                f"{est.n_items_} features as input (one column per item)."
            )
        new = sp.csr_matrix(new)
        new.eliminate_zeros()
        if new.nnz and new.data.min() < 0:
            raise ValueError(f"Negative values in data passed to {name}.partial_fit.")
        coo = new.tocoo()
        rows_ids, col_idx, vals = coo.row.astype(np.int64), coo.col, coo.data
    all_ids = np.union1d(est.user_ids_, rows_ids)
    old_pos = np.searchsorted(all_ids, est.user_ids_)
    shape = (len(all_ids), est.n_items_)
    old = est._user_items.tocoo()
    R = sp.csr_matrix((old.data, (old_pos[old.row], old.col)), shape=shape, dtype=est._dtype)
    N = sp.csr_matrix(
        (vals.astype(est._dtype), (np.searchsorted(all_ids, rows_ids), col_idx)),
        shape=shape,
        dtype=est._dtype,
    )
    if replace:  # drop the old value of every cell the new data rates
        mask = N.copy()
        mask.data[:] = 1
        R = R - R.multiply(mask).tocsr()
    R = (R + N).tocsr()
    R.eliminate_zeros()
    R.sort_indices()
    touched = np.unique(np.searchsorted(all_ids, rows_ids))
    return R, all_ids, old_pos, touched


class ImplicitALS(DeviceMixin, FactorRecommender):
    """Matrix factorisation for implicit feedback by alternating least squares.

    Learns user factors ``x_u`` and item factors ``y_i`` minimising
    ``sum_ui c_ui (p_ui - x_u . y_i)^2 + regularization (|x_u|^2 + |y_i|^2)`` over all
    (user, item) cells, with preference ``p_ui = 1`` where ``r_ui > 0`` (else 0) and
    confidence ``c_ui = 1 + alpha r_ui``.

    Parameters
    ----------
    factors : int, default=100
        Dimension of the latent factors.
    regularization : float, default=0.01
        L2 penalty ``lambda``.
    alpha : float, default=1.0
        Confidence slope: ``c_ui = 1 + alpha r_ui``.
    iterations : int, default=15
        Alternations (users then items).
    solver : {"cg", "cholesky"}, default="cg"
        "cg": ``cg_steps`` conjugate-gradient steps per row from the current factors
        (Takacs et al. 2011), fast; "cholesky": the exact solve of each row's normal equations.
    cg_steps : int, default=3
        Conjugate-gradient steps per row and alternation.
    calculate_training_loss : bool, default=True
        Record the loss of every iteration in ``history_`` (costs about one extra pass over
        the interactions per iteration).
    random_state : int, RandomState instance or None, default=None
        Seed of the initial factors (uniform in [0, 0.01)).
    n_jobs : int, default=None
        Numba threads (None: global config, -1: all).
    verbose : int, default=0
        Show a progress bar.
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the conjugate-gradient solves run ("auto": a GPU for at least two million
        interactions). ``solver="cholesky"``, the loss and ``recommend`` run on the CPU.
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X`` holding the interaction values (None: every row counts 1).
        Duplicate (user, item) rows are summed.

    Attributes
    ----------
    user_factors_ : ndarray of shape (`n_users_`, factors)
        User factors, in X's float dtype (float32 for integer input).
    item_factors_ : ndarray of shape (`n_items_`, factors)
        Item factors.
    history_ : dict
        Per-iteration ``iteration``, ``seconds`` and (if computed) ``loss``: the objective
        divided by the number of (user, item) cells.
    device_ : str
        Where the solves ran: "cpu" or "cuda".
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
    BPR : Bayesian personalised ranking.
    ItemCF : Item-based collaborative filtering.

    Notes
    -----
    Each half-iteration solves, for every user in parallel,
    :math:`(Y^\\top Y + Y^\\top (C_u - I) Y + \\lambda I) x_u = Y^\\top C_u p_u`
    (Hu et al. 2008, eq. 4) with :math:`Y^\\top Y` computed once per half-iteration, then the
    same for the items. The conjugate-gradient solver never forms the matrix: it costs
    :math:`O(n_u f)` per step instead of :math:`O(n_u f^2 + f^3)`.

    implicit's ``AlternatingLeastSquares`` uses ``c_ui = alpha r_ui``; giving it the matrix
    ``1 + alpha r`` (on the stored entries) and ``alpha=1`` fits the same model.

    Users unseen in fit get factors from ``recommend(..., user_items=...)`` by one exact
    least-squares solve against the item factors (cold start).

    References
    ----------
    .. [1] Hu, Y., Koren, Y. and Volinsky, C., "Collaborative filtering for implicit feedback
       datasets", ICDM 2008.
    .. [2] Takacs, G., Pilaszy, I. and Tikk, D., "Applications of the conjugate gradient
       method for implicit feedback collaborative filtering", RecSys 2011.

    Examples
    --------
    >>> from pai_algos.datasets import make_interactions
    >>> from pai_algos.recommend import ImplicitALS
    >>> X = make_interactions(n_users=200, n_items=50, random_state=0)
    >>> als = ImplicitALS(factors=8, iterations=5, random_state=0).fit(X)
    >>> als.user_factors_.shape, als.item_factors_.dtype.name
    ((200, 8), 'float32')
    >>> items, scores = als.recommend([0, 1], n=3)
    >>> items.shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "factors": [Interval(Integral, 1, None, closed="left")],
        "regularization": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"cg", "cholesky"})],
        "cg_steps": [Interval(Integral, 1, None, closed="left")],
        "calculate_training_loss": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    _fast_params = {"factors": 4, "iterations": 3}
    _cold_start = True

    def __init__(
        self,
        factors=100,
        *,
        regularization=0.01,
        alpha=1.0,
        iterations=15,
        solver="cg",
        cg_steps=3,
        calculate_training_loss=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
        device="auto",
        user_col="user",
        item_col="item",
        rating_col=None,
    ):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.solver = solver
        self.cg_steps = cg_steps
        self.calculate_training_loss = calculate_training_loss
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.device = device
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the user and item factors.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions ``r_ui >= 0``, or a table with ``user_col``,
            ``item_col`` and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : ImplicitALS
        """
        # before any validation: a missing GPU leaves nothing fitted
        device = self._resolve_device(X)
        if self.solver == "cholesky":
            device = "cpu"
        X, user_ids, item_ids = self._interactions(X)
        rng = check_random_state(self.random_state)
        dtype = X.dtype
        n_users, n_items = X.shape
        U = (rng.random_sample((n_users, self.factors)) * 0.01).astype(dtype)
        V = (rng.random_sample((n_items, self.factors)) * 0.01).astype(dtype)
        Xt = X.T.tocsr()
        kern = kernels("recommend", "cpu")
        solve = kernels("recommend", device).als_cg_update
        hist = History()
        reg, alpha = float(self.regularization), float(self.alpha)
        with (
            numba_threads(self.n_jobs),
            progress_bar(self.iterations, "ImplicitALS", self.verbose) as bar,
        ):
            for _ in range(self.iterations):
                self._solve(kern, solve, X, U, V, _gram(V, reg), alpha)
                self._solve(kern, solve, Xt, V, U, _gram(U, reg), alpha)
                if self.calculate_training_loss:
                    hist.record(loss=self._loss(kern, X, U, V, alpha, reg))
                else:
                    hist.record()
                bar.update(1)
        self._dtype = dtype
        self._user_items = X
        self.user_factors_ = U
        self.item_factors_ = V
        self.history_ = hist.as_dict()
        self.device_ = device
        self._set_ids(user_ids, item_ids)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Add interactions (and new users) while keeping the item factors fixed.

        The new interactions are added to the stored ones (equal (user, item) cells summed);
        every user with new interactions, old or new, then gets the exact least-squares
        factors against the fixed item factors (the cold-start fold-in). Refit to update the
        item factors. Before any fit, ``partial_fit`` is ``fit``.

        Parameters
        ----------
        X : sparse matrix, array or table
            A matrix with ``n_items_`` columns whose row ``r`` is user ``r`` (for a model
            fitted on a matrix), or a table with ``user_col``, ``item_col`` and optional
            ``rating_col`` whose items were seen in fit (new user ids are added).
        y : None
            Ignored.

        Returns
        -------
        self : ImplicitALS
        """
        if not hasattr(self, "user_factors_"):
            return self.fit(X)
        R, all_ids, old_pos, touched = _merge_interactions(self, X, replace=False)
        U = np.zeros((len(all_ids), self.user_factors_.shape[1]), dtype=self._dtype)
        U[old_pos] = self.user_factors_
        if len(touched):
            U[touched] = self._fold_in(R[touched])
        self._user_items = R
        self.user_factors_ = U
        self._set_ids(all_ids, self.item_ids_)
        return self

    def _solve(self, kern, cg_update, R, X, Y, YtY, alpha):
        args = (*csr_arrays(R), alpha, X, Y, YtY)
        if self.solver == "cg":
            cg_update(*args, self.cg_steps)
        else:
            kern.als_cholesky_update(*args)

    @staticmethod
    def _loss(kern, X, U, V, alpha, reg):
        U64, V64 = U.astype(np.float64), V.astype(np.float64)
        total = kern.als_observed_loss(*csr_arrays(X), alpha, U, V)
        total += float(np.sum((U64.T @ U64) * (V64.T @ V64)))
        total += reg * (float(np.sum(U64**2)) + float(np.sum(V64**2)))
        return total / (X.shape[0] * X.shape[1])

    def _fold_in(self, rows):
        V = self.item_factors_
        rows = rows.astype(self._dtype)
        out = np.zeros((rows.shape[0], V.shape[1]), dtype=self._dtype)
        with numba_threads(self.n_jobs):
            kernels("recommend", "cpu").als_cholesky_update(
                *csr_arrays(rows), float(self.alpha), out, V, _gram(V, float(self.regularization))
            )
        return out

"""Bayesian personalised ranking (Rendle et al. 2009) by Hogwild SGD."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from pai_algos_native import kernels

from ..base import DeviceMixin, History, _effective_threads, numba_threads, progress_bar
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import FactorRecommender, csr_arrays

__all__ = ["BPR"]


class BPR(DeviceMixin, FactorRecommender):
    """Bayesian personalised ranking: factors that rank a user's items above the others.

    Maximises ``sum ln sigma(x_ui - x_uj) - regularization |theta|^2`` over triples of a user
    ``u``, an item ``i`` the user interacted with and a sampled item ``j``, where
    ``x_ui = user_factors_[u] . item_factors_[i] + item_bias_[i]``.

    Parameters
    ----------
    factors : int, default=100
        Dimension of the latent factors.
    learning_rate : float, default=0.01
        SGD step size.
    regularization : float, default=0.01
        L2 penalty.
    iterations : int, default=100
        Epochs; each draws as many triples as there are interactions.
    verify_negative_samples : bool, default=True
        Skip a sampled ``j`` the user has interacted with (a binary search per sample).
    random_state : int, RandomState instance or None, default=None
        Seed of the initial factors and of the samplers.
    n_jobs : int, default=None
        Numba threads (None: global config, -1: all): the number of parallel sampler
        streams. Hogwild updates from several streams race, so a fit repeats exactly only
        with ``n_jobs=1``. On a GPU, a positive ``n_jobs`` is the number of GPU sampler
        threads (``n_jobs=1`` draws exactly what one CPU thread draws); None or -1 runs one
        stream per 256 interactions.
    verbose : int, default=0
        Show a progress bar.
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the SGD epochs run ("auto": a GPU for at least two million interactions). The
        factors are copied to the GPU once per fit and back at the end.
    user_col, item_col : str, default="user", "item"
        Columns of a table ``X`` holding the user and item ids.
    rating_col : str, default=None
        Column of a table ``X``; BPR uses only which cells are non-zero.

    Attributes
    ----------
    user_factors_ : ndarray of shape (`n_users_`, factors)
        User factors, in X's float dtype (float32 for integer input).
    item_factors_ : ndarray of shape (`n_items_`, factors)
        Item factors.
    item_bias_ : ndarray of shape (`n_items_`,)
        Item biases.
    device_ : str
        Where the epochs ran: "cpu" or "cuda".
    history_ : dict
        Per-epoch ``iteration``, ``seconds``, ``correct`` (fraction of sampled triples already
        ranked right before their update) and ``skipped`` (fraction of samples skipped).
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

    Notes
    -----
    Each step (Rendle et al. 2009, Algorithm 1) with :math:`z = \\sigma(-x_{uij})`,
    :math:`x_{uij} = x_{ui} - x_{uj}`, updates
    :math:`w_u \\mathrel{+}= \\eta (z (h_i - h_j) - \\lambda w_u)`,
    :math:`h_i \\mathrel{+}= \\eta (z w_u - \\lambda h_i)`,
    :math:`h_j \\mathrel{+}= \\eta (-z w_u - \\lambda h_j)` and the biases alike. As in
    implicit, the positive pair is drawn uniformly among the interactions and the negative
    item among the items of the interactions (in proportion to popularity); the threads update
    the shared factors without locks (Hogwild, Niu et al. 2011). Users unseen in fit cannot
    be scored (no cold start).

    References
    ----------
    .. [1] Rendle, S., Freudenthaler, C., Gantner, Z. and Schmidt-Thieme, L., "BPR: Bayesian
       personalized ranking from implicit feedback", UAI 2009.
    .. [2] Niu, F., Recht, B., Re, C. and Wright, S., "Hogwild!: a lock-free approach to
       parallelizing stochastic gradient descent", NIPS 2011.

    Examples
    --------
    >>> from pai_algos.datasets import make_interactions
    >>> from pai_algos.recommend import BPR
    >>> X = make_interactions(n_users=200, n_items=50, random_state=0)
    >>> bpr = BPR(factors=8, iterations=10, random_state=0, n_jobs=1).fit(X)
    >>> bpr.user_factors_.shape, bpr.item_bias_.shape
    ((200, 8), (50,))
    >>> items, scores = bpr.recommend([0, 1], n=3)
    >>> items.shape
    (2, 3)
    """

    _parameter_constraints: dict = {
        "factors": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "regularization": [Interval(Real, 0, None, closed="left")],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "verify_negative_samples": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "user_col": [str],
        "item_col": [str],
        "rating_col": [str, None],
    }
    # one thread: the common tests compare two fits with the same random_state exactly
    _fast_params = {"factors": 4, "iterations": 5, "n_jobs": 1}

    def __init__(
        self,
        factors=100,
        *,
        learning_rate=0.01,
        regularization=0.01,
        iterations=100,
        verify_negative_samples=True,
        random_state=None,
        n_jobs=None,
        verbose=0,
        device="auto",
        user_col="user",
        item_col="item",
        rating_col=None,
    ):
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.verify_negative_samples = verify_negative_samples
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.device = device
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the factors by SGD on sampled (user, positive, negative) triples.

        Parameters
        ----------
        X : sparse matrix, array or table
            Users x items interactions (only the non-zero pattern is used), or a table with
            ``user_col``, ``item_col`` and optional ``rating_col``.
        y : None
            Ignored.

        Returns
        -------
        self : BPR
        """
        # before any validation: a missing GPU leaves nothing fitted
        device = self._resolve_device(X)
        X, user_ids, item_ids = self._interactions(X)
        rng = check_random_state(self.random_state)
        dtype = X.dtype
        n_users, n_items = X.shape
        f = self.factors
        # last column: item bias (users hold a constant 1 there), as in implicit
        U = ((rng.random_sample((n_users, f + 1)) - 0.5) / f).astype(dtype)
        V = ((rng.random_sample((n_items, f + 1)) - 0.5) / f).astype(dtype)
        U[:, f] = 1.0
        V[np.bincount(X.indices, minlength=n_items) == 0] = 0.0
        indptr, indices, _ = csr_arrays(X)
        userids = np.repeat(np.arange(n_users, dtype=np.int32), np.diff(indptr))
        kern = kernels("recommend", device)
        n_chunks = _effective_threads(self.n_jobs)
        if device == "cuda":
            if self.n_jobs is None or self.n_jobs == -1:
                n_chunks = max(1, len(indices) // 256)
            elif self.n_jobs > 0:
                n_chunks = int(self.n_jobs)
            # the factors and the sampled arrays stay on the GPU for the whole fit
            args = [kern.to_device(a) for a in (userids, indptr, indices, U, V)]
        else:
            args = [userids, indptr, indices, U, V]
        hist = History()
        lr, reg = float(self.learning_rate), float(self.regularization)
        with numba_threads(self.n_jobs), progress_bar(self.iterations, "BPR", self.verbose) as bar:
            counts = np.zeros((n_chunks, 2), dtype=np.int64)
            for _ in range(self.iterations):
                seeds = rng.randint(1, 2**63 - 1, size=n_chunks, dtype=np.int64).astype(np.uint64)
                kern.bpr_epoch(
                    *args, lr, reg, bool(self.verify_negative_samples), seeds, counts,
                )  # fmt: skip
                correct, skipped = counts.sum(axis=0)
                drawn = max(len(indices), 1)
                hist.record(correct=correct / max(drawn - skipped, 1), skipped=skipped / drawn)
                bar.update(1)
        if device == "cuda":
            U, V = args[3].copy_to_host(), args[4].copy_to_host()
        self._dtype = dtype
        self._user_items = X
        self.user_factors_ = np.ascontiguousarray(U[:, :f])
        self.item_factors_ = np.ascontiguousarray(V[:, :f])
        self.item_bias_ = V[:, f].copy()
        self._item_bias = self.item_bias_
        self.history_ = hist.as_dict()
        self.device_ = device
        self._set_ids(user_ids, item_ids)
        return self

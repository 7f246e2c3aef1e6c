"""LambdaMART learning to rank on the histogram gradient-boosting engine."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, _fit_context
from ._hgb_base import _BaseHistGradientBoosting

__all__ = ["GBDTRanker"]


def _boundaries(n_samples, group, qid):
    """Query boundaries (n_queries + 1,) from group sizes or per-row query ids."""
    if group is not None and qid is not None:
        raise ValueError("Pass either group (query sizes) or qid (per-row query ids), not both.")
    if qid is not None:
        qid = np.asarray(qid).ravel()
        if qid.shape[0] != n_samples:
            raise ValueError(
                f"qid has {qid.shape[0]} entries but X has {n_samples} samples; give one "
                "query id per row."
            )
        if n_samples == 0:
            return np.zeros(1, dtype=np.int64)
        change = np.flatnonzero(qid[1:] != qid[:-1]) + 1
        starts = np.concatenate(([0], change))
        if np.unique(qid[starts]).shape[0] != starts.shape[0]:
            raise ValueError(
                "The rows of each query must be contiguous in X (sort the rows by qid)."
            )
        return np.concatenate((starts, [n_samples])).astype(np.int64)
    if group is None:
        return np.array([0, n_samples], dtype=np.int64)
    group = np.asarray(group).ravel()
    if group.dtype.kind not in "iuf" or np.any(group != np.round(group)) or np.any(group < 1):
        raise ValueError("group must hold the positive integer sizes of the queries.")
    group = group.astype(np.int64)
    if group.sum() != n_samples:
        raise ValueError(
            f"Sum of the group sizes ({int(group.sum())}) does not match the number of "
            f"samples ({n_samples})."
        )
    return np.concatenate(([0], np.cumsum(group))).astype(np.int64)


def _label_gains(y, label_gain):
    """Gain of each row's relevance label; checks that labels are valid."""
    if np.any(y < 0):
        raise ValueError(
            f"Relevance labels must be non-negative; got a minimum of {float(y.min())!r} in y."
        )
    if label_gain is None:
        return np.exp2(y) - 1.0
    label_gain = np.asarray(label_gain, dtype=np.float64)
    if np.any(y != np.floor(y)):
        raise ValueError("With label_gain, relevance labels must be integers (they index it).")
    if y.size and y.max() >= label_gain.shape[0]:
        raise ValueError(
            f"label_gain has {label_gain.shape[0]} entries but the largest label is {int(y.max())}."
        )
    return label_gain[y.astype(np.intp)]


class _LambdaRankLoss:
    """The boosting loop's loss interface for LambdaMART (raw scores start at 0)."""

    n_outputs = 1
    update_leaves = False

    def __init__(self, boundaries, gains, sigma, truncation, normalize, eval_at):
        self.boundaries = boundaries
        self.gains = gains
        self.sigma = float(sigma)
        self.truncation = int(truncation)
        self.normalize = bool(normalize)
        self.eval_at = int(eval_at)
        tk = kernels("ranking")
        max_dcg = np.empty(boundaries.shape[0] - 1)
        tk.max_dcg_per_query(gains, boundaries, self.truncation, max_dcg)
        self.inv_max_dcg = np.where(max_dcg > 0, 1.0 / np.where(max_dcg > 0, max_dcg, 1.0), 0.0)

    def check_y(self, y):
        return None

    def baseline(self, y, sw):
        return np.zeros(1)

    def grad_hess(self, y, raw, sw, g, h):
        kernels("ranking").lambdarank_gradients(
            np.ascontiguousarray(raw[:, 0]),
            self.gains,
            self.boundaries,
            self.inv_max_dcg,
            self.sigma,
            self.truncation,
            self.normalize,
            g[0],
            h[0],
        )

    def loss(self, y, raw, sw):
        """``1 - NDCG@eval_at`` averaged over the queries (what ``history_`` records)."""
        return 1.0 - _mean_ndcg(raw[:, 0], self.gains, self.boundaries, self.eval_at)

    def inverse_link(self, raw):
        return raw


def _mean_ndcg(scores, gains, boundaries, k):
    out = np.empty(boundaries.shape[0] - 1)
    kernels("ranking").ndcg_per_query(
        np.ascontiguousarray(scores, dtype=np.float64), gains, boundaries, int(k), out
    )
    return float(out.mean()) if out.size else 1.0


class GBDTRanker(RegressorMixin, _BaseHistGradientBoosting):
    """Gradient-boosted trees for learning to rank: LambdaMART with NDCG gradients.

    Each query's documents are ranked by the model's scores; every iteration fits a
    histogram tree to the LambdaRank gradients of NDCG (as LightGBM's ``lambdarank``
    objective) on the same engine as :class:`HistGradientBoostingRegressor`. ``fit`` takes
    the query structure as ``group`` (query sizes, rows of a query contiguous, as LightGBM)
    or ``qid`` (one query id per row); ``predict`` gives scores to sort by.

    Parameters
    ----------
    learning_rate : float, default=0.1
        Shrinkage applied to every leaf value.
    max_iter : int, default=100
        Number of boosting iterations (trees).
    max_leaf_nodes : int or None, default=31
        Maximum leaves per tree (best-first growth). LightGBM's ``num_leaves``.
    max_depth : int or None, default=None
        Maximum depth of a tree; None: no limit.
    min_samples_leaf : int, default=20
        Minimum number of rows per leaf. LightGBM's ``min_child_samples``.
    l2_regularization : float, default=0.0
        L2 penalty on the leaf values. LightGBM's ``reg_lambda``.
    max_features : float, default=1.0
        Fraction of the features drawn at random at each split.
    max_bins : int, default=255
        Bins for the non-missing values of each feature (at most 255).
    categorical_features : array-like, "from_dtype" or None, default="from_dtype"
        Categorical features, as in :class:`HistGradientBoostingRegressor`.
    monotonic_cst : array-like of int, dict or None, default=None
        Monotonic constraints on the scores, as in :class:`HistGradientBoostingRegressor`.
    interaction_cst : {"pairwise", "no_interactions"}, sequence or None, default=None
        Interaction constraints, as in :class:`HistGradientBoostingRegressor`.
    sigma : float, default=1.0
        Steepness of the pairwise logistic (LightGBM's ``sigmoid``).
    truncation_level : int, default=30
        Only pairs with a document among the top ``truncation_level`` of the current
        ranking contribute, and NDCG is normalized by the ideal DCG at that depth
        (LightGBM's ``lambdarank_truncation_level``).
    normalize : bool, default=True
        LightGBM's ``lambdarank_norm``: scale each pair by the score gap and each query's
        gradients by ``log2(1 + S) / S``.
    label_gain : array-like of float or None, default=None
        Gain of each integer label (LightGBM's ``label_gain``); None: ``2**label - 1``,
        which also accepts non-integer non-negative labels.
    eval_at : int, default=10
        The cut-off ``k`` of NDCG@k for :meth:`score` and ``history_``.
    verbose : int, default=0
        Show a progress bar over the iterations when positive.
    random_state : int, RandomState instance or None, default=None
        Seeds the binning subsample (over 200,000 rows) and the feature subsampling.

    Attributes
    ----------
    n_iter_ : int
        Number of boosting iterations run.
    n_trees_per_iteration_ : int
        Always 1.
    is_categorical_ : ndarray of shape (`n_features_in_`,), bool, or None
        Which features are categorical.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    history_ : dict
        ``iteration``, ``seconds`` and ``loss`` (``1 - NDCG@eval_at`` on the training
        queries) per iteration.

    See Also
    --------
    HistGradientBoostingRegressor : The same trees for pointwise regression.
    lightgbm.LGBMRanker : The peer this estimator mirrors.

    Notes
    -----
    For a pair of documents :math:`i \\succ j` (label :math:`y_i > y_j`) of one query with
    scores :math:`s_i, s_j`, LambdaMART [1]_ takes the gradient of RankNet's pairwise logistic
    loss weighted by the change of NDCG if the two documents swapped places,

    .. math::

        \\lambda_{ij} = \\frac{-\\sigma\\, |\\Delta \\mathrm{NDCG}_{ij}|}
        {1 + e^{\\sigma (s_i - s_j)}}, \\qquad
        |\\Delta \\mathrm{NDCG}_{ij}| = \\frac{(2^{y_i} - 2^{y_j})
        \\left| \\frac{1}{\\log_2(2 + r_i)} - \\frac{1}{\\log_2(2 + r_j)} \\right|}
        {\\mathrm{maxDCG}},

    with :math:`r` the current ranks (0 at the top); :math:`g_i \\mathrel{+}= \\lambda_{ij}`,
    :math:`g_j \\mathrel{-}= \\lambda_{ij}`, and the hessians
    :math:`\\sigma^2 |\\Delta \\mathrm{NDCG}_{ij}|\\, p (1 - p)` with :math:`p` the logistic
    above. Trees are Newton steps on these (leaf value :math:`-G / (H + \\lambda)`), as in
    LightGBM [2]_, whose truncation and normalization options are reproduced. A query whose
    documents all have label 0 contributes nothing and scores an NDCG of 1.

    References
    ----------
    .. [1] Burges, C. J. C., "From RankNet to LambdaRank to LambdaMART: an overview",
       Microsoft Research Technical Report MSR-TR-2010-82 (2010).
    .. [2] Ke, G. et al., "LightGBM: a highly efficient gradient boosting decision tree",
       NeurIPS (2017).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.ensemble import GBDTRanker
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 5))
    >>> y = np.clip(np.round(X[:, 0] + X[:, 1] + 1), 0, 3)
    >>> group = [20] * 20
    >>> ranker = GBDTRanker(max_iter=20, random_state=0).fit(X, y, group=group)
    >>> ranker.predict(X[:3]).shape
    (3,)
    >>> bool(ranker.score(X, y, group=group) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        name: value
        for name, value in _BaseHistGradientBoosting._parameter_constraints.items()
        if name
        not in ("early_stopping", "scoring", "validation_fraction", "n_iter_no_change", "tol")
    }
    _parameter_constraints.update(
        {
            "sigma": [Interval(Real, 0, None, closed="neither")],
            "truncation_level": [Interval(Integral, 1, None, closed="left")],
            "normalize": ["boolean"],
            "label_gain": ["array-like", None],
            "eval_at": [Interval(Integral, 1, None, closed="left")],
        }
    )
    _expected_failed_checks = {}

    def __init__(
        self,
        *,
        learning_rate=0.1,
        max_iter=100,
        max_leaf_nodes=31,
        max_depth=None,
        min_samples_leaf=20,
        l2_regularization=0.0,
        max_features=1.0,
        max_bins=255,
        categorical_features="from_dtype",
        monotonic_cst=None,
        interaction_cst=None,
        sigma=1.0,
        truncation_level=30,
        normalize=True,
        label_gain=None,
        eval_at=10,
        verbose=0,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_features = max_features
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.monotonic_cst = monotonic_cst
        self.interaction_cst = interaction_cst
        self.sigma = sigma
        self.truncation_level = truncation_level
        self.normalize = normalize
        self.label_gain = label_gain
        self.eval_at = eval_at
        self.verbose = verbose
        self.random_state = random_state

    def _early_stopping_param(self):
        return False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, group=None, *, qid=None):
        """Fit the ranking trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Documents' features; NaN marks a missing value.
        y : array-like of shape (n_samples,)
            Relevance labels (non-negative; integers with ``label_gain``).
        group : array-like of int, default=None
            Number of documents of each query, in row order (LightGBM's ``group``); the
            sizes sum to ``n_samples``. None (and no ``qid``): all rows form one query.
        qid : array-like of shape (n_samples,), default=None
            Query id of each row (rows of a query contiguous), instead of ``group``.

        Returns
        -------
        self : GBDTRanker
            The fitted estimator.
        """
        X, y, is_cat = self._validate_X_y(X, y)
        y = np.asarray(y, dtype=np.float64)
        boundaries = _boundaries(X.shape[0], group, qid)
        gains = _label_gains(y, self.label_gain)
        loss = _LambdaRankLoss(
            boundaries, gains, self.sigma, self.truncation_level, self.normalize, self.eval_at
        )
        with numba_threads(None):
            return self._boost(X, y, np.ones(X.shape[0]), loss, is_cat)

    def predict(self, X):
        """Ranking scores (higher ranks first).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self._raw_predict(X).ravel()

    def score(self, X, y, group=None, *, qid=None):
        """Mean NDCG@``eval_at`` over the queries, documents ranked by :meth:`predict`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Relevance labels.
        group : array-like of int, default=None
            Query sizes (None: one query).
        qid : array-like of shape (n_samples,), default=None
            Per-row query ids, instead of ``group``.

        Returns
        -------
        score : float
            Queries with no relevant document count as 1, as in LightGBM.
        """
        scores = self.predict(X)
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.shape[0] != scores.shape[0]:
            raise ValueError(f"y has {y.shape[0]} entries but X has {scores.shape[0]} samples.")
        boundaries = _boundaries(scores.shape[0], group, qid)
        return _mean_ndcg(scores, _label_gains(y, self.label_gain), boundaries, self.eval_at)

    @staticmethod
    def _common_test_data(seed, n_samples, dtype):
        """Common-test data: features and graded relevance labels 0..3 (one query)."""
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(n_samples, 6)).astype(dtype)
        y = np.clip(np.round(X[:, 0] + 0.5 * X[:, 1] + 1.0), 0, 3)
        return X, y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # relevance labels are non-negative: scikit-learn's checks then shift y above 0
        tags.target_tags.positive_only = True
        return tags

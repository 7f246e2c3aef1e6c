"""Isolation forest: anomaly scores from the depth at which random trees isolate a row."""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import (
    Interval,
    RealNotInt,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

__all__ = ["IsolationForest"]

_MAX_SEED = np.iinfo(np.int64).max


def _tree_draws(seed, n_samples, max_samples, n_features, max_features, bootstrap, p=None):
    """The rows and candidate features of one tree, drawn from the tree's own seed; with
    ``p`` (normalised sample weights) rows are drawn with those probabilities, as
    scikit-learn's bagging draws them."""
    gen = np.random.default_rng(seed)
    if p is not None:
        rows = gen.choice(n_samples, size=max_samples, replace=bootstrap, p=p)
    elif bootstrap:
        rows = gen.integers(0, n_samples, size=max_samples)
    else:
        rows = gen.choice(n_samples, size=max_samples, replace=False)
    if max_features == n_features:
        feats = np.arange(n_features)
    else:
        feats = np.sort(gen.choice(n_features, size=max_features, replace=False))
    return rows, feats


class IsolationForest(OutlierMixin, BaseEstimator):
    """Isolation forest anomaly detection on Numba kernels.

    Each tree is grown on a random subsample by splitting on a random feature at a random
    threshold between the node's minimum and maximum, until every row is isolated or the depth
    limit ``ceil(log2(max_samples))`` is reached. Anomalies are isolated by short paths: the
    anomaly score of ``x`` is ``2 ** (-E[h(x)] / c(max_samples))``.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    max_samples : "auto", int or float, default="auto"
        Rows drawn to grow each tree: ``min(256, n_samples)`` for "auto", the number itself
        for an int (at most ``n_samples``), ``max_samples * n_samples`` for a float.
    contamination : "auto" or float, default="auto"
        Expected share of outliers; it sets the threshold ``offset_`` of ``predict``. With
        "auto" the offset is -0.5, as in the original paper.
    max_features : int or float, default=1.0
        Features each tree may split on (drawn without replacement per tree): the number
        itself for an int, ``max(1, int(max_features * n_features))`` for a float.
    bootstrap : bool, default=False
        Draw each tree's rows with replacement.
    n_jobs : int, default=None
        Numba threads for growing and scoring (None: the global configuration, -1: all).
    random_state : int, RandomState instance or None, default=None
        Seeds the per-tree draws; the forest does not depend on the thread count.
    verbose : int, default=0
        Accepted for compatibility with scikit-learn; fitting is too fast to need a bar.
    warm_start : bool, default=False
        Keep the fitted trees and add only the missing ones when ``n_estimators`` grows. With
        an integer ``random_state`` the result equals a fresh fit with the larger forest.

    Attributes
    ----------
    max_samples_ : int
        Rows per tree.
    max_depth_ : int
        Depth limit of the trees.
    offset_ : float
        ``decision_function = score_samples - offset_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X had string column names.
    tree_offsets_ : ndarray of shape (n_estimators + 1,)
        Tree ``t`` owns nodes ``tree_offsets_[t]:tree_offsets_[t + 1]`` of the node arrays.
    tree_feature_ : ndarray of shape (n_nodes,)
        Split feature of each node, -1 at leaves.
    tree_threshold_ : ndarray of shape (n_nodes,)
        Split threshold: rows with ``x <= threshold`` go left.
    tree_children_left_ : ndarray of shape (n_nodes,)
        Left child of each node, numbered within its tree (-1 at leaves).
    tree_children_right_ : ndarray of shape (n_nodes,)
        Right child of each node, numbered within its tree (-1 at leaves); always the left
        child + 1.
    tree_value_ : ndarray of shape (n_nodes,)
        At a leaf, its depth plus c(rows reaching it); 0 elsewhere.
    estimators_samples_ : list of ndarray
        Training rows drawn for each tree.
    estimators_features_ : list of ndarray
        Features each tree could split on.

    See Also
    --------
    sklearn.ensemble.IsolationForest : The scikit-learn estimator with the same interface.

    Notes
    -----
    The path length of ``x`` in one tree is the number of edges from the root to its leaf plus
    ``c(n)``, the average path length of an unsuccessful search in a binary search tree of the
    ``n`` training rows that reached the leaf:
    ``c(n) = 2 (ln(n - 1) + 0.5772156649) - 2 (n - 1) / n`` (Liu et al. 2008, eq. 1). The score
    returned by ``score_samples`` is the opposite of ``s(x, n) = 2 ** (-E[h(x)] / c(n))``.
    Trees are grown in parallel over trees, and scoring runs in parallel over rows; the random
    draws come from one seed per tree, so results do not depend on ``n_jobs``.

    References
    ----------
    Liu, F. T., Ting, K. M. and Zhou, Z.-H. "Isolation forest", ICDM 2008, 413-422.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.ensemble import IsolationForest
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 2)), [[6.0, 6.0], [-6.0, 5.0]]])
    >>> clf = IsolationForest(random_state=0).fit(X)
    >>> clf.predict([[0.0, 0.0], [6.0, 6.0]])
    array([ 1, -1])
    """

    _parameter_constraints: dict = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "max_features": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
        ],
        "bootstrap": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    _fast_params = {"n_estimators": 10}
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "rows are drawn with probabilities proportional to the weights, a different random "
            "draw than repeating rows (scikit-learn declares the same for its IsolationForest)"
        ),
    }

    def __init__(
        self,
        *,
        n_estimators=100,
        max_samples="auto",
        contamination="auto",
        max_features=1.0,
        bootstrap=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.contamination = contamination
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def _resolve_sizes(self, n_samples, n_features):
        if self.max_samples == "auto":
            max_samples = min(256, n_samples)
        elif isinstance(self.max_samples, Integral):
            max_samples = int(self.max_samples)
            if max_samples > n_samples:
                warnings.warn(
                    f"max_samples ({max_samples}) is greater than the total number of samples "
                    f"({n_samples}). max_samples will be set to n_samples for estimation.",
                    stacklevel=3,
                )
                max_samples = n_samples
        else:
            max_samples = max(1, int(self.max_samples * n_samples))
        if isinstance(self.max_features, Integral):
            if self.max_features > n_features:
                raise ValueError(
                    f"max_features must be <= n_features, got max_features={self.max_features} "
                    f"and n_features={n_features}."
                )
            max_features = int(self.max_features)
        else:
            max_features = max(1, int(self.max_features * n_features))
        return max_samples, max_features

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Grow the isolation trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: each tree draws its rows with probabilities proportional
            to them (as scikit-learn's bagging does), so a zero-weight row is never used.
            Equal weights give the same forest as None.

        Returns
        -------
        self : IsolationForest
            The fitted forest.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], order="C")
        n_samples, n_features = X.shape
        max_samples, max_features = self._resolve_sizes(n_samples, n_features)
        p = None
        if sample_weight is not None:
            sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            n_positive = int(np.count_nonzero(sw))  # > 0: _check_sample_weight refuses all-zero
            if not self.bootstrap and n_positive < max_samples:
                raise ValueError(
                    f"sample_weight has {n_positive} positive weights, fewer than the "
                    f"max_samples={max_samples} distinct rows each tree draws; use "
                    "bootstrap=True or a smaller max_samples."
                )
            if np.any(sw != sw[0]):  # equal weights draw exactly as no weights
                p = sw / sw.sum()
        max_depth = int(math.ceil(math.log2(max(max_samples, 2))))
        seeds = check_random_state(self.random_state).randint(
            _MAX_SEED, size=self.n_estimators, dtype=np.int64
        )

        n_old = 0
        if self.warm_start and hasattr(self, "tree_offsets_"):
            n_old = len(self.tree_offsets_) - 1
            if self.n_estimators < n_old:
                raise ValueError(
                    f"n_estimators={self.n_estimators} must be larger or equal to "
                    f"len(estimators_)={n_old} when warm_start==True"
                )
            if self.max_samples_ != max_samples or self.max_depth_ != max_depth:
                raise ValueError(
                    "warm_start needs the same max_samples as the first fit: "
                    f"{self.max_samples_} then {max_samples} rows per tree."
                )
            if self.n_estimators == n_old:
                warnings.warn(
                    "Warm-start fitting without increasing n_estimators does not fit new trees.",
                    stacklevel=2,
                )
        draws = [
            _tree_draws(s, n_samples, max_samples, n_features, max_features, self.bootstrap, p)
            for s in seeds[n_old:]
        ]
        new = self._grow(X, seeds[n_old:], draws, max_samples, max_depth)

        if n_old:
            old = (
                self.tree_feature_,
                self.tree_threshold_,
                self.tree_children_left_,
                self.tree_children_right_,
                self.tree_value_,
            )
            arrays = [np.concatenate([a, b]) for a, b in zip(old, new[:5])]
            offsets = np.concatenate([self.tree_offsets_, self.tree_offsets_[-1] + new[5][1:]])
            samples = self.estimators_samples_ + [d[0] for d in draws]
            features = self.estimators_features_ + [d[1] for d in draws]
        else:
            arrays, offsets = list(new[:5]), new[5]
            samples = [d[0] for d in draws]
            features = [d[1] for d in draws]

        self.max_samples_ = max_samples
        self.max_depth_ = max_depth
        (
            self.tree_feature_,
            self.tree_threshold_,
            self.tree_children_left_,
            self.tree_children_right_,
            self.tree_value_,
        ) = arrays
        self.tree_offsets_ = offsets
        self.estimators_samples_ = samples
        self.estimators_features_ = features
        if self.contamination == "auto":
            self.offset_ = -0.5
        else:
            self.offset_ = float(np.percentile(self._score(X), 100.0 * self.contamination))
        return self

    def _grow(self, X, seeds, draws, max_samples, max_depth):
        """Grow trees on the kernel and return their compacted node arrays and offsets."""
        kern = kernels("iforest", "cpu")
        n_trees = len(seeds)
        cap = kern.max_nodes(max_samples, max_depth)
        rows = np.ascontiguousarray(np.stack([d[0] for d in draws]), dtype=np.int64)
        feats = np.ascontiguousarray(np.stack([d[1] for d in draws]), dtype=np.int64)
        feature = np.empty((n_trees, cap), np.int32)
        left = np.empty((n_trees, cap), np.int32)
        right = np.empty((n_trees, cap), np.int32)
        threshold = np.empty((n_trees, cap), np.float64)
        value = np.empty((n_trees, cap), np.float64)
        n_nodes = np.empty(n_trees, np.int64)
        with numba_threads(self.n_jobs):
            kern.build_forest(
                X,
                rows,
                feats,
                seeds.astype(np.uint64),
                max_depth,
                feature,
                threshold,
                left,
                right,
                value,
                n_nodes,
            )
        offsets = np.zeros(n_trees + 1, np.int64)
        np.cumsum(n_nodes, out=offsets[1:])
        mask = np.arange(cap) < n_nodes[:, None]
        return (
            feature[mask],
            threshold[mask],
            left[mask],
            right[mask],
            value[mask],
            offsets,
        )

    def _mean_path_length(self, X):
        out = np.empty(X.shape[0], np.float64)
        with numba_threads(self.n_jobs):
            kernels("iforest", "cpu").forest_path_lengths(
                X,
                self.tree_feature_,
                self.tree_threshold_,
                self.tree_children_left_,
                self.tree_value_,
                self.tree_offsets_,
                self.max_depth_,
                out,
            )
        return out

    def _score(self, X):
        """Opposite of the anomaly score on validated X."""
        depths = self._mean_path_length(X)
        c = kernels("iforest", "cpu").average_path_length_scalar(self.max_samples_)
        if c == 0.0:  # one row per tree: every path has length 0
            return np.full(X.shape[0], -0.5)
        return -np.exp2(-depths / c)

    def _validate_predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)

    def score_samples(self, X):
        """Opposite of the anomaly score of each row (the lower, the more abnormal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-2 ** (-E[h(x)] / c(max_samples_))``, in [-1, 0).
        """
        return self._score(self._validate_predict(X))

    def decision_function(self, X):
        """Shifted score: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Whether each row is an inlier (1) or an outlier (-1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to classify.

        Returns
        -------
        is_inlier : ndarray of shape (n_samples,)
            1 for inliers, -1 for outliers.
        """
        decision = self.decision_function(X)
        is_inlier = np.ones(decision.shape[0], dtype=int)
        is_inlier[decision < 0] = -1
        return is_inlier

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags

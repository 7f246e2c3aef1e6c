"""GBDT feature encoding: one-hot leaf indices of a boosted forest (PAI's GBDT encoder)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._hist_gradient_boosting import HistGradientBoostingClassifier, HistGradientBoostingRegressor

__all__ = ["GBDTEncoder"]

_REGRESSION_LOSSES = ("squared_error", "absolute_error", "poisson", "gamma")


class GBDTEncoder(TransformerMixin, BaseEstimator):
    """Encode samples as the leaves they reach in a gradient-boosted forest (one-hot, sparse).

    Fits a :class:`HistGradientBoostingClassifier` (``loss="log_loss"``) or
    :class:`HistGradientBoostingRegressor` (the other losses) on ``(X, y)``; ``transform``
    gives, for each tree, a one-hot block over its leaves with a 1 at the leaf the sample
    reaches. The encoding turns the trees' learned feature crosses into binary features for
    a linear model (the GBDT + LR recipe of He et al., 2014, PAI's "GBDT encoding").

    Parameters
    ----------
    loss : {"log_loss", "squared_error", "absolute_error", "poisson", "gamma"}, \
default="log_loss"
        "log_loss": classification (one tree per class and iteration beyond two classes);
        the others: regression with that loss.
    learning_rate : float, default=0.1
        Shrinkage of the boosting model.
    max_iter : int, default=20
        Boosting iterations.
    max_leaf_nodes : int or None, default=31
        Maximum leaves per tree (so at most that many columns per tree).
    max_depth : int or None, default=None
        Maximum depth of a tree.
    min_samples_leaf : int, default=20
        Minimum number of training rows per leaf.
    l2_regularization : float, default=0.0
        L2 penalty on the leaf values.
    max_bins : int, default=255
        Bins per feature (at most 255).
    categorical_features : array-like, "from_dtype" or None, default="from_dtype"
        Categorical features of ``X`` (see :class:`HistGradientBoostingClassifier`).
    random_state : int, RandomState instance or None, default=None
        Seeds the boosting model.

    Attributes
    ----------
    estimator_ : HistGradientBoostingClassifier or HistGradientBoostingRegressor
        The fitted boosting model (no early stopping: ``max_iter`` iterations).
    n_iter_ : int
        Boosting iterations run (``max_iter``).
    n_trees_ : int
        Number of trees (blocks of columns).
    n_leaves_ : ndarray of shape (`n_trees_`,)
        Leaves of each tree.
    leaf_offsets_ : ndarray of shape (`n_trees_` + 1,)
        Tree ``t`` owns columns ``leaf_offsets_[t]:leaf_offsets_[t + 1]``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    HistGradientBoostingClassifier : The model whose leaves are encoded.
    sklearn.ensemble.RandomTreesEmbedding : An unsupervised tree encoding.

    Notes
    -----
    Column ``leaf_offsets_[t] + j`` is 1 when the sample reaches the ``j``-th leaf of tree
    ``t`` (leaves numbered in the order of their node index), so each row of the output has
    exactly ``n_trees_`` ones. Leaves follow the model's rules for missing values and unseen
    categories.

    References
    ----------
    .. [1] He, X. et al., "Practical lessons from predicting clicks on ads at Facebook",
       ADKDD (2014).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from pai_algos.ensemble import GBDTEncoder
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> enc = GBDTEncoder(max_iter=10, max_leaf_nodes=8, random_state=0).fit(X, y)
    >>> Z = enc.transform(X)
    >>> Z.shape == (X.shape[0], int(enc.n_leaves_.sum()))
    True
    >>> sorted(set(Z.sum(axis=1).A1.tolist()))
    [10.0]
    """

    _parameter_constraints: dict = {
        "loss": [StrOptions({"log_loss", *_REGRESSION_LOSSES})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "l2_regularization": [Interval(Real, 0, None, closed="left")],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "random_state": ["random_state"],
    }
    _fast_params = {"max_iter": 3, "min_samples_leaf": 5}

    def __init__(
        self,
        loss="log_loss",
        *,
        learning_rate=0.1,
        max_iter=20,
        max_leaf_nodes=31,
        max_depth=None,
        min_samples_leaf=20,
        l2_regularization=0.0,
        max_bins=255,
        categorical_features="from_dtype",
        random_state=None,
    ):
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the boosting model whose leaves encode the samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN marks a missing value.
        y : array-like of shape (n_samples,)
            Class labels (``loss="log_loss"``) or target values.

        Returns
        -------
        self : GBDTEncoder
            The fitted encoder.
        """
        params = dict(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            max_bins=self.max_bins,
            categorical_features=self.categorical_features,
            early_stopping=False,
            random_state=self.random_state,
        )
        if self.loss == "log_loss":
            model = HistGradientBoostingClassifier(**params)
        else:
            model = HistGradientBoostingRegressor(loss=self.loss, **params)
        model.fit(X, y)
        # column of every leaf node: leaves of tree t numbered in node order after its offset
        left = model._nodes["left"]
        roots = model._roots
        ends = np.append(roots[1:], left.shape[0])
        is_leaf = left < 0
        n_leaves = np.array([is_leaf[s:e].sum() for s, e in zip(roots, ends, strict=True)])
        column = np.full(left.shape[0], -1, dtype=np.int64)
        column[is_leaf] = np.arange(int(is_leaf.sum()))
        self.estimator_ = model
        self.n_iter_ = model.n_iter_
        self.n_trees_ = int(roots.shape[0])
        self.n_leaves_ = n_leaves
        self.leaf_offsets_ = np.concatenate(([0], np.cumsum(n_leaves))).astype(np.int64)
        self._leaf_column = column
        self.n_features_in_ = model.n_features_in_
        if hasattr(model, "feature_names_in_"):
            self.feature_names_in_ = model.feature_names_in_
        return self

    def apply(self, X):
        """Node index of the leaf reached in each tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        leaves : ndarray of shape (n_samples, `n_trees_`)
            Global node indices of the boosting model's flat node arrays.
        """
        check_is_fitted(self)
        return self.estimator_._apply(X)

    def transform(self, X):
        """One-hot leaf encoding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : scipy.sparse.csr_matrix of shape (n_samples, sum(`n_leaves_`)), float64
            Exactly ``n_trees_`` ones per row, one in each tree's block of columns.
        """
        check_is_fitted(self)
        leaves = self.apply(X)
        n, t = leaves.shape
        indices = self._leaf_column[leaves].ravel()
        indptr = np.arange(0, n * t + 1, t, dtype=np.int64)
        data = np.ones(n * t)
        return sp.csr_matrix((data, indices, indptr), shape=(n, int(self.leaf_offsets_[-1])))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: ``tree{t}_leaf{j}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the columns are leaves, not input features).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray(
            [f"tree{t}_leaf{j}" for t, k in enumerate(self.n_leaves_) for j in range(k)],
            dtype=object,
        )

    @staticmethod
    def _common_test_data(seed, n_samples, dtype):
        """Common-test data: a supervised encoder needs ``y`` (two classes)."""
        from sklearn.datasets import make_classification

        X, y = make_classification(
            n_samples=n_samples, n_features=6, n_informative=4, random_state=seed
        )
        return X.astype(dtype), y

    @staticmethod
    def _common_test_outputs(est, X):
        """Common-test outputs: the encoding as a dense array (comparable element-wise)."""
        return {"transform": est.transform(X).toarray(), "apply": est.apply(X)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        return tags

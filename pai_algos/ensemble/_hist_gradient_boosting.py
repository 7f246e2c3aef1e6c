"""Histogram-based gradient boosting (classifier and regressor) on the Numba tree engine."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..base import DeviceMixin
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._hgb_base import (
    _COMMON_ATTRS_DOC,
    _COMMON_PARAMS_DOC,
    _NOTES_DOC,
    _REFERENCES_DOC,
    _BaseHistGradientBoosting,
)
from ._hgb_losses import LOSSES, BinomialLoss, MultinomialLoss

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]


class HistGradientBoostingClassifier(DeviceMixin, ClassifierMixin, _BaseHistGradientBoosting):
    __doc__ = f"""Histogram-based gradient-boosted trees for classification.

    A drop-in for :class:`sklearn.ensemble.HistGradientBoostingClassifier` (categorical
    features, monotonic and interaction constraints included) on our Numba tree engine.
    Two classes use the binary log loss (one tree per iteration), more classes the
    multinomial loss (one tree per class and iteration). Missing values (NaN) are
    supported natively.

    Parameters
    ----------
    loss : {{"log_loss"}}, default="log_loss"
        Binomial deviance for two classes, multinomial deviance otherwise.
    {_COMMON_PARAMS_DOC}
    class_weight : dict or "balanced", default=None
        Weights per class, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    {_COMMON_ATTRS_DOC}

    See Also
    --------
    HistGradientBoostingRegressor : The regression twin.
    sklearn.ensemble.HistGradientBoostingClassifier : The scikit-learn estimator mirrored.

    Notes
    -----
    {_NOTES_DOC}

    References
    ----------
    {_REFERENCES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from pai_algos.ensemble import HistGradientBoostingClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = HistGradientBoostingClassifier(max_iter=50, random_state=0).fit(X, y)
    >>> clf.n_iter_, clf.n_trees_per_iteration_
    (50, 1)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.97)
    True
    """

    _parameter_constraints: dict = {
        **_BaseHistGradientBoosting._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "device": [StrOptions({"cpu", "cuda", "auto"}), None],
    }

    def __init__(
        self,
        loss="log_loss",
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
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        verbose=0,
        random_state=None,
        device="auto",
        class_weight=None,
    ):
        self.loss = loss
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
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.device = device
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the boosted trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN marks a missing value.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : HistGradientBoostingClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _encode_y(self, y, sample_weight):
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "HistGradientBoostingClassifier needs samples of at least 2 classes in the "
                f"data, but the data contains only one class: {classes[0]!r}"
            )
        if self.class_weight is not None:
            weights = compute_class_weight(
                self.class_weight, classes=classes, y=y, sample_weight=sample_weight
            )
            sample_weight = sample_weight * weights[y_index]
        self.classes_ = classes
        return y_index.astype(np.float64), sample_weight

    def _make_loss(self):
        n_classes = self.classes_.shape[0]
        return BinomialLoss() if n_classes == 2 else MultinomialLoss(n_classes)

    def decision_function(self, X):
        """Raw scores (log-odds of ``classes_[1]`` for two classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        raw = self._raw_predict(X)
        return raw.ravel() if raw.shape[1] == 1 else raw

    def _proba(self, raw):
        p = self._loss.inverse_link(raw)
        if raw.shape[1] == 1:
            return np.column_stack([1.0 - p[:, 0], p[:, 0]])
        return p

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        return self._proba(self._raw_predict(X))

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def staged_decision_function(self, X):
        """Raw scores after each iteration.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        for raw in self._staged_raw_predict(X):
            yield raw.ravel() if raw.shape[1] == 1 else raw

    def staged_predict_proba(self, X):
        """Class probabilities after each iteration.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        proba : ndarray of shape (n_samples, n_classes)
        """
        for raw in self._staged_raw_predict(X):
            yield self._proba(raw)

    def staged_predict(self, X):
        """Class labels after each iteration.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        for proba in self.staged_predict_proba(X):
            yield self.classes_[np.argmax(proba, axis=1)]


class HistGradientBoostingRegressor(DeviceMixin, RegressorMixin, _BaseHistGradientBoosting):
    __doc__ = f"""Histogram-based gradient-boosted trees for regression.

    A drop-in for :class:`sklearn.ensemble.HistGradientBoostingRegressor` (categorical
    features, monotonic and interaction constraints included) on our Numba tree engine.
    Missing values (NaN) are supported natively.

    Parameters
    ----------
    loss : {{"squared_error", "absolute_error", "quantile", "poisson", "gamma"}}, \
default="squared_error"
        The loss. "absolute_error" and "quantile" set each leaf to the median (quantile) of
        its residuals after the tree is grown; "poisson" and "gamma" use a log link.
    quantile : float, default=None
        The quantile to predict with ``loss="quantile"`` (in [0, 1]).
    {_COMMON_PARAMS_DOC}

    Attributes
    ----------
    {_COMMON_ATTRS_DOC}

    See Also
    --------
    HistGradientBoostingClassifier : The classification twin.
    sklearn.ensemble.HistGradientBoostingRegressor : The scikit-learn estimator mirrored.

    Notes
    -----
    {_NOTES_DOC}

    References
    ----------
    {_REFERENCES_DOC}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from pai_algos.ensemble import HistGradientBoostingRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = HistGradientBoostingRegressor(max_iter=50, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.6)
    True
    """

    _parameter_constraints: dict = {
        **_BaseHistGradientBoosting._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
        "quantile": [Interval(Real, 0, 1, closed="both"), None],
        "device": [StrOptions({"cpu", "cuda", "auto"}), None],
    }

    def __init__(
        self,
        loss="squared_error",
        *,
        quantile=None,
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
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        verbose=0,
        random_state=None,
        device="auto",
    ):
        self.loss = loss
        self.quantile = quantile
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
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.device = device

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the boosted trees.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN marks a missing value.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : HistGradientBoostingRegressor
            The fitted estimator.
        """
        if self.loss == "quantile" and self.quantile is None:
            raise ValueError("loss='quantile' needs the quantile parameter (a float in [0, 1]).")
        return self._fit(X, y, sample_weight)

    def _encode_y(self, y, sample_weight):
        return np.asarray(y, dtype=np.float64), sample_weight

    def _make_loss(self):
        if self.loss == "quantile":
            return LOSSES["quantile"](self.quantile)
        return LOSSES[self.loss]()

    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self._loss.inverse_link(self._raw_predict(X)).ravel()

    def staged_predict(self, X):
        """Predicted values after each iteration.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Yields
        ------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        for raw in self._staged_raw_predict(X):
            yield self._loss.inverse_link(raw).ravel()

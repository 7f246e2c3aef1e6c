"""AdaBoost: SAMME for classification and AdaBoost.R2 for regression, over our trees."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from pai_algos_native import kernels

from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor"]

_MAX_INT = np.iinfo(np.int32).max


class _BaseWeightBoosting(BaseEstimator):
    """The boosting loop shared by both estimators: reweight, refit, stop early."""

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }
    _fast_params = {"n_estimators": 5}

    def _default_estimator(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _make_estimator(self, rng):
        """A fresh clone of the weak learner, its random_state drawn as scikit-learn does."""
        est = clone(self.estimator_)
        params = est.get_params(deep=True)
        seeds = {
            key: rng.randint(_MAX_INT)
            for key in sorted(params)
            if key == "random_state" or key.endswith("__random_state")
        }
        if seeds:
            est.set_params(**seeds)
        return est

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)

    def _fit_boosting(self, X, y, sample_weight):
        estimator = self.estimator if self.estimator is not None else self._default_estimator()
        if isinstance(self, ClassifierMixin) and not has_fit_parameter(estimator, "sample_weight"):
            raise ValueError(f"{type(estimator).__name__} doesn't support sample_weight.")
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, copy=True, ensure_non_negative=True
        )
        sample_weight /= sample_weight.sum()

        try:
            return self._boosting_loop(estimator, X, y, sample_weight)
        except BaseException:
            # nothing half-fitted stays behind
            for name in [a for a in vars(self) if a.endswith("_") and not a.startswith("_")]:
                delattr(self, name)
            raise

    def _boosting_loop(self, estimator, X, y, sample_weight):
        rng = check_random_state(self.random_state)
        eps = np.finfo(np.float64).eps
        zero = sample_weight == 0.0
        self.estimator_ = estimator
        estimators, weights, errors = [], [], []
        for iboost in range(self.n_estimators):
            sample_weight = np.clip(sample_weight, eps, None)
            sample_weight[zero] = 0.0
            est = self._make_estimator(rng)
            sample_weight, weight, error = self._boost(
                iboost, est, X, y, sample_weight, rng, estimators
            )
            if sample_weight is None:  # the weak learner was no better than chance
                break
            weights.append(weight)
            errors.append(error)
            if error == 0:
                break
            s = sample_weight.sum()
            if not np.isfinite(s) or s <= 0:
                break
            if iboost < self.n_estimators - 1:
                sample_weight /= s
        self.estimators_ = estimators
        self.estimator_weights_ = np.zeros(self.n_estimators)
        self.estimator_errors_ = np.ones(self.n_estimators)
        self.estimator_weights_[: len(weights)] = weights
        self.estimator_errors_[: len(errors)] = errors
        return self

    @property
    def feature_importances_(self):
        """Weighted mean of the estimators' impurity-based feature importances."""
        check_is_fitted(self)
        w = self.estimator_weights_[: len(self.estimators_)]
        if w.sum() == 0:
            raise ValueError("Feature importances are undefined: every estimator weight is 0.")
        imp = np.array([est.feature_importances_ for est in self.estimators_])
        return (w[:, None] * imp).sum(axis=0) / w.sum()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class AdaBoostClassifier(ClassifierMixin, _BaseWeightBoosting):
    """An AdaBoost classifier (multi-class SAMME) over our decision trees.

    Each round fits a weak learner on the reweighted rows, gives it the weight
    ``learning_rate * (log((1 - err) / err) + log(K - 1))`` and multiplies the weight of every
    misclassified row by ``exp(weight)``. A drop-in for
    :class:`sklearn.ensemble.AdaBoostClassifier`: the same algorithm, the same random
    streams, so with the same weak learner it fits the same ensemble.

    Parameters
    ----------
    estimator : object, default=None
        The weak learner; it must accept ``sample_weight`` in ``fit``. None means
        ``pai_algos.tree.DecisionTreeClassifier(max_depth=1)`` (a stump).
    n_estimators : int, default=50
        The most boosting rounds; fewer when a learner is perfect or no better than chance.
    learning_rate : float, default=1.0
        Shrinks each learner's weight.
    random_state : int, RandomState instance or None, default=None
        Seeds every weak learner's ``random_state`` (drawn in order, as scikit-learn does).

    Attributes
    ----------
    estimator_ : estimator
        The weak learner prototype the ensemble clones.
    estimators_ : list of estimators
        The fitted weak learners.
    estimator_weights_ : ndarray of shape (n_estimators,)
        Each learner's weight (0 past early stopping).
    estimator_errors_ : ndarray of shape (n_estimators,)
        Each learner's weighted error (1 past early stopping).
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen in fit.
    feature_importances_ : ndarray of shape (n_features,)
        Weight-averaged impurity importances of the learners.

    See Also
    --------
    AdaBoostRegressor : AdaBoost.R2 for regression.
    sklearn.ensemble.AdaBoostClassifier : The scikit-learn estimator mirrored.

    Notes
    -----
    SAMME (Zhu et al. 2009) generalises AdaBoost to K classes by adding ``log(K - 1)`` to the
    learner weight; the decision for class k is the weighted vote
    ``sum_m w_m (1[h_m(x) = k] - 1[h_m(x) != k] / (K - 1)) / sum_m w_m`` and the probabilities
    are ``softmax(decision / (K - 1))``. The votes are combined by a parallel Numba kernel.

    References
    ----------
    .. [1] Zhu, J., Zou, H., Rosset, S. and Hastie, T. "Multi-class AdaBoost". Statistics and
       Its Interface 2(3), 2009.
    .. [2] Freund, Y. and Schapire, R. "A decision-theoretic generalization of on-line learning
       and an application to boosting". Journal of Computer and System Sciences 55, 1997.

    Examples
    --------
    >>> from pai_algos.datasets import load_breast_cancer
    >>> from pai_algos.ensemble import AdaBoostClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = AdaBoostClassifier(n_estimators=20, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(clf.score(X, y) > 0.95)
    True
    """

    def __init__(self, estimator=None, *, n_estimators=50, learning_rate=1.0, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _default_estimator(self):
        from ..tree import DecisionTreeClassifier

        return DecisionTreeClassifier(max_depth=1)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Build the boosted ensemble from (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Initial row weights (normalised to sum to 1); None means uniform.

        Returns
        -------
        self : AdaBoostClassifier
            The fitted ensemble.
        """
        X, y = validate_data(self, X, y, dtype=None)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self.n_classes_ = len(self.classes_)
        if self.n_classes_ < 2:
            raise ValueError(
                "AdaBoostClassifier needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {self.classes_[0]!r}."
            )
        return self._fit_boosting(X, y, sample_weight)

    def _boost(self, iboost, est, X, y, sample_weight, rng, estimators):
        est.fit(X, y, sample_weight=sample_weight)
        estimators.append(est)
        incorrect = est.predict(X) != y
        error = float(np.average(incorrect, weights=sample_weight))
        if error <= 0:
            return sample_weight, 1.0, 0.0
        K = self.n_classes_
        if error >= 1.0 - 1.0 / K:
            estimators.pop()
            if not estimators:
                raise ValueError(
                    "The first weak learner of AdaBoostClassifier is no better than chance "
                    f"(weighted error {error:.3f} >= {1 - 1 / K:.3f}); the ensemble cannot be "
                    "fit. Use a stronger estimator."
                )
            return None, None, None
        weight = self.learning_rate * (np.log((1.0 - error) / error) + np.log(K - 1.0))
        if iboost != self.n_estimators - 1:
            sample_weight = np.exp(np.log(sample_weight) + weight * incorrect * (sample_weight > 0))
        return sample_weight, weight, error

    def _codes(self, est, X):
        return np.searchsorted(self.classes_, est.predict(X)).astype(np.int32)

    def _votes(self, X, limit):
        ests = self.estimators_[:limit]
        w = np.ascontiguousarray(self.estimator_weights_[: len(ests)], dtype=np.float64)
        codes = np.ascontiguousarray(np.array([self._codes(e, X) for e in ests]), dtype=np.int32)
        out = np.empty((X.shape[0], self.n_classes_))
        kernels("boosting").samme_votes(codes, w, self.n_classes_, out)
        out /= w.sum()
        if self.n_classes_ == 2:
            return out[:, 1] - out[:, 0]
        return out

    def decision_function(self, X):
        """The weighted vote for each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, positive values favour ``classes_[1]``; else one column per
            class.
        """
        X = self._validate_X_predict(X)
        return self._votes(X, len(self.estimators_))

    def staged_decision_function(self, X):
        """Yield the decision function after each boosting round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Yields
        ------
        score : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As :meth:`decision_function` with the first rounds only.
        """
        X = self._validate_X_predict(X)
        for m in range(1, len(self.estimators_) + 1):
            yield self._votes(X, m)

    def _proba(self, decision):
        if self.n_classes_ == 2:
            decision = np.vstack([-decision, decision]).T / 2
        else:
            decision = decision / (self.n_classes_ - 1)
        return softmax(decision, axis=1)

    def predict_proba(self, X):
        """Class probabilities, ``softmax(decision / (K - 1))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        return self._proba(self.decision_function(X))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        return np.log(self.predict_proba(X))

    def staged_predict_proba(self, X):
        """Yield the class probabilities after each boosting round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Yields
        ------
        proba : ndarray of shape (n_samples, n_classes)
            As :meth:`predict_proba` with the first rounds only.
        """
        for d in self.staged_decision_function(X):
            yield self._proba(d)

    def _label(self, decision):
        if self.n_classes_ == 2:
            return self.classes_.take((decision > 0).astype(np.intp))
        return self.classes_.take(np.argmax(decision, axis=1))

    def predict(self, X):
        """The class with the largest weighted vote.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        return self._label(self.decision_function(X))

    def staged_predict(self, X):
        """Yield the predicted labels after each boosting round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to classify.

        Yields
        ------
        y : ndarray of shape (n_samples,)
            As :meth:`predict` with the first rounds only.
        """
        for d in self.staged_decision_function(X):
            yield self._label(d)


class AdaBoostRegressor(RegressorMixin, _BaseWeightBoosting):
    """An AdaBoost.R2 regressor over our decision trees.

    Each round draws a weighted bootstrap of the rows, fits a weak learner on it, scores its
    relative error on every row (linear, square or exponential loss) and shrinks the weights
    of the rows it predicts well. Predictions are the weighted median of the learners'. A
    drop-in for :class:`sklearn.ensemble.AdaBoostRegressor` with the same random streams.

    Parameters
    ----------
    estimator : object, default=None
        The weak learner. None means ``pai_algos.tree.DecisionTreeRegressor(max_depth=3)``.
    n_estimators : int, default=50
        The most boosting rounds.
    learning_rate : float, default=1.0
        Shrinks each learner's weight and the reweighting exponent.
    loss : {"linear", "square", "exponential"}, default="linear"
        How the per-row error (divided by the largest) enters the weighted error.
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstraps and every weak learner's ``random_state``.

    Attributes
    ----------
    estimator_ : estimator
        The weak learner prototype.
    estimators_ : list of estimators
        The fitted weak learners.
    estimator_weights_ : ndarray of shape (n_estimators,)
        Each learner's weight ``learning_rate * log(1 / beta)``.
    estimator_errors_ : ndarray of shape (n_estimators,)
        Each learner's weighted loss.
    n_features_in_ : int
        Number of features seen in fit.
    feature_importances_ : ndarray of shape (n_features,)
        Weight-averaged impurity importances of the learners.

    See Also
    --------
    AdaBoostClassifier : SAMME for classification.
    sklearn.ensemble.AdaBoostRegressor : The scikit-learn estimator mirrored.

    Notes
    -----
    AdaBoost.R2 (Drucker 1997): with ``L_i`` the loss of row i scaled to [0, 1] and
    ``err = sum_i w_i L_i``, ``beta = err / (1 - err)``; rows are reweighted by
    ``beta ** ((1 - L_i) * learning_rate)`` and the learner weighs ``learning_rate * log(1/beta)``.
    Boosting stops when ``err >= 0.5``. The weighted median runs in a parallel Numba kernel.

    References
    ----------
    .. [1] Drucker, H. "Improving Regressors using Boosting Techniques". ICML 1997.

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.ensemble import AdaBoostRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = AdaBoostRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> bool(reg.score(X, y) > 0.5)
    True
    """

    _parameter_constraints: dict = {
        **_BaseWeightBoosting._parameter_constraints,
        "loss": [StrOptions({"linear", "square", "exponential"})],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        loss="linear",
        random_state=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.random_state = random_state

    def _default_estimator(self):
        from ..tree import DecisionTreeRegressor

        return DecisionTreeRegressor(max_depth=3)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Build the boosted ensemble from (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Initial row weights (normalised to sum to 1); None means uniform.

        Returns
        -------
        self : AdaBoostRegressor
            The fitted ensemble.
        """
        X, y = validate_data(self, X, y, dtype=None, y_numeric=True)
        return self._fit_boosting(X, y, sample_weight)

    def _boost(self, iboost, est, X, y, sample_weight, rng, estimators):
        n = X.shape[0]
        idx = rng.choice(np.arange(n), size=n, replace=True, p=sample_weight)
        est.fit(X[idx], y[idx])
        estimators.append(est)
        err = np.abs(est.predict(X) - y)
        mask = sample_weight > 0
        w, e = sample_weight[mask], err[mask]
        top = e.max()
        if top != 0:
            e = e / top
        if self.loss == "square":
            e = e**2
        elif self.loss == "exponential":
            e = 1.0 - np.exp(-e)
        error = float((w * e).sum())
        if error <= 0:
            return sample_weight, 1.0, 0.0
        if error >= 0.5:
            if len(estimators) > 1:
                estimators.pop()
            return None, None, None
        beta = error / (1.0 - error)
        weight = self.learning_rate * np.log(1.0 / beta)
        if iboost != self.n_estimators - 1:
            sample_weight[mask] *= np.power(beta, (1.0 - e) * self.learning_rate)
        return sample_weight, weight, error

    def _median(self, X, limit):
        ests = self.estimators_[:limit]
        preds = np.ascontiguousarray(np.array([e.predict(X) for e in ests], dtype=np.float64).T)
        w = np.ascontiguousarray(self.estimator_weights_[: len(ests)], dtype=np.float64)
        out = np.empty(X.shape[0])
        kernels("boosting").weighted_median(preds, w, out)
        return out

    def predict(self, X):
        """The weighted median of the learners' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predictions.
        """
        X = self._validate_X_predict(X)
        return self._median(X, len(self.estimators_))

    def staged_predict(self, X):
        """Yield the predictions after each boosting round.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Yields
        ------
        y : ndarray of shape (n_samples,)
            As :meth:`predict` with the first rounds only.
        """
        X = self._validate_X_predict(X)
        for m in range(1, len(self.estimators_) + 1):
            yield self._median(X, m)

"""RANSAC (RANdom SAmple Consensus) regression, with batched trials for linear models."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    MetaEstimatorMixin,
    MultiOutputMixin,
    RegressorMixin,
    clone,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from pai_algos_native import kernels

from ..base import History, numba_threads
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    Options,
    RealNotInt,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)
from ._base import LinearRegression

__all__ = ["RANSACRegressor"]

_EPSILON = float(np.spacing(1))
# Trials computed together by the parallel kernel (the extra ones past the stopping trial
# are wasted work, never results: they come after it in scikit-learn's order).
_BATCH = 16


def _dynamic_max_trials(n_inliers, n_samples, min_samples, probability):
    """Trials needed to draw one outlier-free subset with ``probability`` (Fischler 1981)."""
    inlier_ratio = n_inliers / float(n_samples)
    nom = max(_EPSILON, 1 - probability)
    denom = max(_EPSILON, 1 - inlier_ratio**min_samples)
    if nom == 1:
        return 0
    if denom == 1:
        return float("inf")
    return abs(float(np.ceil(np.log(nom) / np.log(denom))))


def _loss_function(loss, ndim):
    if callable(loss):
        return loss
    if loss == "absolute_error":
        if ndim == 1:
            return lambda y_true, y_pred: np.abs(y_true - y_pred)
        return lambda y_true, y_pred: np.sum(np.abs(y_true - y_pred), axis=1)
    if ndim == 1:
        return lambda y_true, y_pred: (y_true - y_pred) ** 2
    return lambda y_true, y_pred: np.sum((y_true - y_pred) ** 2, axis=1)


class RANSACRegressor(MetaEstimatorMixin, RegressorMixin, MultiOutputMixin, BaseEstimator):
    """RANSAC: fit a regressor to the largest consensus set of random minimal subsets.

    A drop-in for :class:`sklearn.linear_model.RANSACRegressor`, with the same subsets for
    the same ``random_state``. With the default estimator (our
    :class:`~pai_algos.linear_model.LinearRegression`) the trials run in batches in a
    parallel Numba kernel: each solves its subset's least squares, counts its inliers over
    all rows and scores them, without copying the data; the trials are then accepted in
    scikit-learn's order, so the consensus set is the one scikit-learn finds. Any other
    estimator is fitted trial by trial, as scikit-learn does.

    Parameters
    ----------
    estimator : object, default=None
        Base regressor with ``fit``, ``score`` and ``predict``; None means
        :class:`~pai_algos.linear_model.LinearRegression`.
    min_samples : int (>= 1) or float ([0, 1]), default=None
        Rows per random subset: a count, or a fraction of ``n_samples``; None means
        ``n_features + 1`` (only for a linear regression estimator).
    residual_threshold : float, default=None
        Largest loss of an inlier; None means the median absolute deviation of ``y``.
    is_data_valid : callable, default=None
        ``is_data_valid(X_subset, y_subset)``: skip the subset when it returns False.
    is_model_valid : callable, default=None
        ``is_model_valid(estimator, X_subset, y_subset)``: skip the model when False.
    max_trials : int, default=100
        Maximum number of random subsets.
    max_skips : int, default=np.inf
        Maximum number of skipped trials (no better consensus, invalid data or model).
    stop_n_inliers : int, default=np.inf
        Stop once this many inliers are found.
    stop_score : float, default=np.inf
        Stop once the score of a consensus set reaches it.
    stop_probability : float in range [0, 1], default=0.99
        Stop once an outlier-free subset has been drawn with this probability (it lowers
        ``max_trials`` as the inlier ratio is learnt).
    loss : {"absolute_error", "squared_error"} or callable, default="absolute_error"
        Loss per sample compared with ``residual_threshold``; a callable takes
        ``(y_true, y_pred)`` and returns one value per sample.
    random_state : int, RandomState instance or None, default=None
        Draws the subsets.

    Attributes
    ----------
    estimator_ : object
        The estimator fitted on the final consensus set.
    n_trials_ : int
        Number of trials run.
    inlier_mask_ : ndarray of shape (n_samples,), dtype=bool
        The final consensus set.
    n_skips_no_inliers_ : int
        Trials skipped for finding fewer inliers than the best so far.
    n_skips_invalid_data_ : int
        Trials skipped by ``is_data_valid``.
    n_skips_invalid_model_ : int
        Trials skipped by ``is_model_valid``.
    history_ : dict of list
        Per evaluated trial: ``iteration``, ``seconds``, ``n_inliers`` and ``score`` (the
        :math:`R^2` of the trial's model on its inliers; NaN for a trial with fewer inliers
        than the best so far, which is not scored).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.RANSACRegressor : The scikit-learn estimator this one mirrors.
    TheilSenRegressor : Robust fit by the spatial median of subset solutions.

    Notes
    -----
    Each trial fits the model to a random subset of ``min_samples`` rows and takes as its
    consensus set the rows with loss at most the threshold; a trial replaces the best one
    when it has more inliers, or as many with a higher :math:`R^2` on them. After a new
    best with inlier ratio :math:`w`, the number of trials is capped at
    :math:`\\lceil \\log(1 - p) / \\log(1 - w^m) \\rceil` for ``stop_probability``
    :math:`p` and ``min_samples`` :math:`m` (Fischler and Bolles 1981). The final model is
    refitted on the best consensus set. In the batched linear path a subset's least squares
    is a Householder QR of the subset centred by its means (LAPACK's minimum-norm solver
    when the subset is rank-deficient).

    References
    ----------
    .. [1] Fischler, M. A. and Bolles, R. C., "Random sample consensus: a paradigm for model
       fitting with applications to image analysis and automated cartography",
       Communications of the ACM 24(6), 381-395 (1981).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.linear_model import RANSACRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = X @ np.array([2.0, -1.0]) + 0.01 * rng.normal(size=200)
    >>> y[:20] += 30.0
    >>> reg = RANSACRegressor(random_state=0).fit(X, y)
    >>> int(reg.inlier_mask_.sum()), bool(reg.inlier_mask_[:20].any())
    (180, False)
    >>> reg.estimator_.coef_.round(2)
    array([ 2., -1.])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score", "predict"]), None],
        "min_samples": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="both"),
            None,
        ],
        "residual_threshold": [Interval(Real, 0, None, closed="left"), None],
        "is_data_valid": [callable, None],
        "is_model_valid": [callable, None],
        "max_trials": [Interval(Integral, 0, None, closed="left"), Options(Real, {np.inf})],
        "max_skips": [Interval(Integral, 0, None, closed="left"), Options(Real, {np.inf})],
        "stop_n_inliers": [
            Interval(Integral, 0, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "stop_score": [Interval(Real, None, None, closed="both")],
        "stop_probability": [Interval(Real, 0, 1, closed="both")],
        "loss": [StrOptions({"absolute_error", "squared_error"}), callable],
        "random_state": ["random_state"],
    }

    _fast_params = {"max_trials": 10}
    _expected_failed_checks = {
        "check_sample_weight_equivalence_on_dense_data": (
            "random subsets: weights are not equivalent to repeating rows (as scikit-learn)"
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "random subsets: weights are not equivalent to repeating rows (as scikit-learn)"
        ),
    }

    def __init__(
        self,
        estimator=None,
        *,
        min_samples=None,
        residual_threshold=None,
        is_data_valid=None,
        is_model_valid=None,
        max_trials=100,
        max_skips=np.inf,
        stop_n_inliers=np.inf,
        stop_score=np.inf,
        stop_probability=0.99,
        loss="absolute_error",
        random_state=None,
    ):
        self.estimator = estimator
        self.min_samples = min_samples
        self.residual_threshold = residual_threshold
        self.is_data_valid = is_data_valid
        self.is_model_valid = is_model_valid
        self.max_trials = max_trials
        self.max_skips = max_skips
        self.stop_n_inliers = stop_n_inliers
        self.stop_score = stop_score
        self.stop_probability = stop_probability
        self.loss = loss
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit the estimator by RANSAC.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights passed to the estimator's fit on every subset (the estimator must
            accept them).

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            If no valid consensus set is found.
        """
        linear = self.estimator is None or isinstance(
            self.estimator, (LinearRegression, SkLinearRegression)
        )
        finite = True if linear else "allow-nan"
        X, y = validate_data(
            self,
            X,
            y,
            validate_separately=(
                {"accept_sparse": "csr", "ensure_all_finite": finite},
                {"ensure_2d": False, "ensure_all_finite": finite},
            ),
        )
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]"
            )
        estimator = LinearRegression() if self.estimator is None else clone(self.estimator)
        n_samples = X.shape[0]
        if self.min_samples is None:
            if not linear:
                raise ValueError(
                    "`min_samples` needs to be explicitly set when estimator is not a "
                    "LinearRegression."
                )
            min_samples = X.shape[1] + 1
        elif 0 < self.min_samples < 1:
            min_samples = int(np.ceil(self.min_samples * n_samples))
        else:
            min_samples = int(self.min_samples)
        if min_samples < 1:
            raise ValueError(
                f"`min_samples` must give at least one sample, got {self.min_samples} with "
                f"n_samples = {n_samples}."
            )
        if min_samples > n_samples:
            raise ValueError(
                f"`min_samples` may not be larger than number of samples: n_samples = {n_samples}."
            )
        if self.residual_threshold is None:
            threshold = float(np.median(np.abs(y - np.median(y))))
        else:
            threshold = float(self.residual_threshold)
        random_state = check_random_state(self.random_state)
        try:  # not every estimator takes a random_state
            estimator.set_params(random_state=random_state)
        except ValueError:
            pass
        if sample_weight is not None:
            if not has_fit_parameter(estimator, "sample_weight"):
                raise ValueError(
                    f"{type(estimator).__name__} does not support sample_weight. Sample "
                    "weights are only used for the calibration itself."
                )
            sample_weight = _check_sample_weight(sample_weight, X)
        fast = (
            isinstance(estimator, LinearRegression)
            and not estimator.positive
            and not sp.issparse(X)
            and y.ndim == 1
            and isinstance(self.loss, str)
            and self.is_data_valid is None
            and self.is_model_valid is None
            and sample_weight is None
        )
        self.n_skips_no_inliers_ = 0
        self.n_skips_invalid_data_ = 0
        self.n_skips_invalid_model_ = 0
        self.n_trials_ = 0
        history = History()
        if fast:
            best = self._trials_batched(
                estimator, X, y, min_samples, threshold, random_state, history
            )
        else:
            best = self._trials_generic(
                estimator, X, y, sample_weight, min_samples, threshold, random_state, history
            )
        n_skips = self.n_skips_no_inliers_ + self.n_skips_invalid_data_
        n_skips += self.n_skips_invalid_model_
        if best is None:
            if n_skips > self.max_skips:
                raise ValueError(
                    "RANSAC skipped more iterations than `max_skips` without finding a valid "
                    "consensus set. Iterations were skipped because each randomly chosen "
                    "sub-sample failed the passing criteria. See estimator attributes for "
                    "diagnostics (n_skips*)."
                )
            raise ValueError(
                "RANSAC could not find a valid consensus set. All `max_trials` iterations "
                "were skipped because each randomly chosen sub-sample failed the passing "
                "criteria. See estimator attributes for diagnostics (n_skips*)."
            )
        if n_skips > self.max_skips:
            warnings.warn(
                "RANSAC found a valid consensus set but exited early due to skipping more "
                "iterations than `max_skips`. See estimator attributes for diagnostics "
                "(n_skips*).",
                ConvergenceWarning,
                stacklevel=2,
            )
        inlier_idx = np.flatnonzero(best)
        fit_params = {}
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight[inlier_idx]
        estimator.fit(X[inlier_idx], y[inlier_idx], **fit_params)
        self.estimator_ = estimator
        self.inlier_mask_ = best
        self.history_ = history.as_dict()
        return self

    def _skips(self):
        return self.n_skips_no_inliers_ + self.n_skips_invalid_data_ + self.n_skips_invalid_model_

    def _trials_batched(self, estimator, X, y, min_samples, threshold, random_state, history):
        """The trial loop of a linear model: trials computed in parallel batches by the
        kernel, then accepted one by one in scikit-learn's order. Returns the best mask."""
        module = kernels("linear_robust", "cpu")
        X = np.ascontiguousarray(X)
        yf = np.ascontiguousarray(y, dtype=np.float64)
        n_samples, n_features = X.shape
        squared = self.loss == "squared_error"
        fit_intercept = bool(estimator.fit_intercept)
        n_inliers_best, score_best = 1, -np.inf
        coef_best, intercept_best = None, 0.0
        max_trials = self.max_trials
        results, pos = None, 0
        with numba_threads(None):
            while self.n_trials_ < max_trials:
                if results is None or pos == len(results[0]):
                    size = int(min(_BATCH, max_trials - self.n_trials_))
                    subsets = np.array(
                        [
                            sample_without_replacement(
                                n_samples, min_samples, random_state=random_state
                            )
                            for _ in range(size)
                        ],
                        dtype=np.int64,
                    ).reshape(size, min_samples)
                    coef = np.empty((size, n_features))
                    intercept = np.empty(size)
                    n_inl = np.empty(size, dtype=np.int64)
                    score = np.empty(size)
                    module.ransac_trials(
                        X, yf, subsets, fit_intercept, threshold, squared,
                        coef, intercept, n_inl, score,
                    )  # fmt: skip
                    results, pos = (coef, intercept, n_inl, score), 0
                t = pos
                pos += 1
                self.n_trials_ += 1
                if self._skips() > self.max_skips:
                    break
                n_inliers, sc = int(results[2][t]), results[3][t]
                if n_inliers < n_inliers_best:
                    history.record(n_inliers=n_inliers, score=np.nan)
                    self.n_skips_no_inliers_ += 1
                    continue
                history.record(n_inliers=n_inliers, score=sc)
                if n_inliers == n_inliers_best and sc < score_best:
                    continue
                n_inliers_best, score_best = n_inliers, sc
                coef_best, intercept_best = results[0][t].copy(), results[1][t]
                max_trials = min(
                    max_trials,
                    _dynamic_max_trials(
                        n_inliers_best, n_samples, min_samples, self.stop_probability
                    ),
                )
                if n_inliers_best >= self.stop_n_inliers or score_best >= self.stop_score:
                    break
        if coef_best is None:
            return None
        mask = np.empty(n_samples, dtype=np.bool_)
        module.residual_mask(X, yf, coef_best, intercept_best, threshold, squared, mask)
        return mask

    def _trials_generic(self, estimator, X, y, sample_weight, min_samples, threshold, rs, history):
        """scikit-learn's trial loop, for any estimator. Returns the best mask."""
        loss_function = _loss_function(self.loss, y.ndim)
        n_samples = X.shape[0]
        n_inliers_best, score_best, mask_best = 1, -np.inf, None
        max_trials = self.max_trials
        while self.n_trials_ < max_trials:
            self.n_trials_ += 1
            if self._skips() > self.max_skips:
                break
            subset = sample_without_replacement(n_samples, min_samples, random_state=rs)
            X_subset, y_subset = X[subset], y[subset]
            if self.is_data_valid is not None and not self.is_data_valid(X_subset, y_subset):
                self.n_skips_invalid_data_ += 1
                continue
            params = {} if sample_weight is None else {"sample_weight": sample_weight[subset]}
            estimator.fit(X_subset, y_subset, **params)
            if self.is_model_valid is not None and not self.is_model_valid(
                estimator, X_subset, y_subset
            ):
                self.n_skips_invalid_model_ += 1
                continue
            mask = loss_function(y, estimator.predict(X)) <= threshold
            n_inliers = int(np.sum(mask))
            if n_inliers < n_inliers_best:
                history.record(n_inliers=n_inliers, score=np.nan)
                self.n_skips_no_inliers_ += 1
                continue
            idx = np.flatnonzero(mask)
            score = estimator.score(X[idx], y[idx])
            history.record(n_inliers=n_inliers, score=score)
            if n_inliers == n_inliers_best and score < score_best:
                continue
            n_inliers_best, score_best, mask_best = n_inliers, score, mask
            max_trials = min(
                max_trials,
                _dynamic_max_trials(n_inliers_best, n_samples, min_samples, self.stop_probability),
            )
            if n_inliers_best >= self.stop_n_inliers or score_best >= self.stop_score:
                break
        return mask_best

    def predict(self, X):
        """Predict with the estimator fitted on the consensus set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite=False, accept_sparse=True, reset=False)
        return self.estimator_.predict(X)

    def score(self, X, y):
        """Score of the estimator fitted on the consensus set.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        Returns
        -------
        score : float
            ``estimator_.score(X, y)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, ensure_all_finite=False, accept_sparse=True, reset=False)
        return self.estimator_.score(X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is None:
            tags.input_tags.sparse = True
        else:
            tags.input_tags.sparse = get_tags(self.estimator).input_tags.sparse
        return tags

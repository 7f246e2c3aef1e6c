"""Gaussian naive Bayes."""

from __future__ import annotations

from numbers import Real

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..utils._sklearn_compat import Interval, _check_sample_weight, _fit_context, validate_data

__all__ = ["GaussianNB"]


def _check_partial_fit_first_call(clf, classes):
    """Set ``classes_`` on the first partial_fit call; True when this call is the first."""
    if getattr(clf, "classes_", None) is None and classes is None:
        raise ValueError("classes must be passed on the first call to partial_fit.")
    if classes is not None:
        if getattr(clf, "classes_", None) is not None:
            if not np.array_equal(clf.classes_, unique_labels(classes)):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call "
                    f"to partial_fit, was: {clf.classes_!r}"
                )
        else:
            clf.classes_ = unique_labels(classes)
            return True
    return False


def _float_dtype(X):
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


class GaussianNB(ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes, with online updates through :meth:`partial_fit`.

    Each feature is modelled, within each class, by an independent normal distribution whose
    mean and variance are the class's (weighted) sample mean and variance. A drop-in for
    :class:`sklearn.naive_bayes.GaussianNB` (same parameters, attributes and predictions) whose
    per-class statistics and log-likelihoods come from parallel Numba kernels.

    Parameters
    ----------
    priors : array-like of shape (n_classes,), default=None
        Prior probabilities of the classes. If given, they are not adjusted to the data.
    var_smoothing : float, default=1e-9
        Portion of the largest variance of all features added to the variances, for
        numerical stability.

    Attributes
    ----------
    class_count_ : ndarray of shape (n_classes,)
        Number of training samples (sum of sample weights) observed in each class.
    class_prior_ : ndarray of shape (n_classes,)
        Probability of each class.
    classes_ : ndarray of shape (n_classes,)
        Class labels known to the classifier.
    epsilon_ : float
        Absolute additive value to the variances.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    var_ : ndarray of shape (n_classes, n_features)
        Variance of each feature per class (``epsilon_`` included).
    theta_ : ndarray of shape (n_classes, n_features)
        Mean of each feature per class.

    See Also
    --------
    sklearn.naive_bayes.GaussianNB : The scikit-learn estimator this one mirrors.

    Notes
    -----
    The joint log-likelihood of a sample :math:`x` and class :math:`c` is

    .. math:: \\log P(c) - \\frac{1}{2} \\sum_j \\left[\\log(2 \\pi \\sigma^2_{cj})
              + (x_j - \\theta_{cj})^2 / \\sigma^2_{cj}\\right].

    Per-class means and sums of squared deviations are accumulated in float64 in one read
    of the data (a corrected two-pass sum inside each cache-sized block) and merged across
    blocks, threads and ``partial_fit`` batches with the pairwise update of Chan, Golub and
    LeVeque [1]_. Like scikit-learn, float32 input gives float32 attributes and outputs
    (computed in float64 internally).

    A single class is accepted, as scikit-learn does: every prediction is that class, with
    probability 1.

    References
    ----------
    .. [1] T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a pairwise
       algorithm for computing sample variances", Stanford CS tech report STAN-CS-79-773,
       1979.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.naive_bayes import GaussianNB
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> y = np.array([1, 1, 1, 2, 2, 2])
    >>> clf = GaussianNB().fit(X, y)
    >>> clf.predict([[-0.8, -1]])
    array([1])
    >>> clf_pf = GaussianNB().partial_fit(X, y, classes=np.unique(y))
    >>> clf_pf.predict([[-0.8, -1]])
    array([1])
    """

    _parameter_constraints: dict = {
        "priors": ["array-like", None],
        "var_smoothing": [Interval(Real, 0, None, closed="left")],
    }

    _preserves_float32 = True

    def __init__(self, *, priors=None, var_smoothing=1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit Gaussian naive Bayes to X, y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights applied to individual samples (1. for unweighted).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        y = validate_data(self, y=y)
        return self._partial_fit(X, y, np.unique(y), refit=True, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one batch of samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training vectors.
        y : array-like of shape (n_samples,)
            Target values.
        classes : array-like of shape (n_classes,), default=None
            Every class that can appear in y. Required on the first call, optional later.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights applied to individual samples (1. for unweighted).

        Returns
        -------
        self : object
            The updated classifier.
        """
        return self._partial_fit(X, y, classes, refit=False, sample_weight=sample_weight)

    def _partial_fit(self, X, y, classes, refit, sample_weight):
        if refit:
            self.classes_ = None
        first_call = _check_partial_fit_first_call(self, classes)
        X, y = validate_data(self, X, y, reset=first_call)
        dtype = _float_dtype(X)
        Xk = np.ascontiguousarray(X, dtype=X.dtype if X.dtype == dtype else np.float64)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
        n_classes, n_features = self.classes_.shape[0], X.shape[1]

        if first_call:
            priors = None
            if self.priors is not None:
                priors = np.asarray(self.priors, dtype=dtype)
                if priors.shape[0] != n_classes:
                    raise ValueError("Number of priors must match number of classes.")
                if not np.isclose(priors.sum(), 1.0):
                    raise ValueError("The sum of the priors should be 1.")
                if (priors < 0).any():
                    raise ValueError("Priors must be non-negative.")
        elif n_features != self.theta_.shape[1]:
            raise ValueError(
                f"Number of features {n_features} does not match previous data "
                f"{self.theta_.shape[1]}."
            )

        y_idx = np.minimum(np.searchsorted(self.classes_, y), n_classes - 1).astype(np.int64)
        unknown = self.classes_[y_idx] != y
        if unknown.any():
            raise ValueError(
                f"The target label(s) {np.unique(y[unknown])} in y do not exist in the "
                f"initial classes {self.classes_}"
            )

        nb = kernels("naive_bayes")
        weights = (
            np.empty(0)
            if sample_weight is None
            else np.ascontiguousarray(sample_weight, np.float64)
        )
        count, mean, m2 = nb.class_moments(Xk, y_idx, n_classes, weights)
        epsilon = self.var_smoothing * self._max_variance(Xk, count, mean, m2, weights)

        if first_call:
            old_count = np.zeros(n_classes)
            old_mean = np.zeros((n_classes, n_features))
            old_m2 = np.zeros((n_classes, n_features))
        else:
            old_count = np.asarray(self.class_count_, dtype=np.float64)
            old_mean = np.asarray(self.theta_, dtype=np.float64)
            # scikit-learn takes the *new* batch's epsilon back out of the stored variances
            # (not the one that was added); we do the same so that both give one model
            old_var = np.asarray(self.var_ - dtype.type(epsilon), dtype=np.float64)
            old_m2 = old_var * old_count[:, None]
        class_count = old_count + count
        # a class whose new weight is (close to) zero keeps its statistics, as in scikit-learn
        count = np.where(np.isclose(count, 0.0), 0.0, count)
        new_count, new_mean, new_m2 = nb.merge_class_moments(
            old_count, old_mean, old_m2, count, mean, m2
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.where(new_count[:, None] > 0, new_m2 / new_count[:, None], 0.0)
        if not first_call:
            # classes absent from this batch keep their variance exactly
            untouched = count == 0.0
            var[untouched] = old_var[untouched]

        self.epsilon_ = dtype.type(epsilon)
        self.theta_ = new_mean.astype(dtype)
        self.var_ = (var + epsilon).astype(dtype)
        self.class_count_ = class_count.astype(dtype)
        if first_call and priors is not None:
            self.class_prior_ = priors
        elif self.priors is None:
            self.class_prior_ = (class_count / class_count.sum()).astype(dtype)
        return self

    @staticmethod
    def _max_variance(X, count, mean, m2, weights):
        """Largest (unweighted) variance of the features of X, as scikit-learn's epsilon."""
        if weights.shape[0] > 0:
            zeros = np.zeros(X.shape[0], dtype=np.int64)
            _, _, tm2 = kernels("naive_bayes").class_moments(X, zeros, 1, np.empty(0))
            return float(np.max(tm2[0] / X.shape[0]))
        total = count.sum()
        grand = (count[:, None] * mean).sum(axis=0) / total
        tm2 = m2.sum(axis=0) + (count[:, None] * (mean - grand) ** 2).sum(axis=0)
        return float(np.max(tm2 / total))

    def _joint_log_likelihood(self, X):
        dtype = _float_dtype(X)
        Xk = np.ascontiguousarray(X, dtype=X.dtype if X.dtype == dtype else np.float64)
        out_dtype = np.result_type(dtype, self.theta_.dtype)
        out = np.empty((X.shape[0], self.classes_.shape[0]), dtype=out_dtype)
        with np.errstate(divide="ignore"):
            log_prior = np.log(np.asarray(self.class_prior_, dtype=np.float64))
        kernels("naive_bayes").joint_log_likelihood(
            Xk,
            np.ascontiguousarray(self.theta_, dtype=np.float64),
            np.ascontiguousarray(self.var_, dtype=np.float64),
            log_prior,
            out,
        )
        return out

    def _check_X(self, X):
        return validate_data(self, X, reset=False)

    def predict_joint_log_proba(self, X):
        """Joint log-probability ``log P(x, c) = log P(c) + log P(x | c)`` of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        C : ndarray of shape (n_samples, n_classes)
            Joint log-probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self._joint_log_likelihood(self._check_X(X))

    def predict(self, X):
        """Predict the class of each sample of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        C : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        check_is_fitted(self)
        jll = self._joint_log_likelihood(self._check_X(X))
        return self.classes_[np.argmax(jll, axis=1)]

    def predict_log_proba(self, X):
        """Log-probability of each class for each sample of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        C : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        jll = self._joint_log_likelihood(self._check_X(X))
        return jll - logsumexp(jll, axis=1, keepdims=True).astype(jll.dtype, copy=False)

    def predict_proba(self, X):
        """Probability of each class for each sample of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        C : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

"""Linear discriminant analysis on class moments computed by one parallel kernel pass."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy import linalg
from scipy.special import expit
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from ..linear_model._linear_classifier import _LinearClassifierMixin
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from ._base import _check_priors, _covariances, _moments, _total_moments

__all__ = ["LinearDiscriminantAnalysis"]


class LinearDiscriminantAnalysis(
    ClassNamePrefixFeaturesOutMixin,
    _LinearClassifierMixin,
    ClassifierMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Linear discriminant analysis: Gaussian classes sharing one covariance matrix.

    A drop-in for :class:`sklearn.discriminant_analysis.LinearDiscriminantAnalysis`: the
    class counts, means and within-class scatter come from one parallel Numba pass over the
    data; the small dense linear algebra is scipy's, following scikit-learn's steps, so
    predictions and probabilities agree with scikit-learn's (``scalings_`` and
    :meth:`transform` up to the sign of each direction).

    Parameters
    ----------
    solver : {"svd", "lsqr", "eigen"}, default="svd"
        "svd" decomposes the within-class residuals (no covariance matrix needed; the
        default); "lsqr" solves ``Sigma w = mu`` (classification only); "eigen" solves the
        generalised eigenproblem of the between- and within-class scatter.
    shrinkage : "auto" or float, default=None
        Shrinkage of the covariance toward a scaled identity ("lsqr" and "eigen" only):
        "auto" uses the Ledoit-Wolf lemma on standardised data, a float in [0, 1] a fixed
        amount.
    priors : array-like of shape (n_classes,), default=None
        Class priors; estimated from the class frequencies when None.
    n_components : int, default=None
        Dimensions kept by :meth:`transform` (at most ``min(n_classes - 1, n_features)``).
    store_covariance : bool, default=False
        Also store ``covariance_`` with the "svd" solver (the other solvers always do).
    tol : float, default=1e-4
        Singular values below ``tol`` (relative to the largest, in the second step) are
        dropped by the "svd" solver.
    covariance_estimator : None, default=None
        Only None (the empirical covariance, with optional ``shrinkage``) is supported; a
        covariance estimator raises ``NotImplementedError``.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights of the linear decision functions.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Their intercepts.
    covariance_ : ndarray of shape (n_features, n_features)
        Prior-weighted within-class covariance ("lsqr", "eigen", or ``store_covariance``).
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Share of the between-class variance explained by each discriminant direction
        ("svd" and "eigen").
    means_ : ndarray of shape (n_classes, n_features)
        Class means.
    priors_ : ndarray of shape (n_classes,)
        Class priors (they sum to one).
    scalings_ : ndarray of shape (rank, n_classes - 1)
        The discriminant directions ("svd" and "eigen").
    xbar_ : ndarray of shape (n_features,)
        Prior-weighted overall mean ("svd").
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : The estimator mirrored.
    QuadraticDiscriminantAnalysis : One covariance matrix per class.

    Notes
    -----
    Class ``k`` has density :math:`N(\\mu_k, \\Sigma)`; Bayes' rule gives the linear scores
    :math:`\\delta_k(x) = x^T \\Sigma^{-1} \\mu_k - \\tfrac12 \\mu_k^T \\Sigma^{-1} \\mu_k +
    \\log \\pi_k` ([1]_, eq. 4.10). The kernel computes per-class counts, means and centred
    scatter :math:`S_k = \\sum_{i \\in k} (x_i - \\mu_k)(x_i - \\mu_k)^T` in one pass over
    row chunks (Welford within a chunk, Chan et al.'s pairwise merge across chunks, in a fixed
    order), so the result does not depend on the thread count. The "svd" solver follows
    scikit-learn's two steps ([1]_, section 4.3.3): the within-class residuals scaled by the
    within-class standard deviations (whose singular values and right vectors come from the
    eigendecomposition of the scaled scatter, no second pass over the data), then the scaled
    class centres; "eigen" solves :math:`S_b v = \\lambda S_w v`
    ([3]_, section 3.8.3); "lsqr" solves :math:`\\Sigma w_k = \\mu_k` ([3]_, section 2.6.2).
    float32 input gives float32 attributes and outputs.

    References
    ----------
    .. [1] Hastie, T., Tibshirani, R. and Friedman, J., "The Elements of Statistical
       Learning", 2nd ed., Springer (2009), section 4.3.
    .. [2] Chan, T. F., Golub, G. H. and LeVeque, R. J., "Algorithms for computing the sample
       variance", The American Statistician 37, 242-247 (1983).
    .. [3] Duda, R. O., Hart, P. E. and Stork, D. G., "Pattern Classification", 2nd ed.,
       Wiley (2001).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.discriminant_analysis import LinearDiscriminantAnalysis
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> y = np.array([1, 1, 1, 2, 2, 2])
    >>> clf = LinearDiscriminantAnalysis().fit(X, y)
    >>> clf.predict([[-0.8, -1]])
    array([1])
    >>> clf.transform(X).shape
    (6, 1)
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions({"svd", "lsqr", "eigen"})],
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both"), None],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "priors": ["array-like", None],
        "store_covariance": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "covariance_estimator": [None, object],
    }

    _preserves_float32 = True

    def __init__(
        self,
        solver="svd",
        shrinkage=None,
        priors=None,
        n_components=None,
        store_covariance=False,
        tol=1e-4,
        covariance_estimator=None,
    ):
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.n_components = n_components
        self.store_covariance = store_covariance
        self.tol = tol
        self.covariance_estimator = covariance_estimator

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : LinearDiscriminantAnalysis
            The fitted estimator.
        """
        if self.covariance_estimator is not None:
            raise NotImplementedError(
                "covariance_estimator is not supported in pai_algos; use "
                "covariance_estimator=None with shrinkage."
            )
        X, y = validate_data(
            self, X, y, ensure_min_samples=2, dtype=[np.float64, np.float32], order="C"
        )
        classes = unique_labels(y)
        y_index = np.searchsorted(classes, y).astype(np.int64)
        n_samples, n_features = X.shape
        n_classes = classes.shape[0]
        if n_samples == n_classes:
            raise ValueError("The number of samples must be more than the number of classes.")
        max_components = min(n_classes - 1, n_features)
        if self.n_components is not None and self.n_components > max_components:
            raise ValueError("n_components cannot be larger than min(n_features, n_classes - 1).")
        if self.solver == "svd" and self.shrinkage is not None:
            raise NotImplementedError("shrinkage not supported with 'svd' solver.")

        counts, means, scatter = _moments(X, y_index, n_classes)
        priors = _check_priors(self.priors, counts, X.dtype).astype(np.float64)
        self.classes_ = classes
        self._max_components = max_components if self.n_components is None else self.n_components
        if self.solver == "svd":
            coef, intercept = self._solve_svd(X, counts, means, scatter, priors)
        else:
            cov = _covariances(X, y_index, n_classes, counts, means, scatter, self.shrinkage)
            self.covariance_ = np.tensordot(priors, cov, axes=1)
            if self.solver == "lsqr":
                coef = linalg.lstsq(self.covariance_, means.T)[0].T
            else:
                coef = self._solve_eigen(X, counts, means, scatter)
            intercept = -0.5 * np.diag(means @ coef.T) + np.log(priors)
        if n_classes == 2:
            coef = (coef[1] - coef[0]).reshape(1, -1)
            intercept = np.array([intercept[1] - intercept[0]])
        dtype = X.dtype
        self.priors_ = priors.astype(dtype)
        self.means_ = means.astype(dtype)
        self.coef_ = coef.astype(dtype)
        self.intercept_ = intercept.astype(dtype)
        if hasattr(self, "scalings_"):
            self.scalings_ = self.scalings_.astype(dtype)
        if hasattr(self, "xbar_"):
            self.xbar_ = self.xbar_.astype(dtype)
        self._n_features_out = self._max_components
        return self

    def _solve_svd(self, X, counts, means, scatter, priors):
        n_samples = X.shape[0]
        n_classes = means.shape[0]
        if self.store_covariance:
            self.covariance_ = np.tensordot(priors, scatter / counts[:, None, None], axes=1)
        xbar = priors @ means
        within = scatter.sum(axis=0)
        std = np.sqrt(np.diag(within) / n_samples)
        std[std == 0] = 1.0
        # scikit-learn takes the SVD of the (n_samples, n_features) within-class residuals
        # R = (x_i - mu_{y_i}) / (std sqrt(n)); R^T R is the scaled scatter the kernel gave,
        # so its eigendecomposition yields the same S**2 and V without a second pass
        gram = within / np.outer(std, std) / n_samples
        evals, evecs = linalg.eigh(gram)
        evals, evecs = evals[::-1], evecs[:, ::-1]
        S = np.sqrt(np.maximum(evals, 0.0))
        Vt = evecs.T
        rank = int(np.sum(S > self.tol))
        scalings = (Vt[:rank, :] / std).T / S[:rank]
        fac = 1.0 if n_classes == 1 else 1.0 / (n_classes - 1)
        centres = (np.sqrt(n_samples * priors * fac) * (means - xbar).T).T @ scalings
        _, S, Vt = linalg.svd(centres, full_matrices=False)
        if self._max_components == 0:
            self.explained_variance_ratio_ = np.empty((0,), dtype=X.dtype)
        else:
            ratio = (S**2 / np.sum(S**2))[: self._max_components]
            self.explained_variance_ratio_ = ratio.astype(X.dtype)
        rank = int(np.sum(S > self.tol * S[0]))
        self.scalings_ = scalings @ Vt.T[:, :rank]
        coef = (means - xbar) @ self.scalings_
        intercept = -0.5 * np.sum(coef**2, axis=1) + np.log(priors)
        coef = coef @ self.scalings_.T
        intercept -= xbar @ coef.T
        self.xbar_ = xbar
        return coef, intercept

    def _solve_eigen(self, X, counts, means, scatter):
        n, mean, total = _total_moments(counts, means, scatter)
        St = _covariances(
            X,
            np.zeros(X.shape[0], dtype=np.int64),
            1,
            np.array([n]),
            mean[None, :],
            total[None],
            self.shrinkage,
        )[0]
        Sw = self.covariance_
        evals, evecs = linalg.eigh(St - Sw, Sw)
        ratio = np.sort(evals / np.sum(evals))[::-1][: self._max_components]
        self.explained_variance_ratio_ = ratio.astype(X.dtype)
        evecs = evecs[:, np.argsort(evals)[::-1]]
        self.scalings_ = evecs
        return (means @ evecs) @ evecs.T

    def transform(self, X):
        """Project the data onto the discriminant directions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            With the "svd" solver, ``min(rank, n_components)`` columns.
        """
        if self.solver == "lsqr":
            raise NotImplementedError(
                "transform not implemented for 'lsqr' solver (use 'svd' or 'eigen')."
            )
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        if self.solver == "svd":
            X_new = (X - self.xbar_) @ self.scalings_
        else:
            X_new = X @ self.scalings_
        return X_new[:, : self._max_components]

    def decision_function(self, X):
        """Linear scores: the log-posterior of each class up to a constant.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the log-likelihood ratio of ``classes_[1]``.
        """
        return super().decision_function(X)

    def predict_proba(self, X):
        """Class probabilities (sigmoid of the score for two classes, softmax otherwise).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        decision = self.decision_function(X)
        # in float64, so that float32 scores near +-17 do not round a probability to 0
        dtype = decision.dtype
        decision = decision.astype(np.float64)
        if self.classes_.shape[0] == 2:
            p = expit(decision)
            return np.stack([1 - p, p], axis=1).astype(dtype, copy=False)
        decision -= decision.max(axis=1, keepdims=True)
        np.exp(decision, out=decision)
        decision /= decision.sum(axis=1, keepdims=True)
        return decision.astype(dtype, copy=False)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba` (zeros lifted to the smallest normal float).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        proba[proba == 0.0] += np.finfo(proba.dtype).smallest_normal
        return np.log(proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

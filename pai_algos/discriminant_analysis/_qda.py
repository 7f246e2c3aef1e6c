"""Quadratic discriminant analysis on class moments computed by one parallel kernel pass."""

from __future__ import annotations

from numbers import Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from ._base import _covariances, _moments

__all__ = ["QuadraticDiscriminantAnalysis"]


class QuadraticDiscriminantAnalysis(ClassifierMixin, BaseEstimator):
    """Quadratic discriminant analysis: one Gaussian, with its own covariance, per class.

    A drop-in for :class:`sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis`. The
    class counts, means and scatter matrices come from one parallel Numba pass over the
    data; each class's covariance is then diagonalised by :func:`scipy.linalg.eigh`.

    Parameters
    ----------
    solver : {"svd", "eigen"}, default="svd"
        "svd" uses the (``reg_param``-regularised) eigenvalues of the empirical covariance
        (the squared singular values of the centred class data); "eigen" those of the
        covariance estimate, which may be shrunk.
    shrinkage : "auto" or float, default=None
        Shrinkage of each class covariance ("eigen" only): "auto" Ledoit-Wolf, a float in
        [0, 1] a fixed amount.
    priors : array-like of shape (n_classes,), default=None
        Class priors; estimated from the class frequencies when None.
    reg_param : float, default=0.0
        With "svd", the variances become ``(1 - reg_param) * s + reg_param``.
    store_covariance : bool, default=False
        Store the class covariance matrices in ``covariance_``.
    tol : float, default=1e-4
        Variances below ``tol`` make a class covariance rank deficient (an error).
    covariance_estimator : None, default=None
        Only None is supported; a covariance estimator raises ``NotImplementedError``.

    Attributes
    ----------
    covariance_ : list of len n_classes of ndarray of shape (n_features, n_features)
        Class covariance matrices (``store_covariance=True``).
    means_ : ndarray of shape (n_classes, n_features)
        Class means.
    priors_ : ndarray of shape (n_classes,)
        Class priors.
    rotations_ : list of len n_classes of ndarray of shape (n_features, n_features)
        Eigenvectors of each class covariance (columns, by decreasing variance).
    scalings_ : list of len n_classes of ndarray of shape (n_features,)
        The variances along those directions.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis : The estimator mirrored.
    LinearDiscriminantAnalysis : One covariance matrix shared by the classes.

    Notes
    -----
    Class ``k`` has density :math:`N(\\mu_k, \\Sigma_k)` with
    :math:`\\Sigma_k = R_k \\operatorname{diag}(s_k) R_k^T`; the score is the log-posterior
    up to a constant, :math:`-\\tfrac12 (\\lVert (x - \\mu_k) R_k s_k^{-1/2} \\rVert^2 +
    \\sum \\log s_k) + \\log \\pi_k` ([1]_, eq. 4.12). The per-class scatter comes from one
    pass over row chunks (Welford within a chunk, Chan et al.'s merge in a fixed order);
    eigenvectors may differ in sign from scikit-learn's SVD, which changes no score.

    References
    ----------
    .. [1] Hastie, T., Tibshirani, R. and Friedman, J., "The Elements of Statistical
       Learning", 2nd ed., Springer (2009), section 4.3.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.discriminant_analysis import QuadraticDiscriminantAnalysis
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> y = np.array([1, 1, 1, 2, 2, 2])
    >>> clf = QuadraticDiscriminantAnalysis().fit(X, y)
    >>> clf.predict([[-0.8, -1]])
    array([1])
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions({"svd", "eigen"})],
        "shrinkage": [StrOptions({"auto"}), Interval(Real, 0, 1, closed="both"), None],
        "priors": ["array-like", None],
        "reg_param": [Interval(Real, 0, 1, closed="both")],
        "store_covariance": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "covariance_estimator": [None, object],
    }

    # the common test data have redundant (collinear) features: regularise
    _fast_params = {"reg_param": 0.01}

    def __init__(
        self,
        *,
        solver="svd",
        shrinkage=None,
        priors=None,
        reg_param=0.0,
        store_covariance=False,
        tol=1.0e-4,
        covariance_estimator=None,
    ):
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.reg_param = reg_param
        self.store_covariance = store_covariance
        self.tol = tol
        self.covariance_estimator = covariance_estimator

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : QuadraticDiscriminantAnalysis
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order="C")
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        n_samples, n_features = X.shape
        n_classes = classes.shape[0]
        if n_classes < 2:
            raise ValueError(
                f"The number of classes has to be greater than one. Got {n_classes} class."
            )
        if self.solver == "svd" and self.shrinkage is not None:
            raise NotImplementedError("shrinkage not supported with 'svd' solver.")
        if self.covariance_estimator is not None:
            raise NotImplementedError(
                "covariance_estimator is not supported in pai_algos; use "
                "covariance_estimator=None with shrinkage."
            )
        y_index = y_index.astype(np.int64)
        counts, means, scatter = _moments(X, y_index, n_classes)
        for k in range(n_classes):
            if counts[k] == 1:
                raise ValueError(
                    f"y has only 1 sample in class {classes[k]}, covariance is ill defined."
                )
        if self.priors is None:
            priors = counts / float(n_samples)
        else:
            priors = np.array(self.priors)
        shrinkage = self.shrinkage if self.solver == "eigen" else None
        covs = _covariances(X, y_index, n_classes, counts, means, scatter, shrinkage)

        cov_list, scalings, rotations = [], [], []
        for k, label in enumerate(classes):
            variances, rotation = linalg.eigh(covs[k])
            order = np.argsort(variances)[::-1]
            variances, rotation = variances[order], rotation[:, order]
            if self.solver == "svd":
                # the SVD of an (n_k, d) matrix has min(n_k, d) non-negative singular values
                keep = min(int(counts[k]), n_features)
                variances = np.maximum(variances[:keep], 0.0)
                rotation = rotation[:, :keep]
                variances = (1 - self.reg_param) * variances + self.reg_param
                cov = (variances * rotation) @ rotation.T if self.store_covariance else None
            else:
                cov = covs[k]
            rank = int(np.sum(variances > self.tol))
            if rank < n_features:
                if self.solver == "svd" and counts[k] <= n_features:
                    raise linalg.LinAlgError(
                        f"The covariance matrix of class {label} is not full rank. When "
                        "using `solver='svd'` the number of samples in each class should be "
                        f"more than the number of features, but class {label} has "
                        f"{counts[k]} samples and {n_features} features. Try using "
                        "`solver='eigen'` and setting the parameter `shrinkage` for "
                        "regularization."
                    )
                param = "shrinkage" if self.solver == "eigen" else "reg_param"
                raise linalg.LinAlgError(
                    f"The covariance matrix of class {label} is not full rank. Increase the "
                    f"value of `{param}` to reduce the collinearity."
                )
            cov_list.append(cov)
            scalings.append(variances)
            rotations.append(rotation)

        self.classes_ = classes
        self.priors_ = priors
        if self.store_covariance:
            self.covariance_ = cov_list
        self.means_ = means.astype(X.dtype)
        self.scalings_ = scalings
        self.rotations_ = rotations
        return self

    def _decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        norm2 = np.empty((X.shape[0], self.classes_.shape[0]))
        for k in range(self.classes_.shape[0]):
            X2 = (X - self.means_[k]) @ (self.rotations_[k] * self.scalings_[k] ** -0.5)
            norm2[:, k] = np.sum(X2**2, axis=1)
        u = np.array([np.sum(np.log(s)) for s in self.scalings_])
        return -0.5 * (norm2 + u) + np.log(self.priors_)

    def decision_function(self, X):
        """Log-posterior of each class up to a constant.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the log-likelihood ratio of ``classes_[1]``.
        """
        check_is_fitted(self)
        scores = self._decision_function(X)
        if self.classes_.shape[0] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X):
        """Class with the highest posterior.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_.take(self._decision_function(X).argmax(axis=1))

    def predict_proba(self, X):
        """Posterior class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Log-posterior class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        scores = self._decision_function(X)
        scores = scores - scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))

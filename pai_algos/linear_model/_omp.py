"""Orthogonal matching pursuit on the Gram matrix (Batch-OMP with progressive Cholesky)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin

from pai_algos_native import kernels

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from ._base import _as_targets, _gram_moments, _linear_predict

__all__ = ["OrthogonalMatchingPursuit"]

_PREMATURE = (
    "Orthogonal matching pursuit ended prematurely due to linear dependence in the "
    "dictionary. The requested precision might not have been met."
)


class OrthogonalMatchingPursuit(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Orthogonal matching pursuit (OMP) on the Gram matrix, with Cholesky updates.

    A drop-in for :class:`sklearn.linear_model.OrthogonalMatchingPursuit`. The data are
    read once to form the centred ``X^T X`` and ``X^T y`` (a parallel Numba pass); the
    greedy selection then runs in a Numba kernel that never touches the data again.

    Parameters
    ----------
    n_nonzero_coefs : int, default=None
        Number of non-zero coefficients wanted; None means 10% of ``n_features`` (at least
        one). Ignored when ``tol`` is set.
    tol : float, default=None
        Maximum squared norm of the residual; overrides ``n_nonzero_coefs`` when set.
    fit_intercept : bool, default=True
        Whether to fit an intercept (the data are centred implicitly).
    precompute : "auto" or bool, default="auto"
        Kept for scikit-learn compatibility: the Gram matrix is always formed.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    n_iter_ : int or list of int
        Number of selected atoms, per target.
    n_nonzero_coefs_ : int or None
        The number of non-zero coefficients asked for, or None when ``tol`` is set.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.OrthogonalMatchingPursuit : The scikit-learn estimator this one
        mirrors.
    Lars : Least-angle regression, a less greedy forward selection.

    Notes
    -----
    Each step selects the atom most correlated with the residual,
    :math:`j = \\arg\\max_j |(X^T y)_j - G_{jA} \\gamma_A|`, and refits all active
    coefficients, :math:`\\gamma_A = G_{AA}^{-1} (X^T y)_A`, with the Cholesky factor
    :math:`G_{AA} = L L^T` grown by one row per step (Rubinstein et al. 2008, "Batch-OMP",
    algorithm 3). With ``tol`` the squared residual norm is tracked as
    :math:`\\|y\\|^2 - \\gamma_A^T (G_{A\\cdot}\\gamma)`, without forming the residual.

    References
    ----------
    .. [1] Mallat, S. G. and Zhang, Z., "Matching pursuits with time-frequency
       dictionaries", IEEE Transactions on Signal Processing 41(12), 3397-3415 (1993).
    .. [2] Rubinstein, R., Zibulevsky, M. and Elad, M., "Efficient implementation of the
       K-SVD algorithm using batch orthogonal matching pursuit", Technical report CS-2008-08,
       Technion (2008).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.linear_model import OrthogonalMatchingPursuit
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 8))
    >>> y = 3 * X[:, 1] - 2 * X[:, 5]
    >>> reg = OrthogonalMatchingPursuit(n_nonzero_coefs=2).fit(X, y)
    >>> np.flatnonzero(reg.coef_).tolist()
    [1, 5]
    >>> reg.coef_[[1, 5]].round(6)
    array([ 3., -2.])
    """

    _parameter_constraints: dict = {
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "fit_intercept": ["boolean"],
        "precompute": [StrOptions({"auto"}), "boolean"],
    }

    _preserves_float32 = True

    def __init__(self, *, n_nonzero_coefs=None, tol=None, fit_intercept=True, precompute="auto"):
        self.n_nonzero_coefs = n_nonzero_coefs
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.precompute = precompute

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=True,
        )
        n_samples, n_features = X.shape
        if self.tol is not None:
            n_nonzero = None
        elif self.n_nonzero_coefs is None:
            n_nonzero = max(int(0.1 * n_features), 1)
        else:
            n_nonzero = self.n_nonzero_coefs
            if n_nonzero > n_features:
                raise ValueError(
                    "The number of atoms cannot be more than the number of features: "
                    f"n_nonzero_coefs={n_nonzero} > n_features={n_features}."
                )
        Y = _as_targets(y)
        G, B, x_mean, y_mean, _ = _gram_moments(
            X, Y, np.ones(n_samples), self.fit_intercept, "cpu", None
        )
        norms_sq = ((Y - y_mean) ** 2).sum(axis=0)
        module = kernels("linear_lars", "cpu")
        coef = np.zeros((Y.shape[1], n_features))
        n_iters, status = [], 0
        for k in range(Y.shape[1]):
            n_iter, st = module.omp_gram(
                G,
                np.ascontiguousarray(B[:, k]),
                0 if n_nonzero is None else int(n_nonzero),
                float(norms_sq[k]),
                0.0 if self.tol is None else float(self.tol),
                self.tol is not None,
                coef[k],
            )
            n_iters.append(int(n_iter))
            status |= st
        if status:
            warnings.warn(_PREMATURE, RuntimeWarning, stacklevel=2)
        dtype = X.dtype
        self.n_nonzero_coefs_ = n_nonzero
        self.n_iter_ = n_iters[0] if Y.shape[1] == 1 else n_iters
        intercept = y_mean - coef @ x_mean
        if y.ndim == 1:
            self.coef_ = coef[0].astype(dtype)
            self.intercept_ = dtype.type(intercept[0]) if self.fit_intercept else 0.0
        else:
            self.coef_ = coef.astype(dtype)
            self.intercept_ = intercept.astype(dtype) if self.fit_intercept else 0.0
        return self

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, in the dtype of ``X``.
        """
        out = _linear_predict(self, X)
        return out.ravel() if np.ndim(self.coef_) == 1 else out

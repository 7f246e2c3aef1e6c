"""Theil-Sen regression: the spatial median of least-squares fits on subsets of the rows."""

from __future__ import annotations

import warnings
from itertools import combinations
from numbers import Integral, Real

import numpy as np
from scipy.special import binom
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, _fit_context, validate_data
from ._base import _linear_predict

__all__ = ["TheilSenRegressor"]


def _breakdown_point(n_samples, n_subsamples):
    """Approximate breakdown point of the estimator (Dang et al. 2008)."""
    return 1 - (0.5 ** (1 / n_subsamples) * (n_samples - n_subsamples + 1) + n_subsamples - 1) / (
        n_samples
    )


class TheilSenRegressor(RegressorMixin, BaseEstimator):
    """Theil-Sen estimator: a robust multivariate linear regression.

    A drop-in for :class:`sklearn.linear_model.TheilSenRegressor`, with the same subsets for
    the same ``random_state``. Every subset's least-squares problem is solved in parallel
    by a Numba kernel (Householder QR in per-thread buffers), and the spatial median of the
    solutions by a Numba modified-Weiszfeld loop.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    max_subpopulation : int, default=1e4
        Largest number of subsets considered; when all ``n_samples choose n_subsamples``
        subsets are more, that many are drawn at random.
    n_subsamples : int, default=None
        Rows per subset, between ``n_features + 1`` (``n_features`` without intercept) and
        ``n_samples``; None takes the minimum (the most robust choice).
    max_iter : int, default=300
        Maximum number of iterations of the spatial median.
    tol : float, default=1e-3
        Tolerance of the spatial median (on the norm of its last step).
    random_state : int, RandomState instance or None, default=None
        Draws the subsets when they are not all used.
    n_jobs : int, default=None
        Number of Numba threads for the subset solves (None: global config; -1: all).
    verbose : bool, default=False
        Kept for scikit-learn compatibility (nothing is printed).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients.
    intercept_ : float
        Intercept (0.0 when ``fit_intercept=False``).
    breakdown_ : float
        Approximate breakdown point (the fraction of outliers tolerated).
    n_iter_ : int
        Iterations of the spatial median.
    n_subpopulation_ : int
        Number of subsets considered.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.TheilSenRegressor : The scikit-learn estimator this one mirrors.
    RANSACRegressor : Robust fit by random consensus.

    Notes
    -----
    Each subset :math:`S` of ``n_subsamples`` rows gives the least-squares solution
    :math:`w_S = \\arg\\min_w \\|X_S w - y_S\\|^2` (with a column of ones for the
    intercept); the estimate is their spatial median
    :math:`\\arg\\min_m \\sum_S \\|w_S - m\\|_2`, computed by the modified Weiszfeld
    iteration of Vardi and Zhang (2000), which stays well defined when the iterate lands on
    one of the points: :math:`m^+ = (1 - \\eta / r) T(m) + \\min(1, \\eta / r) m`, with
    :math:`T` the Weiszfeld step, :math:`r` the norm of the summed unit vectors and
    :math:`\\eta` 1 when :math:`m` is one of the points (eq. 2.6).

    References
    ----------
    .. [1] Dang, X., Peng, H., Wang, X. and Zhang, H., "Theil-Sen estimators in a multiple
       linear regression model", Olemiss Edu (2008).
    .. [2] Vardi, Y. and Zhang, C.-H., "The multivariate L1-median and associated data
       depth", Proceedings of the National Academy of Sciences 97(4), 1423-1426 (2000).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.linear_model import TheilSenRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2))
    >>> y = X @ np.array([1.0, -2.0]) + 0.5
    >>> y[:6] += 50.0
    >>> reg = TheilSenRegressor(random_state=0).fit(X, y)
    >>> reg.coef_.round(2)
    array([ 1., -2.])
    """

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "max_subpopulation": [Interval(Real, 1, None, closed="left")],
        "n_subsamples": [None, Integral],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [None, Integral],
        "verbose": ["verbose"],
    }

    _fast_params = {"max_subpopulation": 200}

    def __init__(
        self,
        *,
        fit_intercept=True,
        max_subpopulation=1e4,
        n_subsamples=None,
        max_iter=300,
        tol=1.0e-3,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self.fit_intercept = fit_intercept
        self.max_subpopulation = max_subpopulation
        self.n_subsamples = n_subsamples
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_subparams(self, n_samples, n_features):
        n_subsamples = self.n_subsamples
        n_dim = n_features + 1 if self.fit_intercept else n_features
        if n_subsamples is not None:
            if n_subsamples > n_samples:
                raise ValueError(
                    f"Invalid parameter since n_subsamples > n_samples "
                    f"({n_subsamples} > {n_samples})."
                )
            if n_samples >= n_features:
                if n_dim > n_subsamples:
                    plus_1 = "+1" if self.fit_intercept else ""
                    raise ValueError(
                        f"Invalid parameter since n_features{plus_1} > n_subsamples "
                        f"({n_dim} > {n_subsamples})."
                    )
            elif n_subsamples != n_samples:
                raise ValueError(
                    f"Invalid parameter since n_subsamples != n_samples ({n_subsamples} != "
                    f"{n_samples}) while n_samples < n_features."
                )
        else:
            n_subsamples = min(n_dim, n_samples)
        all_combinations = max(1, np.rint(binom(n_samples, n_subsamples)))
        n_subpopulation = int(min(self.max_subpopulation, all_combinations))
        return n_subsamples, n_subpopulation

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        random_state = check_random_state(self.random_state)
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order="C", y_numeric=True)
        n_samples, n_features = X.shape
        n_subsamples, n_subpopulation = self._check_subparams(n_samples, n_features)
        # the same subsets as scikit-learn for the same random_state
        if np.rint(binom(n_samples, n_subsamples)) <= self.max_subpopulation:
            indices = np.array(list(combinations(range(n_samples), n_subsamples)), np.int64)
        else:
            # RandomState.choice(n, k, replace=False) is permutation(n)[:k], without the
            # per-call overhead of choice's argument handling
            indices = np.array(
                [
                    random_state.permutation(n_samples)[:n_subsamples]
                    for _ in range(n_subpopulation)
                ],
                dtype=np.int64,
            )
        indices = indices.reshape(-1, n_subsamples)
        module = kernels("linear_robust", "cpu")
        yf = np.ascontiguousarray(y, dtype=np.float64)
        weights = np.empty((indices.shape[0], n_features + int(self.fit_intercept)))
        with numba_threads(self.n_jobs):
            module.subset_lstsq(X, yf, indices, self.fit_intercept, weights)
        n_iter, coefs, converged = module.spatial_median(weights, self.max_iter, self.tol)
        if not converged and weights.shape[1] > 1:
            warnings.warn(
                f"Maximum number of iterations {self.max_iter} reached in spatial median for "
                "TheilSen regressor.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.n_subpopulation_ = n_subpopulation
        self.breakdown_ = _breakdown_point(n_samples, n_subsamples)
        self.n_iter_ = int(n_iter)
        if self.fit_intercept:
            self.intercept_ = float(coefs[0])
            self.coef_ = coefs[1:]
        else:
            self.intercept_ = 0.0
            self.coef_ = coefs
        return self

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        return _linear_predict(self, X)

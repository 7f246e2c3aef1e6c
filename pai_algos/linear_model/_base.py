"""Ordinary least squares from the Gram moments, and the helpers the Ridge family shares.

The data are read once: :mod:`pai_algos_native.cpu.linear_gram` (or its CUDA twin) returns
``X^T W X``, ``X^T W y`` and the weighted sums; the centring and the small
``n_features x n_features`` solve happen here with :mod:`scipy.linalg`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy import linalg, optimize
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import DeviceMixin, numba_threads
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

__all__ = ["LinearRegression"]

# Rows averaged for the shift that keeps the float64 moment sums free of cancellation.
_SHIFT_ROWS = 1024
# Below this ratio of smallest to largest Gram eigenvalue (cond(X) > 1e5) the normal
# equations lose too many digits, and least squares goes back to the data (lstsq on X).
_GRAM_RCOND = 1e-10


def _as_targets(y):
    """``y`` as a C-contiguous float64 ``(n_samples, n_targets)`` array."""
    Y = np.asarray(y, dtype=np.float64)
    return np.ascontiguousarray(Y.reshape(Y.shape[0], -1))


def _gram_moments(X, Y, sample_weight, fit_intercept, device, n_jobs):
    """Weighted (centred when ``fit_intercept``) Gram moments in one pass over ``X``.

    Returns ``G = Xc^T W Xc``, ``B = Xc^T W Yc``, the weighted means of ``X`` and ``Y``
    (zeros without intercept) and ``sum(W)``. CSR input always runs the CPU kernel.
    """
    n, d = X.shape
    t = Y.shape[1]
    sparse = sp.issparse(X)
    module = kernels("linear_gram", "cpu" if sparse else device)
    G = np.empty((d, d))
    B = np.empty((d, t))
    x_sum = np.empty(d)
    y_sum = np.empty(t)
    head = slice(0, min(n, _SHIFT_ROWS))
    y_shift = Y[head].mean(axis=0) if fit_intercept else np.zeros(t)
    if sparse or not fit_intercept:
        x_shift = np.zeros(d)
    else:
        x_shift = np.asarray(X[head].mean(axis=0, dtype=np.float64))
    # the CPU kernels call no BLAS, so BLAS threads need no limit here (threadpoolctl costs
    # milliseconds per call: it scans the loaded libraries)
    with numba_threads(n_jobs):
        if sparse:
            sw_sum = module.gram_csr(
                X.data, X.indices, X.indptr, Y, sample_weight, y_shift, G, B, x_sum, y_sum
            )
        else:
            sw_sum = module.gram_dense(X, Y, sample_weight, x_shift, y_shift, G, B, x_sum, y_sum)
    if not fit_intercept:
        return G, B, np.zeros(d), np.zeros(t), sw_sum
    if sw_sum <= 0:
        raise ValueError(
            f"The sum of sample weights must be positive to fit an intercept, got {sw_sum}."
        )
    dx = x_sum / sw_sum
    dy = y_sum / sw_sum
    G -= sw_sum * np.outer(dx, dx)
    B -= sw_sum * np.outer(dx, dy)
    return G, B, x_shift + dx, y_shift + dy, sw_sum


def _nnls_gram(G, B, rcond=1e-12):
    """Non-negative least squares from the normal equations ``G w = b`` (one column of B each).

    With ``G = V diag(lam) V^T``, ``||A w - r||^2`` for ``A = diag(sqrt(lam)) V^T`` and
    ``r = diag(1 / sqrt(lam)) V^T b`` equals ``w^T G w - 2 b^T w`` plus a constant, so
    :func:`scipy.optimize.nnls` on the small ``(A, r)`` solves the constrained problem.
    """
    lam, V = linalg.eigh(G)
    keep = lam > rcond * max(lam[-1], 0.0) if lam[-1] > 0 else np.zeros_like(lam, bool)
    root = np.sqrt(lam[keep])
    A = root[:, None] * V[:, keep].T
    coef = np.zeros((B.shape[1], G.shape[0]))
    if not keep.any():
        return coef
    proj = (V[:, keep].T @ B) / root[:, None]
    for k in range(B.shape[1]):
        coef[k] = optimize.nnls(A, proj[:, k], maxiter=50 * G.shape[0])[0]
    return coef


def _intercept(x_mean, y_mean, coef):
    return y_mean - coef @ x_mean


def _shape_outputs(est, coef, intercept, y_ndim, dtype, fit_intercept, ravel_single=False):
    """Set ``coef_`` / ``intercept_`` with scikit-learn's shapes, in the dtype of ``X``.

    ``ravel_single``: a single target given as a column still gets a 1-D ``coef_`` (and a
    ``(1,)`` intercept), as scikit-learn's Ridge family does.
    """
    if y_ndim == 1:
        est.coef_ = coef[0].astype(dtype)
        est.intercept_ = dtype.type(intercept[0]) if fit_intercept else 0.0
    else:
        single = ravel_single and coef.shape[0] == 1
        est.coef_ = (coef[0] if single else coef).astype(dtype)
        est.intercept_ = intercept.astype(dtype) if fit_intercept else 0.0


def _linear_predict(est, X):
    """``X @ coef_.T + intercept_`` in the dtype of ``X`` (float32 stays float32)."""
    check_is_fitted(est)
    X = validate_data(est, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
    coef = np.asarray(est.coef_).astype(X.dtype, copy=False)
    out = X @ coef.T
    out = np.asarray(out) + np.asarray(est.intercept_).astype(X.dtype)
    return out


class LinearRegression(DeviceMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Ordinary least squares from the Gram matrix built by one parallel pass over the rows.

    A drop-in for :class:`sklearn.linear_model.LinearRegression`: the same parameters,
    attributes and answers. The data are read once to form ``X^T W X`` and ``X^T W y``
    (centred, float64); the small system is then solved with :mod:`scipy.linalg`.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit an intercept (the data are centred implicitly, never copied).
    copy_X : bool, default=True
        Kept for scikit-learn compatibility: ``X`` is never modified.
    tol : float, default=1e-6
        Kept for scikit-learn compatibility (scikit-learn's sparse LSQR tolerance); the
        Gram solve is direct and does not use it.
    n_jobs : int, default=None
        Number of Numba threads for the Gram kernel (None: global config; -1: all).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (NNLS on the Gram system).
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the Gram matrix of dense input is computed. "auto" picks a GPU for large
        dense inputs when one is present; CSR input always uses the CPU kernel.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients; one row per target for two-dimensional ``y``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts (0.0 when ``fit_intercept=False``).
    rank_ : int
        Rank of the (centred, weighted) ``X``; dense input only.
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Singular values of the (centred, weighted) ``X``; dense input only.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.
    device_ : str
        "cpu" or "cuda": where the Gram matrix was computed.

    See Also
    --------
    sklearn.linear_model.LinearRegression : The scikit-learn estimator this one mirrors.
    Ridge : Least squares with an L2 penalty.

    Notes
    -----
    With weights :math:`w_i`, weighted means :math:`\\bar x, \\bar y` and centred data
    :math:`X_c, y_c`, the coefficients solve the normal equations
    :math:`X_c^T W X_c \\, \\beta = X_c^T W y_c` and the intercept is
    :math:`\\bar y - \\bar x^T \\beta`. The eigendecomposition
    :math:`X_c^T W X_c = V \\Lambda V^T` (after scaling the columns to unit norm) gives
    :math:`\\beta = V \\Lambda^{-1} V^T X_c^T W y_c`,
    the singular values :math:`\\sqrt{\\lambda_k}` and the rank. Forming the Gram matrix squares
    the condition number, so when :math:`\\lambda_{min} / \\lambda_{max} < 10^{-10}`
    (:math:`\\kappa(X) > 10^5`, near or exact collinearity) a dense fit falls back to
    :func:`scipy.linalg.lstsq` on :math:`W^{1/2} X_c`, the minimum-norm solution scikit-learn
    returns; a sparse fit uses the pseudo-inverse of the Gram matrix (eigenvalues below
    :math:`10^{-10} \\lambda_{max}` dropped), which is also the minimum-norm solution of the
    retained subspace. Either way the predictions agree with scikit-learn's.

    References
    ----------
    .. [1] Golub, G. H. and Van Loan, C. F., "Matrix Computations", 4th ed., Johns Hopkins
       (2013), section 5.3 (the normal equations and their conditioning).
    .. [2] Lawson, C. L. and Hanson, R. J., "Solving Least Squares Problems", SIAM (1995),
       chapter 23 (non-negative least squares).

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.linear_model import LinearRegression
    >>> X = np.array([[1, 1], [1, 2], [2, 2], [2, 3]], dtype=float)
    >>> y = X @ np.array([1.0, 2.0]) + 3
    >>> reg = LinearRegression(device="cpu").fit(X, y)
    >>> reg.coef_.round(6)
    array([1., 2.])
    >>> round(float(reg.intercept_), 6)
    3.0
    >>> reg.predict(np.array([[3.0, 5.0]])).round(6)
    array([16.])
    """

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "positive": ["boolean"],
        "device": [StrOptions({"cpu", "cuda", "auto"}), None],
    }

    _preserves_float32 = True

    def __init__(
        self,
        *,
        fit_intercept=True,
        copy_X=True,
        tol=1e-6,
        n_jobs=None,
        positive=False,
        device="auto",
    ):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive
        self.device = device

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (unit weights when None).

        Returns
        -------
        self : LinearRegression
            The fitted estimator.
        """
        device = self._resolve_device(X)
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=True,
        )
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if sp.issparse(X):
            X.sort_indices()
        Y = _as_targets(y)
        G, B, x_mean, y_mean, _ = _gram_moments(
            X, Y, sample_weight, self.fit_intercept, device, self.n_jobs
        )
        rank, singular = None, None
        if self.positive:
            coef = _nnls_gram(G, B)
        else:
            # Jacobi scaling first: columns on very different scales (raw measurements)
            # make G ill-conditioned for no good reason
            scale = np.sqrt(np.clip(np.diag(G), 0.0, None))
            scale[scale == 0.0] = 1.0
            lam, V = linalg.eigh(G / np.outer(scale, scale))
            Bs = B / scale[:, None]
            lam_max = max(lam[-1], 0.0)
            if lam_max == 0.0:
                coef = np.zeros((Y.shape[1], X.shape[1]))
                rank, singular = 0, np.zeros(min(X.shape))
            elif lam[0] > _GRAM_RCOND * lam_max:
                coef = ((V / lam) @ (V.T @ Bs)).T / scale
                rank = X.shape[1]
                singular = np.sqrt(np.clip(linalg.eigvalsh(G), 0.0, None))[::-1]
                singular = singular[: min(X.shape)]
            elif not sp.issparse(X):
                coef, rank, singular = self._lstsq_dense(X, Y, sample_weight, x_mean, y_mean)
            else:
                keep = lam > _GRAM_RCOND * lam_max
                coef = ((V[:, keep] / lam[keep]) @ (V[:, keep].T @ Bs)).T / scale
        intercept = _intercept(x_mean, y_mean, coef)
        _shape_outputs(self, coef, intercept, y.ndim, X.dtype, self.fit_intercept)
        if not sp.issparse(X) and rank is not None:
            self.rank_ = int(rank)
            self.singular_ = np.asarray(singular, dtype=X.dtype)
        self.device_ = device
        return self

    @staticmethod
    def _lstsq_dense(X, Y, sample_weight, x_mean, y_mean):
        # ill-conditioned: least squares on the data itself, as scikit-learn solves it
        root = np.sqrt(sample_weight)[:, None]
        Xc = (X - x_mean) * root
        Yc = (Y - y_mean) * root
        # singular values at rounding level (the centring leaves ~eps * sigma_max along the
        # weighted-ones direction) are dropped, so the minimum-norm answer is stable
        cond = max(Xc.shape) * np.finfo(np.float64).eps
        coef, _, rank, singular = linalg.lstsq(Xc, Yc, cond=cond)
        return coef.T, rank, singular

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, in the dtype of ``X``.
        """
        out = _linear_predict(self, X)
        return out.ravel() if np.ndim(self.coef_) == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

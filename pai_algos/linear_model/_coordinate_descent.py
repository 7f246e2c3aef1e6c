"""Lasso and ElasticNet fitted by coordinate descent on Numba kernels.

The cross-validated variants live in :mod:`pai_algos.linear_model._coordinate_descent_cv`.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native.cpu import linear_cd, linear_gram

from ..base import numba_threads
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

__all__ = ["ElasticNet", "Lasso"]

# Rows averaged for the shift of the Gram moments (as in :mod:`._base`).
_SHIFT_ROWS = 1024

_CONV_MESSAGE = (
    "Objective did not converge. You might want to increase the number of iterations, "
    "check the scale of the features or consider increasing regularisation."
)


def _use_gram(precompute, X):
    """Whether to solve on the Gram matrix: "auto" means dense with more rows than columns."""
    if sp.issparse(X):
        return False
    if isinstance(precompute, str):
        return X.shape[0] > X.shape[1]
    return precompute is not False


class _Problem:
    """The centred, weighted least-squares data of one fit, in the form a kernel wants.

    ``sw`` is rescaled to sum to the number of rows (scikit-learn's convention), so the
    kernels' sum-form penalties are ``alpha * l1_ratio * n`` and ``alpha * (1 - l1_ratio) * n``.
    ``rows`` selects a subset of ``X`` (a CV training fold) without copying it on the Gram path.
    """

    def __init__(self, X, Y, sw, fit_intercept, precompute, rows=None):
        Y = np.asarray(Y, dtype=np.float64)
        if rows is None:
            # all rows: no gathered copies of ``Y`` and ``sw``
            rows = np.arange(X.shape[0], dtype=np.int64)
            Y = np.ascontiguousarray(Y)
            sw = None if sw is None else np.asarray(sw, dtype=np.float64)
        else:
            Y = Y[rows]
            sw = None if sw is None else np.asarray(sw, dtype=np.float64)[rows]
        n = rows.shape[0]
        p = X.shape[1]
        self.n_samples, self.n_features, self.dtype = n, p, X.dtype
        sw = np.ones(n) if sw is None else sw * (n / sw.sum())
        self.mode = (
            "gram" if _use_gram(precompute, X) else ("sparse" if sp.issparse(X) else "dense")
        )
        self.y_offset = sw @ Y / n if fit_intercept else np.zeros(Y.shape[1])
        if self.mode == "gram":
            self._gram(X, rows, Y, sw, fit_intercept)
            if hasattr(precompute, "__array__"):
                self._user_gram(precompute, fit_intercept)
            Yc = Y - self.y_offset
            self.y_norm2 = np.einsum("i,ik,ik->k", sw, Yc, Yc)
            return
        if not fit_intercept:
            self.mu = np.zeros(p)
        elif sp.issparse(X):
            self.mu = np.asarray(X[rows].T @ sw, dtype=np.float64).ravel() / n
        else:
            self.mu = linear_cd.weighted_col_mean(X, rows, sw)
        Yc = Y - self.y_offset
        if self.mode == "dense":
            Xr = X if n == X.shape[0] else X[rows]
            scale = np.sqrt(sw).astype(X.dtype)
            self.XT = np.ascontiguousarray(((Xr - self.mu.astype(X.dtype)) * scale[:, None]).T)
            self.Yc = np.ascontiguousarray((Yc * np.sqrt(sw)[:, None]).T)
            self.norm2 = linear_cd.col_sq_norms(self.XT)
        else:
            Xc = (X if n == X.shape[0] else X[rows]).tocsc()
            Xc.sort_indices()
            self.csc = (Xc.data, Xc.indices, Xc.indptr)
            self.Yc = np.ascontiguousarray(Yc.T)
            self.sw = sw

    def _gram(self, X, rows, Y, sw, fit_intercept):
        # one pass gives the moments about a shift (the mean of the first rows, which keeps
        # the float64 sums free of cancellation) and the weighted column sums; the exact
        # centring by the weighted mean ``mu`` follows on the small matrices
        p = X.shape[1]
        k = Y.shape[1]
        if fit_intercept:
            shift = np.asarray(X[rows[:_SHIFT_ROWS]].mean(axis=0, dtype=np.float64))
        else:
            shift = np.zeros(p)
        self.G = np.empty((p, p))
        self.Q = np.empty((p, k))
        x_sum = np.empty(p)
        y_sum = np.empty(k)
        total = linear_gram.gram_dense_rows(
            X, rows, Y, sw, shift, self.y_offset, self.G, self.Q, x_sum, y_sum
        )
        if not fit_intercept:
            self.mu = shift
            return
        m = x_sum / total
        self.mu = shift + m
        self.G -= total * np.outer(m, m)
        self.Q -= np.outer(m, y_sum)

    def _user_gram(self, gram, fit_intercept):
        gram = np.asarray(gram, dtype=np.float64)
        if gram.shape != (self.n_features, self.n_features):
            raise ValueError(
                f"The precomputed Gram matrix has shape {gram.shape}, expected "
                f"({self.n_features}, {self.n_features})."
            )
        if fit_intercept and not np.allclose(self.mu, 0.0):
            warnings.warn(
                "Gram matrix was provided but X was centered to fit intercept: "
                "recomputing Gram matrix.",
                UserWarning,
                stacklevel=4,
            )
            return
        self.G = np.ascontiguousarray(gram)

    def xty(self, k=0):
        """``sum_i s_i (x_i - mu) (y_ik - ybar_k)``: the gradient at zero (alpha grid)."""
        if self.mode == "gram":
            return self.Q[:, k].copy()
        if self.mode == "dense":
            out = np.empty(self.n_features)
            linear_cd._dense_xtr(self.XT, self.Yc[k], out)
            return out
        data, indices, indptr = self.csc
        X = sp.csc_matrix((data, indices, indptr), shape=(self.n_samples, self.n_features))
        v = self.sw * self.Yc[k]
        return np.asarray(X.T @ v).ravel() - self.mu * v.sum()

    def solve(self, w, k, alpha, l1_ratio, max_iter, tol, positive, random, seed):
        """Coordinate descent from ``w`` (float64, in place); returns (gap, tol, n_iter)."""
        l1 = alpha * l1_ratio * self.n_samples
        l2 = alpha * (1.0 - l1_ratio) * self.n_samples
        if self.mode == "gram":
            args = (self.G, self.Q[:, k].copy(), float(self.y_norm2[k]))
            return linear_cd.cd_gram(w, *args, l1, l2, max_iter, tol, positive, random, seed, True)
        if self.mode == "dense":
            args = (self.XT, self.Yc[k], self.norm2)
            return linear_cd.cd_dense(w, *args, l1, l2, max_iter, tol, positive, random, seed, True)
        y = self.Yc[k]
        return linear_cd.cd_sparse(
            w, *self.csc, y, self.sw, self.mu, l1, l2, max_iter, tol, positive, random, seed, True
        )


def _alpha_grid(problem, l1_ratio, eps, n_alphas, positive):
    """scikit-learn's ``_alpha_grid``: ``alpha_max = max|X'y| / (n l1_ratio)``, log-spaced."""
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please supply "
            "a grid by providing your estimator with the appropriate `alphas=` argument."
        )
    xty = problem.xty()
    top = max(0.0, float(np.max(xty))) if positive else float(np.max(np.abs(xty)))
    alpha_max = top / (problem.n_samples * l1_ratio)
    if alpha_max <= np.finfo(np.float64).resolution:
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def _solve_path(problem, alphas, l1_ratio, est, coef_init=None, warn=True):
    """Fit every target along ``alphas`` (decreasing) with warm starts.

    Returns coefs ``(n_targets, n_features, n_alphas)``, gaps ``(n_targets, n_alphas)`` (of the
    mean-form objective) and iterations ``(n_targets, n_alphas)``.
    """
    n_targets = problem.y_offset.shape[0]
    p = problem.n_features
    rng = check_random_state(est.random_state)
    random = est.selection == "random"
    coefs = np.empty((n_targets, p, len(alphas)))
    gaps = np.empty((n_targets, len(alphas)))
    iters = np.empty((n_targets, len(alphas)), dtype=np.int64)
    for k in range(n_targets):
        w = np.zeros(p) if coef_init is None else np.array(coef_init[k], dtype=np.float64)
        for a, alpha in enumerate(alphas):
            seed = int(rng.randint(1, np.iinfo(np.int32).max))
            gap, tol, n_iter = problem.solve(
                w, k, float(alpha), float(l1_ratio), int(est.max_iter), float(est.tol),
                bool(est.positive), random, seed,
            )  # fmt: skip
            if warn and gap > tol:
                warnings.warn(
                    f"{_CONV_MESSAGE} Duality gap: {gap:.6e}, tolerance: {tol:.3e}",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            coefs[k, :, a] = w
            gaps[k, a] = gap / problem.n_samples
            iters[k, a] = n_iter
    return coefs, gaps, iters


class ElasticNet(RegressorMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 priors, fitted by coordinate descent.

    A drop-in for :class:`sklearn.linear_model.ElasticNet`: same objective, parameters,
    attributes and stopping rule, solved by Numba kernels (on the data, or on the Gram
    matrix when there are more rows than columns).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms.
    l1_ratio : float, default=0.5
        The mixing parameter, in [0, 1]: 1 is the lasso penalty, 0 the ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : "auto", bool or array-like of shape (n_features, n_features), default="auto"
        Solve on the Gram matrix ``X'X``. "auto" uses it for dense ``X`` with more rows than
        columns (scikit-learn's default is False; the solution is the same within ``tol``).
        Sparse ``X`` is always solved on the data. An array is used as the Gram matrix
        of ``X`` (it is recomputed, with a warning, when ``X`` must be centred).
    max_iter : int, default=1000
        Maximum number of epochs (passes over the coordinates).
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified.
    tol : float, default=1e-4
        The duality gap must fall below ``tol * ||y - mean(y)||^2`` (weighted).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Force the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the coordinates in order, or pick one at random at each step.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, of the dtype of ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    sparse_coef_ : scipy.sparse.csr_matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a sparse matrix.
    n_iter_ : int or list of int
        Epochs run by the solver (per target).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the end, of the mean-form objective.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.ElasticNet : The scikit-learn estimator this one mirrors.
    ElasticNetCV : Chooses ``alpha`` and ``l1_ratio`` by cross-validation.

    Notes
    -----
    With sample weights :math:`s_i` rescaled to sum to :math:`n`, the objective is

    .. math::

        \\frac{1}{2n} \\sum_i s_i (y_i - x_i w - b)^2 + \\alpha \\rho \\lVert w \\rVert_1
        + \\frac{\\alpha (1 - \\rho)}{2} \\lVert w \\rVert_2^2,

    :math:`\\rho` being ``l1_ratio``; the intercept is the weighted mean of the residual.
    Coordinate descent (Friedman et al. [1]_) stops on the duality gap (Fercoq et al. [2]_),
    and gap-safe screening (Ndiaye et al. [3]_) drops features proven to be zero. Gram and
    residuals are accumulated in float64, also for float32 input. Multi-output ``y`` fits one
    model per column, as scikit-learn does.

    References
    ----------
    .. [1] Friedman, J., Hastie, T. and Tibshirani, R., "Regularization paths for generalized
       linear models via coordinate descent", Journal of Statistical Software 33(1) (2010).
    .. [2] Fercoq, O., Gramfort, A. and Salmon, J., "Mind the duality gap: safer rules for the
       Lasso", ICML (2015).
    .. [3] Ndiaye, E., Fercoq, O., Gramfort, A. and Salmon, J., "Gap safe screening rules for
       sparsity enforcing penalties", Journal of Machine Learning Research 18 (2017).

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.linear_model import ElasticNet
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ElasticNet(alpha=0.01, l1_ratio=0.7).fit(X, y)
    >>> reg.coef_.shape
    (10,)
    >>> round(reg.score(X, y), 3)
    0.428
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": [StrOptions({"auto"}), "boolean", "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    }

    _fast_params = {"max_iter": 5}
    _preserves_float32 = True

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        copy_X=True,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self):
        return self.l1_ratio

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 is kept as float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights of the samples (rescaled internally to sum to ``n_samples``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are advised to use "
                "the LinearRegression estimator",
                stacklevel=2,
            )
        X, y = _validate(self, X, y)
        sw = _weights(sample_weight, X)
        Y = y.reshape(len(y), -1)
        if y.ndim > 1 and self.positive:
            raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
        coef_init = None
        if self.warm_start and hasattr(self, "coef_"):
            init = np.atleast_2d(self.coef_)
            if init.shape == (Y.shape[1], X.shape[1]):
                coef_init = init
        # the kernels call no BLAS: no threadpoolctl limit (it costs milliseconds per call)
        with numba_threads(None):
            problem = _Problem(X, Y, sw, self.fit_intercept, self.precompute)
            coefs, gaps, iters = _solve_path(
                problem, [self.alpha], self._l1_ratio(), self, coef_init
            )
        _set_fitted(self, problem, coefs[:, :, 0], gaps[:, 0], iters[:, 0], y.ndim == 1)
        return self

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted ``coef_``."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32], reset=False
        )
        coef = self.coef_.astype(X.dtype, copy=False)
        return np.asarray(X @ coef.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags


class Lasso(ElasticNet):
    """Linear regression with an L1 prior (the lasso), fitted by coordinate descent.

    A drop-in for :class:`sklearn.linear_model.Lasso`: :class:`ElasticNet` with
    ``l1_ratio=1``, minimising
    :math:`\\frac{1}{2n} \\lVert y - X w - b \\rVert_2^2 + \\alpha \\lVert w \\rVert_1`.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 term.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : "auto", bool or array-like of shape (n_features, n_features), default="auto"
        Solve on the Gram matrix; "auto" uses it for dense ``X`` with more rows than columns.
    copy_X : bool, default=True
        Kept for compatibility: ``X`` is never modified.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        The duality gap must fall below ``tol * ||y - mean(y)||^2``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Force the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the coordinates in order, or at random.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, of the dtype of ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    sparse_coef_ : scipy.sparse.csr_matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a sparse matrix.
    n_iter_ : int or list of int
        Epochs run by the solver (per target).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the end.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.Lasso : The scikit-learn estimator this one mirrors.
    LassoCV : Chooses ``alpha`` by cross-validation.

    Notes
    -----
    See :class:`ElasticNet` for the solver, the stopping rule and the screening.

    References
    ----------
    .. [1] Tibshirani, R., "Regression shrinkage and selection via the lasso", Journal of
       the Royal Statistical Society B 58(1), 267-288 (1996).

    Examples
    --------
    >>> from pai_algos.datasets import load_diabetes
    >>> from pai_algos.linear_model import Lasso
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = Lasso(alpha=0.5).fit(X, y)
    >>> int((reg.coef_ != 0).sum())
    4
    >>> round(reg.score(X, y), 2)
    0.46
    """

    _parameter_constraints: dict = {
        k: v for k, v in ElasticNet._parameter_constraints.items() if k != "l1_ratio"
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute="auto",
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self):
        return 1.0


def _validate(est, X, y, multi_output=True):
    X, y = validate_data(
        est,
        X,
        y,
        accept_sparse=["csr", "csc"],
        dtype=[np.float64, np.float32],
        order="C",
        accept_large_sparse=False,
        multi_output=multi_output,
        y_numeric=True,
        reset=True,
    )
    return X, np.asarray(y, dtype=np.float64)


def _weights(sample_weight, X):
    if sample_weight is None or isinstance(sample_weight, Real):
        return None
    return _check_sample_weight(sample_weight, X, dtype=np.float64)


def _set_fitted(est, problem, coef, gaps, iters, single):
    """Set ``coef_``, ``intercept_``, ``dual_gap_`` and ``n_iter_`` (scikit-learn's shapes)."""
    dtype = problem.dtype
    intercept = problem.y_offset - coef @ problem.mu
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        raise ValueError(
            "Coordinate descent iterations resulted in non-finite parameter values. The input "
            "data may contain large values and need to be preprocessed."
        )
    if single:
        est.coef_ = coef[0].astype(dtype)
        est.intercept_ = dtype.type(intercept[0])
        est.dual_gap_ = float(gaps[0])
        est.n_iter_ = int(iters[0])
    else:
        est.coef_ = coef.astype(dtype)
        est.intercept_ = intercept.astype(dtype)
        est.dual_gap_ = gaps.astype(dtype)
        est.n_iter_ = [int(i) for i in iters]
